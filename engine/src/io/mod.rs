//! Output: fields (XDMF + HDF5), checkpoints, output directories.

pub mod checkpoint;
pub mod checksum;
pub mod fields;
pub mod outdir;
