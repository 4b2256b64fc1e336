//! Electrochemical impedance spectroscopy: equivalent-circuit models written in impedance.py's
//! grammar (`R0-p(R1,CPE1)-W1`), bounded Levenberg–Marquardt fits with standard errors and
//! correlations, and the Lin-KK validity check (Schönleber et al. 2014). See docs/eis.md.

pub mod circuit;
pub mod complex;
pub mod data;
pub mod elements;
pub mod fit;
mod linalg;
pub mod linkk;
pub mod report;

pub use circuit::{Circuit, ParseError};
pub use complex::C64;
pub use elements::Kind;
pub use fit::{fit, FitError, FitOptions, FitResult, Weighting};
pub use linkk::{lin_kk, LinKkOptions, LinKkResult};
