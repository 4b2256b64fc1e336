//! The linearised SPM's impedance against the closed-form single-particle impedance.
//!
//! Closed form (derived here, independent of the finite volumes). Per electrode k with
//! thickness L_k, specific area a_k = 3ε_k/R_k, cell area A, particle radius R_k, diffusivity
//! D_k at the rest stoichiometry, exchange current density i0_k [A/m²]:
//!
//! * interfacial current per cell current: δj_k/δI = ±1/(a_k L_k A);
//! * symmetric Butler–Volmer η = (2RT/F) asinh(j/(2 i0)) linearised at j = 0:
//!   δη/δj = R_ct,k = RT/(F i0_k) [Ω m²];
//! * spherical diffusion ∂c/∂t = D ∇²c with −D ∂c/∂r|_R = j/F: δc = K sinh(kr)/r,
//!   k = √(jω/D), so with ξ = R_k √(jω/D_k)
//!   δc_s(R)/δj = G_k(ω)/F, G_k = (R_k/D_k) tanh ξ / (tanh ξ − ξ) [m⁴ s/mol · mol/m³ …];
//! * V = U_p − U_n + η_p − η_n, Z = −δV/δI (I positive on discharge), which gives for both
//!   electrodes the same form
//!
//!   Z = Σ_k (1/(a_k L_k A)) [ R_ct,k + (∂U_k/∂c_s) G_k(ω) / F ].
//!
//! G_k < 0 at low frequency (the surface depletes where lithium leaves), ∂U/∂c_s < 0, so the
//! diffusion term is positive; as ω → ∞, G_k → 0 and Z → Σ R_ct,k/(a_k L_k A).

use galvana_physics::battery::impedance::{Linearised, SpmImpedance};
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc, Electrode, F, R_GAS};
use galvana_physics::calibration::eis::{lin_kk, LinKkOptions, C64};

fn closed_form(p: &galvana_physics::battery::params::ParameterSet, x: f64, y: f64, f: f64) -> C64 {
    let t = p.temperature;
    let w = 2.0 * std::f64::consts::PI * f;
    let term = |e: &Electrode, sto: f64| {
        let i0 = e.j0.eval(p.c_e0, sto * e.c_max, e.c_max, t);
        let r_ct = R_GAS * t / (F * i0);
        // dU/dc_s by a five-point stencil (independent of the library's central difference).
        let h = 1e-4;
        let du = (-e.u(sto + 2.0 * h) + 8.0 * e.u(sto + h) - 8.0 * e.u(sto - h)
            + e.u(sto - 2.0 * h))
            / (12.0 * h)
            / e.c_max;
        let d = e.diffusivity.eval(sto, t);
        let xi = C64::new(0.0, w / d).sqrt().scale(e.particle_radius);
        let th = xi.tanh();
        let g = (th / (th - xi)).scale(e.particle_radius / d);
        let scale = 1.0 / (e.a() * e.thickness * p.area);
        (C64::real(r_ct) + g.scale(du / F)).scale(scale)
    };
    term(&p.neg, x) + term(&p.pos, y)
}

/// Radial refinement: the relative error |Z_h − Z| / |Z| at low, middle and high frequency
/// falls at second order (the FV scheme and its surface extrapolation are second order).
#[test]
fn spm_impedance_converges_to_closed_form() {
    let p = chen2020();
    let (x, y) = stoichiometries_at_soc(&p, 0.5);
    for f in [1e-4, 1e-2, 1.0] {
        let exact = closed_form(&p, x, y, f);
        assert!(exact.re > 0.0 && exact.im < 0.0, "{f} Hz: {exact:?}");
        let mut errs = Vec::new();
        for n in [10, 20, 40, 80, 160, 320, 640, 1280, 2560] {
            let z = SpmImpedance::at_stoichiometries(&p, x, y, n).unwrap().z(f);
            errs.push(((z - exact).abs() / exact.abs(), n));
        }
        let mut line = format!("f = {f:e} Hz, Z = {:.6e} {:+.6e}j:", exact.re, exact.im);
        for k in 0..errs.len() {
            line.push_str(&format!(" n={} err={:.3e}", errs[k].1, errs[k].0));
            if k > 0 {
                line.push_str(&format!(
                    " (order {:.2})",
                    (errs[k - 1].0 / errs[k].0).log2()
                ));
            }
        }
        println!("{line}");
        let last = errs.len() - 1;
        let order = (errs[last - 1].0 / errs[last].0).log2();
        assert!(order > 1.8, "{line}");
        assert!(errs[last].0 < 1e-4, "{line}");
    }
}

/// At high frequency the diffusion term vanishes and Z → the charge-transfer resistances
/// Σ RT/(F i0_k)/(a_k L_k A) (the SPM has no ohmic resistance and no double layer).
#[test]
fn high_frequency_limit_is_charge_transfer() {
    let p = chen2020();
    let (x, y) = stoichiometries_at_soc(&p, 0.5);
    let lin = SpmImpedance::at_stoichiometries(&p, x, y, 40).unwrap();
    let r_ct: f64 = [(&p.neg, x), (&p.pos, y)]
        .iter()
        .map(|(e, s)| {
            let i0 = e.j0.eval(p.c_e0, s * e.c_max, e.c_max, p.temperature);
            R_GAS * p.temperature / (F * i0) / (e.a() * e.thickness * p.area)
        })
        .sum();
    assert!((lin.high_frequency_limit() - r_ct).abs() < 1e-12 * r_ct);
    let z = lin.z(1e6);
    println!(
        "R_ct = {r_ct:.6e} ohm, Z(1 MHz) = {:.6e} {:+.6e}j",
        z.re, z.im
    );
    assert!((z.re - r_ct).abs() < 1e-3 * r_ct, "{z:?} vs {r_ct}");
    assert!(z.im.abs() < 1e-3 * r_ct, "{z:?}");
}

/// The linearised model is causal and stable, so its spectrum passes Lin-KK with small
/// residuals (10 mHz .. 10 kHz and 1 mHz, 10 per decade).
#[test]
fn spectrum_is_kramers_kronig_consistent() {
    let p = chen2020();
    let lin = SpmImpedance::at_soc(&p, 0.5, 40).unwrap();
    let f: Vec<f64> = (0..=70)
        .map(|k| 1e4 * 10f64.powf(-k as f64 / 10.0))
        .collect();
    let z = lin.spectrum(&f);
    let r = lin_kk(&f, &z, &LinKkOptions::default()).unwrap();
    println!(
        "Lin-KK: M = {}, mu = {:.3}, rms = {:.3e}, max = {:.3e}",
        r.m, r.mu, r.rms, r.max_abs
    );
    assert!(r.pass, "rms {:.3e}, max {:.3e}", r.rms, r.max_abs);
    assert!(r.rms < 1e-3, "rms {:.3e}", r.rms);
}

/// Bad input is refused with a reason, never a panic.
#[test]
fn refuses_bad_state() {
    let p = chen2020();
    assert!(SpmImpedance::at_soc(&p, 1.5, 20)
        .unwrap_err()
        .contains("outside"));
    assert!(SpmImpedance::at_stoichiometries(&p, 0.5, 0.5, 1)
        .unwrap_err()
        .contains("at least 2"));
}

/// The linearisation is the time-stepped model's: one backward-Euler step of length h from rest
/// with a small current δI changes the SPM's voltage by −H(1/h) δI, H = C (M/h − A)⁻¹ B + D
/// (`transfer_at(1/h)`), to first order in δI (central difference in ±δI).
#[test]
fn linearisation_matches_time_stepped_spm() {
    use galvana_physics::battery::spm::Spm;
    use galvana_physics::battery::Cell;
    let p = chen2020();
    let (x, y) = stoichiometries_at_soc(&p, 0.5);
    let n = 20;
    let lin = SpmImpedance::at_stoichiometries(&p, x, y, n).unwrap();
    let rest = Spm::new(p.clone(), x, y, n);
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
