//! Temperature-independent material (`[materials.X] type = "constant"`).

use super::ThermalMaterial;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// Constant k, ρ, cp. H(T) = cp·T (reference 0 K).
#[derive(Clone, Debug, PartialEq)]
pub struct Constant {
    /// Conductivity, W/(m K).
    pub k: f64,
    /// Density, kg/m³.
    pub rho: f64,
    /// Specific heat, J/(kg K).
    pub cp: f64,
}

impl Constant {
    /// Checked constructor: every value must be finite and > 0.
    pub fn new(k: f64, rho: f64, cp: f64) -> Result<Self, String> {
        for (name, v) in [("k", k), ("rho", rho), ("cp", cp)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!(
                    "constant material: `{name}` must be finite and > 0, got {v}"
                ));
            }
        }
        Ok(Self { k, rho, cp })
    }

    /// Deck parameters of `type = "constant"`.
    pub fn spec() -> ObjectSpec {
        let pos = ParamKind::Float {
            min: Some(0.0),
            max: None,
        };
        ObjectSpec {
            type_name: "constant",
            description:
                "Material with temperature-independent conductivity, density and specific heat.",
            params: vec![
                ParamSpec::required("k", pos.clone(), "W/(m K)", "Thermal conductivity (> 0)."),
                ParamSpec::required("rho", pos.clone(), "kg/m^3", "Mass density (> 0)."),
                ParamSpec::required("cp", pos, "J/(kg K)", "Specific heat capacity (> 0)."),
                super::regions_param(),
            ],
        }
    }
}

impl ThermalMaterial for Constant {
    fn conductivity(&self, _t: f64) -> f64 {
        self.k
    }
    fn dconductivity(&self, _t: f64) -> f64 {
        0.0
    }
    fn density(&self) -> f64 {
        self.rho
    }
    fn specific_heat(&self, _t: f64) -> f64 {
        self.cp
    }
    fn enthalpy(&self, t: f64) -> f64 {
        self.cp * t
    }
    fn valid_range(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
    fn name(&self) -> &str {
        "constant"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_positive() {
        assert!(Constant::new(1.0, 1.0, 1.0).is_ok());
        assert!(Constant::new(0.0, 1.0, 1.0).is_err());
        assert!(Constant::new(1.0, f64::NAN, 1.0).is_err());
        assert!(Constant::new(1.0, 1.0, -2.0).is_err());
    }

    #[test]
    fn enthalpy_is_cp_t() {
        let m = Constant::new(2.0, 3.0, 4.0).unwrap();
        assert_eq!(m.enthalpy(10.0), 40.0);
        assert_eq!(m.dconductivity(5.0), 0.0);
    }
}
