//! Prometheus metrics (`GET /metrics`, text format 0.0.4): requests by route and status,
//! latency histograms per route, jobs by state, queue depth, quota refusals, active residual
//! streams and accounting import lag.

use crate::db::{now, RowExt};
use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Latency bucket upper bounds, seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    n: u64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    quota_refusals: AtomicU64,
    submitted: AtomicU64,
    streams: AtomicI64,
    /// Seconds from a job's end to its accounting import, last seen.
    last_import_lag_s: AtomicI64,
    imported_records: AtomicU64,
    datasets_uploaded: AtomicU64,
    dataset_bytes: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        *self
            .requests
            .lock()
            .unwrap()
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let mut l = self.latency.lock().unwrap();
        let h = l.entry(route.to_string()).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.n += 1;
    }
    pub fn quota_refusal(&self) {
        self.quota_refusals.fetch_add(1, Ordering::Relaxed);
    }
    pub fn job_submitted(&self) {
        self.submitted.fetch_add(1, Ordering::Relaxed);
    }
    /// Count a new stream unless `max` are open already.
    pub fn stream_opened(&self, max: usize) -> bool {
        let n = self.streams.fetch_add(1, Ordering::SeqCst);
        if n >= max as i64 {
            self.streams.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        true
    }
    pub fn stream_closed(&self) {
        self.streams.fetch_sub(1, Ordering::SeqCst);
    }
    pub fn active_streams(&self) -> i64 {
        self.streams.load(Ordering::SeqCst)
    }
    pub fn dataset_uploaded(&self, bytes: u64) {
        self.datasets_uploaded.fetch_add(1, Ordering::Relaxed);
        self.dataset_bytes.fetch_add(bytes, Ordering::Relaxed);
    }
    pub fn imported(&self, records: usize, lag_s: Option<i64>) {
        self.imported_records
            .fetch_add(records as u64, Ordering::Relaxed);
        if let Some(l) = lag_s {
            self.last_import_lag_s.store(l, Ordering::Relaxed);
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware recording every request under its route pattern (not the raw path, so ids do
/// not explode the label set).
pub async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    let t = Instant::now();
    let resp = next.run(req).await;
    st.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        t.elapsed().as_secs_f64(),
    );
    resp
}

/// `GET /metrics`
pub async fn render(State(st): State<Arc<AppState>>) -> Response {
    let m = &st.metrics;
    let mut o = String::new();
    o.push_str("# HELP galvana_http_requests_total HTTP requests by method, route and status.\n# TYPE galvana_http_requests_total counter\n");
    for ((method, route, status), n) in m.requests.lock().unwrap().iter() {
        let _ = writeln!(
            o,
            "galvana_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
            esc(method),
            esc(route)
        );
    }
    o.push_str("# HELP galvana_http_request_duration_seconds Request latency by route.\n# TYPE galvana_http_request_duration_seconds histogram\n");
    for (route, h) in m.latency.lock().unwrap().iter() {
        let r = esc(route);
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                o,
                "galvana_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                h.counts[i]
            );
        }
        let _ = writeln!(
            o,
            "galvana_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
            h.n
        );
        let _ = writeln!(
            o,
            "galvana_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
            h.sum
        );
        let _ = writeln!(
            o,
            "galvana_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
            h.n
        );
    }
    let states =
        sqlx::query("SELECT state, CAST(COUNT(*) AS BIGINT) AS n FROM jobs GROUP BY state")
            .fetch_all(&st.db)
            .await
            .unwrap_or_default();
    o.push_str("# HELP galvana_jobs Jobs by gateway state.\n# TYPE galvana_jobs gauge\n");
    let mut depth = 0;
    for r in &states {
        let s = r.s("state");
        if s == "pending" || s == "submitting" {
            depth += r.i("n");
        }
        let _ = writeln!(o, "galvana_jobs{{state=\"{}\"}} {}", esc(&s), r.i("n"));
    }
    let _ = writeln!(o, "# HELP galvana_queue_depth Jobs waiting to start.\n# TYPE galvana_queue_depth gauge\ngalvana_queue_depth {depth}");
    let _ = writeln!(o, "# HELP galvana_quota_refusals_total Submissions refused for quota.\n# TYPE galvana_quota_refusals_total counter\ngalvana_quota_refusals_total {}", m.quota_refusals.load(Ordering::Relaxed));
    let _ = writeln!(o, "# HELP galvana_jobs_submitted_total Jobs handed to the scheduler.\n# TYPE galvana_jobs_submitted_total counter\ngalvana_jobs_submitted_total {}", m.submitted.load(Ordering::Relaxed));
    let _ = writeln!(o, "# HELP galvana_residual_streams Open residual streams.\n# TYPE galvana_residual_streams gauge\ngalvana_residual_streams {}", m.active_streams());
    let oldest = sqlx::query(
        "SELECT MIN(ended_at) AS t FROM jobs WHERE ended_at IS NOT NULL AND settled_at IS NULL",
    )
    .fetch_one(&st.db)
    .await
    .ok()
    .and_then(|r| r.oi("t"));
    let _ = writeln!(o, "# HELP galvana_accounting_import_lag_seconds Age of the oldest ended job whose accounting is not imported (0: none).\n# TYPE galvana_accounting_import_lag_seconds gauge\ngalvana_accounting_import_lag_seconds {}", oldest.map(|t| (now() - t).max(0)).unwrap_or(0));
    let _ = writeln!(o, "# HELP galvana_accounting_last_import_lag_seconds Seconds from job end to accounting import, last job settled.\n# TYPE galvana_accounting_last_import_lag_seconds gauge\ngalvana_accounting_last_import_lag_seconds {}", m.last_import_lag_s.load(Ordering::Relaxed));
    let _ = writeln!(o, "# HELP galvana_accounting_records_imported_total Accounting records charged to the ledger.\n# TYPE galvana_accounting_records_imported_total counter\ngalvana_accounting_records_imported_total {}", m.imported_records.load(Ordering::Relaxed));
    let _ = writeln!(o, "# HELP galvana_datasets_uploaded_total Instrument exports stored.\n# TYPE galvana_datasets_uploaded_total counter\ngalvana_datasets_uploaded_total {}", m.datasets_uploaded.load(Ordering::Relaxed));
    let _ = writeln!(o, "# HELP galvana_dataset_bytes_uploaded_total Bytes stored for uploads (original and normalised).\n# TYPE galvana_dataset_bytes_uploaded_total counter\ngalvana_dataset_bytes_uploaded_total {}", m.dataset_bytes.load(Ordering::Relaxed));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], o).into_response()
}
