//! Times Galvana's battery models on PyBaMM's reference cases (Chen2020, CC discharge from full
//! charge to 2.5 V, 20 points per domain): the median of repeated solves of each model and
//! C-rate, printed as JSON for `benches/battery-vs-pybamm.sh`.
//!   battery-bench [REPS] [MODELS]   (MODELS: e.g. `SPM,SPMe`; default all)

use galvana_physics::battery::dfn::Dfn;
use galvana_physics::battery::experiment::parse;
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc};
use galvana_physics::battery::runner::run;
use galvana_physics::battery::spm::Spm;
use galvana_physics::battery::spme::{Points, Spme};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    // Optional second argument: the models to time, comma-separated (default all three).
    let only: Option<Vec<String>> = std::env::args()
        .nth(2)
        .map(|s| s.split(',').map(str::to_string).collect());
    let mut out = Vec::new();
    for model in ["SPM", "SPMe", "DFN"] {
        if only.as_ref().is_some_and(|o| !o.iter().any(|m| m == model)) {
            continue;
        }
        for c in [0.5, 1.0, 2.0] {
            let mut times = Vec::new();
            let mut q = 0.0;
            for _ in 0..reps {
                let p = chen2020();
                let (x, y) = stoichiometries_at_soc(&p, 1.0);
                let steps = parse(&[format!("Discharge at {c}C until 2.5 V")], 1, 5.0).unwrap();
                let t0 = Instant::now();
                let o = match model {
                    "SPM" => run(Spm::new(p, x, y, 20), &steps, 1.0),
                    "SPMe" => run(Spme::new(p, x, y, Points::default()), &steps, 1.0),
                    _ => run(Dfn::new(p, x, y, Points::default()), &steps, 1.0),
                }
                .expect("the discharge runs");
                times.push(t0.elapsed().as_secs_f64());
                q = o.rows.last().unwrap().discharge_capacity_ah;
            }
            out.push(serde_json::json!({
                "model": model, "crate": c, "solve_s_median": median(times.clone()),
                "solve_s_all": times, "q_end_ah": q,
            }));
        }
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
