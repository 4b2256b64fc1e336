//! Administration from the command line: users, tokens, projects, members, credits.

use crate::auth::{self, Role};
use crate::db::{month_of, now, RowExt};
use crate::ledger::{self, Kind, NewEntry};
use crate::quota::Need;
use crate::AppState;

async fn user_id(st: &AppState, name: &str) -> Result<i64, String> {
    sqlx::query("SELECT id FROM users WHERE name = $1")
        .bind(name)
        .fetch_optional(&st.db)
        .await
        .map_err(|e| e.to_string())?
        .map(|r| r.i("id"))
        .ok_or_else(|| format!("no user `{name}` (add it with `galvana-gateway user add {name}`)"))
}

pub async fn project_id(st: &AppState, name: &str) -> Result<i64, String> {
    sqlx::query("SELECT id FROM projects WHERE name = $1")
        .bind(name)
        .fetch_optional(&st.db)
        .await
        .map_err(|e| e.to_string())?
        .map(|r| r.i("id"))
        .ok_or_else(|| format!("no project `{name}`"))
}

fn valid_name(kind: &str, n: &str) -> Result<(), String> {
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{kind} name `{n}`: use 1-64 letters, digits, `-`, `_` or `.`"
        ))
    }
}

pub async fn add_user(
    st: &AppState,
    name: &str,
    password: Option<&str>,
    admin: bool,
) -> Result<i64, String> {
    valid_name("user", name)?;
    let hash = match password {
        Some(p) if p.len() < 8 => return Err("passwords need at least 8 characters".into()),
        Some(p) => Some(auth::hash_password(p)?),
        None => None,
    };
    let r = sqlx::query("INSERT INTO users (name, password_hash, is_admin, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(hash)
        .bind(admin as i64)
        .bind(now())
        .fetch_one(&st.db)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => format!("user `{name}` exists"),
            e => e.to_string(),
        })?;
    Ok(r.i("id"))
}

/// A new API token for `user`; the secret is returned once and only its hash is kept.
pub async fn new_token(st: &AppState, user: &str, label: &str) -> Result<String, String> {
    let uid = user_id(st, user).await?;
    let secret = auth::new_secret("gv_");
    sqlx::query("INSERT INTO tokens (user_id, label, hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(uid)
        .bind(label)
        .bind(auth::hash_secret(&secret))
        .bind(now())
        .execute(&st.db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(secret)
}

pub async fn revoke_tokens(st: &AppState, user: &str) -> Result<u64, String> {
    let uid = user_id(st, user).await?;
    let r = sqlx::query("UPDATE tokens SET revoked = 1 WHERE user_id = $1 AND revoked = 0")
        .bind(uid)
        .execute(&st.db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(r.rows_affected())
}

pub async fn add_project(
    st: &AppState,
    name: &str,
    plan: Option<&str>,
    owner: Option<&str>,
) -> Result<i64, String> {
    valid_name("project", name)?;
    let plan = plan.unwrap_or(&st.config.default_plan);
    if !st.config.plans.contains_key(plan) {
        return Err(format!(
            "no plan `{plan}`; plans: {}",
            st.config
                .plans
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let r = sqlx::query(
        "INSERT INTO projects (name, plan, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(plan)
    .bind(now())
    .fetch_one(&st.db)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => format!("project `{name}` exists"),
        e => e.to_string(),
    })?;
    let id = r.i("id");
    if let Some(o) = owner {
        set_member(st, name, o, Role::Owner).await?;
    }
    Ok(id)
}

pub async fn set_plan(st: &AppState, project: &str, plan: &str) -> Result<(), String> {
    if !st.config.plans.contains_key(plan) {
        return Err(format!("no plan `{plan}`"));
    }
    let pid = project_id(st, project).await?;
    sqlx::query("UPDATE projects SET plan = $1 WHERE id = $2")
        .bind(plan)
        .bind(pid)
        .execute(&st.db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

pub async fn set_member(
    st: &AppState,
    project: &str,
    user: &str,
    role: Role,
) -> Result<(), String> {
    let pid = project_id(st, project).await?;
    let uid = user_id(st, user).await?;
    sqlx::query(
        "INSERT INTO memberships (project_id, user_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(pid)
    .bind(uid)
    .bind(role.name())
    .execute(&st.db)
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// Credit a project `credits` (a negative ledger amount) with a note.
pub async fn credit(st: &AppState, project: &str, credits: f64, note: &str) -> Result<(), String> {
    if !(credits.is_finite() && credits > 0.0) {
        return Err("a credit must be a positive number of credits".into());
    }
    let pid = project_id(st, project).await?;
    let mut tx = st.db.begin().await.map_err(|e| e.to_string())?;
    ledger::append(
        &mut tx,
        NewEntry {
            project: pid,
            job: None,
            kind: Kind::Credit,
            month: &month_of(now()),
            usage: Need::default(),
            amount_micro: -(credits * 1e6).round() as i64,
            source_key: None,
            note: note.to_string(),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// `name plan members` lines.
pub async fn list_projects(st: &AppState) -> Result<String, String> {
    let rows = sqlx::query(
        "SELECT p.name, p.plan, u.name AS user_name, m.role FROM projects p \
         LEFT JOIN memberships m ON m.project_id = p.id LEFT JOIN users u ON u.id = m.user_id ORDER BY p.name, u.name",
    )
    .fetch_all(&st.db)
    .await
    .map_err(|e| e.to_string())?;
    let mut out = String::new();
    for r in rows {
        out.push_str(&format!(
            "{:<20} {:<12} {} {}\n",
            r.s("name"),
            r.s("plan"),
            r.os("user_name").unwrap_or_else(|| "-".into()),
            r.os("role").unwrap_or_default()
        ));
    }
    Ok(out)
}
