//! Equivalent-circuit residuals of an impedance spectrum through the generic machinery (so a
//! spectrum can be calibrated by least squares or sampled by MCMC like a cell): the circuit
//! of [`super::eis`]'s grammar, residuals stacked as [Re(Z_model − Z); Im(Z_model − Z)] over the
//! frequencies, each divided by the weight (unit or |Z| of the data); cell spectrum fits
//! ([`super::spectrum`]) share the stacking.

use super::eis::{Circuit, C64};
use super::problem::Model;

/// A circuit fitted to a spectrum.
pub struct CircuitFit {
    pub circuit: Circuit,
    /// Frequencies [Hz].
    pub f: Vec<f64>,
    /// Measured impedances [Ω].
    pub z: Vec<C64>,
    /// Divide each frequency's residuals by |Z| of the data (else by 1 Ω).
    pub modulus_weighting: bool,
}

impl CircuitFit {
    /// Z_model at every frequency.
    pub fn curve(&self, theta: &[f64]) -> Vec<C64> {
        self.f
            .iter()
            .map(|&f| self.circuit.impedance(f, theta))
            .collect()
    }
}

impl Model for CircuitFit {
    fn residuals(&self, theta: &[f64]) -> Result<Vec<f64>, String> {
        spectrum_residuals(&self.f, &self.curve(theta), &self.z, self.modulus_weighting)
    }
}

/// [Re(Z_model − Z); Im(Z_model − Z)] over the frequencies `f`, each divided by |Z| of the
/// data (`modulus`) or 1 Ω; an error names the first frequency where the model is not finite.
pub fn spectrum_residuals(
    f: &[f64],
    model: &[C64],
    data: &[C64],
    modulus: bool,
) -> Result<Vec<f64>, String> {
    let n = f.len();
    let mut r = vec![0.0; 2 * n];
    for (k, (zm, zd)) in model.iter().zip(data).enumerate() {
        if !zm.is_finite() {
            return Err(format!(
                "the model's impedance is not finite at {} Hz",
                f[k]
            ));
        }
        let w = if modulus { zd.abs() } else { 1.0 };
        r[k] = (zm.re - zd.re) / w;
        r[n + k] = (zm.im - zd.im) / w;
    }
    Ok(r)
}
