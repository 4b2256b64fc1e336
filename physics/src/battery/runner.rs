//! Runs an experiment on a cell model: steps with constant current, power or voltage, ended by
//! voltage, current or time, with event points located exactly (bisection on the last step's
//! length) and output every `period` seconds, as PyBaMM's `Simulation` with `t_interp`.

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

/// The current that holds `drive` over a step of length `h` from `cell` (solved by secant
/// iterations for power and voltage), with the state it leads to.
fn solve_current<C: Cell>(cell: &C, h: f64, drive: &Drive, guess: f64) -> Result<(f64, C), String> {
    match drive {
        Drive::Rest => Ok((0.0, cell.advanced(h, 0.0))),
        Drive::Current(i) => Ok((*i, cell.advanced(h, *i))),
        Drive::Power(_) | Drive::Voltage(_) => {
            let resid = |i: f64| {
                let next = cell.advanced(h, i);
                let v = next.voltage(i);
                let r = match drive {
                    Drive::Power(p) => i * v - p,
                    Drive::Voltage(vt) => v - vt,
                    _ => unreachable!(),
                };
                (r, next)
            };
            let scale = cell.nominal_capacity_ah().max(1e-9);
            let (mut i0, mut i1) = (guess, guess + 1e-3 * scale);
            let (mut r0, _) = resid(i0);
            let (mut r1, mut n1) = resid(i1);
            for _ in 0..60 {
                if r1.abs() < 1e-11 {
                    return Ok((i1, n1));
                }
                let di = if (r1 - r0).abs() > 0.0 {
                    -r1 * (i1 - i0) / (r1 - r0)
                } else {
                    1e-3 * scale
                };
                let di = di.clamp(-10.0 * scale, 10.0 * scale);
                i0 = i1;
                r0 = r1;
                i1 += di;
                let (r, n) = resid(i1);
                r1 = r;
                n1 = n;
                if di.abs() < 1e-13 * scale {
                    return Ok((i1, n1));
                }
            }
            if r1.abs() < 1e-7 {
                Ok((i1, n1))
            } else {
                Err(format!(
                    "could not hold {drive:?}: no current found (residual {r1:.3e})"
                ))
            }
        }
    }
}

/// Run `steps` from `cell`, output every `period` s. A step also ends at the cell's voltage
/// limits (the lower on discharge, the upper on charge), as PyBaMM's voltage cut-off events.
pub fn run<C: Cell>(cell: C, steps: &[Step], period: f64) -> Result<Outcome, String> {
    run_with_fields(cell, steps, period, &[]).map(|(o, _)| o)
}

/// As [`run`], and the model's internal state ([`Cell::fields`]) at each of `field_times`
/// (seconds of experiment time, increasing): steps are cut to land on them exactly (the step
/// that follows takes the rest of the cut step, so the output grid of battery.csv is kept).
/// A time at the end of an experiment step gives the state at that end (before the next
/// step's current); times after the end of the run are left out of the result.
pub fn run_with_fields<C: Cell>(
    mut cell: C,
    steps: &[Step],
    period: f64,
    field_times: &[f64],
) -> Result<(Outcome, Vec<(f64, Fields)>), String> {
    let tol = 1e-9 * period.max(1.0);
    let mut snaps: Vec<(f64, Fields)> = Vec::new();
    let mut next_field = 0usize;
    // Times already reached (t = 0 at the start).
    let mut record = |t: f64, cell: &C, next_field: &mut usize| {
        while *next_field < field_times.len() && field_times[*next_field] <= t + tol {
            snaps.push((field_times[*next_field], cell.fields()));
            *next_field += 1;
        }
    };
    record(0.0, &cell, &mut next_field);
    let (v_lo, v_hi) = cell.limits();
    let mut rows = Vec::new();
    let mut reasons = Vec::new();
    let (mut t, mut q) = (0.0f64, 0.0f64);
    let mut last_i = 0.0;
    for (k, step) in steps.iter().enumerate() {
        cell.restart_history();
        let mut until = step.until.clone();
        match step.drive {
            Drive::Current(i) | Drive::Power(i) if i > 0.0 => until.push(Until::Voltage(v_lo)),
            Drive::Current(i) | Drive::Power(i) if i < 0.0 => until.push(Until::Voltage(v_hi)),
            _ => {}
        }
        let guess = match step.drive {
            Drive::Current(i) => i,
            Drive::Power(p) => p / cell.voltage(0.0),
            _ => last_i,
        };
        let (i_start, _) = solve_current(&cell, 1e-9, &step.drive, guess)?;
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
        let mut tau = 0.0;
        // Restart after the current jump with small steps (1/64 of a period, doubling).
        let mut h_next = period / 64.0;
        let mut first_ramp = 2;
        // What is left of a step cut short to land on a field time.
        let mut rest = 0.0f64;
        let mut h_last = f64::INFINITY;
        let reason = loop {
            let mut h = if rest > 0.0 { rest } else { h_next };
            let dur = until.iter().find_map(|u| {
                if let Until::Duration(d) = u {
                    Some(*d)
                } else {
                    None
                }
            });
            if let Some(d) = dur {
                if tau + h >= d - 1e-9 {
                    h = d - tau;
                }
            }
            let mut cut = false;
            if let Some(&tf) = field_times.get(next_field) {
                if tf > t + tol && tf < t + h - tol {
                    rest = h - (tf - t);
                    h = tf - t;
                    cut = true;
                }
            }
            if !cut {
                rest = 0.0;
            }
            // A cut leaves steps of very different lengths side by side; variable-step BDF2 is
            // stable only for moderate growth, so such a step restarts the history (BDF1 for
            // one step). Without field times the ratio never exceeds 2 and nothing changes.
            if h > 2.5 * h_last {
                cell.restart_history();
            }
            h_last = h;
            let (i_new, next) = solve_current(&cell, h, &step.drive, i_now)?;
            let v_new = next.voltage(i_new);
            if !v_new.is_finite() {
                return Err(format!(
                    "{}: the model failed at t = {:.3} s (no solution for the step)",
                    step.text,
                    t + h
                ));
            }
            // Events inside this step: find the first crossing by bisection on the step length.
            let crossed = |v0: f64, v1: f64, i0: f64, i1: f64| -> Option<(String, f64)> {
                for u in &until {
                    match u {
                        Until::Voltage(vc) if (v0 - vc) * (v1 - vc) <= 0.0 && v0 != *vc => {
                            return Some((format!("{} V", vc), *vc));
                        }
                        Until::CurrentBelow(ic) if i1.abs() <= *ic && i0.abs() > *ic => {
                            return Some((format!("|I| = {ic} A"), *ic));
                        }
                        _ => {}
                    }
                }
                None
            };
            if let Some((what, target)) = crossed(v_now, v_new, i_now, i_new) {
                let is_v = what.ends_with(" V");
                let f = |hh: f64| -> Result<(f64, f64, f64, C), String> {
                    let (ii, n) = solve_current(&cell, hh, &step.drive, i_now)?;
                    let vv = n.voltage(ii);
                    let g = if is_v { vv - target } else { ii.abs() - target };
                    Ok((g, ii, vv, n))
                };
                let (mut lo, mut hi) = (0.0, h);
                let g_lo = if is_v {
                    v_now - target
                } else {
                    i_now.abs() - target
                };
                let mut best = f(hi)?;
                for _ in 0..80 {
                    let mid = 0.5 * (lo + hi);
                    let m = f(mid)?;
                    if (m.0 > 0.0) == (g_lo > 0.0) {
                        lo = mid;
                    } else {
                        hi = mid;
                        best = m;
                    }
                    if hi - lo < 1e-10 * period.max(1.0) {
                        break;
                    }
                }
                let (_, ii, vv, n) = best;
                q += 0.5 * (i_now + ii) * hi / 3600.0;
                t += hi;
                cell = n;
                record(t, &cell, &mut next_field);
                last_i = ii;
                rows.push(Row {
                    time_s: t,
                    voltage_v: vv,
                    current_a: ii,
                    discharge_capacity_ah: q,
                    step: k,
                });
                break format!("{}: reached {what}", step.text);
            }
            q += 0.5 * (i_now + i_new) * h / 3600.0;
            t += h;
            tau += h;
            cell = next;
            i_now = i_new;
            v_now = v_new;
            last_i = i_new;
            record(t, &cell, &mut next_field);
            if (tau / period - (tau / period).round()).abs() < 1e-9 {
                rows.push(Row {
                    time_s: t,
                    voltage_v: v_now,
                    current_a: i_now,
                    discharge_capacity_ah: q,
                    step: k,
                });
            }
            if let Some(d) = dur {
                if tau >= d - 1e-9 {
                    break format!("{}: {} s elapsed", step.text, d);
                }
            }
            if cut {
                // Finish the planned step before the ramp moves on.
            } else if first_ramp > 0 && h_next < period {
                // 1/64, 1/64, 1/32, …, 1/2: lands on the first output time.
                if first_ramp == 2 {
                    first_ramp = 1;
                } else {
                    h_next *= 2.0;
                }
                if h_next >= period {
                    h_next = period;
                    first_ramp = 0;
                }
            } else {
                h_next = period;
            }
            if tau > 1e7 {
                break format!("{}: gave up after {tau:.0} s", step.text);
            }
        };
        reasons.push(reason);
    }
    Ok((Outcome { rows, reasons }, snaps))
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
