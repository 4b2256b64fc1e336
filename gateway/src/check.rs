//! `POST /api/v1/check`: a deck's diagnostics as `galvana check` gives them, seen from the
//! directory the job would run in. With `datasets` (and the `project` they belong to, under
//! the same rules as a submission) those files sit next to the deck, so a calibration's
//! dataset is found and its columns checked; without them a deck that names a file hears that
//! it is missing.

use crate::auth::{require, Caller, Role};
use crate::deckcheck;
use crate::error::{ApiError, ApiResult};
use crate::jobs::{job_datasets, project_by_ref};
use crate::quota::hours;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    pub deck: String,
    /// The project the job would be submitted to (name or id); needed with `datasets`.
    pub project: Option<Value>,
    /// Datasets of `project` the job would take (as `POST /jobs`).
    pub datasets: Option<Vec<i64>>,
}

/// Make `files` visible in `dir` under their names: hard links where the file system allows
/// (the check only reads them), else copies.
fn link_files(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("staging: {e}"))?;
    for (src, name) in files {
        let to = dir.join(name);
        if std::fs::hard_link(src, &to).is_err() {
            std::fs::copy(src, &to).map_err(|e| format!("dataset {name}: {e}"))?;
        }
    }
    Ok(())
}

/// Diagnostics of `text` with its files in `dir`, and the reservation a submit would make
/// (core- and GPU-seconds: ranks × walltime) when the deck is valid.
fn diagnose(text: &str, dir: &Path) -> (Vec<deckcheck::Problem>, Option<(i64, i64)>) {
    let mut p = deckcheck::check(text);
    let mut need = None;
    if !p.iter().any(|x| x.severity == "error") {
        match deckcheck::parse(text, Some(dir)) {
            Ok(d) => {
                let core = d.job.ranks as i64 * d.job.walltime_seconds as i64;
                need = Some((core, core * d.job.gpus_per_rank as i64));
            }
            Err(more) => p.extend(more),
        }
    }
    (p, need)
}

/// `POST /api/v1/check`
pub async fn check(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Json(b): Json<CheckBody>,
) -> ApiResult<Json<Value>> {
    if b.deck.len() > st.config.max_deck_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "deck too large",
        ));
    }
    let ids = b.datasets.unwrap_or_default();
    let files = match &b.project {
        Some(r) => {
            let (project, _, _) = project_by_ref(&st, &c, r).await?;
            require(&st, &c, project, Role::Member, "project").await?;
            job_datasets(&st, project, &ids).await?
        }
        None if ids.is_empty() => Vec::new(),
        None => {
            return Err(ApiError::bad_request(
                "`datasets` belong to a project: give `project` too",
            ))
        }
    };
    let staging = st
        .config
        .data_dir
        .join("staging")
        .join(crate::auth::new_secret("check-"));
    let text = b.deck;
    let outcome = tokio::task::spawn_blocking(move || {
        let r = link_files(&staging, &files).map(|()| diagnose(&text, &staging));
        let _ = std::fs::remove_dir_all(&staging);
        r
    })
    .await
    .map_err(ApiError::internal)?;
    let (problems, need) = outcome.map_err(ApiError::internal)?;
    let ok = !problems.iter().any(|p| p.severity == "error");
    let cost = match need.filter(|_| ok) {
        Some((core, gpu)) => json!({
            "core_hours": hours(core),
            "gpu_hours": hours(gpu),
            "credits": st.config.prices.amount_micro(core, gpu) as f64 / 1e6,
        }),
        None => Value::Null,
    };
    Ok(Json(
        json!({"ok": ok, "diagnostics": problems, "cost": cost}),
    ))
}
