//! Bounded Levenberg–Marquardt least squares on a [`Model`], in the transformed space u of
//! the parameters (ln θ for log-scale ones, so a diffusivity can move over decades), with a
//! finite-difference Jacobian evaluated as one batch (2 P central differences, spread over
//! ranks by the [`Evaluator`]), and the covariance of θ at the optimum.
//!
//! When no damping level lowers the cost, the difference step is widened tenfold (up to 5 %
//! of the range) and the iteration goes on: cell models carry the noise of their adaptive time
//! stepping, and a Jacobian over too small a step differentiates that noise. The covariance
//! uses the step in effect at the end.
//!
//! Each iteration evaluates three damping levels (λ, 8λ, 64λ) in one batch and keeps the best
//! that lowers the cost: a fixed number, so the path is the same for any rank count. Bounds
//! are kept by projection: a parameter on a bound whose gradient points out of the box is
//! held for that step, and a step is clipped into the box.
//!
//! **Uncertainties**: cov(θ) = (J_θᵀ J_θ)⁻¹ s², with J_θ the Jacobian in θ at the optimum and
//! s² = χ²/(N − P) (the residual variance; `noise_sigma` given: s = σ). Standard errors
//! √diag, correlations covᵢⱼ/(σᵢσⱼ), 95 % intervals θ ± t₀.₉₇₅,N−P σ (for log-scale parameters
//! the interval is taken in ln θ, exp(ln θ ± t σ/θ), which stays positive).

use super::problem::{theta_of, Evaluator, Param, Scale};
use super::stats::{cholesky, cholesky_solve, spd_inverse, t_quantile};

/// Settings of [`least_squares`].
#[derive(Clone, Debug)]
pub struct LsqOptions {
    pub max_iter: usize,
    /// Stop when an accepted step lowers the cost by less than `ftol` × cost.
    pub ftol: f64,
    /// Central-difference step in u, as a fraction of each parameter's range in u.
    pub fd_step: f64,
    /// Known noise standard deviation of the residuals (None: estimated from them).
    pub noise_sigma: Option<f64>,
}

impl Default for LsqOptions {
    fn default() -> Self {
        LsqOptions {
            max_iter: 100,
            ftol: 1e-10,
            fd_step: 1e-3,
            noise_sigma: None,
        }
    }
}

/// One accepted iteration (for the progress stream).
#[derive(Clone, Debug)]
pub struct LsqIter {
    pub iteration: usize,
    /// ½ Σ r².
    pub cost: f64,
    pub lambda: f64,
    pub theta: Vec<f64>,
    pub evaluations: usize,
}

/// The fit.
#[derive(Clone, Debug)]
pub struct LsqResult {
    pub theta: Vec<f64>,
    pub std_errors: Vec<f64>,
    /// Row-major P × P.
    pub covariance: Vec<f64>,
    pub correlation: Vec<f64>,
    /// 95 % confidence intervals (lower, upper).
    pub intervals: Vec<(f64, f64)>,
    pub at_bound: Vec<bool>,
    /// Residuals at the optimum.
    pub residuals: Vec<f64>,
    /// ½ Σ r².
    pub cost: f64,
    /// √(Σ r²/N).
    pub rms: f64,
    /// The noise σ used for the covariance (given, or √(χ²/(N − P))).
    pub sigma: f64,
    pub iterations: usize,
    pub evaluations: usize,
    pub converged: bool,
    pub message: String,
}

fn cost_of(r: &[f64]) -> f64 {
    0.5 * r.iter().map(|x| x * x).sum::<f64>()
}

/// The Jacobian dr/du (row-major N × P) at u by central differences (one-sided at a bound,
/// or where the model fails on one side; `r` is the residual at u).
fn jacobian(
    params: &[Param],
    u: &[f64],
    r: &[f64],
    fd: f64,
    ev: &mut dyn Evaluator,
    evals: &mut usize,
) -> Result<(Vec<f64>, usize), String> {
    let p = params.len();
    let mut pts = Vec::with_capacity(2 * p);
    let mut steps = Vec::with_capacity(p);
    for (j, par) in params.iter().enumerate() {
        let (lo, hi) = par.u_bounds();
        let h = fd * (hi - lo);
        let (a, b) = ((u[j] - h).max(lo), (u[j] + h).min(hi));
        for x in [a, b] {
            let mut v = u.to_vec();
            v[j] = x;
            pts.push(theta_of(params, &v));
        }
        steps.push(b - a);
    }
    let res = ev.eval(&pts);
    *evals += pts.len();
    let mut cols = Vec::with_capacity(p);
    for (j, pair) in res.chunks(2).enumerate() {
        let (lo, hi) = params[j].u_bounds();
        let h = fd * (hi - lo);
        let (a, b) = ((u[j] - h).max(lo), (u[j] + h).min(hi));
        let (ra, rb, step) = match (&pair[0], &pair[1]) {
            (Ok(x), Ok(y)) => (x.as_slice(), y.as_slice(), steps[j]),
            (Err(_), Ok(y)) => (r, y.as_slice(), b - u[j]),
            (Ok(x), Err(_)) => (x.as_slice(), r, u[j] - a),
            (Err(e), Err(_)) => {
                return Err(format!(
                "the model failed on both sides of the current point (Jacobian column `{}`): {e}",
                params[j].name
            ))
            }
        };
        if step.is_nan() || step <= 0.0 {
            return Err(format!(
                "no room for a difference step in `{}` (the model fails on the free side)",
                params[j].name
            ));
        }
        cols.push(
            ra.iter()
                .zip(rb)
                .map(|(x, y)| (y - x) / step)
                .collect::<Vec<f64>>(),
        );
    }
    let n = cols.first().map_or(0, |c| c.len());
    let mut jm = vec![0.0; n * p];
    for (j, c) in cols.iter().enumerate() {
        for i in 0..n {
            jm[i * p + j] = c[i];
        }
    }
    Ok((jm, n))
}

/// Fit `params` (from their `initial` values) by bounded Levenberg–Marquardt; `on_iter` sees
/// every accepted iteration. `Err` only when the model fails at the initial point.
pub fn least_squares(
    params: &[Param],
    opts: &LsqOptions,
    ev: &mut dyn Evaluator,
    on_iter: &mut dyn FnMut(&LsqIter),
) -> Result<LsqResult, String> {
    let p = params.len();
    let bounds: Vec<(f64, f64)> = params.iter().map(Param::u_bounds).collect();
    let mut u: Vec<f64> = params
        .iter()
        .zip(&bounds)
        .map(|(q, &(lo, hi))| q.to_u(q.initial).clamp(lo, hi))
        .collect();
    let mut evals = 1;
    let mut r = ev
        .eval(&[theta_of(params, &u)])
        .pop()
        .expect("one result per point")
        .map_err(|e| format!("the model fails at the initial parameters: {e}"))?;
    let mut cost = cost_of(&r);
    on_iter(&LsqIter {
        iteration: 0,
        cost,
        lambda: f64::NAN,
        theta: theta_of(params, &u),
        evaluations: evals,
    });
    let mut lambda = 1e-3;
    let mut fd = opts.fd_step;
    let mut d = vec![0.0f64; p];
    let (mut converged, mut message) = (false, String::new());
    let mut it = 0;
    while it < opts.max_iter {
        it += 1;
        let (jm, n) = jacobian(params, &u, &r, fd, ev, &mut evals)?;
        let mut g = vec![0.0; p];
        let mut a = vec![0.0; p * p];
        for i in 0..n {
            for j in 0..p {
                g[j] += jm[i * p + j] * r[i];
                for k in 0..p {
                    a[j * p + k] += jm[i * p + j] * jm[i * p + k];
                }
            }
        }
        let eps = |j: usize| 1e-12 * (bounds[j].1 - bounds[j].0);
        let free: Vec<usize> = (0..p)
            .filter(|&j| {
                !((u[j] <= bounds[j].0 + eps(j) && g[j] > 0.0)
                    || (u[j] >= bounds[j].1 - eps(j) && g[j] < 0.0))
            })
            .collect();
        if free.is_empty() {
            converged = true;
            message = "every parameter is held on a bound by its gradient".into();
            break;
        }
        for j in 0..p {
            d[j] = d[j].max(a[j * p + j]).max(1e-300);
        }
        let gmax = free
            .iter()
            .map(|&j| g[j].abs() / d[j].sqrt())
            .fold(0.0f64, f64::max);
        if gmax <= 1e-14 * (2.0 * cost).sqrt() || cost == 0.0 {
            converged = true;
            message = "gradient vanishes".into();
            break;
        }
        let nf = free.len();
        let mut accepted = None;
        for _round in 0..8 {
            let lambdas = [lambda, 8.0 * lambda, 64.0 * lambda];
            let mut cands = Vec::new();
            for &lam in &lambdas {
                let mut m = vec![0.0; nf * nf];
                let mut rhs = vec![0.0; nf];
                for (x, &j) in free.iter().enumerate() {
                    rhs[x] = -g[j];
                    for (y, &k) in free.iter().enumerate() {
                        m[x * nf + y] = a[j * p + k];
                    }
                    m[x * nf + x] += lam * d[j];
                }
                let Some(l) = cholesky(&m, nf) else {
                    cands.push(u.clone());
                    continue;
                };
                let step = cholesky_solve(&l, nf, &rhs);
                let mut un = u.clone();
                for (x, &j) in free.iter().enumerate() {
                    un[j] = (u[j] + step[x]).clamp(bounds[j].0, bounds[j].1);
                }
                cands.push(un);
            }
            let pts: Vec<Vec<f64>> = cands.iter().map(|c| theta_of(params, c)).collect();
            let res = ev.eval(&pts);
            evals += pts.len();
            let mut best: Option<(usize, f64)> = None;
            for (k, rr) in res.iter().enumerate() {
                if let Ok(rr) = rr {
                    let c = cost_of(rr);
                    if c.is_finite() && c < cost && best.is_none_or(|b| c < b.1) {
                        best = Some((k, c));
                    }
                }
            }
            if let Some((k, c)) = best {
                lambda = (lambdas[k] / 3.0).max(1e-15);
                let rr = res.into_iter().nth(k).expect("candidate").expect("ok");
                accepted = Some((cands.swap_remove(k), rr, c));
                break;
            }
            lambda *= 512.0;
            if lambda > 1e30 {
                break;
            }
        }
        let Some((un, rn, cn)) = accepted else {
            // A Jacobian that differentiates the model's numerical noise points nowhere:
            // widen the difference step before giving up.
            if fd < 0.05 {
                fd = (fd * 10.0).min(0.05);
                lambda = 1e-3;
                continue;
            }
            converged = true;
            message = "no step lowers the cost any more (converged to the model's noise)".into();
            break;
        };
        let drop = cost - cn;
        u = un;
        r = rn;
        cost = cn;
        on_iter(&LsqIter {
            iteration: it,
            cost,
            lambda,
            theta: theta_of(params, &u),
            evaluations: evals,
        });
        if drop <= opts.ftol * cost.max(f64::MIN_POSITIVE) {
            converged = true;
            message = format!("relative cost decrease below ftol = {:e}", opts.ftol);
            break;
        }
    }
    if !converged {
        message = format!("not converged after {} iterations", opts.max_iter);
    }
    // Covariance from the Jacobian at the optimum, in θ.
    let (jm, n) = jacobian(params, &u, &r, fd, ev, &mut evals)?;
    let theta = theta_of(params, &u);
    let chi2 = 2.0 * cost;
    let dof = n.saturating_sub(p);
    let sigma = opts
        .noise_sigma
        .unwrap_or_else(|| (chi2 / dof.max(1) as f64).sqrt());
    let mut a = vec![0.0; p * p];
    for i in 0..n {
        for j in 0..p {
            let jj = jm[i * p + j] / params[j].dtheta_du(u[j]);
            for k in 0..p {
                a[j * p + k] += jj * jm[i * p + k] / params[k].dtheta_du(u[k]);
            }
        }
    }
    let covariance = match spd_inverse(&a, p) {
        Some(inv) if dof > 0 => inv.iter().map(|x| x * sigma * sigma).collect(),
        _ => vec![f64::NAN; p * p],
    };
    let std_errors: Vec<f64> = (0..p).map(|j| covariance[j * p + j].sqrt()).collect();
    let mut correlation = vec![f64::NAN; p * p];
    for j in 0..p {
        for k in 0..p {
            correlation[j * p + k] = covariance[j * p + k] / (std_errors[j] * std_errors[k]);
        }
    }
    let tq = t_quantile(0.975, if dof > 0 { dof as f64 } else { f64::NAN });
    let intervals = params
        .iter()
        .zip(&theta)
        .zip(&std_errors)
        .map(|((q, &t), &s)| match q.scale {
            Scale::Linear => (t - tq * s, t + tq * s),
            Scale::Log => ((t.ln() - tq * s / t).exp(), (t.ln() + tq * s / t).exp()),
        })
        .collect();
    let at_bound = (0..p)
        .map(|j| {
            let e = 1e-9 * (bounds[j].1 - bounds[j].0);
            u[j] <= bounds[j].0 + e || u[j] >= bounds[j].1 - e
        })
        .collect();
    Ok(LsqResult {
        theta,
        std_errors,
        covariance,
        correlation,
        intervals,
        at_bound,
        rms: (chi2 / r.len().max(1) as f64).sqrt(),
        residuals: r,
        cost,
        sigma,
        iterations: it,
        evaluations: evals,
        converged,
        message,
    })
}
