//! Load lines: a magnet's peak field on the conductor grows linearly with its current,
//! B_peak = k · I (k from Biot–Savart, T/A). The conductor quenches at the latest where that
//! line meets the critical surface, I = A_sc · Jc(k · I, T_op): the short-sample limit.
//! Operating margins are read off the same picture.

use super::CriticalSurface;

/// Where the load line meets the critical surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Intersection {
    /// Magnet current at the intersection (short-sample limit), A.
    pub current: f64,
    /// Peak field on the conductor there, T.
    pub field: f64,
}

/// The margins of an operating point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Margins {
    /// The load-line intersection at the operating temperature.
    pub short_sample: Intersection,
    /// I_op / I_ss: the fraction of the load line used (1 − this is the load-line margin).
    pub load_line_fraction: f64,
    /// Peak field on the conductor at the operating current, T.
    pub peak_field: f64,
    /// Critical current at the operating peak field and temperature, A (fixed-field limit).
    pub critical_current: f64,
    /// Current-sharing temperature at the operating peak field and current density, K.
    pub current_sharing_temperature: f64,
    /// T_cs − T_op, K.
    pub temperature_margin: f64,
}

fn check(k: f64, area: f64, t: f64) -> Result<(), String> {
    if !(k.is_finite() && k > 0.0) {
        return Err(format!(
            "the peak field per ampere must be finite and > 0 T/A, got {k}"
        ));
    }
    if !(area.is_finite() && area > 0.0) {
        return Err(format!(
            "the superconductor cross-section must be finite and > 0 m², got {area}"
        ));
    }
    if !(t.is_finite() && t >= 0.0) {
        return Err(format!(
            "the temperature must be finite and >= 0 K, got {t}"
        ));
    }
    Ok(())
}

/// Intersects the load line B = k·I with I = area · Jc(B, t).
///
/// g(I) = area·Jc(k·I) − I is positive at I = 0 and equals −I at B = Bc2(t), and it decreases
/// for every fit here (Jc falls with B), so bisection finds the one root to round-off.
pub fn intersect(
    surface: &dyn CriticalSurface,
    k: f64,
    area: f64,
    t: f64,
) -> Result<Intersection, String> {
    check(k, area, t)?;
    let bc2 = surface.bc2(t);
    if bc2 <= 0.0 {
        return Err(format!(
            "{} is normal at {t} K (Tc = {} K): no load-line intersection",
            surface.name(),
            surface.tc0()
        ));
    }
    let g = |i: f64| area * surface.jc(k * i, t) - i;
    let (mut lo, mut hi) = (0.0, bc2 / k);
    for _ in 0..300 {
        let mid = 0.5 * (lo + hi);
        if g(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 4.0 * f64::EPSILON * hi {
            break;
        }
    }
    let current = 0.5 * (lo + hi);
    Ok(Intersection {
        current,
        field: k * current,
    })
}

/// Margins of a magnet run at `i_op` amperes and `t_op` kelvin.
pub fn margins(
    surface: &dyn CriticalSurface,
    k: f64,
    area: f64,
    t_op: f64,
    i_op: f64,
) -> Result<Margins, String> {
    if !(i_op.is_finite() && i_op > 0.0) {
        return Err(format!(
            "the operating current must be finite and > 0 A, got {i_op}"
        ));
    }
    let short_sample = intersect(surface, k, area, t_op)?;
    let peak_field = k * i_op;
    let tcs = surface.current_sharing_temperature(peak_field, i_op / area);
    Ok(Margins {
        short_sample,
        load_line_fraction: i_op / short_sample.current,
        peak_field,
        critical_current: area * surface.jc(peak_field, t_op),
        current_sharing_temperature: tcs,
        temperature_margin: tcs - t_op,
    })
}
