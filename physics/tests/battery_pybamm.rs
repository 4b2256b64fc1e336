//! The battery models against PyBaMM's own runs (Chen2020, CC discharges from full charge):
//! terminal voltage RMS ≤ 2 mV and max ≤ 5 mV (leaving out the last 1 % of capacity before the
//! cut-off), capacity at cut-off within 0.2 %. Reference: tests/data/pybamm (see its README).

use galvana_physics::battery::experiment::parse;
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc};
use galvana_physics::battery::runner::{run, Outcome};
use galvana_physics::battery::spm::Spm;
use galvana_physics::battery::spme::{Points, Spme};

struct Ref {
    t: Vec<f64>,
    v: Vec<f64>,
    q: Vec<f64>,
}

fn reference(name: &str) -> Ref {
    let p = format!(
        "{}/tests/data/pybamm/{name}.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&p).unwrap();
    let mut r = Ref {
        t: vec![],
        v: vec![],
        q: vec![],
    };
    for l in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s"))
    {
        let f: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
        r.t.push(f[0]);
        r.v.push(f[1]);
        r.q.push(f[3]);
    }
    r
}

/// (rms mV, max mV, capacity error %) of `out` against `name`.
fn compare(out: &Outcome, name: &str) -> (f64, f64, f64) {
    let r = reference(name);
    let q_end = *r.q.last().unwrap();
    let mine: std::collections::HashMap<i64, f64> = out
        .rows
        .iter()
        .filter(|row| (row.time_s - row.time_s.round()).abs() < 1e-9)
        .map(|row| (row.time_s.round() as i64, row.voltage_v))
        .collect();
    let (mut sum, mut max, mut n) = (0.0, 0.0f64, 0);
    for k in 0..r.t.len() {
        if r.q[k] > 0.99 * q_end || (r.t[k] - r.t[k].round()).abs() > 1e-9 {
            continue;
        }
        let Some(v) = mine.get(&(r.t[k].round() as i64)) else {
            continue;
        };
        let d = (v - r.v[k]) * 1e3;
        sum += d * d;
        max = max.max(d.abs());
        n += 1;
    }
    assert!(
        n as f64 > 0.9 * r.t.len() as f64 * 0.99,
        "compared {n} of {} points",
        r.t.len()
    );
    let my_q = out.rows.last().unwrap().discharge_capacity_ah;
    ((sum / n as f64).sqrt(), max, 100.0 * (my_q - q_end) / q_end)
}

#[test]
fn spm_matches_pybamm_at_three_rates() {
    for (c, name) in [
        (0.5, "SPM_Chen2020_0.5C"),
        (1.0, "SPM_Chen2020_1C"),
        (2.0, "SPM_Chen2020_2C"),
    ] {
        let p = chen2020();
        let (x, y) = stoichiometries_at_soc(&p, 1.0);
        let cell = Spm::new(p, x, y, 20);
        let steps = parse(&[format!("Discharge at {c}C until 2.5 V")], 1, 5.0).unwrap();
        let out = run(cell, &steps, 1.0).unwrap();
        let (rms, max, dq) = compare(&out, name);
        eprintln!("SPM {c}C: rms {rms:.3} mV, max {max:.3} mV, capacity {dq:+.4} %");
        assert!(
            rms <= 2.0 && max <= 5.0 && dq.abs() <= 0.2,
            "SPM {c}C: rms {rms} mV, max {max} mV, dQ {dq} %"
        );
    }
}

#[test]
fn spme_matches_pybamm_at_three_rates() {
    for (c, name) in [
        (0.5, "SPMe_Chen2020_0.5C"),
        (1.0, "SPMe_Chen2020_1C"),
        (2.0, "SPMe_Chen2020_2C"),
    ] {
        let p = chen2020();
        let (x, y) = stoichiometries_at_soc(&p, 1.0);
        let cell = Spme::new(p, x, y, Points::default());
        let steps = parse(&[format!("Discharge at {c}C until 2.5 V")], 1, 5.0).unwrap();
        let out = run(cell, &steps, 1.0).unwrap();
        let (rms, max, dq) = compare(&out, name);
        eprintln!("SPMe {c}C: rms {rms:.3} mV, max {max:.3} mV, capacity {dq:+.4} %");
        assert!(
            rms <= 2.0 && max <= 5.0 && dq.abs() <= 0.2,
            "SPMe {c}C: rms {rms} mV, max {max} mV, dQ {dq} %"
        );
    }
}
