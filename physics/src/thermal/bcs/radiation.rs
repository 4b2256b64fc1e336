//! Gray-body radiation to large surroundings (`[bcs.X] type = "radiation"`).

use super::STEFAN_BOLTZMANN;
use crate::kernel::{BoundaryKernel, Point};
use galvana_decks::schema::ObjectSpec;

/// Outward flux b0 = ε σ (T⁴ − T∞⁴), db0/dT = 4 ε σ T³: a gray surface seeing surroundings
/// that are large (or black) at T∞.
///
/// For T < 0 (only during a diverging Newton iterate) T⁴ is replaced by T·|T|³ so that b0
/// stays monotone increasing in T and Newton is pushed back up instead of further down.
#[derive(Clone, Debug, PartialEq)]
pub struct Radiation {
    /// Surface emissivity in (0, 1].
    pub emissivity: f64,
    /// Surroundings temperature, K.
    pub t_inf: f64,
}

impl Radiation {
    /// Checked constructor: ε in (0, 1], T∞ finite and > 0 K.
    pub fn new(emissivity: f64, t_inf: f64) -> Result<Self, String> {
        Ok(Self {
            emissivity: super::emissivity("radiation", emissivity)?,
            t_inf: super::sink_temperature("radiation", t_inf)?,
        })
    }

    /// Deck parameters of `type = "radiation"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "radiation",
            description:
                "Gray-body radiation to large surroundings: outward flux eps sigma (T^4 - t_inf^4).",
            params: vec![
                super::boundary_param(),
                super::emissivity_param("Surface emissivity, in (0, 1]."),
                super::t_inf_param("Temperature of the surroundings (> 0 K)."),
            ],
        }
    }
}

/// (b0, db0/dT) for radiative exchange with effective emissivity `eps`; shared with MLI.
#[inline]
pub(crate) fn radiative_flux(eps: f64, t: f64, t_inf: f64) -> (f64, f64) {
    let a = t.abs();
    let a3 = a * a * a;
    let ti2 = t_inf * t_inf;
    (
        eps * STEFAN_BOLTZMANN * (t * a3 - ti2 * ti2),
        4.0 * eps * STEFAN_BOLTZMANN * a3,
    )
}

impl BoundaryKernel for Radiation {
    fn flux(&self, p: &Point, _normal: [f64; 3], b0: &mut [f64], db0: &mut [f64]) {
        (b0[0], db0[0]) = radiative_flux(self.emissivity, p.u[0], self.t_inf);
    }
}
