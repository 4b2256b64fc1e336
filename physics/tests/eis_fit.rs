//! EIS fitting: exact recovery from noise-free spectra, impedance.py's fit of the shared
//! synthetic spectrum (values and 1-σ), calibration of the standard errors by Monte Carlo,
//! bounds, and input errors.

// Index loops over parallel arrays read better than zipped iterators here.
#![allow(clippy::needless_range_loop)]

mod eis_common;

use eis_common::*;
use galvana_physics::calibration::eis::fit::Stop;
use galvana_physics::calibration::eis::{fit, Circuit, FitOptions, Weighting, C64};

fn opts(w: Weighting) -> FitOptions {
    FitOptions {
        weighting: w,
        ..Default::default()
    }
}

#[test]
fn recovers_truth_from_impedancepy_noise_free_spectrum() {
    // Columns 3–4 of the shared file: impedance.py's own model at the true parameters.
    let s = synthetic(true);
    let c = Circuit::parse(CIRCUIT).unwrap();
    for w in [Weighting::Unit, Weighting::Modulus, Weighting::Proportional] {
        let r = fit(&c, &s.f, &s.z, &P0, &opts(w)).unwrap();
        for k in 0..5 {
            let e = (r.params[k] - P_TRUE[k]).abs() / P_TRUE[k];
            assert!(
                e < 1e-8,
                "{w:?} {}: {} vs {} ({e:e})",
                r.names[k],
                r.params[k],
                P_TRUE[k]
            );
        }
        assert_ne!(r.stop, Stop::MaxIter);
    }
}

#[test]
fn recovers_known_parameters_of_other_circuits() {
    let cases: [(&str, Vec<f64>, Vec<f64>); 3] = [
        (
            "R0-p(R1-Wo1,C1)-L1",
            vec![0.1, 0.2, 0.05, 30.0, 1e-3, 2e-7],
            vec![0.15, 0.1, 0.1, 10.0, 3e-3, 1e-7],
        ),
        (
            "p(R1,C1)-p(R2-Ws1,CPE1)",
            vec![0.3, 1e-4, 0.4, 0.02, 0.5, 0.02, 0.7],
            vec![0.2, 3e-4, 0.3, 0.05, 1.0, 0.05, 0.8],
        ),
        (
            "R0-p(R1,C1)-p(R2,C2)",
            vec![0.01, 0.02, 1e-3, 0.05, 1.0],
            vec![0.02, 0.01, 3e-3, 0.1, 0.5],
        ),
    ];
    let f = logspace(5.0, -2.0, 50);
    for (text, truth, p0) in cases {
        let c = Circuit::parse(text).unwrap();
        let z: Vec<C64> = f.iter().map(|&f| c.impedance(f, &truth)).collect();
        for w in [Weighting::Unit, Weighting::Modulus, Weighting::Proportional] {
            let r = fit(&c, &f, &z, &p0, &opts(w)).unwrap();
            for k in 0..truth.len() {
                let e = (r.params[k] - truth[k]).abs() / truth[k];
                assert!(
                    e < 1e-8,
                    "{text} {w:?} {}: {} vs {} ({e:e}, {:?})",
                    r.names[k],
                    r.params[k],
                    truth[k],
                    r.stop
                );
            }
        }
    }
}

/// impedance.py 1.7.1's fits of the shared noisy spectrum (tests/data/eis/impedancepy_fit_results.json):
/// every parameter within one of its standard errors (in fact within 1e-3 of one), and our
/// standard errors within 1 % of its (the issue asks 10–20 %).
#[test]
fn fit_of_synthetic_spectrum_agrees_with_impedancepy() {
    let s = synthetic(false);
    let c = Circuit::parse(CIRCUIT).unwrap();
    let json = std::fs::read_to_string(data("impedancepy_fit_results.json")).unwrap();
    let modulus = &json[json.find("\"weighted_by_modulus\"").unwrap()..];
    for (w, sect) in [
        (Weighting::Unit, json.as_str()),
        (Weighting::Modulus, modulus),
    ] {
        let p_ref = json_array(sect, "p_fit");
        let se_ref = json_array(sect, "conf_1sigma");
        let r = fit(&c, &s.f, &s.z, &P0, &opts(w)).unwrap();
        assert!(
            matches!(r.stop, Stop::Ftol | Stop::Xtol | Stop::Gtol),
            "{:?}",
            r.stop
        );
        for k in 0..5 {
            let d = (r.params[k] - p_ref[k]).abs() / se_ref[k];
            let ratio = r.std_errors[k] / se_ref[k];
            assert!(
                d < 1e-3,
                "{w:?} {}: {d} sigma from impedance.py",
                r.names[k]
            );
            assert!(
                (ratio - 1.0).abs() < 0.01,
                "{w:?} {}: sigma ratio {ratio}",
                r.names[k]
            );
        }
        // Correlations are bounded and symmetric; Q and α of the CPE are strongly coupled.
        for i in 0..5 {
            assert!((r.corr(i, i) - 1.0).abs() < 1e-12);
            for j in 0..5 {
                assert!(
                    (r.corr(i, j) - r.corr(j, i)).abs() < 1e-12
                        && r.corr(i, j).abs() <= 1.0 + 1e-12
                );
            }
        }
        assert!(r.corr(2, 3).abs() > 0.5, "Q–α correlation {}", r.corr(2, 3));
        // χ² is the weighted residual sum of squares of the reported residuals.
        let chi2: f64 = r
            .residuals
            .iter()
            .zip(&s.z)
            .map(|(e, z)| {
                let (a, b) = match w {
                    Weighting::Unit => (1.0, 1.0),
                    _ => (z.abs(), z.abs()),
                };
                (e.re / a).powi(2) + (e.im / b).powi(2)
            })
            .sum();
        assert!((chi2 - r.chi2).abs() < 1e-10 * chi2);
    }
}

/// The truth lies inside 2σ for R0, R1, Q and α in both weightings of the shared spectrum; for
/// W1 this noise realisation lands 3.6σ (unweighted) and 2.3σ (modulus) from the truth in
/// impedance.py's fits and in ours alike. Whether the σ are right is tested by Monte Carlo below.
#[test]
fn truth_inside_two_sigma_of_the_shared_fit_except_w1() {
    let s = synthetic(false);
    let c = Circuit::parse(CIRCUIT).unwrap();
    for w in [Weighting::Unit, Weighting::Modulus] {
        let r = fit(&c, &s.f, &s.z, &P0, &opts(w)).unwrap();
        for k in 0..4 {
            let t = (r.params[k] - P_TRUE[k]).abs() / r.std_errors[k];
            assert!(t < 2.0, "{w:?} {}: truth {t} sigma away", r.names[k]);
        }
    }
}

/// Coverage and calibration of the standard errors: 300 spectra with fresh 0.5 % noise of the
/// shared file's model (σ ∝ |Z|, so modulus weighting is the matching one). For every parameter
/// the truth must lie within 2σ in 90–99 % of the fits (95 % expected) and the mean reported σ
/// must be within 15 % of the spread of the estimates.
#[test]
fn standard_errors_are_calibrated_by_monte_carlo() {
    let c = Circuit::parse(CIRCUIT).unwrap();
    let f = logspace(5.0, -2.0, 60);
    let z_true: Vec<C64> = f.iter().map(|&f| c.impedance(f, &P_TRUE)).collect();
    let mut rng = Normal::new(2024);
    let n = 300;
    let mut inside = [0usize; 5];
    let mut est: Vec<[f64; 5]> = Vec::new();
    let mut se_sum = [0.0; 5];
    for _ in 0..n {
        let z: Vec<C64> = z_true
            .iter()
            .map(|z| *z + C64::new(rng.sample(), rng.sample()).scale(0.005 * z.abs()))
            .collect();
        let r = fit(&c, &f, &z, &P0, &opts(Weighting::Modulus)).unwrap();
        let mut e = [0.0; 5];
        for k in 0..5 {
            if (r.params[k] - P_TRUE[k]).abs() <= 2.0 * r.std_errors[k] {
                inside[k] += 1;
            }
            se_sum[k] += r.std_errors[k];
            e[k] = r.params[k];
        }
        est.push(e);
    }
    for k in 0..5 {
        let frac = inside[k] as f64 / n as f64;
        let mean = est.iter().map(|e| e[k]).sum::<f64>() / n as f64;
        let sd = (est.iter().map(|e| (e[k] - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        let ratio = se_sum[k] / n as f64 / sd;
        println!(
            "param {k}: inside 2σ {frac:.3}, mean σ / spread {ratio:.3}, bias/spread {:.3}",
            (mean - P_TRUE[k]) / sd
        );
        assert!((0.90..=0.99).contains(&frac), "param {k}: coverage {frac}");
        assert!(
            (ratio - 1.0).abs() < 0.15,
            "param {k}: mean σ / spread = {ratio}"
        );
    }
}

#[test]
fn bounds_hold_and_the_bounded_optimum_is_a_constrained_minimum() {
    let s = synthetic(false);
    let c = Circuit::parse(CIRCUIT).unwrap();
    let mut b = c.default_bounds();
    b[0] = (0.0, 0.019); // R0's free optimum is 0.02003
    let o = FitOptions {
        bounds: Some(b),
        ..Default::default()
    };
    let r = fit(&c, &s.f, &s.z, &P0, &o).unwrap();
    assert_eq!(r.params[0], 0.019);
    assert_eq!(r.at_bound, [true, false, false, false, false]);
    let chi2 = |p: &[f64]| -> f64 {
        s.f.iter()
            .zip(&s.z)
            .map(|(&f, z)| (c.impedance(f, p) - *z).norm_sqr())
            .sum()
    };
    assert!((chi2(&r.params) - r.chi2).abs() < 1e-12 * r.chi2);
    // Every feasible small move raises χ²; moving R0 into the box too.
    for k in 0..5 {
        for sgn in [-1.0, 1.0] {
            let mut p = r.params.clone();
            p[k] *= 1.0 + sgn * 1e-5;
            if k == 0 && sgn > 0.0 {
                continue; // infeasible
            }
            assert!(chi2(&p) > r.chi2, "param {k} {sgn}");
        }
    }
    // α capped at 1: a pure capacitor spectrum with the CPE fitted stays feasible.
    let cc = Circuit::parse("R0-p(R1,CPE1)").unwrap();
    let f = logspace(4.0, -1.0, 40);
    let z: Vec<C64> = f
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            let z = cc.impedance(f, &[0.01, 0.05, 1.0, 1.0]);
            // A deterministic ±0.3 % zig-zag, enough to push the free α above 1 or below.
            z.scale(1.0 + 0.003 * if i % 2 == 0 { 1.0 } else { -1.0 })
        })
        .collect();
    let r = fit(&cc, &f, &z, &[0.02, 0.1, 0.5, 0.9], &FitOptions::default()).unwrap();
    assert!(r.params[3] <= 1.0 && r.params.iter().all(|&p| p >= 0.0));
}

#[test]
fn bad_input_gets_clear_errors() {
    let c = Circuit::parse(CIRCUIT).unwrap();
    let s = synthetic(false);
    let o = FitOptions::default();
    let e = fit(&c, &s.f, &s.z, &P0[..4], &o).unwrap_err().to_string();
    assert!(
        e.contains("5 parameters (R0, R1, CPE1_0, CPE1_1, W1)") && e.contains("has 4"),
        "{e}"
    );
    let mut p = P0;
    p[3] = 1.2;
    let e = fit(&c, &s.f, &s.z, &p, &o).unwrap_err().to_string();
    assert!(
        e.contains("CPE1_1 is 1.2, outside its bounds [0, 1]"),
        "{e}"
    );
    let mut f = s.f.clone();
    f[7] = 0.0;
    let e = fit(&c, &f, &s.z, &P0, &o).unwrap_err().to_string();
    assert!(e.contains("frequency 7 is 0"), "{e}");
    let e = fit(&c, &s.f[..10], &s.z, &P0, &o).unwrap_err().to_string();
    assert!(e.contains("10 frequencies but 60 impedances"), "{e}");
    let e = fit(&c, &s.f[..2], &s.z[..2], &P0, &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("4 residuals"), "{e}");
}

/// A measured spectrum (impedance.py's exampleData.csv, 66 points) with impedance.py 1.7.1's
/// fits of it (tests/data/eis/impedancepy_exampledata_fits.json). `R0-p(R1,C1)-p(R2-Wo1,C2)`
/// from the same initial guess: every parameter within one of impedance.py's σ and χ² no
/// higher than at impedance.py's optimum (its Wo1 values sit 0.1σ away along a flat, 0.97
/// correlated valley where it stopped a little earlier). The second circuit has several local
/// minima and the two codes reach different ones from the tutorial's guess; started from
/// impedance.py's optimum, ours stays there.
#[test]
fn fits_of_measured_example_data_agree_with_impedancepy() {
    let s = galvana_physics::calibration::eis::data::read_csv(&data("exampleData.csv")).unwrap();
    let json = std::fs::read_to_string(data("impedancepy_exampledata_fits.json")).unwrap();
    let chi2 = |c: &Circuit, p: &[f64]| -> f64 {
        s.f.iter()
            .zip(&s.z)
            .map(|(&f, z)| (c.impedance(f, p) - *z).norm_sqr())
            .sum()
    };
    for (text, from_ref) in [
        ("R0-p(R1,C1)-p(R2-Wo1,C2)", false),
        ("L0-R0-p(R1,CPE1)-p(R2-Wo1,CPE2)", true),
    ] {
        let sect = &json[json.find(&format!("\"{text}\"")).unwrap()..];
        let p0 = json_array(sect, "p0");
        let p_ref = json_array(sect, "p_fit");
        let se_ref = json_array(sect, "conf_1sigma");
        let c = Circuit::parse(text).unwrap();
        let start = if from_ref { &p_ref } else { &p0 };
        let r = fit(&c, &s.f, &s.z, start, &FitOptions::default()).unwrap();
        assert_ne!(r.stop, Stop::MaxIter);
        assert!(
            r.chi2 <= chi2(&c, &p_ref) * (1.0 + 1e-9),
            "{text}: χ² {} vs {}",
            r.chi2,
            chi2(&c, &p_ref)
        );
        for k in 0..p_ref.len() {
            let d = (r.params[k] - p_ref[k]).abs() / se_ref[k];
            let ratio = r.std_errors[k] / se_ref[k];
            assert!(d < 1.0, "{text} {}: {d} σ", r.names[k]);
            assert!(
                (ratio - 1.0).abs() < 0.2,
                "{text} {}: σ ratio {ratio}",
                r.names[k]
            );
        }
    }
}
