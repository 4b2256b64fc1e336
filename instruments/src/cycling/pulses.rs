//! DC resistance from current steps: ΔV/ΔI across a step boundary.

use super::steps::{Kind, Step};
use super::Record;

/// A current step and the resistance read across it.
#[derive(Clone, Debug, PartialEq)]
pub struct Pulse {
    /// Index of the step the current changed into.
    pub step: usize,
    pub cycle: i64,
    /// Time of the last sample before the change (s).
    pub time: f64,
    pub from: Kind,
    pub to: Kind,
    pub current_before: f64,
    pub current_after: f64,
    pub potential_before: f64,
    /// (V_first_after − V_before)/ΔI (Ω): ohmic plus whatever relaxed within `instant_delay_s`.
    pub r_instant_ohm: f64,
    /// Time from the last sample before to the first after (s): the resolution of `r_instant`.
    pub instant_delay_s: f64,
    /// (V(t + delay) − V_before)/ΔI (Ω), V interpolated in the new step; `None` when the
    /// step is shorter than the delay.
    pub r_delayed_ohm: Option<f64>,
}

/// Resistances at every step boundary where |ΔI| ≥ `min_delta` (A), with the delayed value
/// read `delay` seconds after the last sample before the change.
pub fn resistances(r: &Record, steps: &[Step], min_delta: f64, delay: f64) -> Vec<Pulse> {
    let (t, i, v) = (r.time, r.current, r.potential);
    let mut out = Vec::new();
    for (k, w) in steps.windows(2).enumerate() {
        let (b, a) = (w[0].last_row, w[1].first_row);
        let di = i[a] - i[b];
        if di.abs() < min_delta || di == 0.0 {
            continue;
        }
        let tq = t[b] + delay;
        let r_delayed = (tq <= t[w[1].last_row]).then(|| {
            let rows = a..=w[1].last_row;
            let j = rows.clone().find(|&j| t[j] >= tq).unwrap_or(w[1].last_row);
            let vq = if j == a || t[j] == t[j - 1] {
                v[j]
            } else {
                let s = (tq - t[j - 1]) / (t[j] - t[j - 1]);
                v[j - 1] + s * (v[j] - v[j - 1])
            };
            (vq - v[b]) / di
        });
        out.push(Pulse {
            step: k + 1,
            cycle: w[1].cycle,
            time: t[b],
            from: w[0].kind,
            to: w[1].kind,
            current_before: i[b],
            current_after: i[a],
            potential_before: v[b],
            r_instant_ohm: (v[a] - v[b]) / di,
            instant_delay_s: t[a] - t[b],
            r_delayed_ohm: r_delayed,
        });
    }
    out
}
