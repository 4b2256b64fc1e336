//! Nb₃Sn: the ITER-2008 parameterisation of L. Bottura and B. Bordini, "Jc(B,T,ε)
//! Parameterization for the ITER Nb₃Sn Production", IEEE Trans. Appl. Supercond. 19(3),
//! 1521–1524 (2009):
//!
//! Ic(B, T, ε) = (C / B) · s(ε) · (1 − t^1.52) · (1 − t²) · b^p · (1 − b)^q,
//! t = T / Tc*(0, ε), Tc*(0, ε) = Tc0max* · s(ε)^(1/3),
//! b = B / Bc2*(T, ε), Bc2*(T, ε) = Bc20max* · s(ε) · (1 − t^1.52),
//! s(ε) = 1 + [Ca1 (√(εsh² + ε0a²) − √((ε − εsh)² + ε0a²)) − Ca2 ε] / (1 − Ca1 ε0a),
//! εsh = Ca2 ε0a / √(Ca1² − Ca2²),
//!
//! with ε the intrinsic strain (applied strain minus εm, the applied strain of the maximum).
//! The fit gives a strand's critical current, so C is in A·T; [`Iter2008::area`] is the
//! cross-section (normally the strand's non-copper area) that turns it into a current density.
//! The presets are the strand fits quoted in V. Corato, EUROfusion WPMAG-REP(16) 16565 (2016):
//! the EU TF "EUTF4" (OST) strand and the WST ø1.5 mm DEMO strand.

use super::{field_floor, pow01, CriticalSurface};

/// ITER-2008 Nb₃Sn critical surface at a fixed intrinsic strain.
#[derive(Clone, Debug, PartialEq)]
pub struct Iter2008 {
    /// Scaling constant of the strand's critical current, A·T.
    pub c: f64,
    /// Cross-section the current density refers to, m².
    pub area: f64,
    /// Maximum upper critical field (zero temperature, zero intrinsic strain), T.
    pub bc20max: f64,
    /// Maximum critical temperature (zero field, zero intrinsic strain), K.
    pub tc0max: f64,
    pub p: f64,
    pub q: f64,
    pub ca1: f64,
    pub ca2: f64,
    /// ε0,a (dimensionless strain, not %).
    pub eps0a: f64,
    /// Applied strain at which the critical properties peak (for [`Iter2008::with_applied_strain`]).
    pub eps_m: f64,
    /// Intrinsic strain the surface is evaluated at.
    pub strain: f64,
    /// Fields below this are evaluated here, T.
    pub b_min: f64,
}

impl Iter2008 {
    /// EUTF4 (OST) strand fit; `area` is the strand's non-copper cross-section in m².
    pub fn eutf4(area: f64) -> Self {
        Iter2008 {
            c: 19922.0,
            area,
            bc20max: 32.97,
            tc0max: 16.06,
            p: 0.63,
            q: 2.10,
            ca1: 44.48,
            ca2: 0.0,
            eps0a: 0.00256,
            eps_m: -0.00110,
            strain: 0.0,
            b_min: 0.5,
        }
    }

    /// WST ø1.5 mm DEMO strand fit; `area` as for [`Iter2008::eutf4`].
    pub fn wst(area: f64) -> Self {
        Iter2008 {
            c: 83075.0,
            bc20max: 33.24,
            tc0max: 16.34,
            p: 0.593,
            q: 2.156,
            ca1: 50.06,
            eps0a: 0.00312,
            eps_m: -0.00059,
            ..Self::eutf4(area)
        }
    }

    /// The same strand at an applied strain (intrinsic strain = applied − εm).
    pub fn with_applied_strain(mut self, applied: f64) -> Self {
        self.strain = applied - self.eps_m;
        self
    }

    /// Strain function s(ε) at the surface's intrinsic strain (1 at zero strain when Ca2 = 0).
    pub fn s(&self) -> f64 {
        let (ca1, ca2, e0) = (self.ca1, self.ca2, self.eps0a);
        let esh = ca2 * e0 / (ca1 * ca1 - ca2 * ca2).sqrt();
        let e = self.strain;
        1.0 + (ca1 * ((esh * esh + e0 * e0).sqrt() - ((e - esh).powi(2) + e0 * e0).sqrt())
            - ca2 * e)
            / (1.0 - ca1 * e0)
    }

    /// Critical current of the strand, A (the fit's own quantity).
    pub fn ic(&self, b: f64, t: f64) -> f64 {
        let b = field_floor(b, self.b_min);
        let s = self.s();
        if s <= 0.0 {
            return 0.0;
        }
        let bc2 = self.bc2(t);
        if bc2 <= 0.0 || b >= bc2 {
            return 0.0;
        }
        let tr = t.max(0.0) / self.tc0();
        (self.c / b)
            * s
            * (1.0 - pow01(tr, 1.52))
            * (1.0 - pow01(tr, 2.0))
            * pow01(b / bc2, self.p)
            * pow01(1.0 - b / bc2, self.q)
    }
}

impl CriticalSurface for Iter2008 {
    fn name(&self) -> String {
        format!(
            "Nb3Sn (ITER-2008, intrinsic strain {:.3} %)",
            self.strain * 100.0
        )
    }

    fn jc(&self, b: f64, t: f64) -> f64 {
        self.ic(b, t) / self.area
    }

    fn bc2(&self, t: f64) -> f64 {
        let tc = self.tc0();
        if t.is_nan() || t >= tc {
            return 0.0;
        }
        self.bc20max * self.s().max(0.0) * (1.0 - pow01(t.max(0.0) / tc, 1.52))
    }

    fn tc0(&self) -> f64 {
        self.tc0max * self.s().max(0.0).cbrt()
    }
}
