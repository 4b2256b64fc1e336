//! A cryocooler stage: cooling power as a function of its own temperature, from a capacity
//! table (temperature, power), interpolated by monotone cubic Hermite (Fritsch–Carlson), so a
//! monotone table gives a monotone curve without overshoot.
//!
//! Below the first table temperature (the stage's base temperature, usually with 0 W) the curve's
//! slope there is extended, so the power turns negative and the stage settles at its base
//! temperature instead of cooling below it; above the last entry the power is held constant.
//! Each stage is independent: a coupled two-stage map (stage-2 power depending on the stage-1
//! load) is not modelled.

use crate::materials::MonotoneCubic;

/// One cooler stage and its capacity curve.
#[derive(Clone, Debug)]
pub struct Stage {
    pub name: String,
    curve: MonotoneCubic,
    /// Slope of the curve at the base temperature, W/K (the extrapolation below the table).
    slope0: f64,
    /// Contact conductance between the stage and its body, W/K (`None`: the stage is at the
    /// body's temperature).
    pub contact_conductance: Option<f64>,
}

impl Stage {
    /// Builds a stage from `(temperature K, power W)` rows. Temperatures must be strictly
    /// increasing and powers non-decreasing (a cooler gives more power when warmer); `Err`
    /// carries the index of the offending row and the message.
    pub fn new(
        name: &str,
        table: &[(f64, f64)],
        contact_conductance: Option<f64>,
    ) -> Result<Self, (usize, String)> {
        if table.len() < 2 {
            return Err((0, "a capacity table needs at least two rows".into()));
        }
        for (i, &(t, p)) in table.iter().enumerate() {
            if !(t.is_finite() && t > 0.0 && p.is_finite() && p >= 0.0) {
                return Err((
                    i,
                    format!(
                        "row {}: temperature must be > 0 K and power >= 0 W, got ({t} K, {p} W)",
                        i + 1
                    ),
                ));
            }
        }
        for (i, w) in table.windows(2).enumerate() {
            if w[1].0 <= w[0].0 {
                return Err((
                    i + 1,
                    format!(
                        "temperatures must increase strictly: row {} has {} K after {} K",
                        i + 2,
                        w[1].0,
                        w[0].0
                    ),
                ));
            }
            if w[1].1 < w[0].1 {
                return Err((
                    i + 1,
                    format!(
                        "cooling power must not fall with temperature: row {} has {} W at {} K after {} W at {} K",
                        i + 2,
                        w[1].1,
                        w[1].0,
                        w[0].1,
                        w[0].0
                    ),
                ));
            }
        }
        if let Some(g) = contact_conductance {
            if !(g.is_finite() && g > 0.0) {
                return Err((0, format!("`contact_conductance` must be > 0 W/K, got {g}")));
            }
        }
        let curve = MonotoneCubic::new(table).map_err(|m| (0, m))?;
        // The interpolant's own end slope keeps the curve C¹ at the base temperature; a flat
        // start would give no floor, so the first secant stands in for it then.
        let slope0 = match curve.slopes()[0] {
            m if m > 0.0 => m,
            _ => (table[1].1 - table[0].1) / (table[1].0 - table[0].0),
        };
        Ok(Self {
            name: name.into(),
            curve,
            slope0,
            contact_conductance,
        })
    }

    /// (cooling power, d power / dT) at stage temperature `t`.
    pub fn power(&self, t: f64) -> (f64, f64) {
        let (lo, _) = self.curve.range();
        if t < lo {
            (self.curve.eval(lo) + self.slope0 * (t - lo), self.slope0)
        } else {
            (self.curve.eval(t), self.curve.deriv(t))
        }
    }

    /// The base (lowest tabulated) temperature, K.
    pub fn base_temperature(&self) -> f64 {
        self.curve.range().0
    }
}
