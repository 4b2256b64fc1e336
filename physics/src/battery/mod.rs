//! Lithium-ion cell models (PyBaMM's family): parameter sets, the single particle model, and
//! experiments ("Discharge at 1C until 2.5 V", …). No MPI; the engine runs these per cell.

pub mod banded;
pub mod deck;
pub mod dfn;
pub mod electrolyte;
pub mod experiment;
pub mod params;
pub mod runner;
pub mod sphere;
pub mod spm;
pub mod spme;

/// A cell model the experiment runner can drive.
pub trait Cell: Clone {
    /// The state after `h` seconds at constant current `i` [A] (positive on discharge).
    fn advanced(&self, h: f64, i: f64) -> Self;
    /// Terminal voltage [V] at current `i`.
    fn voltage(&self, i: f64) -> f64;
    /// Forget the time-stepping history (the current is about to jump).
    fn restart_history(&mut self);
    fn nominal_capacity_ah(&self) -> f64;
    /// Lower and upper voltage cut-offs [V].
    fn limits(&self) -> (f64, f64);
}
