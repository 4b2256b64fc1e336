//! The keys of a parameter file, section by section, and what each holds.

use super::Role;

/// What a key holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A number > 0.
    Positive,
    /// A number ≥ 0.
    NonNegative,
    /// A number in (0, 1].
    Fraction,
    /// A number in [0, 1).
    Transference,
    /// A function of the role's variables (the forms are read in `functions`).
    Function(Role),
}

/// One key of a section.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub unit: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub(super) const fn req(name: &'static str, unit: &'static str, kind: Kind) -> Key {
    Key {
        name,
        unit,
        kind,
        required: true,
    }
}

pub(super) const fn opt(name: &'static str, unit: &'static str, kind: Kind) -> Key {
    Key {
        name,
        unit,
        kind,
        required: false,
    }
}

const CELL: &[Key] = &[
    req("electrode_height", "m", Kind::Positive),
    req("electrode_width", "m", Kind::Positive),
    opt("electrodes_in_parallel", "", Kind::Positive),
    req("nominal_capacity", "A.h", Kind::Positive),
    req("lower_voltage_cutoff", "V", Kind::Positive),
    req("upper_voltage_cutoff", "V", Kind::Positive),
    opt("ocv_at_soc_0", "V", Kind::Positive),
    opt("ocv_at_soc_100", "V", Kind::Positive),
    req("temperature", "K", Kind::Positive),
];

const ELECTRODE: &[Key] = &[
    req("thickness", "m", Kind::Positive),
    req("particle_radius", "m", Kind::Positive),
    req("active_material_volume_fraction", "", Kind::Fraction),
    req("porosity", "", Kind::Fraction),
    req("bruggeman_electrolyte", "", Kind::NonNegative),
    req("bruggeman_electrode", "", Kind::NonNegative),
    req("conductivity", "S/m", Kind::Positive),
    req("maximum_concentration", "mol/m3", Kind::Positive),
    req("initial_concentration", "mol/m3", Kind::NonNegative),
    req("ocp", "V", Kind::Function(Role::Ocp)),
    req(
        "diffusivity",
        "m2/s",
        Kind::Function(Role::ParticleDiffusivity),
    ),
    req(
        "exchange_current_density",
        "A/m2",
        Kind::Function(Role::ExchangeCurrent),
    ),
];

const SEPARATOR: &[Key] = &[
    req("thickness", "m", Kind::Positive),
    req("porosity", "", Kind::Fraction),
    req("bruggeman_electrolyte", "", Kind::NonNegative),
];

const ELECTROLYTE: &[Key] = &[
    req("initial_concentration", "mol/m3", Kind::Positive),
    req("transference_number", "", Kind::Transference),
    req(
        "diffusivity",
        "m2/s",
        Kind::Function(Role::ElectrolyteDiffusivity),
    ),
    req(
        "conductivity",
        "S/m",
        Kind::Function(Role::ElectrolyteConductivity),
    ),
];

/// The sections of a parameter file and their keys (besides the top-level `name`).
pub const KEYS: &[(&str, &[Key])] = &[
    ("cell", CELL),
    ("negative_electrode", ELECTRODE),
    ("separator", SEPARATOR),
    ("positive_electrode", ELECTRODE),
    ("electrolyte", ELECTROLYTE),
];

/// Keys of an inline-table function (`{ table = [...], activation_energy = 3e4 }`).
pub(super) const FUNC_KEYS: &[&str] = &["value", "table", "csv", "activation_energy"];
pub(super) const J0_KEYS: &[&str] = &["rate_constant", "activation_energy"];

pub(super) fn expected(k: &Key) -> String {
    let unit = if k.unit.is_empty() {
        String::new()
    } else {
        format!(" [{}]", k.unit)
    };
    match k.kind {
        Kind::Positive => format!("a number > 0{unit}"),
        Kind::NonNegative => format!("a number >= 0{unit}"),
        Kind::Fraction => "a number in (0, 1]".into(),
        Kind::Transference => "a number in [0, 1)".into(),
        Kind::Function(Role::ExchangeCurrent) => format!(
            "{}{unit}: a built-in function's name or {{ rate_constant = ..., activation_energy = ... }}",
            Role::ExchangeCurrent.describe()
        ),
        Kind::Function(Role::Ocp) => format!(
            "{}{unit}: a built-in function's name, a table [[sto, U], ...] or a CSV file",
            Role::Ocp.describe()
        ),
        Kind::Function(r) => format!(
            "{}{unit}: a number, a built-in function's name, a table [[x, y], ...], a CSV file, or an inline table with `activation_energy`",
            r.describe()
        ),
    }
}
