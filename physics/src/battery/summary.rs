//! One number per quantity for a whole run (a design sweep's row): discharge capacity and
//! energy, mean and final voltage, time to cut-off.

use super::experiment::{Drive, Until};
use super::runner::Outcome;

/// Figures of merit of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The most charge delivered: the maximum of `discharge_capacity_Ah` [A h].
    pub capacity_ah: f64,
    /// Energy delivered while discharging, ∫ V I dt over the output rows with I > 0
    /// (trapezoids within a step) [W h].
    pub energy_wh: f64,
    /// Mean discharge voltage: that energy over the charge delivered with it [V] (NaN when
    /// nothing was discharged).
    pub mean_voltage_v: f64,
    /// Terminal voltage at the end of the run [V].
    pub final_voltage_v: f64,
    /// When the first discharge step (constant current or power) ended on a voltage (its own
    /// `until` or the cell's lower cut-off) [s]; `None` if it ended otherwise.
    pub time_to_cutoff_s: Option<f64>,
}

/// The summary of `out`, a run of `steps` on a cell with lower cut-off `v_min`.
pub fn summarize(out: &Outcome, steps: &[super::experiment::Step], v_min: f64) -> Summary {
    let rows = &out.rows;
    let capacity_ah = rows
        .iter()
        .map(|r| r.discharge_capacity_ah)
        .fold(0.0, f64::max);
    let (mut e, mut q) = (0.0, 0.0);
    for w in rows.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if a.step == b.step && a.current_a > 0.0 && b.current_a > 0.0 {
            let dt = b.time_s - a.time_s;
            e += 0.5 * (a.voltage_v * a.current_a + b.voltage_v * b.current_a) * dt;
            q += 0.5 * (a.current_a + b.current_a) * dt;
        }
    }
    let first_discharge = steps
        .iter()
        .position(|s| matches!(s.drive, Drive::Current(i) | Drive::Power(i) if i > 0.0));
    let time_to_cutoff_s = first_discharge.and_then(|k| {
        let last = rows.iter().rfind(|r| r.step == k)?;
        let mut limits = vec![v_min];
        limits.extend(steps[k].until.iter().filter_map(|u| match u {
            Until::Voltage(v) => Some(*v),
            _ => None,
        }));
        // The runner lands on voltage events to far better than a millivolt.
        limits
            .iter()
            .any(|v| (last.voltage_v - v).abs() < 1e-3)
            .then_some(last.time_s)
    });
    Summary {
        capacity_ah,
        energy_wh: e / 3600.0,
        mean_voltage_v: if q > 0.0 { e / q } else { f64::NAN },
        final_voltage_v: rows.last().map_or(f64::NAN, |r| r.voltage_v),
        time_to_cutoff_s,
    }
}
