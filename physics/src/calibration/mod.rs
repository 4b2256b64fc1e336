//! Fitting models to measurements: equivalent-circuit fits of impedance spectra ([`eis`]), and
//! the generic calibration machinery — parameters in a transformed space with bounds
//! ([`problem`]), bounded least squares with covariances ([`lsq`]), an affine-invariant
//! ensemble sampler ([`mcmc`]) and its convergence diagnostics ([`diagnostics`]) — with the
//! models it fits: battery cells driven by a measured current ([`battery`]), equivalent
//! circuits of a spectrum ([`circuit`]) and cells' linearised impedance fitted to a spectrum
//! ([`spectrum`]). See docs/calibration.md.

pub mod battery;
pub mod circuit;
pub mod deck;
pub mod diagnostics;
pub mod eis;
pub mod lsq;
pub mod mcmc;
pub mod problem;
pub mod rng;
pub mod spectrum;
pub mod stats;
pub mod synthetic;

#[cfg(test)]
mod tests;
