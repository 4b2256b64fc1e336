//! Inductances of coaxial circular coils from the flux of the vector potential.
//!
//! The flux of loop 1 through loop 2 is ∮ A·dl = 2π R₂ A_φ, which gives Maxwell's mutual
//! inductance M = μ0 √(R₁R₂) [(2/k − k) K − (2/k) E] (Grover, *Inductance Calculations*, 1946), computed as 8 μ0 R₁²R₂² (D − g)/β³ without cancellation ([`super::elliptic`]).
//! A round wire's self-inductance is the mutual inductance of the loop and a coaxial copy at
//! the geometric mean distance (GMD) of the wire section from itself (Maxwell; Rosa & Grover,
//! Bull. Bur. Standards 8, 1912).

use super::elliptic::ellip;
use super::positive;
use super::quadrature::gauss_legendre;

/// Current distribution over a round wire's section, which sets its GMD from itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireCurrent {
    /// All current on the surface (high frequency): GMD = a.
    Surface,
    /// Uniform current (DC): GMD = a·e^(−1/4).
    Uniform,
}

/// Mutual inductance (H) of two coaxial circular filaments of radii `r1`, `r2` whose planes
/// are `d` apart.
pub fn mutual_coaxial(mu0: f64, r1: f64, r2: f64, d: f64) -> Result<f64, String> {
    let r1 = positive("loop radius r1", r1)?;
    let r2 = positive("loop radius r2", r2)?;
    let d = super::finite("loop separation", d)?;
    let b2 = (r1 + r2) * (r1 + r2) + d * d;
    let a2 = (r1 - r2) * (r1 - r2) + d * d;
    if a2 == 0.0 {
        return Err("coincident filaments have no finite mutual inductance".into());
    }
    let el = ellip(4.0 * r1 * r2 / b2, a2 / b2);
    Ok(8.0 * mu0 * r1 * r1 * r2 * r2 * (el.d - el.g) / (b2 * b2.sqrt()))
}

/// Self-inductance (H) of a circular loop of radius `r` made of round wire of radius `a`,
/// as M(r, r, GMD) with the coaxial copy displaced axially by the GMD (equal radii keep the
/// error O((a/r)² ln(r/a)) instead of O(a/r)).
pub fn loop_self(mu0: f64, r: f64, a: f64, dist: WireCurrent) -> Result<f64, String> {
    let r = positive("loop radius", r)?;
    let a = positive("wire radius", a)?;
    if a >= r {
        return Err(format!(
            "wire radius {a} must be smaller than the loop radius {r}"
        ));
    }
    let gmd = match dist {
        WireCurrent::Surface => a,
        WireCurrent::Uniform => a * (-0.25f64).exp(),
    };
    mutual_coaxial(mu0, r, r, gmd)
}

/// The classical thin-loop asymptote μ0 R (ln(8R/a) − 2) (surface current) or
/// μ0 R (ln(8R/a) − 7/4) (uniform current); Grover 1946.
pub fn loop_self_asymptotic(mu0: f64, r: f64, a: f64, dist: WireCurrent) -> f64 {
    let c = match dist {
        WireCurrent::Surface => 2.0,
        WireCurrent::Uniform => 1.75,
    };
    mu0 * r * ((8.0 * r / a).ln() - c)
}

/// Self-inductance (H) of a set of coaxial turns (radius, axial position), all in series,
/// each of round wire of radius `a`: Σᵢ L_self(rᵢ) + Σ_{i≠j} M(rᵢ, rⱼ, zᵢ − zⱼ). Coincident
/// turns are an error.
pub fn coaxial_turns(
    mu0: f64,
    turns: &[(f64, f64)],
    a: f64,
    dist: WireCurrent,
) -> Result<f64, String> {
    let mut l = 0.0;
    for (i, &(ri, zi)) in turns.iter().enumerate() {
        l += loop_self(mu0, ri, a, dist)?;
        for &(rj, zj) in &turns[i + 1..] {
            l += 2.0 * mutual_coaxial(mu0, ri, rj, zi - zj)?;
        }
    }
    Ok(l)
}

/// Self-inductance (H) of a cylindrical current sheet (N turns of radius R over `length`) by
/// direct quadrature of L = (N/ℓ)² · 2 ∫₀^ℓ (ℓ − u) M(R, R, u) du. The log singularity of M at
/// u = 0 is handled by geometrically graded panels (u in [ℓ 2^−(k+1), ℓ 2^−k]) of 20-point
/// Gauss–Legendre; the first 2^−60 ℓ are dropped (relative contribution < 1e-16).
pub fn sheet_solenoid(mu0: f64, r: f64, length: f64, turns: f64) -> Result<f64, String> {
    let r = positive("solenoid radius", r)?;
    let l = positive("solenoid length", length)?;
    let n = positive("solenoid turns", turns)?;
    let (x, w) = gauss_legendre(20);
    let mut sum = 0.0;
    let mut hi = l;
    for _ in 0..60 {
        let lo = 0.5 * hi;
        for (&xi, &wi) in x.iter().zip(&w) {
            let u = lo + 0.5 * (hi - lo) * (xi + 1.0);
            sum += 0.5 * (hi - lo) * wi * (l - u) * mutual_coaxial(mu0, r, r, u)?;
        }
        hi = lo;
    }
    Ok((n / l) * (n / l) * 2.0 * sum)
}

/// Nagaoka's closed form for a current sheet: L = μ0 π R² N²/ℓ · K_N with
/// K_N = 4/(3π k′) [(k′²/k²)(K − E) + E − k], k² = 4R²/(4R² + ℓ²), k′² = 1 − k²
/// (Nagaoka, J. Coll. Sci. Tokyo 27, 1909; Grover 1946).
pub fn nagaoka(mu0: f64, r: f64, length: f64, turns: f64) -> Result<f64, String> {
    let r = positive("solenoid radius", r)?;
    let l = positive("solenoid length", length)?;
    let n = positive("solenoid turns", turns)?;
    let m = 4.0 * r * r / (4.0 * r * r + l * l);
    let mp = l * l / (4.0 * r * r + l * l);
    let el = ellip(m, mp);
    // (k'^2/k^2)(K - E) = k'^2 D.
    let kn = 4.0 / (3.0 * std::f64::consts::PI * mp.sqrt()) * (mp * el.d + el.e - m.sqrt());
    Ok(mu0 * std::f64::consts::PI * r * r * n * n / l * kn)
}
