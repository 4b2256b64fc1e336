//! Times Galvana's equivalent-circuit fit of the shared synthetic EIS spectrum
//! (`R0-p(R1,CPE1)-W1`, physics/tests/data/eis) from impedance.py's initial guess: the median
//! of repeated fits (circuit parse included) after a warm-up, unweighted and modulus-weighted,
//! printed as JSON for `benches/eis-vs-impedancepy.sh`.
//!
//! Usage: `eis-bench [REPS] [CSV]`.

use galvana_physics::calibration::eis::{fit, Circuit, FitOptions, Weighting, C64};
use std::time::Instant;

const CIRCUIT: &str = "R0-p(R1,CPE1)-W1";
const P0: [f64; 5] = [0.01, 0.1, 1.0, 0.8, 0.02];

fn main() {
    let mut args = std::env::args().skip(1);
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let path = args.next().unwrap_or_else(|| {
        format!(
            "{}/../physics/tests/data/eis/synthetic_R0-p_R1_CPE1_-W1.csv",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let (mut f, mut z) = (Vec::new(), Vec::new());
    for (i, l) in text.lines().enumerate().skip(1) {
        let v: Vec<f64> = l.split(',').filter_map(|x| x.trim().parse().ok()).collect();
        if v.len() < 3 {
            eprintln!("{path}: line {}: expected freq, Z', Z''", i + 1);
            std::process::exit(2);
        }
        f.push(v[0]);
        z.push(C64::new(v[1], v[2]));
    }
    let mut out = Vec::new();
    for (name, w) in [
        ("unweighted", Weighting::Unit),
        ("modulus", Weighting::Modulus),
    ] {
        let opts = FitOptions {
            weighting: w,
            ..Default::default()
        };
        let run = || {
            let c = Circuit::parse(CIRCUIT).expect("valid circuit");
            fit(&c, &f, &z, &P0, &opts).expect("fit runs")
        };
        let _ = run(); // warm-up
        let mut t = Vec::with_capacity(reps);
        let mut last = None;
        for _ in 0..reps {
            let t0 = Instant::now();
            let r = run();
            t.push(t0.elapsed().as_secs_f64());
            last = Some(r);
        }
        let r = last.expect("reps >= 1");
        let med = galvana_benches::median(&t);
        out.push(format!(
            "{{\"weighting\":\"{name}\",\"reps\":{reps},\"s_median\":{med},\"s_min\":{},\"iterations\":{},\"evaluations\":{},\"p_fit\":{:?},\"conf_1sigma\":{:?}}}",
            galvana_benches::min(&t),
            r.iterations,
            r.evaluations,
            r.params,
            r.std_errors
        ));
    }
    println!("[{}]", out.join(",\n"));
}
