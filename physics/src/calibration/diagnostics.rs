//! Convergence diagnostics and summaries of an ensemble chain: integrated autocorrelation time
//! with Sokal's adaptive window (the walkers' autocorrelation functions averaged, as Goodman &
//! Weare's ensemble is analysed), split-R̂ (Gelman et al. 2013, each walker's chain split in
//! two halves), effective sample size, and 2.5/50/97.5 % credible intervals.

use super::mcmc::Chain;
use super::stats::{mean, percentile, variance};

/// Sokal's window constant: the smallest window M with M >= C τ(M).
pub const SOKAL_C: f64 = 5.0;

/// Diagnostics of one sampled quantity.
#[derive(Clone, Debug)]
pub struct Quantity {
    pub name: String,
    pub mean: f64,
    pub std: f64,
    /// 2.5 %, 50 %, 97.5 % percentiles of the pooled samples.
    pub q025: f64,
    pub median: f64,
    pub q975: f64,
    /// Integrated autocorrelation time, in steps of the sampler (thinning undone).
    pub tau: f64,
    /// Whether the chain is longer than 50 τ (the estimate itself is then trustworthy).
    pub tau_reliable: bool,
    pub r_hat: f64,
    /// Effective sample size: walkers × steps / τ.
    pub ess: f64,
}

/// Integrated autocorrelation time (in stored samples) of the walkers' traces `x[w]`.
pub fn autocorr_time(x: &[Vec<f64>]) -> f64 {
    let n = x.first().map_or(0, Vec::len);
    if n < 2 {
        return f64::NAN;
    }
    // Each walker's autocovariance normalised by its own lag-0 value, then averaged.
    let centred: Vec<(Vec<f64>, f64)> = x
        .iter()
        .map(|t| {
            let m = mean(t);
            let c: Vec<f64> = t.iter().map(|v| v - m).collect();
            let c0 = c.iter().map(|v| v * v).sum::<f64>() / n as f64;
            (c, c0)
        })
        .filter(|(_, c0)| *c0 > 0.0)
        .collect();
    if centred.is_empty() {
        return f64::NAN;
    }
    let rho = |lag: usize| -> f64 {
        centred
            .iter()
            .map(|(c, c0)| {
                c[..n - lag]
                    .iter()
                    .zip(&c[lag..])
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    / n as f64
                    / c0
            })
            .sum::<f64>()
            / centred.len() as f64
    };
    let mut tau = 1.0;
    for m in 1..n {
        tau += 2.0 * rho(m);
        if m as f64 >= SOKAL_C * tau {
            return tau.max(1.0);
        }
    }
    tau.max(1.0)
}

/// Split-R̂ of the walkers' traces (each cut into two halves).
pub fn split_r_hat(x: &[Vec<f64>]) -> f64 {
    let n = x.first().map_or(0, Vec::len) / 2;
    if n < 2 {
        return f64::NAN;
    }
    let mut chains = Vec::new();
    for t in x {
        chains.push(&t[..n]);
        chains.push(&t[n..2 * n]);
    }
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let w = chains.iter().map(|c| variance(c)).sum::<f64>() / chains.len() as f64;
    let b_over_n = variance(&means);
    if w.is_nan() || w <= 0.0 {
        return f64::NAN;
    }
    let var_plus = (n as f64 - 1.0) / n as f64 * w + b_over_n;
    (var_plus / w).sqrt()
}

/// Diagnostics of every quantity of `chain`.
pub fn summarize(chain: &Chain) -> Vec<Quantity> {
    (0..chain.dim())
        .map(|q| {
            let traces: Vec<Vec<f64>> = (0..chain.walkers).map(|w| chain.trace(w, q)).collect();
            let all = chain.pooled(q);
            let tau = autocorr_time(&traces);
            Quantity {
                name: chain.names[q].clone(),
                mean: mean(&all),
                std: variance(&all).sqrt(),
                q025: percentile(&all, 2.5),
                median: percentile(&all, 50.0),
                q975: percentile(&all, 97.5),
                tau: tau * chain.thin as f64,
                tau_reliable: chain.len as f64 > 50.0 * tau,
                r_hat: split_r_hat(&traces),
                ess: (chain.walkers * chain.len) as f64 / tau,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::rng::Rng;

    /// An AR(1) process x_t = φ x_{t−1} + e_t has τ = (1 + φ)/(1 − φ); independent chains of
    /// one distribution have R̂ near 1, chains with shifted means do not.
    #[test]
    fn ar1_autocorrelation_time_and_r_hat() {
        let phi: f64 = 0.8;
        let mut rng = Rng::new(3);
        let traces: Vec<Vec<f64>> = (0..16)
            .map(|_| {
                let mut v = rng.normal() / (1.0 - phi * phi).sqrt();
                (0..4000)
                    .map(|_| {
                        v = phi * v + rng.normal();
                        v
                    })
                    .collect()
            })
            .collect();
        let tau = autocorr_time(&traces);
        let exact = (1.0 + phi) / (1.0 - phi); // 9
        assert!((tau - exact).abs() < 0.1 * exact, "tau {tau} vs {exact}");
        let r = split_r_hat(&traces);
        assert!(r < 1.01, "{r}");
        let shifted: Vec<Vec<f64>> = traces
            .iter()
            .enumerate()
            .map(|(k, t)| t.iter().map(|v| v + k as f64).collect())
            .collect();
        assert!(split_r_hat(&shifted) > 1.5);
    }
}
