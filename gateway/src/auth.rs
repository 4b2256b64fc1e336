//! Who is calling: API tokens (`Authorization: Bearer gv_…`) and browser sessions (cookie
//! `galvana_session`, with a CSRF token required on every state-changing request), and what
//! they may do in a project (owner / member / viewer).
//!
//! Secrets are 256-bit random values; the database keeps only their SHA-256 (a leaked database
//! does not leak tokens). Passwords are stored as Argon2id hashes.

use crate::db::{now, RowExt};
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "galvana_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A fresh secret with a recognisable prefix (`gv_` tokens, `gs_` sessions).
pub fn new_secret(prefix: &str) -> String {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).expect("the OS random source failed");
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{prefix}{hex}")
}

pub fn hash_secret(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

pub fn hash_password(pw: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    argon2::Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(pw.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A role in a project; later variants include the rights of earlier ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads jobs, files, streams and usage.
    Viewer,
    /// Also submits and cancels jobs.
    Member,
    /// Also sees the ledger and statements and manages members.
    Owner,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "member" => Some(Role::Member),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Owner => "owner",
        }
    }
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: i64,
    pub name: String,
    pub is_admin: bool,
    /// Authenticated by a browser session (then `csrf` is its CSRF token).
    pub csrf: Option<String>,
}

fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &Arc<AppState>) -> ApiResult<Caller> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(tok) = bearer {
            let row = sqlx::query(
                "SELECT u.id, u.name, u.is_admin, t.id AS tid, t.last_used_at FROM tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.hash = $1 AND t.revoked = 0",
            )
            .bind(hash_secret(tok))
            .fetch_optional(&st.db)
            .await?;
            let Some(r) = row else {
                return Err(ApiError::unauthorized());
            };
            // Last use is informative only (to the minute): no write on every request, and a
            // failure to record it must not fail the request.
            let t = now();
            if r.oi("last_used_at").is_none_or(|u| t - u >= 60) {
                let _ = sqlx::query("UPDATE tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(t)
                    .bind(r.i("tid"))
                    .execute(&st.db)
                    .await;
            }
            return Ok(Caller {
                user_id: r.i("id"),
                name: r.s("name"),
                is_admin: r.i("is_admin") != 0,
                csrf: None,
            });
        }
        let Some(sess) = cookie(parts, SESSION_COOKIE) else {
            return Err(ApiError::unauthorized());
        };
        let row = sqlx::query(
            "SELECT u.id, u.name, u.is_admin, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.hash = $1 AND s.expires_at > $2",
        )
        .bind(hash_secret(sess))
        .bind(now())
        .fetch_optional(&st.db)
        .await?;
        let Some(r) = row else {
            return Err(ApiError::unauthorized());
        };
        let csrf = r.s("csrf");
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent != Some(csrf.as_str()) {
                return Err(ApiError::forbidden(
                    "missing or wrong X-CSRF-Token header (browser sessions must send the token from /api/v1/me)",
                ));
            }
        }
        Ok(Caller {
            user_id: r.i("id"),
            name: r.s("name"),
            is_admin: r.i("is_admin") != 0,
            csrf: Some(csrf),
        })
    }
}

/// The caller's role in `project`, or `None` when they are not in it. Administrators are
/// owners everywhere.
pub async fn role_in(st: &AppState, c: &Caller, project: i64) -> ApiResult<Option<Role>> {
    let r = sqlx::query("SELECT role FROM memberships WHERE project_id = $1 AND user_id = $2")
        .bind(project)
        .bind(c.user_id)
        .fetch_optional(&st.db)
        .await?;
    let role = r.and_then(|r| Role::parse(&r.s("role")));
    if c.is_admin {
        let exists = sqlx::query("SELECT id FROM projects WHERE id = $1")
            .bind(project)
            .fetch_optional(&st.db)
            .await?
            .is_some();
        return Ok(exists.then_some(Role::Owner));
    }
    Ok(role)
}

/// Require at least `need` in `project`: 404 when the caller is not in the project (it does
/// not exist for them), 403 when their role is too low.
pub async fn require(
    st: &AppState,
    c: &Caller,
    project: i64,
    need: Role,
    what: &str,
) -> ApiResult<Role> {
    match role_in(st, c, project).await? {
        None => Err(ApiError::not_found(what)),
        Some(r) if r < need => Err(ApiError::forbidden(format!(
            "your role in this project is {}; this needs {}",
            r.name(),
            need.name()
        ))),
        Some(r) => Ok(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_passwords() {
        let a = new_secret("gv_");
        assert_eq!(a.len(), 3 + 64);
        assert_ne!(a, new_secret("gv_"));
        assert_eq!(hash_secret("abc").len(), 64);
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn roles_order() {
        assert!(Role::Owner > Role::Member && Role::Member > Role::Viewer);
        assert_eq!(Role::parse("member"), Some(Role::Member));
        assert_eq!(Role::parse("admin"), None);
    }
}
