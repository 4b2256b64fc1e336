//! Jobs: submit a deck (checked, quota reserved, sent to the scheduler), list, show, cancel.
//!
//! A job's directory is `DATA/projects/<project>/jobs/<id>/`: the deck (`deck.toml`, and
//! `sweep.toml` for sweeps) and the scheduler's job directory `job/` (script, output, campaign,
//! and the engine's `run/` or `task-NNN/`). Everything the files API serves comes from there.

use crate::auth::{require, Caller, Role};
use crate::db::{now, rfc3339, RowExt};
use crate::deckcheck;
use crate::error::{ApiError, ApiResult};
use crate::ledger::{self, Kind, NewEntry};
use crate::quota::{self, hours, Need};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use galvana_scheduler::{Campaign, SubmitOptions};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// States in which a job still runs or waits (the poller follows these).
pub const ACTIVE: [&str; 4] = ["submitting", "pending", "running", "requeued"];

pub fn is_active(state: &str) -> bool {
    ACTIVE.contains(&state)
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// Project name or id.
    pub project: Value,
    /// The deck text.
    pub deck: String,
    /// A sweep file over this deck (its `deck` key is set to the submitted deck).
    pub sweep: Option<String>,
    pub name: Option<String>,
    /// Campaign limits (see the scheduler): most segments, most failures in a row.
    pub max_segments: Option<u32>,
    pub max_failures: Option<u32>,
    /// Datasets of the same project to place next to the deck under their file names (a
    /// calibration deck or a drive-cycle step names them as files relative to the deck).
    pub datasets: Option<Vec<i64>>,
}

/// Most datasets one job may take.
const MAX_JOB_DATASETS: usize = 16;

/// The original files of `ids` (all in `project`; 404 otherwise), as (path, file name).
pub(crate) async fn job_datasets(
    st: &AppState,
    project: i64,
    ids: &[i64],
) -> ApiResult<Vec<(PathBuf, String)>> {
    if ids.len() > MAX_JOB_DATASETS {
        return Err(ApiError::bad_request(format!(
            "a job takes at most {MAX_JOB_DATASETS} datasets"
        )));
    }
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    for &id in ids {
        let row = sqlx::query("SELECT name, dir FROM datasets WHERE id = $1 AND project_id = $2")
            .bind(id)
            .bind(project)
            .fetch_optional(&st.db)
            .await?
            .ok_or_else(|| ApiError::not_found(&format!("dataset {id} in this project")))?;
        let name = row.s("name");
        if ["deck.toml", "sweep.toml", "job", "checkpoints"].contains(&name.as_str())
            || out.iter().any(|(_, n)| *n == name)
        {
            return Err(ApiError::bad_request(format!(
                "dataset {id}: its name `{name}` clashes with another file of the job directory"
            )));
        }
        out.push((
            PathBuf::from(row.s("dir")).join("original").join(&name),
            name,
        ));
    }
    Ok(out)
}

/// Find a project by name or id; 404 unless the caller is in it.
pub async fn project_by_ref(
    st: &AppState,
    c: &Caller,
    r: &Value,
) -> ApiResult<(i64, String, String)> {
    let row = match r {
        Value::Number(n) => {
            sqlx::query("SELECT id, name, plan FROM projects WHERE id = $1")
                .bind(n.as_i64().unwrap_or(-1))
                .fetch_optional(&st.db)
                .await?
        }
        Value::String(s) => {
            sqlx::query("SELECT id, name, plan FROM projects WHERE name = $1")
                .bind(s)
                .fetch_optional(&st.db)
                .await?
        }
        _ => {
            return Err(ApiError::bad_request(
                "`project` must be a project name or id",
            ))
        }
    };
    let Some(row) = row else {
        return Err(ApiError::not_found("project"));
    };
    let id = row.i("id");
    if crate::auth::role_in(st, c, id).await?.is_none() {
        return Err(ApiError::not_found("project"));
    }
    Ok((id, row.s("name"), row.s("plan")))
}

fn problem(message: String) -> deckcheck::Problem {
    deckcheck::Problem {
        severity: "error",
        line: 1,
        col: 1,
        message,
        help: None,
    }
}

fn invalid(problems: Vec<deckcheck::Problem>, what: &str) -> ApiError {
    let first = problems
        .iter()
        .find(|p| p.severity == "error")
        .map(|p| format!("{what}:{}:{}: {}", p.line, p.col, p.message))
        .unwrap_or_else(|| format!("{what} is invalid"));
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_deck", first)
        .with(json!({ "diagnostics": problems }))
}

/// What the portal and lists show: the given name, else the deck's title (its first comment
/// line), else `deck`.
pub fn display_name(body: &SubmitBody) -> String {
    let n = body.name.clone().unwrap_or_else(|| {
        body.deck
            .lines()
            .next()
            .and_then(|l| l.strip_prefix('#'))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "deck".into())
    });
    n.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// A Slurm job name from a display name: `galvana-` and lower-case words joined by `-`.
pub fn scheduler_name(display: &str) -> String {
    let slug: String = display
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug: String = slug.chars().take(40).collect();
    format!("galvana-{}", slug.trim_end_matches('-'))
}

fn submit_options(st: &AppState, body: &SubmitBody, workdir: PathBuf) -> SubmitOptions {
    let mut o = SubmitOptions {
        backend: st.backend,
        workdir: Some(workdir),
        galvana: st.config.galvana_bin.clone(),
        name: Some(scheduler_name(&display_name(body))),
        ..SubmitOptions::default()
    };
    if let Some(m) = body.max_segments {
        o.max_segments = m.clamp(1, 1000);
    }
    if let Some(m) = body.max_failures {
        o.max_failures = m.clamp(1, 100);
    }
    o
}

/// Write the deck (and sweep) into `dir` and build the submission there (nothing submitted).
/// Copy datasets into a job directory (copies, not links: a run must not be able to change
/// the project's stored original).
fn place_files(dir: &std::path::Path, files: &[(PathBuf, String)]) -> Result<(), String> {
    for (src, name) in files {
        let to = dir.join(name);
        let _ = std::fs::remove_file(&to);
        std::fs::copy(src, &to).map_err(|e| format!("dataset {name}: {e}"))?;
    }
    Ok(())
}

fn stage(
    dir: &std::path::Path,
    body: &SubmitBody,
    opts: &SubmitOptions,
    files: &[(PathBuf, String)],
) -> Result<galvana_scheduler::Prepared, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("deck.toml"), &body.deck).map_err(|e| e.to_string())?;
    place_files(dir, files)?;
    let entry = match &body.sweep {
        Some(s) => {
            let mut doc: toml_edit::DocumentMut = s.parse().map_err(|e| format!("sweep: {e}"))?;
            doc["deck"] = toml_edit::value("deck.toml");
            std::fs::write(dir.join("sweep.toml"), doc.to_string()).map_err(|e| e.to_string())?;
            dir.join("sweep.toml")
        }
        None => dir.join("deck.toml"),
    };
    galvana_scheduler::prepare(&entry, opts).map_err(|e| {
        // Messages name server paths; show them relative to the job directory.
        e.to_string().replace(&format!("{}/", dir.display()), "")
    })
}

/// `POST /api/v1/jobs`
pub async fn submit(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Json(body): Json<SubmitBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    submit_with(st, c, body, None, Vec::new()).await
}

/// Submit `body`; with `seed`, that checkpoint file becomes the `latest` checkpoint of the new
/// job's checkpoint directory (`checkpoints/`, which the deck must name), so its first segment
/// runs with `--restart latest`.
async fn submit_with(
    st: Arc<AppState>,
    c: Caller,
    body: SubmitBody,
    seed: Option<PathBuf>,
    extra_files: Vec<(PathBuf, String)>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if body.deck.len() > st.config.max_deck_bytes
        || body
            .sweep
            .as_ref()
            .is_some_and(|s| s.len() > st.config.max_deck_bytes)
    {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("decks are limited to {} bytes", st.config.max_deck_bytes),
        ));
    }
    let (project, _pname, plan) = project_by_ref(&st, &c, &body.project).await?;
    require(&st, &c, project, Role::Member, "project").await?;
    let mut files = job_datasets(&st, project, body.datasets.as_deref().unwrap_or(&[])).await?;
    files.extend(extra_files);
    // Files the deck names (datasets) are checked where the job will see them.
    let staging = st
        .config
        .data_dir
        .join("staging")
        .join(crate::auth::new_secret(""));
    let checked = {
        let (dir, f, text) = (staging.clone(), files.clone(), body.deck.clone());
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| vec![problem(e.to_string())])?;
            place_files(&dir, &f).map_err(|e| vec![problem(e)])?;
            let r = deckcheck::parse(&text, Some(&dir));
            if r.is_err() {
                let _ = std::fs::remove_dir_all(&dir);
            }
            r
        })
        .await
        .map_err(ApiError::internal)?
    };
    let deck = checked.map_err(|p| invalid(p, "deck.toml"))?;
    if deck.job.walltime_seconds == 0 {
        return Err(invalid(
            vec![deckcheck::Problem {
                severity: "error",
                line: deck.span_of(&["job", "walltime"]).line,
                col: deck.span_of(&["job", "walltime"]).col,
                message: "[job] walltime is invalid".into(),
                help: Some("write \"HH:MM:SS\" or \"D-HH:MM:SS\"".into()),
            }],
            "deck.toml",
        ));
    }
    // Stage once to validate the whole submission (sweep tasks included) before reserving.
    let staged = {
        let (dir, b, f) = (staging.clone(), body.clone(), files.clone());
        let opts = submit_options(&st, &body, staging.join("job"));
        tokio::task::spawn_blocking(move || {
            let r = stage(&dir, &b, &opts, &f);
            let _ = std::fs::remove_dir_all(&dir);
            r
        })
        .await
        .map_err(ApiError::internal)?
    };
    let prepared = staged
        .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_submission", m))?;
    let tasks = prepared.campaign.tasks.len().max(1) as i64;
    let ntasks = prepared.spec.ntasks as i64;
    let gpus = (prepared.spec.ntasks * prepared.spec.gpus_per_task) as i64;
    let walltime = prepared.spec.time_limit_s as i64;
    let need = Need {
        core_s: ntasks * walltime * tasks,
        gpu_s: gpus * walltime * tasks,
    };
    let kind = if body.sweep.is_some() { "sweep" } else { "run" };
    let name = display_name(&body);
    let submitted_at = now();

    // Reserve and record the job in one transaction.
    let mut tx = st.db.begin().await?;
    let month = quota::reserve(&st, &mut tx, project, &plan, need).await?;
    let row = sqlx::query(
        "INSERT INTO jobs (project_id, user_id, name, kind, backend, dir, state, ntasks, gpus, array_tasks, walltime_s, \
         reserved_core_s, reserved_gpu_s, reservation_month, deck_hash, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, '', 'submitting', $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(project)
    .bind(c.user_id)
    .bind(&name)
    .bind(kind)
    .bind(st.backend.name())
    .bind(ntasks)
    .bind(gpus)
    .bind(tasks)
    .bind(walltime)
    .bind(need.core_s)
    .bind(need.gpu_s)
    .bind(&month)
    .bind(deck.hash())
    .bind(submitted_at)
    .fetch_one(&mut *tx)
    .await?;
    let id = row.i("id");
    let dir = st
        .config
        .project_dir(project)
        .join("jobs")
        .join(id.to_string());
    sqlx::query("UPDATE jobs SET dir = $1 WHERE id = $2")
        .bind(dir.display().to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    ledger::append(
        &mut tx,
        NewEntry {
            project,
            job: Some(id),
            kind: Kind::Reservation,
            month: &month,
            usage: need,
            amount_micro: st.config.prices.amount_micro(need.core_s, need.gpu_s),
            source_key: Some(format!("reserve:{id}")),
            note: format!(
                "{} × {} ranks × {} s{}",
                tasks,
                ntasks,
                walltime,
                if gpus > 0 {
                    format!(", {gpus} GPUs")
                } else {
                    String::new()
                }
            ),
        },
    )
    .await?;
    tx.commit().await?;

    // Write the job directory and hand it to the scheduler.
    let opts = submit_options(&st, &body, dir.join("job"));
    let b = body.clone();
    let d = dir.clone();
    let backend = st.backend;
    let outcome = tokio::task::spawn_blocking(move || -> Result<Campaign, String> {
        if let Some(src) = &seed {
            seed_checkpoint(&d.join("checkpoints"), src)?;
        }
        let prepared = stage(&d, &b, &opts, &files)?;
        let be = galvana_scheduler::open_backend(backend).map_err(|e| e.to_string())?;
        galvana_scheduler::submit(prepared, be.as_ref()).map_err(|e| e.to_string())
    })
    .await
    .map_err(ApiError::internal)?;
    match outcome {
        Ok(camp) => {
            sqlx::query("UPDATE jobs SET state = 'pending', scheduler_id = $1, campaign_id = $2 WHERE id = $3 AND state = 'submitting'")
                .bind(&camp.job_id)
                .bind(&camp.id)
                .bind(id)
                .execute(&st.db)
                .await?;
            st.metrics.job_submitted();
            st.poke_poller();
            let j = get_job(&st, id).await?;
            Ok((StatusCode::CREATED, Json(j)))
        }
        Err(msg) => {
            sqlx::query(
                "UPDATE jobs SET state = 'submit_failed', reason = $1, ended_at = $2 WHERE id = $3",
            )
            .bind(&msg)
            .bind(now())
            .bind(id)
            .execute(&st.db)
            .await?;
            ledger::settle(&st, id, &[], true).await?;
            Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                "scheduler_refused",
                format!("the scheduler did not take the job: {msg}"),
            )
            .with(json!({"job": id})))
        }
    }
}

const JOB_COLS: &str = "j.id, j.project_id, p.name AS project, u.name AS owner, j.name, j.kind, j.backend, j.scheduler_id, \
    j.campaign_id, j.dir, j.state, j.reason, j.ntasks, j.gpus, j.array_tasks, j.walltime_s, j.reserved_core_s, \
    j.reserved_gpu_s, j.submitted_at, j.started_at, j.ended_at, j.settled_at";

fn job_json(r: &sqlx::any::AnyRow) -> Value {
    let t = |c: &str| r.oi(c).map(rfc3339);
    json!({
        "id": r.i("id"),
        "project_id": r.i("project_id"),
        "project": r.s("project"),
        "user": r.s("owner"),
        "name": r.s("name"),
        "kind": r.s("kind"),
        "backend": r.s("backend"),
        "scheduler_id": r.os("scheduler_id"),
        "campaign_id": r.os("campaign_id"),
        "state": r.s("state"),
        "active": is_active(&r.s("state")),
        "reason": r.os("reason"),
        "ranks": r.i("ntasks"),
        "gpus": r.i("gpus"),
        "array_tasks": r.i("array_tasks"),
        "walltime_s": r.i("walltime_s"),
        "reserved": {"core_hours": hours(r.i("reserved_core_s")), "gpu_hours": hours(r.i("reserved_gpu_s"))},
        "submitted_at": rfc3339(r.i("submitted_at")),
        "started_at": t("started_at"),
        "ended_at": t("ended_at"),
        "settled": r.oi("settled_at").is_some(),
    })
}

/// The job row (with project and user names), or 404.
async fn job_row(st: &AppState, id: i64) -> ApiResult<sqlx::any::AnyRow> {
    sqlx::query(&format!(
        "SELECT {JOB_COLS} FROM jobs j JOIN projects p ON p.id = j.project_id JOIN users u ON u.id = j.user_id WHERE j.id = $1"
    ))
    .bind(id)
    .fetch_optional(&st.db)
    .await?
    .ok_or_else(|| ApiError::not_found("job"))
}

/// A job as JSON, without access checks.
pub async fn get_job(st: &AppState, id: i64) -> ApiResult<Value> {
    Ok(job_json(&job_row(st, id).await?))
}

/// The job's project and directory, after checking the caller may see it (`need`).
pub async fn job_access(
    st: &AppState,
    c: &Caller,
    id: i64,
    need: Role,
) -> ApiResult<(i64, PathBuf, sqlx::any::AnyRow)> {
    let r = job_row(st, id).await?;
    require(st, c, r.i("project_id"), need, "job").await?;
    Ok((r.i("project_id"), PathBuf::from(r.s("dir")), r))
}

/// The run directory (relative to the job directory) whose residual stream a request means:
/// the single run, or sweep task `task` (default 0).
pub fn run_subdir(row: &sqlx::any::AnyRow, task: Option<u32>) -> String {
    if row.s("kind") == "sweep" {
        format!("job/task-{:03}", task.unwrap_or(0))
    } else {
        "job/run".to_string()
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    pub project: Option<String>,
    pub state: Option<String>,
    pub kind: Option<String>,
    pub limit: Option<i64>,
    /// Jobs with ids below this (paging, newest first).
    pub before: Option<i64>,
}

/// `GET /api/v1/jobs`: the caller's projects' jobs, newest first.
pub async fn list(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = sqlx::query(&format!(
        "SELECT {JOB_COLS} FROM jobs j JOIN projects p ON p.id = j.project_id JOIN users u ON u.id = j.user_id \
         WHERE ($1 = 1 OR j.project_id IN (SELECT project_id FROM memberships WHERE user_id = $2)) \
         AND ($3 = '' OR p.name = $3) AND ($4 = '' OR j.state = $4) AND ($5 = '' OR j.kind = $5) AND j.id < $6 \
         ORDER BY j.id DESC LIMIT $7"
    ))
    .bind(c.is_admin as i64)
    .bind(c.user_id)
    .bind(q.project.clone().unwrap_or_default())
    .bind(q.state.clone().unwrap_or_default())
    .bind(q.kind.clone().unwrap_or_default())
    .bind(q.before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&st.db)
    .await?;
    let jobs: Vec<Value> = rows.iter().map(job_json).collect();
    Ok(Json(json!({ "jobs": jobs })))
}

/// Paths under the job directory, relative (never show server paths).
fn rel(dir: &std::path::Path, p: &std::path::Path) -> String {
    p.strip_prefix(dir).unwrap_or(p).display().to_string()
}

/// The campaign of a job as JSON (paths relative to the job directory), if written yet.
pub fn campaign_json(dir: &std::path::Path) -> Option<Value> {
    let c = Campaign::load(&dir.join("job")).ok()?;
    let end = c.end_time;
    let tasks: Vec<Value> = c
        .tasks
        .iter()
        .map(|t| {
            let end = t.end_time.or(end);
            let progress = match (t.sim_time, end) {
                (Some(x), Some(e)) if e > 0.0 => Some((x / e).clamp(0.0, 1.0)),
                _ => None,
            };
            json!({
                "task": t.task,
                "scheduler_id": t.job_id,
                "status": t.status.name(),
                "reason": t.reason,
                "scheduler_state": t.scheduler_state.as_ref().map(|s| s.name().to_string()),
                "params": t.params,
                "output": rel(dir, &t.output),
                "segments": t.segments,
                "restarts": t.restarts,
                "failures": t.failures,
                "sim_time": t.sim_time,
                "end_time": end,
                "progress": progress,
                "engine_status": t.engine_status,
            })
        })
        .collect();
    Some(json!({
        "id": c.id,
        "status": c.status.name(),
        "reason": c.reason,
        "submissions": c.submissions,
        "max_segments": c.max_segments,
        "max_failures": c.max_failures,
        "tasks": tasks,
    }))
}

/// `GET /api/v1/jobs/{id}`: the job and its campaign.
pub async fn get(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (_, dir, r) = job_access(&st, &c, id, Role::Viewer).await?;
    let mut j = job_json(&r);
    let camp = tokio::task::spawn_blocking(move || campaign_json(&dir))
        .await
        .map_err(ApiError::internal)?;
    j["campaign"] = camp.unwrap_or(Value::Null);
    Ok(Json(j))
}

/// `POST /api/v1/jobs/{id}/cancel`
pub async fn cancel(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (_, _, r) = job_access(&st, &c, id, Role::Member).await?;
    let state = r.s("state");
    if !is_active(&state) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_active",
            format!("job {id} has already ended ({state})"),
        ));
    }
    let Some(sid) = r.os("scheduler_id") else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_submitted",
            "the job is still being submitted; try again in a moment",
        ));
    };
    let backend = st.backend;
    tokio::task::spawn_blocking(move || {
        galvana_scheduler::open_backend(backend).and_then(|b| b.cancel(&sid))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "scheduler_error", e.to_string()))?;
    st.poke_poller();
    Ok((StatusCode::ACCEPTED, Json(get_job(&st, id).await?)))
}

/// Put `src` into `dir` as its `latest` checkpoint (a hard link where possible, else a copy).
fn seed_checkpoint(dir: &std::path::Path, src: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let name = src.file_name().ok_or("bad checkpoint name")?;
    let dst = dir.join(name);
    if std::fs::hard_link(src, &dst).is_err() {
        std::fs::copy(src, &dst).map_err(|e| format!("copy checkpoint: {e}"))?;
    }
    std::fs::write(dir.join("latest"), format!("{}\n", name.to_string_lossy()))
        .map_err(|e| e.to_string())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartBody {
    /// A checkpoint file of the job, as listed by `GET /jobs/{id}/checkpoints`.
    pub checkpoint: String,
}

/// `POST /api/v1/jobs/{id}/restart`: a new job in the same project that continues from one of
/// this job's checkpoints (the same deck, its checkpoint directory set to the new job's).
pub async fn restart(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // Access first: callers outside the project learn nothing, not even about the body.
    let (project, dir, row) = job_access(&st, &c, id, Role::Member).await?;
    let b: RestartBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!("body: {e} (expected {{\"checkpoint\": PATH}})"))
    })?;
    if row.s("kind") != "run" {
        return Err(ApiError::bad_request(
            "only single runs restart from a checkpoint; sweeps resume per task",
        ));
    }
    let rel = b.checkpoint.clone();
    let (src, deck) = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let src = crate::files::confine(&dir, &rel).filter(|p| {
                p.extension().is_some_and(|e| e == "h5") && rel.contains("checkpoints/")
            });
            let deck = std::fs::read_to_string(dir.join("deck.toml")).ok();
            (src, deck)
        })
        .await
        .map_err(ApiError::internal)?
    };
    let src = src.ok_or_else(|| ApiError::not_found("checkpoint"))?;
    let deck = deck.ok_or_else(|| ApiError::not_found("deck of the job"))?;
    let mut doc: toml_edit::DocumentMut = deck
        .parse()
        .map_err(|e| ApiError::internal(format!("deck.toml: {e}")))?;
    if !doc.contains_key("checkpoint") {
        doc["checkpoint"] = toml_edit::table();
    }
    doc["checkpoint"]["directory"] = toml_edit::value("checkpoints");
    let body = SubmitBody {
        project: Value::from(project),
        deck: doc.to_string(),
        sweep: None,
        name: Some(format!("restart of job {id}: {}", row.s("name"))),
        max_segments: None,
        max_failures: None,
        datasets: None,
    };
    // The datasets the job was given sit next to its deck: the restart takes them too.
    let files: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let n = e.file_name().to_str()?.to_string();
                    (n != "deck.toml" && n != "sweep.toml").then(|| (e.path(), n))
                })
                .collect()
        })
        .unwrap_or_default();
    submit_with(st, c, body, Some(src), files).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let b = SubmitBody {
            project: Value::Null,
            deck: "# Cryogenic thermal link cooldown (transient)\n[mesh]\n".into(),
            sweep: None,
            name: None,
            max_segments: None,
            max_failures: None,
            datasets: None,
        };
        assert_eq!(
            display_name(&b),
            "Cryogenic thermal link cooldown (transient)"
        );
        assert_eq!(
            scheduler_name(&display_name(&b)),
            "galvana-cryogenic-thermal-link-cooldown-transien"
        );
        assert_eq!(scheduler_name("x; rm -rf /"), "galvana-x-rm-rf");
    }
}
