//! NIST cryogenic-fit materials (`[materials.X] type = "nist"`).

use super::nist_fits::{nist_fit_info, NistFitInfo};
use super::quadrature::integrate8;
use super::{clamp_t, ThermalMaterial, NIST_NAMES};
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// Spacing of the precomputed enthalpy grid, K.
const H_STEP: f64 = 0.5;

/// A material described by NIST cryogenic curve fits (see [`NistFitInfo`]).
///
/// Properties are clamped outside the fit range (4–300 K). Enthalpy is H(T) = ∫₀ᵀ cp dT with
/// cp(T < 4 K) = cp(4 K): H is tabulated at 0.5 K nodes from 4 K (8-point Gauss–Legendre per
/// interval, ~1e-15 relative) and evaluated as node value + the same rule over the last
/// partial interval, so dH/dT = cp(T) to quadrature accuracy and repeated calls agree exactly.
#[derive(Clone, Debug)]
pub struct NistMaterial {
    info: &'static NistFitInfo,
    rho: f64,
    /// H at T = lo + i·H_STEP.
    h_nodes: Vec<f64>,
}

impl NistMaterial {
    /// The material called `name` (one of [`super::nist_names`]).
    pub fn new(name: &str) -> Option<Self> {
        nist_fit_info(name).map(Self::from_info)
    }

    /// Builds the material (and its enthalpy table) from a fit record.
    pub fn from_info(info: &'static NistFitInfo) -> Self {
        let (lo, hi) = info.range;
        let n = ((hi - lo) / H_STEP).round() as usize;
        let cp = |t: f64| info.specific_heat.eval(t);
        let mut h_nodes = Vec::with_capacity(n + 1);
        h_nodes.push(cp(lo) * lo); // ∫₀^lo of the clamped cp
        for i in 0..n {
            let a = lo + i as f64 * H_STEP;
            h_nodes.push(h_nodes[i] + integrate8(cp, a, a + H_STEP));
        }
        Self {
            info,
            rho: info.density,
            h_nodes,
        }
    }

    /// Replaces the nominal density (kg/m³, finite and > 0).
    pub fn with_density(mut self, rho: f64) -> Result<Self, String> {
        if !(rho.is_finite() && rho > 0.0) {
            return Err(format!(
                "nist material: `rho` must be finite and > 0, got {rho}"
            ));
        }
        self.rho = rho;
        Ok(self)
    }

    /// The fit record (coefficients, source page, stated accuracy).
    pub fn info(&self) -> &'static NistFitInfo {
        self.info
    }

    /// Deck parameters of `type = "nist"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "nist",
            description:
                "Cryogenic material from the NIST Cryogenic Technologies Group curve fits \
                          (4-300 K; properties held constant outside).",
            params: vec![
                ParamSpec::required(
                    "material",
                    ParamKind::Choice(NIST_NAMES),
                    "",
                    "Which NIST material fit.",
                ),
                super::regions_param(),
                ParamSpec::maybe(
                    "rho",
                    ParamKind::Float {
                        min: Some(0.0),
                        max: None,
                    },
                    "kg/m^3",
                    "Density override (default: the material's nominal density).",
                ),
            ],
        }
    }

    fn cp_in_range(&self, t: f64) -> f64 {
        self.info.specific_heat.eval(t)
    }
}

impl ThermalMaterial for NistMaterial {
    fn conductivity(&self, t: f64) -> f64 {
        self.info.conductivity.eval(clamp_t(t, self.info.range))
    }
    fn dconductivity(&self, t: f64) -> f64 {
        let (lo, hi) = self.info.range;
        if t < lo || t > hi {
            0.0
        } else {
            self.info.conductivity.eval_with_derivative(t).1
        }
    }
    fn density(&self) -> f64 {
        self.rho
    }
    fn specific_heat(&self, t: f64) -> f64 {
        self.cp_in_range(clamp_t(t, self.info.range))
    }
    fn enthalpy(&self, t: f64) -> f64 {
        let (lo, hi) = self.info.range;
        let n = self.h_nodes.len() - 1;
        if t <= lo {
            return self.cp_in_range(lo) * t;
        }
        if t >= hi {
            return self.h_nodes[n] + self.cp_in_range(hi) * (t - hi);
        }
        let i = (((t - lo) / H_STEP) as usize).min(n - 1);
        let a = lo + i as f64 * H_STEP;
        self.h_nodes[i] + integrate8(|s| self.cp_in_range(s), a, t)
    }
    fn valid_range(&self) -> (f64, f64) {
        self.info.range
    }
    fn name(&self) -> &str {
        self.info.name
    }
}

#[cfg(test)]
mod tests {
    use super::super::nist_fits::NIST_FITS;
    use super::*;

    #[test]
    fn names_match_fit_table() {
        let names: Vec<_> = NIST_FITS.iter().map(|f| f.name).collect();
        assert_eq!(names, NIST_NAMES);
        for n in NIST_NAMES {
            assert_eq!(NistMaterial::new(n).unwrap().name(), *n);
        }
        assert!(NistMaterial::new("unobtainium").is_none());
    }

    #[test]
    fn clamped_outside_range_and_never_nan() {
        for n in NIST_NAMES {
            let m = NistMaterial::new(n).unwrap();
            for t in [-50.0, 0.0, 1.0, 3.999, 4.0, 300.0, 300.001, 1e4] {
                for v in [
                    m.conductivity(t),
                    m.dconductivity(t),
                    m.specific_heat(t),
                    m.enthalpy(t),
                ] {
                    assert!(v.is_finite(), "{n} at {t}: {v}");
                }
            }
            assert_eq!(m.conductivity(1.0), m.conductivity(4.0));
            assert_eq!(m.conductivity(500.0), m.conductivity(300.0));
            assert_eq!(m.dconductivity(2.0), 0.0);
            assert_eq!(m.specific_heat(2.0), m.specific_heat(4.0));
            // H is continuous at both range ends.
            let eps = 1e-9;
            for t in [4.0, 300.0] {
                let jump = m.enthalpy(t + eps) - m.enthalpy(t - eps);
                let tol = 2.0 * eps * m.specific_heat(t) * 1.01 + 1e-13 * m.enthalpy(t);
                assert!(jump.abs() <= tol, "{n}: H jumps by {jump} at {t} K");
            }
        }
    }

    #[test]
    fn density_override() {
        let m = NistMaterial::new("ss304").unwrap();
        assert_eq!(m.density(), 7900.0);
        assert_eq!(m.clone().with_density(8000.0).unwrap().density(), 8000.0);
        assert!(m.with_density(-1.0).is_err());
    }
}
