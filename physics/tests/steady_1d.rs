//! End-to-end physics through a minimal 1D P1 assembler (tests/common): exact solutions for
//! nonlinear k(T) via the Kirchhoff transform, Newton cooling, radiative energy balance, and
//! a manufactured solution driven by the closure-valued source and boundary conditions.

mod common;

use common::{assemble_1d, solve_steady_1d};
use galvana_physics::materials::{nist, Constant, ThermalMaterial};
use galvana_physics::thermal::bcs::{
    Convection, FixedTemperature, HeatFlux, Radiation, STEFAN_BOLTZMANN,
};
use galvana_physics::thermal::{HeatConduction, Source};
use std::sync::Arc;

fn one_region(m: Arc<dyn ThermalMaterial>, sources: Vec<Source>) -> HeatConduction {
    let k = HeatConduction::new(vec![(1, m)], sources);
    k.check_regions(&[1]).unwrap();
    k
}

/// Θ(T) = ∫_{a}^{T} k dT by composite Simpson (independent of the kernel code).
fn kirchhoff(m: &dyn ThermalMaterial, a: f64, b: f64) -> f64 {
    let n = 1000;
    let h = (b - a) / n as f64;
    (0..n)
        .map(|i| {
            let x = a + i as f64 * h;
            h / 6.0
                * (m.conductivity(x) + 4.0 * m.conductivity(x + 0.5 * h) + m.conductivity(x + h))
        })
        .sum()
}

fn bisect(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let flo = f(lo);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if (f(mid) > 0.0) == (flo > 0.0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Copper RRR 100 between 10 K and 80 K: k varies 4× with a peak near 20 K. The exact
/// solution satisfies Θ(T(x)) = (x/L) Θ(T1); P1 nodal errors must fall at least ~4× per
/// refinement (1D nodal superconvergence actually gives ~16×).
#[test]
fn nonlinear_conduction_matches_kirchhoff_solution() {
    let cu: Arc<dyn ThermalMaterial> = Arc::from(nist("copper_rrr100").unwrap());
    let k = one_region(cu.clone(), vec![]);
    let (t0, t1, len) = (10.0, 80.0, 0.05);
    let left = FixedTemperature::new(t0).unwrap();
    let right = FixedTemperature::new(t1).unwrap();
    let total = kirchhoff(cu.as_ref(), t0, t1);
    let mut errors = Vec::new();
    for ncell in [10, 20, 40] {
        let (x, u, its) = solve_steady_1d(&k, ncell, len, [&left, &right], 45.0);
        assert!(its < 15, "Newton took {its} iterations");
        let err = x
            .iter()
            .zip(&u)
            .map(|(xi, ui)| {
                let exact = bisect(|t| kirchhoff(cu.as_ref(), t0, t) - xi / len * total, t0, t1);
                (ui - exact).abs()
            })
            .fold(0.0, f64::max);
        errors.push(err);
    }
    assert!(errors[2] < 1e-4, "{errors:?}");
    assert!(
        errors[0] / errors[1] > 3.0 && errors[1] / errors[2] > 3.0,
        "not second order: {errors:?}"
    );
}

/// Constant k, T(0) = T0, convection at x = L: T is linear, so P1 is exact:
/// T(L) = (k T0 / L + h T∞) / (k / L + h).
#[test]
fn convection_end_matches_analytic() {
    let k = one_region(
        Arc::new(Constant::new(15.0, 7900.0, 477.0).unwrap()),
        vec![],
    );
    let (t0, h, tinf, len) = (300.0, 40.0, 77.0, 0.2);
    let left = FixedTemperature::new(t0).unwrap();
    let right = Convection::new(h, tinf).unwrap();
    let (_, u, _) = solve_steady_1d(&k, 7, len, [&left, &right], 200.0);
    let exact = (15.0 * t0 / len + h * tinf) / (15.0 / len + h);
    assert!((u[7] - exact).abs() < 1e-9 * exact, "{} vs {exact}", u[7]);
    assert!(u[7] < t0 && u[7] > tinf);
}

/// SS 304 plate, 300 K on one face, radiating to 77 K on the other. Heat must flow from the
/// hot face to the sink, the discrete energy balance must close, and T(L) must match the
/// scalar balance (1/L) ∫_{T_L}^{T0} k dT = εσ(T_L⁴ − T∞⁴).
#[test]
fn radiation_energy_balance() {
    let ss: Arc<dyn ThermalMaterial> = Arc::from(nist("ss304").unwrap());
    let k = one_region(ss.clone(), vec![]);
    let (t0, eps, tinf, len) = (300.0, 0.5, 77.0, 2e-3);
    let left = FixedTemperature::new(t0).unwrap();
    let right = Radiation::new(eps, tinf).unwrap();
    let (x, u, _) = solve_steady_1d(&k, 40, len, [&left, &right], 290.0);
    let tl = *u.last().unwrap();
    assert!(tl < t0 && tl > tinf);
    // Row 0 without the Dirichlet replacement is the heat entering at x = 0 (W/m²).
    let free = FixedTemperature::new(1.0).unwrap(); // no natural term at the left
    let (r, _) = assemble_1d(&k, &x, &u, 1, [&free, &right]);
    let q_in = r[0];
    let q_out = eps * STEFAN_BOLTZMANN * (tl.powi(4) - tinf.powi(4));
    assert!(q_in > 0.0, "heat must enter at the hot face");
    assert!((q_in - q_out).abs() < 1e-9 * q_out, "{q_in} vs {q_out}");
    let exact_tl = bisect(
        |t| {
            kirchhoff(ss.as_ref(), t, t0) / len
                - eps * STEFAN_BOLTZMANN * (t.powi(4) - tinf.powi(4))
        },
        tinf,
        t0,
    );
    assert!((tl - exact_tl).abs() < 1e-3, "{tl} vs {exact_tl}");
}

/// Manufactured T(x) = 100 + 60 x/L + 30 sin(2πx/L) with NIST SS 304 k(T):
/// Q = −(k'(T) T'² + k(T) T''), Dirichlet (closure) at x = 0, inward flux q = k T'(L) at x = L.
#[test]
fn manufactured_solution_with_closures() {
    let ss: Arc<dyn ThermalMaterial> = Arc::from(nist("ss304").unwrap());
    let len = 0.1;
    let w = 2.0 * std::f64::consts::PI / len;
    let exact = move |x: f64| 100.0 + 60.0 * x / len + 30.0 * (w * x).sin();
    let d1 = move |x: f64| 60.0 / len + 30.0 * w * (w * x).cos();
    let d2 = move |x: f64| -30.0 * w * w * (w * x).sin();
    let m = ss.clone();
    let src = Source::function(vec![], move |x, _| {
        let t = exact(x[0]);
        -(m.dconductivity(t) * d1(x[0]).powi(2) + m.conductivity(t) * d2(x[0]))
    });
    let k = one_region(ss.clone(), vec![src]);
    let left = FixedTemperature::function(move |x, _| exact(x[0]));
    let m = ss.clone();
    let right = HeatFlux::function(move |x, _| m.conductivity(exact(x[0])) * d1(x[0]));
    let mut errors = Vec::new();
    for ncell in [16, 32, 64] {
        let (x, u, _) = solve_steady_1d(&k, ncell, len, [&left, &right], 150.0);
        errors.push(
            x.iter()
                .zip(&u)
                .map(|(xi, ui)| (ui - exact(*xi)).abs())
                .fold(0.0, f64::max),
        );
    }
    assert!(errors[2] < 1e-4, "{errors:?}");
    assert!(
        errors[0] / errors[1] > 3.5 && errors[1] / errors[2] > 3.5,
        "not second order: {errors:?}"
    );
}
