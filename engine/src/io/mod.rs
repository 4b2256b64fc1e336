//! Output: fields (XDMF + HDF5), monitors, run summary, output directories.

pub mod fields;
pub mod outdir;
