//! The linearised SPMe's impedance: it is the time-stepped `Spme`'s linearisation (one
//! backward-Euler step from rest), its high-frequency limit is the charge-transfer plus ohmic
//! resistances computed here from the parameters, and its spectrum is Kramers–Kronig
//! consistent.

use galvana_physics::battery::impedance::Linearised;
use galvana_physics::battery::impedance_spme::SpmeImpedance;
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc, F, R_GAS};
use galvana_physics::battery::spme::{Points, Spme};
use galvana_physics::battery::Cell;
use galvana_physics::calibration::eis::{lin_kk, LinKkOptions, C64};

/// One backward-Euler step of length h from rest with current ±δI changes the SPMe's voltage
/// by −H(1/h) δI to first order, H = C (M/h − A)⁻¹ B + D (`transfer_at(1/h)`).
#[test]
fn linearisation_matches_time_stepped_spme() {
    let p = chen2020();
    let (x, y) = stoichiometries_at_soc(&p, 0.5);
    let pts = Points::default();
    let lin = SpmeImpedance::at_stoichiometries(&p, x, y, pts).unwrap();
    let rest = Spme::new(p.clone(), x, y, pts);
    let v0 = rest.voltage(0.0);
    let di = 1e-3;
    for h in [1e-3, 1.0, 100.0] {
        let dv = |i: f64| rest.advanced(h, i).voltage(i) - v0;
        let slope = -(dv(di) - dv(-di)) / (2.0 * di);
        let z = lin.transfer_at(C64::real(1.0 / h));
        println!(
            "h = {h} s: -dV/dI = {slope:.9e} ohm, linearised {:.9e}",
            z.re
        );
        assert!(z.im.abs() < 1e-15, "{z:?}");
        assert!(
            (z.re - slope).abs() < 1e-6 * slope.abs(),
            "h = {h}: {z:?} vs {slope}"
        );
    }
}

/// Z(ω → ∞) = Σ RT/(F i0_k)/(a_k L_k A) + (L_n/(3κε_n^b) + L_s/(κε_s^b) + L_p/(3κε_p^b))/A
/// + (L_n/(3σ_n,eff) + L_p/(3σ_p,eff))/A, κ at c_e0.
#[test]
fn high_frequency_limit_is_charge_transfer_plus_ohmic() {
    let p = chen2020();
    let (x, y) = stoichiometries_at_soc(&p, 0.5);
    let lin = SpmeImpedance::at_stoichiometries(&p, x, y, Points::default()).unwrap();
    let t = p.temperature;
    let r_ct: f64 = [(&p.neg, x), (&p.pos, y)]
        .iter()
        .map(|(e, s)| {
            let i0 = e.j0.eval(p.c_e0, s * e.c_max, e.c_max, t);
            R_GAS * t / (F * i0) / (e.a() * e.thickness * p.area)
        })
        .sum();
    let k = p.kappa_e.eval(p.c_e0, t);
    let r_e = (p.neg.thickness / (3.0 * k * p.neg.porosity.powf(p.neg.bruggeman))
        + p.sep_thickness / (k * p.sep_porosity.powf(p.sep_bruggeman))
        + p.pos.thickness / (3.0 * k * p.pos.porosity.powf(p.pos.bruggeman)))
        / p.area;
    let r_s = (p.neg.thickness / (3.0 * p.neg.sigma_eff())
        + p.pos.thickness / (3.0 * p.pos.sigma_eff()))
        / p.area;
    let want = r_ct + r_e + r_s;
    let z = lin.z(1e7);
    println!(
        "R_ct = {r_ct:.6e}, R_e = {r_e:.6e}, R_s = {r_s:.6e} ohm; Z(10 MHz) = {:.6e} {:+.6e}j",
        z.re, z.im
    );
    assert!((lin.high_frequency_limit() - want).abs() < 1e-12 * want);
    assert!((z.re - want).abs() < 1e-3 * want, "{z:?} vs {want}");
    // The electrolyte adds a diffusive arc: at 10 mHz the SPMe's Z exceeds the SPM's by more
    // than the ohmic resistance alone.
    let (ze, zs) = (lin.z(1e-2), lin.particles.z(1e-2));
    println!("10 mHz: SPMe {ze:?}, SPM {zs:?}");
    assert!(ze.re - zs.re > r_e + r_s, "{ze:?} vs {zs:?}");
}

/// 10 kHz .. 1 mHz, 10 per decade: Lin-KK passes with small residuals.
#[test]
fn spectrum_is_kramers_kronig_consistent() {
    let p = chen2020();
    let lin = SpmeImpedance::at_soc(&p, 0.5, Points::default()).unwrap();
    let f: Vec<f64> = (0..=70)
        .map(|k| 1e4 * 10f64.powf(-k as f64 / 10.0))
        .collect();
    let z = lin.spectrum(&f);
    assert!(z.iter().all(|z| z.re > 0.0 && z.im < 0.0));
    let r = lin_kk(&f, &z, &LinKkOptions::default()).unwrap();
    println!(
        "Lin-KK: M = {}, mu = {:.3}, rms = {:.3e}, max = {:.3e}",
        r.m, r.mu, r.rms, r.max_abs
    );
    assert!(
        r.pass && r.rms < 1e-3,
        "rms {:.3e}, max {:.3e}",
        r.rms,
        r.max_abs
    );
}
