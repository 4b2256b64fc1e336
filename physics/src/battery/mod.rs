//! Lithium-ion cell models (PyBaMM's family): parameter sets, the single particle model, and
//! experiments ("Discharge at 1C until 2.5 V", …). No MPI; the engine runs these per cell.

pub mod banded;
pub mod banded_c64;
pub mod bdf;
pub mod control;
pub mod deck;
pub mod dfn;
pub mod electrolyte;
pub mod experiment;
pub mod fixed_grid;
pub mod impedance;
pub mod impedance_dfn;
pub mod impedance_spme;
pub mod params;
pub mod profile;
pub mod runner;
pub mod sphere;
pub mod spm;
pub mod spme;
pub mod summary;
pub mod sweep;
pub mod tridiag;

/// A cell model the experiment runner can drive.
pub trait Cell: Clone {
    /// The state after `h` seconds at constant current `i` [A] (positive on discharge).
    fn advanced(&self, h: f64, i: f64) -> Self;
    /// Terminal voltage [V] at current `i`.
    fn voltage(&self, i: f64) -> f64;
    /// Forget the time-stepping history (the current is about to jump).
    fn restart_history(&mut self);
    /// The order of the BDF formula the next `advanced` takes: 1 after a restart, then up to
    /// [`bdf::MAX_ORDER`] as the history fills (the runner's error estimate matches it).
    fn step_order(&self) -> usize;
    fn nominal_capacity_ah(&self) -> f64;
    /// Lower and upper voltage cut-offs [V].
    fn limits(&self) -> (f64, f64);
    /// Local error tolerances of the adaptive stepping: voltage [V] and current (fraction of
    /// the 1C current) per step.
    fn tolerances(&self) -> (f64, f64) {
        (control::TOL_V, control::TOL_I)
    }
    /// The internal state as named arrays with their grids (`battery_fields.h5`); called only
    /// at the requested output times, never while stepping.
    fn fields(&self) -> Fields;
}

/// A model's internal state at one time: grids (cell centres, m) and fields on them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields {
    /// Grid name (`x_n`, `x_s`, `x_p`, `r_n`, `r_p`) and coordinates [m]: `x_*` measured
    /// from the negative current collector, `r_*` from the particle centre.
    pub grids: Vec<(String, Vec<f64>)>,
    pub fields: Vec<Field>,
}

/// One named array, row-major with `shape` (e.g. `[x_n, r_n]` for the particle concentrations
/// of every negative-electrode node).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub shape: Vec<usize>,
    /// SI units (`mol/m3`, `V`, `A/m2`).
    pub units: String,
    /// Names of the grids along each dimension.
    pub dims: Vec<String>,
    pub data: Vec<f64>,
}

impl Fields {
    pub fn grid(&mut self, name: &str, coords: Vec<f64>) {
        self.grids.push((name.to_string(), coords));
    }

    pub fn push(&mut self, name: &str, units: &str, dims: &[&str], data: Vec<f64>) {
        let shape = dims
            .iter()
            .map(|d| {
                self.grids
                    .iter()
                    .find(|g| g.0 == *d)
                    .map(|g| g.1.len())
                    .unwrap_or(1)
            })
            .collect::<Vec<_>>();
        debug_assert_eq!(shape.iter().product::<usize>(), data.len(), "{name}");
        self.fields.push(Field {
            name: name.to_string(),
            shape,
            units: units.to_string(),
            dims: dims.iter().map(|d| d.to_string()).collect(),
            data,
        });
    }

    pub fn get(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}
