//! NbTi: the practical fit of L. Bottura, "A practical fit for the critical surface of NbTi",
//! IEEE Trans. Appl. Supercond. 10(1), 1054–1057 (2000):
//!
//! Jc(B, T) = Jc,ref · (C₀ / B) · b^α · (1 − b)^β · (1 − t^n)^γ,
//! b = B / Bc2(T), t = T / Tc0, Bc2(T) = Bc20 · (1 − t^n), n = 1.7.
//!
//! The default constants are the paper's fit of LHC strands (Tc0 = 9.2 K, Bc20 = 14.5 T,
//! C₀ = 27.04 T, α = 0.57, β = 0.9, γ = 2.32), with Jc,ref = 3000 A/mm², the LHC
//! specification at 4.2 K and 5 T to which the fit is normalised.

use super::{field_floor, pow01, CriticalSurface};

/// Bottura's NbTi critical surface.
#[derive(Clone, Debug, PartialEq)]
pub struct Bottura {
    /// Reference critical current density the fit is normalised to, A/m².
    pub jc_ref: f64,
    /// Critical temperature at zero field, K.
    pub tc0: f64,
    /// Upper critical field at zero temperature, T.
    pub bc20: f64,
    /// Normalisation constant, T.
    pub c0: f64,
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    /// Temperature exponent of Bc2(T).
    pub n: f64,
    /// Fields below this are evaluated here (the fit diverges as B → 0), T.
    pub b_min: f64,
}

impl Default for Bottura {
    fn default() -> Self {
        Bottura {
            jc_ref: 3.0e9,
            tc0: 9.2,
            bc20: 14.5,
            c0: 27.04,
            alpha: 0.57,
            beta: 0.9,
            gamma: 2.32,
            n: 1.7,
            b_min: 0.1,
        }
    }
}

impl CriticalSurface for Bottura {
    fn name(&self) -> String {
        "NbTi (Bottura 2000)".into()
    }

    fn jc(&self, b: f64, t: f64) -> f64 {
        let b = field_floor(b, self.b_min);
        let bc2 = self.bc2(t);
        if bc2 <= 0.0 || b >= bc2 {
            return 0.0;
        }
        let tn = 1.0 - pow01(t / self.tc0, self.n);
        let red = b / bc2;
        self.jc_ref
            * (self.c0 / b)
            * red.powf(self.alpha)
            * pow01(1.0 - red, self.beta)
            * pow01(tn, self.gamma)
    }

    fn bc2(&self, t: f64) -> f64 {
        if t.is_nan() || t >= self.tc0 {
            return 0.0;
        }
        self.bc20 * (1.0 - pow01(t.max(0.0) / self.tc0, self.n))
    }

    fn tc0(&self) -> f64 {
        self.tc0
    }
}
