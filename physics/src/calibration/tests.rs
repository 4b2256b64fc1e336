//! The calibration machinery against problems whose answers are known in closed form: a linear
//! model (least-squares estimate and covariance σ²(XᵀX)⁻¹, and with flat priors the posterior
//! N(β̂, σ²(XᵀX)⁻¹)), a circuit spectrum and an SPM discharge made from known parameters.

use super::circuit::CircuitFit;
use super::diagnostics::summarize;
use super::eis::{Circuit, C64};
use super::lsq::{least_squares, LsqOptions};
use super::mcmc::{sample, McmcOptions, Noise};
use super::problem::{FnModel, Param, Scale, Serial};
use super::rng::Rng;
use super::stats::spd_inverse;

/// y = b0 + b1 x + b2 x² + noise on x in [0, 1], and its exact least-squares answer.
struct Linear {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl Linear {
    fn new(n: usize, beta: [f64; 3], sigma: f64, seed: u64) -> Linear {
        let mut rng = Rng::new(seed);
        let x: Vec<f64> = (0..n).map(|k| k as f64 / (n - 1) as f64).collect();
        let y = x
            .iter()
            .map(|&t| beta[0] + beta[1] * t + beta[2] * t * t + sigma * rng.normal())
            .collect();
        Linear { x, y }
    }

    fn row(t: f64) -> [f64; 3] {
        [1.0, t, t * t]
    }

    /// β̂ and (XᵀX)⁻¹.
    fn exact(&self) -> (Vec<f64>, Vec<f64>) {
        let mut a = vec![0.0; 9];
        let mut b = [0.0; 3];
        for (&t, &y) in self.x.iter().zip(&self.y) {
            let r = Self::row(t);
            for i in 0..3 {
                b[i] += r[i] * y;
                for j in 0..3 {
                    a[i * 3 + j] += r[i] * r[j];
                }
            }
        }
        let inv = spd_inverse(&a, 3).unwrap();
        let beta = (0..3)
            .map(|i| (0..3).map(|j| inv[i * 3 + j] * b[j]).sum())
            .collect();
        (beta, inv)
    }

    fn residuals(&self, th: &[f64]) -> Vec<f64> {
        self.x
            .iter()
            .zip(&self.y)
            .map(|(&t, &y)| th[0] + th[1] * t + th[2] * t * t - y)
            .collect()
    }
}

fn wide(names: &[&str]) -> Vec<Param> {
    names
        .iter()
        .map(|n| Param::new(n, "", 0.0, -100.0, 100.0, Scale::Linear))
        .collect()
}

/// LM lands on the normal-equation solution; its covariance is σ²(XᵀX)⁻¹ with σ known, and
/// s²(XᵀX)⁻¹ with s² = χ²/(N − P) when estimated.
#[test]
fn lsq_matches_linear_regression() {
    let lin = Linear::new(60, [1.0, -2.0, 0.5], 0.1, 11);
    let (beta, inv) = lin.exact();
    let model = FnModel(|t: &[f64]| Ok(lin.residuals(t)));
    let params = wide(&["b0", "b1", "b2"]);
    for known in [Some(0.1), None] {
        let opts = LsqOptions {
            noise_sigma: known,
            ..Default::default()
        };
        let r = least_squares(&params, &opts, &mut Serial(&model), &mut |_| {}).unwrap();
        assert!(r.converged, "{}", r.message);
        let chi2: f64 = lin.residuals(&beta).iter().map(|x| x * x).sum();
        let s2 = known.map_or(chi2 / 57.0, |s| s * s);
        for i in 0..3 {
            assert!(
                (r.theta[i] - beta[i]).abs() < 1e-7,
                "{i}: {} vs {}",
                r.theta[i],
                beta[i]
            );
            for j in 0..3 {
                let want = s2 * inv[i * 3 + j];
                let got = r.covariance[i * 3 + j];
                assert!(
                    (got - want).abs() < 1e-6 * want.abs().max(1e-3 * s2),
                    "cov {i}{j}: {got} vs {want}"
                );
            }
        }
        assert!((r.sigma * r.sigma - s2).abs() < 1e-9 * s2);
    }
}

/// With flat priors and σ known, the posterior of a linear model is N(β̂, σ²(XᵀX)⁻¹): the
/// sampler's means agree within Monte-Carlo error (4 standard errors with the chain's own
/// ESS) and its standard deviations within 10 %; the diagnostics say it converged.
#[test]
fn mcmc_matches_linear_gaussian_posterior() {
    let sigma = 0.1;
    let lin = Linear::new(40, [1.0, -2.0, 0.5], sigma, 5);
    let (beta, inv) = lin.exact();
    let model = FnModel(|t: &[f64]| Ok(lin.residuals(t)));
    let params = wide(&["b0", "b1", "b2"]);
    let sd: Vec<f64> = (0..3).map(|i| sigma * inv[i * 4].sqrt()).collect();
    let opts = McmcOptions {
        walkers: 24,
        steps: 3000,
        burn: 500,
        thin: 1,
        seed: 9,
        stretch: 2.0,
        noise: Noise::Known(sigma),
    };
    let chain = sample(&params, &beta, &sd, &opts, &mut Serial(&model), &mut |_| {}).unwrap();
    let q = summarize(&chain);
    let acc = chain.acceptance.iter().sum::<f64>() / chain.walkers as f64;
    assert!(acc > 0.2 && acc < 0.9, "acceptance {acc}");
    for i in 0..3 {
        let se = sd[i] / q[i].ess.sqrt();
        assert!(
            (q[i].mean - beta[i]).abs() < 4.0 * se,
            "{i}: mean {} vs {} (se {se})",
            q[i].mean,
            beta[i]
        );
        assert!(
            (q[i].std / sd[i] - 1.0).abs() < 0.1,
            "{i}: sd {} vs {}",
            q[i].std,
            sd[i]
        );
        assert!(q[i].r_hat < 1.05, "R-hat {}", q[i].r_hat);
        assert!(q[i].tau_reliable, "tau {}", q[i].tau);
        // 95 % credible interval of a normal: mean ± 1.96 sd.
        assert!((q[i].q975 - q[i].q025) / (2.0 * 1.959964 * sd[i]) - 1.0 < 0.1);
    }
    // The same seed gives the same chain.
    let again = sample(&params, &beta, &sd, &opts, &mut Serial(&model), &mut |_| {}).unwrap();
    assert_eq!(again.samples, chain.samples);
}

/// The noise σ sampled with the parameters: its posterior contains the true σ.
#[test]
fn mcmc_fits_the_noise() {
    let sigma = 0.05;
    let lin = Linear::new(200, [0.3, 1.0, -1.0], sigma, 21);
    let (beta, inv) = lin.exact();
    let model = FnModel(|t: &[f64]| Ok(lin.residuals(t)));
    let params = wide(&["b0", "b1", "b2"]);
    let sd: Vec<f64> = (0..3).map(|i| sigma * inv[i * 4].sqrt()).collect();
    let opts = McmcOptions {
        walkers: 16,
        steps: 1500,
        burn: 500,
        thin: 2,
        seed: 4,
        stretch: 2.0,
        noise: Noise::Fitted {
            initial: 0.1,
            lower: 1e-4,
            upper: 1.0,
        },
    };
    let chain = sample(&params, &beta, &sd, &opts, &mut Serial(&model), &mut |_| {}).unwrap();
    let q = summarize(&chain);
    assert_eq!(q[3].name, "noise_sigma");
    assert!(q[3].q025 < sigma && sigma < q[3].q975, "{:?}", q[3]);
}

/// A Randles-like circuit R0-p(R1,C1) from known values with 1 % noise: least squares
/// recovers each within 2σ, in the log scale.
#[test]
fn circuit_recovery() {
    let c = Circuit::parse("R0-p(R1,C1)").unwrap();
    let truth = [0.02, 0.1, 0.5];
    let mut rng = Rng::new(2);
    let f: Vec<f64> = (0..40)
        .map(|k| 10f64.powf(-1.0 + 5.0 * k as f64 / 39.0))
        .collect();
    let z: Vec<C64> = f
        .iter()
        .map(|&x| {
            let m = c.impedance(x, &truth);
            C64 {
                re: m.re * (1.0 + 0.01 * rng.normal()),
                im: m.im * (1.0 + 0.01 * rng.normal()),
            }
        })
        .collect();
    let fit = CircuitFit {
        circuit: c,
        f,
        z,
        modulus_weighting: true,
    };
    let params = vec![
        Param::new("R0", "Ohm", 0.05, 1e-4, 1.0, Scale::Log),
        Param::new("R1", "Ohm", 0.05, 1e-4, 10.0, Scale::Log),
        Param::new("C1", "F", 1.0, 1e-3, 100.0, Scale::Log),
    ];
    let r = least_squares(
        &params,
        &LsqOptions::default(),
        &mut Serial(&fit),
        &mut |_| {},
    )
    .unwrap();
    for i in 0..3 {
        let z = (r.theta[i] - truth[i]) / r.std_errors[i];
        assert!(
            z.abs() < 2.0,
            "{}: {} ± {} vs {}",
            params[i].name,
            r.theta[i],
            r.std_errors[i],
            truth[i]
        );
        assert!(r.std_errors[i] < 0.05 * truth[i]);
    }
}
