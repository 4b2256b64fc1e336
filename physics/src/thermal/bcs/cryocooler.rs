//! A cryocooler stage on a boundary (`[bcs.X] type = "cryocooler"`): the stage's capacity
//! curve P(T) (W, a table interpolated as in the cryostat network, `cryostat::Stage`) spread
//! over the boundary's area A, applied pointwise: q(T) = P(T)/A leaves the body. For a nearly
//! isothermal boundary the total heat removed is P(T); with gradients along the boundary it is
//! the area average of P(T)/A, which a cold head bolted to a finite plate only approximates.

use crate::cryostat::Stage;
use crate::kernel::{BoundaryKernel, Point};
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// A capacity curve divided by the area it acts on.
#[derive(Clone, Debug)]
pub struct Cryocooler {
    pub stage: Stage,
    /// m².
    pub area: f64,
}

impl Cryocooler {
    /// Checked constructor: a valid capacity table (see [`Stage::new`]) and area > 0.
    pub fn new(capacity: &[(f64, f64)], area: f64) -> Result<Self, String> {
        if !(area.is_finite() && area > 0.0) {
            return Err(format!("cryocooler: `area` must be > 0 m², got {area}"));
        }
        let stage = Stage::new("cryocooler", capacity, None)
            .map_err(|(_, m)| format!("cryocooler: `capacity`: {m}"))?;
        Ok(Self { stage, area })
    }

    /// Deck parameters of `type = "cryocooler"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "cryocooler",
            description: "Cryocooler stage on a boundary: outward flux P(T)/area from the stage's capacity table \
                          (monotone cubic; below the first temperature the slope is extended, so the stage \
                          stops cooling at its base temperature).",
            params: vec![
                super::boundary_param(),
                ParamSpec::required(
                    "capacity",
                    ParamKind::Table,
                    "K, W",
                    "Capacity table [[temperature, power], ...]: temperatures strictly increasing, power non-decreasing.",
                ),
                ParamSpec::required(
                    "area",
                    ParamKind::Float { min: Some(0.0), max: None },
                    "m^2",
                    "Total area of the boundary the stage's power is spread over.",
                ),
            ],
        }
    }
}

impl BoundaryKernel for Cryocooler {
    fn flux(&self, p: &Point, _normal: [f64; 3], b0: &mut [f64], db0: &mut [f64]) {
        let (q, dq) = self.stage.power(p.u[0]);
        b0[0] = q / self.area;
        db0[0] = dq / self.area;
    }
}
