//! Material from k(T) and cp(T) tables (`[materials.X] type = "tabulated"`).

use super::{MonotoneCubic, ThermalMaterial};
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// k(T) and cp(T) from `(T, value)` tables, interpolated with monotone piecewise cubics
/// (Fritsch–Carlson) and held constant beyond each table's ends. H(T) is the exact integral
/// of the cp interpolant (reference H(0 K) = 0).
#[derive(Clone, Debug)]
pub struct Tabulated {
    k: MonotoneCubic,
    cp: MonotoneCubic,
    rho: f64,
    /// ∫ from the first cp knot to 0 K, subtracted so that H(0) = 0.
    h_offset: f64,
    name: String,
}

impl Tabulated {
    /// Builds from tables of `(T [K], value)` pairs (strictly increasing T, values > 0) and a
    /// density (> 0).
    pub fn new(
        conductivity: &[(f64, f64)],
        specific_heat: &[(f64, f64)],
        rho: f64,
    ) -> Result<Self, String> {
        let check = |what: &str, t: &[(f64, f64)]| -> Result<MonotoneCubic, String> {
            if let Some((x, y)) = t.iter().find(|(_, y)| y.is_nan() || *y <= 0.0) {
                return Err(format!(
                    "tabulated material: {what} must be > 0, got {y} at T = {x} K"
                ));
            }
            MonotoneCubic::new(t).map_err(|e| format!("tabulated material: {what}: {e}"))
        };
        let k = check("conductivity", conductivity)?;
        let cp = check("specific_heat", specific_heat)?;
        if !(rho.is_finite() && rho > 0.0) {
            return Err(format!(
                "tabulated material: `rho` must be finite and > 0, got {rho}"
            ));
        }
        let h_offset = cp.integral(0.0);
        Ok(Self {
            k,
            cp,
            rho,
            h_offset,
            name: "tabulated".into(),
        })
    }

    /// Sets the name reported by [`ThermalMaterial::name`].
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Deck parameters of `type = "tabulated"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "tabulated",
            description: "Material with conductivity and specific heat tabulated against temperature; \
                          monotone cubic (Fritsch-Carlson) interpolation, constant beyond the table ends.",
            params: vec![
                ParamSpec::required(
                    "conductivity",
                    ParamKind::Table,
                    "W/(m K)",
                    "Thermal conductivity table [[T_K, k], ...], T strictly increasing, k > 0.",
                ),
                ParamSpec::required(
                    "specific_heat",
                    ParamKind::Table,
                    "J/(kg K)",
                    "Specific heat table [[T_K, cp], ...], T strictly increasing, cp > 0.",
                ),
                ParamSpec::required("rho", ParamKind::Float { min: Some(0.0), max: None }, "kg/m^3", "Mass density (> 0)."),
                super::regions_param(),
            ],
        }
    }
}

impl ThermalMaterial for Tabulated {
    fn conductivity(&self, t: f64) -> f64 {
        self.k.eval(t)
    }
    fn dconductivity(&self, t: f64) -> f64 {
        self.k.deriv(t)
    }
    fn density(&self) -> f64 {
        self.rho
    }
    fn specific_heat(&self, t: f64) -> f64 {
        self.cp.eval(t)
    }
    fn enthalpy(&self, t: f64) -> f64 {
        self.cp.integral(t) - self.h_offset
    }
    /// The temperatures covered by both tables.
    fn valid_range(&self) -> (f64, f64) {
        let (a, b) = self.k.range();
        let (c, d) = self.cp.range();
        (a.max(c), b.min(d))
    }
    fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A steep, step-like monotone table (like cp near a Debye knee): a plain cubic spline
    /// through it overshoots; Fritsch–Carlson must not.
    fn steep() -> Vec<(f64, f64)> {
        vec![
            (4.0, 0.1),
            (10.0, 0.9),
            (20.0, 7.5),
            (30.0, 8.0),
            (40.0, 8.1),
            (50.0, 96.0),
            (300.0, 385.0),
        ]
    }

    #[test]
    fn monotone_table_gives_monotone_interpolant() {
        let m = Tabulated::new(&steep(), &steep(), 1.0).unwrap();
        let mut prev = f64::NEG_INFINITY;
        for i in 0..=30000 {
            let t = 4.0 + 296.0 * i as f64 / 30000.0;
            let v = m.specific_heat(t);
            assert!(v >= prev - 1e-12, "not monotone at T = {t}: {v} < {prev}");
            assert!(m.dconductivity(t) >= -1e-12, "negative slope at {t}");
            prev = v;
        }
        // Values between knots stay within the knot values (no overshoot).
        assert!(m.specific_heat(35.0) >= 8.0 && m.specific_heat(35.0) <= 8.1);
    }

    #[test]
    fn constant_extrapolation_and_enthalpy_reference() {
        let m = Tabulated::new(&steep(), &[(10.0, 2.0), (20.0, 4.0)], 5.0).unwrap();
        assert_eq!(m.conductivity(1.0), 0.1);
        assert_eq!(m.conductivity(1000.0), 385.0);
        assert_eq!(m.dconductivity(1000.0), 0.0);
        // cp = 2 below 10 K, so H(10) = 20; H(0) = 0.
        assert!((m.enthalpy(0.0)).abs() < 1e-12);
        assert!((m.enthalpy(10.0) - 20.0).abs() < 1e-12);
        // Linear table: interpolant is the line, H(20) = 20 + 30.
        assert!((m.enthalpy(20.0) - 50.0).abs() < 1e-12);
        assert!((m.enthalpy(25.0) - 70.0).abs() < 1e-12);
        assert_eq!(m.valid_range(), (10.0, 20.0));
    }

    #[test]
    fn enthalpy_derivative_is_cp() {
        let m = Tabulated::new(&steep(), &steep(), 1.0).unwrap();
        for i in 0..400 {
            let t = 1.0 + i as f64 * 0.83;
            let h = 1e-4;
            let fd = (m.enthalpy(t + h) - m.enthalpy(t - h)) / (2.0 * h);
            let cp = m.specific_heat(t);
            assert!((fd - cp).abs() < 1e-6 * cp.max(1.0), "T={t}: {fd} vs {cp}");
        }
    }

    #[test]
    fn rejects_non_positive_values() {
        assert!(Tabulated::new(&[(1.0, 0.0)], &[(1.0, 1.0)], 1.0).is_err());
        assert!(Tabulated::new(&[(1.0, 1.0)], &[(1.0, -1.0)], 1.0).is_err());
        assert!(Tabulated::new(&[(1.0, 1.0)], &[(1.0, 1.0)], 0.0).is_err());
    }
}
