//! A magnetic sphere in a uniform applied field, axisymmetric (tests 1, 2 and 6).
//!
//! Linear sphere of permeability μr in B0 ẑ (Jackson, Classical Electrodynamics, 3rd ed.,
//! §5.11): inside B = 3μr/(μr + 2) B0 uniformly; outside the applied field plus a dipole,
//! ψ = r A_φ = B0 r²/2 + β B0 a³ r²/R³ with β = (μr − 1)/(μr + 2).
//!
//! Nonlinear sphere: the uniform-magnetisation solution still holds for an isotropic B(H)
//! (the demagnetising factor of a sphere is 1/3 whatever M is): H_in = H0 − M/3 with
//! M = B_in/μ0 − H_in, i.e. (2/3) H_in + B(H_in)/(3μ0) = H0, a scalar root; outside
//! ψ = B0 r²/2 + (μ0 M/3) a³ r²/R³. Derivation in docs/magnetics.md.
//!
//! The exact exterior solution is imposed on the outer circle ρ = 3a, so the only errors are
//! the discretisation's.

use super::meshes::quarter_disc;
use super::solve::{integrate, orders, solve, Solved};
use galvana_engine::comm::Comm;
use galvana_engine::fem::assemble::Bc;
use galvana_physics::magnetostatic::{
    BhCurve, FixedPotential, Geometry, MagneticMaterial, Magnetostatic, MU0,
};
use galvana_physics::thermal::Value;
use std::sync::Arc;

const A: f64 = 0.05;

/// The steel of the example deck (Fröhlich–Kennelly, Js = 2.1 T, Hk = 1000 A/m).
pub fn steel() -> BhCurve {
    let t: Vec<(f64, f64)> = [
        100.0, 200.0, 400.0, 700.0, 1000.0, 1500.0, 2000.0, 3000.0, 5000.0, 7000.0, 1e4, 2e4, 5e4,
        1e5,
    ]
    .iter()
    .map(|&h| (h, MU0 * h + 2.1 * h / (h + 1000.0)))
    .collect();
    BhCurve::new(&t).unwrap()
}

/// Solves the sphere (material `mat`) in B0 with exterior dipole strength `d` (ψ's dipole term
/// is d·a³ r²/R³) imposed on the outer circle.
fn sphere(comm: &Comm, n: usize, mat: MagneticMaterial, b0: f64, d: f64) -> Solved {
    let mesh = quarter_disc(A, 3.0 * A, n);
    let k = Magnetostatic::new(
        Geometry::Axisymmetric,
        vec![
            (0, Arc::new(mat)),
            (1, Arc::new(MagneticMaterial::Linear { mu_r: 1.0 })),
        ],
        vec![],
    )
    .unwrap();
    let exact = move |x: [f64; 3], _t: f64| {
        let r2 = x[0] * x[0];
        let rr = (r2 + x[1] * x[1]).sqrt();
        0.5 * b0 * r2 + d * A.powi(3) * r2 / rr.powi(3)
    };
    let bcs = vec![
        Bc {
            name: "outer".into(),
            boundaries: vec!["outer".into()],
            kernel: Box::new(FixedPotential::new(Value::function(exact))),
        },
        Bc {
            name: "axis".into(),
            boundaries: vec!["axis".into()],
            kernel: Box::new(FixedPotential::new(0.0)),
        },
    ];
    solve(comm, mesh, 1, Box::new(k), bcs)
}

/// Relative L2 error of B inside the sphere (weight 2πr) against the uniform B_in ẑ, and the
/// volume-mean B_z there.
fn b_error(s: &Solved, b_in: f64) -> (f64, f64) {
    let inside = |reg: u32, x: [f64; 3], v: f64| if reg == 0 { x[0] * v } else { 0.0 };
    let e2 = integrate(s, &mut |x, reg, _u, g| {
        let (br, bz) = (-g[1] / x[0], g[0] / x[0]);
        inside(reg, x, br * br + (bz - b_in).powi(2))
    });
    let vol = integrate(s, &mut |x, reg, _u, _g| inside(reg, x, 1.0));
    let bz = integrate(s, &mut |x, reg, _u, g| inside(reg, x, g[0] / x[0]));
    ((e2 / vol).sqrt() / b_in, bz / vol)
}

/// Test 1: the linear sphere, μr = 100, on three meshes; B converges at first order in the
/// L2 norm (P1), the mean B_z faster.
pub fn linear(comm: &Comm) -> Result<(), String> {
    let (mu_r, b0) = (100.0, 0.1);
    let b_in = 3.0 * mu_r / (mu_r + 2.0) * b0;
    let beta = (mu_r - 1.0) / (mu_r + 2.0);
    println!("linear sphere, mu_r = {mu_r}, B0 = {b0} T: exact B_in = {b_in:.6} T (Jackson 5.11)");
    println!(
        "  {:>6} {:>12} {:>12} {:>12}",
        "h/a", "L2 err B", "mean Bz", "mean err"
    );
    let (mut hs, mut es, mut ms) = (vec![], vec![], vec![]);
    for n in [6, 12, 24] {
        let s = sphere(comm, n, MagneticMaterial::Linear { mu_r }, b0, beta * b0);
        let (e, mean) = b_error(&s, b_in);
        let me = (mean - b_in).abs() / b_in;
        println!(
            "  {:>6.4} {:>12.3e} {:>12.6} {:>12.3e}",
            1.0 / n as f64,
            e,
            mean,
            me
        );
        hs.push(1.0 / n as f64);
        es.push(e);
        ms.push(me);
    }
    let (p, pm) = (orders(&hs, &es), orders(&hs, &ms));
    println!("  observed orders: L2 error of B {p:.2?} (P1: 1), mean B_z {pm:.2?} (2)");
    if p.iter().any(|&q| q < 0.85) || pm.iter().any(|&q| q < 1.8) || es[2] > 0.05 || ms[2] > 2e-3 {
        return Err(format!(
            "linear sphere: orders {p:?} {pm:?}, L2 errors {es:?}, mean errors {ms:?}"
        ));
    }
    Ok(())
}

/// Solves (2/3)H + B(H)/(3μ0) = H0 for H by bisection (the left side increases with H).
pub fn nonlinear_sphere_h(curve: &BhCurve, h0: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, h0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if 2.0 / 3.0 * mid + curve.b_of_h(mid) / (3.0 * MU0) < h0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Tests 2 and 6: the nonlinear sphere in the knee of the steel curve; the field inside
/// converges to the scalar root's B_in, and Newton's residual falls quadratically.
pub fn nonlinear(comm: &Comm) -> Result<(), String> {
    let curve = steel();
    let b0 = 0.5;
    let h0 = b0 / MU0;
    let h_in = nonlinear_sphere_h(&curve, h0);
    let b_in = curve.b_of_h(h_in);
    let m = b_in / MU0 - h_in;
    println!(
        "nonlinear sphere (steel), B0 = {b0} T: H_in = {h_in:.3} A/m, B_in = {b_in:.6} T, mu_r,eff = {:.1}",
        b_in / (MU0 * h_in)
    );
    println!(
        "  {:>6} {:>12} {:>12} {:>12} {:>8}",
        "h/a", "L2 err B", "mean Bz", "mean err", "Newton"
    );
    let (mut hs, mut es, mut ms, mut last_norms) = (vec![], vec![], vec![], vec![]);
    for n in [6, 12, 24] {
        let s = sphere(
            comm,
            n,
            MagneticMaterial::Nonlinear(curve.clone()),
            b0,
            MU0 * m / 3.0,
        );
        let (e, mean) = b_error(&s, b_in);
        println!(
            "  {:>6.4} {:>12.3e} {:>12.6} {:>12.3e} {:>8}",
            1.0 / n as f64,
            e,
            mean,
            (mean - b_in).abs() / b_in,
            s.norms.len() - 1
        );
        hs.push(1.0 / n as f64);
        es.push(e);
        ms.push((mean - b_in).abs() / b_in);
        last_norms = s.norms;
    }
    let (p, pm) = (orders(&hs, &es), orders(&hs, &ms));
    println!("  observed orders: L2 error of B {p:.2?}, mean B_z {pm:.2?}");
    println!("  Newton history on the finest mesh (|R|, and |R_k+1|/|R_k|^2):");
    for (k, r) in last_norms.iter().enumerate() {
        let q = if k > 0 {
            r / last_norms[k - 1].powi(2)
        } else {
            f64::NAN
        };
        println!("    {k:3} Newton |R| = {r:.6e}   ratio {q:.3e}");
    }
    if p.iter().any(|&q| q < 0.85) || pm.iter().any(|&q| q < 1.8) || es[2] > 0.05 || ms[2] > 2e-3 {
        return Err(format!(
            "nonlinear sphere: orders {p:?} {pm:?}, L2 errors {es:?}, mean errors {ms:?}"
        ));
    }
    quadratic(&last_norms)
}

/// Quadratic convergence, judged on the last three steps of the history: the constants
/// C_k = |R_k+1|/|R_k|² stay within a factor 10 of each other (for a linearly converging
/// method C_k grows by 1/rate each step, for order p < 2 by |R_k|^(p−2)), and the last step
/// cuts the residual by more than 1000.
pub fn quadratic(norms: &[f64]) -> Result<(), String> {
    if norms.len() < 4 {
        return Err(format!("too few Newton steps to judge: {norms:?}"));
    }
    let n = norms.len();
    let c: Vec<f64> = (n - 3..n)
        .map(|k| norms[k] / norms[k - 1].powi(2))
        .collect();
    let spread =
        c.iter().cloned().fold(0.0, f64::max) / c.iter().cloned().fold(f64::INFINITY, f64::min);
    let last = norms[n - 1] / norms[n - 2];
    if spread > 10.0 || last > 1e-3 {
        return Err(format!(
            "Newton is not quadratic: C_k = {c:?}, last reduction {last:e}; history {norms:?}"
        ));
    }
    Ok(())
}

/// A permanent-magnet sphere (remanence Br ẑ, recoil permeability μr) in no applied field:
/// uniformly magnetised with H_in = −M/3, B_in = μ0 μr H_in + Br, so B_in = 2Br/(μr + 2), and
/// outside a dipole with μ0 M/3 = Br/(μr + 2) (the same derivation as the nonlinear sphere).
pub fn magnet(comm: &Comm) -> Result<(), String> {
    let (br, mu_r) = (1.2, 1.05);
    let b_in = 2.0 * br / (mu_r + 2.0);
    println!("permanent-magnet sphere Br = {br} T, mu_r = {mu_r}: exact B_in = {b_in:.6} T");
    let (mut hs, mut ms) = (vec![], vec![]);
    for n in [6, 12, 24] {
        let s = sphere(
            comm,
            n,
            MagneticMaterial::Magnet {
                mu_r,
                br: [0.0, br],
            },
            0.0,
            br / (mu_r + 2.0),
        );
        let (e, mean) = b_error(&s, b_in);
        let me = (mean - b_in).abs() / b_in;
        println!(
            "  h/a {:.4}: L2 err B {e:.3e}, mean B_z {mean:.6} (err {me:.3e})",
            1.0 / n as f64
        );
        hs.push(1.0 / n as f64);
        ms.push(me);
    }
    let p = orders(&hs, &ms);
    println!("  observed order of the mean B_z error: {p:.2?}");
    if ms[2] > 2e-3 || p.iter().any(|&q| q < 1.5) {
        return Err(format!("magnet sphere: mean errors {ms:?}"));
    }
    Ok(())
}
