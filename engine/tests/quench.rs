//! Quench decks through `galvana check` and `galvana run`: the NbTi-solenoid example's load line
//! against the critical surface and a direct loop sum, its quench against the energy balance,
//! and mistakes pointing at their line.
mod common;
use common::*;
use galvana_physics::magnetics::thick_inductance::{thick_self, CoilSection};
use galvana_physics::magnetics::{ThickSolenoid, MU0_CODATA2018};
use galvana_physics::quench::deck::midpoint_sum;
use galvana_physics::superconductor::nbti::Bottura;
use galvana_physics::superconductor::CriticalSurface;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn the_nbti_solenoid_example_gives_a_consistent_load_line_and_quench() {
    let dir = copy_examples(&tempdir("quench-example"));
    let out = galvana_in(&dir, &["check", "nbti_solenoid_quench.toml"]);
    assert_code(&out, 0, "check of the example");
    let out_dir = dir.join("out");
    let out = run_deck(1, &dir.join("nbti_solenoid_quench.toml"), &out_dir, &["-q"]);
    assert_code(&out, 0, "run of the example");
    let s = read_json(&out_dir.join("summary.json"));
    assert_eq!(s["status"], "completed");

    // Peak field per ampere: midpoint loop sums converge at first order (the error halves with
    // the cell size: checked here on finer grids than the deck's), and the deck's extrapolated
    // value agrees with the extrapolation of the finer pair.
    let k = s["peak_field_per_amp_T_per_A"].as_f64().unwrap();
    let sol = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.07,
        0.2,
        2000.0,
        1.0,
        (4, 8, 8),
    )
    .unwrap();
    let (b1, b2, b3) = (
        midpoint_sum(&sol, 100, 400),
        midpoint_sum(&sol, 200, 800),
        midpoint_sum(&sol, 400, 1600),
    );
    let ratio = (b2 - b1) / (b3 - b2);
    assert!((1.8..2.2).contains(&ratio), "convergence ratio {ratio}");
    let fine = 2.0 * b3 - b2;
    assert!(rel(k, fine) < 2e-4, "k = {k} vs extrapolated {fine}");
    // And the long-solenoid limit bounds it: B < mu0 N I / L (a finite solenoid is weaker).
    assert!(k < MU0_CODATA2018 * 2000.0 / 0.2 && k > 0.8 * MU0_CODATA2018 * 2000.0 / 0.2);

    // Load line: I_ss = A_sc Jc(k I_ss, 4.2 K) on Bottura's surface, evaluated here.
    let ll = &s["load_line"];
    let nbti = Bottura::default();
    let i_ss = ll["short_sample_current_A"].as_f64().unwrap();
    assert!(rel(0.5e-6 * nbti.jc(k * i_ss, 4.2), i_ss) < 1e-9);
    assert!(rel(ll["load_line_fraction"].as_f64().unwrap(), 400.0 / i_ss) < 1e-12);
    let tcs = ll["current_sharing_temperature_K"].as_f64().unwrap();
    assert!(rel(0.5e-6 * nbti.jc(k * 400.0, tcs), 400.0) < 1e-6);
    let csv = Csv::read(&out_dir.join("load_line.csv"));
    let (b, ic, il) = (
        csv.column("B_T"),
        csv.column("critical_current_A"),
        csv.column("load_line_current_A"),
    );
    // The curves cross once, between the rows that bracket the short-sample field.
    let crossings = (1..b.len())
        .filter(|&j| (ic[j - 1] - il[j - 1]).signum() != (ic[j] - il[j]).signum())
        .count();
    assert_eq!(crossings, 1);

    // Quench: detection, switch, discharge and the energy balance.
    let q = &s["quench"];
    let (td, ts) = (
        q["t_detect_s"].as_f64().unwrap(),
        q["t_switch_s"].as_f64().unwrap(),
    );
    assert!(rel(ts - td, 0.01) < 1e-9 && td >= 0.01);
    let e = &q["energy_J"];
    let g = |n: &str| e[n].as_f64().unwrap();
    assert!(rel(g("conductor_enthalpy_rise"), g("heater") + g("joule")) < 1e-7);
    assert!(
        rel(
            g("magnet_released"),
            g("dump") + g("joule") - g("joule_before_switch")
        ) < 1e-7
    );
    // The example has no `inductance`: it is the solenoid's, from its winding geometry.
    let l = s["inductance_H"].as_f64().unwrap();
    let coil = CoilSection::new(0.05, 0.07, 0.2, 0.0, 2000.0).unwrap();
    assert!(rel(l, thick_self(MU0_CODATA2018, &coil).unwrap()) < 1e-12);
    assert!(s["inductance_source"]
        .as_str()
        .unwrap()
        .contains("geometry"));
    let stored = 0.5 * l * 400.0 * 400.0;
    assert!(g("magnet_released") <= stored && g("magnet_released") > 0.99 * stored);
    let qc = Csv::read(&out_dir.join("quench.csv"));
    let (t, i, miits, vd) = (
        qc.column("time_s"),
        qc.column("current_A"),
        qc.column("miits_A2s"),
        qc.column("v_dump_V"),
    );
    assert!(miits.windows(2).all(|w| w[1] >= w[0]));
    assert!(*i.last().unwrap() < 0.01 * 400.0);
    // After the switch each (implicit Euler) step divides the current by at least
    // 1 + dt R_dump / L: the normal zone only adds resistance.
    for k in 1..t.len() {
        if t[k - 1] >= ts - 1e-12 {
            let dt = t[k] - t[k - 1];
            assert!(
                i[k] <= i[k - 1] / (1.0 + dt * 2.5 / l) * (1.0 + 1e-9),
                "step {k}"
            );
            assert!(rel(vd[k], 2.5 * i[k]) < 1e-12);
        } else if t[k] < ts - 1e-12 {
            assert_eq!(vd[k], 0.0);
            assert!(rel(i[k], 400.0) < 1e-15);
        }
    }
    let jl = read_jsonl(&out_dir.join("residuals.jsonl"));
    assert_eq!(jl.last().unwrap()["kind"], "done");
}

#[test]
fn mistakes_in_quench_decks_point_at_their_line() {
    let dir = tempdir("quench-bad");
    let base = std::fs::read_to_string(examples_dir().join("nbti_solenoid_quench.toml")).unwrap();
    let cases: Vec<(String, &str, &str)> = vec![
        (
            base.replacen("superconductor = \"nbti\"", "superconductor = \"nbtii\"", 1),
            "superconductor = \"nbtii\"",
            "nbti",
        ),
        (
            base.replacen("rrr = 100.0", "rrr = 100.0\npeak_field_per_amp = 0.01", 1),
            "peak_field_per_amp = 0.01",
            "not both",
        ),
        (
            base.replacen("center = 2.0", "center = 9.0", 1),
            "heater = {",
            "overlap the modelled length",
        ),
        (
            base.replacen(
                "operating_temperature = 4.2",
                "operating_temperature = 9.5",
                1,
            ),
            "operating_temperature = 9.5",
            "not superconducting",
        ),
        (
            base.replacen("dump_resistance = 2.5", "dump_resistnce = 2.5", 1),
            "dump_resistnce = 2.5",
            "did you mean `dump_resistance`?",
        ),
        (
            // No solenoid to take the inductance from, and none given.
            base.split("\n[sources.coil]").next().unwrap().replacen(
                "rrr = 100.0",
                "rrr = 100.0\npeak_field_per_amp = 0.01",
                1,
            ),
            "[physics]",
            "needs `inductance`",
        ),
    ];
    for (k, (text, at, msg)) in cases.iter().enumerate() {
        let file = format!("bad{k}.toml");
        write_deck(&dir, &file, text);
        let out = galvana_in(&dir, &["check", &file]);
        assert_code(&out, 3, &format!("case {k}"));
        let (line, _) = position_of(text, at);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{file}:{line}:")) && err.contains(msg),
            "case {k}: expected `{msg}` at line {line}:\n{err}"
        );
    }
}
