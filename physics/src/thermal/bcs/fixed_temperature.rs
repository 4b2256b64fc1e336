//! Prescribed temperature (`[bcs.X] type = "temperature"`), a Dirichlet condition.

use crate::kernel::BoundaryKernel;
use crate::thermal::Value;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// T = value(x, t) on the boundary (K).
#[derive(Clone, Debug)]
pub struct FixedTemperature {
    pub value: Value,
}

impl FixedTemperature {
    /// A constant temperature (finite, > 0 K).
    pub fn new(value: f64) -> Result<Self, String> {
        if !(value.is_finite() && value > 0.0) {
            return Err(format!(
                "temperature: `value` must be a finite temperature > 0 K, got {value}"
            ));
        }
        Ok(Self {
            value: Value::Constant(value),
        })
    }

    /// T = f(x, t) (e.g. a manufactured solution); not range-checked.
    pub fn function(f: impl Fn([f64; 3], f64) -> f64 + Send + Sync + 'static) -> Self {
        Self {
            value: Value::function(f),
        }
    }

    /// Deck parameters of `type = "temperature"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "temperature",
            description: "Prescribed temperature (Dirichlet).",
            params: vec![
                super::boundary_param(),
                ParamSpec::required(
                    "value",
                    ParamKind::Float {
                        min: Some(0.0),
                        max: None,
                    },
                    "K",
                    "Boundary temperature (> 0 K).",
                ),
            ],
        }
    }
}

impl BoundaryKernel for FixedTemperature {
    fn dirichlet(&self, x: [f64; 3], t: f64, c: usize) -> Option<f64> {
        (c == 0).then(|| self.value.at(x, t))
    }
    fn is_dirichlet(&self, c: usize) -> bool {
        c == 0
    }
}
