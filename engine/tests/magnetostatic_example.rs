//! The example deck `iron_core_electromagnet.toml` (an axisymmetric pot-core electromagnet
//! with a nonlinear steel core and a flat armature 1 mm away): run serially and on 2 ranks,
//! checked against the magnetic-circuit estimate, the energy/flux-linkage identity, Newton's
//! quadratic convergence, and in its linear limit.
mod common;
use common::*;
use std::path::Path;

const MU0: f64 = 1.256_637_062_12e-6;
/// Ampere-turns, gap, pole-face area (= shell-face area) of the deck.
const NI: f64 = 1000.0;
const GAP: f64 = 1e-3;
const AREA: f64 = std::f64::consts::PI * 1e-4;
/// Upper bound of the fringing gain (see the test).
const FRINGE: f64 = 1.47;

struct Run {
    post: serde_json::Value,
    /// Area-weighted mean B_z of the cell field `B` over the cells in the gap above the pole.
    b_gap_cells: f64,
    /// Mean B_z over the pole face at mid-gap, 2ψ(r_pole, z)/r_pole² (T).
    b_gap: f64,
    newton: Vec<f64>,
}

fn run(deck: &Path, np: usize, tag: &str) -> Run {
    let out_dir = deck.with_extension(tag);
    let out = {
        let _g = mpi_lock();
        run_deck(np, deck, &out_dir, &["-q"])
    };
    assert_code(&out, 0, &format!("{} on {np} rank(s)", deck.display()));
    let summary = read_json(&out_dir.join("summary.json"));
    assert_eq!(summary["status"], "completed");
    let geom = read_geometry(&out_dir);
    let psi = &read_field_series(&out_dir, "psi")[0].stored;
    // The mesh has a node at the pole's edge r = 10 mm on the mid-gap line? Take the nearest
    // node to (10 mm, 30.5 mm) and use its own radius.
    let (k, _) = geom
        .iter()
        .enumerate()
        .map(|(k, g)| (k, (g[0] - 0.010).powi(2) + (g[1] - 0.0305).powi(2)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    let r = geom[k][0];
    let newton = read_jsonl(&out_dir.join("residuals.jsonl"))
        .into_iter()
        .filter(|v| v["kind"] == "nonlinear")
        .map(|v| v["norm"].as_f64().unwrap())
        .collect();
    // The cell field B (ParaView output): its mean B_z over the gap above the pole.
    let f = galvana_h5::File::open(&out_dir.join("fields.h5"), false).unwrap();
    let b: Vec<f64> = f
        .open_dataset("/cell_fields/B/000000")
        .unwrap()
        .read_all()
        .unwrap();
    let topo: Vec<i64> = f
        .open_dataset("/mesh/topology")
        .unwrap()
        .read_all()
        .unwrap();
    let orig: Vec<i64> = f
        .open_dataset("/mesh/original_dof")
        .unwrap()
        .read_all()
        .unwrap();
    let mut by_orig = vec![[0.0; 3]; geom.len()];
    for (k, &o) in orig.iter().enumerate() {
        by_orig[o as usize] = geom[k];
    }
    let (mut sum, mut area) = (0.0, 0.0);
    for (c, t) in topo.chunks(3).enumerate() {
        let v: Vec<[f64; 3]> = t.iter().map(|&i| by_orig[i as usize]).collect();
        let (xc, yc) = (
            (v[0][0] + v[1][0] + v[2][0]) / 3.0,
            (v[0][1] + v[1][1] + v[2][1]) / 3.0,
        );
        if xc < 0.010 && yc > 0.030 && yc < 0.031 {
            let a = 0.5
                * ((v[1][0] - v[0][0]) * (v[2][1] - v[0][1])
                    - (v[2][0] - v[0][0]) * (v[1][1] - v[0][1]))
                    .abs();
            // Weight 2πr: the mean over the pole face, as the flux through it.
            sum += a * xc * b[3 * c + 1];
            area += a * xc;
        }
    }
    Run {
        b_gap_cells: sum / area,
        post: summary["final_postprocessors"].clone(),
        b_gap: 2.0 * psi[k] / (r * r),
        newton,
    }
}

fn num(v: &serde_json::Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("summary.json has no number `{key}`: {v}"))
}

/// Quadratic convergence on the last three steps: C_k = |R_k+1|/|R_k|² within a factor 10
/// (a linear rate makes C_k grow by 1/rate per step) and the last step cuts |R| by > 1000.
fn assert_quadratic(norms: &[f64]) {
    let n = norms.len();
    assert!(n >= 4, "too few Newton steps: {norms:?}");
    let c: Vec<f64> = (n - 3..n)
        .map(|k| norms[k] / norms[k - 1].powi(2))
        .collect();
    let spread =
        c.iter().cloned().fold(0.0, f64::max) / c.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(
        spread < 10.0 && norms[n - 1] / norms[n - 2] < 1e-3,
        "Newton not quadratic: C_k {c:?}, history {norms:?}"
    );
}

#[test]
fn iron_core_electromagnet_against_the_magnetic_circuit_and_on_two_ranks() {
    let dir = copy_examples(&tempdir("magnetostatic-example"));
    let deck = dir.join("iron_core_electromagnet.toml");
    let serial = run(&deck, 1, "np1");
    let p = &serial.post;
    let (w, wc, lam, force) = (
        num(p, "stored_energy_J"),
        num(p, "coenergy_J"),
        num(p, "flux_linkage_winding_Wb"),
        num(p, "force_armature_N"),
    );
    let current = 2.0;
    println!(
        "B_gap {:.4} T (cells {:.4} T), W {w:.6e} J, W' {wc:.6e} J, flux linkage {lam:.6e} Wb, F {force:.3} N",
        serial.b_gap, serial.b_gap_cells
    );
    println!("Newton history {:?}", serial.newton);
    // W + W' = ∫ B·H dV = ∫ A·J dV = Λ I (ψ = 0 on the whole boundary): exact for the discrete
    // solution too (it is the Galerkin equation tested with ψ itself), up to the solver tolerance.
    assert!(
        ((w + wc) / (lam * current) - 1.0).abs() < 1e-8,
        "W + W' = {} vs Λ I = {}",
        w + wc,
        lam * current
    );
    // Nonlinear: the co-energy exceeds the energy once the steel saturates somewhere.
    assert!(wc > w, "W' = {wc} should exceed W = {w} in a nonlinear run");
    // Magnetic circuit (infinitely permeable iron, no fringing, no leakage): B = μ0 NI/(2g)
    // over the pole face and F = −2 B² A/(2μ0). Fringing only adds permeance to the gaps; the
    // usual generous estimate extends every pole dimension by one gap length on each side
    // (pole face area ×1.21, shell face ×1.885 here), which raises the gap flux, and so the
    // flux through the pole face, by at most FRINGE = 2/(1/1.21 + 1/1.885) = 1.47, and the
    // force by about as much. The steel's own reluctance takes a few per cent off (5 % allowed).
    let b_circuit = MU0 * NI / (2.0 * GAP);
    let f_circuit = -b_circuit * b_circuit * AREA / MU0;
    let ratio = serial.b_gap / b_circuit;
    assert!(
        ratio > 0.95 && ratio < FRINGE,
        "gap B {} vs circuit {b_circuit}",
        serial.b_gap
    );
    let fr = force / f_circuit;
    assert!(
        fr > 0.95 && fr < FRINGE,
        "force {force} N vs circuit {f_circuit} N"
    );
    assert_quadratic(&serial.newton);
    // The B written for ParaView agrees with the flux-function reading of the gap field (the
    // cells average over the gap's height, ψ is read at mid-gap; 2 % allowed).
    assert!(
        (serial.b_gap_cells / serial.b_gap - 1.0).abs() < 0.02,
        "cell field B_z in the gap {} vs 2ψ/r² {}",
        serial.b_gap_cells,
        serial.b_gap
    );

    // Two ranks: the same answer to solver tolerance.
    let par = run(&deck, 2, "np2");
    for key in [
        "stored_energy_J",
        "coenergy_J",
        "flux_linkage_winding_Wb",
        "force_armature_N",
        "inductance_winding_H",
    ] {
        let (a, b) = (num(p, key), num(&par.post, key));
        assert!(
            ((a - b) / a).abs() < 1e-8,
            "{key}: serial {a} vs 2 ranks {b}"
        );
    }

    // Linear limit: very permeable linear iron and the circuit formula (bounds as above). Flux
    // linkage counts the window's leakage flux as well as the gap's, so only B in the gap and
    // the force are compared with the circuit.
    let text = std::fs::read_to_string(&deck).unwrap();
    let start = text.find("[materials.steel]").unwrap();
    let end = text.find("[materials.air]").unwrap();
    let linear = format!(
        "{}[materials.steel]\ntype = \"magnetic_linear\"\nregions = [\"core\", \"armature\"]\nmu_r = 1e6\n\n{}",
        &text[..start],
        &text[end..]
    );
    let ldeck = write_deck(&dir, "linear_limit.toml", linear);
    let lin = run(&ldeck, 1, "lin");
    let lf = num(&lin.post, "force_armature_N");
    let (lw, lwc) = (
        num(&lin.post, "stored_energy_J"),
        num(&lin.post, "coenergy_J"),
    );
    println!("linear limit: B_gap {:.4} T (circuit {b_circuit:.4}), F {lf:.3} N (circuit {f_circuit:.3})", lin.b_gap);
    let lratio = lin.b_gap / b_circuit;
    assert!(
        lratio > 1.0 && lratio < FRINGE,
        "linear: gap B {} vs {b_circuit}",
        lin.b_gap
    );
    let lfr = lf / f_circuit;
    assert!(
        lfr > 1.0 && lfr < FRINGE,
        "linear: force {lf} vs {f_circuit}"
    );
    // Without the iron's reluctance the linear limit carries more flux than the steel.
    assert!(
        lin.b_gap > serial.b_gap,
        "linear limit {} <= steel {}",
        lin.b_gap,
        serial.b_gap
    );
    // Linear materials: energy and co-energy are equal, and both inductances agree.
    assert!((lw / lwc - 1.0).abs() < 1e-10, "linear: W {lw} vs W' {lwc}");
    let (l1, l2) = (
        num(&lin.post, "inductance_winding_H"),
        num(&lin.post, "inductance_energy_H"),
    );
    assert!(
        (l1 / l2 - 1.0).abs() < 1e-8,
        "linear: L from flux {l1} vs from energy {l2}"
    );
    assert_quadratic_or_one_step(&lin.newton);
}

/// A linear problem converges in one Newton step (to the linear solver's tolerance).
fn assert_quadratic_or_one_step(norms: &[f64]) {
    assert!(
        norms.len() <= 3,
        "linear problem took {} Newton steps: {norms:?}",
        norms.len() - 1
    );
}

/// Bad magnetostatic decks: `galvana check` names file, line and key, exit code 3.
#[test]
fn bad_magnetostatic_decks_get_located_errors() {
    let dir = copy_examples(&tempdir("magnetostatic-bad"));
    let text = std::fs::read_to_string(dir.join("iron_core_electromagnet.toml")).unwrap();
    let cases = [
        // A B-H table that falls: the pair is named (1-based) with its values.
        (
            text.replace("[1000.0, 1.0513]", "[1000.0, 0.5]"),
            "pair 5 is (1000, 0.5)",
        ),
        (
            text.replace("current = 2.0", "current = 2.0\ncurrent_density = 1.0"),
            "not both",
        ),
        (
            text.replace("geometry = \"axisymmetric\"", "geometry = \"spherical\""),
            "spherical",
        ),
        (
            text.replace("type = \"magnetic_linear\"", "type = \"constant\""),
            "missing required parameter `k`",
        ),
        (
            text.replace("type = \"magnetic_potential\"", "type = \"temperature\""),
            "temperature",
        ),
    ];
    for (i, (deck_text, needle)) in cases.iter().enumerate() {
        assert_ne!(deck_text, &text, "case {i}: the replacement did not apply");
        let deck = write_deck(&dir, &format!("bad{i}.toml"), deck_text);
        let out = galvana_in(&dir, &["check", deck.to_str().unwrap()]);
        assert_code(&out, 3, &format!("bad deck {i}"));
        let err = stderr(&out) + &stdout(&out);
        assert!(err.contains(needle), "case {i}: `{needle}` not in:\n{err}");
        let line = err
            .lines()
            .find(|l| l.contains("error:"))
            .unwrap_or_else(|| panic!("case {i}: no error line:\n{err}"));
        assert!(
            line.contains(&format!("bad{i}.toml:")),
            "case {i}: no file:line in {line}"
        );
    }
}
