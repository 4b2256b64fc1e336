//! Battery parameter sets: the scalars and functions a single-particle or Newman (DFN) model
//! needs, in SI units. Built-in sets follow PyBaMM's (`Chen2020`, `Marquis2019`) value for
//! value; user sets come from parameter files (`file`). See `docs/battery.md`.
//!
//! Functions are an enum (a built-in `fn`, a constant or a monotone table) rather than trait
//! objects: the DFN residual evaluates them at every node many times per Newton iteration, and
//! a `match` on a small enum costs less than the `tanh`/`exp` inside the built-ins.

pub mod chen2020;
pub mod file;
pub mod marquis2019;

use crate::materials::MonotoneCubic;
use std::sync::Arc;

pub use chen2020::chen2020;
pub use marquis2019::marquis2019;

/// Faraday constant [C/mol] and gas constant [J/(mol K)] (CODATA 2018, as PyBaMM).
pub const F: f64 = 96485.33212331001;
pub const R_GAS: f64 = 8.31446261815324;

/// The temperature at which PyBaMM's Arrhenius factors are 1 [K].
pub const T_REF: f64 = 298.15;

/// exp(E/R (1/T_ref − 1/T)), PyBaMM's Arrhenius factor (1 at T_ref without an `exp`: the
/// exchange currents take it at every node and iteration).
pub fn arrhenius(e_act: f64, t: f64) -> f64 {
    if t == T_REF {
        return 1.0;
    }
    (e_act / R_GAS * (1.0 / T_REF - 1.0 / t)).exp()
}

/// tanh from one `exp`, 1 − 2/(e^{2|x|} + 1) with x's sign: to within 3e-16 absolute of the
/// standard library's, which costs about three times as much (the built-in open-circuit
/// potentials are sums of tanh steps, evaluated at every electrode node and iteration; an
/// absolute error is what a potential in volts can use).
#[inline]
pub fn tanh(x: f64) -> f64 {
    let e = (2.0 * x.abs()).exp();
    (1.0 - 2.0 / (e + 1.0)).copysign(x)
}

/// A built-in f(x, T).
pub type FnXT = fn(f64, f64) -> f64;
/// A built-in j0(c_e, c_s_surf, c_s_max, T).
pub type FnJ0 = fn(f64, f64, f64, f64) -> f64;
/// Named built-in f(x, T) functions with their roles.
pub type NamedFns = &'static [(&'static str, Role, FnXT)];
/// Named built-in exchange-current densities.
pub type NamedJ0s = &'static [(&'static str, FnJ0)];

/// What a material function is for; built-in functions are looked up by name and role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// U(stoichiometry) [V].
    Ocp,
    /// D_s(stoichiometry, T) [m²/s].
    ParticleDiffusivity,
    /// D_e(c_e, T) [m²/s].
    ElectrolyteDiffusivity,
    /// κ_e(c_e, T) [S/m].
    ElectrolyteConductivity,
    /// j0(c_e, c_s_surf, c_s_max, T) [A/m²].
    ExchangeCurrent,
}

impl Role {
    pub fn describe(self) -> &'static str {
        match self {
            Role::Ocp => "an open-circuit potential U(sto)",
            Role::ParticleDiffusivity => "a particle diffusivity D(sto, T)",
            Role::ElectrolyteDiffusivity => "an electrolyte diffusivity D_e(c_e, T)",
            Role::ElectrolyteConductivity => "an electrolyte conductivity kappa_e(c_e, T)",
            Role::ExchangeCurrent => "an exchange-current density j0(c_e, c_s, c_max, T)",
        }
    }
}

/// A tabulated function: monotone cubic through the knots.
#[derive(Debug)]
pub struct Table {
    pub curve: MonotoneCubic,
    /// Outside the knots: continue with the end slope (OCPs, where holding the end value would
    /// flatten the curve the SOC search and the cut-off events rely on) or hold the end value
    /// (transport properties, which must stay positive).
    pub linear_extrapolation: bool,
}

impl Table {
    fn eval(&self, x: f64) -> f64 {
        if self.linear_extrapolation {
            let (lo, hi) = self.curve.range();
            let m = self.curve.slopes();
            if x < lo {
                return self.curve.eval(lo) + m[0] * (x - lo);
            }
            if x > hi {
                return self.curve.eval(hi) + m[m.len() - 1] * (x - hi);
            }
        }
        self.curve.eval(x)
    }
}

#[derive(Clone, Debug)]
enum FuncKind {
    Builtin { name: &'static str, f: FnXT },
    Constant(f64),
    Table(Arc<Table>),
}

/// A function of one state variable and temperature, f(x, T): an OCP (x = stoichiometry, T
/// unused; entropic terms are ignored, the models being isothermal), a particle diffusivity
/// (x = stoichiometry) or an electrolyte property (x = c_e [mol/m³]). Constants and tables may
/// carry an Arrhenius factor.
#[derive(Clone, Debug)]
pub struct Func {
    kind: FuncKind,
    /// Activation energy [J/mol] of an Arrhenius factor applied on top; 0 for none.
    activation_energy: f64,
    /// A constant multiplier applied on top (1 unless a calibration scales the function).
    factor: f64,
}

impl Func {
    pub fn builtin(name: &'static str, f: FnXT) -> Func {
        Func {
            kind: FuncKind::Builtin { name, f },
            activation_energy: 0.0,
            factor: 1.0,
        }
    }

    pub fn constant(v: f64) -> Func {
        Func {
            kind: FuncKind::Constant(v),
            activation_energy: 0.0,
            factor: 1.0,
        }
    }

    pub fn table(t: Table) -> Func {
        Func {
            kind: FuncKind::Table(Arc::new(t)),
            activation_energy: 0.0,
            factor: 1.0,
        }
    }

    pub fn with_arrhenius(mut self, activation_energy: f64) -> Func {
        self.activation_energy = activation_energy;
        self
    }

    /// The function multiplied by `factor` (calibrations fit such factors).
    pub fn scaled(mut self, factor: f64) -> Func {
        self.factor *= factor;
        self
    }

    #[inline]
    pub fn eval(&self, x: f64, t: f64) -> f64 {
        let v = match &self.kind {
            FuncKind::Builtin { f, .. } => f(x, t),
            FuncKind::Constant(v) => *v,
            FuncKind::Table(tab) => tab.eval(x),
        };
        self.finish(v, self.arrhenius(t))
    }

    /// The Arrhenius factor at `t`, if the function has one.
    #[inline]
    fn arrhenius(&self, t: f64) -> Option<f64> {
        (self.activation_energy != 0.0).then(|| arrhenius(self.activation_energy, t))
    }

    /// The kind's value `v` times the Arrhenius factor `arr` and the calibration factor.
    #[inline]
    fn finish(&self, v: f64, arr: Option<f64>) -> f64 {
        let v = arr.map_or(v, |a| v * a);
        if self.factor != 1.0 {
            v * self.factor
        } else {
            v
        }
    }

    /// `xs[k] ← f(xs[k], T)` for every entry, as [`Func::eval`] but with the kind and the
    /// Arrhenius factor worked out once (the SPMe's electrolyte takes D_e at every cell each
    /// step).
    pub fn eval_in_place(&self, xs: &mut [f64], t: f64) {
        let arr = self.arrhenius(t);
        let finish = |v: f64| self.finish(v, arr);
        match &self.kind {
            FuncKind::Builtin { f, .. } => xs.iter_mut().for_each(|x| *x = finish(f(*x, t))),
            FuncKind::Constant(v) => xs.fill(finish(*v)),
            FuncKind::Table(tab) => xs.iter_mut().for_each(|x| *x = finish(tab.eval(*x))),
        }
    }

    /// Whether the value does not depend on x (it may still depend on T).
    pub fn is_constant_in_x(&self) -> bool {
        matches!(self.kind, FuncKind::Constant(_))
    }

    /// The built-in function's name, if it is one.
    pub fn builtin_name(&self) -> Option<&'static str> {
        match self.kind {
            FuncKind::Builtin { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Exchange-current density j0(c_e, c_s_surf, c_s_max, T) [A/m²].
#[derive(Clone, Debug)]
pub enum ExchangeCurrent {
    Builtin {
        name: &'static str,
        f: FnJ0,
    },
    /// PyBaMM's usual form m_ref · arrhenius(E) · √c_e · √c_s · √(c_max − c_s) (the same
    /// operations in the same order as the built-ins, so a file can reproduce them exactly).
    RateConstant {
        m_ref: f64,
        activation_energy: f64,
    },
    /// Another exchange current times a constant factor (fitted by calibrations).
    Scaled {
        inner: Arc<ExchangeCurrent>,
        factor: f64,
    },
}

impl ExchangeCurrent {
    /// Whether j0 is proportional to √c_e at fixed c_s and T (the rate-constant form and every
    /// built-in; a test checks the built-ins): the SPMe then takes j0 across an electrode as
    /// j0(c_ref)·√(c_e/c_ref), one evaluation instead of one per cell.
    pub fn is_sqrt_in_ce(&self) -> bool {
        match self {
            ExchangeCurrent::Builtin { .. } | ExchangeCurrent::RateConstant { .. } => true,
            ExchangeCurrent::Scaled { inner, .. } => inner.is_sqrt_in_ce(),
        }
    }

    #[inline]
    pub fn eval(&self, c_e: f64, c_s: f64, c_max: f64, t: f64) -> f64 {
        match self {
            ExchangeCurrent::Builtin { f, .. } => f(c_e, c_s, c_max, t),
            ExchangeCurrent::RateConstant {
                m_ref,
                activation_energy,
            } => {
                m_ref
                    * arrhenius(*activation_energy, t)
                    * c_e.sqrt()
                    * c_s.sqrt()
                    * (c_max - c_s).sqrt()
            }
            ExchangeCurrent::Scaled { inner, factor } => factor * inner.eval(c_e, c_s, c_max, t),
        }
    }
}

/// One electrode.
#[derive(Clone, Debug)]
pub struct Electrode {
    pub thickness: f64,
    pub particle_radius: f64,
    /// Active material volume fraction.
    pub eps_s: f64,
    /// Electrolyte volume fraction (porosity).
    pub porosity: f64,
    /// Bruggeman exponent of the electrolyte in this electrode (ε^b).
    pub bruggeman: f64,
    /// Bruggeman exponent of the solid (σ_eff = (1 − ε)^b σ); 0 for Chen2020, 1.5 for
    /// Marquis2019.
    pub bruggeman_electrode: f64,
    pub conductivity: f64,
    pub c_max: f64,
    pub ocp: Func,
    pub diffusivity: Func,
    pub j0: ExchangeCurrent,
}

impl Electrode {
    /// Specific surface area a = 3 eps_s / R [1/m].
    pub fn a(&self) -> f64 {
        3.0 * self.eps_s / self.particle_radius
    }

    /// Effective solid conductivity (1 − ε)^b σ [S/m]: PyBaMM's electrode transport
    /// efficiency takes the whole solid fraction 1 − porosity (binder and additives included),
    /// not the active fraction ε_s (models/submodels/transport_efficiency/bruggeman.py).
    pub fn sigma_eff(&self) -> f64 {
        self.conductivity * (1.0 - self.porosity).powf(self.bruggeman_electrode)
    }

    /// U(sto) [V].
    #[inline]
    pub fn u(&self, sto: f64) -> f64 {
        self.ocp.eval(sto, T_REF)
    }
}

#[derive(Clone, Debug)]
pub struct ParameterSet {
    /// `Chen2020`, `Marquis2019`, or the parameter file's `name`.
    pub name: Arc<str>,
    pub neg: Electrode,
    pub pos: Electrode,
    pub sep_thickness: f64,
    pub sep_porosity: f64,
    pub sep_bruggeman: f64,
    /// Electrode area (height × width × electrodes in parallel) [m2].
    pub area: f64,
    pub c_e0: f64,
    pub t_plus: f64,
    pub d_e: Func,
    pub kappa_e: Func,
    pub nominal_capacity_ah: f64,
    pub v_min: f64,
    pub v_max: f64,
    /// OCVs that define SOC 0 and SOC 1 for `stoichiometries_at_soc` (PyBaMM's "Open-circuit
    /// voltage at 0% / 100% SOC"; the cut-offs in both built-in sets).
    pub ocv_soc_0: f64,
    pub ocv_soc_100: f64,
    pub temperature: f64,
    /// Initial concentrations in the parameter set [mol/m³]; with the maxima they fix the
    /// cyclable lithium that `stoichiometries_at_soc` conserves.
    pub c_n0: f64,
    pub c_p0: f64,
}

/// Names of the built-in sets.
pub const BUILTIN: &[&str] = &["Chen2020", "Marquis2019"];

/// A built-in set by name.
pub fn builtin(name: &str) -> Option<ParameterSet> {
    match name {
        "Chen2020" => Some(chen2020()),
        "Marquis2019" => Some(marquis2019()),
        _ => None,
    }
}

/// The built-in functions a parameter file may name, with their roles.
pub fn builtin_functions() -> Vec<(&'static str, Role)> {
    let mut v: Vec<(&'static str, Role)> = Vec::new();
    for (name, role, _) in chen2020::FUNCTIONS.iter().chain(marquis2019::FUNCTIONS) {
        v.push((name, *role));
    }
    for (name, _, _) in marquis2019::DIFFUSIVITIES {
        v.push((name, Role::ParticleDiffusivity));
    }
    for (name, _) in chen2020::J0.iter().chain(marquis2019::J0) {
        v.push((name, Role::ExchangeCurrent));
    }
    v
}

/// The built-in f(x, T) called `name`, if there is one with that role.
pub fn builtin_func(name: &str, role: Role) -> Option<Func> {
    if role == Role::ParticleDiffusivity {
        if let Some((_, d, e)) = marquis2019::DIFFUSIVITIES
            .iter()
            .find(|(n, _, _)| *n == name)
        {
            return Some(Func::constant(*d).with_arrhenius(*e));
        }
    }
    chen2020::FUNCTIONS
        .iter()
        .chain(marquis2019::FUNCTIONS)
        .find(|(n, r, _)| *n == name && *r == role)
        .map(|(n, _, f)| Func::builtin(n, *f))
}

/// The built-in exchange-current density called `name`, if there is one.
pub fn builtin_j0(name: &str) -> Option<ExchangeCurrent> {
    chen2020::J0
        .iter()
        .chain(marquis2019::J0)
        .find(|(n, _)| *n == name)
        .map(|(n, f)| ExchangeCurrent::Builtin { name: n, f: *f })
}

/// Stoichiometries at a state of charge, as PyBaMM's `set_initial_state(soc)` (electrode SOH):
/// the stoichiometry window is where the OCV equals `ocv_soc_100` (SOC 1) and `ocv_soc_0`
/// (SOC 0), with the cyclable lithium of the parameter set's initial concentrations; in
/// between it is linear in SOC. For a set whose window does not exist, the ends of (0, 1);
/// [`soc_window`] says why.
pub fn stoichiometries_at_soc(p: &ParameterSet, soc: f64) -> (f64, f64) {
    let (x0, x100, y_of) = window(p);
    let x = x0 + soc * (x100 - x0);
    (x, y_of(x))
}

/// Negative and positive stoichiometries (x, y).
pub type Stoichiometries = (f64, f64);

/// The stoichiometries (x, y) at SOC 0 and SOC 1, or why there are none: the OCV does not
/// reach `ocv_soc_0`/`ocv_soc_100` inside the electrodes' stoichiometry range with this
/// cyclable lithium (a parameter file's OCPs, voltages or initial concentrations disagree).
pub fn soc_window(p: &ParameterSet) -> Result<[Stoichiometries; 2], String> {
    let (x0, x100, y_of) = window(p);
    let ocv = |x: f64| p.pos.u(y_of(x)) - p.neg.u(x);
    for (x, v, what) in [(x0, p.ocv_soc_0, "0 %"), (x100, p.ocv_soc_100, "100 %")] {
        let y = y_of(x);
        if (ocv(x) - v).abs() > 1e-6 || !(0.0..=1.0).contains(&y) {
            return Err(format!(
                "{}: no stoichiometries give the OCV at {what} SOC ({v} V) with this cyclable lithium: \
                 the OCV goes from {:.4} V to {:.4} V as x goes from 0 to 1, with y from {:.4} to {:.4}",
                p.name,
                ocv(1e-6),
                ocv(1.0 - 1e-6),
                y_of(0.0),
                y_of(1.0)
            ));
        }
    }
    Ok([(x0, y_of(x0)), (x100, y_of(x100))])
}

/// x at SOC 0 and 1, and y(x) from lithium conservation.
fn window(p: &ParameterSet) -> (f64, f64, impl Fn(f64) -> f64 + '_) {
    // Cyclable lithium [mol] of the file's initial state.
    let q_n = p.neg.eps_s * p.neg.thickness * p.area * p.neg.c_max; // mol per unit stoichiometry
    let q_p = p.pos.eps_s * p.pos.thickness * p.area * p.pos.c_max;
    let n_li = q_n * (p.c_n0 / p.neg.c_max) + q_p * (p.c_p0 / p.pos.c_max);
    let y_of = move |x: f64| (n_li - q_n * x) / q_p;
    let ocv = |x: f64| p.pos.u(y_of(x)) - p.neg.u(x);
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
    (solve(p.ocv_soc_0), solve(p.ocv_soc_100), y_of)
}

#[cfg(test)]
mod fast_math_tests {
    #[test]
    fn tanh_matches_std_to_an_absolute_3e_16() {
        let mut x = -40.0;
        while x <= 40.0 {
            let (a, b) = (super::tanh(x), x.tanh());
            assert!((a - b).abs() <= 3e-16, "{x}: {a} vs {b}");
            x += 1e-3 * std::f64::consts::PI;
        }
        assert_eq!(super::tanh(800.0), 1.0);
        assert_eq!(super::tanh(-800.0), -1.0);
        assert_eq!(super::tanh(0.0), 0.0);
        assert!(super::arrhenius(35000.0, 298.15) == 1.0);
        assert!(
            (super::arrhenius(35000.0, 308.15)
                - (35000.0 / super::R_GAS * (1.0 / 298.15 - 1.0 / 308.15)).exp())
            .abs()
                < 1e-15
        );
    }
}
