//! Runs an experiment on a cell model: steps with constant current, power, voltage or a
//! current profile, ended by voltage, current or time, with adaptive time steps, event points
//! located exactly and output every `period` seconds, as PyBaMM's `Simulation` with `t_interp`.

use super::control::{solve_current, Interpolant, Point, Recent, H_MAX};
use super::experiment::{Drive, Step, Until};
use super::{Cell, Fields};

/// One output row (`battery.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub time_s: f64,
    pub voltage_v: f64,
    /// Positive on discharge.
    pub current_a: f64,
    pub discharge_capacity_ah: f64,
    /// 0-based experiment step.
    pub step: usize,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub rows: Vec<Row>,
    /// Why each step ended, in order.
    pub reasons: Vec<String>,
}

/// Run `steps` from `cell`, output every `period` s. A step also ends at the cell's voltage
/// limits (the lower on discharge, the upper on charge), as PyBaMM's voltage cut-off events.
pub fn run<C: Cell>(cell: C, steps: &[Step], period: f64) -> Result<Outcome, String> {
    run_with_fields(cell, steps, period, &[]).map(|(o, _)| o)
}

/// As [`run`], and the model's internal state ([`Cell::fields`]) at each of `field_times`
/// (seconds of experiment time, increasing): steps are cut to land on them exactly. A time at
/// the end of an experiment step gives the state at that end (before the next step's
/// current); times after the end of the run are left out of the result.
///
/// Time steps are adaptive: the models step by BDF of order up to 3 ([`super::bdf`]), each
/// step's local error in voltage and current is estimated against the extrapolation of the
/// recent steps ([`Recent::error_within`], of the step's order) and the next step sized for the
/// tolerances in [`super::control`]; output rows (every `period` s of each experiment step)
/// come from the polynomial of the step's order through the last steps, and events (cut-off
/// voltage, hold current) are located on that interpolant and then solved for exactly.
pub fn run_with_fields<C: Cell>(
    cell: C,
    steps: &[Step],
    period: f64,
    field_times: &[f64],
) -> Result<(Outcome, Vec<(f64, Fields)>), String> {
    run_partial(cell, steps, period, field_times).into_result()
}

/// A run that may have stopped early: the rows, reasons and fields up to the failure.
#[derive(Clone, Debug)]
pub struct Partial {
    pub outcome: Outcome,
    pub fields: Vec<(f64, Fields)>,
    /// Why the run stopped before the end of the experiment (`None`: it completed).
    pub error: Option<String>,
}

impl Partial {
    /// The whole run, or why it stopped (dropping what was computed before).
    pub fn into_result(self) -> Result<(Outcome, Vec<(f64, Fields)>), String> {
        match self.error {
            Some(e) => Err(e),
            None => Ok((self.outcome, self.fields)),
        }
    }
}

/// As [`run_with_fields`], keeping what was computed before a failure, so that a run that
/// fails late still delivers its curve up to the failure.
pub fn run_partial<C: Cell>(cell: C, steps: &[Step], period: f64, field_times: &[f64]) -> Partial {
    let mut rows = Vec::new();
    let mut reasons = Vec::new();
    let mut fields = Vec::new();
    let error = drive(
        cell,
        steps,
        period,
        field_times,
        (&mut rows, &mut reasons, &mut fields),
    )
    .err();
    Partial {
        outcome: Outcome { rows, reasons },
        fields,
        error,
    }
}

/// Rows, step reasons and field snapshots, filled as the run goes.
type Sink<'a> = (
    &'a mut Vec<Row>,
    &'a mut Vec<String>,
    &'a mut Vec<(f64, Fields)>,
);

fn drive<C: Cell>(
    mut cell: C,
    steps: &[Step],
    period: f64,
    field_times: &[f64],
    sink: Sink,
) -> Result<(), String> {
    let (rows, reasons, snaps) = sink;
    let tol = 1e-9 * period.max(1.0);
    let mut next_field = 0usize;
    let mut record = |t: f64, cell: &C, next_field: &mut usize| {
        while *next_field < field_times.len() && field_times[*next_field] <= t + tol {
            snaps.push((field_times[*next_field], cell.fields()));
            *next_field += 1;
        }
    };
    record(0.0, &cell, &mut next_field);
    let (v_lo, v_hi) = cell.limits();
    let i_scale = cell.nominal_capacity_ah().max(1e-9);
    let tols = cell.tolerances();
    // The first step after a current jump (BDF1 on a profile that moves like √t).
    let h0 = (period / 64.0).min(0.02);
    let (mut t, mut q) = (0.0f64, 0.0f64);
    let mut last_i = 0.0;
    for (k, step) in steps.iter().enumerate() {
        cell.restart_history();
        let mut until = step.until.clone();
        match &step.drive {
            Drive::Current(i) | Drive::Power(i) if *i > 0.0 => until.push(Until::Voltage(v_lo)),
            Drive::Current(i) | Drive::Power(i) if *i < 0.0 => until.push(Until::Voltage(v_hi)),
            Drive::Profile(_) => {
                until.push(Until::Voltage(v_lo));
                until.push(Until::Voltage(v_hi));
            }
            _ => {}
        }
        let profile = match &step.drive {
            Drive::Profile(p) => Some(p.clone()),
            _ => None,
        };
        let guess = match &step.drive {
            Drive::Current(i) => *i,
            Drive::Power(p) => p / cell.voltage(0.0),
            Drive::Profile(p) => p.current_at(0.0),
            _ => last_i,
        };
        let i_start = match &step.drive {
            Drive::Profile(p) => p.current_at(0.0),
            d => solve_current(&cell, 1e-9, 1e-9, d, guess)?.0,
        };
        let mut i_now = i_start;
        let mut v_now = cell.voltage(i_now);
        rows.push(Row {
            time_s: t,
            voltage_v: v_now,
            current_a: i_now,
            discharge_capacity_ah: q,
            step: k,
        });
        // Already past a voltage limit: the step ends at once.
        if until.iter().any(|u| matches!(u, Until::Voltage(vc) if (step_sign(&step.drive) > 0.0 && v_now <= *vc) || (step_sign(&step.drive) < 0.0 && v_now >= *vc))) {
            reasons.push(format!("{}: voltage limit reached at the start", step.text));
            continue;
        }
        let dur = until.iter().find_map(|u| match u {
            Until::Duration(d) => Some(*d),
            _ => None,
        });
        let mut tau = 0.0;
        // Capacity at the start of the step (a profile's rows take the exact integral).
        let q0 = q;
        let out = RowsOut {
            profile: &profile,
            q0,
            step: k,
            period,
            tol,
        };
        let mut recent = Recent::default();
        recent.restart(Point {
            tau,
            v: v_now,
            i: i_now,
            q,
        });
        let mut next_row = 1u64;
        let mut h_next = h0;
        let mut h_last = f64::INFINITY;
        let reason = loop {
            // The step: the controller's size, no more than twice the last while the order
            // ramps up after a restart and 1.5 times once the error is controlled (variable-
            // step BDF3 is zero-stable for ratios below about 1.6), cut to land on the step's
            // end, a field time and the profile's next row.
            let mut h = h_next.min(2.0 * h_last).min(H_MAX);
            if recent.len() == 1 && h_last.is_finite() {
                // Nothing to estimate the error with yet: no growth.
                h = h.min(h_last);
            }
            if let Some(d) = dur {
                if tau + h >= d - 1e-9 {
                    h = d - tau;
                }
            }
            if let Some(&tf) = field_times.get(next_field) {
                if tf > t + tol && tf < t + h - tol {
                    h = tf - t;
                }
            }
            let mut at_break = false;
            let mut tau_end = tau + h;
            if let Some(p) = &profile {
                if let Some(tb) = p.next_breakpoint(tau, tol) {
                    if tb <= tau + h + tol {
                        h = tb - tau;
                        // Exactly on the row: which side of a jump is meant must not hang
                        // on rounding.
                        tau_end = tb;
                        at_break = true;
                    } else {
                        tau_end = tau + h;
                    }
                }
            }
            // A step that finds no solution is retried shorter (a held voltage over a long
            // step can take the secant's first guess out of the model's reach).
            let order = cell.step_order();
            let solved = solve_current(&cell, h, tau_end, &step.drive, i_now);
            let (i_new, v_new, next) = match solved {
                Ok((i, n)) => (i, n.voltage(i), Some(n)),
                Err(_) => (f64::NAN, f64::NAN, None),
            };
            let (true, Some(next)) = (v_new.is_finite(), next) else {
                if h > 1e-6 * period {
                    h_next = 0.25 * h;
                    continue;
                }
                return Err(format!(
                    "{}: the model failed at t = {:.3} s (no solution for the step)",
                    step.text,
                    t + h
                ));
            };
            let new = Point {
                tau: tau_end,
                v: v_new,
                i: i_new,
                q: q + 0.5 * (i_now + i_new) * h / 3600.0,
            };
            let (err, pow) = recent.error_within(&new, i_scale, tols, order);
            if err > 1.0 && h > 1e-6 * period {
                h_next = h * (0.9 * err.powf(-1.0 / pow)).clamp(0.2, 0.9);
                continue;
            }
            if let Some(ev) = crossed(&until, (v_lo, v_hi), v_now, v_new, i_now, i_new) {
                let g_of = |p: &Point| ev.g(p.v, p.i);
                // On the interpolant first (no solves), then on the model.
                let (mut a, mut b) = (tau, new.tau);
                let g_a = g_of(&recent.last());
                let dense = recent.interpolant(&new, order);
                for _ in 0..60 {
                    let m = 0.5 * (a + b);
                    if (g_of(&dense.at(m)) > 0.0) == (g_a > 0.0) {
                        a = m;
                    } else {
                        b = m;
                    }
                }
                let (ev_h, ii, vv, n) = locate(
                    &cell,
                    &step.drive,
                    &ev,
                    tau,
                    h,
                    g_a,
                    g_of(&new),
                    b - tau,
                    i_now,
                    period,
                )?;
                let q_ev = q + 0.5 * (i_now + ii) * ev_h / 3600.0;
                let end = Point {
                    tau: tau + ev_h,
                    v: vv,
                    i: ii,
                    q: q_ev,
                };
                let dense = recent.interpolant(&end, order);
                out.push(rows, &dense, t - tau, &mut next_row, &end, false);
                t += ev_h;
                q = q_ev;
                cell = n;
                record(t, &cell, &mut next_field);
                last_i = ii;
                rows.push(row(t, &end, k));
                break format!("{}: reached {}", step.text, ev.what);
            }
            let dense = recent.interpolant(&new, order);
            out.push(rows, &dense, t - tau, &mut next_row, &new, true);
            t += h;
            tau = tau_end;
            q = new.q;
            cell = next;
            i_now = i_new;
            v_now = v_new;
            last_i = i_new;
            record(t, &cell, &mut next_field);
            recent.push(new);
            h_last = h;
            h_next = if recent.len() < 3 {
                2.0 * h
            } else {
                h * (0.8 * err.max(1e-12).powf(-1.0 / pow)).clamp(0.2, 1.5)
            };
            if let Some(d) = dur {
                if tau >= d - 1e-9 {
                    break format!("{}: {} s elapsed", step.text, d);
                }
            }
            if let (true, Some(p)) = (at_break, &profile) {
                // The current's slope changes here (the voltage has a kink): the error
                // estimate starts again; a jump also restarts the time stepping.
                let i_after = p.current_at(tau + tol);
                if p.jumps_at(tau, tol) {
                    cell.restart_history();
                    i_now = i_after;
                    v_now = cell.voltage(i_now);
                    h_next = h0;
                    h_last = f64::INFINITY;
                }
                recent.restart(Point {
                    tau,
                    v: v_now,
                    i: i_now,
                    q,
                });
            }
            if tau > 1e7 {
                break format!("{}: gave up after {tau:.0} s", step.text);
            }
        };
        reasons.push(reason);
    }
    Ok(())
}

/// Where an experiment step's output rows go: every `period` seconds of step `step`; a current
/// profile's rows take its current and exact charge (capacity `q0` at the start of the step),
/// not the interpolant's.
struct RowsOut<'a> {
    profile: &'a Option<std::sync::Arc<super::profile::Profile>>,
    q0: f64,
    step: usize,
    period: f64,
    tol: f64,
}

impl RowsOut<'_> {
    /// The rows from `next_row` on up to the time step's `end` (a row within `tol` of it
    /// included, as `end` itself, when `inclusive`) from its dense output, at experiment time
    /// `t_base + τ`. Plain scalars from the interpolant to the row: a 7300-row discharge spent
    /// a third of its time here when each row's point went through memory.
    fn push(
        &self,
        rows: &mut Vec<Row>,
        dense: &Interpolant,
        t_base: f64,
        next_row: &mut u64,
        end: &Point,
        inclusive: bool,
    ) {
        loop {
            let tr = *next_row as f64 * self.period;
            let more = if inclusive {
                tr <= end.tau + self.tol
            } else {
                tr < end.tau - self.tol
            };
            if !more {
                return;
            }
            let (v, i, q) = if inclusive && (tr - end.tau).abs() <= self.tol {
                (end.v, end.i, end.q)
            } else {
                let (v, i, q) = dense.values(tr);
                match self.profile {
                    Some(pr) => (v, pr.current_at(tr), self.q0 + pr.charge_ah(tr)),
                    None => (v, i, q),
                }
            };
            rows.push(Row {
                time_s: t_base + tr,
                voltage_v: v,
                current_a: i,
                discharge_capacity_ah: q,
                step: self.step,
            });
            *next_row += 1;
        }
    }
}

fn row(t: f64, p: &Point, step: usize) -> Row {
    Row {
        time_s: t,
        voltage_v: p.v,
        current_a: p.i,
        discharge_capacity_ah: p.q,
        step,
    }
}

/// An event inside a step: the voltage reaching a limit or |I| falling to a hold's end.
struct Event {
    what: String,
    target: f64,
    is_v: bool,
}

impl Event {
    fn g(&self, v: f64, i: f64) -> f64 {
        if self.is_v {
            v - self.target
        } else {
            i.abs() - self.target
        }
    }
}

/// The first of `until`'s events between (v0, i0) and (v1, i1).
fn crossed(
    until: &[Until],
    (v_lo, v_hi): (f64, f64),
    v0: f64,
    v1: f64,
    i0: f64,
    i1: f64,
) -> Option<Event> {
    // From a point on the limit (to rounding: the open-circuit voltage at full charge is the
    // upper cut-off, and the last digit of it decides the side) the cell's cut-offs are
    // reached only by going beyond them, not by moving back into the window.
    let reached = |vc: f64| {
        if (v0 - vc).abs() > 1e-9 {
            (v0 - vc) * (v1 - vc) <= 0.0
        } else if vc >= v_hi - 1e-9 {
            v1 > vc
        } else if vc <= v_lo + 1e-9 {
            v1 < vc
        } else {
            false
        }
    };
    for u in until {
        match u {
            Until::Voltage(vc) if reached(*vc) => {
                return Some(Event {
                    what: format!("{} V", vc),
                    target: *vc,
                    is_v: true,
                });
            }
            Until::CurrentBelow(ic) if i1.abs() <= *ic && i0.abs() > *ic => {
                return Some(Event {
                    what: format!("|I| = {ic} A"),
                    target: *ic,
                    is_v: false,
                });
            }
            _ => {}
        }
    }
    None
}

/// The step length in (0, h] from `cell` at which the event's g vanishes, by regula falsi
/// (Illinois) on the model itself, starting from `guess` (the interpolant's root); g(0) = `g0`
/// and g(h) = `gh` have opposite signs. Returns the length, current, voltage and state.
#[allow(clippy::too_many_arguments)]
fn locate<C: Cell>(
    cell: &C,
    drive: &Drive,
    ev: &Event,
    tau: f64,
    h: f64,
    g0: f64,
    gh: f64,
    guess: f64,
    i_now: f64,
    period: f64,
) -> Result<(f64, f64, f64, C), String> {
    let f = |hh: f64| -> Result<(f64, f64, f64, C), String> {
        let (ii, n) = solve_current(cell, hh, tau + hh, drive, i_now)?;
        let vv = n.voltage(ii);
        Ok((ev.g(vv, ii), ii, vv, n))
    };
    let (mut lo, mut hi, mut g_lo, mut g_hi) = (0.0, h, g0, gh);
    let mut x = guess.clamp(1e-12 * h, h);
    let mut side = 0i8;
    let mut best: Option<(f64, f64, f64, f64, C)> = None;
    for _ in 0..60 {
        let (g, ii, vv, n) = f(x)?;
        // No usable state where the voltage is not finite (the solution ends just beyond the
        // event, as the DFN's at high rates): the event is earlier, and the next try bisects.
        let finite = g.is_finite();
        if finite && g.abs() < 1e-10 {
            // On the event (from either side).
            return Ok((x, ii, vv, n));
        }
        if finite && (g > 0.0) == (g0 > 0.0) {
            lo = x;
            g_lo = g;
            if side == -1 {
                g_hi *= 0.5;
            }
            side = -1;
        } else {
            hi = x;
            if finite {
                g_hi = g;
                best = Some((x, g, ii, vv, n));
                if side == 1 {
                    g_lo *= 0.5;
                }
                side = 1;
            }
        }
        if hi - lo < 1e-10 * period.max(1.0) {
            break;
        }
        x = (lo * g_hi - hi * g_lo) / (g_hi - g_lo);
        if !(finite && x > lo && x < hi) {
            x = 0.5 * (lo + hi);
        }
    }
    match best {
        Some((x, _, ii, vv, n)) => Ok((x, ii, vv, n)),
        None => {
            let (g, ii, vv, n) = f(h)?;
            if !g.is_finite() {
                return Err(format!("no finite voltage found at the {}", ev.what));
            }
            Ok((h, ii, vv, n))
        }
    }
}

fn step_sign(d: &Drive) -> f64 {
    match d {
        Drive::Current(i) | Drive::Power(i) => i.signum(),
        _ => 0.0,
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;
    use crate::battery::experiment::parse_step;
    use crate::battery::params::chen2020;
    use crate::battery::spm::Spm;

    /// Field times land exactly, mid-step and at a step's end; the output rows keep their
    /// times; times after the run are left out; no field times changes nothing.
    #[test]
    fn field_times_land_exactly() {
        let p = chen2020();
        let steps: Vec<Step> = ["Discharge at 1C for 100 seconds", "Rest for 50 seconds"]
            .iter()
            .map(|s| parse_step(s, p.nominal_capacity_ah).unwrap())
            .collect();
        let cell = Spm::new(p, 0.9, 0.27, 10);
        let plain = run(cell.clone(), &steps, 10.0).unwrap();
        let times = [0.0, 0.05, 33.3, 100.0, 120.0, 1e6];
        let (out, snaps) = run_with_fields(cell, &steps, 10.0, &times).unwrap();
        let got: Vec<f64> = snaps.iter().map(|s| s.0).collect();
        assert_eq!(got, &times[..5]);
        let t_plain: Vec<f64> = plain.rows.iter().map(|r| r.time_s).collect();
        let t_out: Vec<f64> = out.rows.iter().map(|r| r.time_s).collect();
        assert_eq!(t_plain.len(), t_out.len());
        for (a, b) in t_plain.iter().zip(&t_out) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        for (a, b) in plain.rows.iter().zip(&out.rows) {
            assert!((a.voltage_v - b.voltage_v).abs() < 1e-3, "{a:?} vs {b:?}");
        }
        // Lithium leaves the negative particle as Faraday says (SPM: one particle).
        let f0 = &snaps[0].1;
        assert_eq!(f0.get("c_s_n").unwrap().shape, vec![10]);
        let cs_avg = |f: &Fields| -> f64 {
            let c = &f.get("c_s_n").unwrap().data;
            let n = c.len();
            (0..n)
                .map(|i| (((i + 1) as f64).powi(3) - (i as f64).powi(3)) * c[i])
                .sum::<f64>()
                / (n as f64).powi(3)
        };
        let p = chen2020();
        let li = |f: &Fields| cs_avg(f) * p.area * p.neg.thickness * p.neg.eps_s;
        let q = 5.0 * 33.3; // C, at 1C = 5 A
        let d = li(&snaps[2].1) - li(f0);
        assert!((d + q / crate::battery::params::F).abs() < 1e-12, "{d}");
    }
}

#[cfg(test)]
mod partial_tests {
    use super::*;
    use crate::battery::experiment::parse_step;
    use crate::battery::params::chen2020;
    use crate::battery::spm::Spm;

    /// An SPM that has no solution beyond `fail_after` seconds (a model breaking down
    /// part-way, as a DFN whose electrolyte empties does).
    #[derive(Clone)]
    struct Breaks {
        cell: Spm,
        t: f64,
        fail_after: f64,
    }

    impl Cell for Breaks {
        fn advanced(&self, h: f64, i: f64) -> Self {
            Breaks {
                cell: self.cell.advanced(h, i),
                t: self.t + h,
                fail_after: self.fail_after,
            }
        }
        fn voltage(&self, i: f64) -> f64 {
            if self.t > self.fail_after {
                f64::NAN
            } else {
                self.cell.voltage(i)
            }
        }
        fn restart_history(&mut self) {
            self.cell.restart_history()
        }
        fn step_order(&self) -> usize {
            self.cell.step_order()
        }
        fn nominal_capacity_ah(&self) -> f64 {
            self.cell.nominal_capacity_ah()
        }
        fn limits(&self) -> (f64, f64) {
            self.cell.limits()
        }
        fn tolerances(&self) -> (f64, f64) {
            self.cell.tolerances()
        }
        fn fields(&self) -> Fields {
            self.cell.fields()
        }
    }

    /// A run that fails keeps every row before the failure, equal to the rows of a run that
    /// does not fail; `run_with_fields` still reports the failure as an error.
    #[test]
    fn a_failed_run_keeps_its_rows() {
        let p = chen2020();
        let steps =
            vec![parse_step("Discharge at 1C for 600 seconds", p.nominal_capacity_ah).unwrap()];
        let spm = Spm::new(p, 0.9, 0.27, 10);
        let whole = run(spm.clone(), &steps, 10.0).unwrap();
        let breaks = Breaks {
            cell: spm,
            t: 0.0,
            fail_after: 300.0,
        };
        let part = run_partial(breaks.clone(), &steps, 10.0, &[]);
        let e = part.error.expect("the run fails");
        assert!(e.contains("the model failed at t = 30"), "{e}");
        let rows = &part.outcome.rows;
        assert!(part.outcome.reasons.is_empty());
        // Rows up to the failure (every 10 s), as the run that did not fail has them.
        let last = rows.last().expect("rows before the failure").time_s;
        assert!((290.0..=300.0).contains(&last), "{last}");
        // The same rows, to the local error tolerance (1e-4 V): the step that meets the
        // failure is retried shorter, so the last rows come from other interpolants.
        for (a, b) in rows.iter().zip(&whole.rows) {
            assert_eq!(a.time_s, b.time_s);
            assert!((a.voltage_v - b.voltage_v).abs() < 1e-4, "{a:?} vs {b:?}");
            assert!((a.discharge_capacity_ah - b.discharge_capacity_ah).abs() < 1e-12);
        }
        assert!(run_with_fields(breaks, &steps, 10.0, &[]).is_err());
    }
}
