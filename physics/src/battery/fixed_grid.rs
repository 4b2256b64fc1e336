//! A fixed-step driver for calibration: a [`Cell`] stepped over a time grid made from the
//! data alone (the data times, each interval cut into equal substeps), so that nearby
//! parameter values go through the same sequence of steps and the voltage at the data times is
//! a smooth function of the parameters (up to the models' Newton tolerances). The adaptive
//! runner ([`super::runner`]) chooses its steps from the solution, and a tiny parameter change
//! that flips one accept/reject decision moves its output by up to millivolts.
//!
//! The current is linear between data rows; two rows at one time are a jump. Each step takes
//! the current at its end (the value before a jump there), as BDF does and as the adaptive
//! runner does for profiles; the time-stepping history restarts after every jump. After the
//! start and after each jump or change of slope of the current the steps grow geometrically
//! from [`H_FIRST`], because the solution moves like √t there.

use super::Cell;

/// The first step after the start, a jump or a kink of the current [s].
pub const H_FIRST: f64 = 0.02;
/// Longest step while current flows [s]: at a 3C pulse that nearly empties a particle surface
/// 5 s steps are 3 mV off and 1 s steps agree with the adaptive runner (tests in
/// `physics/tests/calibration_fixed_grid.rs`); at rest the steps may grow to `h_max`.
pub const H_CURRENT: f64 = 1.0;

/// One action of a [`Plan`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    /// Advance by `h` s with the current `i` [A] (positive on discharge).
    Step { h: f64, i: f64 },
    /// The current jumps: forget the stepping history.
    Restart,
    /// Record the voltage for data row `k` (at the current state, with the row's current).
    Sample(usize),
}

/// The step sequence for data times `t` (non-decreasing, at most two rows at one time) and
/// currents `i` (positive on discharge, linear between rows), no step longer than `h_max`,
/// nor than [`H_CURRENT`] in an interval where current flows.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub actions: Vec<Action>,
    /// The currents of the data rows (the voltage of row k is taken at `i[k]`).
    pub i: Vec<f64>,
}

impl Plan {
    pub fn new(t: &[f64], i: &[f64], h_max: f64) -> Plan {
        assert_eq!(t.len(), i.len());
        assert!(h_max > 0.0);
        let mut actions = vec![Action::Restart, Action::Sample(0)];
        // The longest step allowed now: it doubles per step from H_FIRST after a restart.
        let mut h_allow = H_FIRST.min(h_max);
        // Steps since the last restart: the second is no longer than the first (BDF2's
        // history is one BDF1 step then, as in the adaptive runner).
        let mut fresh = 0usize;
        for k in 1..t.len() {
            let gap = t[k] - t[k - 1];
            if gap <= 0.0 {
                actions.push(Action::Restart);
                actions.push(Action::Sample(k));
                h_allow = H_FIRST.min(h_max);
                fresh = 0;
                continue;
            }
            // A kink: the slope changes by more than a thousandth of the row's current scale
            // per gap (the voltage's derivative jumps there).
            if k >= 2 && t[k - 1] > t[k - 2] {
                let s0 = (i[k - 1] - i[k - 2]) / (t[k - 1] - t[k - 2]);
                let s1 = (i[k] - i[k - 1]) / gap;
                let scale = i[k].abs().max(i[k - 1].abs()).max(i[k - 2].abs());
                if (s1 - s0).abs() * gap > 1e-3 * scale {
                    h_allow = h_allow.min(H_FIRST.min(h_max));
                }
            }
            let cap = if i[k] == 0.0 && i[k - 1] == 0.0 {
                h_max
            } else {
                h_max.min(H_CURRENT)
            };
            h_allow = h_allow.min(cap);
            let mut done = 0.0;
            while done < gap {
                let rest = gap - done;
                // Equal substeps over what remains at the allowed length, so no sliver is left.
                let n = (rest / h_allow * (1.0 - 1e-12)).ceil().max(1.0);
                let h = rest / n;
                done += h;
                let tau = if n == 1.0 { t[k] } else { t[k - 1] + done };
                let s = ((tau - t[k - 1]) / gap).min(1.0);
                let cur = i[k - 1] + s * (i[k] - i[k - 1]);
                actions.push(Action::Step { h, i: cur });
                if n == 1.0 {
                    done = gap;
                }
                fresh += 1;
                // Doubling: faster than variable-step BDF3 is zero-stable for at a constant
                // ratio (about 1.6), but only over the ten or so steps of growth after a restart;
                // growing by 1.5 instead moved the pulse tests' voltages by under 0.003 mV.
                h_allow = if fresh == 1 { h } else { (2.0 * h).min(cap) };
            }
            actions.push(Action::Sample(k));
        }
        Plan {
            actions,
            i: i.to_vec(),
        }
    }

    /// The number of model steps.
    pub fn steps(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| matches!(a, Action::Step { .. }))
            .count()
    }

    /// The terminal voltage [V] at every data row, stepping `cell` along the plan. A step whose
    /// voltage is not finite ends the run with an error naming the time.
    pub fn run<C: Cell>(&self, mut cell: C, t0: f64) -> Result<Vec<f64>, String> {
        let mut v = vec![f64::NAN; self.i.len()];
        let mut t = t0;
        for a in &self.actions {
            match *a {
                Action::Restart => cell.restart_history(),
                Action::Step { h, i } => {
                    let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        cell.advanced(h, i)
                    }))
                    .map_err(|_| {
                        format!(
                            "the model failed in the step from t = {t:.3} s to {:.3} s",
                            t + h
                        )
                    })?;
                    t += h;
                    let vv = next.voltage(i);
                    if !vv.is_finite() {
                        return Err(format!(
                            "the model failed at t = {t:.3} s (voltage {vv} at {i:.4} A)"
                        ));
                    }
                    cell = next;
                }
                Action::Sample(k) => {
                    let vv = cell.voltage(self.i[k]);
                    if !vv.is_finite() {
                        return Err(format!(
                            "the model voltage is not finite at t = {t:.3} s (data row {k})"
                        ));
                    }
                    v[k] = vv;
                }
            }
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(p: &Plan) -> Vec<(f64, f64)> {
        p.actions
            .iter()
            .filter_map(|a| match a {
                Action::Step { h, i } => Some((*h, *i)),
                _ => None,
            })
            .collect()
    }

    /// The steps tile each interval exactly, never exceed h_max, grow from H_FIRST after the
    /// start and a jump, and take the current at their ends (before a jump).
    #[test]
    fn plan_tiles_the_data_and_takes_currents_at_step_ends() {
        let t = [0.0, 10.0, 20.0, 20.0, 30.0];
        let i = [1.0, 1.0, 3.0, -2.0, -2.0];
        let p = Plan::new(&t, &i, 4.0);
        let s = steps(&p);
        assert!((s[0].0 - H_FIRST).abs() < 1e-15, "{s:?}");
        assert!(s.iter().all(|x| x.0 <= 4.0 + 1e-12));
        let total: f64 = s.iter().map(|x| x.0).sum();
        assert!((total - 30.0).abs() < 1e-12);
        // Walk the plan: samples land on the data times, restarts at the start and the jump.
        let (mut tt, mut samples, mut restarts) = (0.0, Vec::new(), 0);
        for a in &p.actions {
            match a {
                Action::Step { h, i: c } => {
                    tt += h;
                    let want = if tt <= 10.0 + 1e-9 {
                        1.0
                    } else if tt <= 20.0 + 1e-9 {
                        1.0 + 2.0 * (tt - 10.0) / 10.0
                    } else {
                        -2.0
                    };
                    assert!((c - want).abs() < 1e-9, "at {tt}: {c} vs {want}");
                }
                Action::Sample(k) => samples.push((*k, tt)),
                Action::Restart => restarts += 1,
            }
        }
        assert_eq!(restarts, 2);
        for (k, tt) in samples {
            assert!((tt - t[k]).abs() < 1e-9, "row {k} sampled at {tt}");
        }
        // Steps grow by at most a ratio of 2.
        for w in s.windows(2) {
            assert!(w[1].0 <= 2.0 * w[0].0 * (1.0 + 1e-12), "{w:?}");
        }
    }
}
