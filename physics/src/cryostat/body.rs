//! A lumped body: a mass of one material at one temperature.

use crate::materials::ThermalMaterial;
use std::sync::Arc;

/// A thermal mass whose heat capacity comes from its material's cp(T).
#[derive(Clone, Debug)]
pub struct Body {
    pub name: String,
    /// kg, > 0.
    pub mass: f64,
    pub material: Arc<dyn ThermalMaterial>,
    /// Temperature at t = 0, K.
    pub initial_temperature: f64,
    /// Temperature whose first crossing is reported as the cooldown time, K.
    pub target_temperature: Option<f64>,
}

impl Body {
    /// Enthalpy m·h(T), J (reference H(0 K) = 0, as for the materials).
    pub fn enthalpy(&self, t: f64) -> f64 {
        self.mass * self.material.enthalpy(t)
    }
    /// Heat capacity m·cp(T), J/K.
    pub fn heat_capacity(&self, t: f64) -> f64 {
        self.mass * self.material.specific_heat(t)
    }
}
