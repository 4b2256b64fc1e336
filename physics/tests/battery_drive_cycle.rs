//! Drive-cycle steps (`"Run <file.csv>"`): the discharged capacity is the exact integral of the
//! profile (computed here from the file by this test's own reading), a constant-current profile
//! reproduces the constant-current experiment, and the voltage limits still end the step, at
//! the limit and with the profile's charge up to that instant.

use galvana_physics::battery::dfn::Dfn;
use galvana_physics::battery::experiment::{parse_step, parse_step_at, Step};
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc};
use galvana_physics::battery::runner::{run, Outcome};
use galvana_physics::battery::spm::Spm;
use galvana_physics::battery::spme::{Points, Spme};
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../input-decks/examples")
}

/// The example's rows (time, current), read independently of the library.
fn rows(path: &Path) -> Vec<(f64, f64)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s") && !l.trim().is_empty())
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            (a.trim().parse().unwrap(), b.trim().parse().unwrap())
        })
        .collect()
}

/// ∫₀^τ I dt [A.h] of piecewise-linear rows (trapezoids are exact).
fn charge(rows: &[(f64, f64)], tau: f64) -> f64 {
    let mut q = 0.0;
    for w in rows.windows(2) {
        let ((t0, i0), (t1, i1)) = (w[0], w[1]);
        if t0 >= tau || t1 <= t0 {
            continue;
        }
        let end = t1.min(tau);
        let ie = i0 + (end - t0) / (t1 - t0) * (i1 - i0);
        q += 0.5 * (i0 + ie) * (end - t0);
    }
    q / 3600.0
}

fn temp_csv(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("galvana-drive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run_model(model: &str, soc: f64, steps: &[Step]) -> Outcome {
    let p = chen2020();
    let (x, y) = stoichiometries_at_soc(&p, soc);
    match model {
        "spm" => run(Spm::new(p, x, y, 20), steps, 1.0),
        "spme" => run(Spme::new(p, x, y, Points::default()), steps, 1.0),
        _ => run(Dfn::new(p, x, y, Points::default()), steps, 1.0),
    }
    .unwrap()
}

/// The example deck's experiment on all three models: every row's capacity and current are the
/// profile's, the rest adds nothing, and the cycle ends where the file does.
#[test]
fn the_example_cycle_discharges_exactly_its_integral() {
    let dir = examples();
    let csv = rows(&dir.join("battery_drive_cycle.csv"));
    let t_end = csv.last().unwrap().0;
    let per_cycle = charge(&csv, t_end);
    assert!((per_cycle - 1241.5 / 3600.0).abs() < 1e-15, "{per_cycle}");
    let step = parse_step_at("Run battery_drive_cycle.csv", 5.0, Some(&dir)).unwrap();
    let rest = parse_step("Rest for 2 minutes", 5.0).unwrap();
    let steps = vec![step.clone(), rest.clone(), step, rest];
    for model in ["spm", "spme", "dfn"] {
        let out = run_model(model, 0.7, &steps);
        assert_eq!(out.reasons.len(), 4, "{model}: {:?}", out.reasons);
        assert!(
            out.reasons[0].ends_with("422 s elapsed"),
            "{:?}",
            out.reasons
        );
        let cycle_len = t_end + 120.0;
        for r in &out.rows {
            let k = r.step / 2;
            let tau = r.time_s - k as f64 * cycle_len;
            let (q, i) = if r.step % 2 == 0 {
                // The current at a jump is the value reached there (before the jump).
                let i = csv
                    .windows(2)
                    .find(|w| w[0].0 <= tau + 1e-9 && tau <= w[1].0 + 1e-9 && w[1].0 > w[0].0)
                    .map(|w| w[0].1 + (tau - w[0].0) / (w[1].0 - w[0].0) * (w[1].1 - w[0].1))
                    .unwrap();
                (k as f64 * per_cycle + charge(&csv, tau), i)
            } else {
                ((k + 1) as f64 * per_cycle, 0.0)
            };
            assert!(
                (r.discharge_capacity_ah - q).abs() < 1e-9,
                "{model} row {r:?}: capacity {q}"
            );
            if (tau - tau.round()).abs() < 1e-9 && r.step % 2 == 0 {
                assert!(
                    (r.current_a - i).abs() < 1e-9,
                    "{model} row {r:?}: current {i}"
                );
            }
        }
        let last = out.rows.last().unwrap();
        assert!((last.time_s - 2.0 * (t_end + 120.0)).abs() < 1e-6);
        assert!((last.discharge_capacity_ah - 2.0 * per_cycle).abs() < 1e-12);
        assert!(out
            .rows
            .iter()
            .all(|r| r.voltage_v > 3.0 && r.voltage_v < 4.2));
    }
}

/// A profile that holds 1C is the constant-current experiment: the same cut-off time, capacity
/// and voltages.
#[test]
fn a_constant_profile_is_the_cc_experiment() {
    let path = temp_csv("cc.csv", "time_s,current_A\n0,5\n5000,5\n");
    let prof = parse_step(&format!("Run {}", path.display()), 5.0).unwrap();
    let cc = parse_step("Discharge at 1C until 2.5 V", 5.0).unwrap();
    for model in ["spm", "spme", "dfn"] {
        let a = run_model(model, 1.0, std::slice::from_ref(&prof));
        let b = run_model(model, 1.0, std::slice::from_ref(&cc));
        assert!(a.reasons[0].ends_with("reached 2.5 V"), "{:?}", a.reasons);
        assert_eq!(a.rows.len(), b.rows.len(), "{model}");
        for (x, y) in a.rows.iter().zip(&b.rows) {
            assert!(
                (x.time_s - y.time_s).abs() < 1e-9,
                "{model}: {x:?} vs {y:?}"
            );
            assert!(
                (x.voltage_v - y.voltage_v).abs() < 1e-9,
                "{model}: {x:?} vs {y:?}"
            );
            assert!(
                (x.discharge_capacity_ah - y.discharge_capacity_ah).abs() < 1e-12,
                "{model}: {x:?} vs {y:?}"
            );
        }
    }
}

/// Voltage limits end a drive cycle: the lower one under heavy discharge, the upper one under
/// regenerative charging from full; the last row sits on the limit with the profile's charge up
/// to that time.
#[test]
fn voltage_limits_stop_a_drive_cycle() {
    // 2C: the DFN with Chen2020 finds no solution above about 2.4C (electrolyte depletion).
    let heavy = temp_csv("heavy.csv", "0,0\n10,10\n5000,10\n");
    let step = parse_step(&format!("Run {}", heavy.display()), 5.0).unwrap();
    let csv = rows(&heavy);
    for model in ["spm", "spme", "dfn"] {
        let out = run_model(model, 1.0, std::slice::from_ref(&step));
        assert!(
            out.reasons[0].ends_with("reached 2.5 V"),
            "{:?}",
            out.reasons
        );
        let last = out.rows.last().unwrap();
        assert!((last.voltage_v - 2.5).abs() < 1e-6, "{last:?}");
        assert!(last.time_s < 2000.0, "{last:?}");
        assert!((last.discharge_capacity_ah - charge(&csv, last.time_s)).abs() < 1e-12);
    }
    let regen = temp_csv("regen.csv", "0,0\n5,-10\n100,-10\n");
    let step = parse_step(&format!("Run {} until 3 V", regen.display()), 5.0).unwrap();
    let out = run_model("spme", 1.0, &[step]);
    assert!(
        out.reasons[0].ends_with("reached 4.2 V"),
        "{:?}",
        out.reasons
    );
    assert!((out.rows.last().unwrap().voltage_v - 4.2).abs() < 1e-6);
}

/// A missing file or a bad row is named with file, line and column in the step's error.
#[test]
fn bad_profiles_are_named() {
    let e = parse_step("Run /nonexistent/dir/cycle.csv", 5.0)
        .unwrap_err()
        .0;
    assert!(
        e.contains("/nonexistent/dir/cycle.csv") && e.contains("cannot read"),
        "{e}"
    );
    let bad = temp_csv("bad.csv", "time_s,current_A\n0,1\n10,1\n20,abc\n");
    let e = parse_step(&format!("Run {}", bad.display()), 5.0)
        .unwrap_err()
        .0;
    assert!(e.contains("bad.csv:4:4: current_A `abc`"), "{e}");
    let e = parse_step("Run x.csv until C/50", 5.0).unwrap_err().0;
    assert!(
        e.contains("cannot read") || e.contains("only at a voltage"),
        "{e}"
    );
}
