//! Copper stabiliser: electrical resistivity ρ(T, B, RRR) from the NIST fit (N. J. Simon,
//! E. S. Drexler, R. P. Reed, "Properties of Copper and Copper Alloys at Cryogenic
//! Temperatures", NIST Monograph 177, 1992) with Kohler's-rule magnetoresistance, thermal
//! conductivity by the Wiedemann–Franz law from that resistivity (so the field lowers it too),
//! and specific heat from the NIST OFHC copper fit.

use super::conductor::ConductorMaterial;
use crate::materials::{NistMaterial, ThermalMaterial};

/// Lorenz number, W·Ω/K² (the Sommerfeld value).
pub const LORENZ: f64 = 2.44e-8;

/// ρ(273 K) of the fit's reference, Ω·m: ρ0 = this / RRR.
const RHO_273: f64 = 1.553e-8;
const P: [f64; 7] = [1.171e-17, 4.49, 3.841e10, -1.14, 50.0, 6.428, 0.4531];
const KOHLER: [f64; 5] = [-2.662, 0.3168, 0.6229, -0.1839, 0.01827];

/// Resistivity of copper with residual-resistivity ratio `rrr` at `t` K and `b` T, Ω·m.
pub fn resistivity(t: f64, b: f64, rrr: f64) -> f64 {
    let t = t.clamp(1.0, 1000.0);
    let rho0 = RHO_273 / rrr;
    let rho_i = P[0] * t.powf(P[1])
        / (1.0 + P[0] * P[2] * t.powf(P[1] + P[3]) * (-(P[4] / t).powf(P[5])).exp());
    let rho_i0 = P[6] * rho_i * rho0 / (rho_i + rho0);
    let rho = rho0 + rho_i + rho_i0;
    let b = b.abs();
    if b.is_nan() || b <= 0.0 {
        return rho;
    }
    // Kohler: Δρ/ρ is a function of B·ρ(273 K)/ρ(T, 0).
    let x = (RHO_273 * b / rho).log10();
    let f = KOHLER[0] + x * (KOHLER[1] + x * (KOHLER[2] + x * (KOHLER[3] + x * KOHLER[4])));
    rho * (1.0 + 10f64.powf(f))
}

/// Copper stabiliser of a given RRR.
#[derive(Clone, Debug)]
pub struct Copper {
    pub rrr: f64,
    cp: NistMaterial,
}

impl Copper {
    pub fn new(rrr: f64) -> Result<Self, String> {
        if !(rrr.is_finite() && rrr >= 1.0) {
            return Err(format!("copper RRR must be finite and >= 1, got {rrr}"));
        }
        let cp = NistMaterial::new("copper_rrr100").expect("built-in NIST copper");
        Ok(Copper { rrr, cp })
    }
}

impl ConductorMaterial for Copper {
    fn name(&self) -> String {
        format!("copper (RRR {})", self.rrr)
    }
    fn volumetric_enthalpy(&self, t: f64) -> f64 {
        self.cp.density() * self.cp.enthalpy(t)
    }
    fn volumetric_heat_capacity(&self, t: f64) -> f64 {
        self.cp.density() * self.cp.specific_heat(t)
    }
    fn resistivity(&self, t: f64, b: f64) -> f64 {
        resistivity(t, b, self.rrr)
    }
    fn conductivity(&self, t: f64, b: f64) -> f64 {
        LORENZ * t.max(1.0) / resistivity(t, b, self.rrr)
    }
}
