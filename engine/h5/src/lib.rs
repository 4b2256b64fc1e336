//! Galvana's HDF5 output layer: a small safe wrapper over the system's parallel HDF5 C
//! library (MPI-IO driver, collective row-slab writes), plus an [`xdmf`] writer so that
//! ParaView can open the results as a time series.
//!
//! # Parallel use
//! Files opened with [`File::create_parallel`]/[`File::open_parallel`] follow HDF5's
//! collective rules: every rank of the communicator must make the same metadata calls in the
//! same order with the same arguments (create/open/close of files, groups and datasets,
//! attribute writes, [`File::flush`]) and must call [`Dataset::write_rows`] (a collective
//! transfer) even when it has no rows. Reads are independent. All handles must be dropped
//! before MPI is finalised (i.e. before the `mpi::environment::Universe` goes away).
//!
//! # Threads
//! HDF5 is not built thread-safe on Debian, so every call takes a process-wide lock; the
//! handle types are nevertheless `Send + Sync`.
//!
//! # Example (serial)
//! ```no_run
//! # fn main() -> Result<(), galvana_h5::H5Error> {
//! let file = galvana_h5::File::create(std::path::Path::new("out.h5"))?;
//! let mesh = file.group("mesh")?;
//! let xyz = mesh.create_dataset::<f64>("geometry", &[4, 2])?;
//! xyz.write_rows(0, &[0.0, 0.0, 1.0, 0.0], 2)?;
//! xyz.write_rows(2, &[0.0, 1.0, 1.0, 1.0], 2)?;
//! xyz.set_attr_str("units", "m")?;
//! assert_eq!(xyz.read_all::<f64>()?.len(), 8);
//! # Ok(()) }
//! ```

mod attr;
mod dataset;
mod error;
mod ffi;
mod file;
pub mod xdmf;

pub use dataset::{Dataset, H5Type};
pub use error::{H5Error, Result};
pub use file::{File, Group};
pub use xdmf::{XdmfMesh, XdmfSeries};

/// The conventional dataset path of field `name` at output step `step`:
/// `/fields/<name>/<step, six digits>`.
pub fn field_dataset_path(name: &str, step: usize) -> String {
    format!("/fields/{name}/{step:06}")
}
