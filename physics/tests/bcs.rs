//! Thermal boundary conditions: derivatives, signs and the MLI model.

mod common;

use common::Rng;
use galvana_physics::kernel::{BoundaryKernel, Point};
use galvana_physics::thermal::bcs::{
    Convection, Cryocooler, FixedTemperature, HeatFlux, Mli, Radiation, STEFAN_BOLTZMANN,
};

fn flux(bc: &dyn BoundaryKernel, x: [f64; 3], t: f64, temp: f64) -> (f64, f64) {
    let (uu, gg) = ([temp], [[0.0; 3]]);
    let p = Point {
        x,
        t,
        u: &uu,
        grad_u: &gg,
        region: 0,
    };
    let (mut b0, mut db0) = ([f64::NAN], [f64::NAN]);
    bc.flux(&p, [0.0, 0.0, 1.0], &mut b0, &mut db0);
    (b0[0], db0[0])
}

#[test]
fn flux_derivatives_match_finite_differences() {
    let bcs: Vec<(&str, Box<dyn BoundaryKernel>)> = vec![
        ("convection", Box::new(Convection::new(12.5, 80.0).unwrap())),
        ("radiation", Box::new(Radiation::new(0.3, 290.0).unwrap())),
        ("mli", Box::new(Mli::new(30, 0.04, 300.0).unwrap())),
        (
            "cryocooler",
            Box::new(
                Cryocooler::new(
                    &[(3.0, 0.0), (4.2, 1.5), (45.0, 40.0), (300.0, 200.0)],
                    0.02,
                )
                .unwrap(),
            ),
        ),
        ("heat_flux", Box::new(HeatFlux::new(-42.0).unwrap())),
        (
            "heat_flux fn",
            Box::new(HeatFlux::function(|x, t| x[0] * 10.0 + t)),
        ),
    ];
    let mut rng = Rng(99);
    for (name, bc) in &bcs {
        for _ in 0..200 {
            let temp = rng.uniform(2.0, 400.0);
            let x = [rng.uniform(0.0, 1.0), 0.0, 0.0];
            let h = 1e-6 * temp;
            let fd = (flux(bc.as_ref(), x, 1.0, temp + h).0
                - flux(bc.as_ref(), x, 1.0, temp - h).0)
                / (2.0 * h);
            let (b0, db0) = flux(bc.as_ref(), x, 1.0, temp);
            assert!(b0.is_finite() && db0.is_finite());
            assert!(
                (fd - db0).abs() <= 1e-7 * (db0.abs() + b0.abs() / temp + 1e-12),
                "{name} at {temp}: {fd} vs {db0}"
            );
        }
    }
}

#[test]
fn outward_flux_signs() {
    // Hotter than the sink -> heat leaves (b0 > 0); colder -> heat enters; equal -> 0.
    let conv = Convection::new(10.0, 300.0).unwrap();
    let rad = Radiation::new(0.8, 300.0).unwrap();
    let mli = Mli::new(10, 0.05, 300.0).unwrap();
    for bc in [&conv as &dyn BoundaryKernel, &rad, &mli] {
        assert!(flux(bc, [0.0; 3], 0.0, 350.0).0 > 0.0);
        assert!(flux(bc, [0.0; 3], 0.0, 77.0).0 < 0.0);
        assert!(flux(bc, [0.0; 3], 0.0, 300.0).0.abs() < 1e-12);
    }
    assert_eq!(flux(&conv, [0.0; 3], 0.0, 310.0), (100.0, 10.0));
    // A 4 K surface facing 300 K walls with ε = 1 absorbs σ(300⁴ − 4⁴) = 459.3 W/m².
    let black = Radiation::new(1.0, 300.0).unwrap();
    let (b0, _) = flux(&black, [0.0; 3], 0.0, 4.0);
    assert!((b0 + STEFAN_BOLTZMANN * (300f64.powi(4) - 4f64.powi(4))).abs() < 1e-9);
    assert!((b0 + 459.3).abs() < 0.1, "{b0}");
    // Heat flux is given INTO the body: b0 = -q.
    assert_eq!(
        flux(&HeatFlux::new(25.0).unwrap(), [0.0; 3], 0.0, 100.0),
        (-25.0, 0.0)
    );
    // Negative T (a wild Newton iterate) still gives a finite, increasing outward flux.
    let (b0, db0) = flux(&rad, [0.0; 3], 0.0, -10.0);
    assert!(b0 < 0.0 && db0 > 0.0);
}

#[test]
fn mli_zero_layers_is_two_plate_radiation() {
    for eps in [0.02, 0.05, 0.3, 1.0] {
        let m = Mli::new(0, eps, 300.0).unwrap();
        assert!((m.effective_emissivity() - 1.0 / (2.0 / eps - 1.0)).abs() < 1e-15);
        // Two parallel plates, 1/(1/ε1 + 1/ε2 − 1), with ε1 = ε2 = ε.
        let plates = 1.0 / (1.0 / eps + 1.0 / eps - 1.0);
        let (b0, _) = flux(&m, [0.0; 3], 0.0, 77.0);
        let want = plates * STEFAN_BOLTZMANN * (77f64.powi(4) - 300f64.powi(4));
        assert!((b0 - want).abs() <= 1e-12 * want.abs());
    }
    // Black plates with no shield exchange like black bodies.
    assert_eq!(Mli::new(0, 1.0, 300.0).unwrap().effective_emissivity(), 1.0);
}

/// Independent check of ε_eff: march the shield temperatures explicitly (each gap carries the
/// same flux q = ε_p σ (T_k⁴ − T_{k+1}⁴), ε_p = 1/(2/ε − 1)) and bisect on q until the last
/// shield's far gap lands on T∞.
#[test]
fn mli_matches_explicit_shield_chain() {
    let (t_cold, t_warm, eps) = (77.0_f64, 300.0_f64, 0.04);
    let ep = 1.0 / (2.0 / eps - 1.0);
    for n in [1u32, 2, 5, 20, 60] {
        let march = |q: f64| {
            let mut t4 = t_warm.powi(4);
            for _ in 0..=n {
                t4 -= q / (ep * STEFAN_BOLTZMANN);
            }
            t4 // should equal t_cold⁴
        };
        let (mut lo, mut hi) = (0.0, 1e4);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if march(mid) > t_cold.powi(4) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let q_chain = 0.5 * (lo + hi); // W/m² flowing warm -> cold
        let (b0, _) = flux(&Mli::new(n, eps, t_warm).unwrap(), [0.0; 3], 0.0, t_cold);
        assert!(
            (-b0 - q_chain).abs() <= 1e-9 * q_chain,
            "N={n}: {} vs {q_chain}",
            -b0
        );
    }
    // Magnitude: 30 ideal layers of ε = 0.03 between 300 K and 77 K pass
    // σ(300⁴ − 77⁴) / (31 (2/0.03 − 1)) = 0.2246 W/m² (real blankets: ~0.5-1.5 W/m²).
    let (b0, _) = flux(&Mli::new(30, 0.03, 300.0).unwrap(), [0.0; 3], 0.0, 77.0);
    assert!((-b0 - 0.2246).abs() < 1e-3, "{b0}");
}

#[test]
fn fixed_temperature_is_dirichlet_on_component_0() {
    let c = FixedTemperature::new(77.0).unwrap();
    assert!(c.is_dirichlet(0) && !c.is_dirichlet(1));
    assert_eq!(c.dirichlet([1.0, 2.0, 3.0], 5.0, 0), Some(77.0));
    assert_eq!(c.dirichlet([1.0, 2.0, 3.0], 5.0, 1), None);
    let f = FixedTemperature::function(|x, t| x[0] + 10.0 * t);
    assert_eq!(f.dirichlet([2.0, 0.0, 0.0], 0.5, 0), Some(7.0));
    // Natural terms of a Dirichlet BC are untouched (default no-op).
    let (b0, db0) = flux(&c, [0.0; 3], 0.0, 50.0);
    assert!(b0.is_nan() && db0.is_nan());
    // The natural BCs are not Dirichlet.
    assert!(!Convection::new(1.0, 1.0).unwrap().is_dirichlet(0));
}

#[test]
fn constructors_validate() {
    assert!(FixedTemperature::new(0.0).is_err());
    assert!(FixedTemperature::new(f64::NAN).is_err());
    assert!(HeatFlux::new(f64::INFINITY).is_err());
    assert!(Convection::new(-1.0, 300.0).is_err());
    assert!(Convection::new(1.0, 0.0).is_err());
    assert!(Radiation::new(0.0, 300.0).is_err());
    assert!(Radiation::new(1.1, 300.0).is_err());
    assert!(Mli::new(10, 0.0, 300.0).is_err());
    assert!(Mli::new(10, 0.05, -3.0).is_err());
}
