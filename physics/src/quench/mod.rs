//! Quench of a superconducting magnet: normal-zone propagation along the conductor (1D
//! thermal–electric, lumped-mass linear finite elements) coupled to the magnet circuit
//! (inductance, detection threshold and delay, switch, dump resistor).
//!
//! The conductor is a composite of copper stabiliser and superconductor carrying the magnet
//! current I. Below the current-sharing temperature the superconductor carries all of it; above,
//! it carries its critical current Ic(B, T) = A_sc·Jc and the copper the rest, and the heat per
//! length is E·I with E = ρ_Cu·I_Cu/A_Cu (the linear current-sharing model). The field on the
//! conductor scales with the current (B = k·I, the peak field on the load line, conservative).
//! Heat capacity and conduction are the copper's ([`copper`]); the superconductor's and the
//! insulation's heat capacity are neglected, which overestimates the hot spot.

pub mod circuit;
pub mod conductor;
pub mod copper;
pub mod deck;
pub mod miits;
pub mod solver;

pub use circuit::Circuit;
pub use conductor::{Conductor, ConductorMaterial};
pub use solver::{run, Heater, Mesh, Outcome, Row, Settings};
