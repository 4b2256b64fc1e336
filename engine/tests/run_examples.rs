//! Every example deck in `input-decks/examples` runs serially and on 2 and 4 MPI ranks, and
//! the rank count does not change the answer: the same output times, the same fields (after
//! undoing the rank-dependent DOF numbering with `/mesh/original_dof`) and the same monitors.
mod common;
use common::*;
use std::path::Path;

/// Relative agreement required between rank counts (the decks use tight solver tolerances).
const RTOL: f64 = 1e-10;

struct RunOut {
    np: usize,
    summary: serde_json::Value,
    fields: Vec<FieldStep>,
    monitors: Csv,
    /// Geometry by original DOF id.
    geometry: Vec<[f64; 3]>,
}

fn run(deck: &Path, np: usize) -> RunOut {
    let out_dir = deck.with_extension(format!("np{np}"));
    let out = {
        let _g = mpi_lock();
        run_deck(np, deck, &out_dir, &[])
    };
    assert_code(&out, 0, &format!("{} on {np} rank(s)", deck.display()));
    let fields = read_field_series(&out_dir, "temperature");
    let stored_geom = read_geometry(&out_dir);
    let orig: Vec<i64> = galvana_h5::File::open(&out_dir.join("fields.h5"), false)
        .unwrap()
        .open_dataset("/mesh/original_dof")
        .unwrap()
        .read_all()
        .unwrap();
    let mut geometry = vec![[f64::NAN; 3]; orig.len()];
    for (k, &o) in orig.iter().enumerate() {
        geometry[o as usize] = stored_geom[k];
    }
    RunOut {
        np,
        summary: read_json(&out_dir.join("summary.json")),
        fields,
        monitors: Csv::read(&out_dir.join("monitors.csv")),
        geometry,
    }
}

fn compare(name: &str, a: &RunOut, b: &RunOut) {
    let what = format!("{name}: {} vs {} ranks", a.np, b.np);
    assert_eq!(b.summary["status"], "completed", "{what}");
    assert_eq!(b.summary["ranks"], b.np, "{what}: summary.json ranks");
    assert_eq!(
        a.summary["steps"], b.summary["steps"],
        "{what}: the rank count changed the number of time steps (adaptive step sequence)"
    );
    assert_eq!(a.summary["unknowns"], b.summary["unknowns"], "{what}");
    assert_eq!(
        a.fields.len(),
        b.fields.len(),
        "{what}: different numbers of field outputs"
    );
    assert!(!a.fields.is_empty(), "{what}: no field output");
    // The same mesh nodes behind the same original ids.
    for (i, (p, q)) in a.geometry.iter().zip(&b.geometry).enumerate() {
        let d = (0..3).map(|c| (p[c] - q[c]).abs()).fold(0.0, f64::max);
        assert!(d <= 1e-14, "{what}: original DOF {i} at {p:?} vs {q:?}");
    }
    let span = a.fields.last().unwrap().time.abs().max(1.0);
    for (fa, fb) in a.fields.iter().zip(&b.fields) {
        assert_eq!(fa.name, fb.name, "{what}");
        assert!(
            (fa.time - fb.time).abs() <= RTOL * span,
            "{what}: output {} at t = {} vs {}",
            fa.name,
            fa.time,
            fb.time
        );
        let d = rel_max_diff(&fa.original, &fb.original);
        assert!(
            d <= RTOL,
            "{what}: temperature at output {} (t = {}) differs by {d:.3e} (relative max)",
            fa.name,
            fa.time
        );
    }
    assert_monitors_agree(
        &a.monitors,
        &b.monitors,
        RTOL,
        &format!("{what}: monitors.csv"),
    );
    // Rows of monitors.csv are the field output times.
    let t = a.monitors.column("time_s");
    assert_eq!(
        t.len(),
        a.fields.len(),
        "{what}: monitor rows vs field outputs"
    );
    for (tm, f) in t.iter().zip(&a.fields) {
        assert!(
            (tm - f.time).abs() <= 1e-11 * span,
            "{what}: {tm} vs {}",
            f.time
        );
    }
}

/// Second-order output cells must list their edge nodes in XDMF's order, i.e. each edge node
/// sits at the midpoint of the XDMF edge it stands for.
fn check_quadratic_topology(dir: &Path) {
    let f = galvana_h5::File::open(&dir.join("fields.h5"), false).unwrap();
    let topo = f.open_dataset("/mesh/topology").unwrap();
    let npc = topo.shape()[1] as usize;
    let t: Vec<i64> = topo.read_all().unwrap();
    let g = read_geometry(dir);
    let edges: &[(usize, usize)] = match npc {
        10 => &[(0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (2, 3)],
        6 => &[(0, 1), (1, 2), (0, 2)],
        3 => &[(0, 1)],
        _ => return,
    };
    let first = npc - edges.len();
    for cell in t.chunks(npc) {
        for (k, &(a, b)) in edges.iter().enumerate() {
            let (pa, pb, pm) = (
                g[cell[a] as usize],
                g[cell[b] as usize],
                g[cell[first + k] as usize],
            );
            for c in 0..3 {
                assert!(
                    (pm[c] - 0.5 * (pa[c] + pb[c])).abs() <= 1e-12,
                    "{}: cell {cell:?}: node {} is not the midpoint of XDMF edge ({a}, {b})",
                    dir.display(),
                    first + k
                );
            }
        }
    }
}

#[test]
fn examples_give_the_same_answer_on_1_2_and_4_ranks() {
    let dir = copy_examples(&tempdir("run-examples"));
    // Battery, Biot–Savart, quench and cryostat decks have no mesh or fields: tests/battery.rs,
    // tests/magnetics.rs, tests/quench.rs and tests/cryostat.rs run them. Electrochemistry decks
    // are run on 1 and 2 ranks against analytic results by tests/electrochem.rs, magnetostatic
    // decks by tests/magnetostatic_example.rs.
    let decks: Vec<String> = example_decks()
        .into_iter()
        .filter(|n| {
            let text = std::fs::read_to_string(dir.join(format!("{n}.toml"))).unwrap();
            !text.contains("type = \"battery\"")
                && !text.contains("type = \"nernst_planck\"")
                && !text.contains("type = \"biot_savart\"")
                && !text.contains("type = \"quench\"")
                && !text.contains("type = \"magnetostatic\"")
                && !text.contains("type = \"cryostat\"")
        })
        .collect();
    assert!(!decks.is_empty());
    for name in &decks {
        let deck = dir.join(format!("{name}.toml"));
        let serial = run(&deck, 1);
        assert_eq!(serial.summary["status"], "completed", "{name}");
        assert_eq!(serial.summary["ranks"], 1, "{name}");
        for f in &serial.fields {
            assert!(
                f.original.iter().all(|v| v.is_finite()),
                "{name}: non-finite temperature at output {}",
                f.name
            );
        }
        check_quadratic_topology(&deck.with_extension("np1"));
        for np in [2, 4] {
            let par = run(&deck, np);
            compare(name, &serial, &par);
        }
    }
}
