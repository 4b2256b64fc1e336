//! Monotone piecewise-cubic Hermite interpolation (Fritsch & Carlson, SIAM J. Numer. Anal. 17,
//! 238–246, 1980), with constant extrapolation and exact integration.
//!
//! Monotone data give a monotone interpolant, so a measured k(T) or cp(T) table cannot acquire
//! spurious over/undershoots (a cp undershoot below zero would make the enthalpy non-monotone
//! and the transient Newton solve ill-posed).

/// A monotone cubic Hermite interpolant through `(x, y)` knots.
#[derive(Clone, Debug, PartialEq)]
pub struct MonotoneCubic {
    x: Vec<f64>,
    y: Vec<f64>,
    /// Knot slopes dy/dx after the Fritsch–Carlson limiter.
    m: Vec<f64>,
    /// ∫ from x[0] to x[k] of the interpolant.
    cum: Vec<f64>,
}

impl MonotoneCubic {
    /// Builds the interpolant. Requires ≥ 1 point, finite values and strictly increasing x.
    pub fn new(points: &[(f64, f64)]) -> Result<Self, String> {
        if points.is_empty() {
            return Err("table is empty".into());
        }
        if let Some((x, y)) = points
            .iter()
            .find(|(x, y)| !(x.is_finite() && y.is_finite()))
        {
            return Err(format!("table has a non-finite entry ({x}, {y})"));
        }
        if let Some(w) = points.windows(2).find(|w| w[1].0 <= w[0].0) {
            return Err(format!(
                "table abscissae must be strictly increasing ({} then {})",
                w[0].0, w[1].0
            ));
        }
        let x: Vec<f64> = points.iter().map(|p| p.0).collect();
        let y: Vec<f64> = points.iter().map(|p| p.1).collect();
        let m = fritsch_carlson_slopes(&x, &y);
        let mut cum = vec![0.0; x.len()];
        for k in 0..x.len().saturating_sub(1) {
            let h = x[k + 1] - x[k];
            // Exact integral of the Hermite cubic over a whole interval.
            cum[k + 1] = cum[k] + h * (0.5 * (y[k] + y[k + 1]) + h * (m[k] - m[k + 1]) / 12.0);
        }
        Ok(Self { x, y, m, cum })
    }

    /// Knot abscissae.
    pub fn knots(&self) -> &[f64] {
        &self.x
    }

    /// Knot slopes (after limiting).
    pub fn slopes(&self) -> &[f64] {
        &self.m
    }

    /// (first, last) knot abscissa.
    pub fn range(&self) -> (f64, f64) {
        (self.x[0], self.x[self.x.len() - 1])
    }

    /// Interval index k with x[k] ≤ t < x[k+1] and local coordinate s = (t − x[k]) / h.
    fn locate(&self, t: f64) -> (usize, f64, f64) {
        let n = self.x.len();
        let k = self
            .x
            .partition_point(|&xk| xk <= t)
            .saturating_sub(1)
            .min(n - 2);
        let h = self.x[k + 1] - self.x[k];
        (k, (t - self.x[k]) / h, h)
    }

    /// Value at `t`; the end values are held constant outside the table.
    pub fn eval(&self, t: f64) -> f64 {
        let n = self.x.len();
        if n == 1 || t <= self.x[0] {
            return self.y[0];
        }
        if t >= self.x[n - 1] {
            return self.y[n - 1];
        }
        let (k, s, h) = self.locate(t);
        let (s2, s3) = (s * s, s * s * s);
        self.y[k] * (2.0 * s3 - 3.0 * s2 + 1.0)
            + h * self.m[k] * (s3 - 2.0 * s2 + s)
            + self.y[k + 1] * (-2.0 * s3 + 3.0 * s2)
            + h * self.m[k + 1] * (s3 - s2)
    }

    /// Derivative at `t` (0 outside the table, consistent with constant extrapolation).
    pub fn deriv(&self, t: f64) -> f64 {
        let n = self.x.len();
        if n == 1 || t < self.x[0] || t > self.x[n - 1] {
            return 0.0;
        }
        let (k, s, h) = self.locate(t);
        let s2 = s * s;
        (self.y[k] * (6.0 * s2 - 6.0 * s) + self.y[k + 1] * (6.0 * s - 6.0 * s2)) / h
            + self.m[k] * (3.0 * s2 - 4.0 * s + 1.0)
            + self.m[k + 1] * (3.0 * s2 - 2.0 * s)
    }

    /// ∫ from the first knot to `t` of the (extrapolated) interpolant; negative before it.
    pub fn integral(&self, t: f64) -> f64 {
        let n = self.x.len();
        if n == 1 || t <= self.x[0] {
            return self.y[0] * (t - self.x[0]);
        }
        if t >= self.x[n - 1] {
            return self.cum[n - 1] + self.y[n - 1] * (t - self.x[n - 1]);
        }
        let (k, s, h) = self.locate(t);
        let (s2, s3, s4) = (s * s, s * s * s, s * s * s * s);
        // Antiderivatives of the four Hermite basis functions, from 0 to s.
        let a00 = s4 / 2.0 - s3 + s;
        let a10 = s4 / 4.0 - 2.0 * s3 / 3.0 + s2 / 2.0;
        let a01 = -s4 / 2.0 + s3;
        let a11 = s4 / 4.0 - s3 / 3.0;
        self.cum[k]
            + h * (self.y[k] * a00
                + h * self.m[k] * a10
                + self.y[k + 1] * a01
                + h * self.m[k + 1] * a11)
    }
}

/// Fritsch–Carlson slopes: three-point averages, zeroed at local extrema, then scaled into
/// the circle α² + β² ≤ 9 that is sufficient for monotonicity on each interval.
fn fritsch_carlson_slopes(x: &[f64], y: &[f64]) -> Vec<f64> {
    let n = x.len();
    if n == 1 {
        return vec![0.0];
    }
    let delta: Vec<f64> = (0..n - 1)
        .map(|k| (y[k + 1] - y[k]) / (x[k + 1] - x[k]))
        .collect();
    let mut m = vec![0.0; n];
    m[0] = delta[0];
    m[n - 1] = delta[n - 2];
    for k in 1..n - 1 {
        m[k] = if delta[k - 1] * delta[k] <= 0.0 {
            0.0
        } else {
            0.5 * (delta[k - 1] + delta[k])
        };
    }
    for k in 0..n - 1 {
        if delta[k] == 0.0 {
            m[k] = 0.0;
            m[k + 1] = 0.0;
            continue;
        }
        let a = m[k] / delta[k];
        let b = m[k + 1] / delta[k];
        let r2 = a * a + b * b;
        if r2 > 9.0 {
            // Shrinking both slopes only moves earlier intervals' (α, β) towards the origin,
            // which stays inside their (convex) monotonicity region.
            let tau = 3.0 / r2.sqrt();
            m[k] = tau * a * delta[k];
            m[k + 1] = tau * b * delta[k];
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_knots_and_cubics_integrate_exactly() {
        let pts = [(1.0, 2.0), (2.0, 3.0), (4.0, 7.0), (5.0, 7.5)];
        let p = MonotoneCubic::new(&pts).unwrap();
        for (x, y) in pts {
            assert!((p.eval(x) - y).abs() < 1e-14);
        }
        // Integral vs composite Simpson with many panels.
        let exact = p.integral(4.6);
        let n = 20000;
        let (a, b) = (1.0, 4.6);
        let h = (b - a) / n as f64;
        let simpson: f64 = (0..n)
            .map(|i| {
                let x0 = a + i as f64 * h;
                h / 6.0 * (p.eval(x0) + 4.0 * p.eval(x0 + 0.5 * h) + p.eval(x0 + h))
            })
            .sum();
        assert!((exact - simpson).abs() < 1e-9, "{exact} vs {simpson}");
    }

    #[test]
    fn rejects_bad_tables() {
        assert!(MonotoneCubic::new(&[]).is_err());
        assert!(MonotoneCubic::new(&[(1.0, 1.0), (1.0, 2.0)]).is_err());
        assert!(MonotoneCubic::new(&[(1.0, f64::NAN)]).is_err());
        assert!(MonotoneCubic::new(&[(2.0, 1.0), (1.0, 2.0)]).is_err());
    }

    #[test]
    fn single_point_is_constant() {
        let p = MonotoneCubic::new(&[(10.0, 3.0)]).unwrap();
        assert_eq!(p.eval(-5.0), 3.0);
        assert_eq!(p.deriv(10.0), 0.0);
        assert_eq!(p.integral(12.0), 6.0);
    }

    #[test]
    fn derivative_matches_finite_difference() {
        let p = MonotoneCubic::new(&[(0.0, 0.0), (1.0, 0.1), (2.0, 5.0), (3.0, 5.2), (6.0, 9.0)])
            .unwrap();
        for i in 1..300 {
            let t = i as f64 * 0.0199 + 0.003;
            let h = 1e-6;
            let fd = (p.eval(t + h) - p.eval(t - h)) / (2.0 * h);
            assert!(
                (fd - p.deriv(t)).abs() < 1e-6 * (1.0 + fd.abs()),
                "t={t}: {fd} vs {}",
                p.deriv(t)
            );
            let fdi = (p.integral(t + h) - p.integral(t - h)) / (2.0 * h);
            assert!((fdi - p.eval(t)).abs() < 1e-7 * (1.0 + fdi.abs()));
        }
    }
}
