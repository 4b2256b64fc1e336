//! The lumped cryostat network against independent truth: the analytic exponential approach
//! of a linear network, a steady state found by bisection, the energy balance, conductivity
//! integrals by an independent quadrature, and the radiation / MLI formulas from their sources.

use galvana_physics::cryostat::mli::{MliBlanket, MliModel};
use galvana_physics::cryostat::radiation::{Geometry, RadiationLink};
use galvana_physics::cryostat::support::Support;
use galvana_physics::cryostat::{
    run_transient, solve_steady, Body, Link, LinkKind, Network, Settings, Stage,
};
use galvana_physics::materials::{Constant, NistMaterial, ThermalMaterial};
use std::sync::Arc;

const SIGMA: f64 = 5.670374419e-8;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// Composite Simpson's rule with `n` (even) intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

fn nist(name: &str) -> Arc<dyn ThermalMaterial> {
    Arc::new(NistMaterial::new(name).unwrap())
}

/// One body of heat capacity C = m cp (constant cp), a conductance G to the surroundings at
/// T_a and a stage with the linear curve P = a (T − T₀): C dT/dt = G (T_a − T) − a (T − T₀),
/// so T → T_∞ = (G T_a + a T₀)/(G + a) exponentially with τ = C/(G + a).
fn linear_network() -> (Network, f64, f64) {
    let (m, cp, g, a, t0, ta) = (2.0, 500.0, 0.5, 2.0, 20.0, 300.0);
    let mut net = Network::new(ta);
    let b = net.add_body(Body {
        name: "mass".into(),
        mass: m,
        material: Arc::new(Constant::new(1.0, 1.0, cp).unwrap()),
        initial_temperature: ta,
        target_temperature: Some(100.0),
    });
    net.links.push(Link {
        name: "g".into(),
        from: 0,
        to: b,
        kind: LinkKind::Conductance(g),
    });
    let stage = Stage::new("cooler", &[(t0, 0.0), (400.0, a * (400.0 - t0))], None).unwrap();
    net.add_stage(stage, b);
    let tau = m * cp / (g + a);
    let tinf = (g * ta + a * t0) / (g + a);
    (net, tau, tinf)
}

fn max_error(net: &Network, tau: f64, tinf: f64, max_step: f64) -> (f64, Option<f64>) {
    let s = Settings {
        end_time: 5.0 * tau,
        max_step,
        initial_step: max_step,
        max_change: 1e9,
        tolerance: 1e-11,
    };
    let tr = run_transient(net, &s, &mut |_, _, _, _, _| {}).unwrap();
    let exact = |t: f64| tinf + (300.0 - tinf) * (-t / tau).exp();
    let err = tr
        .rows
        .iter()
        .map(|r| (r.temperatures[1] - exact(r.time)).abs())
        .fold(0.0, f64::max);
    (err, tr.cooldown[1])
}

#[test]
fn a_linear_network_approaches_its_steady_state_with_the_analytic_time_constant() {
    let (net, tau, tinf) = linear_network();
    // Backward Euler is first order: the largest error halves when the step halves.
    let (e1, _) = max_error(&net, tau, tinf, tau / 200.0);
    let (e2, cool) = max_error(&net, tau, tinf, tau / 400.0);
    assert!(e2 / (300.0 - tinf) < 2e-3, "error {e2} K");
    let ratio = e1 / e2;
    assert!((1.9..2.1).contains(&ratio), "convergence ratio {ratio}");
    // Time to 100 K from T(t) = T_∞ + (300 − T_∞) e^(−t/τ).
    let t100 = tau * ((300.0 - tinf) / (100.0 - tinf)).ln();
    assert!(
        rel(cool.unwrap(), t100) < 3e-3,
        "cooldown {cool:?} vs {t100}"
    );
    let st = solve_steady(&net, 1e-12).unwrap();
    assert!(rel(st.temperatures[1], tinf) < 1e-12);
    assert!(rel(st.powers[0], 2.0 * (tinf - 20.0)) < 1e-12);
}

/// A copper body at steady state: a fixed load Q₀, G10 supports from 300 K and radiation from
/// 300 K are carried by a stage with a linear capacity curve, so
///     Q₀ + n (A/L) ∫_T^300 k dT + σ ε A (300⁴ − T⁴) = P(T),
/// whose root is found here by bisection with an independent quadrature of k.
#[test]
fn the_steady_state_is_the_root_of_the_heat_balance() {
    let mut net = Network::new(300.0);
    let b = net.add_body(Body {
        name: "cold".into(),
        mass: 10.0,
        material: nist("copper_rrr100"),
        initial_temperature: 300.0,
        target_temperature: None,
    });
    let g10 = nist("g10_normal");
    let (n, area, len) = (6u32, 2e-4, 0.1);
    net.links.push(Link {
        name: "rods".into(),
        from: 0,
        to: b,
        kind: LinkKind::Support(Support::new(g10.clone(), area, len, n).unwrap()),
    });
    let rad = RadiationLink::new(Geometry::ParallelPlates, 0.3, 0.05, 0.1).unwrap();
    net.links.push(Link {
        name: "rad".into(),
        from: 0,
        to: b,
        kind: LinkKind::Radiation(rad),
    });
    net.loads.push(galvana_physics::cryostat::network::Load {
        name: "q0".into(),
        node: b,
        power: 0.3,
    });
    // P(T) = 0.8 (T − 3) W: a straight line through three table rows.
    net.add_stage(
        Stage::new("s", &[(3.0, 0.0), (10.0, 5.6), (40.0, 29.6)], Some(4.0)).unwrap(),
        b,
    );
    let st = solve_steady(&net, 1e-12).unwrap();

    let eps = 1.0 / (1.0 / 0.05 + 1.0 / 0.1 - 1.0);
    // Body at T, cold head at Tc with 4 (T − Tc) = 0.8 (Tc − 3): Tc = (4 T + 2.4)/4.8.
    let load = |t: f64| {
        0.3 + n as f64 * area / len * simpson(|x| g10.conductivity(x), t, 300.0, 20_000)
            + SIGMA * eps * 0.3 * (300f64.powi(4) - t.powi(4))
    };
    let cooler = |t: f64| 0.8 * ((4.0 * t + 2.4) / 4.8 - 3.0);
    let (mut lo, mut hi) = (3.0, 300.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if load(mid) > cooler(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = 0.5 * (lo + hi);
    assert!(
        (st.temperatures[1] - t).abs() < 1e-7,
        "{} vs {t}",
        st.temperatures[1]
    );
    assert!(rel(st.powers[0], load(t)) < 1e-8);
    assert!(st.residual < 1e-10);
}

#[test]
fn the_enthalpy_change_equals_the_heat_in_minus_the_cooling() {
    let mut net = Network::new(300.0);
    let shield = net.add_body(Body {
        name: "shield".into(),
        mass: 5.0,
        material: nist("al6061_t6"),
        initial_temperature: 300.0,
        target_temperature: Some(80.0),
    });
    let cold = net.add_body(Body {
        name: "cold".into(),
        mass: 8.0,
        material: nist("copper_rrr100"),
        initial_temperature: 280.0,
        target_temperature: Some(10.0),
    });
    let mli = MliBlanket::new(
        MliModel::Lockheed {
            layer_density: 20.0,
            emissivity: 0.031,
            coefficients: Default::default(),
        },
        20,
        1.0,
    )
    .unwrap();
    net.links.push(Link {
        name: "mli".into(),
        from: 0,
        to: shield,
        kind: LinkKind::Mli(mli),
    });
    let rad = RadiationLink::new(Geometry::Enclosed { outer_area: 0.8 }, 0.5, 0.1, 0.1).unwrap();
    net.links.push(Link {
        name: "rad".into(),
        from: shield,
        to: cold,
        kind: LinkKind::Radiation(rad),
    });
    let ss = Support::new(nist("ss304"), 1e-5, 0.1, 3).unwrap();
    net.links.push(Link {
        name: "ss".into(),
        from: shield,
        to: cold,
        kind: LinkKind::Support(ss),
    });
    net.add_stage(
        Stage::new("s1", &[(20.0, 0.0), (50.0, 30.0), (300.0, 150.0)], None).unwrap(),
        shield,
    );
    net.add_stage(
        Stage::new("s2", &[(3.0, 0.0), (4.2, 1.0), (300.0, 30.0)], Some(2.0)).unwrap(),
        cold,
    );
    let s = Settings {
        end_time: 3e5,
        max_step: 2000.0,
        initial_step: 1.0,
        max_change: 3.0,
        tolerance: 1e-10,
    };
    let tr = run_transient(&net, &s, &mut |_, _, _, _, _| {}).unwrap();
    // Independently: ΔH from the materials' enthalpies at the first and last rows, and the
    // heat flows summed over the steps (backward Euler takes them at the step's end).
    let (first, last) = (&tr.rows[0], tr.rows.last().unwrap());
    let dh = 5.0
        * (NistMaterial::new("al6061_t6")
            .unwrap()
            .enthalpy(last.temperatures[1])
            - NistMaterial::new("al6061_t6")
                .unwrap()
                .enthalpy(first.temperatures[1]))
        + 8.0
            * (NistMaterial::new("copper_rrr100")
                .unwrap()
                .enthalpy(last.temperatures[2])
                - NistMaterial::new("copper_rrr100")
                    .unwrap()
                    .enthalpy(first.temperatures[2]));
    let mut net_in = 0.0;
    for w in tr.rows.windows(2) {
        let r = &w[1];
        net_in += (r.time - w[0].time) * (r.flows[0] - r.powers[0] - r.powers[1]);
    }
    let scale = tr.cooling;
    assert!(dh < -0.5 * scale, "the bodies cooled down");
    assert!(
        (dh - net_in).abs() < 1e-9 * scale,
        "ΔH {dh} vs ∫ net heat {net_in}"
    );
    assert!(tr.balance_error().abs() < 1e-9 * scale);
    assert!(tr.cooldown[1].is_some() && tr.cooldown[2].is_some());
}

#[test]
fn support_conduction_is_the_exact_conductivity_integral() {
    for (mat, t1, t2) in [
        ("g10_normal", 300.0, 50.0),
        ("g10_normal", 50.0, 4.0),
        ("ss304", 300.0, 4.0),
        ("ss304", 77.0, 4.0),
        ("copper_rrr100", 80.0, 4.0),
    ] {
        let m = nist(mat);
        let s = Support::new(m.clone(), 1e-4, 0.25, 2).unwrap();
        let q = s.flow(t1, t2).0;
        let truth = 2.0 * 1e-4 / 0.25 * simpson(|t| m.conductivity(t), t2, t1, 40_000);
        assert!(rel(q, truth) < 1e-8, "{mat} {t1}->{t2}: {q} vs {truth}");
        assert!(rel(s.flow(t2, t1).0, -truth) < 1e-8);
        // The derivatives are the end conductivities.
        let h = 1e-4;
        let d1 = (s.flow(t1 + h, t2).0 - s.flow(t1 - h, t2).0) / (2.0 * h);
        assert!(rel(s.flow(t1, t2).1, d1) < 1e-6);
    }
    // The handbook conductivity integral of 304 stainless from 4 to 300 K is about 3060 W/m
    // (Ekin, Experimental Techniques for Low-Temperature Measurements, 2006, Table A2.1);
    // k at the mean temperature would be far off.
    let ss = Support::new(nist("ss304"), 1.0, 1.0, 1).unwrap();
    let k_int = ss.flow(300.0, 4.0).0;
    assert!(rel(k_int, 3060.0) < 0.05, "SS304 4-300 K: {k_int} W/m");
    let mean = nist("ss304").conductivity(152.0) * 296.0;
    assert!(rel(mean, k_int) > 0.05);
}

#[test]
fn radiation_and_mli_follow_their_source_formulas() {
    let (t1, t2) = (300.0f64, 77.0f64);
    let pp = RadiationLink::new(Geometry::ParallelPlates, 2.0, 0.1, 0.05).unwrap();
    let truth = SIGMA * 2.0 * (t1.powi(4) - t2.powi(4)) / (1.0 / 0.1 + 1.0 / 0.05 - 1.0);
    assert!(rel(pp.flow(t1, t2).0, truth) < 1e-14);
    // Inner cylinder (area 1) inside an outer one (area 1.5).
    let enc = RadiationLink::new(Geometry::Enclosed { outer_area: 1.5 }, 1.0, 0.2, 0.1).unwrap();
    let truth = SIGMA * (t2.powi(4) - t1.powi(4)) / (1.0 / 0.2 + (1.0 / 1.5) * (1.0 / 0.1 - 1.0));
    assert!(rel(enc.flow(t2, t1).0, truth) < 1e-14);
    // Equal areas: the enclosure formula is the parallel-plate one.
    let same = RadiationLink::new(Geometry::Enclosed { outer_area: 2.0 }, 2.0, 0.1, 0.05).unwrap();
    assert!(rel(same.flow(t1, t2).0, pp.flow(t1, t2).0) < 1e-14);

    // Ideal MLI: N shields, N + 1 equal gaps in series.
    let n = 30.0;
    let ideal = MliBlanket::new(MliModel::Ideal { emissivity: 0.03 }, 30, 1.5).unwrap();
    let truth = 1.5 * SIGMA * (t1.powi(4) - t2.powi(4)) / ((n + 1.0) * (2.0 / 0.03 - 1.0));
    assert!(rel(ideal.flow(t1, t2).0, truth) < 1e-14);
    // Lockheed equation (Keller et al. 1974), 30 layers at 20 layers/cm, ε = 0.031.
    let lk = MliBlanket::new(
        MliModel::Lockheed {
            layer_density: 20.0,
            emissivity: 0.031,
            coefficients: Default::default(),
        },
        30,
        1.5,
    )
    .unwrap();
    let q = (8.95e-8 * 20f64.powf(2.63) * (t1 - t2) * (t1 + t2) / 2.0
        + 5.39e-10 * 0.031 * (t1.powf(4.67) - t2.powf(4.67)))
        / n;
    assert!(rel(lk.flow(t1, t2).0, 1.5 * q) < 1e-13);
    // Another blanket's fitted constants enter the same formula.
    let c = galvana_physics::cryostat::mli::LockheedCoefficients {
        cs: 2.98e-8,
        density_exponent: 2.84,
        cr: 5.86e-10,
    };
    let other = MliBlanket::new(
        MliModel::Lockheed {
            layer_density: 18.0,
            emissivity: 0.043,
            coefficients: c,
        },
        40,
        1.0,
    )
    .unwrap();
    let q2 = (2.98e-8 * 18f64.powf(2.84) * (t1 * t1 - t2 * t2) / 2.0
        + 5.86e-10 * 0.043 * (t1.powf(4.67) - t2.powf(4.67)))
        / 40.0;
    assert!(rel(other.flow(t1, t2).0, q2) < 1e-13);
    // Published blanket data for 300 → 77 K lie around 0.5-1.5 W/m²; the ideal model is below.
    assert!((0.3..1.5).contains(&q), "Lockheed q = {q} W/m²");
    assert!(ideal.flow(t1, t2).0 / 1.5 < q);
    // Analytic derivatives agree with differences for every link.
    for (f, name) in [
        (&pp.flow(t1, t2), "plates"),
        (&enc.flow(t1, t2), "enclosed"),
        (&ideal.flow(t1, t2), "ideal"),
        (&lk.flow(t1, t2), "lockheed"),
    ] {
        let g = |a: f64, b: f64| match name {
            "plates" => pp.flow(a, b).0,
            "enclosed" => enc.flow(a, b).0,
            "ideal" => ideal.flow(a, b).0,
            _ => lk.flow(a, b).0,
        };
        let h = 1e-3;
        let d1 = (g(t1 + h, t2) - g(t1 - h, t2)) / (2.0 * h);
        let d2 = (g(t1, t2 + h) - g(t1, t2 - h)) / (2.0 * h);
        assert!(rel(f.1, d1) < 1e-6 && rel(f.2, d2) < 1e-6, "{name}");
    }
}

#[test]
fn capacity_tables_are_interpolated_monotonically_and_bad_ones_are_refused() {
    let s = Stage::new(
        "s",
        &[(3.0, 0.0), (4.2, 1.5), (10.0, 8.0), (45.0, 40.0)],
        None,
    )
    .unwrap();
    assert!(rel(s.power(4.2).0, 1.5) < 1e-14);
    let mut prev = s.power(2.0).0;
    for i in 1..=4300 {
        let t = 2.0 + i as f64 * 0.01;
        let p = s.power(t).0;
        assert!(p >= prev - 1e-12, "not monotone at {t} K");
        prev = p;
    }
    assert!(
        s.power(2.5).0 < 0.0,
        "below the base temperature the stage no longer cools"
    );
    let (row, m) = Stage::new("s", &[(3.0, 0.0), (5.0, 1.0), (4.0, 2.0)], None).unwrap_err();
    assert_eq!(row, 2);
    assert!(m.contains("increase strictly"), "{m}");
    let (row, m) = Stage::new("s", &[(3.0, 0.0), (5.0, 2.0), (6.0, 1.0)], None).unwrap_err();
    assert_eq!(row, 2);
    assert!(m.contains("must not fall"), "{m}");
}
