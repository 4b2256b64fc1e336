//! A battery cell's small-signal impedance fitted to a measured spectrum: the deck's
//! `[physics]` cell (SPM, SPMe or DFN) linearised at rest at its initial state
//! (physics/src/battery/impedance*.rs), with the calibration [`KNOBS`](super::battery::KNOBS) applied, plus the
//! series contact resistance. Residuals are stacked and weighted as the circuit fits'
//! ([`super::circuit::spectrum_residuals`]), so least squares and MCMC treat both alike.

use super::circuit::spectrum_residuals;
use super::eis::C64;
use super::problem::Model;
use crate::battery::deck::Battery;
use crate::battery::impedance::linearise;

/// Z(f) of `cell`'s model at rest at its initial stoichiometries, on its mesh `points`.
pub fn cell_impedance(cell: &Battery, f: &[f64]) -> Result<Vec<C64>, String> {
    let (x, y) = cell.initial;
    linearise(&cell.model, &cell.params, x, y, cell.points).map(|l| l.spectrum(f))
}

/// A cell's impedance fitted to a spectrum.
#[derive(Clone, Debug)]
pub struct CellSpectrumFit {
    pub cell: Battery,
    /// Indices into [`KNOBS`](super::battery::KNOBS) in θ order.
    pub knobs: Vec<usize>,
    /// Frequencies [Hz].
    pub f: Vec<f64>,
    /// Measured impedances [Ω] (potentiostat sign: Im Z < 0 capacitive).
    pub z: Vec<C64>,
    /// Divide each frequency's residuals by |Z| of the data (else by 1 Ω).
    pub modulus_weighting: bool,
}

impl CellSpectrumFit {
    /// The cell and contact resistance at θ.
    pub fn cell_at(&self, theta: &[f64]) -> (Battery, f64) {
        super::battery::apply_knobs(&self.cell, &self.knobs, theta)
    }

    /// Z_model at every frequency for θ: the cell's impedance plus the contact resistance.
    pub fn curve(&self, theta: &[f64]) -> Result<Vec<C64>, String> {
        let (cell, r) = self.cell_at(theta);
        let z = cell_impedance(&cell, &self.f)?;
        Ok(z.into_iter().map(|z| z + C64::real(r)).collect())
    }
}

impl Model for CellSpectrumFit {
    fn residuals(&self, theta: &[f64]) -> Result<Vec<f64>, String> {
        let run = || self.curve(theta);
        let zm = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
            Ok(z) => z?,
            Err(_) => return Err("the linearised model panicked".into()),
        };
        spectrum_residuals(&self.f, &zm, &self.z, self.modulus_weighting)
    }
}
