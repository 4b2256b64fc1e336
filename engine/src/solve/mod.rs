//! Nonlinear and time-dependent solution: linear backends, Newton, BDF, the run driver.

pub mod bdf;
pub mod control;
pub mod driver;
pub mod gpu_linear;
pub mod linear;
pub mod newton;
#[cfg(feature = "petsc")]
pub mod petsc_backend;
