//! Heat conduction: the volume kernel, volumetric sources and thermal boundary conditions.

pub mod bcs;
mod heat_conduction;
mod source;

pub use heat_conduction::{HeatConduction, HeatConductionOptions};
pub use source::{NonlinearSourceFn, Source, SourceValue};

use std::fmt;
use std::sync::Arc;

/// A scalar function of position (m) and time (s), e.g. a manufactured boundary value.
pub type SpaceTimeFn = Arc<dyn Fn([f64; 3], f64) -> f64 + Send + Sync>;

/// A boundary value: a constant or a function of (x, t).
#[derive(Clone)]
pub enum Value {
    Constant(f64),
    Function(SpaceTimeFn),
}

impl Value {
    /// A function value from a closure.
    pub fn function(f: impl Fn([f64; 3], f64) -> f64 + Send + Sync + 'static) -> Self {
        Value::Function(Arc::new(f))
    }

    /// The value at (x, t).
    #[inline]
    pub fn at(&self, x: [f64; 3], t: f64) -> f64 {
        match self {
            Value::Constant(v) => *v,
            Value::Function(f) => f(x, t),
        }
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Constant(v)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Constant(v) => write!(f, "Constant({v})"),
            Value::Function(_) => write!(f, "Function(..)"),
        }
    }
}
