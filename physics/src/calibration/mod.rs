//! Fitting models to measurements: equivalent-circuit fits of impedance spectra ([`eis`]).

pub mod eis;
