//! The validation cases, one per file.

pub mod biot_savart;
pub mod calibration;
pub mod calibration_spectrum;
pub mod eis;
pub mod electrochem;
pub mod energy;
pub mod kirchhoff;
pub mod magnetostatic;
pub mod mms;
pub mod pybamm;
pub mod quench;
pub mod radiation;
pub mod slab;

/// Case names accepted by `--cases`, in report order.
pub const NAMES: [&str; 12] = [
    "mms",
    "slab",
    "kirchhoff",
    "radiation",
    "energy",
    "pybamm",
    "electrochem",
    "eis",
    "magnetostatic",
    "biot_savart",
    "quench",
    "calibration",
];
