//! Newton's method with a backtracking line search (PETSc's `bt`, Armijo condition on ‖R‖).

use super::linear::LinearSolver;
use crate::comm::Comm;
use crate::fem::assemble::{Assembler, TimeTerms};
use crate::linalg::DistCsr;
use crate::monitor::Monitor;
use crate::timing::Timings;

#[derive(Clone, Debug)]
pub struct NewtonOptions {
    pub rtol: f64,
    pub atol: f64,
    pub max_it: usize,
    pub line_search: bool,
    /// Converged when the Newton step is below `stol` × ‖u‖ (PETSc's CONVERGED_SNORM_RELATIVE); 0 disables.
    pub stol: f64,
}

impl Default for NewtonOptions {
    fn default() -> Self {
        Self {
            rtol: 1e-8,
            atol: 1e-10,
            max_it: 25,
            line_search: true,
            stol: 0.0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NewtonResult {
    pub iterations: usize,
    pub norm: f64,
    pub converged: bool,
    pub linear_iterations: usize,
    /// Reaction (consistent flux) per bc and component (`bc * ncomp + c`) at the converged state.
    pub reaction: Vec<f64>,
    pub reason: String,
}

/// Work space reused between solves.
pub struct NewtonWork {
    pub jac: DistCsr,
    r: Vec<f64>,
    du: Vec<f64>,
    trial: Vec<f64>,
}

impl NewtonWork {
    pub fn new(asm: &Assembler) -> Self {
        let nl = asm.space.n_local();
        Self {
            jac: asm.space.new_matrix(),
            r: vec![0.0; nl],
            du: vec![0.0; nl],
            trial: vec![0.0; nl],
        }
    }
}

pub struct NewtonContext<'a> {
    pub comm: &'a Comm,
    pub asm: &'a Assembler,
    pub linear: &'a mut LinearSolver,
    pub monitor: &'a mut Monitor,
    pub timings: &'a mut Timings,
    pub step: u64,
}

fn residual_norm(
    ctx: &mut NewtonContext,
    u: &mut [f64],
    t: f64,
    time: &TimeTerms,
    r: &mut [f64],
    jac: Option<&mut DistCsr>,
) -> (f64, Vec<f64>) {
    let (comm, asm) = (ctx.comm, ctx.asm);
    asm.space.layout.update_ghosts(comm, u);
    let has_jac = jac.is_some();
    let stage = if has_jac {
        "Jacobian+residual"
    } else {
        "Residual"
    };
    let reaction = ctx.timings.time(stage, || {
        let mut jac = jac;
        asm.assemble(u, t, time, r, jac.as_deref_mut());
        asm.constrain(r, jac)
    });
    let n = asm.space.n_owned();
    let mut sums = reaction.clone();
    sums.push(r[..n].iter().map(|v| v * v).sum());
    comm.sum_in_place(&mut sums);
    let norm = sums.pop().unwrap().sqrt();
    (norm, sums)
}

/// Solve R(u) = 0 at time `t` (the time terms give the BDF history). `u` holds the initial guess
/// with Dirichlet values already imposed.
pub fn solve(
    ctx: &mut NewtonContext,
    work: &mut NewtonWork,
    u: &mut [f64],
    t: f64,
    time: &TimeTerms,
    o: &NewtonOptions,
) -> Result<NewtonResult, String> {
    let n = ctx.asm.space.n_owned();
    let mut lin_total = 0;
    let NewtonWork { jac, r, du, trial } = work;
    let (mut norm, mut reaction) = residual_norm(ctx, u, t, time, r, Some(jac));
    let norm0 = norm;
    let mut it = 0;
    loop {
        ctx.monitor.nonlinear(
            ctx.step,
            it,
            norm,
            if norm0 > 0.0 { norm / norm0 } else { 0.0 },
        );
        if !norm.is_finite() {
            return Ok(NewtonResult {
                iterations: it,
                norm,
                converged: false,
                linear_iterations: lin_total,
                reaction,
                reason: "DIVERGED_FNORM_NAN".into(),
            });
        }
        if norm <= o.atol || norm <= o.rtol * norm0 {
            let reason = if norm <= o.atol {
                "CONVERGED_FNORM_ABS"
            } else {
                "CONVERGED_FNORM_RELATIVE"
            };
            return Ok(NewtonResult {
                iterations: it,
                norm,
                converged: true,
                linear_iterations: lin_total,
                reaction,
                reason: reason.into(),
            });
        }
        if it >= o.max_it {
            return Ok(NewtonResult {
                iterations: it,
                norm,
                converged: false,
                linear_iterations: lin_total,
                reaction,
                reason: "DIVERGED_MAX_IT".into(),
            });
        }
        // J du = -R
        for v in r[..n].iter_mut() {
            *v = -*v;
        }
        du.iter_mut().for_each(|v| *v = 0.0);
        let (step, comm) = (ctx.step, ctx.comm);
        let monitor = &mut *ctx.monitor;
        let linear = &mut *ctx.linear;
        let t0 = std::time::Instant::now();
        let lres = linear.solve(comm, jac, r, du, &mut |k, rn| {
            monitor.linear(step, it, k, rn)
        })?;
        ctx.timings.add("Linear solve", t0.elapsed().as_secs_f64());
        ctx.monitor
            .linear_summary(lres.iterations, lres.residual_norm, lres.reason);
        lin_total += lres.iterations;
        if !lres.converged && lres.reason != "DIVERGED_ITS" {
            return Ok(NewtonResult {
                iterations: it,
                norm,
                converged: false,
                linear_iterations: lin_total,
                reaction,
                reason: format!("DIVERGED_LINEAR_SOLVE ({})", lres.reason),
            });
        }
        // Step-size test; also the way out when ‖R‖ sits at its roundoff floor and no step can
        // reduce it further (the line search would report a spurious failure).
        let mut norms = [
            du[..n].iter().map(|v| v * v).sum::<f64>(),
            u[..n].iter().map(|v| v * v).sum::<f64>(),
        ];
        ctx.comm.sum_in_place(&mut norms);
        let (dun, un) = (norms[0].sqrt(), norms[1].sqrt());
        let tiny_step = dun <= 1e-14 * un.max(1e-300);
        if o.stol > 0.0 && dun <= o.stol * un {
            for i in 0..n {
                u[i] += du[i];
            }
            let (nn, rr) = residual_norm(ctx, u, t, time, r, None);
            return Ok(NewtonResult {
                iterations: it + 1,
                norm: nn,
                converged: true,
                linear_iterations: lin_total,
                reaction: rr,
                reason: "CONVERGED_SNORM_RELATIVE".into(),
            });
        }
        // Backtracking: halve the step until ‖R‖ decreases sufficiently (Armijo, c = 1e-4).
        let mut lambda = 1.0;
        let mut accepted = false;
        for _ in 0..if o.line_search { 12 } else { 1 } {
            for i in 0..n {
                trial[i] = u[i] + lambda * du[i];
            }
            let (tn, tr) = residual_norm(ctx, trial, t, time, r, None);
            if !o.line_search || (tn.is_finite() && tn <= (1.0 - 1e-4 * lambda) * norm) {
                u[..n].copy_from_slice(&trial[..n]);
                norm = tn;
                reaction = tr;
                accepted = true;
                break;
            }
            lambda *= 0.5;
        }
        if !accepted {
            return Ok(NewtonResult {
                iterations: it + 1,
                norm,
                converged: tiny_step,
                linear_iterations: lin_total,
                reaction,
                reason: if tiny_step {
                    "CONVERGED_SNORM_RELATIVE (residual at roundoff level)".into()
                } else {
                    "DIVERGED_LINE_SEARCH".into()
                },
            });
        }
        it += 1;
        // The Jacobian at the accepted point; the residual there is recomputed with it (same value).
        let (nn, rr) = residual_norm(ctx, u, t, time, r, Some(jac));
        norm = nn;
        reaction = rr;
    }
}
