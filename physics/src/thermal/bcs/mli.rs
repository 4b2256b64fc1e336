//! Multilayer insulation (`[bcs.X] type = "mli"`), radiative model.
//!
//! Model: the insulated surface, N floating radiation shields and the outer (warm) wall are
//! parallel gray diffuse plates, all with emissivity ε, with no conduction between layers.
//! Between two such plates the net flux is σ(T_a⁴ − T_b⁴)/(1/ε + 1/ε − 1). In steady state
//! each shield passes the same flux, so the N + 1 gaps act as equal resistances in series
//! (in T⁴ "potential"), and the whole stack is an equivalent gray exchange with
//!     ε_eff = 1 / ((N + 1)(2/ε − 1)),     b0 = ε_eff σ (T⁴ − T∞⁴).
//! N = 0 recovers two parallel plates, 1/(2/ε − 1) (not a small body in a large enclosure:
//! use `radiation` for that). The shields are assumed massless (quasi-steady).
//!
//! Out of scope: solid conduction through layer contacts and spacers and residual-gas
//! conduction (layer-density-dependent models such as the Lockheed equation). Real blankets
//! typically leak 2–3× more than this ideal radiative value; treat it as a lower bound.

use super::radiation::radiative_flux;
use crate::kernel::{BoundaryKernel, Point};
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// An MLI blanket of `layers` shields of emissivity `emissivity` facing surroundings at `t_inf`.
#[derive(Clone, Debug, PartialEq)]
pub struct Mli {
    /// Number of floating shields N (≥ 0; 0 = bare parallel plates).
    pub layers: u32,
    /// Emissivity of every layer surface (and of the two bounding surfaces), in (0, 1].
    pub emissivity: f64,
    /// Outer (warm) wall temperature, K.
    pub t_inf: f64,
}

impl Mli {
    /// Checked constructor: ε in (0, 1], T∞ finite and > 0 K.
    pub fn new(layers: u32, emissivity: f64, t_inf: f64) -> Result<Self, String> {
        Ok(Self {
            layers,
            emissivity: super::emissivity("mli", emissivity)?,
            t_inf: super::sink_temperature("mli", t_inf)?,
        })
    }

    /// ε_eff = 1 / ((N + 1)(2/ε − 1)).
    pub fn effective_emissivity(&self) -> f64 {
        1.0 / ((self.layers as f64 + 1.0) * (2.0 / self.emissivity - 1.0))
    }

    /// Deck parameters of `type = "mli"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "mli",
            description: "Multilayer insulation, ideal radiative model: outward flux eps_eff sigma (T^4 - t_inf^4) \
                          with eps_eff = 1/((layers+1)(2/emissivity-1)); layer conduction is not modelled.",
            params: vec![
                super::boundary_param(),
                ParamSpec::required(
                    "layers",
                    ParamKind::Int { min: Some(1), max: None },
                    "",
                    "Number of reflective shields (>= 1).",
                ),
                super::emissivity_param("Emissivity of each layer surface, in (0, 1] (aluminized Mylar ~0.03-0.05)."),
                super::t_inf_param("Temperature of the warm outer wall (> 0 K)."),
            ],
        }
    }
}

impl BoundaryKernel for Mli {
    fn flux(&self, p: &Point, _normal: [f64; 3], b0: &mut [f64], db0: &mut [f64]) {
        (b0[0], db0[0]) = radiative_flux(self.effective_emissivity(), p.u[0], self.t_inf);
    }
}
