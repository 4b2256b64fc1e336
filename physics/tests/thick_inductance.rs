//! Self and mutual inductance of thick (rectangular-section) coaxial coils against published
//! values and limits that do not use the code under test.

use galvana_physics::magnetics::inductance::{mutual_coaxial, nagaoka};
use galvana_physics::magnetics::thick_inductance::{
    thick_mutual, thick_mutual_nodes, thick_self, CoilSection,
};
use galvana_physics::magnetics::ThickSolenoid;
use std::f64::consts::PI;

/// The published constants below were computed with μ0 = 4π·10⁻⁷ H/m.
const MU0: f64 = 4e-7 * PI;

/// ln(g/c) for the geometric mean distance g of a square of side c from itself:
/// 4∫₀¹∫₀¹(1−x)(1−y)·½ln(x²+y²) dx dy, evaluated with mpmath (20 digits) for this test;
/// g/c = 0.4470491559…, Maxwell's 0.44705 (Treatise, 1873, §692; Grover 1946).
const LN_GMD_SQUARE: f64 = -0.805_086_721_950_087;

fn coil(r_in: f64, r_out: f64, len: f64, z0: f64, n: f64) -> CoilSection {
    CoilSection::new(r_in, r_out, len, z0, n).unwrap()
}

/// The Brooks coil: square section of side c, inner radius c, outer 2c, so mean radius
/// a = 3c/2; L = 0.016994·a·N² µH with a in cm (Brooks, Bur. Standards J. Research 7, 1931;
/// Grover 1946), i.e. 1.6994e-6·a·N² H with a in m, given to 5 figures (±3e-5).
#[test]
fn brooks_coil_matches_the_published_constant() {
    for c in [0.01, 0.02, 0.5] {
        let n = 100.0;
        let l = thick_self(MU0, &coil(c, 2.0 * c, c, 0.3, n)).unwrap();
        let k = l / (1.5 * c * n * n);
        let rel = k / 1.6994e-6 - 1.0;
        println!("Brooks c = {c}: L/(aN²) = {k:.10e} H/m, rel. to 1.6994e-6: {rel:.2e}");
        assert!(rel.abs() < 3e-5, "{rel}");
    }
}

/// Doubling the nodes per panel changes the result by round-off only.
#[test]
fn quadrature_is_converged() {
    let brooks = coil(0.02, 0.04, 0.02, 0.0, 1.0);
    let long_thin = coil(0.1, 0.101, 3.0, 0.0, 1.0);
    let flat = coil(0.01, 1.0, 0.001, 0.0, 1.0);
    for c in [brooks, long_thin, flat] {
        let l8 = thick_mutual_nodes(MU0, &c, &c, 8).unwrap();
        let l16 = thick_mutual_nodes(MU0, &c, &c, 16).unwrap();
        println!("{c:?}: 8 vs 16 nodes {:.2e}", l8 / l16 - 1.0);
        assert!((l8 / l16 - 1.0).abs() < 1e-11);
    }
}

/// A thin square-section ring tends to μ0R(ln(8R/g) − 2), g the section's GMD (Maxwell);
/// the next term is O((c/R)² ln(R/c)).
#[test]
fn thin_ring_limit_uses_the_square_gmd() {
    let r = 1.0;
    for c in [1e-1, 1e-2, 1e-3, 1e-4] {
        let l = thick_self(MU0, &coil(r - c / 2.0, r + c / 2.0, c, 0.0, 1.0)).unwrap();
        let g = c * LN_GMD_SQUARE.exp();
        let la = MU0 * r * ((8.0 * r / g).ln() - 2.0);
        let rel = l / la - 1.0;
        let bound = (c / r).powi(2) * ((8.0 * r / c).ln() + 1.0);
        println!("ring c/R = {c:e}: rel. diff {rel:.3e}, bound {bound:.1e}");
        assert!(rel.abs() < bound, "{rel} vs {bound}");
    }
}

/// Radial thickness → 0 at fixed mean radius tends to the current sheet (Nagaoka), with a
/// first-order difference: the relative difference divided by w/R settles to a constant.
#[test]
fn thin_winding_tends_to_nagaoka() {
    let (r, len) = (1.0, 2.0);
    let ln = nagaoka(MU0, r, len, 10.0).unwrap();
    let mut slopes = vec![];
    for w in [1e-2, 1e-3, 1e-4] {
        let l = thick_self(MU0, &coil(r - w / 2.0, r + w / 2.0, len, 0.0, 10.0)).unwrap();
        slopes.push((l / ln - 1.0) / w);
        println!("w/R = {w:e}: rel. diff to Nagaoka {:.4e}", l / ln - 1.0);
    }
    // O(w) with a converging slope: successive slopes agree to O(w).
    assert!(
        (slopes[1] - slopes[2]).abs() < 1e-3 * slopes[2].abs(),
        "{slopes:?}"
    );
    assert!(
        (slopes[0] - slopes[1]).abs() < 1e-2 * slopes[1].abs(),
        "{slopes:?}"
    );
    // r_in = r_out is the sheet itself.
    let sheet = thick_self(MU0, &coil(r, r, len, 0.0, 10.0)).unwrap();
    assert!((sheet / ln - 1.0).abs() < 1e-13);
}

/// A long thick solenoid: the field energy of an infinite one gives
/// L = μ0N²π R²/ℓ · (1 − w/(3R) + w²/(12R²)) (R mean radius, w width), against Nagaoka's
/// sheet of the same mean radius; end effects are O(R/ℓ) on the ratio's deviation.
#[test]
fn long_thick_solenoid_matches_field_energy() {
    let (r, w, len) = (1.0, 0.5, 400.0);
    let l = thick_self(MU0, &coil(r - w / 2.0, r + w / 2.0, len, 0.0, 1.0)).unwrap();
    let inf = MU0 * PI * r * r / len * (1.0 - w / (3.0 * r) + w * w / (12.0 * r * r));
    let rel = l / inf - 1.0;
    println!(
        "long thick solenoid vs infinite-solenoid energy: {rel:.3e} (R/ℓ = {:.1e})",
        r / len
    );
    assert!(rel < 0.0 && rel.abs() < 2.0 * r / len);
}

/// L(whole) = L(part 1) + L(part 2) + 2M(1, 2) for axial and radial cuts (turns in proportion
/// to area): checks the mutual inductance of touching coils against the self-inductance.
#[test]
fn split_coil_adds_up() {
    let whole = coil(0.05, 0.08, 0.04, 0.0, 300.0);
    let l = thick_self(MU0, &whole).unwrap();
    let axial = [
        coil(0.05, 0.08, 0.01, -0.015, 75.0),
        coil(0.05, 0.08, 0.03, 0.005, 225.0),
    ];
    let radial = [
        coil(0.05, 0.06, 0.04, 0.0, 100.0),
        coil(0.06, 0.08, 0.04, 0.0, 200.0),
    ];
    for [a, b] in [axial, radial] {
        let sum = thick_self(MU0, &a).unwrap()
            + thick_self(MU0, &b).unwrap()
            + 2.0 * thick_mutual(MU0, &a, &b).unwrap();
        let rel = sum / l - 1.0;
        println!("split: rel. diff {rel:.2e}");
        assert!(rel.abs() < 1e-11, "{rel}");
    }
    // Mutual inductance is symmetric.
    let (a, b) = (axial[0], radial[1]);
    let m_ab = thick_mutual(MU0, &a, &b).unwrap();
    let m_ba = thick_mutual(MU0, &b, &a).unwrap();
    assert!((m_ab / m_ba - 1.0).abs() < 1e-12);
}

/// Far apart, two coils couple as magnetic dipoles: M → μ0π N₁N₂ ⟨r₁²⟩⟨r₂²⟩/(2d³), with
/// ⟨r²⟩ = (r_in² + r_in r_out + r_out²)/3 the section's mean square radius (dipole moment
/// per ampere N π ⟨r²⟩); the error is O((R/d)²).
#[test]
fn distant_coils_couple_as_dipoles() {
    let a = coil(0.05, 0.15, 0.02, 0.0, 10.0);
    let msq = |c: &CoilSection| (c.r_in * c.r_in + c.r_in * c.r_out + c.r_out * c.r_out) / 3.0;
    let mut prev = f64::INFINITY;
    for d in [2.0, 4.0, 8.0, 16.0] {
        let b = coil(0.1, 0.3, 0.1, d, 20.0);
        let m = thick_mutual(MU0, &a, &b).unwrap();
        let dip = MU0 * PI * 200.0 * msq(&a) * msq(&b) / (2.0 * d * d * d);
        let rel = (m / dip - 1.0).abs();
        println!("d = {d}: rel. diff to dipoles {rel:.3e}");
        assert!(rel < prev / 3.5, "{rel} vs {prev}");
        prev = rel;
    }
    assert!(prev < 1e-3);
}

/// A small loop at the centre of a thick solenoid links the flux π r² B_z(0) of the solenoid's
/// closed-form axial field (Montgomery), up to O((r/R)²); two filaments give Maxwell's M.
#[test]
fn filaments_couple_to_coils() {
    let sol = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        0.05,
        0.08,
        0.3,
        1000.0,
        1.0,
        (1, 1, 1),
    )
    .unwrap();
    let coil = coil(0.05, 0.08, 0.3, 0.0, 1000.0);
    for r in [1e-3, 1e-4] {
        let m = thick_mutual(MU0, &coil, &CoilSection::new(r, r, 0.0, 0.0, 1.0).unwrap()).unwrap();
        let flux = PI * r * r * sol.axial_field(MU0, 0.0);
        let rel = m / flux - 1.0;
        println!("loop r = {r} in a thick solenoid: M vs π r² B_z(0): {rel:.2e}");
        assert!(rel.abs() < 10.0 * (r / 0.05) * (r / 0.05), "{rel}");
    }
    let (a, b) = (
        CoilSection::new(0.3, 0.3, 0.0, 0.1, 1.0).unwrap(),
        CoilSection::new(0.2, 0.2, 0.0, -0.05, 1.0).unwrap(),
    );
    let m = thick_mutual(MU0, &a, &b).unwrap();
    let exact = mutual_coaxial(MU0, 0.3, 0.2, 0.15).unwrap();
    assert!((m / exact - 1.0).abs() < 1e-15);
}

#[test]
fn bad_sections_are_errors() {
    assert!(CoilSection::new(0.0, 1.0, 1.0, 0.0, 1.0).is_err());
    assert!(CoilSection::new(1.0, 0.5, 1.0, 0.0, 1.0).is_err());
    assert!(CoilSection::new(1.0, 2.0, -1.0, 0.0, 1.0).is_err());
    // A filament (zero width and length) has no self-inductance without a wire size.
    let filament = CoilSection::new(1.0, 1.0, 0.0, 0.0, 1.0).unwrap();
    assert!(thick_self(MU0, &filament).is_err());
    assert!(thick_mutual(MU0, &filament, &filament).is_err());
    assert!(CoilSection::new(1.0, 2.0, 1.0, 0.0, -1.0).is_err());
    assert!(CoilSection::new(1.0, f64::NAN, 1.0, 0.0, 1.0).is_err());
}
