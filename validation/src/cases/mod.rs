//! The validation cases, one per file.

pub mod calibration;
pub mod eis;
pub mod electrochem;
pub mod energy;
pub mod kirchhoff;
pub mod mms;
pub mod pybamm;
pub mod radiation;
pub mod slab;

/// Case names accepted by `--cases`, in report order.
pub const NAMES: [&str; 9] = [
    "mms",
    "slab",
    "kirchhoff",
    "radiation",
    "energy",
    "pybamm",
    "electrochem",
    "eis",
    "calibration",
];
