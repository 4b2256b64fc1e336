//! Where the time went: a `-log_view`-like table of named stages.

use std::collections::BTreeMap;
use std::time::Instant;

/// Accumulated seconds and call counts per stage.
#[derive(Default, Debug, Clone)]
pub struct Timings {
    stages: BTreeMap<&'static str, (f64, u64)>,
}

impl Timings {
    /// Time `f` under `stage`.
    pub fn time<R>(&mut self, stage: &'static str, f: impl FnOnce() -> R) -> R {
        let t0 = Instant::now();
        let r = f();
        self.add(stage, t0.elapsed().as_secs_f64());
        r
    }

    pub fn add(&mut self, stage: &'static str, seconds: f64) {
        let e = self.stages.entry(stage).or_insert((0.0, 0));
        e.0 += seconds;
        e.1 += 1;
    }

    pub fn get(&self, stage: &str) -> f64 {
        self.stages.get(stage).map(|e| e.0).unwrap_or(0.0)
    }

    pub fn stages(&self) -> impl Iterator<Item = (&'static str, f64, u64)> + '_ {
        self.stages.iter().map(|(k, v)| (*k, v.0, v.1))
    }

    /// The summary table; `total` is the run's wall time, `comm` the seconds inside MPI calls
    /// (included in the stages that made them).
    pub fn table(&self, total: f64, comm: f64) -> String {
        let mut s = String::new();
        s.push_str("------------------------------------------------------------\n");
        s.push_str("Stage                      Count     Time (s)   % of total\n");
        for (name, (t, n)) in &self.stages {
            s.push_str(&format!(
                "{name:<24} {n:>8} {t:>12.4} {:>11.1}%\n",
                100.0 * t / total.max(1e-300)
            ));
        }
        s.push_str(&format!(
            "{:<24} {:>8} {comm:>12.4} {:>11.1}%\n",
            "(communication)",
            "",
            100.0 * comm / total.max(1e-300)
        ));
        s.push_str(&format!(
            "{:<24} {:>8} {total:>12.4} {:>11.1}%\n",
            "total", "", 100.0
        ));
        s.push_str("------------------------------------------------------------\n");
        s
    }
}
