//! Grey-body radiation between two diffuse surfaces that see only each other (a two-surface
//! enclosure). The network form (Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*,
//! 6th ed., §13.3, Table 13.3) gives
//!     Q₁₂ = σ (T₁⁴ − T₂⁴) / [ (1−ε₁)/(ε₁A₁) + 1/(A₁F₁₂) + (1−ε₂)/(ε₂A₂) ],
//! which with F₁₂ = 1 becomes
//! - parallel plates (A₁ = A₂ = A): Q = σA(T₁⁴ − T₂⁴) / (1/ε₁ + 1/ε₂ − 1);
//! - an inner surface 1 enclosed by surface 2 (long concentric cylinders, concentric spheres):
//!   Q = σA₁(T₁⁴ − T₂⁴) / (1/ε₁ + (A₁/A₂)(1/ε₂ − 1)).

use crate::thermal::bcs::STEFAN_BOLTZMANN;

/// Which closed-form view arrangement a radiation link uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Geometry {
    ParallelPlates,
    /// Surface 1 (area `area`) enclosed by surface 2 (area `outer_area` ≥ `area`).
    Enclosed {
        outer_area: f64,
    },
}

/// Radiative exchange between surface 1 (`from`) and surface 2 (`to`).
#[derive(Clone, Debug, PartialEq)]
pub struct RadiationLink {
    pub geometry: Geometry,
    /// Area of surface 1, m².
    pub area: f64,
    pub emissivity_from: f64,
    pub emissivity_to: f64,
}

impl RadiationLink {
    /// Checked constructor: emissivities in (0, 1], areas > 0, an enclosing area ≥ the inner.
    pub fn new(geometry: Geometry, area: f64, e1: f64, e2: f64) -> Result<Self, String> {
        for (what, e) in [("from_emissivity", e1), ("to_emissivity", e2)] {
            if !(e > 0.0 && e <= 1.0) {
                return Err(format!("`{what}` must be in (0, 1], got {e}"));
            }
        }
        if !(area.is_finite() && area > 0.0) {
            return Err(format!("`area` must be > 0 m², got {area}"));
        }
        if let Geometry::Enclosed { outer_area } = geometry {
            if !(outer_area.is_finite() && outer_area >= area) {
                return Err(format!(
                    "`to_area` ({outer_area} m²) must be at least the enclosed `area` ({area} m²)"
                ));
            }
        }
        Ok(Self {
            geometry,
            area,
            emissivity_from: e1,
            emissivity_to: e2,
        })
    }

    /// The effective emissivity ε_eff with Q = σ ε_eff A₁ (T₁⁴ − T₂⁴).
    pub fn effective_emissivity(&self) -> f64 {
        let (e1, e2) = (self.emissivity_from, self.emissivity_to);
        match self.geometry {
            Geometry::ParallelPlates => 1.0 / (1.0 / e1 + 1.0 / e2 - 1.0),
            Geometry::Enclosed { outer_area } => {
                1.0 / (1.0 / e1 + self.area / outer_area * (1.0 / e2 - 1.0))
            }
        }
    }

    /// (Q from 1 to 2, ∂Q/∂T₁, ∂Q/∂T₂), W and W/K.
    pub fn flow(&self, t1: f64, t2: f64) -> (f64, f64, f64) {
        let c = STEFAN_BOLTZMANN * self.effective_emissivity() * self.area;
        (
            c * (t1.powi(4) - t2.powi(4)),
            4.0 * c * t1.powi(3),
            -4.0 * c * t2.powi(3),
        )
    }
}
