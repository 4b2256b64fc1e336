//! Case 9: Biot–Savart fields and inductances against closed forms, an independent polygon
//! computation, magpylib 6.1.0 reference grids and published inductance values.

use crate::report::{e3, Csv, Plot, Section, Series, Table};
use galvana_physics::magnetics::helix::helix;
use galvana_physics::magnetics::inductance::{nagaoka, sheet_solenoid};
use galvana_physics::magnetics::racetrack::racetrack;
use galvana_physics::magnetics::thick_inductance::{thick_mutual, thick_self, CoilSection};
use galvana_physics::magnetics::{
    field, linspace, CircularLoop, Collection, FieldSource, Points, Polyline, ThickSolenoid,
    MU0_CODATA2018 as MU0, MU0_CODATA2022,
};
use std::f64::consts::PI;

/// The magpylib reference CSVs (kept with the physics tests; README there).
const MAGPYLIB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../physics/tests/data/magpylib"
);
/// μ0 of the published inductance constants (Brooks 1931, Grover 1946).
const MU0_CLASSIC: f64 = 4e-7 * PI;
/// ln(g/c), g the geometric mean distance of a square of side c from itself:
/// 4∫₀¹∫₀¹(1−x)(1−y)·½ln(x²+y²) dx dy (mpmath, 20 digits); Maxwell's g = 0.44705c.
const LN_GMD_SQUARE: f64 = -0.805_086_721_950_087;

fn norm(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

fn b_at(src: &dyn FieldSource, mu0: f64, p: [f64; 3]) -> Result<[f64; 3], String> {
    Ok(field(src, &Points::from_xyz(&[p])?, mu0, 1).get(0))
}

/// A check row: the table gets it, the section gets a PASS/FAIL check.
fn row(s: &mut Section, t: &mut Table, what: &str, truth: &str, measured: f64, limit: f64) {
    let pass = measured.abs() < limit;
    t.row(vec![
        what.into(),
        truth.into(),
        e3(measured),
        format!("< {limit:.0e}"),
        crate::report::verdict(pass).into(),
    ]);
    s.check(what, e3(measured), format!("< {limit:.0e}"), pass);
}

pub fn run_case(quick: bool, log: &dyn Fn(&str)) -> Result<Section, String> {
    let mut s = Section::new(
        "biot_savart",
        "9. Biot–Savart",
        "9. Biot–Savart fields and coil inductances",
    );
    s.intro = "Fields of prescribed currents in vacuum (`physics/src/magnetics`) against closed \
        forms (loop on the axis; thick solenoid and current sheet on the axis, Montgomery 1969), \
        an independent computation (the loop off the axis against Richardson-extrapolated \
        inscribed polygons of 1024/2048/4096 straight segments), and magpylib 6.1.0 \
        (`physics/tests/data/magpylib`, computed with μ0 = 1.25663706127e-6, CODATA 2022, which \
        these comparisons use too); ∇·B by fourth-order central differences (h = 1e-4 m). \
        Inductances: the current-sheet quadrature against Nagaoka's closed form; the \
        thick-coil integral (uniform current density over a rectangular section) against the \
        Brooks coil (L = 1.6994e-6·a·N² H, a = mean radius in m; Brooks 1931, Grover 1946, 5 \
        figures, μ0 = 4π·10⁻⁷), the square-section thin ring with Maxwell's geometric mean \
        distance, the current-sheet limit and the long-solenoid field energy. Relative errors \
        unless stated; the magpylib grids are compared as max |ΔB|/(|B_ref| + 1e-6·max|B_ref|) \
        (the CSVs hold 11 significant digits)."
        .into();
    let mut t = Table::new(
        "Fields",
        &["check", "reference", "max error", "criterion", "result"],
    );

    // Loop on the axis.
    let (r, i) = (0.37, 2.5);
    let lp = CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], r, i)?;
    let worst = (0..=400)
        .map(|k| {
            let z = -5.0 + 10.0 * k as f64 / 400.0;
            let exact = MU0 * i * r * r / (2.0 * (r * r + z * z).powf(1.5));
            (lp.field_at(MU0, [0.0, 0.0, z])[2] - exact).abs() / exact
        })
        .fold(0.0, f64::max);
    log(&format!("  loop on axis {worst:.2e}"));
    row(
        &mut s,
        &mut t,
        "loop on axis, 401 points",
        "μ0IR²/(2(R²+z²)^{3/2})",
        worst,
        1e-12,
    );

    // Loop off the axis against polygons (errors in powers of 1/n²: two Richardson steps).
    let polys: Vec<Polyline> = [1024usize, 2048, 4096]
        .iter()
        .map(|&n| {
            let v: Vec<[f64; 3]> = (0..=n)
                .map(|k| {
                    let a = 2.0 * PI * (k % n) as f64 / n as f64;
                    [a.cos(), a.sin(), 0.0]
                })
                .collect();
            Polyline::new(&v, 1.0)
        })
        .collect::<Result<_, _>>()?;
    let unit = CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], 1.0, 1.0)?;
    let mut worst: f64 = 0.0;
    for p in [
        [0.3, 0.1, 0.2],
        [0.7, -0.4, 0.5],
        [1.5, 0.2, -0.3],
        [0.05, 0.0, 1.2],
        [2.0, 1.0, 0.0],
        [0.6, 0.0, 0.0],
        [1e-7, 0.0, 0.3],
    ] {
        let b = unit.field_at(MU0, p);
        let f: Vec<[f64; 3]> = polys
            .iter()
            .map(|q| b_at(q, MU0, p))
            .collect::<Result<_, _>>()?;
        for c in 0..3 {
            let r1 = (4.0 * f[1][c] - f[0][c]) / 3.0;
            let r2 = (4.0 * f[2][c] - f[1][c]) / 3.0;
            worst = worst.max((b[c] - (16.0 * r2 - r1) / 15.0).abs() / norm(b));
        }
    }
    log(&format!("  loop off axis {worst:.2e}"));
    row(
        &mut s,
        &mut t,
        "loop off axis, 7 points (|ΔB|/|B|)",
        "extrapolated polygons",
        worst,
        1e-12,
    );

    // Thick solenoid and current sheet on the axis.
    let sol = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.08,
        0.2,
        1000.0,
        2.0,
        (12, 16, 8),
    )?;
    let sheet = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.05,
        0.2,
        1000.0,
        1.0,
        (1, 16, 8),
    )?;
    let (mut ws, mut wc): (f64, f64) = (0.0, 0.0);
    for k in 0..=200 {
        let z = -0.4 + 0.8 * k as f64 / 200.0;
        let exact = sol.axial_field(MU0, z);
        ws = ws.max((b_at(&sol, MU0, [0.0, 0.0, z])?[2] - exact).abs() / exact.abs());
        let (z1, z2, rr) = (z + 0.1, z - 0.1, 0.05f64);
        let exact = MU0 * 1000.0 / 0.4
            * (z1 / (rr * rr + z1 * z1).sqrt() - z2 / (rr * rr + z2 * z2).sqrt());
        wc = wc.max((b_at(&sheet, MU0, [0.0, 0.0, z])?[2] - exact).abs() / exact.abs());
    }
    log(&format!("  thick solenoid {ws:.2e}, sheet {wc:.2e}"));
    row(
        &mut s,
        &mut t,
        "thick solenoid on axis, 201 points",
        "closed form (Montgomery)",
        ws,
        1e-12,
    );
    row(
        &mut s,
        &mut t,
        "current sheet on axis, 201 points",
        "μ0NI/(2ℓ)[z₁/√(R²+z₁²) − z₂/√(R²+z₂²)]",
        wc,
        1e-12,
    );

    // magpylib grids.
    let (loops, helix_src) = {
        let mut coll = Collection::default();
        for k in 0..1000 {
            let z = -0.1 + (k as f64 + 0.5) * 0.2 / 1000.0;
            coll.sources.push(Box::new(CircularLoop::new(
                [0.0, 0.0, z],
                [0.0, 0.0, 1.0],
                0.05,
                1.0,
            )?));
        }
        (coll, helix([0.0; 3], 0.05, 0.2, 100, 100, 1.0)?)
    };
    let stride = if quick { 3 } else { 1 };
    for (file, src, what) in [
        (
            "solenoid_loops_grid_B_every3rd.csv",
            &loops as &dyn FieldSource,
            "magpylib: 1000 loops, x–z grid",
        ),
        (
            "polyline_helix_grid_B_every3rd.csv",
            &helix_src,
            "magpylib: 10,000-segment helix, x–z grid",
        ),
    ] {
        let (pts, bref) = magpylib_grid(file, stride)?;
        let f = field(src, &pts, MU0_CODATA2022, 0);
        let bmax = bref.iter().map(|b| norm(*b)).fold(0.0, f64::max);
        let err = (0..pts.len())
            .map(|k| {
                let b = f.get(k);
                let d = [b[0] - bref[k][0], b[1] - bref[k][1], b[2] - bref[k][2]];
                norm(d) / (norm(bref[k]) + 1e-6 * bmax)
            })
            .fold(0.0, f64::max);
        log(&format!("  {what}: {} points, {err:.2e}", pts.len()));
        row(
            &mut s,
            &mut t,
            &format!("{what} ({} points)", pts.len()),
            "magpylib 6.1.0",
            err,
            1e-9,
        );
    }
    let text = std::fs::read_to_string(format!("{MAGPYLIB}/solenoid_axis_Bz.csv"))
        .map_err(|e| format!("{MAGPYLIB}/solenoid_axis_Bz.csv: {e}"))?;
    let mut axis = Csv::new(
        "biot_savart_axis",
        &["z", "Bz_magpylib", "Bz_galvana", "rel_diff"],
    );
    let mut worst: f64 = 0.0;
    for (n, line) in text.lines().enumerate().skip(1) {
        let v: Vec<f64> = line
            .split(',')
            .map(|x| x.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("solenoid_axis_Bz.csv:{}: {e}", n + 1))?;
        if v.len() < 2 {
            return Err(format!("solenoid_axis_Bz.csv:{}: expected z, Bz", n + 1));
        }
        let b = b_at(&loops, MU0_CODATA2022, [0.0, 0.0, v[0]])?[2];
        let d = (b - v[1]) / v[1].abs();
        worst = worst.max(d.abs());
        axis.row(vec![v[0], v[1], b, d]);
    }
    log(&format!("  magpylib axis {worst:.2e}"));
    row(
        &mut s,
        &mut t,
        "magpylib: 1000 loops on the axis (601 points)",
        "magpylib 6.1.0",
        worst,
        1e-9,
    );
    s.csvs.push(axis);

    // ∇·B.
    let tilted = CircularLoop::new([0.1, -0.2, 0.05], [1.0, 2.0, 3.0], 0.3, 1.0)?;
    let rt = racetrack([0.0; 3], 0.4, 0.1, 64, 1.0, 10.0)?;
    let sol2 = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.08,
        0.2,
        1000.0,
        2.0,
        (8, 12, 4),
    )?;
    let hx = helix([0.0; 3], 0.05, 0.2, 10, 40, 1.0)?;
    let h = 1e-4;
    let mut worst: f64 = 0.0;
    for src in [&tilted as &dyn FieldSource, &rt, &sol2, &hx] {
        for p in [
            [0.31, 0.22, -0.13],
            [0.02, 0.01, 0.03],
            [-0.25, 0.4, 0.17],
            [0.0, 0.0, 0.3],
        ] {
            let mut div = 0.0;
            for c in 0..3 {
                let at = |k: f64| -> Result<f64, String> {
                    let mut q = p;
                    q[c] += k * h;
                    Ok(b_at(src, MU0, q)?[c])
                };
                div += (8.0 * (at(1.0)? - at(-1.0)?) - (at(2.0)? - at(-2.0)?)) / (12.0 * h);
            }
            worst = worst.max(div.abs() * h / norm(b_at(src, MU0, p)?));
        }
    }
    log(&format!("  div B {worst:.2e}"));
    row(
        &mut s,
        &mut t,
        "h·|∇·B|/|B|: tilted loop, racetrack, thick solenoid, helix; 4 points each",
        "0 (4th-order differences)",
        worst,
        1e-9,
    );
    s.tables.push(t);

    inductances(&mut s, log)?;
    Ok(s)
}

fn inductances(s: &mut Section, log: &dyn Fn(&str)) -> Result<(), String> {
    let mut t = Table::new(
        "Inductances",
        &["check", "reference", "error", "criterion", "result"],
    );
    // Current-sheet quadrature against Nagaoka.
    let mut worst: f64 = 0.0;
    for (r, l) in [(0.05, 0.2), (0.1, 0.1), (0.3, 0.05)] {
        worst =
            worst.max((sheet_solenoid(MU0, r, l, 500.0)? / nagaoka(MU0, r, l, 500.0)? - 1.0).abs());
    }
    row(
        s,
        &mut t,
        "current sheet (quadrature), 2R/ℓ = 0.5, 2, 12",
        "Nagaoka's closed form",
        worst,
        1e-12,
    );
    // Nagaoka's coefficient at 2R/ℓ = 1 against his table (4 figures).
    let kn = nagaoka(MU0, 0.5, 1.0, 1.0)? / (MU0 * PI * 0.25);
    row(
        s,
        &mut t,
        &format!("Nagaoka K_N at 2R/ℓ = 1: {kn:.6}"),
        "0.6884 (Nagaoka's table; Grover 1946)",
        kn / 0.6884 - 1.0,
        1e-4,
    );

    // Brooks coil: inner radius c, outer 2c, length c; a = 1.5c.
    let c = 0.02;
    let l = thick_self(MU0_CLASSIC, &CoilSection::new(c, 2.0 * c, c, 0.0, 100.0)?)?;
    let k = l / (1.5 * c * 1e4);
    log(&format!("  Brooks L/(aN²) = {k:.8e}"));
    row(
        s,
        &mut t,
        &format!("Brooks coil: L/(aN²) = {k:.6e} H/m"),
        "1.6994e-6 H/m (Brooks 1931; 5 figures)",
        k / 1.6994e-6 - 1.0,
        3e-5,
    );

    // Thin square ring: μ0R(ln(8R/g) − 2); next term O((c/R)² ln).
    let mut ring = Csv::new("thick_ring_limit", &["c_over_R", "rel_diff", "bound"]);
    let mut ok = true;
    let mut last = 0.0;
    for cr in [1e-1, 1e-2, 1e-3, 1e-4] {
        let l = thick_self(
            MU0,
            &CoilSection::new(1.0 - cr / 2.0, 1.0 + cr / 2.0, cr, 0.0, 1.0)?,
        )?;
        let la = MU0 * ((8.0 / (cr * LN_GMD_SQUARE.exp())).ln() - 2.0);
        let bound = cr * cr * ((8.0 / cr).ln() + 1.0);
        last = l / la - 1.0;
        ok &= last.abs() < bound;
        ring.row(vec![cr, last.abs(), bound]);
    }
    log(&format!("  ring limit at c/R = 1e-4: {last:.2e}"));
    t.row(vec![
        "square ring, c/R = 1e-1 … 1e-4 (each below (c/R)²(ln(8R/c)+1))".into(),
        "μ0R(ln(8R/g) − 2), g = 0.4470492c (Maxwell)".into(),
        format!("{} at 1e-4", e3(last)),
        "below the next-term bound".into(),
        crate::report::verdict(ok).into(),
    ]);
    s.check(
        "thin square ring vs Maxwell's GMD",
        e3(last),
        "below (c/R)²(ln(8R/c)+1)".into(),
        ok,
    );

    // Thin winding → current sheet, first order in the width.
    let ln = nagaoka(MU0, 1.0, 2.0, 1.0)?;
    let slopes: Vec<f64> = [1e-2, 1e-3, 1e-4]
        .iter()
        .map(|&w| {
            Ok((thick_self(
                MU0,
                &CoilSection::new(1.0 - w / 2.0, 1.0 + w / 2.0, 2.0, 0.0, 1.0)?,
            )? / ln
                - 1.0)
                / w)
        })
        .collect::<Result<_, String>>()?;
    let d = (slopes[1] - slopes[2]).abs() / slopes[2].abs();
    row(s, &mut t, &format!("width w → 0 at fixed mean radius: (L/L_N − 1)/(w/R) = {:.4}, {:.4}, {:.4} (w/R = 1e-2…1e-4); change of the last pair", slopes[0], slopes[1], slopes[2]), "Nagaoka (current sheet), first order in w", d, 1e-3);

    // Long thick solenoid against the infinite solenoid's field energy.
    let (w, len) = (0.5, 400.0);
    let l = thick_self(
        MU0,
        &CoilSection::new(1.0 - w / 2.0, 1.0 + w / 2.0, len, 0.0, 1.0)?,
    )?;
    let inf = MU0 * PI / len * (1.0 - w / 3.0 + w * w / 12.0);
    row(
        s,
        &mut t,
        "long thick solenoid (ℓ = 400R, w = R/2); end effects O(R/ℓ) = 2.5e-3",
        "μ0πN²R²/ℓ·(1 − w/3R + w²/12R²)",
        l / inf - 1.0,
        2.0 / len,
    );

    // Additivity: whole = parts + 2 mutual (axial and radial cuts).
    let whole = CoilSection::new(0.05, 0.08, 0.04, 0.0, 300.0)?;
    let lw = thick_self(MU0, &whole)?;
    let mut worst: f64 = 0.0;
    for (a, b) in [
        (
            CoilSection::new(0.05, 0.08, 0.01, -0.015, 75.0)?,
            CoilSection::new(0.05, 0.08, 0.03, 0.005, 225.0)?,
        ),
        (
            CoilSection::new(0.05, 0.06, 0.04, 0.0, 100.0)?,
            CoilSection::new(0.06, 0.08, 0.04, 0.0, 200.0)?,
        ),
    ] {
        let sum = thick_self(MU0, &a)? + thick_self(MU0, &b)? + 2.0 * thick_mutual(MU0, &a, &b)?;
        worst = worst.max((sum / lw - 1.0).abs());
    }
    row(
        s,
        &mut t,
        "coil cut axially / radially: L = L₁ + L₂ + 2M₁₂",
        "exact identity",
        worst,
        1e-11,
    );
    s.tables.push(t);
    s.notes.push(
        "Grover's tables for thick coils (1946) are not yet compared: the values in the table \
         above are the published constants at hand (Brooks, Nagaoka, Maxwell's GMD)."
            .into(),
    );
    s.csvs.push(ring);
    let mut p = Plot::new(
        "thick_ring_limit.png",
        "Square-section ring: thick-coil integral vs μ0R(ln(8R/g) − 2)",
        "c/R",
        "|relative difference|",
        true,
        true,
    );
    p.add(Series::new(
        "thick-coil integral",
        "thick_ring_limit",
        "c_over_R",
        "rel_diff",
        "both",
    ));
    p.add(Series::new(
        "(c/R)²(ln(8R/c)+1)",
        "thick_ring_limit",
        "c_over_R",
        "bound",
        "line",
    ));
    s.plots.push(p);
    Ok(())
}

/// The magpylib grid points (numpy linspace, x slowest) of every `stride`-th row of the file
/// (itself every third row of the 100 × 100 grid), checked against the file's coordinates.
fn magpylib_grid(file: &str, stride: usize) -> Result<(Points, Vec<[f64; 3]>), String> {
    let path = format!("{MAGPYLIB}/{file}");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let (gx, gz) = (linspace(-0.1, 0.1, 100), linspace(-0.2, 0.2, 100));
    let mut pts = Points::default();
    let mut bref = Vec::new();
    for (k, line) in text.lines().skip(1).enumerate() {
        if k % stride != 0 {
            continue;
        }
        let v: Vec<f64> = line
            .split(',')
            .map(|x| x.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{path}:{}: {e}", k + 2))?;
        let idx = 3 * k;
        let p = [gx[idx / 100], 0.0, gz[idx % 100]];
        if v.len() < 6 || (0..3).any(|c| (p[c] - v[c]).abs() > 1e-11) {
            return Err(format!(
                "{path}:{}: expected x, y, z, Bx, By, Bz of grid point {p:?}",
                k + 2
            ));
        }
        pts.push(p);
        bref.push([v[3], v[4], v[5]]);
    }
    Ok((pts, bref))
}
