//! Monthly allowances per project, reserved at submit so that concurrent submits can never
//! over-commit.
//!
//! `quota_usage(project, month)` holds what is committed in a month: open reservations plus
//! charges. A submit adds its reservation with one conditional `UPDATE … WHERE committed + need
//! <= allowance`; the database serialises those updates (SQLite's single writer, PostgreSQL's row
//! lock with re-check), so whatever the interleaving, the sum never passes the allowance. The
//! ledger entry is written in the same transaction, so counter and ledger agree.

use crate::config::Plan;
use crate::db::{month_of, now, RowExt};
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::http::StatusCode;
use serde::Serialize;
use sqlx::Any;

/// What a job asks for: core-seconds and GPU-seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Need {
    pub core_s: i64,
    pub gpu_s: i64,
}

pub fn hours(s: i64) -> f64 {
    s as f64 / 3600.0
}

/// Allowances of `plan` in seconds.
pub fn allowance(plan: &Plan) -> Need {
    Need {
        core_s: (plan.core_hours * 3600.0).round() as i64,
        gpu_s: (plan.gpu_hours * 3600.0).round() as i64,
    }
}

/// What a project has committed in `month` (reservations still open plus charges).
pub async fn committed(st: &AppState, project: i64, month: &str) -> ApiResult<Need> {
    let r =
        sqlx::query("SELECT core_s, gpu_s FROM quota_usage WHERE project_id = $1 AND month = $2")
            .bind(project)
            .bind(month)
            .fetch_optional(&st.db)
            .await?;
    Ok(r.map(|r| Need {
        core_s: r.i("core_s"),
        gpu_s: r.i("gpu_s"),
    })
    .unwrap_or_default())
}

/// Create the project's usage row for `month` if it does not exist (a write, so in SQLite it
/// also takes the write lock that serialises reservations).
async fn ensure_row(
    tx: &mut sqlx::Transaction<'_, Any>,
    project: i64,
    month: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO quota_usage (project_id, month, core_s, gpu_s) VALUES ($1, $2, 0, 0) \
         ON CONFLICT (project_id, month) DO NOTHING",
    )
    .bind(project)
    .bind(month)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Add `need` to the project's committed usage this month inside `tx`, or refuse with 402 and
/// what is left. Call first in the transaction (SQLite takes its write lock here).
pub async fn reserve(
    st: &AppState,
    tx: &mut sqlx::Transaction<'_, Any>,
    project: i64,
    plan_name: &str,
    need: Need,
) -> ApiResult<String> {
    let plan = st.config.plans.get(plan_name).ok_or_else(|| {
        ApiError::internal(format!("project plan `{plan_name}` is not configured"))
    })?;
    let limit = allowance(plan);
    let month = month_of(now());
    ensure_row(tx, project, &month).await?;
    let done = sqlx::query(
        "UPDATE quota_usage SET core_s = core_s + $1, gpu_s = gpu_s + $2 \
         WHERE project_id = $3 AND month = $4 AND core_s + $1 <= $5 AND gpu_s + $2 <= $6",
    )
    .bind(need.core_s)
    .bind(need.gpu_s)
    .bind(project)
    .bind(&month)
    .bind(limit.core_s)
    .bind(limit.gpu_s)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(month);
    }
    let r =
        sqlx::query("SELECT core_s, gpu_s FROM quota_usage WHERE project_id = $1 AND month = $2")
            .bind(project)
            .bind(&month)
            .fetch_one(&mut **tx)
            .await?;
    let left_core = (limit.core_s - r.i("core_s")).max(0);
    let left_gpu = (limit.gpu_s - r.i("gpu_s")).max(0);
    st.metrics.quota_refusal();
    Err(ApiError::new(
        StatusCode::PAYMENT_REQUIRED,
        "quota_exceeded",
        format!(
            "this job needs {:.2} core-hours and {:.2} GPU-hours (ranks × walltime); \
             project plan `{plan_name}` has {:.2} core-hours and {:.2} GPU-hours left in {month}",
            hours(need.core_s),
            hours(need.gpu_s),
            hours(left_core),
            hours(left_gpu),
        ),
    )
    .with(serde_json::json!({
        "needed": {"core_hours": hours(need.core_s), "gpu_hours": hours(need.gpu_s)},
        "left": {"core_hours": hours(left_core), "gpu_hours": hours(left_gpu)},
        "month": month,
    })))
}

/// Move `delta` into (or out of) a month's committed usage inside `tx` (no limit check:
/// actual usage is what it is).
pub async fn adjust(
    tx: &mut sqlx::Transaction<'_, Any>,
    project: i64,
    month: &str,
    delta: Need,
) -> Result<(), sqlx::Error> {
    ensure_row(tx, project, month).await?;
    sqlx::query(
        "UPDATE quota_usage SET core_s = core_s + $1, gpu_s = gpu_s + $2 WHERE project_id = $3 AND month = $4",
    )
    .bind(delta.core_s)
    .bind(delta.gpu_s)
    .bind(project)
    .bind(month)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
