//! A thick solenoid of rectangular winding cross-section, as a Gauss–Legendre sum of loops.

use super::circular_loop::loop_rz;
use super::quadrature::composite;
use super::{dot, eval::FieldSource, finite, finite3, positive, unit, V3};

/// `turns` turns carrying `current` each, spread uniformly over the cross-section
/// r_in ≤ r ≤ r_out, |z| ≤ length/2 (current density J = N I / ((r_out − r_in) length)).
///
/// The field is ∫∫ J B_loop(r, z') dr dz', done by Gauss–Legendre: `nr` nodes in r (one node
/// when r_in = r_out, a current sheet) and `nz` nodes on each of `panels` equal axial panels.
/// The rule converges spectrally for points outside the winding; inside the winding volume
/// the integrand is singular and the rule only converges slowly (use [`Self::axial_field`]
/// on the axis, which is exact).
#[derive(Clone, Debug)]
pub struct ThickSolenoid {
    pub centre: V3,
    pub axis: V3,
    pub r_in: f64,
    pub r_out: f64,
    pub length: f64,
    pub turns: f64,
    pub current: f64,
    /// Loop radii, axial offsets and currents of the quadrature loops.
    loops: Vec<(f64, f64, f64)>,
}

impl ThickSolenoid {
    /// Errors for r_in ≤ 0, r_out < r_in, length ≤ 0, turns ≤ 0, zero node counts or
    /// non-finite input.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        centre: V3,
        axis: V3,
        r_in: f64,
        r_out: f64,
        length: f64,
        turns: f64,
        current: f64,
        nodes: (usize, usize, usize),
    ) -> Result<Self, String> {
        let r_in = positive("solenoid inner radius", r_in)?;
        let r_out = finite("solenoid outer radius", r_out)?;
        if r_out < r_in {
            return Err(format!(
                "solenoid outer radius {r_out} < inner radius {r_in}"
            ));
        }
        let length = positive("solenoid length", length)?;
        let turns = positive("solenoid turns", turns)?;
        let current = finite("solenoid current", current)?;
        let (nr, nz, panels) = nodes;
        if nr == 0 || nz == 0 || panels == 0 {
            return Err(format!(
                "solenoid quadrature needs nodes > 0, got {nodes:?}"
            ));
        }
        let (rs, wr) = if r_out > r_in {
            let (x, w) = composite(r_in, r_out, nr, 1);
            (x, w.iter().map(|w| w / (r_out - r_in)).collect())
        } else {
            (vec![r_in], vec![1.0])
        };
        let (zs, wz) = composite(-0.5 * length, 0.5 * length, nz, panels);
        let mut loops = Vec::with_capacity(rs.len() * zs.len());
        for (&r, &a) in rs.iter().zip(&wr) {
            for (&z, &b) in zs.iter().zip(&wz) {
                loops.push((r, z, turns * current * a * b / length));
            }
        }
        Ok(Self {
            centre: finite3("solenoid centre", centre)?,
            axis: unit("solenoid axis", axis)?,
            r_in,
            r_out,
            length,
            turns,
            current,
            loops,
        })
    }

    /// Exact B_z (T) on the axis at axial offset z from the centre:
    /// B_z = μ0 J/2 [z₁ ln((r_out + √(r_out² + z₁²))/(r_in + √(r_in² + z₁²))) − (same at z₂)],
    /// z₁ = z + ℓ/2, z₂ = z − ℓ/2 (Montgomery, *Solenoid Magnet Design*, 1969); for a
    /// current sheet (r_in = r_out = R) the limit μ0 N I/(2ℓ) [z₁/√(R² + z₁²) − z₂/√(R² + z₂²)].
    pub fn axial_field(&self, mu0: f64, z: f64) -> f64 {
        let (a, b, l) = (self.r_in, self.r_out, self.length);
        let ni = self.turns * self.current;
        let (z1, z2) = (z + 0.5 * l, z - 0.5 * l);
        if b - a <= 1e-12 * b {
            let r = 0.5 * (a + b);
            return 0.5 * mu0 * ni / l
                * (z1 / (r * r + z1 * z1).sqrt() - z2 / (r * r + z2 * z2).sqrt());
        }
        let j = ni / ((b - a) * l);
        // z ln((b + √(b²+z²))/(a + √(a²+z²))) = z (asinh(b/|z|) − asinh(a/|z|)), written with
        // ln_1p-free logs of ratios; finite at z = 0 (the term vanishes).
        let term = |zz: f64| {
            if zz == 0.0 {
                0.0
            } else {
                zz * ((b + (b * b + zz * zz).sqrt()) / (a + (a * a + zz * zz).sqrt())).ln()
            }
        };
        0.5 * mu0 * j * (term(z1) - term(z2))
    }

    /// Number of quadrature loops.
    pub fn loops(&self) -> usize {
        self.loops.len()
    }
}

impl FieldSource for ThickSolenoid {
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
        let (c, n) = (self.centre, self.axis);
        for i in 0..x.len() {
            let d = [x[i] - c[0], y[i] - c[1], z[i] - c[2]];
            let zl = dot(d, n);
            let rv = [d[0] - zl * n[0], d[1] - zl * n[1], d[2] - zl * n[2]];
            let rho = dot(rv, rv).sqrt();
            let (mut brr, mut bzl) = (0.0, 0.0);
            for &(r, z0, w) in &self.loops {
                // Points on a quadrature loop (inside the winding) would be singular: skip
                // that loop's contribution, keeping the value finite.
                if rho == r && zl == z0 {
                    continue;
                }
                let (a, b) = loop_rz(r, rho, zl - z0);
                brr += w * a;
                bzl += w * b;
            }
            bx[i] += mu0 * (brr * rv[0] + bzl * n[0]);
            by[i] += mu0 * (brr * rv[1] + bzl * n[1]);
            bz[i] += mu0 * (brr * rv[2] + bzl * n[2]);
        }
    }
    fn elements(&self) -> usize {
        self.loops.len()
    }
}
