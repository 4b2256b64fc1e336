//! Solver monitors: PETSc-style console lines and the `residuals.jsonl` event stream that the
//! gateway tails (contract in docs/DESIGN.md). Only rank 0 writes; every line is flushed as
//! it happens so a reader sees progress live.

use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

/// Event sink for residual histories and progress.
pub struct Monitor {
    root: bool,
    start: Instant,
    seq: u64,
    file: Option<BufWriter<File>>,
    /// Print one line per Krylov iteration on the console (PETSc's -ksp_monitor).
    pub ksp_console: bool,
    /// Print Newton lines on the console.
    pub console: bool,
    /// Wall-clock time of the last progress report (rate limiting).
    last_progress: f64,
    last_step: u64,
}

impl Monitor {
    /// A monitor writing `residuals.jsonl` into `dir` (rank 0 only; `dir` None = console only).
    pub fn new(root: bool, dir: Option<&Path>) -> std::io::Result<Self> {
        let file = match (root, dir) {
            (true, Some(d)) => Some(BufWriter::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(d.join("residuals.jsonl"))?,
            )),
            _ => None,
        };
        Ok(Self {
            root,
            start: Instant::now(),
            seq: 0,
            file,
            ksp_console: false,
            console: true,
            last_progress: -1.0,
            last_step: 0,
        })
    }

    /// Continue numbering after the last event already in `dir/residuals.jsonl` (restarts
    /// append to the stream; `seq` stays strictly increasing for resuming readers).
    pub fn continue_stream(&mut self, dir: &Path) {
        if let Ok(text) = std::fs::read_to_string(dir.join("residuals.jsonl")) {
            let last = text.lines().rev().find_map(|l| {
                serde_json::from_str::<Value>(l)
                    .ok()
                    .and_then(|v| v.get("seq").and_then(Value::as_u64))
            });
            if let Some(s) = last {
                self.seq = s + 1;
            }
        }
    }

    /// Sequence number of the last event emitted (the next one gets `seq() + 1`).
    pub fn seq(&self) -> u64 {
        self.seq.saturating_sub(1)
    }

    /// A restarted run continues the stream: this event says from where.
    pub fn restart(&mut self, step: u64, time: f64, path: &str) {
        if self.root && self.console {
            crate::say!(
                "Restarting from {path} (step {step}, t = {} s)",
                sci(time, 6)
            );
        }
        self.emit("restart", json!({"step": step, "time": time, "path": path}));
    }

    pub fn wall(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn emit(&mut self, kind: &str, mut body: Value) {
        if !self.root {
            return;
        }
        let wall = self.wall();
        if let Some(f) = self.file.as_mut() {
            let obj = body.as_object_mut().expect("event body is an object");
            obj.insert("seq".into(), json!(self.seq));
            obj.insert("wall_s".into(), json!(wall));
            obj.insert("kind".into(), json!(kind));
            // A failed write of the monitor stream must not kill a long run; it is reported once.
            if writeln!(f, "{body}").and_then(|_| f.flush()).is_err() {
                eprintln!("warning: could not write residuals.jsonl; continuing without it");
                self.file = None;
            }
        }
        self.seq += 1;
    }

    /// The last accepted time step (how far a run got, also when it fails).
    pub fn last_step(&self) -> u64 {
        self.last_step
    }

    /// Record that `step` was accepted.
    pub fn step_accepted(&mut self, step: u64) {
        self.last_step = step;
    }

    pub fn step(&mut self, step: u64, time: f64, dt: f64) {
        if self.root && self.console {
            crate::say!(
                "Time step {step}, time = {} s, dt = {} s",
                sci(time, 6),
                sci(dt, 6)
            );
        }
        self.emit("step", json!({"step": step, "time": time, "dt": dt}));
    }

    pub fn nonlinear(&mut self, step: u64, it: usize, norm: f64, rel: f64) {
        if self.root && self.console {
            crate::say!("{it:3} Newton |R| = {}", sci(norm, 6));
        }
        self.emit(
            "nonlinear",
            json!({"step": step, "it": it, "norm": norm, "rel": rel}),
        );
    }

    pub fn linear(&mut self, step: u64, nl_it: usize, it: usize, norm: f64) {
        if self.root && self.ksp_console {
            crate::say!("    {it:3} KSP Residual norm {}", sci(norm, 6));
        }
        self.emit(
            "linear",
            json!({"step": step, "nl_it": nl_it, "it": it, "norm": norm}),
        );
    }

    pub fn linear_summary(&mut self, its: usize, norm: f64, reason: &str) {
        if self.root && self.console {
            crate::say!(
                "      Linear solve {reason} in {its} iterations, |r| = {}",
                sci(norm, 3)
            );
        }
    }

    pub fn checkpoint(&mut self, step: u64, path: &str) {
        self.emit("checkpoint", json!({"step": step, "path": path}));
    }

    /// Progress with an ETA from the average rate so far; console at most every 2 s.
    pub fn progress(&mut self, fraction: f64, eta_s: f64) {
        let w = self.wall();
        if self.root && self.console && (w - self.last_progress >= 2.0 || fraction >= 1.0) {
            self.last_progress = w;
            crate::say!(
                "Progress {:5.1}%  elapsed {:.1} s  ETA {:.1} s",
                100.0 * fraction,
                w,
                eta_s
            );
        }
        self.emit("progress", json!({"fraction": fraction, "eta_s": eta_s}));
    }

    pub fn done(&mut self, status: &str, message: &str) {
        self.emit("done", json!({"status": status, "message": message}));
    }
}

/// Scientific notation as C's `%.*e` (and PETSc's monitors) print it: `3.100000e-09`.
pub fn sci(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, d) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{d:0>2}")
        }
        None => s, // inf, NaN
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sci_matches_c_printf() {
        assert_eq!(super::sci(3.1e-9, 6), "3.100000e-09");
        assert_eq!(super::sci(33.07189, 6), "3.307189e+01");
        assert_eq!(super::sci(0.0, 3), "0.000e+00");
        assert_eq!(super::sci(-1.5e123, 2), "-1.50e+123");
    }
}
