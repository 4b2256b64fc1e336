//! Volumetric heat sources (`[sources.X] type = "volumetric"`).

use super::SpaceTimeFn;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use std::fmt;
use std::sync::Arc;

/// A temperature-dependent source: (x, t, T) ↦ (Q, dQ/dT), in W/m³ and W/(m³ K).
pub type NonlinearSourceFn = Arc<dyn Fn([f64; 3], f64, f64) -> (f64, f64) + Send + Sync>;

/// How a source's power density Q (W/m³, positive = heat generated) is given.
#[derive(Clone)]
pub enum SourceValue {
    Constant(f64),
    /// Q(x, t), e.g. for manufactured solutions.
    Function(SpaceTimeFn),
    /// Q(x, t, T) with its T-derivative (enters the Jacobian as g0 = −dQ/dT).
    TemperatureDependent(NonlinearSourceFn),
}

impl fmt::Debug for SourceValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceValue::Constant(v) => write!(f, "Constant({v})"),
            SourceValue::Function(_) => write!(f, "Function(..)"),
            SourceValue::TemperatureDependent(_) => write!(f, "TemperatureDependent(..)"),
        }
    }
}

/// A volumetric heat source acting on a set of cell regions.
#[derive(Clone, Debug)]
pub struct Source {
    /// Region ids it acts on; **empty means every region** (convenient for manufactured
    /// solutions; decks always name regions explicitly).
    pub regions: Vec<u32>,
    pub value: SourceValue,
}

impl Source {
    /// A uniform source of `q` W/m³.
    pub fn constant(regions: Vec<u32>, q: f64) -> Self {
        Self {
            regions,
            value: SourceValue::Constant(q),
        }
    }

    /// A source Q(x, t) in W/m³.
    pub fn function(
        regions: Vec<u32>,
        f: impl Fn([f64; 3], f64) -> f64 + Send + Sync + 'static,
    ) -> Self {
        Self {
            regions,
            value: SourceValue::Function(Arc::new(f)),
        }
    }

    /// A source (x, t, T) ↦ (Q, dQ/dT).
    pub fn temperature_dependent(
        regions: Vec<u32>,
        f: impl Fn([f64; 3], f64, f64) -> (f64, f64) + Send + Sync + 'static,
    ) -> Self {
        Self {
            regions,
            value: SourceValue::TemperatureDependent(Arc::new(f)),
        }
    }

    /// Whether the source acts on `region`.
    pub fn applies_to(&self, region: u32) -> bool {
        self.regions.is_empty() || self.regions.contains(&region)
    }

    /// (Q, dQ/dT) at position `x`, time `t` and temperature `temp`.
    #[inline]
    pub fn eval(&self, x: [f64; 3], t: f64, temp: f64) -> (f64, f64) {
        match &self.value {
            SourceValue::Constant(q) => (*q, 0.0),
            SourceValue::Function(f) => (f(x, t), 0.0),
            SourceValue::TemperatureDependent(f) => f(x, t, temp),
        }
    }

    /// Deck parameters of `[sources.X] type = "volumetric"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "volumetric",
            description: "Uniform volumetric heat generation in the named regions.",
            params: vec![
                ParamSpec::required(
                    "regions",
                    ParamKind::RegionNames,
                    "",
                    "Regions where heat is generated.",
                ),
                ParamSpec::required(
                    "value",
                    ParamKind::Float {
                        min: None,
                        max: None,
                    },
                    "W/m^3",
                    "Power density (positive = heat generated).",
                ),
            ],
        }
    }
}
