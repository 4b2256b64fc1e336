//! Live residuals: `GET /api/v1/jobs/{id}/residuals` as Server-Sent Events tailing the run's
//! `residuals.jsonl`.
//!
//! Each subscriber tails the file on its own, so subscribers share nothing: a slow client only
//! falls behind itself, and the engine (which just appends to a file) never waits for anyone.
//! Event ids are the stream's `seq`; a reconnecting client sends `Last-Event-ID` and gets the
//! events after it. The stream ends with an `end` event carrying the job's final state once the
//! job has ended and the file is drained (a requeued campaign keeps one stream across segments).

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::jobs::{is_active, job_access};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use serde::Deserialize;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

const POLL: Duration = Duration::from_millis(200);
const STATE_EVERY: Duration = Duration::from_millis(1000);
const CHUNK: usize = 64 * 1024;

#[derive(Deserialize)]
pub struct StreamQuery {
    /// Sweep task index (default: the single run, or task 0).
    pub task: Option<u32>,
    /// Same as the `Last-Event-ID` header (for clients that cannot set headers).
    pub last_event_id: Option<i64>,
}

/// Counts this stream among the active ones while it lives.
struct Live(Arc<AppState>);
impl Drop for Live {
    fn drop(&mut self) {
        self.0.metrics.stream_closed();
    }
}

struct Tail {
    _live: Live,
    st: Arc<AppState>,
    job: i64,
    path: PathBuf,
    file: Option<tokio::fs::File>,
    pos: u64,
    partial: Vec<u8>,
    last_seq: i64,
    queue: VecDeque<Event>,
    last_state: Instant,
    ending: bool,
    done: bool,
}

impl Tail {
    /// Read what has been appended since the last call; queue its complete lines as events.
    async fn read_more(&mut self) -> bool {
        if self.file.is_none() {
            self.file = tokio::fs::File::open(&self.path).await.ok();
            self.pos = 0;
            self.partial.clear();
        }
        let Some(f) = self.file.as_mut() else {
            return false;
        };
        let len = f.metadata().await.map(|m| m.len()).unwrap_or(0);
        if len < self.pos {
            // Replaced by a new file: start over; seq filtering drops what was sent.
            self.pos = 0;
            self.partial.clear();
        }
        if len == self.pos {
            return false;
        }
        if f.seek(std::io::SeekFrom::Start(self.pos)).await.is_err() {
            return false;
        }
        let mut buf = vec![0u8; CHUNK.min((len - self.pos) as usize)];
        let n = f.read(&mut buf).await.unwrap_or(0);
        self.pos += n as u64;
        self.partial.extend_from_slice(&buf[..n]);
        let mut any = false;
        while let Some(nl) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=nl).collect();
            let text = String::from_utf8_lossy(&line[..line.len() - 1])
                .trim()
                .to_string();
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            let seq = v
                .get("seq")
                .and_then(|s| s.as_i64())
                .unwrap_or(self.last_seq + 1);
            if seq <= self.last_seq {
                continue;
            }
            self.last_seq = seq;
            let kind = v
                .get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("message")
                .to_string();
            self.queue
                .push_back(Event::default().id(seq.to_string()).event(kind).data(text));
            any = true;
        }
        any || n > 0
    }

    async fn job_state(&self) -> Option<(String, Option<String>)> {
        let r = sqlx::query("SELECT state, reason FROM jobs WHERE id = $1")
            .bind(self.job)
            .fetch_optional(&self.st.db)
            .await
            .ok()??;
        use crate::db::RowExt;
        Some((r.s("state"), r.os("reason")))
    }

    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Some(e);
            }
            if self.done {
                return None;
            }
            if self.read_more().await {
                continue;
            }
            if self.ending {
                // Drained after the job ended: say how it ended and close.
                let (state, reason) = self.job_state().await.unwrap_or(("unknown".into(), None));
                self.done = true;
                let data = serde_json::json!({"state": state, "reason": reason, "last_seq": self.last_seq});
                return Some(Event::default().event("end").data(data.to_string()));
            }
            if self.last_state.elapsed() >= STATE_EVERY {
                self.last_state = Instant::now();
                match self.job_state().await {
                    Some((s, _)) if !is_active(&s) => {
                        // One more read picks up lines written just before the end.
                        self.ending = true;
                        continue;
                    }
                    None => {
                        self.done = true;
                        continue;
                    }
                    _ => {}
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// `GET /api/v1/jobs/{id}/residuals`
pub async fn residuals(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
    Query(q): Query<StreamQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>>> {
    let (_, dir, row) = job_access(&st, &c, id, Role::Viewer).await?;
    use crate::db::RowExt;
    let sub = if row.s("kind") == "sweep" {
        format!("job/task-{:03}", q.task.unwrap_or(0))
    } else {
        "job/run".to_string()
    };
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(q.last_event_id)
        .unwrap_or(-1);
    if !st.metrics.stream_opened(st.config.max_streams) {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_streams",
            "too many residual streams are open; try again later",
        ));
    }
    let tail = Tail {
        _live: Live(st.clone()),
        st: st.clone(),
        job: id,
        path: dir.join(sub).join("residuals.jsonl"),
        file: None,
        pos: 0,
        partial: Vec::new(),
        last_seq: last,
        queue: VecDeque::new(),
        last_state: Instant::now() - STATE_EVERY,
        ending: false,
        done: false,
    };
    let stream = futures_util::stream::unfold(tail, |mut t| async move {
        let e = t.next().await?;
        Some((Ok(e), t))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
