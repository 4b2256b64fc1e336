//! Prescribed heat flux (`[bcs.X] type = "heat_flux"`).

use crate::kernel::{BoundaryKernel, Point};
use crate::thermal::Value;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// A heat flux `q` (W/m²) flowing **into** the body; b0 = −q (b0 is the outward flux).
/// A heater is q > 0; a known heat leak out of the body is q < 0.
#[derive(Clone, Debug)]
pub struct HeatFlux {
    pub q: Value,
}

impl HeatFlux {
    /// A constant inward flux (finite).
    pub fn new(q: f64) -> Result<Self, String> {
        Ok(Self {
            q: Value::Constant(super::finite("heat_flux", "q", q)?),
        })
    }

    /// An inward flux q(x, t) (e.g. for manufactured solutions).
    pub fn function(f: impl Fn([f64; 3], f64) -> f64 + Send + Sync + 'static) -> Self {
        Self {
            q: Value::function(f),
        }
    }

    /// Deck parameters of `type = "heat_flux"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "heat_flux",
            description: "Prescribed heat flux into the body (positive heats the body).",
            params: vec![
                super::boundary_param(),
                ParamSpec::required(
                    "q",
                    ParamKind::Float {
                        min: None,
                        max: None,
                    },
                    "W/m^2",
                    "Heat flux INTO the body (positive = heating).",
                ),
            ],
        }
    }
}

impl BoundaryKernel for HeatFlux {
    fn flux(&self, p: &Point, _normal: [f64; 3], b0: &mut [f64], db0: &mut [f64]) {
        b0[0] = -self.q.at(p.x, p.t);
        db0[0] = 0.0;
    }
}
