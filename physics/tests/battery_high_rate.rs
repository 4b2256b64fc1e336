//! The DFN beyond the validation report's 0.5–2C, where the positive electrode's electrolyte
//! empties and the voltage falls steeply: Chen2020 from full charge to 2.5 V at 2.5C–8C against
//! PyBaMM's own runs (tests/data/pybamm/DFN_Chen2020_high_rate_cutoffs.csv, made by
//! make_high_rate.py). What makes these follow PyBaMM is its floors on c_e (D_e and κ_e at
//! max(c_e, 10 mol/m³), the MacInnes term's 1/c_e at max(c_e, 0.01)): with floors near zero the
//! 4C run found no solution at 106 s, PyBaMM reaching 2.5 V at 145 s.

use galvana_physics::battery::dfn::Dfn;
use galvana_physics::battery::experiment::parse;
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc};
use galvana_physics::battery::runner::run_partial;
use galvana_physics::battery::spme::Points;

/// (C-rate, time [s], capacity [A.h]) at PyBaMM's 2.5 V cut-off.
fn pybamm_cutoffs() -> Vec<(f64, f64, f64)> {
    let path = format!(
        "{}/tests/data/pybamm/DFN_Chen2020_high_rate_cutoffs.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("c_rate"))
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            (v[0], v[1], v[3])
        })
        .collect()
}

#[test]
fn dfn_high_rate_cutoffs_follow_pybamm() {
    let cases = pybamm_cutoffs();
    assert!(cases.len() >= 6, "{cases:?}");
    for (c, t_ref, q_ref) in cases {
        let p = chen2020();
        let (x, y) = stoichiometries_at_soc(&p, 1.0);
        let steps = parse(&[format!("Discharge at {c}C until 2.5 V")], 1, 5.0).unwrap();
        let part = run_partial(Dfn::new(p, x, y, Points::default()), &steps, 1.0, &[]);
        let last = part.outcome.rows.last().expect("rows");
        let dq = (last.discharge_capacity_ah - q_ref) / q_ref;
        eprintln!(
            "{c}C: end {:.2} s at {:.4} V, {:.5} A.h (PyBaMM {t_ref:.2} s, {q_ref:.5} A.h, {:+.3} %); {:?}",
            last.time_s,
            last.voltage_v,
            last.discharge_capacity_ah,
            dq * 100.0,
            part.error
        );
        if c == 3.0 {
            // The one known exception: the solution ends (no solution for a step, however
            // short) just past PyBaMM's cut-off time, a few mV above 2.5 V (docs/battery.md).
            assert!(
                part.error.is_some() || dq.abs() < 2e-3,
                "3C: {:?}",
                part.error
            );
            assert!(
                last.time_s > t_ref - 1.0 && last.voltage_v < 2.6,
                "3C: {last:?}"
            );
            continue;
        }
        assert!(part.error.is_none(), "{c}C: {:?}", part.error);
        assert!(
            part.outcome.reasons[0].contains("reached 2.5 V"),
            "{c}C: {:?}",
            part.outcome.reasons
        );
        // The capacity criterion of the 0.5–2C comparison (0.2 %); the time to within 0.5 s.
        assert!(dq.abs() < 2e-3, "{c}C: capacity {:+.3} %", dq * 100.0);
        assert!(
            (last.time_s - t_ref).abs() < 0.5,
            "{c}C: {} s vs {t_ref} s",
            last.time_s
        );
    }
}
