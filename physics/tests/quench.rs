//! Quench model against closed forms: the adiabatic MIITs integral, Wilson's normal-zone
//! velocity for constant properties, handbook copper resistivity, and energy conservation.

use galvana_physics::materials::{NistMaterial, ThermalMaterial};
use galvana_physics::quench::conductor::ConstantMaterial;
use galvana_physics::quench::copper::{self, Copper};
use galvana_physics::quench::miits::{hot_spot, miits, wilson_velocity};
use galvana_physics::quench::{run, Circuit, Conductor, Heater, Mesh, Settings};
use galvana_physics::superconductor::nbti::Bottura;
use galvana_physics::superconductor::CriticalSurface;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// Ic falls linearly from `i_max` at `t_cs` to 0 at `t_c` (field-independent).
struct Ramp {
    j_max: f64,
    t_cs: f64,
    t_c: f64,
}

impl CriticalSurface for Ramp {
    fn name(&self) -> String {
        "ramp".into()
    }
    fn jc(&self, _b: f64, t: f64) -> f64 {
        self.j_max * ((self.t_c - t) / (self.t_c - self.t_cs)).clamp(0.0, 1.0)
    }
    fn bc2(&self, t: f64) -> f64 {
        if t < self.t_c {
            100.0
        } else {
            0.0
        }
    }
    fn tc0(&self) -> f64 {
        self.t_c
    }
}

fn no_protection() -> Circuit {
    Circuit {
        inductance: 1.0,
        dump_resistance: 0.1,
        threshold: 1e30,
        validation_time: 0.0,
        delay: 0.0,
    }
}

#[test]
fn copper_resistivity_matches_handbook_values() {
    // 273.15 K: 1.54e-8 Ω·m (CRC handbook, annealed copper); 300 K: 1.73e-8.
    assert!(rel(copper::resistivity(273.15, 0.0, 100.0), 1.543e-8) < 0.02);
    assert!(rel(copper::resistivity(300.0, 0.0, 100.0), 1.725e-8) < 0.03);
    // 77 K: 0.21e-8 Ω·m, where the phonon part already dominates a good copper's.
    assert!(rel(copper::resistivity(77.0, 0.0, 100.0), 2.1e-9) < 0.05);
    for rrr in [30.0, 100.0, 300.0] {
        let ratio = copper::resistivity(273.0, 0.0, rrr) / copper::resistivity(4.0, 0.0, rrr);
        assert!(rel(ratio, rrr) < 0.05, "RRR {rrr}: ratio {ratio}");
    }
    // Magnetoresistance grows with field and matters most where ρ is small.
    let r0 = copper::resistivity(4.2, 0.0, 100.0);
    let r5 = copper::resistivity(4.2, 5.0, 100.0);
    let r10 = copper::resistivity(4.2, 10.0, 100.0);
    assert!(r0 < r5 && r5 < r10, "{r0} {r5} {r10}");
    assert!(copper::resistivity(300.0, 5.0, 100.0) / copper::resistivity(300.0, 0.0, 100.0) < 1.01);
    // Wiedemann–Franz at 4 K against the independent NIST conductivity fit of RRR-100 copper.
    let k_wf = copper::LORENZ * 4.0 / copper::resistivity(4.0, 0.0, 100.0);
    let k_nist = NistMaterial::new("copper_rrr100")
        .unwrap()
        .conductivity(4.0);
    assert!(rel(k_wf, k_nist) < 0.15, "WF {k_wf} vs NIST {k_nist}");
}

#[test]
fn adiabatic_hot_spot_follows_the_miits_integral() {
    let cu = Copper::new(100.0).unwrap();
    let a_cu = 1.0e-6;
    let conductor = Conductor {
        a_cu,
        a_sc: 0.5e-6,
        stabiliser: Box::new(cu.clone()),
        surface: Box::new(Ramp {
            j_max: 0.0,
            t_cs: 0.0,
            t_c: 1.0,
        }),
        field_per_amp: 0.0,
    };
    let s = Settings {
        mesh: Mesh {
            length: 0.1,
            elements: 4,
        },
        heater: Heater {
            center: 0.05,
            length: 0.01,
            power: 0.0,
            duration: 0.0,
        },
        t_op: 10.0,
        i_op: 400.0,
        t_end: 0.6,
        dt_initial: 1e-5,
        dt_max: 1e-2,
        max_rel_change: 0.002,
        adiabatic: true,
    };
    // Implicit Euler is first order: halving the largest step change halves the error.
    let mut errors = Vec::new();
    for change in [0.002, 0.001, 0.0005] {
        let s = Settings {
            max_rel_change: change,
            ..s.clone()
        };
        let out = run(&conductor, &no_protection(), &s).unwrap();
        assert!(rel(out.miits, 400.0f64.powi(2) * 0.6) < 1e-12);
        let expected = hot_spot(&cu, a_cu, 0.0, 10.0, out.miits);
        println!(
            "step change {change}: hot spot {} K, MIITs integral says {expected} K",
            out.t_hot_max
        );
        assert!(
            expected > 100.0,
            "the check should heat into the phonon regime: {expected}"
        );
        errors.push(rel(out.t_hot_max, expected));
    }
    for w in errors.windows(2) {
        assert!((1.6..2.4).contains(&(w[0] / w[1])), "errors {errors:?}");
    }
    assert!(errors[2] < 0.002, "errors {errors:?}");
    // And the integral itself: doubling the range's resolution does not move it.
    let m = miits(&cu, a_cu, 0.0, 10.0, 200.0);
    assert!(m > 0.0 && rel(hot_spot(&cu, a_cu, 0.0, 10.0, m), 200.0) < 1e-9);
}

#[test]
fn normal_zone_velocity_matches_wilson_for_constant_properties() {
    let (c, rho, k, a) = (1.0e3, 2.0e-10, 500.0, 1.0e-6);
    let (t0, t_t, i) = (4.0, 6.0, 100.0);
    let w = 0.05;
    let conductor = Conductor {
        a_cu: a,
        a_sc: a,
        stabiliser: Box::new(ConstantMaterial {
            heat_capacity: c,
            resistivity: rho,
            conductivity: k,
        }),
        surface: Box::new(Ramp {
            j_max: i / a,
            t_cs: t_t - w,
            t_c: t_t + w,
        }),
        field_per_amp: 0.0,
    };
    let v_exact = wilson_velocity(i / a, c, rho, k, t_t, t0);
    let t_end = 0.03;
    let s = Settings {
        mesh: Mesh {
            length: 1.6,
            elements: 800,
        },
        heater: Heater {
            center: 0.8,
            length: 0.02,
            power: 50.0,
            duration: 2e-3,
        },
        t_op: t0,
        i_op: i,
        t_end,
        dt_initial: 1e-6,
        dt_max: 2e-5,
        max_rel_change: 0.05,
        adiabatic: false,
    };
    let out = run(&conductor, &no_protection(), &s).unwrap();
    let at = |t: f64| out.rows.iter().find(|r| r.time >= t).unwrap().normal_length;
    let (ta, tb) = (0.01, t_end);
    let v = (at(tb) - at(ta)) / (2.0 * (tb - ta));
    println!("front velocity {v} m/s, Wilson {v_exact} m/s");
    assert!(
        at(tb) < 1.5,
        "the zone must stay inside the modelled length"
    );
    assert!(rel(v, v_exact) < 0.03, "{v} vs {v_exact}");
}

fn nbti_magnet() -> Conductor {
    Conductor {
        a_cu: 0.6e-6,
        a_sc: 0.4e-6,
        stabiliser: Box::new(Copper::new(100.0).unwrap()),
        surface: Box::new(Bottura::default()),
        field_per_amp: 5.0 / 400.0,
    }
}

#[test]
fn protected_quench_conserves_energy_and_respects_the_adiabatic_bound() {
    let conductor = nbti_magnet();
    let circ = Circuit {
        inductance: 0.5,
        dump_resistance: 5.0,
        threshold: 0.1,
        validation_time: 5e-3,
        delay: 10e-3,
    };
    let s = Settings {
        mesh: Mesh {
            length: 4.0,
            elements: 400,
        },
        heater: Heater {
            center: 2.0,
            length: 0.02,
            power: 20.0,
            duration: 5e-3,
        },
        t_op: 4.2,
        i_op: 400.0,
        t_end: 0.8,
        dt_initial: 1e-6,
        dt_max: 2e-3,
        max_rel_change: 0.05,
        adiabatic: false,
    };
    let out = run(&conductor, &circ, &s).unwrap();
    let (td, ts) = (out.t_detect.unwrap(), out.t_switch.unwrap());
    println!(
        "{} steps, {} Newton iterations, detect {td:.4} s, switch {ts:.4} s, hot spot {:.1} K, MIITs {:.4e}, E heater {:.3} J, joule {:.3} J, dump {:.3} J, magnet {:.3} J",
        out.rows.len(),
        out.newton_iterations,
        out.t_hot_max, out.miits, out.e_heater, out.e_joule, out.e_dump, out.e_magnet
    );
    assert!(rel(ts - td, circ.delay) < 1e-12);
    println!(
        "steps before the switch: {}",
        out.rows.iter().filter(|r| r.time <= ts).count()
    );
    assert!(out.rows.last().unwrap().current < 1e-3 * s.i_op);
    // Conductor enthalpy = heater + Joule; magnet energy released = dump + Joule after the switch.
    let e_in = out.e_heater + out.e_joule;
    assert!(
        rel(out.e_conductor, e_in) < 1e-8,
        "{} vs {e_in}",
        out.e_conductor
    );
    let after = out.e_joule - out.e_supply;
    assert!(rel(out.e_magnet, out.e_dump + after) < 1e-8);
    // Implicit Euler releases at most the stored ½ L I² (its discrete energy is dissipative).
    let stored = 0.5 * circ.inductance * s.i_op * s.i_op;
    assert!(out.e_magnet <= stored * (1.0 + 1e-12) && out.e_magnet > 0.95 * stored);
    // The normal zone only speeds the decay: MIITs ≤ I² (t_switch + L / 2R).
    assert!(out.miits <= s.i_op * s.i_op * (ts + circ.tau() / 2.0));
    // Conduction only cools the hot spot: below the adiabatic estimate at the highest field.
    let bound = hot_spot(&Copper::new(100.0).unwrap(), 0.6e-6, 5.0, 4.2, out.miits);
    assert!(out.t_hot_max < bound, "{} vs bound {bound}", out.t_hot_max);
    assert!(out.t_hot_max > 30.0);
}

#[test]
fn bad_settings_are_errors() {
    let conductor = nbti_magnet();
    let mut s = Settings {
        mesh: Mesh {
            length: 1.0,
            elements: 10,
        },
        heater: Heater {
            center: 5.0,
            length: 0.01,
            power: 1.0,
            duration: 1e-3,
        },
        t_op: 4.2,
        i_op: 100.0,
        t_end: 1.0,
        dt_initial: 1e-5,
        dt_max: 1e-3,
        max_rel_change: 0.05,
        adiabatic: false,
    };
    assert!(run(&conductor, &no_protection(), &s)
        .unwrap_err()
        .contains("heater"));
    s.heater.center = 0.5;
    s.i_op = f64::NAN;
    assert!(run(&conductor, &no_protection(), &s).is_err());
    s.i_op = 100.0;
    let mut c = no_protection();
    c.inductance = 0.0;
    assert!(run(&conductor, &c, &s).unwrap_err().contains("inductance"));
}
