//! EIS elements and circuits: values against impedance.py, analytic limits, analytic
//! Jacobians against finite differences, parser errors, and the Lin-KK check.

// Index loops over parallel arrays read better than zipped iterators here.
#![allow(clippy::needless_range_loop)]

mod eis_common;

use eis_common::*;
use galvana_physics::calibration::eis::{lin_kk, Circuit, LinKkOptions, C64};
use std::f64::consts::PI;

#[test]
fn elements_and_circuits_match_impedancepy_values() {
    let text = std::fs::read_to_string(data("impedancepy_elements.csv")).unwrap();
    let mut n = 0;
    for l in text.lines().skip(2) {
        let c: Vec<&str> = l.split(';').collect();
        let circuit = Circuit::parse(c[0]).unwrap();
        let p: Vec<f64> = c[1].split(' ').map(|x| x.parse().unwrap()).collect();
        let f: f64 = c[2].parse().unwrap();
        let want = C64::new(c[3].parse().unwrap(), c[4].parse().unwrap());
        let got = circuit.impedance(f, &p);
        let err = (got - want).abs() / want.abs();
        assert!(
            err < 1e-12,
            "{} at {f} Hz: {got:?} vs impedance.py {want:?} ({err:e})",
            c[0]
        );
        n += 1;
    }
    assert_eq!(n, 170, "10 circuits x 17 frequencies");
}

fn z(circuit: &str, f: f64, p: &[f64]) -> C64 {
    Circuit::parse(circuit).unwrap().impedance(f, p)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
}

#[test]
fn elements_have_their_analytic_limits() {
    let (r, c) = (2.0, 1e-3);
    // Series R–C: Z = R − j/(ωC) at every ω.
    let w = 2.0 * PI * 1e-4;
    let s = z("R1-C1", 1e-4, &[r, c]);
    assert!(close(s.re, r, 1e-15) && close(s.im, -1.0 / (w * c), 1e-14));
    // Parallel R–C: R at ω → 0, 1/(jωC) at ω → ∞, R(1 − j)/2 at ω = 1/(RC).
    let lo = z("p(R1,C1)", 1e-9, &[r, c]);
    assert!(close(lo.re, r, 1e-10) && lo.im.abs() < 1e-7 * r);
    let f_hi = 1e9;
    let hi = z("p(R1,C1)", f_hi, &[r, c]);
    assert!(close(hi.im, -1.0 / (2.0 * PI * f_hi * c), 1e-9) && hi.re < 1e-12);
    let corner = z("p(R1,C1)", 1.0 / (2.0 * PI * r * c), &[r, c]);
    assert!(close(corner.re, r / 2.0, 1e-14) && close(corner.im, -r / 2.0, 1e-14));
    // L and CPE: Z = jωL; CPE phase −απ/2 and |Z| = 1/(Q ω^α); α = 1 is a capacitor Q.
    for f in [1e-3, 1.0, 1e5] {
        let w = 2.0 * PI * f;
        let l = z("L1", f, &[3e-6]);
        assert!(l.re == 0.0 && close(l.im, w * 3e-6, 1e-15));
        let q = z("CPE1", f, &[2.0, 0.85]);
        assert!(close(q.arg(), -0.85 * PI / 2.0, 1e-14));
        assert!(close(q.abs(), 1.0 / (2.0 * w.powf(0.85)), 1e-14));
        let q1 = z("CPE1", f, &[2.0, 1.0]);
        let c1 = z("C1", f, &[2.0]);
        assert!((q1 - c1).abs() < 1e-14 * c1.abs());
        // Semi-infinite Warburg: −45° and |Z| √ω = A √2 everywhere.
        let ww = z("W1", f, &[0.01]);
        assert!(close(ww.arg(), -PI / 4.0, 1e-14));
        assert!(close(ww.abs() * w.sqrt(), 0.01 * 2f64.sqrt(), 1e-14));
    }
    // Finite Warburgs (Z0 = 0.03 Ω, τ = 4 s). Low frequency: Ws → Z0 (a resistor);
    // Wo → Z0/3 − j Z0/(ωτ) (a capacitor τ/Z0 in series with Z0/3).
    let (z0, tau) = (0.03, 4.0);
    for f in [1e-7, 1e-5, 1e-4] {
        let w = 2.0 * PI * f;
        let ws = z("Ws1", f, &[z0, tau]);
        assert!(close(ws.re, z0, 1e-6) && ws.im < 0.0 && ws.im.abs() < z0 * w * tau);
        let wo = z("Wo1", f, &[z0, tau]);
        assert!(close(wo.re, z0 / 3.0, 1e-5), "{wo:?}");
        assert!(close(wo.im, -z0 / (w * tau), 1e-6), "{wo:?}");
    }
    // High frequency: both → Z0/√(jωτ), the −45° Warburg line.
    for name in ["Wo1", "Ws1"] {
        let f = 1e4;
        let v = z(name, f, &[z0, tau]);
        let expect = C64::real(z0) / C64::new(0.0, 2.0 * PI * f * tau).sqrt();
        assert!((v - expect).abs() < 1e-12 * expect.abs(), "{name}: {v:?}");
        assert!(close(v.arg(), -PI / 4.0, 1e-12));
    }
}

/// ∂Z/∂p by central differences against the analytic gradient.
#[test]
fn analytic_jacobian_matches_finite_differences() {
    let cases: [(&str, Vec<f64>); 6] = [
        (CIRCUIT, P_TRUE.to_vec()),
        ("R0-p(R1-Wo1,C1)-L1", vec![0.1, 0.2, 0.05, 30.0, 1e-3, 2e-7]),
        (
            "p(R1,C1)-p(R2-Ws1,CPE1)",
            vec![0.3, 1e-4, 0.4, 0.02, 0.5, 0.02, 0.7],
        ),
        ("p(Wo1,Ws1,R1)", vec![0.03, 4.0, 0.05, 0.5, 0.2]),
        (
            "p(p(R1,C1)-W1,CPE2)-Wo2",
            vec![1.0, 1e-2, 0.3, 0.5, 0.9, 2.0, 1e-2],
        ),
        // τ small enough that the finite Warburgs use their Taylor series at low frequency.
        ("Wo1-Ws1", vec![0.03, 1e-4, 0.02, 2e-4]),
    ];
    let freqs = logspace(6.0, -5.0, 45);
    for (text, p) in cases {
        let c = Circuit::parse(text).unwrap();
        let mut g = vec![C64::default(); p.len()];
        for &f in &freqs {
            let z0 = c.impedance_and_gradient(f, &p, &mut g);
            assert!((z0 - c.impedance(f, &p)).abs() <= 1e-15 * z0.abs());
            for k in 0..p.len() {
                let h = 1e-6 * p[k];
                let (mut a, mut b) = (p.clone(), p.clone());
                a[k] += h;
                b[k] -= h;
                let fd = (c.impedance(f, &a) - c.impedance(f, &b)).scale(0.5 / h);
                let scale = g[k].abs().max(1e-3 * z0.abs() / p[k]);
                // Central differences: truncation O(h²) plus roundoff ~ ε|Z|/h.
                let roundoff = 10.0 * f64::EPSILON * z0.abs() / h;
                let err = ((fd - g[k]).abs() - roundoff).max(0.0) / scale;
                assert!(
                    err < 1e-7,
                    "{text} p{k} at {f} Hz: analytic {:?} vs FD {fd:?}",
                    g[k]
                );
            }
        }
    }
}

#[test]
fn finite_warburg_series_and_closed_form_agree_at_the_switch() {
    // |jωτ| = 1e-3 is where the Taylor series takes over; both branches must agree there.
    for name in ["Wo1", "Ws1"] {
        let c = Circuit::parse(name).unwrap();
        let tau = 1.0;
        let f_switch = 1e-3 / (2.0 * PI * tau);
        let (mut ga, mut gb) = (vec![C64::default(); 2], vec![C64::default(); 2]);
        let a = c.impedance_and_gradient(f_switch * (1.0 - 1e-12), &[0.1, tau], &mut ga);
        let b = c.impedance_and_gradient(f_switch * (1.0 + 1e-12), &[0.1, tau], &mut gb);
        assert!((a - b).abs() < 1e-11 * a.abs(), "{name}: {a:?} vs {b:?}");
        for k in 0..2 {
            assert!(
                (ga[k] - gb[k]).abs() < 1e-9 * ga[k].abs(),
                "{name} dZ/dp{k}"
            );
        }
    }
}

#[test]
fn parser_names_parameters_like_impedancepy() {
    let c = Circuit::parse(" R0 - p(R1, CPE1) - W1 ").unwrap();
    assert_eq!(c.param_names(), ["R0", "R1", "CPE1_0", "CPE1_1", "W1"]);
    assert_eq!(
        c.param_units(),
        ["Ohm", "Ohm", "Ohm^-1 s^a", "", "Ohm s^-1/2"]
    );
    assert_eq!(c.default_bounds()[3], (0.0, 1.0));
    let n = Circuit::parse("p(R1-p(C1,L1),Wo1)-Ws2").unwrap();
    assert_eq!(
        n.param_names(),
        ["R1", "C1", "L1", "Wo1_0", "Wo1_1", "Ws2_0", "Ws2_1"]
    );
}

#[test]
fn parser_errors_name_the_column_and_suggest_names() {
    let cases = [
        (
            "R0-p(R1,CP1)",
            9,
            "unknown element 'CP'",
            Some("did you mean 'CPE'"),
        ),
        ("R0-Wx1", 4, "unknown element 'Wx'", Some("did you mean 'W")),
        (
            "R0-Q1",
            4,
            "unknown element 'Q'",
            Some("known: R, C, L, CPE, W, Wo, Ws"),
        ),
        ("R0-C", 5, "element 'C' needs an index", None),
        (
            "R0-p(R1,C1",
            11,
            "expected ',' or ')' to continue the p( opened at column 4",
            None,
        ),
        ("R0-p(R1)", 4, "at least two branches", None),
        (
            "R0-",
            4,
            "expected an element",
            Some("found the end of the circuit"),
        ),
        ("R0-R0", 4, "'R0' appears twice", None),
        ("R0)", 3, "unmatched ')'", None),
        ("R0 R1", 4, "expected '-' between elements", None),
        ("", 1, "expected an element", None),
    ];
    for (text, col, msg, hint) in cases {
        let e = Circuit::parse(text).unwrap_err();
        assert_eq!(e.column, col, "{text}: {e}");
        assert!(e.message.contains(msg), "{text}: {e}");
        if let Some(h) = hint {
            assert!(e.message.contains(h), "{text}: {e}");
        }
        // The rendering points at the column.
        let shown = e.to_string();
        let caret = shown.lines().last().unwrap();
        assert_eq!(caret.find('^').unwrap(), 2 + col - 1, "{shown}");
    }
}

/// Resistance drift over the sweep [Ω]: 8 % of |Z| at the last (10 mHz) point.
const DRIFT: f64 = 0.01;

#[test]
fn lin_kk_passes_the_synthetic_spectrum_and_fails_a_drifting_one() {
    let s = synthetic(false);
    let o = LinKkOptions::default();
    let r = lin_kk(&s.f, &s.z, &o).unwrap();
    println!(
        "synthetic: M {} mu {:.3} rms {:.3e} max {:.3e}",
        r.m, r.mu, r.rms, r.max_abs
    );
    assert!(r.mu_reached && r.pass, "{r:?}");
    // The residuals are the 0.5 % noise: RMS close to 0.5 % (a little less, the fit absorbs some).
    assert!(r.rms > 0.003 && r.rms < 0.006, "rms {}", r.rms);
    // Noise-free: the Voigt chain reproduces the spectrum far below the noise.
    let t = synthetic(true);
    let rt = lin_kk(&t.f, &t.z, &o).unwrap();
    println!(
        "noise-free: M {} mu {:.3} rms {:.3e} max {:.3e}",
        rt.m, rt.mu, rt.rms, rt.max_abs
    );
    assert!(rt.pass && rt.rms < 1e-3, "{}", rt.rms);
    // Drift: the cell's resistance creeps up while the sweep runs (60 points from 100 kHz to
    // 10 mHz, so the low-frequency points come last). A real-only change that grows over the
    // sweep has no KK-consistent imaginary partner.
    let n = s.f.len();
    let drifted: Vec<C64> =
        s.z.iter()
            .enumerate()
            .map(|(i, z)| *z + C64::real(DRIFT * (i as f64 / (n - 1) as f64).powi(2)))
            .collect();
    let d = lin_kk(&s.f, &drifted, &o).unwrap();
    println!(
        "drift: M {} mu {:.3} rms {:.3e} max {:.3e}",
        d.m, d.mu, d.rms, d.max_abs
    );
    assert!(!d.pass, "{d:?}");
}

#[test]
fn lin_kk_on_the_real_example_spectrum() {
    // impedance.py's exampleData.csv (a measured cell, f, Z', Z''), see tests/data/eis/README.md.
    let s = galvana_physics::calibration::eis::data::read_csv(&data("exampleData.csv")).unwrap();
    let r = lin_kk(&s.f, &s.z, &LinKkOptions::default()).unwrap();
    println!(
        "exampleData: M {} mu {:.3} rms {:.3e} max {:.3e}",
        r.m, r.mu, r.rms, r.max_abs
    );
    assert!(r.pass);
}
