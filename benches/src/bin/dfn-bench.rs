//! Times the DFN alone on PyBaMM's reference cases (Chen2020, CC discharge from full charge to
//! 2.5 V at 0.5C, 1C and 2C, 20 points per domain, output every second): the median and
//! minimum of repeated solves and the capacity at cut-off, one line per C-rate. A target for
//! `perf record` without the other models in the profile.

use galvana_physics::battery::dfn::Dfn;
use galvana_physics::battery::experiment::parse;
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc};
use galvana_physics::battery::runner::run;
use galvana_physics::battery::spme::Points;
use std::time::Instant;

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(9);
    for c in [0.5, 1.0, 2.0] {
        let mut times = Vec::new();
        let mut q = 0.0;
        for _ in 0..reps {
            let p = chen2020();
            let (x, y) = stoichiometries_at_soc(&p, 1.0);
            let steps = parse(&[format!("Discharge at {c}C until 2.5 V")], 1, 5.0).unwrap();
            let t0 = Instant::now();
            let o = run(Dfn::new(p, x, y, Points::default()), &steps, 1.0).expect("runs");
            times.push(t0.elapsed().as_secs_f64() * 1e3);
            q = o.rows.last().unwrap().discharge_capacity_ah;
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "DFN {c}C: median {:.2} ms, min {:.2} ms, Q_end {q:.6} A.h",
            times[times.len() / 2],
            times[0]
        );
    }
}
