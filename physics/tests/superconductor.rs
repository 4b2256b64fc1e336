//! Critical surfaces and load lines against closed forms and the fits' own published anchors.

use galvana_physics::superconductor::load_line::{intersect, margins};
use galvana_physics::superconductor::nb3sn::Iter2008;
use galvana_physics::superconductor::nbti::Bottura;
use galvana_physics::superconductor::rebco::Wolf;
use galvana_physics::superconductor::CriticalSurface;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// Jc = j0 (1 − B/Bc2): the load line meets it at I = A j0 / (1 + A j0 k / Bc2).
struct Linear {
    j0: f64,
    bc2: f64,
}

impl CriticalSurface for Linear {
    fn name(&self) -> String {
        "linear".into()
    }
    fn jc(&self, b: f64, _t: f64) -> f64 {
        (self.j0 * (1.0 - b.abs() / self.bc2)).max(0.0)
    }
    fn bc2(&self, _t: f64) -> f64 {
        self.bc2
    }
    fn tc0(&self) -> f64 {
        10.0
    }
}

#[test]
fn load_line_meets_a_linear_surface_where_the_closed_form_says() {
    let s = Linear {
        j0: 2.0e9,
        bc2: 12.0,
    };
    for &(k, area) in &[(1e-3, 1e-6), (5e-3, 3e-7), (2e-4, 4e-6)] {
        let x = intersect(&s, k, area, 4.2).unwrap();
        let exact = area * s.j0 / (1.0 + area * s.j0 * k / s.bc2);
        assert!(rel(x.current, exact) < 1e-13, "{} vs {exact}", x.current);
        assert!(rel(x.field, k * exact) < 1e-13);
    }
}

#[test]
fn nbti_fit_has_its_published_anchors() {
    let s = Bottura::default();
    // Normalised to Jc,ref at 4.2 K and 5 T (the fit reproduces its reference point to ~2 %).
    let ratio = s.jc(5.0, 4.2) / s.jc_ref;
    assert!(
        (ratio - 1.0).abs() < 0.03,
        "Jc(5 T, 4.2 K)/Jc,ref = {ratio}"
    );
    // Bc2(T) = Bc20 (1 − (T/Tc0)^1.7); at 4.2 K about 10.7 T, the familiar NbTi value.
    let bc2 = s.bc2(4.2);
    assert!(rel(bc2, 14.5 * (1.0 - (4.2f64 / 9.2).powf(1.7))) < 1e-15);
    assert!((10.4..11.0).contains(&bc2), "Bc2(4.2 K) = {bc2}");
    assert_eq!(s.bc2(9.2), 0.0);
    assert_eq!(s.jc(bc2, 4.2), 0.0);
    assert_eq!(s.jc(3.0, 9.5), 0.0);
    assert!(s.jc(bc2 * 0.999, 4.2) > 0.0);
    // Falls monotonically with field and temperature.
    let mut last = f64::INFINITY;
    for i in 1..100 {
        let j = s.jc(0.1 * i as f64, 4.2);
        assert!(j <= last && j >= 0.0 && j.is_finite());
        last = j;
    }
    for i in 0..92 {
        assert!(s.jc(5.0, 0.1 * (i + 1) as f64) <= s.jc(5.0, 0.1 * i as f64));
    }
    // Never NaN or negative, even for nonsense input.
    for &(b, t) in &[
        (0.0, 4.2),
        (-3.0, 4.2),
        (f64::NAN, 4.2),
        (5.0, f64::NAN),
        (5.0, -1.0),
    ] {
        let j = s.jc(b, t);
        assert!(j >= 0.0 && !j.is_nan(), "jc({b}, {t}) = {j}");
    }
}

#[test]
fn current_sharing_temperature_inverts_the_surface() {
    let nbti = Bottura::default();
    let nb3sn = Iter2008::eutf4(0.25e-6);
    let rebco = Wolf::default();
    let surfaces: [(&dyn CriticalSurface, f64); 3] = [(&nbti, 5.0), (&nb3sn, 12.0), (&rebco, 20.0)];
    for (s, b) in surfaces {
        let j = 0.5 * s.jc(b, 4.2);
        let tcs = s.current_sharing_temperature(b, j);
        assert!(tcs > 4.2 && tcs < s.tc0(), "{}: Tcs = {tcs}", s.name());
        assert!(rel(s.jc(b, tcs), j) < 1e-8, "{}", s.name());
        // As j → 0, Tcs → the temperature where Bc2(T) = B.
        let t0 = s.current_sharing_temperature(b, 1e-18 * j);
        assert!(
            s.bc2(t0) - b < 1e-6 * b,
            "{}: Bc2(Tcs) = {} vs {b}",
            s.name(),
            s.bc2(t0)
        );
    }
    // NbTi closed form of that limit: Tc(B) = Tc0 (1 − B/Bc20)^(1/1.7).
    let t0 = nbti.current_sharing_temperature(5.0, 1.0);
    assert!(
        (t0 - 9.2 * (1.0 - 5.0f64 / 14.5).powf(1.0 / 1.7)).abs() < 1e-6,
        "{t0}"
    );
}

#[test]
fn nb3sn_strain_function_and_critical_temperature() {
    let s = Iter2008::eutf4(0.25e-6);
    assert!((s.s() - 1.0).abs() < 1e-15, "s(0) = {}", s.s());
    // With Ca2 = 0 the strain function is even in the intrinsic strain and peaks at zero.
    for &e in &[0.001, 0.003, 0.006] {
        let a = Iter2008 {
            strain: e,
            ..s.clone()
        };
        let b = Iter2008 {
            strain: -e,
            ..s.clone()
        };
        assert!((a.s() - b.s()).abs() < 1e-15 && a.s() < 1.0);
    }
    // The applied strain of the maximum maps to zero intrinsic strain.
    assert!(s.clone().with_applied_strain(s.eps_m).strain.abs() < 1e-18);
    // Compression lowers Tc*(0, ε) as s^(1/3) and Bc2*(0, ε) as s (the paper's scaling), and the
    // surface vanishes at Tc*(B, ε) = Tc*(0, ε)(1 − B/Bc2*(0, ε))^(1/1.52).
    let c = Iter2008 {
        strain: -0.004,
        ..s.clone()
    };
    assert!(rel(c.tc0(), 16.06 * c.s().cbrt()) < 1e-15);
    assert!(rel(c.bc2(0.0), 32.97 * c.s()) < 1e-15);
    let b = 12.0;
    let tc_b = c.tc0() * (1.0 - b / c.bc2(0.0)).powf(1.0 / 1.52);
    assert!(c.jc(b, tc_b * (1.0 - 1e-9)) >= 0.0);
    assert_eq!(c.jc(b, tc_b * (1.0 + 1e-9)), 0.0);
    // The EUTF4 strand carries Ic(12 T, 4.2 K) = 248.9 A at zero intrinsic strain (the fit's
    // constants evaluated by hand, step by step, for this test).
    assert!((s.ic(12.0, 4.2) - 248.9).abs() < 0.2, "{}", s.ic(12.0, 4.2));
    assert!(rel(s.jc(12.0, 4.2), s.ic(12.0, 4.2) / 0.25e-6) < 1e-15);
}

#[test]
fn rebco_amplitude_passes_through_its_anchor_points() {
    let s = Wolf::default();
    let amp = |t: f64| s.a0 + s.u * t * t + s.v * t;
    for &(t, a) in &[(4.2, 2.2e8), (20.0, 2.3e8), (65.0, 3.5e8)] {
        assert!(rel(amp(t), a) < 0.002, "A({t}) = {}", amp(t));
    }
    assert_eq!(s.jc(s.bc2(30.0), 30.0), 0.0);
    assert_eq!(s.jc(1.0, 92.0), 0.0);
    assert!(s.jc(20.0, 20.0) < s.jc(20.0, 4.2));
}

#[test]
fn margins_of_an_nbti_magnet() {
    let s = Bottura::default();
    let (k, area, t_op) = (6.0e-4, 1.2e-6, 4.2); // 0.6 T/kA, 1.2 mm² of NbTi
    let ss = intersect(&s, k, area, t_op).unwrap();
    assert!(rel(area * s.jc(ss.field, t_op), ss.current) < 1e-12);
    let i_op = 0.7 * ss.current;
    let m = margins(&s, k, area, t_op, i_op).unwrap();
    assert!((m.load_line_fraction - 0.7).abs() < 1e-14);
    assert!(rel(m.peak_field, k * i_op) < 1e-15);
    assert!(m.critical_current > i_op && m.temperature_margin > 0.0);
    // At the short-sample current the margin is gone.
    let edge = margins(&s, k, area, t_op, ss.current).unwrap();
    assert!(
        edge.temperature_margin.abs() < 1e-6,
        "{}",
        edge.temperature_margin
    );
    // A warmer magnet has a shorter load line.
    assert!(intersect(&s, k, area, 5.0).unwrap().current < ss.current);
    // Bad input is an error, not a panic.
    assert!(intersect(&s, 0.0, area, t_op).is_err());
    assert!(intersect(&s, k, -1.0, t_op).is_err());
    assert!(intersect(&s, k, area, 9.5).unwrap_err().contains("normal"));
    assert!(margins(&s, k, area, t_op, f64::NAN).is_err());
}
