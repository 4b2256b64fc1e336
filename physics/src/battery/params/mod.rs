//! Battery parameter sets: the scalars and functions a single-particle or Newman (DFN) model
//! needs, in SI units. Built-in sets follow PyBaMM's (`Chen2020`, `Marquis2019`) value for value;
//! see `docs/battery.md` for sources.

/// Faraday constant [C/mol] and gas constant [J/(mol K)] (CODATA 2018, as PyBaMM).
pub const F: f64 = 96485.33212331001;
pub const R_GAS: f64 = 8.31446261815324;

/// A function of stoichiometry (OCPs) or of (stoichiometry, T) (diffusivities).
pub type Ocp = fn(f64) -> f64;
pub type Diffusivity = fn(f64, f64) -> f64;
/// Exchange-current density j0(c_e, c_s_surf, c_s_max, T) [A/m2].
pub type ExchangeCurrent = fn(f64, f64, f64, f64) -> f64;
/// Electrolyte D_e(c_e, T) [m2/s] or kappa_e(c_e, T) [S/m].
pub type Electrolyte = fn(f64, f64) -> f64;

/// One electrode.
#[derive(Clone, Debug)]
pub struct Electrode {
    pub thickness: f64,
    pub particle_radius: f64,
    /// Active material volume fraction.
    pub eps_s: f64,
    /// Electrolyte volume fraction (porosity).
    pub porosity: f64,
    pub bruggeman: f64,
    pub conductivity: f64,
    pub c_max: f64,
    pub ocp: Ocp,
    pub diffusivity: Diffusivity,
    pub j0: ExchangeCurrent,
}

impl Electrode {
    /// Specific surface area a = 3 eps_s / R [1/m].
    pub fn a(&self) -> f64 {
        3.0 * self.eps_s / self.particle_radius
    }
}

#[derive(Clone, Debug)]
pub struct ParameterSet {
    pub name: &'static str,
    pub neg: Electrode,
    pub pos: Electrode,
    pub sep_thickness: f64,
    pub sep_porosity: f64,
    pub sep_bruggeman: f64,
    /// Electrode area (height × width × electrodes in parallel) [m2].
    pub area: f64,
    pub c_e0: f64,
    pub t_plus: f64,
    pub d_e: Electrolyte,
    pub kappa_e: Electrolyte,
    pub nominal_capacity_ah: f64,
    pub v_min: f64,
    pub v_max: f64,
    pub temperature: f64,
    /// Initial concentrations in the parameter file (when no SOC is given).
    pub c_n0: f64,
    pub c_p0: f64,
}

fn graphite_ocp_chen2020(x: f64) -> f64 {
    1.9793 * (-39.3631 * x).exp() + 0.2482
        - 0.0909 * (29.8538 * (x - 0.1234)).tanh()
        - 0.04478 * (14.9159 * (x - 0.2769)).tanh()
        - 0.0205 * (30.4444 * (x - 0.6103)).tanh()
}

fn nmc_ocp_chen2020(y: f64) -> f64 {
    -0.809 * y + 4.4875
        - 0.0428 * (18.5138 * (y - 0.5542)).tanh()
        - 17.7326 * (15.789 * (y - 0.3117)).tanh()
        + 17.5842 * (15.9308 * (y - 0.312)).tanh()
}

fn arrhenius(e_r: f64, t: f64) -> f64 {
    (e_r / R_GAS * (1.0 / 298.15 - 1.0 / t)).exp()
}

fn j0_graphite_chen2020(c_e: f64, c_s: f64, c_max: f64, t: f64) -> f64 {
    6.48e-7 * arrhenius(35000.0, t) * c_e.sqrt() * c_s.sqrt() * (c_max - c_s).sqrt()
}

fn j0_nmc_chen2020(c_e: f64, c_s: f64, c_max: f64, t: f64) -> f64 {
    3.42e-6 * arrhenius(17800.0, t) * c_e.sqrt() * c_s.sqrt() * (c_max - c_s).sqrt()
}

fn d_e_nyman2008(c: f64, _t: f64) -> f64 {
    let c = c / 1000.0;
    8.794e-11 * c * c - 3.972e-10 * c + 4.862e-10
}

fn kappa_e_nyman2008(c: f64, _t: f64) -> f64 {
    let c = c / 1000.0;
    0.1297 * c.powi(3) - 2.51 * c.powf(1.5) + 3.329 * c
}

/// Chen2020 (LG M50 21700, graphite | NMC811), as PyBaMM 26.10 ships it.
pub fn chen2020() -> ParameterSet {
    ParameterSet {
        name: "Chen2020",
        neg: Electrode {
            thickness: 8.52e-5,
            particle_radius: 5.86e-6,
            eps_s: 0.75,
            porosity: 0.25,
            bruggeman: 1.5,
            conductivity: 215.0,
            c_max: 33133.0,
            ocp: graphite_ocp_chen2020,
            diffusivity: |_, _| 3.3e-14,
            j0: j0_graphite_chen2020,
        },
        pos: Electrode {
            thickness: 7.56e-5,
            particle_radius: 5.22e-6,
            eps_s: 0.665,
            porosity: 0.335,
            bruggeman: 1.5,
            conductivity: 0.18,
            c_max: 63104.0,
            ocp: nmc_ocp_chen2020,
            diffusivity: |_, _| 4e-15,
            j0: j0_nmc_chen2020,
        },
        sep_thickness: 1.2e-5,
        sep_porosity: 0.47,
        sep_bruggeman: 1.5,
        area: 0.065 * 1.58,
        c_e0: 1000.0,
        t_plus: 0.2594,
        d_e: d_e_nyman2008,
        kappa_e: kappa_e_nyman2008,
        nominal_capacity_ah: 5.0,
        v_min: 2.5,
        v_max: 4.2,
        temperature: 298.15,
        c_n0: 29866.0,
        c_p0: 17038.0,
    }
}

/// A built-in set by name.
pub fn builtin(name: &str) -> Option<ParameterSet> {
    match name {
        "Chen2020" => Some(chen2020()),
        _ => None,
    }
}

/// Names of the built-in sets.
pub const BUILTIN: &[&str] = &["Chen2020"];

/// Stoichiometries at a state of charge, as PyBaMM's `set_initial_state(soc)` (electrode SOH):
/// the stoichiometry window is where the OCV equals the upper cut-off (SOC 1) and the lower
/// cut-off (SOC 0), with the cyclable lithium of the parameter file's initial concentrations;
/// in between it is linear in SOC.
pub fn stoichiometries_at_soc(p: &ParameterSet, soc: f64) -> (f64, f64) {
    // Cyclable lithium [mol] of the file's initial state.
    let q_n = p.neg.eps_s * p.neg.thickness * p.area * p.neg.c_max; // mol per unit stoichiometry
    let q_p = p.pos.eps_s * p.pos.thickness * p.area * p.pos.c_max;
    let n_li = q_n * (p.c_n0 / p.neg.c_max) + q_p * (p.c_p0 / p.pos.c_max);
    // For a given x, y follows from lithium conservation.
    let y_of = |x: f64| (n_li - q_n * x) / q_p;
    let ocv = |x: f64| (p.pos.ocp)(y_of(x)) - (p.neg.ocp)(x);
    let solve = |v: f64| {
        // OCV rises with x: bisection on x in (0, 1).
        let (mut lo, mut hi) = (1e-6, 1.0 - 1e-6);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if ocv(mid) < v {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    };
    let x100 = solve(p.v_max);
    let x0 = solve(p.v_min);
    let x = x0 + soc * (x100 - x0);
    (x, y_of(x))
}

#[cfg(test)]
mod tests {
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
            assert!(((p.neg.ocp)(sto) - un).abs() < 5e-9, "U_n({sto})");
            assert!(((p.pos.ocp)(sto) - up).abs() < 5e-9, "U_p({sto})");
        }
        let j0n = (p.neg.j0)(1000.0, 0.5 * p.neg.c_max, p.neg.c_max, 298.15);
        assert!((j0n / 3.39473416e-01 - 1.0).abs() < 1e-8);
        let j0p = (p.pos.j0)(1000.0, 0.1 * p.pos.c_max, p.pos.c_max, 298.15);
        assert!((j0p / 2.04740731e+00 - 1.0).abs() < 1e-8);
        assert!(((p.d_e)(500.0, 298.15) / 3.09585e-10 - 1.0).abs() < 1e-9);
        assert!(((p.kappa_e)(250.0, 298.15) / 5.20526563e-01 - 1.0).abs() < 1e-8);
        assert!((p.neg.a() - 383959.04).abs() < 0.01);
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
