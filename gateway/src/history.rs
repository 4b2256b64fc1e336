//! `GET /api/v1/jobs/{id}/residuals/history`: the residual stream so far as plot series,
//! decimated on the server (min and max of each bucket, so spikes and the convergence envelope
//! survive) so that a page can draw a run of millions of iterations at once, then follow the
//! live stream from `last_seq`.

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::jobs::job_access;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::BufRead;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct HistoryQuery {
    pub task: Option<u32>,
    /// Points per series at most (default 4000, at most 100 000).
    pub max_points: Option<usize>,
}

/// Keep at most `max` points: the minimum and maximum `y` of each of `max / 2` buckets, in
/// `x` order.
pub fn decimate(x: &[f64], y: &[f64], max: usize) -> (Vec<f64>, Vec<f64>) {
    let n = x.len().min(y.len());
    if n <= max || max < 4 {
        return (x[..n].to_vec(), y[..n].to_vec());
    }
    let buckets = max / 2;
    let size = n.div_ceil(buckets);
    let (mut ox, mut oy) = (Vec::with_capacity(max), Vec::with_capacity(max));
    for start in (0..n).step_by(size) {
        let end = (start + size).min(n);
        let (mut lo, mut hi) = (start, start);
        for i in start..end {
            if y[i] < y[lo] {
                lo = i;
            }
            if y[i] > y[hi] {
                hi = i;
            }
        }
        for i in if lo <= hi { [lo, hi] } else { [hi, lo] } {
            if ox.last() != Some(&x[i]) {
                ox.push(x[i]);
                oy.push(y[i]);
            }
        }
    }
    (ox, oy)
}

#[derive(Default)]
struct Series {
    x: Vec<f64>,
    y: Vec<f64>,
}

fn read(path: &std::path::Path, max: usize) -> Value {
    let (mut nl, mut lin, mut steps) = (Series::default(), Series::default(), Series::default());
    let (mut last_seq, mut progress, mut done) = (-1i64, Value::Null, Value::Null);
    if let Ok(f) = std::fs::File::open(path) {
        for line in std::io::BufReader::new(f).lines().map_while(Result::ok) {
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                continue; // a line being written
            };
            last_seq = v["seq"].as_i64().unwrap_or(last_seq + 1);
            match v["kind"].as_str().unwrap_or("") {
                "nonlinear" => {
                    nl.x.push(nl.x.len() as f64);
                    nl.y.push(v["norm"].as_f64().unwrap_or(f64::NAN));
                }
                "linear" => {
                    lin.x.push(lin.x.len() as f64);
                    lin.y.push(v["norm"].as_f64().unwrap_or(f64::NAN));
                }
                "step" => {
                    steps.x.push(v["wall_s"].as_f64().unwrap_or(0.0));
                    steps.y.push(v["time"].as_f64().unwrap_or(0.0));
                }
                "progress" => progress = json!({"fraction": v["fraction"], "eta_s": v["eta_s"]}),
                "done" => done = json!({"status": v["status"], "message": v["message"]}),
                _ => {}
            }
        }
    }
    let counts = json!({"nonlinear": nl.x.len(), "linear": lin.x.len(), "steps": steps.x.len()});
    let ser = |s: &Series| {
        let (x, y) = decimate(&s.x, &s.y, max);
        json!({"x": x, "y": y})
    };
    json!({
        "last_seq": last_seq,
        "counts": counts,
        "nonlinear": ser(&nl),
        "linear": ser(&lin),
        "steps": ser(&steps),
        "progress": progress,
        "done": done,
    })
}

pub async fn history(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<Json<Value>> {
    let (_, dir, row) = job_access(&st, &c, id, Role::Viewer).await?;
    let sub = crate::jobs::run_subdir(&row, q.task);
    let max = q.max_points.unwrap_or(4000).clamp(4, 100_000);
    let path = dir.join(sub).join("residuals.jsonl");
    let v = tokio::task::spawn_blocking(move || read(&path, max))
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(v))
}

#[cfg(test)]
mod tests {
    use super::decimate;

    #[test]
    fn decimation_keeps_extremes_and_bounds() {
        let x: Vec<f64> = (0..1_000_000).map(|i| i as f64).collect();
        let mut y: Vec<f64> = x.iter().map(|i| 10f64.powf(-(i % 7.0))).collect();
        y[500_123] = 1e9;
        let (dx, dy) = decimate(&x, &y, 4000);
        assert!(dx.len() <= 4000 && dx.len() >= 3000, "{}", dx.len());
        assert!(dx.windows(2).all(|w| w[0] < w[1]));
        assert!(dy.contains(&1e9), "the spike survives");
        assert!(dy.contains(&1e-6), "the minimum survives");
        let (sx, _) = decimate(&x[..10], &y[..10], 4000);
        assert_eq!(sx.len(), 10);
    }
}
