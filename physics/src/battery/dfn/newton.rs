//! Newton's method for one DFN step with the exact banded Jacobian ([`assemble`]), kept and
//! reused across iterations and steps (chord iterations): it is recomputed only when the
//! iterates stop contracting fast enough.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::jacobian::assemble;
use super::residual::{residual, StepData};
use crate::battery::banded::Banded;

/// Half-bandwidth of the Jacobian in the interleaved layout: 4 unknowns per electrode node
/// coupled to the neighbouring nodes' c_e, φ_e (and φ_s), at most 5 positions away (checked
/// column by column in `dfn::tests::exact_jacobian_matches_finite_differences`).
pub(super) const BAND: usize = 5;
/// The Jacobian's storage and factors.
pub(super) type Jac = Banded<BAND, BAND>;
/// Converged when the scaled Newton update (or the chord iteration's estimate of the error
/// left) is below this: a tenth of the runner's local error tolerance on the voltage
/// (`control::TOL_V`), since what is left after it is a fraction (the contraction rate, ≲ 0.1)
/// of it. 1e-6 costs 18 % more instructions for the same voltages against PyBaMM to 10 µV.
pub const TOL: f64 = 1e-5;
/// The tolerance for calibration ([`super::Dfn::with_newton_tolerance`]): which steps stop
/// after one iteration flips with the parameters, and at [`TOL`] the cost's derivative by
/// central differences moved by 0.3 % between relative steps of 1e-4 and 1e-8; at this one it
/// agrees to six digits (`physics/tests/calibration_fixed_grid.rs`).
pub const TOL_SMOOTH: f64 = 1e-8;
/// Iterations before giving up: a converging step takes at most about six; a step that has
/// not converged by then is retried shorter by the runner sooner than after forty.
const MAX_IT: usize = 12;
/// Contraction per iteration above which the Jacobian is recomputed.
const SLOW: f64 = 0.1;

/// The factorised Jacobian of a recent solve and its work arrays, shared by the states of one
/// run (the models clone themselves every step).
#[derive(Debug)]
pub(super) struct Workspace {
    lu: Jac,
    valid: bool,
    r: Vec<f64>,
    rp: Vec<f64>,
    du: Vec<f64>,
    trial: Vec<f64>,
}

impl Workspace {
    pub fn new(n: usize) -> Workspace {
        Workspace {
            lu: Jac::new(n),
            valid: false,
            r: vec![0.0; n],
            rp: vec![0.0; n],
            du: vec![0.0; n],
            trial: vec![0.0; n],
        }
    }
}

/// The size below which a change of each unknown does not matter, for Newton's convergence test
/// (scaled update < [`TOL`]): potentials 1 V; c_e 1e4 mol/m³ and j 10 A/m², so that an error of
/// `TOL` in either moves a node's potentials by less than `TOL` volts (d/d ln c_e of the
/// electrolyte's diffusion potential 2(1 − t₊)RT/F ≈ 0.04 V at c_e ≈ 1e3 mol/m³: 4e-7 V;
/// dη/dj = 2RT/F / √((2 j0)² + j²) ≈ 0.08 V per A/m² at Chen2020's graphite j0 ≈ 0.3 A/m²:
/// 8e-7 V). Scales of 1e3 and 1 made Newton resolve the moving fronts of j in the graphite
/// ten times finer than the voltage needs (an extra iteration at many steps); the voltages
/// against PyBaMM are the same to 1 µV either way (physics/tests/battery_pybamm.rs).
pub(super) fn scale(idx: usize, off: &[usize]) -> f64 {
    let k = off.partition_point(|&o| o <= idx) - 1;
    match idx - off[k] {
        0 => 1e4,
        3 => 10.0,
        _ => 1.0,
    }
}

/// The Jacobian at `u`, factorised.
fn jacobian(sd: &StepData, u: &[f64], ws: &mut Workspace) -> bool {
    assemble(sd, u, &mut ws.lu);
    ws.valid = ws.lu.factor();
    ws.valid
}

/// The Jacobian at `u` (whose residual is `r`) by coloured finite differences, unfactorised:
/// the check of [`assemble`].
#[cfg(test)]
pub(super) fn jacobian_fd(sd: &StepData, u: &[f64], r: &[f64], jac: &mut Jac) {
    let n = u.len();
    let off = &sd.lay.off;
    let (mut up, mut rp, mut deltas) = (u.to_vec(), vec![0.0; n], vec![0.0; n]);
    jac.clear();
    let colors = 2 * BAND + 1;
    for c in 0..colors.min(n) {
        up.copy_from_slice(u);
        for j in (c..n).step_by(colors) {
            let d = 1e-7 * (u[j].abs() + scale(j, off));
            up[j] += d;
            deltas[j] = d;
        }
        residual(sd, &up, &mut rp);
        for j in (c..n).step_by(colors) {
            for row in j.saturating_sub(BAND)..(j + BAND + 1).min(n) {
                jac.set(row, j, (rp[row] - r[row]) / deltas[j]);
            }
        }
    }
}

/// Solve the step's equations for `u` (on entry the guess).
pub(super) fn newton(
    sd: &StepData,
    u: &mut [f64],
    ws: &mut Workspace,
    tol: f64,
) -> Result<(), String> {
    let n = u.len();
    let inv_scale = &sd.lay.inv_scale;
    residual(sd, u, &mut ws.r);
    let mut fresh = false;
    let mut prev = f64::INFINITY;
    // The last iteration took the full Newton step (its contraction rate means something).
    let mut full = false;
    for _ in 0..MAX_IT {
        if !ws.valid {
            if !jacobian(sd, u, ws) {
                return Err("the DFN Jacobian is singular".into());
            }
            fresh = true;
        }
        for j in 0..n {
            ws.du[j] = -ws.r[j];
        }
        ws.lu.solve(&mut ws.du);
        let norm = ws
            .du
            .iter()
            .zip(inv_scale)
            .fold(0.0f64, |m, (d, s)| m.max(d.abs() * s));
        // Where the electrolyte nearly empties (3C and above) c_e is measured against 100 c_e
        // instead (below 100 mol/m³): the fixed scale would leave a node's c_e off by a large
        // part of itself, and the steps after it then find no solution early.
        let norm = sd.lay.off.iter().fold(norm, |m, &j| {
            m.max(ws.du[j].abs() / (100.0 * u[j].abs()).max(1e-3))
        });
        if !fresh && (norm.is_nan() || norm > prev) {
            // A kept Jacobian that no longer contracts: recompute it here.
            ws.valid = false;
            continue;
        }
        if !norm.is_finite() {
            return Err("the DFN Newton iteration diverged".into());
        }
        // Converged: the update itself is small, or (chord iterations contracting at the
        // rate seen since the last full step) the error left after it is. Checked before the
        // residual at the new iterate, which would only confirm it.
        let rate = norm / prev;
        if norm < tol || (full && rate < 1.0 && norm * rate / (1.0 - rate) < tol) {
            u.iter_mut().zip(&ws.du).for_each(|(x, d)| *x += d);
            return Ok(());
        }
        // Full steps, halved while the residual is not finite (the sinh of the kinetics can
        // overflow from a poor guess) and, with a fresh Jacobian, when the update does not
        // shrink (which full steps can turn into a cycle).
        let mut lambda = if fresh && norm > 0.9 * prev { 0.5 } else { 1.0 };
        for _ in 0..30 {
            for j in 0..n {
                ws.trial[j] = u[j] + lambda * ws.du[j];
            }
            residual(sd, &ws.trial, &mut ws.rp);
            if ws.rp.iter().all(|x| x.is_finite()) {
                break;
            }
            lambda *= 0.5;
        }
        u.copy_from_slice(&ws.trial);
        std::mem::swap(&mut ws.r, &mut ws.rp);
        // A Jacobian is judged by the contraction it gives, measured from the iteration after
        // the one that computed it (that one's rate compares it with its stale predecessor).
        if prev.is_finite() && lambda == 1.0 && rate > SLOW && !fresh {
            ws.valid = false;
        }
        full = lambda == 1.0;
        fresh = false;
        prev = norm;
    }
    ws.valid = false;
    Err(format!(
        "the DFN Newton iteration did not converge in {MAX_IT} iterations"
    ))
}
