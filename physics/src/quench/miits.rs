//! Closed forms the quench solver is checked against: the adiabatic hot-spot (MIITs) integral
//! and the normal-zone propagation velocity of a conductor with constant properties.

use super::conductor::ConductorMaterial;

/// ∫ I² dt that heats copper of cross-section `a_cu` adiabatically from `t0` to `t1` in field
/// `b`, when the copper carries the whole current: A² ∫ C(T)/ρ(T, B) dT, A²·s.
/// Composite 8-point Gauss–Legendre on 0.5 K panels (C/ρ is smooth).
pub fn miits(m: &dyn ConductorMaterial, a_cu: f64, b: f64, t0: f64, t1: f64) -> f64 {
    const X: [f64; 4] = [
        0.183_434_642_495_650,
        0.525_532_409_916_329,
        0.796_666_477_413_627,
        0.960_289_856_497_536,
    ];
    const W: [f64; 4] = [
        0.362_683_783_378_362,
        0.313_706_645_877_887,
        0.222_381_034_453_374,
        0.101_228_536_290_376,
    ];
    let panels = ((t1 - t0).abs() / 0.5).ceil().max(1.0) as usize;
    let h = (t1 - t0) / panels as f64;
    let f = |t: f64| m.volumetric_heat_capacity(t) / m.resistivity(t, b);
    let mut sum = 0.0;
    for p in 0..panels {
        let mid = t0 + (p as f64 + 0.5) * h;
        for k in 0..4 {
            let d = 0.5 * h * X[k];
            sum += 0.5 * h * W[k] * (f(mid - d) + f(mid + d));
        }
    }
    a_cu * a_cu * sum
}

/// The temperature copper reaches from `t0` after absorbing `target` A²·s adiabatically
/// (inverse of [`miits`], by bisection up to 2000 K).
pub fn hot_spot(m: &dyn ConductorMaterial, a_cu: f64, b: f64, t0: f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (t0, 2000.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if miits(m, a_cu, b, t0, mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Adiabatic normal-zone propagation velocity for constant properties and a heating step at the
/// transition temperature `t_t` (M. N. Wilson, "Superconducting Magnets", 1983, §9):
/// v = (J / C) · √(ρ k / (T_t − T_0)), with J = I / A the current density over the area the
/// heat capacity C (J/(m³ K)), resistivity ρ and conductivity k refer to.
pub fn wilson_velocity(j: f64, c: f64, rho: f64, k: f64, t_t: f64, t0: f64) -> f64 {
    j / c * (rho * k / (t_t - t0)).sqrt()
}
