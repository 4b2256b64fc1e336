//! Case 2: transient 1D slab with a sudden surface temperature, against the semi-infinite
//! solution T(x, t) = T1 + (T0 − T1) erf(x / (2√(αt))).

use crate::fe::{self, orders};
use crate::report::{e3, ord, Csv, Plot, Section, Series, Table};
use galvana_engine::comm::Comm;
use galvana_engine::solve::bdf::Scheme;
use galvana_mesh::generate::interval;
use galvana_physics::materials::Constant;
use galvana_physics::thermal::bcs::FixedTemperature;
use galvana_physics::thermal::HeatConduction;
use std::sync::Arc;

/// Stainless-steel-like constant properties.
const K: f64 = 15.0;
const RHO: f64 = 8000.0;
const CP: f64 = 500.0;
const T0: f64 = 300.0;
const T1: f64 = 400.0;
/// Slab thickness (m) and end time (s): the far face sees erfc(L/(2√(αt))) ≈ 3e-13 of the step.
const L: f64 = 0.2;
const T_END: f64 = 100.0;
/// Criteria: space-time order (h and dt halved together) and the finest max error.
const ORDER_WANT: f64 = 2.0;
const ORDER_TOL: f64 = 0.3;
/// Finest-level max error: quick (160 cells, 40 steps) / full (640 cells, 160 steps).
const MAX_ERR_TOL: (f64, f64) = (0.025, 0.002);

/// erf(x) by composite Gauss–Legendre quadrature of 2/√π e^(−s²) (accurate to ~1e-15).
pub fn erf(x: f64) -> f64 {
    if x < 0.0 {
        return -erf(-x);
    }
    if x > 6.5 {
        return 1.0;
    }
    let panels = (x * 8.0).ceil().max(1.0) as usize;
    fe::integrate(&|s| (-s * s).exp(), 0.0, x, panels) * 2.0 / std::f64::consts::PI.sqrt()
}

fn exact(x: f64, t: f64) -> f64 {
    let alpha = K / (RHO * CP);
    T1 + (T0 - T1) * erf(x / (2.0 * (alpha * t).sqrt()))
}

pub fn run(comm: &Comm, quick: bool, log: &dyn Fn(&str)) -> Result<Section, String> {
    let levels: &[(usize, usize)] = if quick {
        &[(40, 10), (80, 20), (160, 40)]
    } else {
        &[(40, 10), (80, 20), (160, 40), (320, 80), (640, 160)]
    };
    let max_err_tol = if quick { MAX_ERR_TOL.0 } else { MAX_ERR_TOL.1 };
    let alpha = K / (RHO * CP);
    let delta = (alpha * T_END).sqrt();
    let mut s = Section::new(
        "slab",
        "2. erf slab",
        "2. Transient 1D slab vs the erf solution",
    );
    s.intro = format!(
        "A slab 0 ≤ x ≤ {L} m (k = {K} W/(m K), ρ = {RHO} kg/m³, cp = {CP} J/(kg K), α = {alpha:.3e} m²/s) \
         at T0 = {T0} K; at t = 0 the face x = 0 is set to T1 = {T1} K, the face x = L is \
         insulated. Reference: the semi-infinite solution T = T1 + (T0 − T1) erf(x/(2√(αt))) at \
         t = {T_END} s, where √(αt) = {delta:.4} m and the far face sees erfc(L/(2√(αt))) = {:.1e} of \
         the step. P1 elements, BDF2 with fixed dt (first step BDF1), h and dt halved together. \
         Error = max over nodes |T_h − T| at the end time.\n\n**Criteria:** space–time order at the \
         finest pair within {ORDER_WANT}±{ORDER_TOL}; max error at the finest level < {max_err_tol} K \
         ({:.0e} of the step).",
        1.0 - erf(L / (2.0 * delta)),
        max_err_tol / (T1 - T0)
    );
    let mut t = Table::new(
        "Max nodal error at t_end",
        &[
            "cells",
            "h (m)",
            "steps",
            "dt (s)",
            "max error (K)",
            "order",
            "Newton its",
            "time (s)",
        ],
    );
    let mut csv = Csv::new("slab_convergence", &["h", "dt", "max_err"]);
    let (mut hs, mut es) = (Vec::new(), Vec::new());
    let mut profile = Vec::new();
    for &(n, steps) in levels {
        let space = fe::space(comm, interval(n, 0.0, L).map_err(|e| e.to_string())?, 1)?;
        let kernel = HeatConduction::new(vec![(0, Arc::new(Constant::new(K, RHO, CP)?))], vec![]);
        let bcs = vec![fe::bc("surface", &["left"], FixedTemperature::new(T1)?)];
        let asm = fe::assembler(space, kernel, bcs)?;
        let time = fe::transient(Scheme::Bdf2, T_END, steps);
        let out = fe::run(comm, &asm, T0, time, fe::newton_tight())?;
        let p = fe::profile_1d(comm, &asm.space, &out.u);
        let err = p
            .iter()
            .map(|&(x, v)| (v - exact(x, T_END)).abs())
            .fold(0.0, f64::max);
        log(&format!(
            "  slab n={n:<4} steps={steps:<4} max err={err:.3e} K ({:.2} s)",
            out.seconds
        ));
        hs.push(L / n as f64);
        es.push(err);
        let dt = T_END / steps as f64;
        csv.row(vec![L / n as f64, dt, err]);
        t.row(vec![
            n.to_string(),
            format!("{:.5}", L / n as f64),
            steps.to_string(),
            format!("{dt:.3}"),
            e3(err),
            String::new(),
            out.result.state.total_newton_its.to_string(),
            format!("{:.2}", out.seconds),
        ]);
        profile = p;
    }
    let p = orders(&hs, &es);
    for (row, o) in t.rows.iter_mut().zip(&p) {
        row[5] = ord(*o);
    }
    s.tables.push(t);
    let mut prof = Csv::new("slab_profile", &["x", "T_fe", "T_exact", "err"]);
    for &(x, v) in &profile {
        let e = exact(x, T_END);
        prof.row(vec![x, v, e, v - e]);
    }
    s.csvs.push(csv);
    s.csvs.push(prof);
    let mut pc = Plot::new(
        "slab_convergence.png",
        "Transient slab: max error at t_end (h, dt halved together)",
        "h (m)",
        "max |T_h - T| (K)",
        true,
        true,
    );
    pc.add(Series::new("BDF2 + P1", "slab_convergence", "h", "max_err", "both").slope(2.0));
    s.plots.push(pc);
    let mut pp = Plot::new(
        "slab_profile.png",
        &format!("Transient slab: profile at t = {T_END} s (finest level)"),
        "x (m)",
        "T (K)",
        false,
        false,
    );
    pp.add(Series::new(
        "erf solution",
        "slab_profile",
        "x",
        "T_exact",
        "line",
    ));
    pp.add(Series::new(
        "FE (nodes)",
        "slab_profile",
        "x",
        "T_fe",
        "marker",
    ));
    s.plots.push(pp);
    let last = p.last().copied().flatten().unwrap_or(f64::NAN);
    s.check(
        "space–time order of the max error",
        format!("{last:.2}"),
        format!("{ORDER_WANT}±{ORDER_TOL}"),
        (last - ORDER_WANT).abs() <= ORDER_TOL,
    );
    let fin = *es.last().unwrap_or(&f64::NAN);
    s.check(
        "max error at the finest level",
        format!("{} K", e3(fin)),
        format!("< {max_err_tol} K"),
        fin < max_err_tol,
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn erf_matches_known_values() {
        // Values from Abramowitz & Stegun table 7.1.
        assert!((super::erf(0.5) - 0.520_499_877_813_046_5).abs() < 1e-15);
        assert!((super::erf(1.0) - 0.842_700_792_949_714_9).abs() < 1e-15);
        assert!((super::erf(2.0) - 0.995_322_265_018_952_7).abs() < 1e-15);
    }
}
