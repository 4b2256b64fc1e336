//! What a calibration run reads and how it evaluates: the measured dataset (HDF5 written by
//! `galvana import`, or any file `galvana import` reads), the fitted model built from the deck,
//! and the evaluator that spreads a batch of model evaluations over MPI ranks (cyclic: point k
//! on rank k mod ranks) and rayon threads. Every rank computes its share, then one element-wise
//! sum of a zero-filled buffer gives every rank every result, bit for bit as one rank would:
//! each entry has exactly one non-zero contribution, so the order of the sum cannot matter.

use crate::comm::Comm;
use galvana_instruments::Col;
use galvana_physics::battery::deck::Battery;
use galvana_physics::calibration::battery::{BatteryFit, Series};
use galvana_physics::calibration::circuit::CircuitFit;
use galvana_physics::calibration::deck::{Calibration, Target};
use galvana_physics::calibration::eis::data::Spectrum;
use galvana_physics::calibration::eis::C64;
use galvana_physics::calibration::problem::{Evaluator, Model};
use galvana_physics::calibration::spectrum::CellSpectrumFit;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// The columns of a dataset, by normalised name.
pub type Columns = BTreeMap<&'static str, Vec<f64>>;

/// Read the normalised columns of `path`: an HDF5 file of `galvana import` (its first group),
/// else any file `galvana import` parses (normalised CSV included). Errors name the file.
pub fn read_dataset(path: &Path) -> Result<Columns, String> {
    let name = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut out = Columns::new();
    if ext == "h5" || ext == "hdf5" {
        let e = |x: galvana_h5::H5Error| format!("{name}: {x}");
        let f = galvana_h5::File::open(path, false).map_err(e)?;
        let groups = f.members().map_err(e)?;
        let Some(g) = groups.first() else {
            return Err(format!("{name}: the file holds no dataset group (write it with `galvana import FILE --to OUT.h5`)"));
        };
        let g = f.group(g).map_err(e)?;
        let present = g.members().map_err(e)?;
        for c in Col::ALL {
            if present.iter().any(|m| m == c.name()) {
                let d = g.open_dataset(c.name()).map_err(e)?;
                out.insert(c.name(), d.read_all::<f64>().map_err(e)?);
            }
        }
    } else {
        let ds = galvana_instruments::read(path, None, None).map_err(|e| e.to_string())?;
        for (c, v) in ds.columns() {
            out.insert(c.name(), v.to_vec());
        }
    }
    Ok(out)
}

fn need<'a>(
    cols: &'a Columns,
    names: &[&'static str],
    path: &Path,
) -> Result<Vec<&'a Vec<f64>>, String> {
    names
        .iter()
        .map(|n| {
            cols.get(n).ok_or_else(|| {
                format!(
                    "{}: no `{n}` column (found: {}); this calibration needs {}",
                    path.display(),
                    cols.keys().cloned().collect::<Vec<_>>().join(", "),
                    names.join(", ")
                )
            })
        })
        .collect()
}

/// The usable rows (finite, f > 0) of a spectrum dataset: frequencies and impedances.
fn spectrum(cols: &Columns, path: &Path) -> Result<(Vec<f64>, Vec<C64>), String> {
    let c = need(cols, &["frequency_Hz", "z_real_ohm", "z_imag_ohm"], path)?;
    let s = Spectrum::from_columns(c[0], c[1], c[2]);
    if s.f.len() < 3 {
        return Err(format!(
            "{}: fewer than 3 usable spectrum rows",
            path.display()
        ));
    }
    Ok((s.f, s.z))
}

/// The model a calibration fits.
pub enum Fitted {
    Cell(Box<BatteryFit>),
    /// The cell's linearised impedance to a spectrum.
    CellSpectrum(Box<CellSpectrumFit>),
    Circuit {
        fit: CircuitFit,
        /// Fitted parameter k is the circuit's parameter `index[k]`.
        index: Vec<usize>,
    },
}

impl Fitted {
    /// Build the model from the deck's cell, the calibration and the dataset at `path`.
    pub fn build(cell: &Battery, cal: &Calibration, path: &Path) -> Result<Fitted, String> {
        let cols = read_dataset(path)?;
        match &cal.target {
            Target::Cell { knobs } => {
                let c = need(&cols, cal.columns(), path)?;
                let all = Series {
                    time_s: c[0].clone(),
                    current_a: c[1].clone(),
                    potential_v: c[2].clone(),
                };
                let data = all.window(cal.window.0, cal.window.1);
                data.check()
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Ok(Fitted::Cell(Box::new(BatteryFit::new(
                    cell.clone(),
                    data,
                    knobs.clone(),
                    cal.period,
                ))))
            }
            Target::CellSpectrum { knobs, modulus } => {
                let (f, z) = spectrum(&cols, path)?;
                Ok(Fitted::CellSpectrum(Box::new(CellSpectrumFit {
                    cell: cell.clone(),
                    knobs: knobs.clone(),
                    f,
                    z,
                    modulus_weighting: *modulus,
                })))
            }
            Target::Circuit {
                circuit,
                index,
                modulus,
            } => {
                let (f, z) = spectrum(&cols, path)?;
                let fit = CircuitFit {
                    circuit: circuit.clone(),
                    f,
                    z,
                    modulus_weighting: *modulus,
                };
                Ok(Fitted::Circuit {
                    fit,
                    index: index.clone(),
                })
            }
        }
    }

    /// The circuit's parameter vector from θ (deck order).
    fn circuit_theta(index: &[usize], theta: &[f64]) -> Vec<f64> {
        let mut p = vec![0.0; index.len()];
        for (k, &i) in index.iter().enumerate() {
            p[i] = theta[k];
        }
        p
    }

    /// Data points compared (a spectrum's count both parts once).
    pub fn points(&self) -> usize {
        match self {
            Fitted::Cell(b) => b.data.time_s.len(),
            Fitted::CellSpectrum(fit) => fit.f.len(),
            Fitted::Circuit { fit, .. } => fit.f.len(),
        }
    }

    /// `fit.csv`: the data and the model at θ.
    pub fn fit_csv(&self, theta: &[f64]) -> Result<String, String> {
        let mut s = String::new();
        match self {
            Fitted::Cell(b) => {
                let v = b.curve(theta)?;
                s.push_str("time_s,current_A,potential_V,model_V,residual_V\n");
                let d = &b.data;
                for k in 0..v.len() {
                    s.push_str(&format!(
                        "{},{},{},{},{}\n",
                        d.time_s[k],
                        d.current_a[k],
                        d.potential_v[k],
                        v[k],
                        v[k] - d.potential_v[k]
                    ));
                }
            }
            Fitted::CellSpectrum(fit) => {
                spectrum_csv(&mut s, &fit.f, &fit.z, &fit.curve(theta)?);
            }
            Fitted::Circuit { fit, index } => {
                let z = fit.curve(&Self::circuit_theta(index, theta));
                spectrum_csv(&mut s, &fit.f, &fit.z, &z);
            }
        }
        Ok(s)
    }
}

/// `fit.csv` rows of a spectrum fit: data and model impedance per frequency.
fn spectrum_csv(s: &mut String, f: &[f64], data: &[C64], model: &[C64]) {
    s.push_str("frequency_Hz,z_real_ohm,z_imag_ohm,model_real_ohm,model_imag_ohm\n");
    for k in 0..model.len() {
        s.push_str(&format!(
            "{},{},{},{},{}\n",
            f[k], data[k].re, data[k].im, model[k].re, model[k].im
        ));
    }
}

impl Model for Fitted {
    fn residuals(&self, theta: &[f64]) -> Result<Vec<f64>, String> {
        match self {
            Fitted::Cell(b) => b.residuals(theta),
            Fitted::CellSpectrum(fit) => fit.residuals(theta),
            Fitted::Circuit { fit, index } => fit.residuals(&Self::circuit_theta(index, theta)),
        }
    }
}

/// Spreads batches over the ranks of `comm` and the threads of `pool`.
pub struct MpiEval<'a, M: Model> {
    pub comm: &'a Comm,
    pub pool: &'a rayon::ThreadPool,
    pub model: &'a M,
    /// Residuals per evaluation (the same on every rank).
    pub len: usize,
}

impl<M: Model> Evaluator for MpiEval<'_, M> {
    fn eval(&mut self, thetas: &[Vec<f64>]) -> Vec<Result<Vec<f64>, String>> {
        let (rank, size) = (self.comm.rank(), self.comm.size());
        let n = thetas.len();
        let mine: Vec<usize> = (rank..n).step_by(size).collect();
        let model = self.model;
        let local: Vec<(usize, Result<Vec<f64>, String>)> = self.pool.install(|| {
            mine.par_iter()
                .map(|&k| (k, model.residuals(&thetas[k])))
                .collect()
        });
        let w = self.len + 1;
        let mut buf = vec![0.0; n * w];
        let mut messages = BTreeMap::new();
        for (k, r) in local {
            match r {
                Ok(v) if v.len() == self.len => buf[k * w + 1..(k + 1) * w].copy_from_slice(&v),
                Ok(v) => {
                    buf[k * w] = 1.0;
                    messages.insert(k, format!("{} residuals, expected {}", v.len(), self.len));
                }
                Err(e) => {
                    buf[k * w] = 1.0;
                    messages.insert(k, e);
                }
            }
        }
        self.comm.sum_in_place(&mut buf);
        (0..n)
            .map(|k| {
                if buf[k * w] != 0.0 {
                    Err(messages
                        .remove(&k)
                        .unwrap_or_else(|| format!("the model failed on rank {}", k % size)))
                } else {
                    Ok(buf[k * w + 1..(k + 1) * w].to_vec())
                }
            })
            .collect()
    }
}
