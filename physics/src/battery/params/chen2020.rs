//! Chen2020 (LG M50 21700, graphite | NMC811), as PyBaMM 26.10 ships it: Chen et al., J.
//! Electrochem. Soc. 167 (2020) 080534; electrolyte from Nyman et al., Electrochim. Acta 53
//! (2008) 6356. Values and function sources: shared/refdata/pybamm/chen2020_parameters.md.
//! No temperature dependence except the Arrhenius factors of j0; no entropic terms.

use super::{
    arrhenius, tanh, Electrode, ExchangeCurrent, Func, NamedFns, NamedJ0s, ParameterSet, Role,
};

pub fn graphite_lgm50_ocp_chen2020(x: f64, _t: f64) -> f64 {
    1.9793 * (-39.3631 * x).exp() + 0.2482
        - 0.0909 * tanh(29.8538 * (x - 0.1234))
        - 0.04478 * tanh(14.9159 * (x - 0.2769))
        - 0.0205 * tanh(30.4444 * (x - 0.6103))
}

pub fn nmc_lgm50_ocp_chen2020(y: f64, _t: f64) -> f64 {
    -0.809 * y + 4.4875
        - 0.0428 * tanh(18.5138 * (y - 0.5542))
        - 17.7326 * tanh(15.789 * (y - 0.3117))
        + 17.5842 * tanh(15.9308 * (y - 0.312))
}

pub fn j0_graphite_chen2020(c_e: f64, c_s: f64, c_max: f64, t: f64) -> f64 {
    6.48e-7 * arrhenius(35000.0, t) * (c_e * c_s * (c_max - c_s)).sqrt()
}

pub fn j0_nmc_chen2020(c_e: f64, c_s: f64, c_max: f64, t: f64) -> f64 {
    3.42e-6 * arrhenius(17800.0, t) * (c_e * c_s * (c_max - c_s)).sqrt()
}

pub fn electrolyte_diffusivity_nyman2008(c: f64, _t: f64) -> f64 {
    let c = c / 1000.0;
    8.794e-11 * c * c - 3.972e-10 * c + 4.862e-10
}

pub fn electrolyte_conductivity_nyman2008(c: f64, _t: f64) -> f64 {
    let c = c / 1000.0;
    0.1297 * c.powi(3) - 2.51 * c * c.sqrt() + 3.329 * c
}

/// The set's f(x, T) functions by their PyBaMM names (for parameter files).
pub const FUNCTIONS: NamedFns = &[
    (
        "graphite_LGM50_ocp_Chen2020",
        Role::Ocp,
        graphite_lgm50_ocp_chen2020,
    ),
    ("nmc_LGM50_ocp_Chen2020", Role::Ocp, nmc_lgm50_ocp_chen2020),
    (
        "electrolyte_diffusivity_Nyman2008",
        Role::ElectrolyteDiffusivity,
        electrolyte_diffusivity_nyman2008,
    ),
    (
        "electrolyte_conductivity_Nyman2008",
        Role::ElectrolyteConductivity,
        electrolyte_conductivity_nyman2008,
    ),
];

/// The set's exchange-current densities by their PyBaMM names.
pub const J0: NamedJ0s = &[
    (
        "graphite_LGM50_electrolyte_exchange_current_density_Chen2020",
        j0_graphite_chen2020,
    ),
    (
        "nmc_LGM50_electrolyte_exchange_current_density_Chen2020",
        j0_nmc_chen2020,
    ),
];

fn named(name: &'static str) -> Func {
    let (n, _, f) = FUNCTIONS.iter().find(|(n, _, _)| *n == name).unwrap();
    Func::builtin(n, *f)
}

fn named_j0(name: &'static str) -> ExchangeCurrent {
    let (n, f) = J0.iter().find(|(n, _)| *n == name).unwrap();
    ExchangeCurrent::Builtin { name: n, f: *f }
}

/// Chen2020 (LG M50 21700, graphite | NMC811), as PyBaMM 26.10 ships it.
pub fn chen2020() -> ParameterSet {
    ParameterSet {
        name: "Chen2020".into(),
        neg: Electrode {
            thickness: 8.52e-5,
            particle_radius: 5.86e-6,
            eps_s: 0.75,
            porosity: 0.25,
            bruggeman: 1.5,
            bruggeman_electrode: 0.0,
            conductivity: 215.0,
            c_max: 33133.0,
            ocp: named("graphite_LGM50_ocp_Chen2020"),
            diffusivity: Func::constant(3.3e-14),
            j0: named_j0("graphite_LGM50_electrolyte_exchange_current_density_Chen2020"),
        },
        pos: Electrode {
            thickness: 7.56e-5,
            particle_radius: 5.22e-6,
            eps_s: 0.665,
            porosity: 0.335,
            bruggeman: 1.5,
            bruggeman_electrode: 0.0,
            conductivity: 0.18,
            c_max: 63104.0,
            ocp: named("nmc_LGM50_ocp_Chen2020"),
            diffusivity: Func::constant(4e-15),
            j0: named_j0("nmc_LGM50_electrolyte_exchange_current_density_Chen2020"),
        },
        sep_thickness: 1.2e-5,
        sep_porosity: 0.47,
        sep_bruggeman: 1.5,
        area: 0.065 * 1.58,
        c_e0: 1000.0,
        t_plus: 0.2594,
        d_e: named("electrolyte_diffusivity_Nyman2008"),
        kappa_e: named("electrolyte_conductivity_Nyman2008"),
        nominal_capacity_ah: 5.0,
        v_min: 2.5,
        v_max: 4.2,
        ocv_soc_0: 2.5,
        ocv_soc_100: 4.2,
        temperature: 298.15,
        c_n0: 29866.0,
        c_p0: 17038.0,
    }
}

#[cfg(test)]
mod tests {
    use super::super::stoichiometries_at_soc;
    use super::*;

    /// Sample evaluations published with the reference data.
    #[test]
    fn chen2020_functions_match_pybamm() {
        let p = chen2020();
        for (sto, un, up) in [
            (0.01, 1.73938217, 4.67035594),
            (0.1, 0.40651611, 4.59448262),
            (0.5, 0.13308551, 3.97195866),
            (0.9, 0.09202000, 3.56820028),
        ] {
            assert!((p.neg.u(sto) - un).abs() < 5e-9, "U_n({sto})");
            assert!((p.pos.u(sto) - up).abs() < 5e-9, "U_p({sto})");
        }
        let j0n = p
            .neg
            .j0
            .eval(1000.0, 0.5 * p.neg.c_max, p.neg.c_max, 298.15);
        assert!((j0n / 3.39473416e-01 - 1.0).abs() < 1e-8);
        let j0p = p
            .pos
            .j0
            .eval(1000.0, 0.1 * p.pos.c_max, p.pos.c_max, 298.15);
        assert!((j0p / 2.04740731e+00 - 1.0).abs() < 1e-8);
        assert!((p.d_e.eval(500.0, 298.15) / 3.09585e-10 - 1.0).abs() < 1e-9);
        assert!((p.kappa_e.eval(250.0, 298.15) / 5.20526563e-01 - 1.0).abs() < 1e-8);
        assert!((p.neg.a() - 383959.04).abs() < 0.01);
        // No solid Bruggeman correction in Chen2020.
        assert_eq!(p.pos.sigma_eff(), 0.18);
    }

    #[test]
    fn soc_window_matches_pybamm_electrode_soh() {
        let p = chen2020();
        let (x1, y1) = stoichiometries_at_soc(&p, 1.0);
        assert!(
            (x1 - 0.91061805).abs() < 2e-8 && (y1 - 0.26384522).abs() < 2e-8,
            "{x1} {y1}"
        );
        let (x0, y0) = stoichiometries_at_soc(&p, 0.0);
        assert!(
            (x0 - 0.02634579).abs() < 2e-8 && (y0 - 0.85397467).abs() < 2e-8,
            "{x0} {y0}"
        );
    }
}
