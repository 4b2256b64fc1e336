//! Superconductor critical surfaces and magnet load lines.
//!
//! A [`CriticalSurface`] gives the critical current density of the superconducting cross-section
//! as a function of field magnitude and temperature (strain, where a fit has it, is fixed when the
//! surface is built). Published fits, one file each: [`nbti::Bottura`] (NbTi),
//! [`nb3sn::Iter2008`] (Nb₃Sn), [`rebco::Wolf`] (REBCO coated conductor). [`load_line`] finds
//! where a magnet's peak field on the conductor meets the surface and the margins of an operating
//! point (current, field and temperature margins).
//!
//! Every fit diverges like B^(p−1) as B → 0 (the pinning-force forms do); fields below each
//! surface's `b_min` are evaluated at `b_min`, which is where the fits stop being data anyway.

pub mod load_line;
pub mod nb3sn;
pub mod nbti;
pub mod rebco;

/// Jc(B, T) of a superconductor, A/m² of superconducting (or non-copper) cross-section.
pub trait CriticalSurface {
    /// Short name for reports ("NbTi (Bottura 2000)").
    fn name(&self) -> String;
    /// Critical current density at field magnitude `b` (T) and temperature `t` (K); zero at and
    /// beyond the upper critical field or the critical temperature, never negative or NaN.
    fn jc(&self, b: f64, t: f64) -> f64;
    /// Upper critical field at temperature `t` (T); zero at and above Tc.
    fn bc2(&self, t: f64) -> f64;
    /// Critical temperature at zero field (K).
    fn tc0(&self) -> f64;

    /// Temperature at which Jc(b, T) falls to `j` (the current-sharing temperature when `j` is
    /// the operating current density). Jc decreases monotonically in T for every fit here, so
    /// bisection is safe; returns 0 when even T = 0 cannot carry `j`.
    fn current_sharing_temperature(&self, b: f64, j: f64) -> f64 {
        if self.jc(b, 0.0) <= j {
            return 0.0;
        }
        let (mut lo, mut hi) = (0.0, self.tc0());
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.jc(b, mid) > j {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo <= 1e-12 * self.tc0() {
                break;
            }
        }
        0.5 * (lo + hi)
    }
}

/// Clamps a field magnitude to a fit's lower limit (and takes |B|, sign never matters).
pub(crate) fn field_floor(b: f64, b_min: f64) -> f64 {
    let b = b.abs();
    if b.is_nan() {
        b_min
    } else {
        b.max(b_min)
    }
}

/// x^y for x in [0, 1], zero outside, so that a surface never goes negative or NaN.
pub(crate) fn pow01(x: f64, y: f64) -> f64 {
    if x > 0.0 {
        x.min(1.0).powf(y)
    } else {
        0.0
    }
}
