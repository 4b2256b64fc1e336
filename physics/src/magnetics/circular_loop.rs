//! A circular current loop: exact field with complete elliptic integrals.

use super::elliptic::ellip;
use super::{dot, eval::FieldSource, finite, finite3, positive, unit, DEFAULT_CORE, V3};
use std::f64::consts::PI;

/// A thin circular loop of `radius` R about `centre`, normal `axis`, carrying `current`
/// (A, counter-clockwise seen from the tip of `axis`, so B points along `axis` at the centre).
///
/// With ρ, z the cylindrical coordinates of the point, α² = (R − ρ)² + z², β² = (R + ρ)² + z²,
/// m = 4Rρ/β² (so 1 − m = α²/β²), the field (Smythe, *Static and Dynamic Electricity*, 7.10;
/// Simpson et al., NASA TM 2001) is
///   B_z = μ0 I/(2π α² β) [(R² − ρ² − z²) E + α² K],
///   B_ρ = μ0 I z/(2π α² β ρ) [(R² + ρ² + z²) E − α² K] = ρ · 4 μ0 I R² z g(m)/(π α² β³),
/// with g(m) = (K − (2 − m)(K − E)/m)/m from [`super::elliptic`]: the bracket is O(ρ²) near the
/// axis and this form has no cancellation and no division by ρ, so the axis needs no special
/// case. 1 − m is formed from α²/β², keeping precision next to the wire.
///
/// Inside the core radius (distance α below it, default 1e-12 R) the field is evaluated at
/// distance `core` in the same direction from the wire and scaled by α/core (round wire with
/// uniform current); on the wire itself it is zero.
#[derive(Clone, Debug)]
pub struct CircularLoop {
    pub centre: V3,
    pub axis: V3,
    pub radius: f64,
    pub current: f64,
    pub core: f64,
}

/// (B_ρ/ρ, B_z) per unit μ0 I of a loop of radius `r0` at (rho, z), for α > 0.
#[inline]
pub(crate) fn loop_rz(r0: f64, rho: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let a2 = (r0 - rho) * (r0 - rho) + z2;
    let b2 = (r0 + rho) * (r0 + rho) + z2;
    let b = b2.sqrt();
    let m = 4.0 * r0 * rho / b2;
    let el = ellip(m, a2 / b2);
    let bz = ((r0 * r0 - rho * rho - z2) * el.e + a2 * el.k) / (2.0 * PI * a2 * b);
    let br_over_rho = 4.0 * r0 * r0 * z * el.g / (PI * a2 * b2 * b);
    (br_over_rho, bz)
}

/// A_φ per unit μ0 I of a loop of radius `r0` at (rho, z):
/// A_φ = μ0 I/(π k) √(R/ρ) [(1 − m/2) K − E] = 4 μ0 I R² ρ (D − g)/(π β³) (no cancellation).
pub(crate) fn loop_aphi(r0: f64, rho: f64, z: f64) -> f64 {
    let z2 = z * z;
    let a2 = (r0 - rho) * (r0 - rho) + z2;
    let b2 = (r0 + rho) * (r0 + rho) + z2;
    let el = ellip(4.0 * r0 * rho / b2, a2 / b2);
    4.0 * r0 * r0 * rho * (el.d - el.g) / (PI * b2 * b2.sqrt())
}

impl CircularLoop {
    /// Errors for a non-positive radius, a zero axis or non-finite input.
    pub fn new(centre: V3, axis: V3, radius: f64, current: f64) -> Result<Self, String> {
        let radius = positive("loop radius", radius)?;
        Ok(Self {
            centre: finite3("loop centre", centre)?,
            axis: unit("loop axis", axis)?,
            radius,
            current: finite("loop current", current)?,
            core: DEFAULT_CORE * radius,
        })
    }

    /// Sets the wire radius (0 < a < R).
    pub fn with_wire_radius(mut self, a: f64) -> Result<Self, String> {
        let a = positive("wire radius", a)?;
        if a >= self.radius {
            return Err(format!(
                "wire radius {a} must be smaller than the loop radius {}",
                self.radius
            ));
        }
        self.core = a;
        Ok(self)
    }

    /// B (T) at one point.
    pub fn field_at(&self, mu0: f64, p: V3) -> V3 {
        let mut b = [[0.0]; 3];
        let [bx, by, bz] = &mut b;
        self.add_field(mu0, &[p[0]], &[p[1]], &[p[2]], bx, by, bz);
        [b[0][0], b[1][0], b[2][0]]
    }

    /// Azimuthal vector potential A_φ (T·m) at cylindrical (ρ, z) relative to the loop.
    pub fn vector_potential(&self, mu0: f64, rho: f64, z: f64) -> f64 {
        mu0 * self.current * loop_aphi(self.radius, rho.abs(), z)
    }
}

impl FieldSource for CircularLoop {
    fn add_field(
        &self,
        mu0: f64,
        x: &[f64],
        y: &[f64],
        z: &[f64],
        bx: &mut [f64],
        by: &mut [f64],
        bz: &mut [f64],
    ) {
        let k = mu0 * self.current;
        let (c, n, r0) = (self.centre, self.axis, self.radius);
        let core2 = self.core * self.core;
        for i in 0..x.len() {
            let d = [x[i] - c[0], y[i] - c[1], z[i] - c[2]];
            let zl = dot(d, n);
            let rv = [d[0] - zl * n[0], d[1] - zl * n[1], d[2] - zl * n[2]];
            let rho = dot(rv, rv).sqrt();
            let a2 = (r0 - rho) * (r0 - rho) + zl * zl;
            let (brr, bzl) = if a2 >= core2 {
                loop_rz(r0, rho, zl)
            } else if a2 > 0.0 {
                // Inside the core: the field at distance `core` along the same direction from
                // the wire, scaled by α/core.
                let s = (a2 / core2).sqrt();
                let (rho1, z1) = (r0 + (rho - r0) / s, zl / s);
                let (brr1, bz1) = loop_rz(r0, rho1, z1);
                (s * brr1 * rho1 / rho, s * bz1)
            } else {
                (0.0, 0.0)
            };
            bx[i] += k * (brr * rv[0] + bzl * n[0]);
            by[i] += k * (brr * rv[1] + bzl * n[1]);
            bz[i] += k * (brr * rv[2] + bzl * n[2]);
        }
    }
    fn elements(&self) -> usize {
        1
    }
}
