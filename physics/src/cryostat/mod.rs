//! Cryostat thermal network: lumped bodies (cold mass, thermal shield, ...) joined by radiation,
//! multilayer insulation and conduction through supports, with fixed heat loads and cryocooler
//! stages whose cooling power is a table of power against stage temperature.
//!
//! The unknowns are the body temperatures (and the temperature of every cooler stage that sits
//! behind a contact conductance). Time stepping is backward Euler on the bodies' enthalpies
//! m·h(T), so the heat that entered in a step equals the enthalpy change to the Newton
//! tolerance, whatever the temperature dependence of cp. See `docs/cryostat.md`.

pub mod body;
pub mod capacity;
pub mod cooler;
pub mod deck;
pub mod link;
pub mod mli;
pub mod network;
pub mod radiation;
pub mod solver;
pub mod support;

pub use body::Body;
pub use cooler::Stage;
pub use link::{Link, LinkKind};
pub use network::{Network, Node};
pub use solver::{run_transient, solve_steady, Settings, Steady, Transient};

/// The name of the fixed-temperature surroundings (the vacuum vessel) in link endpoints.
pub const AMBIENT: &str = "ambient";
