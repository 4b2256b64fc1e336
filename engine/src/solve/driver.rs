//! The run driver: steady solve or BDF time stepping with adaptive steps, calling the output
//! writers and postprocessors.

use super::bdf::{predictor, weights, Scheme};
use super::control::{ExtraColumns, ScalarControl};
use super::linear::LinearSolver;
use super::newton::{self, NewtonContext, NewtonOptions, NewtonWork};
use crate::comm::Comm;
use crate::fem::assemble::{Assembler, TimeTerms};
use crate::fem::postprocess::volume_integrals;
use crate::monitor::Monitor;
use crate::timing::Timings;

/// Time-stepping configuration.
#[derive(Clone, Debug)]
pub struct TimeConfig {
    pub steady: bool,
    pub scheme: Scheme,
    pub start: f64,
    pub end: f64,
    pub dt: f64,
    pub dt_min: f64,
    pub dt_max: f64,
    pub adaptive: bool,
    /// Target relative local error per step (adaptive only).
    pub target_error: f64,
    pub growth: f64,
    pub max_steps: u64,
}

impl Default for TimeConfig {
    fn default() -> Self {
        Self {
            steady: true,
            scheme: Scheme::Bdf2,
            start: 0.0,
            end: 0.0,
            dt: 1.0,
            dt_min: 0.0,
            dt_max: f64::INFINITY,
            adaptive: false,
            target_error: 1e-3,
            growth: 1.5,
            max_steps: 1_000_000,
        }
    }
}

/// One row of postprocessor values at an output time.
#[derive(Clone, Debug)]
pub struct PostRow {
    pub time: f64,
    pub values: Vec<f64>,
}

/// Receives the solution at output times (fields files, monitors.csv).
pub trait OutputSink {
    /// Column names (with units) of the postprocessor rows.
    fn begin(&mut self, comm: &Comm, asm: &Assembler, columns: &[String]) -> Result<(), String>;
    fn write(
        &mut self,
        comm: &Comm,
        asm: &Assembler,
        u: &[f64],
        step: u64,
        row: &PostRow,
    ) -> Result<(), String>;
    /// Output times written so far (checkpoints record them so a restart continues the series).
    fn output_times(&self) -> Vec<f64> {
        Vec::new()
    }
}

/// State of a run that the checkpoint issue will persist: everything needed to continue.
#[derive(Clone, Debug, Default)]
pub struct StepState {
    pub step: u64,
    pub time: f64,
    pub dt: f64,
    /// Previous step sizes, newest first.
    pub dt_history: Vec<f64>,
    /// Accumulated outflow energy (J) through boundaries and sources, for the energy balance.
    pub energy_out: f64,
    pub energy0: f64,
    pub total_linear_its: u64,
    pub total_newton_its: u64,
    pub rejected_steps: u64,
}

/// Result of a run.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub state: StepState,
    pub last_row: Option<PostRow>,
    pub columns: Vec<String>,
    /// The run stopped early after writing a checkpoint (signal).
    pub checkpointed: bool,
    /// The run ended before its end time for a physical reason (a potential limit), said here.
    pub stopped: Option<String>,
}

pub struct Driver<'a> {
    pub comm: &'a Comm,
    pub asm: &'a Assembler,
    pub linear: &'a mut LinearSolver,
    pub monitor: &'a mut Monitor,
    pub timings: &'a mut Timings,
    pub newton: NewtonOptions,
    pub time: TimeConfig,
    pub output_interval: u64,
    /// Start from this state instead of the initial condition.
    pub resume: Option<Resume>,
    pub hook: Option<&'a mut dyn StepHook>,
    /// Monitor columns the physics adds.
    pub extra: Option<&'a dyn ExtraColumns>,
    /// A global scalar solved with every step.
    pub control: Option<&'a dyn ScalarControl>,
}

/// How a controlled step ended.
enum Controlled {
    Solved(newton::NewtonResult),
    /// The target needs the control outside its limits.
    Limit(String),
}

impl Driver<'_> {
    /// Postprocessor column names: extrema and means per field, conserved quantity, source,
    /// boundary flows per bc, the balance error, then the physics' own columns.
    pub fn columns(&self) -> Vec<String> {
        let mut c = Vec::new();
        let units = self.asm.kernel.field_units();
        for (f, u) in self.asm.kernel.field_names().iter().zip(units) {
            c.push(format!("min_{f}_{u}"));
            c.push(format!("max_{f}_{u}"));
            c.push(format!("mean_{f}_{u}"));
        }
        let b = self.asm.kernel.balance_columns();
        c.push(b.total.into());
        c.push(b.source.into());
        for bc in &self.asm.bcs {
            c.push(format!("outflow_{}_{}", bc.name, b.flow_unit));
        }
        c.push(if self.time.steady {
            b.steady_error.into()
        } else {
            b.transient_error.into()
        });
        if let Some(x) = self.extra {
            c.extend(x.columns());
        }
        c
    }

    /// Column index of the balance error (the source is two before the first outflow).
    fn error_index(&self) -> usize {
        3 * self.asm.space.ncomp + 2 + self.asm.bcs.len()
    }

    fn post_row(&self, u: &[f64], t: f64, st: &StepState, reaction: &[f64]) -> (PostRow, f64) {
        let vi = volume_integrals(self.comm, self.asm, u, t);
        let flows = self.natural_flows(u, t, reaction);
        let nc = self.asm.space.ncomp;
        let w = self.asm.kernel.balance_weights();
        let mut v = Vec::new();
        for c in 0..nc {
            v.push(vi.min[c]);
            v.push(vi.max[c]);
            v.push(vi.integral[c] / vi.volume);
        }
        let energy: f64 = (0..nc).map(|c| w[c] * vi.mass[c]).sum();
        let source: f64 = -(0..nc).map(|c| w[c] * vi.f0[c]).sum::<f64>();
        v.push(energy);
        v.push(source);
        // Outflow through each bc: ∫b0 for natural conditions; for essential ones the reaction
        // R_i = −∮ q·n φ_i, so the outflow is −Σ R_i.
        let mut total_out = 0.0;
        for b in 0..self.asm.bcs.len() {
            let q: f64 = (0..nc).map(|c| w[c] * flows[b * nc + c]).sum();
            total_out += q;
            v.push(q);
        }
        v.push(st.energy_out);
        if let Some(x) = self.extra {
            v.extend(x.values_at(t, &flows, &vi.integral, u));
        }
        (PostRow { time: t, values: v }, source - total_out)
    }

    /// One step's nonlinear solve with the control's scalar found by a safeguarded secant
    /// (regula falsi once bracketed); each trial value is a full Newton solve warm-started from
    /// the previous one.
    #[allow(clippy::too_many_arguments)]
    fn controlled_solve(
        &mut self,
        ctl: &dyn ScalarControl,
        work: &mut NewtonWork,
        u: &mut [f64],
        t: f64,
        tt: &TimeTerms,
        step: u64,
        dt: f64,
    ) -> Result<Controlled, String> {
        ctl.begin_step(dt);
        let (lo_lim, hi_lim) = ctl.limits();
        let tol = ctl.tolerance(t);
        let mut eval =
            |me: &mut Self, u: &mut [f64], x: f64| -> Result<(newton::NewtonResult, f64), String> {
                ctl.set(x);
                let res = me.newton_solve(work, u, t, tt, step)?;
                if !res.converged {
                    return Ok((res, f64::NAN));
                }
                me.asm.space.layout.update_ghosts(me.comm, u);
                let flows = me.natural_flows(u, t, &res.reaction);
                Ok((res, ctl.mismatch(t, &flows)))
            };
        let mut x1 = ctl.value();
        let (mut res, mut g1) = eval(self, u, x1)?;
        if g1.is_nan() {
            return Ok(Controlled::Solved(res));
        }
        // Points with g > 0 need a larger x; keep the tightest of each sign.
        let mut below: Option<(f64, f64)> = None;
        let mut above: Option<(f64, f64)> = None;
        let mut prev: Option<(f64, f64)> = None;
        for _ in 0..60 {
            if g1.abs() <= tol {
                return Ok(Controlled::Solved(res));
            }
            if g1 > 0.0 {
                below = Some((x1, g1));
            } else {
                above = Some((x1, g1));
            }
            let mut next = match prev {
                Some((x0, g0)) if (g1 - g0) / (x1 - x0) < 0.0 => x1 - g1 * (x1 - x0) / (g1 - g0),
                Some(_) => x1 + 0.05 * g1.signum(),
                None => x1 + 1e-3 * g1.signum(),
            };
            next = next.clamp(x1 - 0.2, x1 + 0.2);
            if let (Some((xa, ga)), Some((xb, gb))) = (below, above) {
                // Bracketed: stay inside; regula falsi, or bisection when it stalls.
                let (l, h) = (xa.min(xb), xa.max(xb));
                let rf = xa - ga * (xb - xa) / (gb - ga);
                next = if next > l && next < h { next } else { rf };
                if prev.is_some_and(|(_, g0)| g1.abs() > 0.5 * g0.abs()) {
                    next = 0.5 * (next + 0.5 * (l + h));
                }
            }
            if next < lo_lim || next > hi_lim {
                let edge = next.clamp(lo_lim, hi_lim);
                if (edge - x1).abs() < 1e-12 {
                    return Ok(Controlled::Limit(format!(
                        "{} would have to leave [{lo_lim}, {hi_lim}] at t = {t:.6e} s",
                        ctl.describe()
                    )));
                }
                next = edge;
            }
            prev = Some((x1, g1));
            x1 = next;
            let (r, g) = eval(self, u, x1)?;
            res = r;
            if g.is_nan() {
                return Ok(Controlled::Solved(res));
            }
            g1 = g;
        }
        res.converged = false;
        res.reason = format!("{} did not converge", ctl.describe());
        Ok(Controlled::Solved(res))
    }

    /// Outflows per bc and component of a solved state (ghosts current).
    fn natural_flows(&self, u: &[f64], t: f64, reaction: &[f64]) -> Vec<f64> {
        let nc = self.asm.space.ncomp;
        let mut flows = self.asm.natural_flux(self.comm, u, t);
        for (b, bc) in self.asm.bcs.iter().enumerate() {
            for c in 0..nc {
                if bc.kernel.is_dirichlet(c) {
                    flows[b * nc + c] = -reaction.get(b * nc + c).copied().unwrap_or(0.0);
                }
            }
        }
        flows
    }

    /// Run from `u` (local vector, initial condition imposed) to the end; `out` gets the
    /// initial state and every `output_interval`-th step and the last one.
    pub fn run(&mut self, u: &mut Vec<f64>, out: &mut dyn OutputSink) -> Result<RunResult, String> {
        let columns = self.columns();
        out.begin(self.comm, self.asm, &columns)?;
        let mut work = NewtonWork::new(self.asm);
        let mut st = StepState {
            time: self.time.start,
            dt: self.time.dt,
            ..Default::default()
        };
        if self.time.steady {
            self.asm.apply_dirichlet(u, st.time);
            self.monitor.step(0, st.time, 0.0);
            let res = self.newton_solve(&mut work, u, st.time, &TimeTerms::default(), 0)?;
            st.total_newton_its += res.iterations as u64;
            st.total_linear_its += res.linear_iterations as u64;
            if !res.converged {
                return Err(format!(
                    "steady solve did not converge: {} (|R| = {:.3e})",
                    res.reason, res.norm
                ));
            }
            self.asm.space.layout.update_ghosts(self.comm, u);
            let (mut row, _) = self.post_row(u, st.time, &st, &res.reaction);
            // Steady: sources minus all outflows (W) must vanish.
            let nb = self.asm.bcs.len();
            let k = self.error_index();
            let outflow: f64 = row.values[k - nb..k].iter().sum();
            row.values[k] = row.values[k - nb - 1] - outflow;
            self.timings
                .time("Output", || out.write(self.comm, self.asm, u, 0, &row))?;
            self.monitor.progress(1.0, 0.0);
            return Ok(RunResult {
                state: st,
                last_row: Some(row),
                columns,
                checkpointed: false,
                stopped: None,
            });
        }
        self.transient(&mut work, u, out, st, columns)
    }

    fn newton_solve(
        &mut self,
        work: &mut NewtonWork,
        u: &mut [f64],
        t: f64,
        tt: &TimeTerms,
        step: u64,
    ) -> Result<newton::NewtonResult, String> {
        let mut ctx = NewtonContext {
            comm: self.comm,
            asm: self.asm,
            linear: self.linear,
            monitor: self.monitor,
            timings: self.timings,
            step,
        };
        newton::solve(&mut ctx, work, u, t, tt, &self.newton)
    }

    fn transient(
        &mut self,
        work: &mut NewtonWork,
        u: &mut Vec<f64>,
        out: &mut dyn OutputSink,
        st: StepState,
        columns: Vec<String>,
    ) -> Result<RunResult, String> {
        let tc = self.time.clone();
        let comm = self.comm;
        let asm = self.asm;
        let nl = asm.space.n_local();
        let n = asm.space.n_owned();
        let e_idx = 3 * asm.space.ncomp;
        let mut last_row = None;
        let mut ts = match self.resume.take() {
            // A restart continues exactly where the checkpoint left off: the same history,
            // step-size controller state and balance accumulators.
            Some(snap) => {
                let mut levels = snap.levels;
                for l in levels.iter_mut() {
                    asm.space.layout.update_ghosts(comm, l);
                }
                *u = levels[0].clone();
                TransientState {
                    st: snap.state,
                    levels,
                    energies: snap.energies,
                    dt: snap.dt_next,
                }
            }
            None => {
                let mut st = st;
                asm.apply_dirichlet(u, st.time);
                asm.space.layout.update_ghosts(comm, u);
                // Initial energy and row; the reaction at t0 is not defined before a solve.
                let (row0, _) = self.post_row(u, st.time, &st, &vec![0.0; asm.bcs.len()]);
                st.energy0 = row0.values[e_idx];
                self.timings
                    .time("Output", || out.write(comm, asm, u, 0, &row0))?;
                last_row = Some(row0);
                TransientState {
                    levels: vec![u.clone()],
                    energies: vec![st.energy0],
                    dt: tc.dt,
                    st,
                }
            }
        };
        let mut pred = vec![0.0; nl];
        let wall0 = self.monitor.wall();
        let span = tc.end - tc.start;
        let frac0 = ((ts.st.time - tc.start) / span).clamp(0.0, 1.0);
        while ts.st.time < tc.end - 1e-12 * span.abs().max(1e-300) {
            let st = &mut ts.st;
            if st.step >= tc.max_steps {
                return Err(format!(
                    "reached max_steps = {} before the end time",
                    tc.max_steps
                ));
            }
            // Land exactly on the end time without a sliver step.
            // Land exactly on the end time; the controller's dt is kept for later steps (a
            // restart with a later end time continues with it).
            let remaining = tc.end - st.time;
            let dt = if ts.dt >= remaining * (1.0 - 1e-10) {
                remaining
            } else {
                ts.dt
            };
            let step = st.step + 1;
            let t_new = st.time + dt;
            self.monitor.step(step, t_new, dt);
            let hist = if tc.scheme == Scheme::Bdf2 {
                st.dt_history.first().copied()
            } else {
                None
            };
            let a = weights(tc.scheme, dt, hist);
            let mut unew = ts.levels[0].clone();
            let lvl_refs: Vec<&[f64]> = ts.levels.iter().map(|v| v.as_slice()).collect();
            let err_factor = predictor(tc.scheme, dt, &st.dt_history, &lvl_refs, &mut pred[..n]);
            asm.apply_dirichlet(&mut unew, t_new);
            let old: Vec<&[f64]> = if a[2] != 0.0 {
                vec![&ts.levels[0], &ts.levels[1]]
            } else {
                vec![&ts.levels[0]]
            };
            let tt = TimeTerms {
                a: [a[0], a[1], a[2]],
                old,
            };
            let res = match self.control.filter(|c| c.active()) {
                None => self.newton_solve(work, &mut unew, t_new, &tt, step)?,
                Some(ctl) => {
                    match self.controlled_solve(ctl, work, &mut unew, t_new, &tt, step, dt)? {
                        Controlled::Solved(r) => r,
                        Controlled::Limit(why) => {
                            // Home in on the moment the limit is reached, then end the run there.
                            let smaller = dt * 0.25;
                            if smaller >= tc.dt_min.max(1e-9 * span.abs()) {
                                ts.st.rejected_steps += 1;
                                ts.dt = smaller;
                                continue;
                            }
                            if comm.is_root() && self.monitor.console {
                                crate::say!("Stopping: {why}");
                            }
                            return Ok(RunResult {
                                state: ts.st,
                                last_row,
                                columns,
                                checkpointed: false,
                                stopped: Some(why),
                            });
                        }
                    }
                }
            };
            let st = &mut ts.st;
            st.total_newton_its += res.iterations as u64;
            st.total_linear_its += res.linear_iterations as u64;
            let mut accept = res.converged;
            let mut factor = 1.0;
            if res.converged && tc.adaptive {
                if let Some(c) = err_factor {
                    // Relative error with an absolute floor per component of 1e-3 of its
                    // largest magnitude: a concentration near zero (depleted at an electrode)
                    // must not force steps to resolve its round-off.
                    let nc = asm.space.ncomp;
                    let mut floor = vec![0.0f64; nc];
                    for i in 0..n {
                        let c = asm.space.layout.global_of(i) % nc;
                        floor[c] = floor[c].max(unew[i].abs());
                    }
                    comm.max_in_place(&mut floor);
                    let algebraic = asm.kernel.algebraic();
                    let mut s = [0.0, 0.0];
                    for i in 0..n {
                        let c = asm.space.layout.global_of(i) % nc;
                        if algebraic[c] {
                            continue;
                        }
                        let d = unew[i] - pred[i];
                        let f = 1e-3 * floor[c];
                        let scale = tc.target_error * (unew[i].abs() + f + 1e-300);
                        s[0] += (d / scale).powi(2);
                        s[1] += 1.0;
                    }
                    comm.sum_in_place(&mut s);
                    let err = c * (s[0] / s[1]).sqrt();
                    let p = tc.scheme.order() as f64;
                    factor = (0.9 * err.max(1e-10).powf(-1.0 / (p + 1.0))).clamp(0.2, tc.growth);
                    if err > 1.0 && dt > tc.dt_min * (1.0 + 1e-12) {
                        accept = false;
                    }
                }
            }
            if !accept {
                st.rejected_steps += 1;
                let new_dt = if res.converged {
                    dt * factor.min(0.9)
                } else {
                    dt * 0.25
                };
                if new_dt < tc.dt_min || new_dt < 1e-14 * span.abs() {
                    return Err(format!(
                        "time step {step} at t = {t_new:.6e} s failed ({}) and dt cannot be reduced below dt_min = {:.3e} s",
                        res.reason, tc.dt_min
                    ));
                }
                if comm.is_root() && self.monitor.console {
                    let why = if res.converged {
                        "error estimate"
                    } else {
                        res.reason.as_str()
                    };
                    crate::say!("  step rejected ({why}); retrying with dt = {new_dt:.6e} s");
                }
                ts.dt = new_dt;
                continue;
            }
            asm.space.layout.update_ghosts(comm, &mut unew);
            if let Some(c) = self.control {
                c.accept();
            }
            self.monitor.step_accepted(step);
            let st = &mut ts.st;
            st.step = step;
            st.time = t_new;
            st.dt = dt;
            st.dt_history.insert(0, dt);
            st.dt_history.truncate(3);
            let write_now = st.step.is_multiple_of(self.output_interval.max(1))
                || st.time >= tc.end - 1e-12 * span.abs();
            let st_copy = st.clone();
            let (mut row, net_in) = self.post_row(&unew, st_copy.time, &st_copy, &res.reaction);
            // Discrete energy balance of the scheme: dt (a0 Eⁿ⁺¹ + a1 Eⁿ + a2 Eⁿ⁻¹) = dt · net inflow.
            // For BDF1 its running sum is (E − E0) − ∫ net inflow dt.
            let e_new = row.values[e_idx];
            let rate = a[0] * e_new
                + a[1] * ts.energies[0]
                + a[2] * ts.energies.get(1).copied().unwrap_or(0.0);
            ts.st.energy_out += dt * (rate - net_in);
            ts.energies.insert(0, e_new);
            ts.energies.truncate(2);
            let k = self.error_index();
            row.values[k] = ts.st.energy_out;
            if write_now {
                self.timings
                    .time("Output", || out.write(comm, asm, &unew, ts.st.step, &row))?;
            }
            last_row = Some(row);
            ts.levels.insert(0, unew.clone());
            ts.levels.truncate(3);
            *u = unew;
            let frac = ((ts.st.time - tc.start) / span).clamp(0.0, 1.0);
            // ETA from the rate of this run (a restart does not count earlier segments).
            let elapsed = self.monitor.wall() - wall0;
            let eta = if frac > frac0 {
                elapsed * (1.0 - frac) / (frac - frac0)
            } else {
                0.0
            };
            self.monitor.progress(frac, eta);
            if tc.adaptive {
                ts.dt = (dt * factor).clamp(tc.dt_min.max(0.0), tc.dt_max);
            }
            if let Some(hook) = self.hook.as_deref_mut() {
                let finished = ts.st.time >= tc.end - 1e-12 * span.abs();
                let action = hook.after_step(comm, asm, &ts, &*out, self.monitor, finished)?;
                if action == HookAction::Stop {
                    return Ok(RunResult {
                        state: ts.st,
                        last_row,
                        columns,
                        checkpointed: true,
                        stopped: None,
                    });
                }
            }
        }
        Ok(RunResult {
            state: ts.st,
            last_row,
            columns,
            checkpointed: false,
            stopped: None,
        })
    }
}

/// Everything the time loop carries from one step to the next (what a checkpoint stores).
#[derive(Clone, Debug)]
pub struct TransientState {
    pub st: StepState,
    /// Solution levels, newest first (local vectors, ghosts current).
    pub levels: Vec<Vec<f64>>,
    /// Conserved-quantity integrals of the levels, newest first.
    pub energies: Vec<f64>,
    /// The next step size the controller chose.
    pub dt: f64,
}

/// A restart point handed to the driver.
#[derive(Clone, Debug)]
pub struct Resume {
    pub state: StepState,
    pub levels: Vec<Vec<f64>>,
    pub energies: Vec<f64>,
    pub dt_next: f64,
}

/// What the driver does after a hook call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookAction {
    Continue,
    Stop,
}

/// Called after every accepted time step (checkpoints, signals).
pub trait StepHook {
    fn after_step(
        &mut self,
        comm: &Comm,
        asm: &Assembler,
        state: &TransientState,
        out: &dyn OutputSink,
        monitor: &mut Monitor,
        finished: bool,
    ) -> Result<HookAction, String>;
}
