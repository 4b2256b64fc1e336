//! Sessions and projects: log in and out, who am I, my projects, their usage, ledger and
//! statements.

use crate::auth::{self, require, Caller, Role, SESSION_COOKIE};
use crate::db::{month_of, now, RowExt};
use crate::error::{ApiError, ApiResult};
use crate::ledger;
use crate::quota::{self, hours};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub user: String,
    pub password: String,
}

/// `POST /api/v1/login`: a session cookie (HttpOnly, SameSite=Strict) and its CSRF token.
pub async fn login(
    State(st): State<Arc<AppState>>,
    Json(b): Json<LoginBody>,
) -> ApiResult<Response> {
    let r = sqlx::query("SELECT id, password_hash FROM users WHERE name = $1")
        .bind(&b.user)
        .fetch_optional(&st.db)
        .await?;
    let hash = r.as_ref().and_then(|r| r.os("password_hash"));
    let pw = b.password.clone();
    let ok =
        tokio::task::spawn_blocking(move || hash.is_some_and(|h| auth::verify_password(&pw, &h)))
            .await
            .map_err(ApiError::internal)?;
    let (Some(r), true) = (r, ok) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "unknown user or wrong password",
        ));
    };
    let secret = auth::new_secret("gs_");
    let csrf = auth::new_secret("");
    let t = now();
    sqlx::query("INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(auth::hash_secret(&secret))
        .bind(r.i("id"))
        .bind(&csrf)
        .bind(t)
        .bind(t + st.config.session_ttl_s)
        .execute(&st.db)
        .await?;
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        st.config.session_ttl_s
    );
    let mut resp = Json(json!({"user": b.user, "csrf_token": csrf})).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(ApiError::internal)?,
    );
    Ok(resp)
}

/// `POST /api/v1/logout`
pub async fn logout(
    State(st): State<Arc<AppState>>,
    c: Caller,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if c.csrf.is_some() {
        let secret = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == SESSION_COOKIE)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        sqlx::query("DELETE FROM sessions WHERE hash = $1")
            .bind(auth::hash_secret(&secret))
            .execute(&st.db)
            .await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("galvana_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(resp)
}

async fn my_projects(st: &AppState, c: &Caller) -> ApiResult<Vec<Value>> {
    let rows = if c.is_admin {
        sqlx::query("SELECT id, name, plan, 'owner' AS role FROM projects ORDER BY name")
            .fetch_all(&st.db)
            .await?
    } else {
        sqlx::query(
            "SELECT p.id, p.name, p.plan, m.role FROM projects p JOIN memberships m ON m.project_id = p.id \
             WHERE m.user_id = $1 ORDER BY p.name",
        )
        .bind(c.user_id)
        .fetch_all(&st.db)
        .await?
    };
    Ok(rows
        .iter()
        .map(|r| json!({"id": r.i("id"), "name": r.s("name"), "plan": r.s("plan"), "role": r.s("role")}))
        .collect())
}

/// `GET /api/v1/me`
pub async fn me(State(st): State<Arc<AppState>>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(json!({
        "user": c.name,
        "admin": c.is_admin,
        "csrf_token": c.csrf,
        "projects": my_projects(&st, &c).await?,
    })))
}

/// `GET /api/v1/projects`
pub async fn projects(State(st): State<Arc<AppState>>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"projects": my_projects(&st, &c).await?})))
}

async fn project_row(st: &AppState, id: i64) -> ApiResult<(String, String)> {
    let r = sqlx::query("SELECT name, plan FROM projects WHERE id = $1")
        .bind(id)
        .fetch_optional(&st.db)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    Ok((r.s("name"), r.s("plan")))
}

#[derive(Deserialize)]
pub struct MonthQuery {
    /// `YYYY-MM`; default this month (UTC).
    pub month: Option<String>,
    /// `csv` for statements.
    pub format: Option<String>,
}

fn month_param(m: Option<String>) -> ApiResult<String> {
    let m = m.unwrap_or_else(|| month_of(now()));
    let ok = m.len() == 7
        && m.as_bytes()[4] == b'-'
        && m[..4].chars().all(|c| c.is_ascii_digit())
        && m[5..].parse::<u32>().is_ok_and(|x| (1..=12).contains(&x));
    if ok {
        Ok(m)
    } else {
        Err(ApiError::bad_request(format!(
            "month must be YYYY-MM, not `{m}`"
        )))
    }
}

/// `GET /api/v1/projects/{id}/usage`: quota meters for a month.
pub async fn usage(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> ApiResult<Json<Value>> {
    require(&st, &c, id, Role::Viewer, "project").await?;
    let month = month_param(q.month)?;
    let (name, plan_name) = project_row(&st, id).await?;
    let plan = st
        .config
        .plans
        .get(&plan_name)
        .ok_or_else(|| ApiError::internal(format!("plan `{plan_name}` is not configured")))?;
    let limit = quota::allowance(plan);
    let used = quota::committed(&st, id, &month).await?;
    let sums = sqlx::query(
        "SELECT kind, CAST(SUM(core_s) AS BIGINT) AS c, CAST(SUM(gpu_s) AS BIGINT) AS g FROM ledger \
         WHERE project_id = $1 AND month = $2 GROUP BY kind",
    )
    .bind(id)
    .bind(&month)
    .fetch_all(&st.db)
    .await?;
    let get = |k: &str| {
        sums.iter()
            .find(|r| r.s("kind") == k)
            .map(|r| (r.i("c"), r.i("g")))
            .unwrap_or((0, 0))
    };
    let (rc, rg) = get("reservation");
    let (lc, lg) = get("release");
    let (cc, cg) = get("charge");
    Ok(Json(json!({
        "project": name,
        "plan": plan_name,
        "month": month,
        "allowance": {"core_hours": plan.core_hours, "gpu_hours": plan.gpu_hours},
        "committed": {"core_hours": hours(used.core_s), "gpu_hours": hours(used.gpu_s)},
        "reserved": {"core_hours": hours(rc + lc), "gpu_hours": hours(rg + lg)},
        "charged": {"core_hours": hours(cc), "gpu_hours": hours(cg)},
        "left": {"core_hours": hours((limit.core_s - used.core_s).max(0)), "gpu_hours": hours((limit.gpu_s - used.gpu_s).max(0))},
    })))
}

/// `GET /api/v1/projects/{id}/ledger`
pub async fn ledger_entries(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> ApiResult<Json<Value>> {
    require(&st, &c, id, Role::Member, "project").await?;
    let month = match q.month {
        Some(m) => Some(month_param(Some(m))?),
        None => None,
    };
    let e = ledger::entries(&st, id, month.as_deref()).await?;
    Ok(Json(json!({"entries": e})))
}

/// `GET /api/v1/projects/{id}/statements/{month}` (JSON, or CSV with `?format=csv`).
pub async fn statement(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path((id, month)): Path<(i64, String)>,
    Query(q): Query<MonthQuery>,
) -> ApiResult<Response> {
    require(&st, &c, id, Role::Member, "project").await?;
    let (month, csv) = match month.strip_suffix(".csv") {
        Some(m) => (m.to_string(), true),
        None => (month, q.format.as_deref() == Some("csv")),
    };
    let month = month_param(Some(month))?;
    let (name, _) = project_row(&st, id).await?;
    let s = ledger::statement(&st, id, &name, &month).await?;
    if csv {
        let disp = format!("attachment; filename=\"statement-{name}-{month}.csv\"")
            .replace(['\r', '\n'], "");
        let mut r = ledger::statement_csv(&s).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(&disp) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(r);
    }
    Ok(Json(s).into_response())
}

/// `GET /api/v1/projects/{id}/statements`: months that have entries.
pub async fn statement_months(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    require(&st, &c, id, Role::Member, "project").await?;
    let rows =
        sqlx::query("SELECT DISTINCT month FROM ledger WHERE project_id = $1 ORDER BY month DESC")
            .bind(id)
            .fetch_all(&st.db)
            .await?;
    let months: Vec<String> = rows.iter().map(|r| r.s("month")).collect();
    Ok(Json(json!({"months": months})))
}
