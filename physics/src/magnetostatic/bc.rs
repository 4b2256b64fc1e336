//! Essential condition on the potential: A_z (planar) or ψ = r A_φ (axisymmetric) fixed.

use crate::kernel::BoundaryKernel;
use crate::thermal::Value;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// `[bcs.X] type = "magnetic_potential"`: the flux function fixed on a boundary (0 on an outer
/// boundary far from the sources, or on the axis; equal values along a boundary make it a flux
/// line, so B is tangential there).
#[derive(Debug)]
pub struct FixedPotential {
    value: Value,
}

impl FixedPotential {
    /// A constant or position-dependent value (Wb/m planar, Wb/rad = T·m² axisymmetric).
    pub fn new(value: impl Into<Value>) -> Self {
        Self {
            value: value.into(),
        }
    }

    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "magnetic_potential",
            description: "magnetostatic: fixed potential A_z (planar, Wb/m) or flux function psi = r A_phi \
                          (axisymmetric, Wb/rad) on the listed boundaries; 0 on a truncated outer \
                          boundary or the axis. Boundaries without a bc are symmetry planes where B is normal.",
            params: vec![crate::thermal::bcs::boundary_param(), ParamSpec::optional(
                "value",
                ParamKind::Float { min: None, max: None },
                "Wb/m",
                "0.0",
                "The potential's value (Wb/m planar; the same number is Wb/rad = T m^2 for axisymmetric psi).",
            )],
        }
    }
}

impl BoundaryKernel for FixedPotential {
    fn dirichlet(&self, x: [f64; 3], t: f64, c: usize) -> Option<f64> {
        (c == 0).then(|| self.value.at(x, t))
    }
    fn is_dirichlet(&self, c: usize) -> bool {
        c == 0
    }
}
