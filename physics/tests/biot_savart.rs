//! Biot–Savart library against analytic fields, an independent polygon computation and
//! magpylib 6.1.0 reference grids (physics/tests/data/magpylib/README.md).

use galvana_physics::magnetics::elliptic::{ellip_e, ellip_k};
use galvana_physics::magnetics::helix::helix;
use galvana_physics::magnetics::inductance::{
    coaxial_turns, loop_self, loop_self_asymptotic, mutual_coaxial, nagaoka, sheet_solenoid,
    WireCurrent,
};
use galvana_physics::magnetics::racetrack::racetrack;
use galvana_physics::magnetics::{
    field, linspace, CircularLoop, Collection, FieldSource, Points, Polyline, Segment,
    ThickSolenoid, MU0_CODATA2018 as MU0, MU0_CODATA2022,
};
use std::f64::consts::PI;

fn b_at(src: &dyn FieldSource, p: [f64; 3]) -> [f64; 3] {
    let f = field(src, &Points::from_xyz(&[p]).unwrap(), MU0, 1);
    f.get(0)
}

fn norm(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

fn polygon(r: f64, n: usize) -> Polyline {
    let v: Vec<[f64; 3]> = (0..=n)
        .map(|i| {
            let t = 2.0 * PI * (i % n) as f64 / n as f64;
            [r * t.cos(), r * t.sin(), 0.0]
        })
        .collect();
    Polyline::new(&v, 1.0).unwrap()
}

#[test]
fn elliptic_integrals_satisfy_legendre_relation_and_known_values() {
    // A&S table 17.1 / DLMF 19.6: K(1/2), E(1/2).
    assert!((ellip_k(0.5) - 1.854_074_677_301_372).abs() < 1e-15);
    assert!((ellip_e(0.5) - 1.350_643_881_047_675).abs() < 1e-15);
    // Legendre's relation E K' + E' K − K K' = π/2 (DLMF 19.7.1) over the range.
    for i in 1..100 {
        let m = i as f64 / 100.0;
        let (k, e, kp, ep) = (ellip_k(m), ellip_e(m), ellip_k(1.0 - m), ellip_e(1.0 - m));
        let leg = e * kp + ep * k - k * kp;
        assert!((leg - PI / 2.0).abs() < 4e-15, "m = {m}: {leg}");
    }
}

#[test]
fn loop_on_axis_matches_closed_form_to_1e_12() {
    let (r, i) = (0.37, 2.5);
    let lp = CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], r, i).unwrap();
    let mut worst: f64 = 0.0;
    for k in 0..=400 {
        let z = -5.0 + 10.0 * k as f64 / 400.0;
        let b = lp.field_at(MU0, [0.0, 0.0, z]);
        let exact = MU0 * i * r * r / (2.0 * (r * r + z * z).powf(1.5));
        worst = worst.max((b[2] - exact).abs() / exact);
        assert_eq!(b[0], 0.0);
        assert_eq!(b[1], 0.0);
    }
    println!("loop on-axis max relative error {worst:.2e}");
    assert!(worst < 1e-12);
}

#[test]
fn loop_off_axis_matches_richardson_extrapolated_polygons() {
    // Inscribed regular n-gons have errors in powers of 1/n²: two Richardson steps on
    // n, 2n, 4n leave O(n⁻⁶).
    let r = 1.0;
    let lp = CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], r, 1.0).unwrap();
    let pts = [
        [0.3, 0.1, 0.2],
        [0.7, -0.4, 0.5],
        [1.5, 0.2, -0.3],
        [0.05, 0.0, 1.2],
        [2.0, 1.0, 0.0],
        [0.6, 0.0, 0.0],
        [1e-7, 0.0, 0.3],
    ];
    let polys: Vec<Polyline> = [1024, 2048, 4096].iter().map(|&n| polygon(r, n)).collect();
    let mut worst: f64 = 0.0;
    for p in pts {
        let b = lp.field_at(MU0, p);
        let f: Vec<[f64; 3]> = polys.iter().map(|s| b_at(s, p)).collect();
        for c in 0..3 {
            let r1 = (4.0 * f[1][c] - f[0][c]) / 3.0;
            let r2 = (4.0 * f[2][c] - f[1][c]) / 3.0;
            let rr = (16.0 * r2 - r1) / 15.0;
            let err = (b[c] - rr).abs() / norm(b);
            worst = worst.max(err);
        }
    }
    println!("loop off-axis vs extrapolated polygons: max |dB|/|B| {worst:.2e}");
    assert!(worst < 1e-11);
}

#[test]
fn near_source_points_are_finite_and_zero_on_the_wire() {
    let lp = CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], 1.0, 1.0).unwrap();
    let seg = Segment::new([0.0, 0.0, -1.0], [0.0, 0.0, 1.0], 1.0).unwrap();
    let sol = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.5,
        0.6,
        1.0,
        100.0,
        1.0,
        (4, 8, 2),
    )
    .unwrap();
    let hx = helix([0.0; 3], 0.5, 1.0, 3, 12, 1.0).unwrap();
    // On the wire: zero.
    assert_eq!(lp.field_at(MU0, [1.0, 0.0, 0.0]), [0.0; 3]);
    assert_eq!(b_at(&seg, [0.0, 0.0, 0.3]), [0.0; 3]);
    assert_eq!(b_at(&seg, [0.0, 0.0, 1.0]), [0.0; 3]);
    assert_eq!(b_at(&seg, [0.0, 0.0, 3.0]), [0.0; 3]);
    // Everything finite at and around every source, down to subnormal offsets.
    for d in [
        0.0, 1e-320, 1e-300, 1e-200, 1e-30, 1e-13, 1e-12, 1e-11, 1e-6, 0.5,
    ] {
        for p in [
            [1.0 + d, 0.0, 0.0],
            [1.0, 0.0, d],
            [1.0 - d, d, -d],
            [d, 0.0, 0.0],
            [d, d, 0.3],
            [0.0, 0.0, 1.0 + d],
            [0.5 + d, 0.0, 0.0],
            [0.55, d, 0.1],
            [0.5, d, -0.5],
        ] {
            for src in [&lp as &dyn FieldSource, &seg, &sol, &hx] {
                let b = b_at(src, p);
                assert!(b.iter().all(|v| v.is_finite()), "{b:?} at {p:?}");
            }
        }
    }
    // Approaching the wire, the field grows like μ0 I/(2π d) until the core.
    let d = 1e-6;
    let b = norm(lp.field_at(MU0, [1.0 + d, 0.0, 0.0]));
    assert!((b * 2.0 * PI * d / MU0 - 1.0).abs() < 1e-5, "{b}");
    // Inside a given wire radius: linear, like a uniform round conductor.
    let thick = lp.clone().with_wire_radius(1e-3).unwrap();
    let b_in = norm(thick.field_at(MU0, [1.0 + 5e-4, 0.0, 0.0]));
    let b_edge = norm(thick.field_at(MU0, [1.0 + 1e-3, 0.0, 0.0]));
    assert!((b_in / b_edge - 0.5).abs() < 1e-12);
}

#[test]
fn bad_input_is_an_error() {
    assert!(CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], 0.0, 1.0).is_err());
    assert!(CircularLoop::new([0.0; 3], [0.0, 0.0, 0.0], 1.0, 1.0).is_err());
    assert!(CircularLoop::new([f64::NAN, 0.0, 0.0], [0.0, 0.0, 1.0], 1.0, 1.0).is_err());
    assert!(Segment::new([1.0; 3], [1.0; 3], 1.0).is_err());
    assert!(Polyline::new(&[[0.0; 3]], 1.0).is_err());
    assert!(Polyline::new(&[[0.0; 3], [0.0; 3]], 1.0).is_err());
    let s =
        |ri, ro, l, n| ThickSolenoid::new([0.0; 3], [0.0, 0.0, 1.0], ri, ro, l, n, 1.0, (2, 2, 1));
    assert!(s(0.0, 1.0, 1.0, 10.0).is_err());
    assert!(s(1.0, 0.5, 1.0, 10.0).is_err());
    assert!(s(0.5, 1.0, -1.0, 10.0).is_err());
    assert!(s(0.5, 1.0, 1.0, -10.0).is_err());
    assert!(helix([0.0; 3], 1.0, 1.0, 0, 10, 1.0).is_err());
    assert!(racetrack([0.0; 3], 1.0, -1.0, 10, 1.0, 1.0).is_err());
    assert!(racetrack([0.0; 3], -1.0, 1.0, 10, 1.0, 1.0).is_err());
    assert!(loop_self(MU0, 1.0, 2.0, WireCurrent::Uniform).is_err());
    assert!(mutual_coaxial(MU0, 1.0, 1.0, 0.0).is_err());
}

#[test]
fn thick_solenoid_on_axis_matches_closed_form() {
    let sol = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.08,
        0.2,
        1000.0,
        2.0,
        (12, 16, 8),
    )
    .unwrap();
    let mut worst: f64 = 0.0;
    for k in 0..=200 {
        let z = -0.4 + 0.8 * k as f64 / 200.0;
        let b = b_at(&sol, [0.0, 0.0, z]);
        let exact = sol.axial_field(MU0, z);
        worst = worst.max((b[2] - exact).abs() / exact.abs());
    }
    println!("thick solenoid on axis: max relative error {worst:.2e}");
    assert!(worst < 1e-12);
    // Current sheet (r_in = r_out): the classic finite-solenoid formula.
    let sheet = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.05,
        0.2,
        1000.0,
        1.0,
        (1, 16, 8),
    )
    .unwrap();
    let mut worst: f64 = 0.0;
    for k in 0..=200 {
        let z = -0.4 + 0.8 * k as f64 / 200.0;
        let b = b_at(&sheet, [0.0, 0.0, z]);
        let (z1, z2, r) = (z + 0.1, z - 0.1, 0.05f64);
        let exact = MU0 * 1000.0 / 0.2 / 2.0
            * (z1 / (r * r + z1 * z1).sqrt() - z2 / (r * r + z2 * z2).sqrt());
        worst = worst.max((b[2] - exact).abs() / exact.abs());
    }
    println!("current sheet on axis: max relative error {worst:.2e}");
    assert!(worst < 1e-12);
}

/// div B by fourth-order central differences, relative to |B|/h.
fn div_b(src: &dyn FieldSource, p: [f64; 3], h: f64) -> f64 {
    let mut div = 0.0;
    for c in 0..3 {
        let at = |s: f64| {
            let mut q = p;
            q[c] += s * h;
            b_at(src, q)[c]
        };
        div += (8.0 * (at(1.0) - at(-1.0)) - (at(2.0) - at(-2.0))) / (12.0 * h);
    }
    div.abs() * h / norm(b_at(src, p))
}

#[test]
fn divergence_of_b_vanishes() {
    let lp = CircularLoop::new([0.1, -0.2, 0.05], [1.0, 2.0, 3.0], 0.3, 1.0).unwrap();
    let rt = racetrack([0.0; 3], 0.4, 0.1, 64, 1.0, 10.0).unwrap();
    let sol = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.08,
        0.2,
        1000.0,
        2.0,
        (8, 12, 4),
    )
    .unwrap();
    let hx = helix([0.0; 3], 0.05, 0.2, 10, 40, 1.0).unwrap();
    let h = 1e-4;
    for (name, src) in [
        ("loop", &lp as &dyn FieldSource),
        ("racetrack", &rt),
        ("solenoid", &sol),
        ("helix", &hx),
    ] {
        for p in [
            [0.31, 0.22, -0.13],
            [0.02, 0.01, 0.03],
            [-0.25, 0.4, 0.17],
            [0.0, 0.0, 0.3],
        ] {
            let d = div_b(src, p, h);
            assert!(d < 1e-9, "{name} at {p:?}: h div B/|B| = {d:.2e}");
        }
    }
}

#[test]
fn symmetries_hold() {
    let lp = CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], 0.4, 1.0).unwrap();
    let tilted = CircularLoop::new([0.0; 3], [0.0, 1.0, 0.0], 0.4, 1.0).unwrap();
    let reversed = CircularLoop::new([0.0; 3], [0.0, 0.0, -1.0], 0.4, 1.0).unwrap();
    for p in [[0.3, 0.2, 0.1], [0.7, -0.1, 0.5]] {
        let b = lp.field_at(MU0, p);
        // Mirror in the loop plane: B_ρ flips, B_z stays.
        let m = lp.field_at(MU0, [p[0], p[1], -p[2]]);
        assert!((m[0] + b[0]).abs() < 1e-15 * norm(b) && (m[2] - b[2]).abs() < 1e-15 * norm(b));
        // Rotation about the axis by 90°.
        let q = lp.field_at(MU0, [-p[1], p[0], p[2]]);
        assert!((q[0] + b[1]).abs() < 1e-14 * norm(b) && (q[1] - b[0]).abs() < 1e-14 * norm(b));
        // Reversed axis = reversed current.
        let rv = reversed.field_at(MU0, p);
        assert!((0..3).all(|c| (rv[c] + b[c]).abs() < 1e-15 * norm(b)));
        // Axis along y: the rotation by -90° about x maps z to y, (x, y, z) -> (x, z, -y);
        // B transforms the same way.
        let t = tilted.field_at(MU0, [p[0], p[2], -p[1]]);
        assert!(
            (t[0] - b[0]).abs() < 1e-14 * norm(b)
                && (t[1] - b[2]).abs() < 1e-14 * norm(b)
                && (t[2] + b[1]).abs() < 1e-14 * norm(b)
        );
    }
    // A square's centre field is known:
    // B = 2√2 μ0 I/(π s) for side s.
    let s = 0.3;
    let sq = Polyline::new(
        &[
            [0.0, 0.0, 0.0],
            [s, 0.0, 0.0],
            [s, s, 0.0],
            [0.0, s, 0.0],
            [0.0, 0.0, 0.0],
        ],
        1.0,
    )
    .unwrap();
    let b = b_at(&sq, [s / 2.0, s / 2.0, 0.0]);
    let exact = 2.0 * 2f64.sqrt() * MU0 / (PI * s);
    assert!((b[2] - exact).abs() < 1e-14 * exact);
}

/// The magpylib points, regenerated with numpy's linspace convention (and checked against the
/// file's rounded coordinates), with the reference B.
fn magpylib_grid(file: &str) -> (Points, Vec<[f64; 3]>) {
    let text = std::fs::read_to_string(format!(
        "{}/tests/data/magpylib/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let gx = linspace(-0.1, 0.1, 100);
    let gz = linspace(-0.2, 0.2, 100);
    let mut pts = Points::default();
    let mut bref = Vec::new();
    for (k, line) in text.lines().skip(1).enumerate() {
        let v: Vec<f64> = line.split(',').map(|s| s.trim().parse().unwrap()).collect();
        let idx = 3 * k; // every third row of the 10,000
        let p = [gx[idx / 100], 0.0, gz[idx % 100]];
        for c in 0..3 {
            assert!((p[c] - v[c]).abs() <= 1e-11, "row {k}: {p:?} vs {v:?}");
        }
        pts.push(p);
        bref.push([v[3], v[4], v[5]]);
    }
    (pts, bref)
}

/// max over points of |ΔB| / (|B_ref| + floor·max|B_ref|).
fn compare(pts: &Points, bref: &[[f64; 3]], src: &dyn FieldSource, floor: f64) -> f64 {
    let f = field(src, pts, MU0_CODATA2022, 2);
    let bmax = bref.iter().map(|b| norm(*b)).fold(0.0, f64::max);
    (0..pts.len())
        .map(|i| {
            let b = f.get(i);
            let d = [b[0] - bref[i][0], b[1] - bref[i][1], b[2] - bref[i][2]];
            norm(d) / (norm(bref[i]) + floor * bmax)
        })
        .fold(0.0, f64::max)
}

#[test]
fn magpylib_solenoid_of_loops_grid() {
    let (pts, bref) = magpylib_grid("solenoid_loops_grid_B_every3rd.csv");
    let (r, l, n) = (0.05, 0.2, 1000);
    let mut coll = Collection::default();
    for k in 0..n {
        let z = -l / 2.0 + (k as f64 + 0.5) * l / n as f64;
        coll.sources.push(Box::new(
            CircularLoop::new([0.0, 0.0, z], [0.0, 0.0, 1.0], r, 1.0).unwrap(),
        ));
    }
    let err = compare(&pts, &bref, &coll, 1e-6);
    println!("no floor: {:.2e}", compare(&pts, &bref, &coll, 0.0));
    println!(
        "magpylib 1000 loops grid ({} pts): max |dB|/(|B| + 1e-6 max|B|) = {err:.2e}",
        pts.len()
    );
    assert!(err < 1e-9);
    // On-axis file: all 601 points.
    let text = std::fs::read_to_string(format!(
        "{}/tests/data/magpylib/solenoid_axis_Bz.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut worst: f64 = 0.0;
    for line in text.lines().skip(1) {
        let v: Vec<f64> = line.split(',').map(|s| s.parse().unwrap()).collect();
        let b = field(
            &coll,
            &Points::from_xyz(&[[0.0, 0.0, v[0]]]).unwrap(),
            MU0_CODATA2022,
            1,
        )
        .get(0);
        worst = worst.max((b[2] - v[1]).abs() / v[1].abs());
    }
    println!("magpylib 1000 loops on axis: max relative difference {worst:.2e}");
    assert!(worst < 1e-9);
}

#[test]
fn magpylib_polyline_helix_grid() {
    let (pts, bref) = magpylib_grid("polyline_helix_grid_B_every3rd.csv");
    let hx = helix([0.0; 3], 0.05, 0.2, 100, 100, 1.0).unwrap();
    assert_eq!(hx.segments(), 10_000);
    let err = compare(&pts, &bref, &hx, 1e-6);
    println!("no floor: {:.2e}", compare(&pts, &bref, &hx, 0.0));
    println!(
        "magpylib helix grid ({} pts): max |dB|/(|B| + 1e-6 max|B|) = {err:.2e}",
        pts.len()
    );
    assert!(err < 1e-9);
}

#[test]
fn threads_and_chunks_do_not_change_the_field() {
    let hx = helix([0.0; 3], 0.05, 0.2, 5, 30, 1.0).unwrap();
    let pts = Points::plane([-0.1, 0.0, -0.2], [0.2, 0.0, 0.0], [0.0, 0.03, 0.4], 37, 29).unwrap();
    let f1 = field(&hx, &pts, MU0, 1);
    for t in [2, 3, 7] {
        assert_eq!(field(&hx, &pts, MU0, t), f1);
    }
    let line = Points::line([0.0, 0.0, -1.0], [0.0, 0.0, 1.0], 11).unwrap();
    assert_eq!(line.get(10), [0.0, 0.0, 1.0]);
    assert_eq!(line.get(5), [0.0, 0.0, 0.0]);
}

#[test]
fn loop_inductance_matches_thin_wire_asymptote() {
    let r = 0.1;
    for a in [1e-2, 1e-3, 1e-4] {
        for dist in [WireCurrent::Surface, WireCurrent::Uniform] {
            let l = loop_self(MU0, r, a, dist).unwrap();
            let asym = loop_self_asymptotic(MU0, r, a, dist);
            // Next term of the expansion is O((a/R)² ln(8R/a)) (Grover 1946).
            let bound = (a / r).powi(2) * ((8.0 * r / a).ln() + 1.0);
            let rel = (l - asym).abs() / asym;
            println!(
                "loop a/R = {:.0e} {dist:?}: L = {l:.9e} H, asymptote {asym:.9e}, rel {rel:.1e}",
                a / r
            );
            assert!(rel < bound, "{rel} vs {bound}");
        }
    }
    // Far-apart loops: dipole limit M = μ0 π R1² R2²/(2 d³).
    let d = 100.0;
    let m = mutual_coaxial(MU0, 0.3, 0.2, d).unwrap();
    let dip = MU0 * PI * 0.09 * 0.04 / (2.0 * d * d * d);
    assert!((m / dip - 1.0).abs() < 1e-4);
}

#[test]
fn solenoid_inductance_matches_nagaoka() {
    // Current sheet: direct quadrature of Maxwell's mutual inductance vs Nagaoka's formula.
    for (r, l) in [(0.05, 0.2), (0.1, 0.1), (0.2, 0.05)] {
        let num = sheet_solenoid(MU0, r, l, 100.0).unwrap();
        let an = nagaoka(MU0, r, l, 100.0).unwrap();
        println!(
            "sheet R={r} l={l}: quadrature {num:.12e} H, Nagaoka {an:.12e} H, rel {:.1e}",
            (num / an - 1.0).abs()
        );
        assert!((num / an - 1.0).abs() < 1e-10);
    }
    // Nagaoka's coefficient at 2R/l = 1 is 0.6884 (Nagaoka's table, as in Grover 1946).
    let kn = nagaoka(MU0, 0.5, 1.0, 1.0).unwrap() / (MU0 * PI * 0.25);
    assert!((kn - 0.6884).abs() < 1e-4, "{kn}");
    // Long solenoid: K_N → 1 − 8R/(3π l) (leading terms of the long-coil expansion).
    let (r, l) = (0.01, 10.0);
    let kn = nagaoka(MU0, r, l, 1.0).unwrap() / (MU0 * PI * r * r / l);
    assert!((kn - (1.0 - 8.0 * r / (3.0 * PI * l))).abs() < 1e-5, "{kn}");
    // N discrete turns of thin wire approach the sheet as N grows (the difference is the
    // Rosa correction, O(N R (ln(p/a)) μ0)); checked loosely here.
    let (r, l, n) = (0.05, 0.2, 200usize);
    let turns: Vec<(f64, f64)> = (0..n)
        .map(|k| (r, -l / 2.0 + (k as f64 + 0.5) * l / n as f64))
        .collect();
    let lt = coaxial_turns(MU0, &turns, 2e-4, WireCurrent::Uniform).unwrap();
    let ls = sheet_solenoid(MU0, r, l, n as f64).unwrap();
    println!("200 turns: {lt:.6e} H vs sheet {ls:.6e} H");
    assert!((lt / ls - 1.0).abs() < 0.05);
}
