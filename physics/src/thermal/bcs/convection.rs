//! Newton cooling (`[bcs.X] type = "convection"`).

use crate::kernel::{BoundaryKernel, Point};
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// Outward flux b0 = h (T − T∞).
#[derive(Clone, Debug, PartialEq)]
pub struct Convection {
    /// Heat-transfer coefficient, W/(m² K), ≥ 0.
    pub h: f64,
    /// Fluid (sink) temperature, K.
    pub t_inf: f64,
}

impl Convection {
    /// Checked constructor: h finite and ≥ 0, T∞ finite and > 0 K.
    pub fn new(h: f64, t_inf: f64) -> Result<Self, String> {
        if !(h.is_finite() && h >= 0.0) {
            return Err(format!("convection: `h` must be finite and >= 0, got {h}"));
        }
        Ok(Self {
            h,
            t_inf: super::sink_temperature("convection", t_inf)?,
        })
    }

    /// Deck parameters of `type = "convection"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "convection",
            description: "Convective exchange with a fluid: outward flux h (T - t_inf).",
            params: vec![
                super::boundary_param(),
                ParamSpec::required(
                    "h",
                    ParamKind::Float {
                        min: Some(0.0),
                        max: None,
                    },
                    "W/(m^2 K)",
                    "Heat-transfer coefficient (>= 0).",
                ),
                super::t_inf_param("Fluid temperature (> 0 K)."),
            ],
        }
    }
}

impl BoundaryKernel for Convection {
    fn flux(&self, p: &Point, _normal: [f64; 3], b0: &mut [f64], db0: &mut [f64]) {
        b0[0] = self.h * (p.u[0] - self.t_inf);
        db0[0] = self.h;
    }
}
