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

/// Points per vectorised pass (stack scratch).
const LANES: usize = 64;

/// Adds the field of a loop at up to [`LANES`] points: geometry, the AGM and the field are
/// separate passes over small arrays, so each vectorises; all lanes run the AGM until the
/// slowest has converged (converged lanes are unchanged by further steps). Points inside the
/// core are redone one by one afterwards.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn loop_block(
    lp: &CircularLoop,
    k: f64,
    x: &[f64],
    y: &[f64],
    z: &[f64],
    bx: &mut [f64],
    by: &mut [f64],
    bz: &mut [f64],
) {
    let n = x
        .len()
        .min(LANES)
        .min(y.len())
        .min(z.len())
        .min(bx.len())
        .min(by.len())
        .min(bz.len());
    let (c, nv, r0) = (lp.centre, lp.axis, lp.radius);
    let core2 = lp.core * lp.core;
    let (mut zl, mut rho, mut a2, mut b2, mut m) = (
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
    );
    let (mut a, mut b, mut c2, mut t, mut s) = (
        [1.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
        [1.0; LANES],
        [0.5; LANES],
    );
    for i in 0..n {
        let d = [x[i] - c[0], y[i] - c[1], z[i] - c[2]];
        let zz = d[0] * nv[0] + d[1] * nv[1] + d[2] * nv[2];
        let rv = [d[0] - zz * nv[0], d[1] - zz * nv[1], d[2] - zz * nv[2]];
        let r = (rv[0] * rv[0] + rv[1] * rv[1] + rv[2] * rv[2]).sqrt();
        let p = (r0 - r) * (r0 - r) + zz * zz;
        let q = (r0 + r) * (r0 + r) + zz * zz;
        zl[i] = zz;
        rho[i] = r;
        a2[i] = p;
        b2[i] = q;
        m[i] = 4.0 * r0 * r / q;
        b[i] = (p / q).sqrt();
        c2[i] = m[i];
    }
    // AGM (see elliptic::ellip): t = c_n²/m, s = Σ 2^(n-1) t_n.
    let mut w = 0.5;
    for _ in 0..40 {
        w *= 2.0;
        let mut worst = 0.0f64;
        for i in 0..n {
            let an = 0.5 * (a[i] + b[i]);
            let qf = c2[i] / (16.0 * an * an);
            t[i] *= qf;
            c2[i] *= qf;
            b[i] = (a[i] * b[i]).sqrt();
            a[i] = an;
            s[i] += w * t[i];
            let e = c2[i] - 1e-34 * an * an;
            worst = if e > worst { e } else { worst };
        }
        if worst <= 0.0 {
            break;
        }
    }
    let gs = super::elliptic::g_series();
    for i in 0..n {
        let kk = std::f64::consts::FRAC_PI_2 / a[i];
        let dd = kk * s[i];
        let mi = m[i];
        let ee = kk - mi * dd;
        let mut acc = 0.0;
        for &cj in gs.iter().rev() {
            acc = acc * mi + cj;
        }
        let g = if mi < super::elliptic::SERIES_BELOW {
            std::f64::consts::FRAC_PI_2 * acc
        } else {
            (kk - (2.0 - mi) * dd) / mi
        };
        let (p, q, zz, r) = (a2[i], b2[i], zl[i], rho[i]);
        let inside = p < core2;
        let p = if inside { 1.0 } else { p };
        let sq = q.sqrt();
        let bzl = ((r0 * r0 - r * r - zz * zz) * ee + p * kk) / (2.0 * PI * p * sq);
        let brr = 4.0 * r0 * r0 * zz * g / (PI * p * q * sq);
        let (brr, bzl) = if inside {
            (0.0, 0.0)
        } else {
            (k * brr, k * bzl)
        };
        let d = [x[i] - c[0], y[i] - c[1], z[i] - c[2]];
        let rv = [d[0] - zz * nv[0], d[1] - zz * nv[1], d[2] - zz * nv[2]];
        bx[i] += brr * rv[0] + bzl * nv[0];
        by[i] += brr * rv[1] + bzl * nv[1];
        bz[i] += brr * rv[2] + bzl * nv[2];
    }
    for i in 0..n {
        if a2[i] < core2 {
            lp.add_core(k, [x[i], y[i], z[i]], &mut bx[i], &mut by[i], &mut bz[i]);
        }
    }
}

impl CircularLoop {
    /// Field inside the core: evaluated at distance `core` in the same direction from the
    /// wire and scaled by α/core; zero on the wire.
    fn add_core(&self, k: f64, p: V3, bx: &mut f64, by: &mut f64, bz: &mut f64) {
        let (c, n, r0) = (self.centre, self.axis, self.radius);
        let d = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
        let zl = dot(d, n);
        let rv = [d[0] - zl * n[0], d[1] - zl * n[1], d[2] - zl * n[2]];
        let rho = dot(rv, rv).sqrt();
        let a2 = (r0 - rho) * (r0 - rho) + zl * zl;
        if a2 <= 0.0 || rho <= 0.0 {
            return;
        }
        let s = (a2 / (self.core * self.core)).sqrt();
        let (rho1, z1) = (r0 + (rho - r0) / s, zl / s);
        let (brr1, bz1) = loop_rz(r0, rho1, z1);
        let (brr, bzl) = (s * brr1 * rho1 / rho, s * bz1);
        *bx += k * (brr * rv[0] + bzl * n[0]);
        *by += k * (brr * rv[1] + bzl * n[1]);
        *bz += k * (brr * rv[2] + bzl * n[2]);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn loop_block_avx2(
    lp: &CircularLoop,
    k: f64,
    x: &[f64],
    y: &[f64],
    z: &[f64],
    bx: &mut [f64],
    by: &mut [f64],
    bz: &mut [f64],
) {
    loop_block(lp, k, x, y, z, bx, by, bz)
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
        let n = x
            .len()
            .min(y.len())
            .min(z.len())
            .min(bx.len())
            .min(by.len())
            .min(bz.len());
        #[cfg(target_arch = "x86_64")]
        let avx2 = std::is_x86_feature_detected!("avx2");
        for s in (0..n).step_by(LANES) {
            let e = (s + LANES).min(n);
            let (x, y, z) = (&x[s..e], &y[s..e], &z[s..e]);
            let (bx, by, bz) = (&mut bx[s..e], &mut by[s..e], &mut bz[s..e]);
            #[cfg(target_arch = "x86_64")]
            if avx2 {
                // SAFETY: the CPU supports AVX2 (checked just above).
                unsafe { loop_block_avx2(self, k, x, y, z, bx, by, bz) };
                continue;
            }
            loop_block(self, k, x, y, z, bx, by, bz);
        }
    }
    fn elements(&self) -> usize {
        1
    }
}
