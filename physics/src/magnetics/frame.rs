//! A right-handed local frame for coils defined in their own plane (racetracks, helices).

use super::{dot, finite3, unit, V3};

/// Local axes e1, e2, e3 at `origin`: e3 along the coil axis, e1 along a reference direction
/// in the coil plane, e2 = e3 × e1. A local point (a, b, c) sits at origin + a e1 + b e2 + c e3.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub origin: V3,
    pub e1: V3,
    pub e2: V3,
    pub e3: V3,
}

impl Frame {
    /// The frame with e3 along `axis` and e1 along the part of `direction` normal to the axis.
    /// Errors when either is zero or non-finite, or `direction` is (nearly) parallel to `axis`.
    pub fn new(origin: V3, axis: V3, direction: V3) -> Result<Self, String> {
        finite3("frame origin", origin)?;
        let e3 = unit("axis", axis)?;
        let d = unit("direction", direction)?;
        let along = dot(d, e3);
        let p = [
            d[0] - along * e3[0],
            d[1] - along * e3[1],
            d[2] - along * e3[2],
        ];
        // Below 1e-6 the projection has lost most of its digits: refuse rather than guess.
        if dot(p, p).sqrt() < 1e-6 {
            return Err(format!(
                "direction {direction:?} is parallel to the axis {axis:?}; give a direction in the coil plane"
            ));
        }
        let e1 = unit("direction", p)?;
        let e2 = [
            e3[1] * e1[2] - e3[2] * e1[1],
            e3[2] * e1[0] - e3[0] * e1[2],
            e3[0] * e1[1] - e3[1] * e1[0],
        ];
        Ok(Self { origin, e1, e2, e3 })
    }

    /// The global position of local point `p`.
    pub fn to_global(&self, p: V3) -> V3 {
        let o = self.origin;
        let (a, b, c) = (self.e1, self.e2, self.e3);
        [
            o[0] + (p[0] * a[0] + p[1] * b[0] + p[2] * c[0]),
            o[1] + (p[0] * a[1] + p[1] * b[1] + p[2] * c[1]),
            o[2] + (p[0] * a[2] + p[1] * b[2] + p[2] * c[2]),
        ]
    }
}
