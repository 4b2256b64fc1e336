//! The background loop: follows active jobs in the scheduler, records state changes, and
//! imports accounting into the ledger (charges per finished run, then the release of the
//! job's reservation once its accounting is complete).

use crate::db::{now, RowExt};
use crate::error::{ApiError, ApiResult};
use crate::jobs::is_active;
use crate::ledger::{self, AcctRecord};
use crate::AppState;
use galvana_scheduler::{Campaign, Usage};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Accounting that has not appeared this long after a job ended is given up on: the
/// reservation is released and charges arrive whenever the records do.
pub const ACCOUNTING_GRACE_S: i64 = 600;

pub async fn run(st: Arc<AppState>) {
    let every = Duration::from_secs_f64(st.config.poll_interval_s);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = st.poke.notified() => {}
        }
        if let Err(e) = poll_once(&st).await {
            eprintln!("galvana-gateway: poll: {}", e.message);
        }
    }
}

struct Seen {
    status: Option<(String, Option<String>)>,
    usage: Option<Vec<Usage>>,
    segments: usize,
}

/// Refresh the campaign (when `refresh`) and read accounting, unless the job is still active
/// and has finished no segment since the last look (`segments_before`): accounting queries
/// (`sacct`, slurmdbd) are the expensive part of a poll.
fn look(
    backend: galvana_scheduler::BackendKind,
    dir: PathBuf,
    refresh: bool,
    segments_before: Option<usize>,
) -> Result<Seen, String> {
    let be = galvana_scheduler::open_backend(backend).map_err(|e| e.to_string())?;
    let mut c = Campaign::load(&dir.join("job")).map_err(|e| e.to_string())?;
    let status = if refresh {
        c.refresh(be.as_ref()).map_err(|e| e.to_string())?;
        Some((c.status.name().to_string(), c.reason.clone()))
    } else {
        None
    };
    let segments = c.tasks.iter().map(|t| t.segments.len()).sum();
    let unchanged = c.status.is_active() && segments_before == Some(segments);
    // Accounting may lag the job (slurmdbd); a failure here is retried on the next poll.
    let usage = if unchanged {
        None
    } else {
        c.usage(be.as_ref()).ok()
    };
    Ok(Seen {
        status,
        usage,
        segments,
    })
}

/// One pass over the jobs that are active or not yet settled.
pub async fn poll_once(st: &Arc<AppState>) -> ApiResult<()> {
    let rows = sqlx::query(
        "SELECT id, dir, state, ended_at, backend FROM jobs \
         WHERE state IN ('pending', 'running', 'requeued') OR (settled_at IS NULL AND state <> 'submitting') ORDER BY id",
    )
    .fetch_all(&st.db)
    .await?;
    for r in rows {
        let id = r.i("id");
        if let Err(e) = follow(
            st,
            id,
            PathBuf::from(r.s("dir")),
            &r.s("state"),
            r.oi("ended_at"),
            false,
        )
        .await
        {
            eprintln!("galvana-gateway: job {id}: {}", e.message);
        }
    }
    Ok(())
}

/// Re-import accounting for every ended job (what `galvana-gateway import-accounting` runs).
/// Idempotent: records already charged are skipped. Returns the number of new charges.
pub async fn import_all(st: &Arc<AppState>) -> ApiResult<usize> {
    let rows = sqlx::query(
        "SELECT id, dir, state, ended_at FROM jobs WHERE ended_at IS NOT NULL ORDER BY id",
    )
    .fetch_all(&st.db)
    .await?;
    let mut n = 0;
    for r in rows {
        n += follow(
            st,
            r.i("id"),
            PathBuf::from(r.s("dir")),
            &r.s("state"),
            r.oi("ended_at"),
            true,
        )
        .await?;
    }
    Ok(n)
}

async fn follow(
    st: &Arc<AppState>,
    id: i64,
    dir: PathBuf,
    state: &str,
    ended_at: Option<i64>,
    force_import: bool,
) -> ApiResult<usize> {
    if state == "submit_failed" {
        return ledger::settle(st, id, &[], true).await;
    }
    let active = is_active(state);
    let backend = st.backend;
    let before = st.segments_seen.lock().unwrap().get(&id).copied();
    let seen = tokio::task::spawn_blocking(move || look(backend, dir, active, before))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    if seen.usage.is_some() {
        st.segments_seen.lock().unwrap().insert(id, seen.segments);
    }
    let t = now();
    let mut ended_at = ended_at;
    if let Some((new, reason)) = &seen.status {
        if new != state {
            if !is_active(new) && ended_at.is_none() {
                ended_at = Some(t);
            }
            sqlx::query(
                "UPDATE jobs SET state = $1, reason = $2, \
                 started_at = CASE WHEN started_at IS NULL AND $3 = 1 THEN $4 ELSE started_at END, \
                 ended_at = CASE WHEN ended_at IS NULL AND $5 = 1 THEN $4 ELSE ended_at END WHERE id = $6",
            )
            .bind(new)
            .bind(reason)
            .bind((new == "running" || !is_active(new)) as i64)
            .bind(t)
            .bind((!is_active(new)) as i64)
            .bind(id)
            .execute(&st.db)
            .await?;
        }
    }
    let state_now = seen.status.as_ref().map(|s| s.0.as_str()).unwrap_or(state);
    let ended = !is_active(state_now);
    let usage = seen.usage.unwrap_or_default();
    let records: Vec<AcctRecord> = usage.iter().filter_map(AcctRecord::from_usage).collect();
    let complete = ended && !usage.is_empty() && records.len() == usage.len();
    let overdue = ended && ended_at.is_some_and(|e| t - e > ACCOUNTING_GRACE_S);
    let release = complete || overdue;
    if records.is_empty() && !release && !force_import {
        return Ok(0);
    }
    let new = ledger::settle(st, id, &records, release).await?;
    if release {
        st.segments_seen.lock().unwrap().remove(&id);
    }
    if new > 0 || release {
        st.metrics
            .imported(new, ended_at.filter(|_| release).map(|e| t - e));
    }
    Ok(new)
}
