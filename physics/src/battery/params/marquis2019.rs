//! Marquis2019 (Kokam SLPB 75106100, graphite | LiCoO2; Dualfoil-derived), as PyBaMM 26.10
//! ships it: Marquis et al., J. Electrochem. Soc. 166 (2019) A3693; functions from Dualfoil
//! (Newman) and Capiglia et al. 1999 (electrolyte). Values and function sources:
//! shared/refdata/pybamm/marquis2019_parameters.md.
//!
//! Particle diffusivities, exchange currents and electrolyte properties carry Arrhenius factors
//! (1 at 298.15 K), kept here so that the deck's `temperature` acts as in PyBaMM. The entropic
//! terms (`graphite_entropic_change_Moura2016`, `lico2_entropic_change_Moura2016`) are left out:
//! the models are isothermal and PyBaMM's isothermal models use U(sto) at the reference
//! temperature only, so they never enter. The SEI, thermal and current-collector entries of the
//! set are for options these models do not have.

use super::{
    arrhenius, tanh, Electrode, ExchangeCurrent, Func, NamedFns, NamedJ0s, ParameterSet, Role,
};

pub fn graphite_mcmb2528_ocp_dualfoil1998(sto: f64, _t: f64) -> f64 {
    0.194 + 1.5 * (-120.0 * sto).exp() + 0.0351 * tanh((sto - 0.286) / 0.083)
        - 0.0045 * tanh((sto - 0.849) / 0.119)
        - 0.035 * tanh((sto - 0.9233) / 0.05)
        - 0.0147 * tanh((sto - 0.5) / 0.034)
        - 0.102 * tanh((sto - 0.194) / 0.142)
        - 0.022 * tanh((sto - 0.9) / 0.0164)
        - 0.011 * tanh((sto - 0.124) / 0.0226)
        + 0.0155 * tanh((sto - 0.105) / 0.029)
}

pub fn lico2_ocp_dualfoil1998(sto: f64, _t: f64) -> f64 {
    let stretch = 1.062;
    let sto = stretch * sto;
    2.16216 + 0.07645 * tanh(30.834 - 54.4806 * sto) + 2.1581 * tanh(52.294 - 50.294 * sto)
        - 0.14169 * tanh(11.0923 - 19.8543 * sto)
        + 0.2051 * tanh(1.4684 - 5.4888 * sto)
        + 0.2531 * tanh((-sto + 0.56478) / 0.1316)
        - 0.02167 * tanh((sto - 0.525) / 0.006)
}

pub fn graphite_j0_dualfoil1998(c_e: f64, c_s: f64, c_max: f64, t: f64) -> f64 {
    2e-5 * arrhenius(37480.0, t) * (c_e * c_s * (c_max - c_s)).sqrt()
}

pub fn lico2_j0_dualfoil1998(c_e: f64, c_s: f64, c_max: f64, t: f64) -> f64 {
    6e-7 * arrhenius(39570.0, t) * (c_e * c_s * (c_max - c_s)).sqrt()
}

pub fn electrolyte_diffusivity_capiglia1999(c_e: f64, t: f64) -> f64 {
    5.34e-10 * (-0.65 * c_e / 1000.0).exp() * arrhenius(37040.0, t)
}

pub fn electrolyte_conductivity_capiglia1999(c_e: f64, t: f64) -> f64 {
    let c = c_e / 1000.0;
    let sigma = 0.0911 + 1.9101 * c - 1.052 * c.powi(2) + 0.1554 * c.powi(3);
    sigma * arrhenius(34700.0, t)
}

/// The set's f(x, T) functions by their PyBaMM names (for parameter files).
pub const FUNCTIONS: NamedFns = &[
    (
        "graphite_mcmb2528_ocp_Dualfoil1998",
        Role::Ocp,
        graphite_mcmb2528_ocp_dualfoil1998,
    ),
    ("lico2_ocp_Dualfoil1998", Role::Ocp, lico2_ocp_dualfoil1998),
    (
        "electrolyte_diffusivity_Capiglia1999",
        Role::ElectrolyteDiffusivity,
        electrolyte_diffusivity_capiglia1999,
    ),
    (
        "electrolyte_conductivity_Capiglia1999",
        Role::ElectrolyteConductivity,
        electrolyte_conductivity_capiglia1999,
    ),
];

/// The particle diffusivities by their PyBaMM names: D_ref · arrhenius(E_D) [m²/s], E_D
/// [J/mol]. Held as constants with an Arrhenius factor rather than as functions, so that the
/// models know they do not depend on the stoichiometry (the DFN then shares one particle
/// response across nodes).
pub const DIFFUSIVITIES: &[(&str, f64, f64)] = &[
    (
        "graphite_mcmb2528_diffusivity_Dualfoil1998",
        3.9e-14,
        42770.0,
    ),
    ("lico2_diffusivity_Dualfoil1998", 1e-13, 18550.0),
];

/// The set's exchange-current densities by their PyBaMM names.
pub const J0: NamedJ0s = &[
    (
        "graphite_electrolyte_exchange_current_density_Dualfoil1998",
        graphite_j0_dualfoil1998,
    ),
    (
        "lico2_electrolyte_exchange_current_density_Dualfoil1998",
        lico2_j0_dualfoil1998,
    ),
];

fn named(name: &'static str) -> Func {
    let (n, _, f) = FUNCTIONS.iter().find(|(n, _, _)| *n == name).unwrap();
    Func::builtin(n, *f)
}

fn named_diffusivity(name: &'static str) -> Func {
    let (_, d, e) = DIFFUSIVITIES.iter().find(|(n, _, _)| *n == name).unwrap();
    Func::constant(*d).with_arrhenius(*e)
}

fn named_j0(name: &'static str) -> ExchangeCurrent {
    let (n, f) = J0.iter().find(|(n, _)| *n == name).unwrap();
    ExchangeCurrent::Builtin { name: n, f: *f }
}

/// Marquis2019 (Kokam SLPB 75106100, graphite | LiCoO2), as PyBaMM 26.10 ships it.
pub fn marquis2019() -> ParameterSet {
    ParameterSet {
        name: "Marquis2019".into(),
        neg: Electrode {
            thickness: 0.0001,
            particle_radius: 1e-5,
            eps_s: 0.6,
            porosity: 0.3,
            bruggeman: 1.5,
            bruggeman_electrode: 1.5,
            conductivity: 100.0,
            c_max: 24983.26199,
            ocp: named("graphite_mcmb2528_ocp_Dualfoil1998"),
            diffusivity: named_diffusivity("graphite_mcmb2528_diffusivity_Dualfoil1998"),
            j0: named_j0("graphite_electrolyte_exchange_current_density_Dualfoil1998"),
        },
        pos: Electrode {
            thickness: 0.0001,
            particle_radius: 1e-5,
            eps_s: 0.5,
            porosity: 0.3,
            bruggeman: 1.5,
            bruggeman_electrode: 1.5,
            conductivity: 10.0,
            c_max: 51217.92573,
            ocp: named("lico2_ocp_Dualfoil1998"),
            diffusivity: named_diffusivity("lico2_diffusivity_Dualfoil1998"),
            j0: named_j0("lico2_electrolyte_exchange_current_density_Dualfoil1998"),
        },
        sep_thickness: 2.5e-5,
        sep_porosity: 1.0,
        sep_bruggeman: 1.5,
        // Electrode height × width × 1 electrode in parallel.
        area: 0.137 * 0.207,
        c_e0: 1000.0,
        t_plus: 0.4,
        d_e: named("electrolyte_diffusivity_Capiglia1999"),
        kappa_e: named("electrolyte_conductivity_Capiglia1999"),
        nominal_capacity_ah: 0.680616,
        v_min: 3.105,
        v_max: 4.1,
        ocv_soc_0: 3.105,
        ocv_soc_100: 4.1,
        temperature: 298.15,
        c_n0: 19986.6096,
        c_p0: 30730.75544,
    }
}

#[cfg(test)]
mod tests {
    use super::super::stoichiometries_at_soc;
    use super::*;

    /// The sample evaluations published with the reference data (PyBaMM's own functions).
    #[test]
    fn marquis2019_functions_match_pybamm() {
        let p = marquis2019();
        for (sto, un, up) in [
            (0.01, 0.77030967, 4.71170845),
            (0.05, 0.31348629, 4.69908994),
            (0.1, 0.30102538, 4.67476292),
            (0.2, 0.24312443, 4.58764267),
            (0.3, 0.21599336, 4.46204473),
            (0.4, 0.21410860, 4.33413717),
            (0.5, 0.19537693, 4.18603576),
            (0.6, 0.17897829, 4.02701385),
            (0.7, 0.17787139, 3.93908683),
            (0.8, 0.17519318, 3.91290275),
            (0.9, 0.13031486, 3.90624316),
            (0.95, 0.07480155, 3.72112934),
            (0.99, 0.06071526, 0.61352540),
        ] {
            assert!((p.neg.u(sto) - un).abs() < 5e-9, "U_n({sto})");
            assert!((p.pos.u(sto) - up).abs() < 5e-9, "U_p({sto})");
        }
        for (c, d, k) in [
            (100.0, 5.00394025e-10, 2.71745400e-01),
            (250.0, 4.53908592e-10, 5.05303125e-01),
            (500.0, 3.85829607e-10, 8.02575000e-01),
            (750.0, 3.27961374e-10, 9.97484375e-01),
            (1000.0, 2.78772445e-10, 1.10460000e+00),
            (1250.0, 2.36961064e-10, 1.13849062e+00),
            (1500.0, 2.01420717e-10, 1.11372500e+00),
            (2000.0, 1.45531977e-10, 9.46500000e-01),
        ] {
            assert!((p.d_e.eval(c, 298.15) / d - 1.0).abs() < 1e-8, "D_e({c})");
            assert!(
                (p.kappa_e.eval(c, 298.15) / k - 1.0).abs() < 1e-8,
                "kappa_e({c})"
            );
        }
        for (sto, jn, jp) in [
            (0.1, 4.74024068e+00, 2.91537544e-01),
            (0.5, 7.90040113e+00, 4.85895907e-01),
            (0.9, 4.74024068e+00, 2.91537544e-01),
        ] {
            let j0n = p
                .neg
                .j0
                .eval(1000.0, sto * p.neg.c_max, p.neg.c_max, 298.15);
            let j0p = p
                .pos
                .j0
                .eval(1000.0, sto * p.pos.c_max, p.pos.c_max, 298.15);
            assert!((j0n / jn - 1.0).abs() < 1e-8, "j0_n({sto})");
            assert!((j0p / jp - 1.0).abs() < 1e-8, "j0_p({sto})");
        }
        assert_eq!(p.neg.diffusivity.eval(0.5, 298.15), 3.9e-14);
        assert_eq!(p.pos.diffusivity.eval(0.5, 298.15), 1e-13);
        assert!((p.neg.a() - 180000.0).abs() < 1e-6);
        assert!((p.pos.a() - 150000.0).abs() < 1e-6);
        assert!((p.area - 0.028359).abs() < 1e-15);
        // Theoretical capacities eps_s L A c_max F / 3600 [A.h].
        let cap =
            |e: &Electrode| e.eps_s * e.thickness * p.area * e.c_max * super::super::F / 3600.0;
        assert!((cap(&p.neg) - 1.13933).abs() < 5e-6);
        assert!((cap(&p.pos) - 1.94644).abs() < 5e-6);
        // The solid Bruggeman correction on the solid fraction 1 − ε: σ_eff = 0.7^1.5 σ.
        assert!((p.neg.sigma_eff() - 100.0 * 0.7f64.powf(1.5)).abs() < 1e-12);
    }

    #[test]
    fn soc_window_matches_pybamm_electrode_soh() {
        let p = marquis2019();
        // The file's own initial state.
        assert!((p.c_n0 / p.neg.c_max - 0.8).abs() < 1e-9);
        assert!((p.c_p0 / p.pos.c_max - 0.6).abs() < 1e-9);
        let (x1, y1) = stoichiometries_at_soc(&p, 1.0);
        assert!(
            (x1 - 0.94932099).abs() < 2e-8 && (y1 - 0.51259641).abs() < 2e-8,
            "{x1} {y1}"
        );
        let (x0, y0) = stoichiometries_at_soc(&p, 0.0);
        assert!(
            (x0 - 0.18322252).abs() < 2e-8 && (y0 - 0.96102469).abs() < 2e-8,
            "{x0} {y0}"
        );
    }

    /// Above 298.15 K the Arrhenius factors speed transport and kinetics up, as in PyBaMM.
    #[test]
    fn arrhenius_factors_act() {
        let p = marquis2019();
        let t = 318.15;
        let f = (37040.0 / super::super::R_GAS * (1.0 / 298.15 - 1.0 / t)).exp();
        assert!((p.d_e.eval(1000.0, t) / (2.78772445e-10 * f) - 1.0).abs() < 1e-8);
        assert!(p.neg.diffusivity.eval(0.5, t) > 3.9e-14);
        assert!(
            p.pos.j0.eval(1000.0, 2e4, p.pos.c_max, t)
                > p.pos.j0.eval(1000.0, 2e4, p.pos.c_max, 298.15)
        );
    }
}
