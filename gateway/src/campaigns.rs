//! Campaigns (a job's segments, restarts and reasons) and sweeps (array tasks with their
//! parameters and outcome metrics).

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::jobs::{self, campaign_json, job_access, ListQuery};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The last row of a task's `monitors.csv` as `{column: value}`: the outcome of a sweep task.
pub fn last_monitors(path: &std::path::Path) -> Option<Map<String, Value>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<&str> = lines.next()?.split(',').map(str::trim).collect();
    let last = lines.next_back()?;
    let mut m = Map::new();
    for (k, v) in header.iter().zip(last.split(',')) {
        let v = v.trim();
        m.insert(
            k.to_string(),
            v.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(v.to_string())),
        );
    }
    Some(m)
}

async fn by_kind(
    st: Arc<AppState>,
    c: Caller,
    mut q: ListQuery,
    kind: &str,
) -> ApiResult<Json<Value>> {
    q.kind = Some(kind.to_string());
    let Json(v) = jobs::list(State(st), c, Query(q)).await?;
    Ok(Json(v))
}

/// `GET /api/v1/campaigns`: single-deck jobs (every one is a campaign of one or more segments).
pub async fn list(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    by_kind(st, c, q, "run").await
}

/// `GET /api/v1/campaigns/{id}` (the job id): segments with restarts and reasons.
pub async fn get(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (_, dir, _) = job_access(&st, &c, id, Role::Viewer).await?;
    let v = tokio::task::spawn_blocking(move || campaign_json(&dir))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("campaign (the job has not been submitted yet)"))?;
    Ok(Json(json!({"job": id, "campaign": v})))
}

/// `GET /api/v1/sweeps`
pub async fn sweeps(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    by_kind(st, c, q, "sweep").await
}

/// `GET /api/v1/sweeps/{id}`: one row per task with parameters, state and final monitors.
pub async fn sweep(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (_, dir, row) = job_access(&st, &c, id, Role::Viewer).await?;
    use crate::db::RowExt;
    if row.s("kind") != "sweep" {
        return Err(ApiError::not_found("sweep"));
    }
    let v = tokio::task::spawn_blocking(move || {
        let mut c = campaign_json(&dir)?;
        if let Some(tasks) = c["tasks"].as_array_mut() {
            for t in tasks {
                let out = dir.join(t["output"].as_str().unwrap_or(""));
                t["outcome"] = last_monitors(&out.join("monitors.csv"))
                    .map(Value::Object)
                    .unwrap_or(Value::Null);
            }
        }
        Some(c)
    })
    .await
    .map_err(ApiError::internal)?
    .ok_or_else(|| ApiError::not_found("sweep"))?;
    Ok(Json(json!({"job": id, "sweep": v})))
}

#[cfg(test)]
mod tests {
    #[test]
    fn last_row_of_monitors() {
        let d = std::env::temp_dir().join(format!("gw-mon-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join("monitors.csv");
        std::fs::write(&p, "time_s,T_max_K,note\n0,300,a\n10,250.5,b\n").unwrap();
        let m = super::last_monitors(&p).unwrap();
        assert_eq!(m["time_s"], 10.0);
        assert_eq!(m["T_max_K"], 250.5);
        assert_eq!(m["note"], "b");
        let _ = std::fs::remove_dir_all(&d);
    }
}
