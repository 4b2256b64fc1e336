//! Spectrum calibration of physics models: a spectrum made by the linearised SPM, SPMe or DFN
//! with known parameters plus seeded relative noise (σ = 0.5 % of |Z|, modulus weighting) is
//! fitted back by least squares (and, for the SPMe, the ensemble sampler); every true value
//! lies within 2σ of its estimate. A positive-diffusivity factor is not among them: at the
//! SOC where D_n shows, D_p's posterior is far from Gaussian (see docs/calibration.md).

use galvana_physics::battery::deck::Battery;
use galvana_physics::battery::experiment::Step;
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc};
use galvana_physics::battery::spme::Points;
use galvana_physics::calibration::battery::{knob, KNOBS};
use galvana_physics::calibration::diagnostics::summarize;
use galvana_physics::calibration::lsq::{least_squares, LsqOptions, LsqResult};
use galvana_physics::calibration::mcmc::{sample, McmcOptions, Noise};
use galvana_physics::calibration::problem::{Model, Param, Scale, Serial};
use galvana_physics::calibration::spectrum::{cell_impedance, CellSpectrumFit};
use galvana_physics::calibration::synthetic::noisy_spectrum;

/// A Chen2020 cell at SOC 0.1, where the graphite OCP is steep enough for the negative
/// particle's diffusion to show in the spectrum (on its mid-SOC plateau dU/dc ≈ 0 hides it).
fn cell(model: &str) -> Battery {
    let p = chen2020();
    let initial = stoichiometries_at_soc(&p, 0.1);
    Battery {
        model: model.into(),
        params: p,
        initial,
        steps: Vec::<Step>::new(),
        points: Points {
            x_n: 10,
            x_s: 10,
            x_p: 10,
            r_n: 10,
            r_p: 10,
        },
        period: 1.0,
        field_times: Vec::new(),
    }
}

/// 1 kHz .. 10 µHz, 5 per decade: low enough to reach the particles' finite-length response
/// (Chen2020: R²/D ≈ 1000 s negative, 7000 s positive), not only their Warburg slope.
fn frequencies() -> Vec<f64> {
    (0..=40)
        .map(|k| 1e3 * 10f64.powf(-k as f64 / 5.0))
        .collect()
}

const SIGMA: f64 = 0.005;

/// (name, truth, initial guess, lower, upper)
type Truth = (&'static str, f64, f64, f64, f64);

fn setup(model: &str, truth: &[Truth], seed: u64) -> (CellSpectrumFit, Vec<Param>, Vec<f64>) {
    let knobs: Vec<usize> = truth.iter().map(|t| knob(t.0).unwrap()).collect();
    let theta: Vec<f64> = truth.iter().map(|t| t.1).collect();
    let f = frequencies();
    let mut fit = CellSpectrumFit {
        cell: cell(model),
        knobs,
        f: f.clone(),
        z: vec![],
        modulus_weighting: true,
    };
    let clean = fit.curve(&theta).unwrap();
    fit.z = noisy_spectrum(&clean, SIGMA, seed);
    let params = truth
        .iter()
        .map(|t| {
            let k = &KNOBS[knob(t.0).unwrap()];
            Param::new(t.0, k.unit, t.2, t.3, t.4, k.scale)
        })
        .collect();
    (fit, params, theta)
}

fn lsq(fit: &CellSpectrumFit, params: &[Param], truth: &[f64]) -> LsqResult {
    let l = least_squares(
        params,
        &LsqOptions::default(),
        &mut Serial(fit),
        &mut |_| {},
    )
    .unwrap();
    println!(
        "{}: {} iterations, rms {:.3e}, sigma estimate {:.3e} (truth {SIGMA})",
        fit.cell.model, l.iterations, l.rms, l.sigma
    );
    for (k, p) in params.iter().enumerate() {
        let z = (l.theta[k] - truth[k]).abs() / l.std_errors[k];
        println!(
            "  {:<26} truth {:<8} estimate {:.5e} ± {:.3e}  |Δ|/σ = {z:.2}",
            p.name, truth[k], l.theta[k], l.std_errors[k]
        );
        assert!(
            z < 2.0,
            "{}: {} vs {} ± {}",
            p.name,
            l.theta[k],
            truth[k],
            l.std_errors[k]
        );
        // Each estimate is informative: σ well below the truth's magnitude.
        assert!(l.std_errors[k] < 0.2 * truth[k].abs(), "{}", p.name);
    }
    // The residual estimate of the noise agrees with the σ the data were made with (82
    // residuals: s/σ has a relative spread of about 1/√(2·80) ≈ 8 %; 25 % is 3 of those).
    assert!((l.sigma / SIGMA - 1.0).abs() < 0.25, "{}", l.sigma);
    l
}

/// Without a double layer the charge-transfer resistances are pure series resistances in the
/// SPM and SPMe, indistinguishable from a contact resistance: fit one of them.
const SPM: [Truth; 2] = [
    ("diffusivity_n_factor", 0.5, 1.0, 0.05, 20.0),
    ("contact_resistance", 0.01, 0.0, -0.05, 0.1),
];

#[test]
fn spm_parameters_recovered_from_their_spectrum() {
    let (fit, params, truth) = setup("spm", &SPM, 5);
    lsq(&fit, &params, &truth);
}

/// In the DFN the exchange current also shapes the porous electrode's current distribution;
/// with the contact resistance known (zero) it is identified through R_ct.
const DFN: [Truth; 2] = [
    ("diffusivity_n_factor", 0.5, 1.0, 0.05, 20.0),
    ("exchange_current_n_factor", 0.3, 1.0, 0.01, 100.0),
];

#[test]
fn dfn_parameters_recovered_from_their_spectrum() {
    let (fit, params, truth) = setup("dfn", &DFN, 7);
    lsq(&fit, &params, &truth);
}

/// SPMe: least squares, then a short ensemble run whose 95 % credible intervals hold every
/// truth, with split-R̂ < 1.1.
#[test]
fn spme_parameters_recovered_by_lsq_and_mcmc() {
    let (fit, params, truth) = setup("spme", &SPM, 9);
    let l = lsq(&fit, &params, &truth);
    let opts = McmcOptions {
        walkers: 16,
        steps: 4000,
        burn: 1000,
        thin: 5,
        seed: 2,
        stretch: 2.0,
        noise: Noise::Known(SIGMA),
    };
    let spread: Vec<f64> = params
        .iter()
        .zip(&l.theta)
        .zip(&l.std_errors)
        .map(|((p, t), se)| match p.scale {
            Scale::Log => se / t,
            Scale::Linear => *se,
        })
        .collect();
    let chain = sample(
        &params,
        &l.theta,
        &spread,
        &opts,
        &mut Serial(&fit),
        &mut |_| {},
    )
    .unwrap();
    let q = summarize(&chain);
    for (k, p) in params.iter().enumerate() {
        println!(
            "  MCMC {:<26} median {:.5e} [{:.4e}, {:.4e}] R-hat {:.3}",
            p.name, q[k].median, q[k].q025, q[k].q975, q[k].r_hat
        );
        assert!(q[k].q025 < truth[k] && truth[k] < q[k].q975, "{}", p.name);
        assert!(q[k].r_hat < 1.1, "{}: R-hat {}", p.name, q[k].r_hat);
    }
}

/// The fit's residuals vanish at the truth on clean data (the model is the generator) and
/// the contact resistance only shifts Re Z.
#[test]
fn contact_resistance_is_a_series_resistance() {
    let (fit, _, truth) = setup("dfn", &SPM, 1);
    let f = frequencies();
    let (c, r) = fit.cell_at(&truth);
    assert_eq!(r, 0.01);
    let z0 = cell_impedance(&c, &f).unwrap();
    let z1 = fit.curve(&truth).unwrap();
    for (a, b) in z0.iter().zip(&z1) {
        assert!((b.re - a.re - 0.01).abs() < 1e-15 && b.im == a.im);
    }
    let clean = CellSpectrumFit { z: z1, ..fit };
    assert!(clean
        .residuals(&truth)
        .unwrap()
        .iter()
        .all(|r| r.abs() < 1e-15));
}
