//! Racetrack and helix coils in biot_savart decks, against independent truth: a racetrack
//! with no straight part is a polygon inscribed in a loop (error O((π/n)²), order measured),
//! a long helix's axial field tends to the current sheet's (and to μ0 N I / L), and a helix
//! deck reproduces magpylib's reference grid.
mod common;
use common::*;
use std::path::Path;

const MU0: f64 = galvana_physics::magnetics::MU0_CODATA2018;

/// Runs `deck` (serially) and returns the CSV of target `file`.
fn run_csv(dir: &Path, name: &str, deck: &str, file: &str) -> Csv {
    let path = write_deck(dir, &format!("{name}.toml"), deck);
    let out_dir = dir.join(format!("{name}.out"));
    let out = run_deck(1, &path, &out_dir, &["-q"]);
    assert_code(&out, 0, name);
    Csv::read(&out_dir.join(file))
}

fn max_rel_diff(a: &Csv, b: &Csv) -> f64 {
    let scale = b.column("B").iter().cloned().fold(0.0, f64::max);
    let mut worst = 0.0f64;
    for (ra, rb) in a.rows.iter().zip(&b.rows) {
        for c in ["Bx", "By", "Bz"] {
            let k = a.col(c);
            worst = worst.max((ra[k] - rb[k]).abs() / scale);
        }
    }
    worst
}

const TILTED: &str = "centre = [0.01, -0.02, 0.03]\naxis = [1.0, 2.0, 2.0]";
const LINE: &str = r#"
[postprocessors.l]
type = "line"
start = [0.0, 0.0, -0.1]
end = [0.05, 0.02, 0.15]
n = 41
"#;

#[test]
fn a_racetrack_without_straight_part_converges_to_the_loop_at_second_order() {
    let dir = tempdir("magnetics-racetrack");
    let loop_deck = format!(
        "[physics]\ntype = \"biot_savart\"\n[sources.c]\ntype = \"loop\"\n{TILTED}\nradius = 0.1\ncurrent = 2.0\nturns = 3.0\n{LINE}"
    );
    let exact = run_csv(&dir, "loop", &loop_deck, "line_l.csv");
    let mut errs = Vec::new();
    for n in [8, 16, 32, 64] {
        let deck = format!(
            "[physics]\ntype = \"biot_savart\"\n[sources.c]\ntype = \"racetrack\"\n{TILTED}\ndirection = [0.0, 1.0, 0.0]\nstraight = 0.0\nradius = 0.1\ncurrent = 2.0\nturns = 3.0\narc_segments = {n}\n{LINE}"
        );
        let rt = run_csv(&dir, &format!("rt{n}"), &deck, "line_l.csv");
        assert_eq!(rt.column("x"), exact.column("x"));
        errs.push(max_rel_diff(&rt, &exact));
    }
    let orders: Vec<f64> = errs.windows(2).map(|w| (w[0] / w[1]).log2()).collect();
    println!("racetrack (straight 0) vs loop: errors {errs:?}, orders {orders:.3?}");
    for p in &orders {
        assert!((p - 2.0).abs() < 0.1, "order {p}");
    }
    // The polygon of 2n sides: the leading error is about (π/2n)²/3 of the field.
    let lead = (std::f64::consts::PI / 16.0).powi(2);
    assert!(errs[0] < lead && errs[0] > lead / 20.0, "{}", errs[0]);
}

#[test]
fn a_racetrack_has_its_straight_sides_along_the_direction() {
    // Straight length 0.3, radius 0.05 in the x–y plane. Rotating the coil by 90° about z
    // (sides along y instead of x) rotates its field: B at (0, 0.12, 0) with sides along y is
    // B at (0.12, 0, 0) with sides along x, turned by 90°.
    let dir = tempdir("magnetics-racetrack-dir");
    let deck = |d: &str, p: &str| {
        format!(
            "[physics]\ntype = \"biot_savart\"\n[sources.c]\ntype = \"racetrack\"\ndirection = {d}\nstraight = 0.3\nradius = 0.05\ncurrent = 1.0\narc_segments = 16\n[postprocessors.p]\ntype = \"line\"\nstart = {p}\nend = [0.0, 0.0, 0.02]\nn = 2\n"
        )
    };
    let a = run_csv(
        &dir,
        "y",
        &deck("[0.0, 1.0, 0.0]", "[0.0, 0.12, 0.0]"),
        "line_p.csv",
    );
    let b = run_csv(
        &dir,
        "x",
        &deck("[1.0, 0.0, 0.0]", "[0.12, 0.0, 0.0]"),
        "line_p.csv",
    );
    // Rotation by +90° about z maps (x, y) to (−y, x): B_x^y = −B_y^x, B_y^y = B_x^x.
    let (ra, rb) = (&a.rows[0], &b.rows[0]);
    let (bx, by, bz) = (a.col("Bx"), a.col("By"), a.col("Bz"));
    let s = rb[bz].abs();
    assert!(s > 1e-7);
    assert!((ra[bx] + rb[by]).abs() < 1e-14 * s + 1e-22);
    assert!((ra[by] - rb[bx]).abs() < 1e-14 * s + 1e-22);
    assert!((ra[bz] - rb[bz]).abs() < 1e-14 * s);
    // Beyond the end of the sides along x, the field along x differs from the one across.
    assert!(
        (ra[bz]
            - run_csv(
                &dir,
                "x2",
                &deck("[1.0, 0.0, 0.0]", "[0.0, 0.12, 0.0]"),
                "line_p.csv"
            )
            .rows[0][bz])
            .abs()
            > 1e-3 * s
    );
}

#[test]
fn a_long_helix_gives_the_current_sheet_field_on_its_axis() {
    let dir = tempdir("magnetics-helix");
    let (r, pitch, turns, i) = (0.01, 0.001, 1000.0, 1.5);
    let l = pitch * turns;
    let sheet = |z: f64| {
        let (z1, z2) = (z + l / 2.0, z - l / 2.0);
        MU0 * turns * i / (2.0 * l)
            * (z1 / (r * r + z1 * z1).sqrt() - z2 / (r * r + z2 * z2).sqrt())
    };
    let mut errs = Vec::new();
    for n in [16, 32, 64] {
        let deck = format!(
            "[physics]\ntype = \"biot_savart\"\n[sources.h]\ntype = \"helix\"\nradius = {r}\npitch = {pitch}\nturns = {turns:?}\ncurrent = {i}\nsegments_per_turn = {n}\n[postprocessors.a]\ntype = \"line\"\nstart = [0.0, 0.0, -0.2]\nend = [0.0, 0.0, 0.2]\nn = 5\n"
        );
        let c = run_csv(&dir, &format!("h{n}"), &deck, "line_a.csv");
        let e = c
            .column("z")
            .iter()
            .zip(c.column("Bz"))
            .map(|(&z, bz)| (bz / sheet(z) - 1.0).abs())
            .fold(0.0, f64::max);
        let centre = c.column("Bz")[2];
        let long = MU0 * turns * i / l;
        assert!(
            (centre / long - 1.0).abs() < 3e-4,
            "{centre} vs μ0NI/L {long}"
        );
        errs.push(e);
    }
    let orders: Vec<f64> = errs.windows(2).map(|w| (w[0] / w[1]).log2()).collect();
    println!("helix vs current sheet on the axis: {errs:?}, orders {orders:.3?}");
    for p in &orders {
        assert!((p - 2.0).abs() < 0.1, "order {p}");
    }
    assert!(errs[2] < 1e-6);
}

#[test]
fn a_helix_deck_reproduces_the_magpylib_reference_grid() {
    let dir = tempdir("magnetics-helix-magpylib");
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../physics/tests/data/magpylib/polyline_helix_grid_B_every3rd.csv");
    std::fs::copy(&data, dir.join("grid.csv")).unwrap();
    // magpylib's helix: R 0.05 m, 100 turns over 0.2 m, 100 segments per turn, 1 A, mu0 2022.
    let deck = r#"
[physics]
type = "biot_savart"
mu0 = "codata2022"

[sources.h]
type = "helix"
radius = 0.05
pitch = 0.002
turns = 100.0
current = 1.0
segments_per_turn = 100

[postprocessors.grid]
type = "points"
file = "grid.csv"
"#;
    let got = run_csv(&dir, "helix", deck, "points_grid.csv");
    let reference = Csv::read(&dir.join("grid.csv"));
    assert_eq!(got.rows.len(), reference.rows.len());
    let bmax = got.column("B").iter().cloned().fold(0.0, f64::max);
    let mut worst = 0.0f64;
    for (g, r) in got.rows.iter().zip(&reference.rows) {
        let db = ((g[3] - r[3]).powi(2) + (g[4] - r[4]).powi(2) + (g[5] - r[5]).powi(2)).sqrt();
        let b = (r[3] * r[3] + r[4] * r[4] + r[5] * r[5]).sqrt();
        worst = worst.max(db / (b + 1e-6 * bmax));
        assert_eq!(&g[..3], &r[..3], "points in file order");
    }
    // The CSV's coordinates have 11 significant digits, which moves the points by up to
    // 5e-12 m: that, not the kernel, sets the 5e-10 seen here.
    println!(
        "helix deck vs magpylib ({} points): {worst:.2e}",
        got.rows.len()
    );
    assert!(worst < 1e-9, "{worst}");
}

/// B_z at the centre of a smooth racetrack (straight sides `s`, end radius `r`, current `i`)
/// by the midpoint rule over its path, independently of the deck's chords.
fn racetrack_centre_bz(s: f64, r: f64, i: f64) -> f64 {
    use std::f64::consts::PI;
    // Straight side at y = -r from x = -s/2 to s/2, direction +x: dB_z = μ0 I/(4π) · r dx / ρ³.
    let n = 200_000;
    let mut side = 0.0;
    for k in 0..n {
        let x = -s / 2.0 + (k as f64 + 0.5) * s / n as f64;
        side += r / (x * x + r * r).powf(1.5) * s / n as f64;
    }
    // Right half circle about (s/2, 0): point (s/2 + r cos t, r sin t), dl = r dt (−sin t, cos t).
    let mut arc = 0.0;
    for k in 0..n {
        let t = -PI / 2.0 + (k as f64 + 0.5) * PI / n as f64;
        let (px, py) = (s / 2.0 + r * t.cos(), r * t.sin());
        let (dx, dy) = (-r * t.sin(), r * t.cos());
        // (dl × (0 − p))_z = dx·(−py) − dy·(−px)
        let cross = -dx * py + dy * px;
        arc += cross / (px * px + py * py).powf(1.5) * PI / n as f64;
    }
    MU0 * i / (4.0 * PI) * 2.0 * (side + arc)
}

#[test]
fn the_racetrack_example_matches_the_smooth_racetrack_at_its_centre() {
    let dir = copy_examples(&tempdir("magnetics-racetrack-example"));
    let out = galvana_in(&dir, &["check", "racetrack_coil.toml"]);
    assert_code(&out, 0, "check of the example");
    let deck = dir.join("racetrack_coil.toml");
    let out = run_deck(1, &deck, &dir.join("np1"), &["-q"]);
    assert_code(&out, 0, "run of the example");
    let probes = Csv::read(&dir.join("np1/points_probes.csv"));
    let exact = racetrack_centre_bz(0.2, 0.05, 200.0 * 100.0);
    let bz = probes.rows[0][probes.col("Bz")];
    let rel = (bz / exact - 1.0).abs();
    println!("racetrack example centre: {bz} T vs smooth {exact} T ({rel:.2e})");
    // 64 chords per half circle: the polygon error is below (π/64)²/3 of the arcs' share.
    assert!(rel < (std::f64::consts::PI / 64.0).powi(2) / 3.0, "{rel}");
    let axis = Csv::read(&dir.join("np1/line_axis.csv"));
    assert_eq!(
        axis.rows[100][axis.col("Bz")],
        bz,
        "the axis line passes the centre"
    );
    let summary = read_json(&dir.join("np1/summary.json"));
    assert!(
        summary["peak_B_T"].as_f64().unwrap() < 1.0,
        "no target touches a wire"
    );
    let out = {
        let _g = mpi_lock();
        run_deck(2, &deck, &dir.join("np2"), &["-q"])
    };
    assert_code(&out, 0, "the example on 2 ranks");
    for f in [
        "line_axis.csv",
        "plane_above.csv",
        "points_probes.csv",
        "field_map.xdmf",
    ] {
        assert_eq!(
            std::fs::read(dir.join("np1").join(f)).unwrap(),
            std::fs::read(dir.join("np2").join(f)).unwrap(),
            "{f}"
        );
    }
}
