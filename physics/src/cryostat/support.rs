//! Conduction through supports (rods, straps, tubes) of a NIST material between two
//! temperatures: Q = n (A/L) ∫_{T₂}^{T₁} k(T) dT, the exact conductivity integral (not k at the
//! mean temperature, which is off by tens of percent over 300 → 4 K for G10 or stainless steel).

use crate::materials::quadrature::integrate8;
use crate::materials::ThermalMaterial;
use std::sync::Arc;

/// Spacing of the precomputed conductivity-integral grid, K.
const STEP: f64 = 0.25;

/// The conductivity integral K(T) = ∫_{T_lo}^{T} k dT of a material, tabulated at `STEP`
/// nodes over its valid range (8-point Gauss–Legendre per interval) and evaluated as node
/// value + the same rule over the partial interval, so dK/dT = k(T) to quadrature accuracy.
/// Outside the valid range k is held at its end value (as the materials do), so K is linear.
#[derive(Clone, Debug)]
pub struct ConductivityIntegral {
    material: Arc<dyn ThermalMaterial>,
    lo: f64,
    hi: f64,
    nodes: Vec<f64>,
}

impl ConductivityIntegral {
    /// Tabulates K for `material`, whose valid range must be finite.
    pub fn new(material: Arc<dyn ThermalMaterial>) -> Result<Self, String> {
        let (lo, hi) = material.valid_range();
        if !(lo.is_finite() && hi.is_finite() && hi > lo) {
            return Err(format!(
                "material `{}` has no finite valid range for a conductivity integral",
                material.name()
            ));
        }
        let n = ((hi - lo) / STEP).ceil() as usize;
        let mut nodes = Vec::with_capacity(n + 1);
        nodes.push(0.0);
        for i in 0..n {
            let a = lo + i as f64 * STEP;
            let b = (a + STEP).min(hi);
            nodes.push(nodes[i] + integrate8(|t| material.conductivity(t), a, b));
        }
        Ok(Self {
            material,
            lo,
            hi,
            nodes,
        })
    }

    /// K(T), W/m.
    pub fn at(&self, t: f64) -> f64 {
        if t <= self.lo {
            return self.material.conductivity(self.lo) * (t - self.lo);
        }
        let last = self.nodes[self.nodes.len() - 1];
        if t >= self.hi {
            return last + self.material.conductivity(self.hi) * (t - self.hi);
        }
        let i = (((t - self.lo) / STEP) as usize).min(self.nodes.len() - 2);
        let a = self.lo + i as f64 * STEP;
        self.nodes[i] + integrate8(|x| self.material.conductivity(x), a, t)
    }

    /// k(T), W/(m K).
    pub fn conductivity(&self, t: f64) -> f64 {
        self.material.conductivity(t)
    }

    pub fn material_name(&self) -> &str {
        self.material.name()
    }
}

/// `count` identical supports of cross-section `area` and length `length`.
#[derive(Clone, Debug)]
pub struct Support {
    pub integral: ConductivityIntegral,
    /// m².
    pub area: f64,
    /// m.
    pub length: f64,
    pub count: u32,
}

impl Support {
    /// Checked constructor.
    pub fn new(
        material: Arc<dyn ThermalMaterial>,
        area: f64,
        length: f64,
        count: u32,
    ) -> Result<Self, String> {
        if !(area.is_finite() && area > 0.0) {
            return Err(format!("`area` must be > 0 m², got {area}"));
        }
        if !(length.is_finite() && length > 0.0) {
            return Err(format!("`length` must be > 0 m, got {length}"));
        }
        if count == 0 {
            return Err("`count` must be >= 1".into());
        }
        Ok(Self {
            integral: ConductivityIntegral::new(material)?,
            area,
            length,
            count,
        })
    }

    fn geometry(&self) -> f64 {
        self.count as f64 * self.area / self.length
    }

    /// (Q from the end at t1 to the end at t2, ∂Q/∂t1, ∂Q/∂t2).
    pub fn flow(&self, t1: f64, t2: f64) -> (f64, f64, f64) {
        let g = self.geometry();
        (
            g * (self.integral.at(t1) - self.integral.at(t2)),
            g * self.integral.conductivity(t1),
            -g * self.integral.conductivity(t2),
        )
    }
}
