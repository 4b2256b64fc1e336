//! REBCO coated conductor: the pinning-force form used by M. J. Wolf et al., "Critical Current
//! Densities of 482 A/mm² in HTS CrossConductors at 4.2 K and 12 T", IEEE Trans. Appl.
//! Supercond. 28(4) (2018):
//!
//! Jc(B, T) = A(T) · B0(T)^β / B · b^p · (1 − b)^q, b = B / B0(T),
//! B0(T) = Bc20 · (1 − T / Tc)^a, A(T) = A0 + u·T² + v·T.
//!
//! The default constants are those of the "Hazelton–Zhai" REBCO set in the UKAEA PROCESS code
//! documentation, fitted there to SuperPower data (D. W. Hazelton, WAMHTS-4, 2017) and the
//! high-Ic parameterisation of Y. Zhai et al., Fusion Eng. Des. 168, 112611 (2021); PROCESS
//! notes that A(T) was chosen by hand through A(4.2 K) = 2.2e8, A(20 K) = 2.3e8 and
//! A(65 K) = 3.5e8, and that the fit is good over 4–10 T and deviates at very low or high
//! field. The result is the current density in the REBCO layer (multiply by the layer's share
//! of the tape cross-section for an engineering current density). Field-angle dependence is
//! not modelled: the fit is for the field perpendicular to the tape, the worst case.

use super::{field_floor, pow01, CriticalSurface};

/// REBCO critical surface (field perpendicular to the tape).
#[derive(Clone, Debug, PartialEq)]
pub struct Wolf {
    pub a0: f64,
    pub u: f64,
    pub v: f64,
    /// Critical temperature, K.
    pub tc: f64,
    /// Irreversibility-like field scale at 0 K, T.
    pub bc20: f64,
    /// Temperature exponent of B0(T).
    pub a: f64,
    pub beta: f64,
    pub p: f64,
    pub q: f64,
    /// Fields below this are evaluated here, T.
    pub b_min: f64,
}

impl Default for Wolf {
    fn default() -> Self {
        Wolf {
            a0: 2.2e8,
            u: 33450.0,
            v: -176577.0,
            tc: 92.0,
            bc20: 138.0,
            a: 1.4,
            beta: 2.005,
            p: 0.39,
            q: 0.9,
            b_min: 0.5,
        }
    }
}

impl CriticalSurface for Wolf {
    fn name(&self) -> String {
        "REBCO (Wolf et al. 2018 form)".into()
    }

    fn jc(&self, b: f64, t: f64) -> f64 {
        let b = field_floor(b, self.b_min);
        let b0 = self.bc2(t);
        if b0 <= 0.0 || b >= b0 {
            return 0.0;
        }
        let t = t.max(0.0);
        let amp = self.a0 + self.u * t * t + self.v * t;
        (amp * b0.powf(self.beta) / b * pow01(b / b0, self.p) * pow01(1.0 - b / b0, self.q))
            .max(0.0)
    }

    fn bc2(&self, t: f64) -> f64 {
        if t.is_nan() || t >= self.tc {
            return 0.0;
        }
        self.bc20 * pow01(1.0 - t.max(0.0) / self.tc, self.a)
    }

    fn tc0(&self) -> f64 {
        self.tc
    }
}
