//! Live residuals: `GET /api/v1/jobs/{id}/residuals` as Server-Sent Events of the run's
//! `residuals.jsonl`.
//!
//! One *feed* per stream file tails it (every 100 ms) and checks the job's state (every second),
//! and hands each batch of new lines, already formatted as SSE frames, to its subscribers through
//! a bounded broadcast channel. A subscriber first catches up from the file with its own reader,
//! then follows the feed; one that falls more than the channel's capacity behind goes back to
//! reading the file where it was, so a slow client costs only itself and never holds up the
//! feed, other clients, or the engine (which just appends to a file). Event ids are the stream's
//! `seq`, which also removes the overlap between catch-up and feed. The stream ends with an `end`
//! event carrying the job's final state once the job has ended and the file is drained (a
//! requeued campaign keeps one stream across segments).

use crate::auth::{Caller, Role};
use crate::db::RowExt;
use crate::error::{ApiError, ApiResult};
use crate::jobs::{is_active, job_access};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::broadcast;

const TAIL_EVERY: Duration = Duration::from_millis(100);
const STATE_EVERY: Duration = Duration::from_millis(1000);
const KEEP_ALIVE: Duration = Duration::from_secs(15);
const CHUNK: usize = 256 * 1024;
/// Batches a subscriber may fall behind before it reads the file instead.
const CAPACITY: usize = 256;

/// One SSE frame (`id`, `event`, `data`) and the `seq` it carries.
type Frame = (i64, Bytes);

/// What a feed sends: new frames up to a file offset, or the end of the stream.
#[derive(Clone, Debug)]
enum Msg {
    Frames {
        frames: Arc<Vec<Frame>>,
        end_offset: u64,
    },
    End {
        state: String,
        reason: Option<String>,
    },
}

/// Turns appended bytes into frames, keeping a partial last line for the next call.
#[derive(Default)]
struct LineSplitter {
    partial: Vec<u8>,
}

impl LineSplitter {
    fn push(&mut self, bytes: &[u8], after_seq: &mut i64, out: &mut Vec<Frame>) {
        self.partial.extend_from_slice(bytes);
        let mut start = 0;
        while let Some(nl) = self.partial[start..].iter().position(|&b| b == b'\n') {
            let line = &self.partial[start..start + nl];
            start += nl + 1;
            let text = String::from_utf8_lossy(line);
            let text = text.trim();
            let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
                continue;
            };
            let seq = v
                .get("seq")
                .and_then(|s| s.as_i64())
                .unwrap_or(*after_seq + 1);
            if seq <= *after_seq {
                continue;
            }
            *after_seq = seq;
            let kind = v.get("kind").and_then(|k| k.as_str()).unwrap_or("message");
            let kind: String = kind
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((
                seq,
                Bytes::from(format!("id: {seq}\nevent: {kind}\ndata: {text}\n\n")),
            ));
        }
        self.partial.drain(..start);
    }
}

/// Reads a growing file from an offset.
struct Reader {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    pos: u64,
    lines: LineSplitter,
}

impl Reader {
    fn new(path: PathBuf, pos: u64) -> Self {
        Self {
            path,
            file: None,
            pos,
            lines: LineSplitter::default(),
        }
    }

    /// Frames of the complete lines appended since the last call (at most one chunk).
    async fn read(&mut self, after_seq: &mut i64) -> Vec<Frame> {
        let mut out = Vec::new();
        if self.file.is_none() {
            self.file = tokio::fs::File::open(&self.path).await.ok();
        }
        let Some(f) = self.file.as_mut() else {
            return out;
        };
        let len = f.metadata().await.map(|m| m.len()).unwrap_or(0);
        if len < self.pos {
            // Replaced by another file: start over (seq filtering drops what was sent).
            self.pos = 0;
            self.lines.partial.clear();
        }
        if len == self.pos || f.seek(std::io::SeekFrom::Start(self.pos)).await.is_err() {
            return out;
        }
        let mut buf = vec![0u8; CHUNK.min((len - self.pos) as usize)];
        let n = f.read(&mut buf).await.unwrap_or(0);
        self.pos += n as u64;
        self.lines.push(&buf[..n], after_seq, &mut out);
        out
    }

    fn at_eof(&self, len: u64) -> bool {
        self.pos >= len
    }
}

/// The feed of one stream file.
pub struct Feed {
    tx: broadcast::Sender<Msg>,
    start: u64,
}

/// Feeds by stream file; entries die with their last subscriber.
#[derive(Default)]
pub struct Hub {
    feeds: Mutex<HashMap<PathBuf, Weak<Feed>>>,
}

async fn job_state(st: &AppState, job: i64) -> Option<(String, Option<String>)> {
    let r = sqlx::query("SELECT state, reason FROM jobs WHERE id = $1")
        .bind(job)
        .fetch_optional(&st.db)
        .await
        .ok()??;
    Some((r.s("state"), r.os("reason")))
}

impl Hub {
    /// The feed of `path` (job `job`), started if none runs.
    fn feed(st: &Arc<AppState>, job: i64, path: PathBuf) -> Arc<Feed> {
        let mut feeds = st.hub.feeds.lock().unwrap();
        feeds.retain(|_, w| w.strong_count() > 0);
        if let Some(f) = feeds.get(&path).and_then(Weak::upgrade) {
            return f;
        }
        let start = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let (tx, _) = broadcast::channel(CAPACITY);
        let feed = Arc::new(Feed { tx, start });
        feeds.insert(path.clone(), Arc::downgrade(&feed));
        tokio::spawn(run_feed(st.clone(), job, path, Arc::downgrade(&feed)));
        feed
    }
}

async fn run_feed(st: Arc<AppState>, job: i64, path: PathBuf, feed: Weak<Feed>) {
    let start = match feed.upgrade() {
        Some(f) => f.start,
        None => return,
    };
    let mut reader = Reader::new(path.clone(), start);
    let mut seq = -1i64;
    let mut last_state = tokio::time::Instant::now() - STATE_EVERY;
    loop {
        let Some(f) = feed.upgrade() else { return };
        let frames = reader.read(&mut seq).await;
        if !frames.is_empty() {
            // The end of the last complete line: where a lagging subscriber resumes reading.
            let end_offset = reader.pos - reader.lines.partial.len() as u64;
            let _ = f.tx.send(Msg::Frames {
                frames: Arc::new(frames),
                end_offset,
            });
            continue;
        }
        if last_state.elapsed() >= STATE_EVERY {
            last_state = tokio::time::Instant::now();
            let state = job_state(&st, job).await;
            let ended = match &state {
                Some((s, _)) => !is_active(s),
                None => true,
            };
            let len = tokio::fs::metadata(&path)
                .await
                .map(|m| m.len())
                .unwrap_or(0);
            if ended && reader.at_eof(len) {
                let (state, reason) = state.unwrap_or(("unknown".into(), None));
                let _ = f.tx.send(Msg::End { state, reason });
                // Later subscribers start a new feed, which ends at once.
                st.hub.feeds.lock().unwrap().remove(&path);
                return;
            }
        }
        drop(f);
        tokio::time::sleep(TAIL_EVERY).await;
    }
}

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

enum Phase {
    /// Reading the file (at first, or after falling behind the feed).
    CatchUp,
    Live,
    Done,
}

struct Sub {
    _live: Option<Live>,
    _feed: Option<Arc<Feed>>,
    rx: broadcast::Receiver<Msg>,
    reader: Reader,
    seq: i64,
    phase: Phase,
    queue: std::collections::VecDeque<Bytes>,
}

impl Sub {
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(b) = self.queue.pop_front() {
                return Some(b);
            }
            match self.phase {
                Phase::Done => return None,
                Phase::CatchUp => {
                    let frames = self.reader.read(&mut self.seq).await;
                    if frames.is_empty() {
                        self.phase = Phase::Live;
                    }
                    self.queue.extend(frames.into_iter().map(|f| f.1));
                }
                Phase::Live => {
                    let msg = match tokio::time::timeout(KEEP_ALIVE, self.rx.recv()).await {
                        Err(_) => return Some(Bytes::from_static(b": keep-alive\n\n")),
                        Ok(m) => m,
                    };
                    match msg {
                        Ok(Msg::Frames { frames, end_offset }) => {
                            for (s, b) in frames.iter() {
                                if *s > self.seq {
                                    self.seq = *s;
                                    self.queue.push_back(b.clone());
                                }
                            }
                            if end_offset > self.reader.pos {
                                // Our own reader resumes from here if we fall behind.
                                self.reader.pos = end_offset;
                                self.reader.lines.partial.clear();
                            }
                        }
                        Ok(Msg::End { state, reason }) => {
                            // Lines the feed had not sent yet cannot exist: it drains first.
                            let data = serde_json::json!({"state": state, "reason": reason, "last_seq": self.seq});
                            self.phase = Phase::Done;
                            return Some(Bytes::from(format!("event: end\ndata: {data}\n\n")));
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => self.phase = Phase::CatchUp,
                        Err(broadcast::error::RecvError::Closed) => self.phase = Phase::Done,
                    }
                }
            }
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
) -> ApiResult<Response> {
    let (_, dir, row) = job_access(&st, &c, id, Role::Viewer).await?;
    let sub = crate::jobs::run_subdir(&row, q.task);
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
    let live = Live(st.clone());
    let path = dir.join(sub).join("residuals.jsonl");
    let feed = Hub::feed(&st, id, path.clone());
    // Subscribe before catching up, so nothing falls between the file and the feed.
    let rx = feed.tx.subscribe();
    let s = Sub {
        _live: Some(live),
        _feed: Some(feed),
        rx,
        reader: Reader::new(path, 0),
        seq: last,
        phase: Phase::CatchUp,
        queue: Default::default(),
    };
    let stream = futures_util::stream::unfold(s, |mut s| async move {
        let b = s.next().await?;
        Some((Ok::<_, std::convert::Infallible>(b), s))
    });
    let mut r = Response::new(Body::from_stream(stream));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A subscriber that falls behind the feed reads the file instead and still gets every
    /// event exactly once, in order.
    #[tokio::test]
    async fn a_lagging_subscriber_recovers_from_the_file() {
        let dir = std::env::temp_dir().join(format!("gw-lag-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("residuals.jsonl");
        let line = |k: i64| format!("{{\"seq\":{k},\"kind\":\"nonlinear\",\"norm\":{k}}}\n");
        std::fs::write(&path, (0..10).map(line).collect::<String>()).unwrap();
        let (tx, rx) = broadcast::channel(2);
        let mut sub = Sub {
            _live: None,
            _feed: None,
            rx,
            reader: Reader::new(path.clone(), 0),
            seq: 3,
            phase: Phase::CatchUp,
            queue: Default::default(),
        };
        let mut got = Vec::new();
        // Catch-up from the file: events after Last-Event-ID 3.
        for _ in 0..6 {
            got.push(sub.next().await.unwrap());
        }
        // The engine writes 40 more; the feed sends them in 20 batches, far more than the
        // channel holds, before the subscriber reads again.
        let mut feed = Reader::new(path.clone(), std::fs::metadata(&path).unwrap().len());
        let mut fseq = 9;
        for b in 0..20 {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap();
            use std::io::Write;
            f.write_all(
                (10 + 2 * b..12 + 2 * b)
                    .map(line)
                    .collect::<String>()
                    .as_bytes(),
            )
            .unwrap();
            let frames = feed.read(&mut fseq).await;
            let _ = tx.send(Msg::Frames {
                frames: Arc::new(frames),
                end_offset: feed.pos,
            });
        }
        let _ = tx.send(Msg::End {
            state: "completed".into(),
            reason: None,
        });
        while let Some(b) = sub.next().await {
            got.push(b);
        }
        let ids: Vec<i64> = got
            .iter()
            .filter_map(|b| {
                std::str::from_utf8(b)
                    .ok()?
                    .strip_prefix("id: ")?
                    .split('\n')
                    .next()?
                    .parse()
                    .ok()
            })
            .collect();
        assert_eq!(ids, (4..50).collect::<Vec<i64>>());
        assert!(std::str::from_utf8(got.last().unwrap())
            .unwrap()
            .starts_with("event: end\n"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn frames_from_lines() {
        let mut s = LineSplitter::default();
        let mut seq = 1;
        let mut out = Vec::new();
        s.push(b"{\"seq\":0,\"kind\":\"step\"}\n{\"seq\":2,\"kind\":\"nonlinear\",\"norm\":1}\n{\"seq\":3,\"ki", &mut seq, &mut out);
        assert_eq!(out.len(), 1, "seq 0 is not after 1");
        assert_eq!(
            &out[0].1[..],
            b"id: 2\nevent: nonlinear\ndata: {\"seq\":2,\"kind\":\"nonlinear\",\"norm\":1}\n\n"
        );
        s.push(b"nd\":\"done\"}\n", &mut seq, &mut out);
        assert_eq!((out.len(), seq), (2, 3));
        // A kind cannot inject SSE fields.
        s.push(
            b"{\"seq\":4,\"kind\":\"x\\ndata: y\"}\n",
            &mut seq,
            &mut out,
        );
        assert!(std::str::from_utf8(&out[2].1)
            .unwrap()
            .starts_with("id: 4\nevent: xdatay\n"));
    }
}
