//! The composite conductor: copper stabiliser plus superconductor, per unit length.

use crate::superconductor::CriticalSurface;

/// Stabiliser properties per unit volume (T in K, B in T).
pub trait ConductorMaterial: Send + Sync {
    fn name(&self) -> String;
    /// Enthalpy per volume, J/m³ (any fixed reference).
    fn volumetric_enthalpy(&self, t: f64) -> f64;
    /// d(enthalpy per volume)/dT, J/(m³ K).
    fn volumetric_heat_capacity(&self, t: f64) -> f64;
    /// Electrical resistivity, Ω·m.
    fn resistivity(&self, t: f64, b: f64) -> f64;
    /// Thermal conductivity, W/(m K).
    fn conductivity(&self, t: f64, b: f64) -> f64;
}

/// Temperature-independent stabiliser (for analytic checks).
#[derive(Clone, Debug, PartialEq)]
pub struct ConstantMaterial {
    /// J/(m³ K).
    pub heat_capacity: f64,
    /// Ω·m.
    pub resistivity: f64,
    /// W/(m K).
    pub conductivity: f64,
}

impl ConductorMaterial for ConstantMaterial {
    fn name(&self) -> String {
        "constant".into()
    }
    fn volumetric_enthalpy(&self, t: f64) -> f64 {
        self.heat_capacity * t
    }
    fn volumetric_heat_capacity(&self, _t: f64) -> f64 {
        self.heat_capacity
    }
    fn resistivity(&self, _t: f64, _b: f64) -> f64 {
        self.resistivity
    }
    fn conductivity(&self, _t: f64, _b: f64) -> f64 {
        self.conductivity
    }
}

/// Conductor cross-section, materials and the field it sits in.
pub struct Conductor {
    /// Copper (stabiliser) cross-section, m².
    pub a_cu: f64,
    /// Superconductor cross-section Jc refers to, m².
    pub a_sc: f64,
    pub stabiliser: Box<dyn ConductorMaterial>,
    pub surface: Box<dyn CriticalSurface + Send + Sync>,
    /// Field on the conductor per ampere of magnet current, T/A.
    pub field_per_amp: f64,
}

/// Local electrical state of the conductor at one temperature and current.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Local {
    /// Longitudinal electric field, V/m.
    pub e: f64,
    /// Heat per length, W/m (= E·I).
    pub q: f64,
    /// Current in the copper, A.
    pub i_cu: f64,
}

impl Conductor {
    /// Checks the cross-sections and field factor.
    pub fn validate(&self) -> Result<(), String> {
        for (what, v) in [
            ("copper cross-section", self.a_cu),
            ("superconductor cross-section", self.a_sc),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{what} must be finite and > 0 m², got {v}"));
            }
        }
        if !(self.field_per_amp.is_finite() && self.field_per_amp >= 0.0) {
            return Err(format!(
                "field per ampere must be finite and >= 0 T/A, got {}",
                self.field_per_amp
            ));
        }
        Ok(())
    }

    /// Current sharing at temperature `t` and magnet current `i` (sign-symmetric).
    pub fn local(&self, t: f64, i: f64) -> Local {
        let b = self.field_per_amp * i.abs();
        let ic = self.a_sc * self.surface.jc(b, t);
        let i_cu = (i.abs() - ic).max(0.0);
        if i_cu == 0.0 {
            return Local {
                e: 0.0,
                q: 0.0,
                i_cu: 0.0,
            };
        }
        let e = self.stabiliser.resistivity(t, b) * i_cu / self.a_cu;
        Local {
            e,
            q: e * i.abs(),
            i_cu,
        }
    }

    /// Enthalpy per length, J/m.
    pub fn enthalpy(&self, t: f64) -> f64 {
        self.a_cu * self.stabiliser.volumetric_enthalpy(t)
    }

    /// Heat capacity per length, J/(m K).
    pub fn heat_capacity(&self, t: f64) -> f64 {
        self.a_cu * self.stabiliser.volumetric_heat_capacity(t)
    }

    /// Thermal conductance per length times length, W·m/K (k·A).
    pub fn conductance(&self, t: f64, i: f64) -> f64 {
        self.a_cu
            * self
                .stabiliser
                .conductivity(t, self.field_per_amp * i.abs())
    }
}
