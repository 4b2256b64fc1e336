//! The magnet circuit: a current supply feeds the magnet until the quench is detected; after
//! the detection delay the switch opens and the magnet discharges through the dump resistor
//! and its own normal zone: L dI/dt = −(R_dump + R_quench) I.

/// Circuit and protection settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Circuit {
    /// Magnet self-inductance, H.
    pub inductance: f64,
    /// Dump resistance, Ω.
    pub dump_resistance: f64,
    /// Resistive voltage that triggers detection, V.
    pub threshold: f64,
    /// Time the voltage must stay above the threshold before detection is declared, s.
    pub validation_time: f64,
    /// Delay from detection to the switch opening, s.
    pub delay: f64,
}

impl Circuit {
    pub fn validate(&self) -> Result<(), String> {
        let pos = [
            ("inductance", self.inductance),
            ("threshold", self.threshold),
        ];
        for (what, v) in pos {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("circuit {what} must be finite and > 0, got {v}"));
            }
        }
        let nonneg = [
            ("dump resistance", self.dump_resistance),
            ("validation time", self.validation_time),
            ("delay", self.delay),
        ];
        for (what, v) in nonneg {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("circuit {what} must be finite and >= 0, got {v}"));
            }
        }
        Ok(())
    }

    /// Discharge time constant through the dump alone, s.
    pub fn tau(&self) -> f64 {
        self.inductance / self.dump_resistance
    }
}
