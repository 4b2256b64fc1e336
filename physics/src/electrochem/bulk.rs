//! The bulk solution (`[bcs.X] type = "bulk"`): every concentration held at its bulk value and
//! the potential at the reference value (where a reference or counter electrode would sit).

use super::Electrolyte;
use crate::kernel::BoundaryKernel;
use crate::ParamGetter;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use std::sync::Arc;

/// Dirichlet values of every unknown.
#[derive(Debug)]
pub struct Bulk {
    values: Vec<f64>,
}

impl Bulk {
    pub fn new(electrolyte: Arc<Electrolyte>, potential: f64) -> Self {
        let mut values = electrolyte.bulk_state();
        *values.last_mut().unwrap() = potential;
        Self { values }
    }

    pub fn from_params(
        get: &dyn ParamGetter,
        electrolyte: Arc<Electrolyte>,
    ) -> Result<Self, String> {
        let v = get.f64("potential").unwrap_or(0.0);
        if !v.is_finite() {
            return Err(format!("bulk: `potential` must be finite, got {v}"));
        }
        Ok(Self::new(electrolyte, v))
    }

    /// Deck parameters of `type = "bulk"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "bulk",
            description: "Bulk solution: concentrations at their bulk values and the solution \
                          potential at `potential` (the reference for electrode potentials).",
            params: vec![
                crate::thermal::bcs::boundary_param(),
                ParamSpec::optional(
                    "potential",
                    ParamKind::Float {
                        min: None,
                        max: None,
                    },
                    "V",
                    "0.0",
                    "Solution potential held here.",
                ),
            ],
        }
    }
}

impl BoundaryKernel for Bulk {
    fn dirichlet(&self, _x: [f64; 3], _t: f64, c: usize) -> Option<f64> {
        self.values.get(c).copied()
    }
    fn is_dirichlet(&self, c: usize) -> bool {
        c < self.values.len()
    }
}
