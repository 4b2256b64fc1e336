//! Recovery of known parameters by the time-domain battery calibration with SPMe and DFN
//! cells: the data are each model's own voltage for a discharge with a rest and a 3C pulse,
//! made with known diffusivity and exchange-current factors and contact resistance, plus
//! seeded Gaussian noise of 1 mV (a cycler's); least squares from wrong starting values must
//! put every truth inside its 2σ interval. What a discharge separates poorly (the two exchange
//! currents and a series resistance all act as a resistance at small overpotentials) must show
//! as a large σ or correlation, not as a confident wrong answer.
//!
//! Grids are coarse (5/3/5 electrolyte cells, 6 shells per particle) and the programme short
//! so that each test runs in seconds in release; the recovery holds for any grid because the
//! data come from the same grid. The seed is fixed (4); `coverage_over_seeds_1_to_8` checks
//! the intervals over eight noise draws. The fits see a model that is smooth in θ because the
//! cell is stepped on a fixed grid made from the data (`battery::fixed_grid`); with the
//! adaptive runner the same protocol put 15 of 24 SPMe truths inside 2σ (worst 3.96σ), on the
//! fixed grid 18 of 24 (worst 2.62σ); docs/calibration.md has the numbers.

use galvana_physics::battery::deck::Battery;
use galvana_physics::battery::experiment::Step;
use galvana_physics::battery::params;
use galvana_physics::battery::spme::Points;
use galvana_physics::calibration::battery::{knob, BatteryFit, KNOBS};
use galvana_physics::calibration::lsq::{least_squares, LsqOptions, LsqResult};
use galvana_physics::calibration::problem::{Evaluator, Model, Param};
use galvana_physics::calibration::synthetic::{programme, synthesize};

/// A Chen2020 cell of `model` at 90 % state of charge on a coarse grid, without an experiment.
fn cell(model: &str) -> Battery {
    let p = params::chen2020();
    let initial = params::stoichiometries_at_soc(&p, 0.9);
    Battery {
        model: model.into(),
        params: p,
        initial,
        steps: Vec::<Step>::new(),
        points: Points {
            x_n: 5,
            x_s: 3,
            x_p: 5,
            r_n: 6,
            r_p: 6,
        },
        period: 1.0,
        field_times: Vec::new(),
    }
}

/// Chen2020's 5 Ah cell: 1C discharge for 20 min, 10 min rest (relaxation: diffusion), a 3C
/// pulse of 60 s (kinetics and series resistance; with D_n halved it nearly empties the
/// negative particles' surface, the voltage falls to ~2.6 V) and 5 min of rest, sampled every
/// 5 s (433 rows; dataset sign: negative on discharge).
fn discharge_and_pulse() -> galvana_physics::calibration::battery::Series {
    programme(
        &[(1200.0, -5.0), (600.0, 0.0), (60.0, -15.0), (300.0, 0.0)],
        5.0,
        3.7,
    )
}

/// Evaluates a batch on all cores (the models are independent runs).
struct Threads<'a, M: Model>(&'a M);

impl<M: Model> Evaluator for Threads<'_, M> {
    fn eval(&mut self, thetas: &[Vec<f64>]) -> Vec<Result<Vec<f64>, String>> {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        let model = self.0;
        std::thread::scope(|s| {
            let chunks: Vec<_> = thetas
                .chunks(thetas.len().div_ceil(n).max(1))
                .map(|c| s.spawn(move || c.iter().map(|t| model.residuals(t)).collect::<Vec<_>>()))
                .collect();
            chunks
                .into_iter()
                .flat_map(|h| h.join().expect("model thread"))
                .collect()
        })
    }
}

/// (name, truth, initial guess, lower, upper)
type Spec = (&'static str, f64, f64, f64, f64);

/// Synthesize data for `truth` with noise `sigma` (seed `seed`) and fit from the guesses.
fn recover(model: &str, spec: &[Spec], sigma: f64, seed: u64) -> (Vec<Param>, LsqResult) {
    eprintln!("{model} seed {seed}");
    let knobs: Vec<usize> = spec.iter().map(|s| knob(s.0).expect("knob")).collect();
    let truth: Vec<f64> = spec.iter().map(|s| s.1).collect();
    let gen = BatteryFit::new(cell(model), discharge_and_pulse(), knobs.clone(), None);
    let data = synthesize(&gen, &truth, sigma, seed).expect("the model runs at the truth");
    let fit = BatteryFit::new(cell(model), data, knobs.clone(), None);
    let params: Vec<Param> = spec
        .iter()
        .zip(&knobs)
        .map(|(s, &k)| Param::new(s.0, KNOBS[k].unit, s.2, s.3, s.4, KNOBS[k].scale))
        .collect();
    let at_truth: f64 = fit
        .residuals(&truth)
        .expect("truth")
        .iter()
        .map(|r| r * r)
        .sum();
    let l = least_squares(
        &params,
        &LsqOptions::default(),
        &mut Threads(&fit),
        &mut |_| {},
    )
    .expect("the model runs at the initial guess");
    for (k, s) in spec.iter().enumerate() {
        eprintln!(
            "{model} {}: truth {} estimate {:.5} ± {:.5} (|Δ|/σ = {:.2})",
            s.0,
            s.1,
            l.theta[k],
            l.std_errors[k],
            (l.theta[k] - s.1).abs() / l.std_errors[k]
        );
    }
    eprintln!(
        "{model}: correlation {:?}",
        l.correlation
            .iter()
            .map(|c| (c * 1000.0).round() / 1000.0)
            .collect::<Vec<_>>()
    );
    eprintln!(
        "{model}: cost at truth {at_truth:.6e}, at estimate {:.6e}",
        l.residuals.iter().map(|r| r * r).sum::<f64>()
    );
    eprintln!(
        "{model}: {} iterations, {} evaluations, rms {:.3e} V, σ estimate {:.3e} V, converged {}: {}",
        l.iterations, l.evaluations, l.rms, l.sigma, l.converged, l.message
    );
    (params, l)
}

fn assert_within_2_sigma(spec: &[Spec], l: &LsqResult) {
    for (k, s) in spec.iter().enumerate() {
        let z = (l.theta[k] - s.1).abs() / l.std_errors[k];
        assert!(
            z < 2.0,
            "{}: estimate {} ± {} is {z:.2} σ from the truth {}",
            s.0,
            l.theta[k],
            l.std_errors[k],
            s.1
        );
        assert!(!l.at_bound[k], "{}: stopped at a bound", s.0);
    }
}

fn correlation(l: &LsqResult, p: usize, a: usize, b: usize) -> f64 {
    l.correlation[a * p + b]
}

/// Noise of the synthetic data [V]: a cycler's.
const SIGMA: f64 = 1e-3;

#[test]
fn spme_recovers_diffusivity_exchange_current_and_contact_resistance() {
    let spec: [Spec; 3] = [
        ("diffusivity_n_factor", 0.5, 1.5, 0.05, 20.0),
        ("exchange_current_n_factor", 2.0, 1.0, 0.05, 20.0),
        ("contact_resistance", 0.01, 0.0, -0.05, 0.05),
    ];
    let (_, l) = recover("spme", &spec, SIGMA, 4);
    assert!(l.converged, "{}", l.message);
    assert_within_2_sigma(&spec, &l);
    // The noise estimate is the noise (χ² with ~220 degrees of freedom: ±10 % is ~2σ).
    assert!(
        (l.sigma / SIGMA - 1.0).abs() < 0.12,
        "σ estimate {}",
        l.sigma
    );
    // The exchange current and the series resistance both act as a resistance in a pulse:
    // strongly but not fully correlated (the kinetics' dependence on stoichiometry and
    // the electrolyte separate them).
    let rho = correlation(&l, 3, 1, 2);
    assert!(rho > 0.9 && rho < 0.999, "ρ(j0_n, R) = {rho}");
}

#[test]
fn dfn_recovers_exchange_current_and_diffusivity() {
    let spec: [Spec; 3] = [
        ("diffusivity_n_factor", 0.5, 1.5, 0.05, 20.0),
        ("exchange_current_p_factor", 0.5, 1.0, 0.05, 20.0),
        ("contact_resistance", 0.01, 0.0, -0.05, 0.05),
    ];
    let (_, l) = recover("dfn", &spec, SIGMA, 4);
    assert!(l.converged, "{}", l.message);
    assert_within_2_sigma(&spec, &l);
    assert!(
        (l.sigma / SIGMA - 1.0).abs() < 0.12,
        "σ estimate {}",
        l.sigma
    );
    // In the DFN the positive kinetics and the series resistance are nearly one parameter.
    let rho = correlation(&l, 3, 1, 2);
    assert!(rho > 0.95, "ρ(j0_p, R) = {rho}");
}

/// Both exchange currents and the contact resistance from one discharge: the data tell them
/// apart poorly, and the fit must say so (large correlations and σ) while still holding the
/// truth within 2σ.
#[test]
fn spme_both_exchange_currents_are_correlated_and_say_so() {
    let spec: [Spec; 3] = [
        ("exchange_current_n_factor", 2.0, 1.0, 0.05, 20.0),
        ("exchange_current_p_factor", 0.5, 1.0, 0.05, 20.0),
        ("contact_resistance", 0.01, 0.0, -0.05, 0.05),
    ];
    let (_, l) = recover("spme", &spec, SIGMA, 4);
    assert_within_2_sigma(&spec, &l);
    // j0_n and j0_p are known to ±~3–4 % only (±~0.6 % for j0_n alone with a diffusivity,
    // above), and the three move together.
    for k in [0, 1] {
        let rel = l.std_errors[k] / l.theta[k];
        assert!(rel > 0.02, "σ/θ of {} = {rel}", spec[k].0);
    }
    let (np, pr) = (correlation(&l, 3, 0, 1), correlation(&l, 3, 1, 2));
    assert!(
        np < -0.9 && pr > 0.8,
        "ρ(j0_n, j0_p) = {np}, ρ(j0_p, R) = {pr}"
    );
}

/// The 2σ intervals of the three fits above over seeds 1–8 (72 truths): a 2σ interval holds
/// the truth 95 % of the time; at least 58 (80 %) must be inside and none beyond 3σ (on the
/// fixed grid 61 are, worst 2.71σ; with the adaptive runner it was 57, worst 3.96σ).
#[test]
fn coverage_over_seeds_1_to_8() {
    let specs: [(&str, [Spec; 3]); 3] = [
        (
            "spme",
            [
                ("diffusivity_n_factor", 0.5, 1.5, 0.05, 20.0),
                ("exchange_current_n_factor", 2.0, 1.0, 0.05, 20.0),
                ("contact_resistance", 0.01, 0.0, -0.05, 0.05),
            ],
        ),
        (
            "dfn",
            [
                ("diffusivity_n_factor", 0.5, 1.5, 0.05, 20.0),
                ("exchange_current_p_factor", 0.5, 1.0, 0.05, 20.0),
                ("contact_resistance", 0.01, 0.0, -0.05, 0.05),
            ],
        ),
        (
            "spme",
            [
                ("exchange_current_n_factor", 2.0, 1.0, 0.05, 20.0),
                ("exchange_current_p_factor", 0.5, 1.0, 0.05, 20.0),
                ("contact_resistance", 0.01, 0.0, -0.05, 0.05),
            ],
        ),
    ];
    let (mut all_inside, mut all, mut worst) = (0, 0, 0.0f64);
    for (model, spec) in &specs {
        let (mut inside, mut total) = (0, 0);
        for seed in 1..=8 {
            let (_, l) = recover(model, spec, SIGMA, seed);
            for (k, s) in spec.iter().enumerate() {
                let z = (l.theta[k] - s.1).abs() / l.std_errors[k];
                worst = worst.max(z);
                total += 1;
                if z < 2.0 {
                    inside += 1;
                } else {
                    eprintln!("COVERAGE miss {model} seed {seed} {}: {z:.2} σ", s.0);
                }
            }
        }
        eprintln!(
            "COVERAGE {model} {}: {inside} of {total} inside 2σ",
            spec[1].0
        );
        all_inside += inside;
        all += total;
    }
    eprintln!("COVERAGE all: {all_inside} of {all} inside 2σ, worst {worst:.2}σ");
    assert!(
        all_inside >= 58 && worst < 3.0,
        "{all_inside} of {all} inside 2σ, worst {worst:.2}σ"
    );
}
