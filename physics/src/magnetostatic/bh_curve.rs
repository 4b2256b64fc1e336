//! A tabulated B–H curve of a soft magnetic material (anhysteretic, isotropic).
//!
//! The table is interpolated as H(B) with a monotone cubic (Fritsch–Carlson), so the
//! interpolant keeps the table's monotonicity and the reluctivity ν = H/B is well defined.
//! Beyond the last point the curve continues with the vacuum slope, dB/dH = μ0, so B keeps
//! growing without bound as in a saturated iron (B = μ0 H + M_s).

use super::MU0;
use crate::materials::MonotoneCubic;

/// H(B) from a table of `(H, B)` points; the origin is added if the table does not start there.
#[derive(Clone, Debug)]
pub struct BhCurve {
    h_of_b: MonotoneCubic,
    b_last: f64,
    h_last: f64,
    /// ∫₀^B_last H dB (J/m³).
    w_last: f64,
    /// dH/dB at B = 0 (the initial reluctivity).
    nu0: f64,
}

impl BhCurve {
    /// Builds the curve from `(H, B)` pairs in A/m and T: both strictly increasing, H ≥ 0.
    pub fn new(table: &[(f64, f64)]) -> Result<Self, String> {
        if table.is_empty() {
            return Err("the B-H table is empty".into());
        }
        let mut pts: Vec<(f64, f64)> = Vec::with_capacity(table.len() + 1);
        if table[0] != (0.0, 0.0) {
            pts.push((0.0, 0.0));
        }
        pts.extend_from_slice(table);
        for (i, w) in pts.windows(2).enumerate() {
            let ((h0, b0), (h1, b1)) = (w[0], w[1]);
            if !(h1.is_finite() && b1.is_finite()) || h1 <= h0 || b1 <= b0 {
                return Err(format!(
                    "the B-H table must start at H >= 0, B >= 0 and have strictly increasing H and B \
                     (pair {} is ({h1}, {b1}) after ({h0}, {b0}))",
                    i + 1 + usize::from(table[0] == (0.0, 0.0))
                ));
            }
        }
        let bh: Vec<(f64, f64)> = pts.iter().map(|&(h, b)| (b, h)).collect();
        let h_of_b = MonotoneCubic::new(&bh)?;
        let (b_last, h_last) = bh[bh.len() - 1];
        let w_last = h_of_b.integral(b_last);
        let nu0 = h_of_b.deriv(0.0);
        Ok(Self {
            h_of_b,
            b_last,
            h_last,
            w_last,
            nu0,
        })
    }

    /// H (A/m) at flux density b ≥ 0 (T), and dH/dB.
    pub fn h(&self, b: f64) -> (f64, f64) {
        if b >= self.b_last {
            (self.h_last + (b - self.b_last) / MU0, 1.0 / MU0)
        } else {
            (self.h_of_b.eval(b), self.h_of_b.deriv(b))
        }
    }

    /// Reluctivity ν = H/B (m/H) at b² and its derivative dν/d(b²).
    pub fn nu(&self, b2: f64) -> (f64, f64) {
        let b = b2.max(0.0).sqrt();
        // Below this, ν is its limit at B = 0; the derivative term 2ν'(b²) g⊗g is O(b) there.
        if b <= 1e-12 * self.b_last {
            return (self.nu0, 0.0);
        }
        let (h, dh) = self.h(b);
        let nu = h / b;
        let dnu_db = (dh * b - h) / (b * b);
        (nu, dnu_db / (2.0 * b))
    }

    /// Stored energy density ∫₀^b H dB (J/m³).
    pub fn energy_density(&self, b: f64) -> f64 {
        if b >= self.b_last {
            let d = b - self.b_last;
            self.w_last + self.h_last * d + d * d / (2.0 * MU0)
        } else {
            self.h_of_b.integral(b.max(0.0))
        }
    }

    /// B (T) at field strength h ≥ 0 (A/m), by bisection on the monotone H(B) (for references).
    pub fn b_of_h(&self, h: f64) -> f64 {
        if h >= self.h_last {
            return self.b_last + MU0 * (h - self.h_last);
        }
        let (mut lo, mut hi) = (0.0, self.b_last);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.h(mid).0 < h {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steel() -> BhCurve {
        BhCurve::new(&[
            (100.0, 0.5),
            (300.0, 1.2),
            (1000.0, 1.5),
            (5000.0, 1.8),
            (50000.0, 2.1),
        ])
        .unwrap()
    }

    #[test]
    fn nu_derivative_matches_finite_differences() {
        let c = steel();
        for b in [0.01, 0.3, 0.9, 1.45, 1.7, 2.0, 2.5, 3.0] {
            let b2 = b * b;
            let d = 1e-6 * b2;
            let fd = (c.nu(b2 + d).0 - c.nu(b2 - d).0) / (2.0 * d);
            let (_, an) = c.nu(b2);
            assert!(
                (fd - an).abs() <= 1e-5 * an.abs().max(1.0),
                "b={b}: fd {fd} vs {an}"
            );
        }
    }

    #[test]
    fn passes_through_the_table_and_extrapolates_with_the_vacuum_slope() {
        let c = steel();
        for (h, b) in [(100.0, 0.5), (1000.0, 1.5), (50000.0, 2.1)] {
            assert!((c.h(b).0 - h).abs() < 1e-9 * h);
            assert!((c.b_of_h(h) - b).abs() < 1e-9);
        }
        // 1 T above the last point needs 1/μ0 more A/m.
        assert!((c.h(3.1).0 - (50000.0 + 1.0 / MU0)).abs() < 1e-6 * c.h(3.1).0);
        // Energy beyond the table: the trapezoid of the straight line, exactly.
        let w = c.energy_density(2.6) - c.energy_density(2.1);
        let exact = 0.5 * (c.h(2.1).0 + c.h(2.6).0) * 0.5;
        assert!((w - exact).abs() < 1e-9 * exact);
    }

    #[test]
    fn refuses_non_monotone_tables() {
        assert!(BhCurve::new(&[(100.0, 0.5), (90.0, 0.6)]).is_err());
        assert!(BhCurve::new(&[(100.0, 0.5), (200.0, 0.5)]).is_err());
        assert!(BhCurve::new(&[]).is_err());
    }
}
