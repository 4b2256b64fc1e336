//! Multilayer insulation between a warm and a cold surface, two models:
//!
//! - `ideal`: the radiative model of `thermal::bcs::mli` (N floating grey shields of emissivity
//!   ε between grey plates): q = σ ε_eff (T_h⁴ − T_c⁴), ε_eff = 1/((N+1)(2/ε − 1)). A lower
//!   bound: real blankets leak more through layer contacts.
//! - `lockheed`: the semi-empirical "Lockheed equation" of Keller, Cunnington & Glassford
//!   (1974), *Thermal performance of multilayer insulations*, NASA CR-134477, for
//!   double-aluminised Mylar with silk-net spacers, without the residual-gas term (high vacuum):
//!   q = [C_s N̄^2.63 (T_h − T_c)(T_h + T_c)/2 + C_r ε (T_h^4.67 − T_c^4.67)] / N,
//!   with C_s = 8.95e-8, C_r = 5.39e-10, ε = 0.031, N̄ the layer density in layers/cm and N
//!   the number of layers; q in W/m². Other blanket and spacer combinations have their own
//!   fitted C_s, exponent and C_r ([`LockheedCoefficients`]).

use crate::thermal::bcs::STEFAN_BOLTZMANN;

/// Solid-conduction coefficient of the Lockheed equation.
pub const LOCKHEED_CS: f64 = 8.95e-8;
/// Radiation coefficient of the Lockheed equation.
pub const LOCKHEED_CR: f64 = 5.39e-10;

/// The fitted constants of the Lockheed equation for one blanket/spacer combination.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LockheedCoefficients {
    /// C_s (solid conduction).
    pub cs: f64,
    /// Exponent of the layer density in the solid-conduction term.
    pub density_exponent: f64,
    /// C_r (radiation).
    pub cr: f64,
}

impl Default for LockheedCoefficients {
    /// Double-aluminised Mylar with silk-net spacers (Keller et al. 1974).
    fn default() -> Self {
        Self {
            cs: LOCKHEED_CS,
            density_exponent: 2.63,
            cr: LOCKHEED_CR,
        }
    }
}

/// Which MLI correlation a blanket uses.
#[derive(Clone, Debug, PartialEq)]
pub enum MliModel {
    /// Layer emissivity ε.
    Ideal { emissivity: f64 },
    /// Layer density N̄ (layers/cm), the emissivity in the radiation term, the constants.
    Lockheed {
        layer_density: f64,
        emissivity: f64,
        coefficients: LockheedCoefficients,
    },
}

/// A blanket of `layers` layers over `area`.
#[derive(Clone, Debug, PartialEq)]
pub struct MliBlanket {
    pub model: MliModel,
    pub layers: u32,
    /// m².
    pub area: f64,
}

impl MliBlanket {
    /// Checked constructor.
    pub fn new(model: MliModel, layers: u32, area: f64) -> Result<Self, String> {
        if layers == 0 {
            return Err("`layers` must be >= 1".into());
        }
        if !(area.is_finite() && area > 0.0) {
            return Err(format!("`area` must be > 0 m², got {area}"));
        }
        let e = match &model {
            MliModel::Ideal { emissivity } => *emissivity,
            MliModel::Lockheed {
                layer_density,
                emissivity,
                coefficients: c,
            } => {
                if !(c.cs >= 0.0 && c.cr >= 0.0 && c.density_exponent.is_finite()) {
                    return Err(format!(
                        "Lockheed coefficients must be >= 0 and finite, got {c:?}"
                    ));
                }
                if !(layer_density.is_finite() && *layer_density > 0.0) {
                    return Err(format!(
                        "`layer_density` must be > 0 layers/cm, got {layer_density}"
                    ));
                }
                *emissivity
            }
        };
        if !(e > 0.0 && e <= 1.0) {
            return Err(format!("`emissivity` must be in (0, 1], got {e}"));
        }
        Ok(Self {
            model,
            layers,
            area,
        })
    }

    /// (Q from the `from` side at t1 to the `to` side at t2, ∂Q/∂t1, ∂Q/∂t2).
    pub fn flow(&self, t1: f64, t2: f64) -> (f64, f64, f64) {
        let n = self.layers as f64;
        let a = self.area;
        match self.model {
            MliModel::Ideal { emissivity } => {
                let c = STEFAN_BOLTZMANN * a / ((n + 1.0) * (2.0 / emissivity - 1.0));
                (
                    c * (t1.powi(4) - t2.powi(4)),
                    4.0 * c * t1.powi(3),
                    -4.0 * c * t2.powi(3),
                )
            }
            MliModel::Lockheed {
                layer_density,
                emissivity,
                coefficients: c,
            } => {
                let cs = a * c.cs * layer_density.powf(c.density_exponent) / (2.0 * n);
                let cr = a * c.cr * emissivity / n;
                let p = 4.67;
                let (t1p, t2p) = (t1.max(0.0).powf(p), t2.max(0.0).powf(p));
                (
                    cs * (t1 * t1 - t2 * t2) + cr * (t1p - t2p),
                    2.0 * cs * t1 + cr * p * t1.max(0.0).powf(p - 1.0),
                    -2.0 * cs * t2 - cr * p * t2.max(0.0).powf(p - 1.0),
                )
            }
        }
    }
}
