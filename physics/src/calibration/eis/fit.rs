//! Bounded Levenberg–Marquardt fit of a [`Circuit`] to an impedance spectrum.
//!
//! Residuals are stacked like impedance.py's: r = [(Z'ₘ − Z')/σ'; (Z''ₘ − Z'')/σ''] over all
//! frequencies, with σ set by [`Weighting`]. Each iteration solves the damped least-squares
//! problem [J; √λ D] δ = [−r; 0] by QR (D² = running maximum of diag(JᵀJ), Marquardt's
//! scaling, so the fit does not depend on parameter units), with Nielsen's update of λ.
//!
//! **Bounds by projection with an active set**: a parameter sitting on a bound whose gradient
//! points outwards is held fixed for the step; a step that would leave the box is cut to 90 %
//! of the way to the bound (a parameter lands on its bound once it is within 1e-10 of its
//! scale), so one long step far from the optimum cannot pin a parameter on a bound. Parameters are never transformed, so the Jacobian and the covariance are those of
//! the physical parameters.
//!
//! **Uncertainties** are scipy `curve_fit`'s (`absolute_sigma=False`), which impedance.py
//! reports: cov = (JᵀJ)⁻¹ · χ²/(N − P) with the weighted Jacobian at the optimum, N = 2 × points,
//! P = parameters; standard errors √diag(cov); correlations covᵢⱼ/(σᵢσⱼ).

use super::circuit::Circuit;
use super::complex::C64;
use super::linalg::{inverse_normal, lstsq};
use std::fmt;

/// How the real and imaginary residuals are scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weighting {
    /// σ = 1 (impedance.py's default).
    Unit,
    /// σ' = σ'' = |Z| of the data (impedance.py's `weight_by_modulus=True`).
    Modulus,
    /// σ' = |Z'|, σ'' = |Z''| of the data (proportional weighting).
    Proportional,
}

impl Weighting {
    /// Parses `unit`/`none`, `modulus`, `proportional`.
    pub fn parse(s: &str) -> Option<Weighting> {
        match s {
            "unit" | "none" | "unweighted" => Some(Weighting::Unit),
            "modulus" => Some(Weighting::Modulus),
            "proportional" => Some(Weighting::Proportional),
            _ => None,
        }
    }
}

/// Fit settings.
#[derive(Clone, Debug)]
pub struct FitOptions {
    pub weighting: Weighting,
    /// (lower, upper) per parameter; `None` = [`Circuit::default_bounds`].
    pub bounds: Option<Vec<(f64, f64)>>,
    /// Most iterations (accepted or rejected steps).
    pub max_iter: usize,
    /// Stop when an accepted step lowers χ² by less than `ftol` · χ².
    pub ftol: f64,
    /// Stop when the scaled step is below `xtol` · the scaled parameter norm.
    pub xtol: f64,
    /// Stop when every free parameter's gradient cosine max |Jᵢᵀr|/(‖Jᵢ‖‖r‖) ≤ `gtol`.
    pub gtol: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            weighting: Weighting::Unit,
            bounds: None,
            max_iter: 1000,
            ftol: 1e-14,
            xtol: 1e-13,
            gtol: 1e-12,
        }
    }
}

/// Why the iteration stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// χ² reduction below `ftol`.
    Ftol,
    /// Step below `xtol`.
    Xtol,
    /// Gradient below `gtol` (or an exact fit).
    Gtol,
    /// No step lowers χ² any more (damping at its limit): converged to roundoff.
    NoProgress,
    /// `max_iter` reached: the result is not converged.
    MaxIter,
}

/// A fit's outcome.
#[derive(Clone, Debug)]
pub struct FitResult {
    pub names: Vec<String>,
    pub units: Vec<&'static str>,
    pub params: Vec<f64>,
    /// 1-σ standard errors (NaN if the Jacobian is rank deficient or N ≤ P).
    pub std_errors: Vec<f64>,
    /// Covariance matrix, row-major P × P.
    pub covariance: Vec<f64>,
    /// Correlation matrix, row-major P × P.
    pub correlation: Vec<f64>,
    /// Weighted sum of squared residuals χ² = Σ r².
    pub chi2: f64,
    /// χ²/(N − P).
    pub reduced_chi2: f64,
    /// Data minus model at each frequency (unweighted).
    pub residuals: Vec<C64>,
    /// The model at each frequency.
    pub model: Vec<C64>,
    /// Parameters that ended on a bound.
    pub at_bound: Vec<bool>,
    pub iterations: usize,
    pub evaluations: usize,
    pub stop: Stop,
}

impl FitResult {
    /// Correlation of parameters `i` and `j`.
    pub fn corr(&self, i: usize, j: usize) -> f64 {
        self.correlation[i * self.params.len() + j]
    }
}

/// Bad input to [`fit`].
#[derive(Clone, Debug, PartialEq)]
pub struct FitError(pub String);

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FitError {}

struct Problem<'a> {
    c: &'a Circuit,
    f: &'a [f64],
    z: &'a [C64],
    sre: Vec<f64>,
    sim: Vec<f64>,
    grad: Vec<C64>,
}

impl Problem<'_> {
    /// Weighted residuals and Jacobian (row-major 2n × P); false if the model is not finite.
    fn eval(&mut self, p: &[f64], r: &mut [f64], jac: &mut [f64]) -> bool {
        let n = self.f.len();
        let np = p.len();
        for i in 0..n {
            let zm = self.c.impedance_and_gradient(self.f[i], p, &mut self.grad);
            if !zm.is_finite() {
                return false;
            }
            r[i] = (zm.re - self.z[i].re) / self.sre[i];
            r[n + i] = (zm.im - self.z[i].im) / self.sim[i];
            for k in 0..np {
                jac[i * np + k] = self.grad[k].re / self.sre[i];
                jac[(n + i) * np + k] = self.grad[k].im / self.sim[i];
            }
        }
        jac.iter().all(|x| x.is_finite())
    }
}

fn check_input(
    c: &Circuit,
    f: &[f64],
    z: &[C64],
    p0: &[f64],
    bounds: &[(f64, f64)],
) -> Result<(), FitError> {
    let np = c.n_params();
    let names = c.param_names();
    if f.len() != z.len() {
        return Err(FitError(format!(
            "{} frequencies but {} impedances",
            f.len(),
            z.len()
        )));
    }
    if p0.len() != np {
        return Err(FitError(format!(
            "circuit '{}' has {np} parameters ({}) but the initial guess has {}",
            c.text(),
            names.join(", "),
            p0.len()
        )));
    }
    if bounds.len() != np {
        return Err(FitError(format!(
            "{np} parameters but {} bounds",
            bounds.len()
        )));
    }
    if 2 * f.len() <= np {
        return Err(FitError(format!(
            "{} points give {} residuals, not more than the {np} parameters",
            f.len(),
            2 * f.len()
        )));
    }
    if let Some(i) = f.iter().position(|&x| !(x > 0.0 && x.is_finite())) {
        return Err(FitError(format!(
            "frequency {i} is {}, expected a finite value > 0 Hz",
            f[i]
        )));
    }
    if let Some(i) = z.iter().position(|x| !x.is_finite()) {
        return Err(FitError(format!("impedance {i} is not finite")));
    }
    for (k, (&v, &(lo, hi))) in p0.iter().zip(bounds).enumerate() {
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return Err(FitError(format!(
                "bounds of {} are invalid: [{lo}, {hi}]",
                names[k]
            )));
        }
        if !(v >= lo && v <= hi && v.is_finite()) {
            return Err(FitError(format!(
                "initial value of {} is {v}, outside its bounds [{lo}, {hi}]",
                names[k]
            )));
        }
    }
    Ok(())
}

/// Fits `c` to impedances `z` [Ω] at frequencies `f` [Hz] from the initial guess `p0`.
pub fn fit(
    c: &Circuit,
    f: &[f64],
    z: &[C64],
    p0: &[f64],
    opts: &FitOptions,
) -> Result<FitResult, FitError> {
    let bounds = opts.bounds.clone().unwrap_or_else(|| c.default_bounds());
    check_input(c, f, z, p0, &bounds)?;
    let (n, np) = (f.len(), c.n_params());
    let (sre, sim): (Vec<f64>, Vec<f64>) = match opts.weighting {
        Weighting::Unit => (vec![1.0; n], vec![1.0; n]),
        Weighting::Modulus => z.iter().map(|z| (z.abs(), z.abs())).unzip(),
        Weighting::Proportional => z.iter().map(|z| (z.re.abs(), z.im.abs())).unzip(),
    };
    if let Some(i) = sre.iter().chain(&sim).position(|&s| s.is_nan() || s <= 0.0) {
        return Err(FitError(format!(
            "{:?} weighting divides by zero: point {} has a zero {}",
            opts.weighting,
            i % n,
            if i < n { "part" } else { "imaginary part" }
        )));
    }
    let mut prob = Problem {
        c,
        f,
        z,
        sre,
        sim,
        grad: vec![C64::default(); np],
    };
    let m = 2 * n;
    let mut p = p0.to_vec();
    let mut r = vec![0.0; m];
    let mut jac = vec![0.0; m * np];
    let mut evaluations = 1;
    if !prob.eval(&p, &mut r, &mut jac) {
        return Err(FitError(
            "the model is not finite at the initial guess".into(),
        ));
    }
    let mut cost = dot(&r, &r);
    let scale: Vec<f64> = p0.iter().map(|x| x.abs()).collect();
    let mut diag = vec![0.0f64; np];
    let (mut lambda, mut nu) = (1e-3, 2.0);
    let (mut r_new, mut jac_new) = (vec![0.0; m], vec![0.0; m * np]);
    let mut stop = Stop::MaxIter;
    let mut iterations = 0;
    // Gradient cosine test at the start too (an exact initial guess).
    while iterations < opts.max_iter {
        iterations += 1;
        let col_norm: Vec<f64> = (0..np)
            .map(|k| (0..m).map(|i| jac[i * np + k].powi(2)).sum::<f64>().sqrt())
            .collect();
        for k in 0..np {
            diag[k] = diag[k]
                .max(col_norm[k] * col_norm[k])
                .max(f64::MIN_POSITIVE);
        }
        let g: Vec<f64> = (0..np)
            .map(|k| (0..m).map(|i| jac[i * np + k] * r[i]).sum())
            .collect();
        let free: Vec<usize> = (0..np)
            .filter(|&k| {
                let (lo, hi) = bounds[k];
                !((p[k] <= lo && g[k] > 0.0) || (p[k] >= hi && g[k] < 0.0))
            })
            .collect();
        let rnorm = cost.sqrt();
        let gmax = free
            .iter()
            .map(|&k| {
                if col_norm[k] > 0.0 {
                    g[k].abs() / (col_norm[k] * rnorm)
                } else {
                    0.0
                }
            })
            .fold(0.0f64, f64::max);
        if cost == 0.0 || free.is_empty() || gmax <= opts.gtol {
            stop = Stop::Gtol;
            break;
        }
        // Damped step on the free parameters: [J_F; √λ D_F] δ = [−r; 0].
        let nf = free.len();
        let mut a = vec![0.0; (m + nf) * nf];
        let mut b = vec![0.0; m + nf];
        for i in 0..m {
            for (c, &k) in free.iter().enumerate() {
                a[i * nf + c] = jac[i * np + k];
            }
            b[i] = -r[i];
        }
        for (c, &k) in free.iter().enumerate() {
            a[(m + c) * nf + c] = (lambda * diag[k]).sqrt();
        }
        let Some((delta, _)) = lstsq(&a, &b, m + nf, nf) else {
            lambda *= nu;
            nu *= 2.0;
            continue;
        };
        let mut p_try = p.clone();
        for (c, &k) in free.iter().enumerate() {
            p_try[k] = towards_bound(p[k], p[k] + delta[c], bounds[k], scale[k]);
        }
        let step: Vec<f64> = (0..np).map(|k| p_try[k] - p[k]).collect();
        let step_norm = (0..np)
            .map(|k| diag[k] * step[k] * step[k])
            .sum::<f64>()
            .sqrt();
        let p_norm = (0..np).map(|k| diag[k] * p[k] * p[k]).sum::<f64>().sqrt();
        // Predicted χ² of the linear model for the projected step.
        let mut pred_cost = 0.0;
        for i in 0..m {
            let lin = r[i] + (0..np).map(|k| jac[i * np + k] * step[k]).sum::<f64>();
            pred_cost += lin * lin;
        }
        let predicted = cost - pred_cost;
        evaluations += 1;
        let ok = prob.eval(&p_try, &mut r_new, &mut jac_new);
        let cost_new = if ok {
            dot(&r_new, &r_new)
        } else {
            f64::INFINITY
        };
        if cost_new < cost && predicted > 0.0 {
            let rho = (cost - cost_new) / predicted;
            lambda *= (1.0f64 / 3.0).max(1.0 - (2.0 * rho - 1.0).powi(3));
            nu = 2.0;
            let reduction = cost - cost_new;
            p = p_try;
            std::mem::swap(&mut r, &mut r_new);
            std::mem::swap(&mut jac, &mut jac_new);
            let old = cost;
            cost = cost_new;
            if reduction <= opts.ftol * old {
                stop = Stop::Ftol;
                break;
            }
            if step_norm <= opts.xtol * p_norm {
                stop = Stop::Xtol;
                break;
            }
        } else {
            if step_norm <= opts.xtol * p_norm || lambda > 1e30 {
                stop = Stop::NoProgress;
                break;
            }
            lambda *= nu;
            nu *= 2.0;
        }
    }
    Ok(finish(
        c,
        &prob,
        p,
        &r,
        &jac,
        cost,
        &bounds,
        iterations,
        evaluations,
        stop,
    ))
}

#[allow(clippy::too_many_arguments)]
fn finish(
    c: &Circuit,
    prob: &Problem,
    p: Vec<f64>,
    r: &[f64],
    jac: &[f64],
    chi2: f64,
    bounds: &[(f64, f64)],
    iterations: usize,
    evaluations: usize,
    stop: Stop,
) -> FitResult {
    let (n, np) = (prob.f.len(), p.len());
    let m = 2 * n;
    let dof = (m - np) as f64;
    let reduced = chi2 / dof;
    let cov = lstsq(jac, r, m, np)
        .and_then(|(_, rr)| inverse_normal(&rr, np))
        .map(|inv| inv.iter().map(|x| x * reduced).collect::<Vec<f64>>())
        .unwrap_or_else(|| vec![f64::NAN; np * np]);
    let se: Vec<f64> = (0..np).map(|k| cov[k * np + k].sqrt()).collect();
    let corr = (0..np * np)
        .map(|ij| cov[ij] / (se[ij / np] * se[ij % np]))
        .collect();
    let model: Vec<C64> = prob.f.iter().map(|&f| c.impedance(f, &p)).collect();
    let residuals = prob.z.iter().zip(&model).map(|(d, m)| *d - *m).collect();
    let at_bound = p
        .iter()
        .zip(bounds)
        .map(|(&v, &(lo, hi))| v <= lo || v >= hi)
        .collect();
    FitResult {
        names: c.param_names(),
        units: c.param_units(),
        params: p,
        std_errors: se,
        covariance: cov,
        correlation: corr,
        chi2,
        reduced_chi2: reduced,
        residuals,
        model,
        at_bound,
        iterations,
        evaluations,
        stop,
    }
}

/// The new value of a parameter at `p` whose unconstrained step ends at `target`: inside the
/// box it is `target`; a step that would leave the box goes 90 % of the way to the bound, and
/// lands on it only once it is within 1e-10 of the parameter's scale. A plain clamp would pin
/// a parameter on its bound after one overshooting step far from the optimum (e.g. a
/// resistance to 0), where the active set then holds it in a spurious constrained minimum.
fn towards_bound(p: f64, target: f64, (lo, hi): (f64, f64), scale: f64) -> f64 {
    let bound = if target < lo {
        lo
    } else if target > hi {
        hi
    } else {
        return target;
    };
    if (bound - p).abs() <= 1e-10 * scale.max(p.abs()).max(f64::MIN_POSITIVE) {
        bound
    } else {
        p + 0.9 * (bound - p)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
