//! Affine-invariant ensemble sampler: the stretch move of Goodman & Weare (2010), in the
//! parallel two-half form (Foreman-Mackey et al. 2013): the walkers are split in two halves;
//! every walker of one half proposes Y = X_j + z (X_k − X_j) with a partner X_j drawn from the
//! other half and z from g(z) ∝ 1/√z on [1/a, a], accepted with probability
//! min(1, z^(d−1) p(Y)/p(X_k)). A half's proposals depend only on the other half, so they are
//! evaluated as one batch (spread over ranks by the [`Evaluator`]).
//!
//! The sampler works in u (ln θ for log-scale parameters), where the priors are flat: uniform
//! in θ for `linear`, log-uniform for `log`, zero outside the bounds. The likelihood is
//! Gaussian, L ∝ σ^(−N) exp(−Σ r²/(2σ²)), with σ known or sampled as one more (log-scale)
//! parameter. All random numbers come from one [`Rng`] seeded by the caller and are drawn
//! before each batch, so the chain does not depend on how the batch is spread.

use super::problem::{theta_of, Evaluator, Param, Scale};
use super::rng::Rng;

/// The noise model.
#[derive(Clone, Debug, PartialEq)]
pub enum Noise {
    /// σ known [residual units].
    Known(f64),
    /// σ sampled with a log-uniform prior on [lower, upper], walkers started near `initial`.
    Fitted {
        initial: f64,
        lower: f64,
        upper: f64,
    },
}

#[derive(Clone, Debug)]
pub struct McmcOptions {
    /// Even, at least 2 × the dimension.
    pub walkers: usize,
    /// Steps after the burn-in.
    pub steps: usize,
    pub burn: usize,
    pub thin: usize,
    pub seed: u64,
    /// Stretch scale a (2 as Goodman & Weare recommend).
    pub stretch: f64,
    pub noise: Noise,
}

/// One batch's report (every step: both halves).
#[derive(Clone, Debug)]
pub struct McmcStep {
    /// 1-based step, burn-in included.
    pub step: usize,
    pub total: usize,
    /// Accepted fraction of the proposals so far.
    pub acceptance: f64,
    /// The walker with the highest posterior: its θ (σ last when fitted) and log-probability.
    pub best: Vec<f64>,
    pub best_log_prob: f64,
}

/// The sampled chain after burn-in and thinning.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Names of the sampled quantities (the parameters, then `noise_sigma` when fitted).
    pub names: Vec<String>,
    pub walkers: usize,
    /// Stored steps per walker.
    pub len: usize,
    /// θ of walker w at stored step s: `samples[(s * walkers + w) * dim ..][..dim]`.
    pub samples: Vec<f64>,
    pub log_prob: Vec<f64>,
    /// Accepted fraction of each walker's proposals after the burn-in.
    pub acceptance: Vec<f64>,
    pub thin: usize,
    pub evaluations: usize,
}

impl Chain {
    pub fn dim(&self) -> usize {
        self.names.len()
    }

    /// Walker `w`'s stored values of quantity `q`.
    pub fn trace(&self, w: usize, q: usize) -> Vec<f64> {
        let d = self.dim();
        (0..self.len)
            .map(|s| self.samples[(s * self.walkers + w) * d + q])
            .collect()
    }

    /// All stored values of quantity `q`, pooled over walkers.
    pub fn pooled(&self, q: usize) -> Vec<f64> {
        let d = self.dim();
        (0..self.len * self.walkers)
            .map(|k| self.samples[k * d + q])
            .collect()
    }
}

struct Target<'a> {
    params: &'a [Param],
    bounds: Vec<(f64, f64)>,
    noise: &'a Noise,
}

impl Target<'_> {
    fn inside(&self, u: &[f64]) -> bool {
        u.iter()
            .zip(&self.bounds)
            .all(|(x, (lo, hi))| *x >= *lo && *x <= *hi)
    }

    fn log_like(&self, u: &[f64], r: &Result<Vec<f64>, String>) -> f64 {
        let Ok(r) = r else {
            return f64::NEG_INFINITY;
        };
        let sigma = match self.noise {
            Noise::Known(s) => *s,
            Noise::Fitted { .. } => u[self.params.len()].exp(),
        };
        let ss: f64 = r.iter().map(|x| x * x).sum();
        let l = -0.5 * ss / (sigma * sigma) - r.len() as f64 * sigma.ln();
        if l.is_finite() {
            l
        } else {
            f64::NEG_INFINITY
        }
    }

    /// Log-posteriors of the points (u), evaluating the model only inside the box.
    fn log_probs(&self, us: &[Vec<f64>], ev: &mut dyn Evaluator, evals: &mut usize) -> Vec<f64> {
        let p = self.params.len();
        let inside: Vec<usize> = (0..us.len()).filter(|&k| self.inside(&us[k])).collect();
        let pts: Vec<Vec<f64>> = inside
            .iter()
            .map(|&k| theta_of(self.params, &us[k][..p]))
            .collect();
        let res = if pts.is_empty() {
            Vec::new()
        } else {
            ev.eval(&pts)
        };
        *evals += pts.len();
        let mut out = vec![f64::NEG_INFINITY; us.len()];
        for (k, r) in inside.iter().zip(&res) {
            out[*k] = self.log_like(&us[*k], r);
        }
        out
    }

    fn theta_full(&self, u: &[f64]) -> Vec<f64> {
        let p = self.params.len();
        let mut t = theta_of(self.params, &u[..p]);
        if u.len() > p {
            t.push(u[p].exp());
        }
        t
    }
}

/// Sample the posterior of `params`, walkers started in a small ball around `center` (θ; e.g.
/// the least-squares optimum) of radius `spread` (per parameter, in u). `on_step` sees every
/// step.
pub fn sample(
    params: &[Param],
    center: &[f64],
    spread: &[f64],
    opts: &McmcOptions,
    ev: &mut dyn Evaluator,
    on_step: &mut dyn FnMut(&McmcStep),
) -> Result<Chain, String> {
    let mut bounds: Vec<(f64, f64)> = params.iter().map(Param::u_bounds).collect();
    let mut names: Vec<String> = params.iter().map(|q| q.name.clone()).collect();
    let mut c: Vec<f64> = params.iter().zip(center).map(|(q, &t)| q.to_u(t)).collect();
    let mut sp = spread.to_vec();
    if let Noise::Fitted {
        initial,
        lower,
        upper,
    } = opts.noise
    {
        if !(lower > 0.0 && lower < upper && initial >= lower && initial <= upper) {
            return Err(format!(
                "the noise prior needs 0 < lower <= initial <= upper, found {lower}, {initial}, {upper}"
            ));
        }
        bounds.push((lower.ln(), upper.ln()));
        names.push("noise_sigma".into());
        c.push(initial.ln());
        sp.push(0.05);
    }
    let d = bounds.len();
    let k = opts.walkers;
    if k < 2 * d || !k.is_multiple_of(2) {
        return Err(format!(
            "{k} walkers: the stretch move needs an even number, at least twice the {d} sampled dimensions"
        ));
    }
    if opts.stretch.is_nan() || opts.stretch <= 1.0 {
        return Err(format!("stretch scale a = {} must exceed 1", opts.stretch));
    }
    let target = Target {
        params,
        bounds: bounds.clone(),
        noise: &opts.noise,
    };
    let mut rng = Rng::new(opts.seed);
    let mut evals = 0;
    // Start: a ball around the centre, inside the box; points where the model fails are
    // drawn again (a few rounds), since a walker at zero probability never moves.
    let mut x: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut lp = vec![f64::NEG_INFINITY; k];
    for _round in 0..20 {
        let todo: Vec<usize> = (0..k).filter(|&w| !lp[w].is_finite()).collect();
        if todo.is_empty() {
            break;
        }
        for &w in &todo {
            x[w] = (0..d)
                .map(|j| {
                    let (lo, hi) = bounds[j];
                    let m = 1e-9 * (hi - lo);
                    (c[j] + sp[j] * rng.normal()).clamp(lo + m, hi - m)
                })
                .collect();
        }
        let pts: Vec<Vec<f64>> = todo.iter().map(|&w| x[w].clone()).collect();
        let l = target.log_probs(&pts, ev, &mut evals);
        for (i, &w) in todo.iter().enumerate() {
            lp[w] = l[i];
        }
    }
    if let Some(w) = (0..k).find(|&w| !lp[w].is_finite()) {
        return Err(format!(
            "walker {w} found no starting point where the model works near the centre"
        ));
    }
    let total = opts.burn + opts.steps;
    let half = k / 2;
    let thin = opts.thin.max(1);
    let mut samples = Vec::new();
    let mut log_prob = Vec::new();
    let mut acc = vec![0usize; k];
    let (mut acc_all, mut prop_all) = (0usize, 0usize);
    let a = opts.stretch;
    for step in 1..=total {
        for s in 0..2 {
            let (mine, other) = if s == 0 {
                (0..half, half..k)
            } else {
                (half..k, 0..half)
            };
            let mut props = Vec::with_capacity(half);
            let mut zs = Vec::with_capacity(half);
            let mut us = Vec::with_capacity(half);
            for w in mine.clone() {
                let j = other.start + rng.below(other.len());
                let z = ((a - 1.0) * rng.uniform() + 1.0).powi(2) / a;
                let y: Vec<f64> = (0..d).map(|i| x[j][i] + z * (x[w][i] - x[j][i])).collect();
                props.push(y);
                zs.push(z);
                us.push(rng.uniform());
            }
            let lq = target.log_probs(&props, ev, &mut evals);
            for (i, w) in mine.enumerate() {
                let log_ratio = (d as f64 - 1.0) * zs[i].ln() + lq[i] - lp[w];
                prop_all += 1;
                if lq[i].is_finite() && us[i].ln() < log_ratio {
                    x[w] = std::mem::take(&mut props[i]);
                    lp[w] = lq[i];
                    acc_all += 1;
                    if step > opts.burn {
                        acc[w] += 1;
                    }
                }
            }
        }
        if step > opts.burn && (step - opts.burn).is_multiple_of(thin) {
            for w in 0..k {
                samples.extend(target.theta_full(&x[w]));
                log_prob.push(lp[w]);
            }
        }
        let b = (0..k)
            .max_by(|&i, &j| lp[i].total_cmp(&lp[j]))
            .expect("walkers");
        on_step(&McmcStep {
            step,
            total,
            acceptance: acc_all as f64 / prop_all as f64,
            best: target.theta_full(&x[b]),
            best_log_prob: lp[b],
        });
    }
    let len = log_prob.len() / k;
    Ok(Chain {
        names,
        walkers: k,
        len,
        samples,
        log_prob,
        acceptance: acc
            .iter()
            .map(|&n| n as f64 / opts.steps.max(1) as f64)
            .collect(),
        thin,
        evaluations: evals,
    })
}

/// The scale of a parameter as the sampler sees it (for reports).
pub fn scale_name(q: &Param) -> &'static str {
    match q.scale {
        Scale::Linear => "uniform",
        Scale::Log => "log-uniform",
    }
}
