//! Nernst–Planck–Poisson with Butler–Volmer electrodes: the example decks on 1 and 2 MPI ranks
//! against the classical analytic results of electroanalytical chemistry, and conservation of
//! the species to solver tolerance.
mod common;
use common::*;
use std::path::{Path, PathBuf};

const F: f64 = 96_485.332_12;
const R: f64 = 8.314_462_618;
const T: f64 = 298.15;

struct Run {
    dir: PathBuf,
    monitors: Csv,
    summary: serde_json::Value,
}

fn run(name: &str, np: usize) -> Run {
    let dir = copy_examples(&tempdir(&format!("ec-{name}-{np}")));
    let deck = dir.join(format!("{name}.toml"));
    let out_dir = dir.join(format!("out-np{np}"));
    let out = {
        let _g = mpi_lock();
        run_deck(np, &deck, &out_dir, &["-q"])
    };
    assert_code(&out, 0, &format!("{name} on {np} rank(s)"));
    Run {
        monitors: Csv::read(&out_dir.join("monitors.csv")),
        summary: read_json(&out_dir.join("summary.json")),
        dir: out_dir,
    }
}

fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The conserved amount changes only by what crossed the boundaries, to solver tolerance: each
/// step leaves at most √n·atol (mol/s) of residual, so over the run at most end·√n·atol.
fn assert_conserved(r: &Run, what: &str, atol: f64) {
    let t = r.monitors.column("time_s");
    let err = r.monitors.column("amount_balance_error_mol");
    let n = r.summary["unknowns"].as_f64().unwrap();
    let bound = t.last().unwrap() * n.sqrt() * atol;
    let worst = err.iter().fold(0.0f64, |m, e| m.max(e.abs()));
    assert!(
        worst <= bound,
        "{what}: amount balance error {worst:e} mol, solver tolerance allows {bound:e}"
    );
}

/// The same checks serially and on 2 ranks. The adaptive step sequences of these stiff
/// start-ups are not identical between rank counts (an accept/reject decision in the first
/// microseconds flips on round-off), so each run is held to the analytic result instead of to
/// the other row by row; with fixed steps the monitors agree to 1e-11.
fn both_ranks(name: &str, check: impl Fn(&Run, &str)) {
    let serial = run(name, 1);
    check(&serial, &format!("{name}, 1 rank"));
    let par = run(name, 2);
    assert_eq!(par.summary["ranks"], 2);
    check(&par, &format!("{name}, 2 ranks"));
}

#[test]
fn potential_step_follows_cottrell() {
    both_ranks("cottrell_potential_step", |r, what| {
        let (t, i) = (
            r.monitors.column("time_s"),
            r.monitors.column("current_electrode_A"),
        );
        let d = 7.2e-10;
        let mut worst = 0.0f64;
        let mut n = 0;
        // From 0.1 ms (the first steps resolve the start-up) to 1 s, where the diffusion layer
        // (6 sqrt(D t) = 0.16 mm) is still inside the 0.5 mm cell: semi-infinite holds.
        for (t, i) in t.iter().zip(&i).filter(|(t, _)| **t >= 1e-4) {
            let cottrell = -F * 1.0 * (d / (std::f64::consts::PI * t)).sqrt();
            worst = worst.max((i / cottrell - 1.0).abs());
            n += 1;
        }
        assert!(n >= 10, "{what}: only {n} samples");
        assert!(
            worst <= 0.01,
            "{what}: Cottrell current off by {:.3} %",
            100.0 * worst
        );
        assert_conserved(r, what, 1e-14);
    });
}

#[test]
fn cyclic_voltammogram_has_randles_sevcik_peaks() {
    both_ranks("cyclic_voltammetry", |r, what| {
        let t = r.monitors.column("time_s");
        let e = r.monitors.column("potential_electrode_V");
        let i = r.monitors.column("current_electrode_A");
        // Forward sweep after its start-up transient, and the reverse sweep.
        let fwd: Vec<usize> = (0..t.len())
            .filter(|&k| t[k] > 1.0 && t[k] <= 6.0)
            .collect();
        let rev: Vec<usize> = (0..t.len()).filter(|&k| t[k] > 6.0).collect();
        let kc = *fwd.iter().min_by(|&&a, &&b| i[a].total_cmp(&i[b])).unwrap();
        let ka = *rev.iter().max_by(|&&a, &&b| i[a].total_cmp(&i[b])).unwrap();
        let (d, v) = (7.2e-10, 0.1);
        let ip = 0.4463 * F * 1.0 * (F * v * d / (R * T)).sqrt();
        let err = (-i[kc] / ip - 1.0).abs();
        assert!(
            err <= 0.02,
            "{what}: peak {} vs Randles-Sevcik {ip}: {:.2} %",
            -i[kc],
            100.0 * err
        );
        // Reversible: E_pc = E1/2 − 1.109 RT/F = −28.5 mV; ΔE_p ≈ 57–59 mV at 25 °C.
        let epc = e[kc] * 1e3;
        assert!(
            (epc + 28.5).abs() <= 1.5,
            "{what}: cathodic peak at {epc:.2} mV"
        );
        let sep = (e[ka] - e[kc]) * 1e3;
        assert!(
            (56.5..=59.5).contains(&sep),
            "{what}: peak separation {sep:.2} mV"
        );
        assert_conserved(r, what, 1e-14);
    });
}

#[test]
fn galvanostatic_step_ends_at_sands_time() {
    both_ranks("sand_galvanostatic", |r, what| {
        let t = r.monitors.column("time_s");
        let i = r.monitors.column("current_density_electrode_A_m2");
        // The potential was solved so that the current is the imposed one at every step.
        for (k, c) in i.iter().enumerate().skip(1) {
            assert!(
                (c + 1.0).abs() <= 1e-6,
                "{what}: current {c} at t = {}",
                t[k]
            );
        }
        let tau = std::f64::consts::PI * 7.2e-10 * F * F / 4.0;
        let end = *t.last().unwrap();
        assert!(
            (end / tau - 1.0).abs() <= 0.02,
            "{what}: transition at {end} s, Sand {tau} s"
        );
        let msg = r.summary["message"].as_str().unwrap();
        assert!(
            msg.contains("completed early") && msg.contains("[-0.5, 0.5]"),
            "{what}: {msg}"
        );
        assert_conserved(r, what, 1e-14);
    });
}

#[test]
fn debye_layer_obeys_gouy_chapman_stern() {
    both_ranks("debye_layer_poisson", |r, what| {
        let last = r.monitors.rows.len() - 1;
        let amount = |s: &str| r.monitors.column(&format!("amount_{s}_mol"))[last];
        let sigma = -F * (amount("K") - amount("Cl"));
        let phi_s = 0.1 - sigma / 0.2;
        let eps = 78.5 * 8.854_187_812_8e-12;
        let gc = (8.0 * R * T * eps * 10.0).sqrt() * (F * phi_s / (2.0 * R * T)).sinh();
        assert!(
            sigma > 0.0,
            "{what}: the metal at +0.1 V must be positive, sigma = {sigma}"
        );
        assert!(
            (sigma / gc - 1.0).abs() <= 1e-3,
            "{what}: sigma {sigma} vs Gouy-Chapman {gc}"
        );
        // The potential peaks at the diffuse layer's edge, where it meets the Stern layer.
        let phi_max = r.monitors.column("max_potential_V")[last];
        assert!(
            (phi_max - phi_s).abs() <= 1e-3 * phi_s,
            "{what}: phi_s {phi_max} vs {phi_s}"
        );
        assert!(r.dir.join("fields.h5").exists());
        assert_conserved(r, what, 1e-10);
    });
}

#[test]
fn bad_electrochemistry_decks_name_the_key() {
    let dir = copy_examples(&tempdir("ec-bad"));
    let base = std::fs::read_to_string(dir.join("sand_galvanostatic.toml")).unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            set_key(
                &base,
                "[physics]",
                "concentrations",
                "concentrations = [1.0, 0.0, 1000.0, 1000.0]",
            ),
            "net charge",
        ),
        (
            set_key(&base, "[physics]", "charges", "charges = [-3, -4, 1]"),
            "`charges` has 3 values",
        ),
        (
            set_key(&base, "[bcs.electrode]", "oxidant", "oxidant = \"Fe3\""),
            "names species `Fe3`",
        ),
        (
            set_key(&base, "[bcs.electrode]", "reductant", "reductant = \"Cl\""),
            "supporting ion last",
        ),
        (
            set_key(
                &base,
                "[bcs.electrode]",
                "potential_limits",
                "scan_rate = 0.1",
            ),
            "`scan_rate` is not used by drive = \"galvanostatic\"",
        ),
    ];
    for (k, (text, want)) in cases.iter().enumerate() {
        let p = write_deck(&dir, &format!("bad{k}.toml"), text);
        let out = galvana_in(&dir, &["check", p.to_str().unwrap()]);
        assert_code(&out, 3, &format!("bad deck {k}"));
        let err = stderr(&out);
        assert!(err.contains(want), "bad deck {k}: want `{want}` in\n{err}");
        assert!(
            err.contains(&format!("bad{k}.toml:")),
            "bad deck {k}: no position in\n{err}"
        );
    }
}
