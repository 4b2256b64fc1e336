//! Times Galvana's Biot–Savart evaluation on magpylib's reference cases (1000 circular loops
//! and a 10,000-segment polyline helix, R = 0.05 m, L = 0.2 m, on a 100 × 100 x–z grid): the
//! median of repeated evaluations on 1 and 2 threads, as source–point pairs per second, printed
//! as JSON for `benches/biot-savart-vs-magpylib.sh`.

use galvana_physics::magnetics::helix::helix;
use galvana_physics::magnetics::{
    field, linspace, CircularLoop, Collection, FieldSource, Points, MU0_CODATA2022,
};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let (r, l) = (0.05, 0.2);
    let grid = Points::grid(&linspace(-0.1, 0.1, 100), &[0.0], &linspace(-0.2, 0.2, 100));
    let mut loops = Collection::default();
    for k in 0..1000 {
        let z = -l / 2.0 + (k as f64 + 0.5) * l / 1000.0;
        loops.sources.push(Box::new(
            CircularLoop::new([0.0, 0.0, z], [0.0, 0.0, 1.0], r, 1.0).expect("valid loop"),
        ));
    }
    let hx = helix([0.0; 3], r, l, 100, 100, 1.0).expect("valid helix");
    let mut out = Vec::new();
    for (case, src) in [
        ("loops", &loops as &dyn FieldSource),
        ("polyline", &hx as &dyn FieldSource),
    ] {
        for threads in [1, 2] {
            let _ = field(src, &grid, MU0_CODATA2022, threads); // warm-up
            let mut t = Vec::new();
            let mut b0 = [0.0; 3];
            for _ in 0..reps {
                let t0 = Instant::now();
                let f = field(src, &grid, MU0_CODATA2022, threads);
                t.push(t0.elapsed().as_secs_f64());
                b0 = f.get(0);
            }
            let pairs = (src.elements() * grid.len()) as f64;
            let med = median(t.clone());
            out.push(format!(
                "{{\"case\":\"{case}\",\"threads\":{threads},\"pairs\":{pairs},\"s_all\":{t:?},\"s_median\":{med},\"pairs_per_s\":{},\"B_grid0\":{b0:?}}}",
                pairs / med
            ));
        }
    }
    println!("[{}]", out.join(",\n"));
}
