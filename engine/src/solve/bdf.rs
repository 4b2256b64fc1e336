//! Variable-step BDF1/BDF2 coefficients and the local-error estimate for adaptive steps.

/// Time-integration scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Bdf1,
    Bdf2,
}

impl Scheme {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bdf1" | "backward_euler" => Some(Self::Bdf1),
            "bdf2" => Some(Self::Bdf2),
            _ => None,
        }
    }
    pub fn order(self) -> usize {
        match self {
            Self::Bdf1 => 1,
            Self::Bdf2 => 2,
        }
    }
}

/// Weights (a0, a1, a2) so that u' ≈ a0 uⁿ⁺¹ + a1 uⁿ + a2 uⁿ⁻¹, for step `dt` after a previous
/// step `dt_prev` (variable-step BDF2; BDF1 when no history).
pub fn weights(scheme: Scheme, dt: f64, dt_prev: Option<f64>) -> [f64; 3] {
    match (scheme, dt_prev) {
        (Scheme::Bdf2, Some(hp)) => {
            let w = dt / hp;
            [
                (1.0 + 2.0 * w) / ((1.0 + w) * dt),
                -(1.0 + w) / dt,
                w * w / ((1.0 + w) * dt),
            ]
        }
        _ => [1.0 / dt, -1.0 / dt, 0.0],
    }
}

/// Predictor by polynomial extrapolation of the history and the factor that turns
/// ‖u − u_pred‖ into an estimate of the local truncation error (Milne's device):
/// BDF1: LTE ≈ dt/(2dt+dt_prev) ‖u − u_lin‖; BDF2: LTE ≈ C ‖u − u_quad‖ with C from the
/// error constants of BDF2 (2/9 at constant steps) and of the quadratic extrapolation.
pub fn predictor(
    scheme: Scheme,
    dt: f64,
    dts: &[f64],
    levels: &[&[f64]],
    out: &mut [f64],
) -> Option<f64> {
    match (scheme, levels.len(), dts.len()) {
        (Scheme::Bdf1, l, d) if l >= 2 && d >= 1 => {
            let (u0, u1, h1) = (levels[0], levels[1], dts[0]);
            for i in 0..out.len() {
                out[i] = u0[i] + dt * (u0[i] - u1[i]) / h1;
            }
            Some(dt / (2.0 * dt + h1))
        }
        (Scheme::Bdf2, l, d) if l >= 3 && d >= 2 => {
            // Lagrange extrapolation through (t0, u0), (t0-h1, u1), (t0-h1-h2, u2) to t0+dt.
            let (h1, h2) = (dts[0], dts[1]);
            let (t0, t1, t2, t) = (0.0, -h1, -h1 - h2, dt);
            let l0 = (t - t1) * (t - t2) / ((t0 - t1) * (t0 - t2));
            let l1 = (t - t0) * (t - t2) / ((t1 - t0) * (t1 - t2));
            let l2 = (t - t0) * (t - t1) / ((t2 - t0) * (t2 - t1));
            for i in 0..out.len() {
                out[i] = l0 * levels[0][i] + l1 * levels[1][i] + l2 * levels[2][i];
            }
            // Extrapolation error dt(dt+h1)(dt+h1+h2)/6 u'''; BDF2 LTE dt²(dt+h1)²/(6(2dt+h1)) u'''
            // (the interpolant's derivative error dt(dt+h1)/6 u''' divided by a0).
            let ext = dt * (dt + h1) * (dt + h1 + h2) / 6.0;
            let bdf = dt * dt * (dt + h1).powi(2) / (6.0 * (2.0 * dt + h1));
            Some(bdf / (ext + bdf))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdf2_weights_are_exact_for_quadratics() {
        // u(t) = t², steps 0.3 then 0.5: u'(t_{n+1}) must be exact.
        let (tm1, t0, t1) = (0.0, 0.3, 0.8);
        let a = weights(Scheme::Bdf2, t1 - t0, Some(t0 - tm1));
        let d = a[0] * t1 * t1 + a[1] * t0 * t0 + a[2] * tm1 * tm1;
        assert!((d - 2.0 * t1).abs() < 1e-12, "{d}");
        // and the weights annihilate constants
        assert!((a[0] + a[1] + a[2]).abs() < 1e-12);
    }

    #[test]
    fn bdf1_weights_exact_for_linear() {
        let a = weights(Scheme::Bdf1, 0.25, None);
        assert!((a[0] * 1.25 + a[1] * 1.0 - 1.0).abs() < 1e-12);
    }
}
