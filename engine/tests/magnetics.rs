//! Biot–Savart decks through `galvana check` and `galvana run`: the Helmholtz-pair example
//! against the analytic on-axis field, a solenoid and a polyline coil against closed forms,
//! and mistakes pointing at their line.
mod common;
use common::*;
use galvana_physics::magnetics::thick_inductance::{thick_self, CoilSection};
use galvana_physics::magnetics::{ThickSolenoid, MU0_CODATA2018};

const MU0: f64 = MU0_CODATA2018;

/// On-axis B_z of a loop of radius r at axial position z0, n turns of current i.
fn loop_bz(r: f64, z0: f64, n: f64, i: f64, z: f64) -> f64 {
    let d = z - z0;
    MU0 * n * i * r * r / (2.0 * (r * r + d * d).powf(1.5))
}

#[test]
fn the_helmholtz_example_matches_the_analytic_axis_field() {
    let dir = copy_examples(&tempdir("magnetics-example"));
    let deck = dir.join("helmholtz_pair.toml");
    let out = galvana_in(&dir, &["check", "helmholtz_pair.toml"]);
    assert_code(&out, 0, "check of the example");
    assert!(
        stdout(&out).contains("2 coil(s), 3 target(s)"),
        "{}",
        describe(&out)
    );
    let out_dir = dir.join("out");
    let out = run_deck(1, &deck, &out_dir, &["-q"]);
    assert_code(&out, 0, "run of the example");

    let (r, n, i) = (0.1, 100.0, 1.0);
    let csv = Csv::read(&out_dir.join("line_axis.csv"));
    assert_eq!(csv.header, ["x", "y", "z", "Bx", "By", "Bz", "B"]);
    assert_eq!(csv.rows.len(), 401);
    let (z, bz, bx, b) = (
        csv.column("z"),
        csv.column("Bz"),
        csv.column("Bx"),
        csv.column("B"),
    );
    let mut worst = 0.0f64;
    for k in 0..z.len() {
        let exact = loop_bz(r, -r / 2.0, n, i, z[k]) + loop_bz(r, r / 2.0, n, i, z[k]);
        worst = worst.max(((bz[k] - exact) / exact).abs());
        assert!(bx[k].abs() <= 1e-12 * exact, "no radial field on the axis");
        assert!(((b[k] - bz[k].abs()) / exact).abs() < 1e-12);
    }
    println!("worst relative error on the axis: {worst:.3e}");
    assert!(worst < 1e-12, "axis field off by {worst:e}");

    let centre = (0.8f64).powf(1.5) * MU0 * n * i / r;
    let k0 = z
        .iter()
        .position(|z| z.abs() < 1e-15)
        .expect("a point at the centre");
    assert!(
        ((bz[k0] - centre) / centre).abs() < 1e-12,
        "{} vs {centre}",
        bz[k0]
    );

    let summary = read_json(&out_dir.join("summary.json"));
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["physics"], "biot_savart");
    let targets = summary["targets"].as_array().unwrap();
    let t = |name: &str| targets.iter().find(|t| t["name"] == name).unwrap().clone();
    let h_centre = t("centre")["homogeneity"].as_f64().unwrap();
    let h_axis = t("axis")["homogeneity"].as_f64().unwrap();
    println!("homogeneity: centre {h_centre:.3e}, axis {h_axis:.3e}");
    // B(z) ≈ B0 (1 − 144/125 (z/R)⁴): over ±R/10 the spread is about 1.2e-4.
    assert!(h_centre < 2e-4 && h_centre > 1e-6, "{h_centre}");
    assert!(h_axis > 0.5);
    let peak_axis = t("axis")["peak_B_T"].as_f64().unwrap();
    assert!(((peak_axis - centre) / centre).abs() < 1e-12);
    assert!(summary["peak_B_T"].as_f64().unwrap() >= peak_axis);
    let l = summary["inductance_H"].as_f64().unwrap();
    assert!(l > 0.0 && l.is_finite(), "{l}");
    assert!(out_dir.join("plane_xz.csv").exists());
    let plane = Csv::read(&out_dir.join("plane_xz.csv"));
    assert_eq!(plane.rows.len(), 31 * 61);
    let h5 = galvana_h5::File::open(&out_dir.join("field_map.h5"), false).unwrap();
    let bm: Vec<f64> = h5
        .open_dataset("xz/B_magnitude")
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(bm, plane.column("B"), "field_map.h5 holds the plane's |B|");
    let xdmf = std::fs::read_to_string(out_dir.join("field_map.xdmf")).unwrap();
    assert!(xdmf.contains(r#"TopologyType="2DSMesh" Dimensions="31 61""#));
    // Under mpirun rank 0 does the work and the other ranks exit cleanly: same files.
    let np2 = dir.join("out-np2");
    let out = {
        let _g = mpi_lock();
        run_deck(2, &deck, &np2, &["-q"])
    };
    assert_code(&out, 0, "run of the example on 2 ranks");
    assert_eq!(Csv::read(&np2.join("line_axis.csv")).rows, csv.rows);
    let events = read_jsonl(&out_dir.join("residuals.jsonl"));
    let last = events.last().unwrap();
    assert_eq!(last["kind"], "done");
    assert_eq!(last["status"], "completed");
}

#[test]
fn solenoid_and_polyline_coils_match_closed_forms() {
    let dir = tempdir("magnetics-coils");
    let deck = write_deck(
        &dir,
        "coils.toml",
        r#"
[physics]
type = "biot_savart"

[sources.sol]
type = "solenoid"
r_in = 0.05
r_out = 0.07
length = 0.3
turns = 500.0
current = 2.0
quadrature = { nr = 8, nz = 16, panels = 8 }

[postprocessors.axis]
type = "line"
start = [0.0, 0.0, -0.1]
end = [0.0, 0.0, 0.1]
n = 11
"#,
    );
    let out = run_deck(1, &deck, &dir.join("out"), &["-q"]);
    assert_code(&out, 0, "solenoid deck");
    let csv = Csv::read(&dir.join("out/line_axis.csv"));
    let s = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.07,
        0.3,
        500.0,
        2.0,
        (1, 1, 1),
    )
    .unwrap();
    for (z, bz) in csv.column("z").iter().zip(csv.column("Bz")) {
        let exact = s.axial_field(MU0, *z);
        assert!(
            ((bz - exact) / exact).abs() < 1e-9,
            "z {z}: {bz} vs {exact}"
        );
    }
    let summary = read_json(&dir.join("out/summary.json"));
    // A solenoid's inductance comes from its winding geometry (checked against published
    // values in physics/tests/thick_inductance.rs; here the plumbing).
    let l = summary["inductance_H"].as_f64().unwrap();
    let coil = CoilSection::new(0.05, 0.07, 0.3, 0.0, 500.0).unwrap();
    let expect = thick_self(MU0, &coil).unwrap();
    assert!(((l - expect) / expect).abs() < 1e-12, "{l} vs {expect}");

    // A square of side a: B at its centre is 2√2 μ0 I/(π a).
    let a = 0.2;
    let h = a / 2.0;
    let deck = write_deck(
        &dir,
        "square.toml",
        format!(
            r#"
[physics]
type = "biot_savart"

[sources.square]
type = "polyline"
points = [{m}, {m}, 0.0, {h}, {m}, 0.0, {h}, {h}, 0.0, {m}, {h}, 0.0, {m}, {m}, 0.0]
current = 3.0

[postprocessors.centre]
type = "line"
start = [0.0, 0.0, 0.0]
end = [0.0, 0.0, 0.01]
n = 2
"#,
            m = -h
        ),
    );
    let out = run_deck(1, &deck, &dir.join("out-sq"), &["-q"]);
    assert_code(&out, 0, "polyline deck");
    let bz = Csv::read(&dir.join("out-sq/line_centre.csv")).column("Bz")[0];
    let exact = 2.0 * 2f64.sqrt() * MU0 * 3.0 / (std::f64::consts::PI * a);
    assert!(((bz - exact) / exact).abs() < 1e-12, "{bz} vs {exact}");
    // No inductance for a polyline: null with the reason.
    let summary = read_json(&dir.join("out-sq/summary.json"));
    assert!(summary["inductance_H"].is_null());
    assert!(summary["inductance_note"]
        .as_str()
        .unwrap()
        .contains("polyline"));
}

#[test]
fn mistakes_in_biot_savart_decks_point_at_their_line() {
    let dir = tempdir("magnetics-bad");
    let base = std::fs::read_to_string(examples_dir().join("helmholtz_pair.toml")).unwrap();
    let cases: Vec<(String, &str, &str)> = vec![
        (
            base.replacen("radius = 0.1", "radius = -0.1", 1),
            "radius = -0.1",
            "out of range",
        ),
        (
            base.replacen("current = 1.0", "curent = 1.0", 1),
            "curent = 1.0",
            "did you mean `current`?",
        ),
        (
            base.replacen("radius = 0.1", "radius = 0.0", 1),
            "radius = 0.0",
            "must be > 0",
        ),
        (
            base.replacen("type = \"line\"", "type = \"lines\"", 1),
            "type = \"lines\"",
            "unknown postprocessor type `lines`",
        ),
        (
            base.replacen(
                "type = \"loop\"",
                "type = \"polyline\"\npoints = [0.0, 0.0, 0.0, 1.0]",
                1,
            )
            .replacen("centre = [0.0, 0.0, -0.05]\n", "", 1)
            .replacen("radius = 0.1\n", "", 1)
            .replacen("turns = 100.0\n", "", 1),
            "points = [",
            "multiple of 3",
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
        let out = run_deck(1, &dir.join(&file), &dir.join(format!("out{k}")), &["-q"]);
        assert_code(&out, 3, &format!("run of case {k}"));
    }
}

const TARGET: &str = "
[postprocessors.ax]
type = \"line\"
start = [0.0, 0.0, 0.0]
end = [0.0, 0.0, 1.0]
";

#[test]
fn field_targets_in_mesh_decks_are_refused_at_their_line() {
    let dir = copy_examples(&tempdir("magnetics-thermal"));
    for example in ["thermal_link_cooldown", "cottrell_potential_step"] {
        let mut text = std::fs::read_to_string(dir.join(format!("{example}.toml"))).unwrap();
        text.push_str(TARGET);
        write_deck(&dir, "t.toml", &text);
        let out = galvana_in(&dir, &["check", "t.toml"]);
        assert_code(&out, 3, &format!("{example} with a field target"));
        let (line, _) = position_of(&text, "type = \"line\"");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("t.toml:{line}:")) && err.contains("is for biot_savart decks"),
            "{err}"
        );
    }
}
