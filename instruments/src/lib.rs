//! Parsers for battery-cycler and potentiostat exports into one normalised dataset
//! (DESIGN.md "Normalised instrument dataset"; docs/instruments.md).
//!
//! Pure Rust, no MPI/HDF5: the HDF5 writer lives in the engine (`galvana import`).
//! Every parser takes the file's bytes and a path used in messages, and returns a
//! [`Dataset`] or a [`ParseError`] naming the file and the line or byte offset; none panics
//! on any input (fuzzed, see `fuzz/`).
//!
//! ```
//! let text = "time_s,potential_V\n0,3.7\n1,3.69\n";
//! let ds = galvana_instruments::parse(text.as_bytes(), "x.csv", None, None).unwrap();
//! assert_eq!(ds.rows(), 2);
//! assert_eq!(ds.column(galvana_instruments::Col::Potential), Some(&[3.7, 3.69][..]));
//! ```

pub mod arbin;
pub mod arbin_res;
pub mod arbin_xlsx;
pub mod biologic_mpr;
pub mod biologic_mpt;
pub mod chi;
pub mod csv_generic;
pub mod csv_out;
pub mod cycling;
pub mod dataset;
pub mod detect;
pub mod error;
pub mod gamry_dta;
pub mod maccor;
mod text;
pub mod versastudio;
pub mod zplot;

pub use csv_generic::Mapping;
pub use dataset::{Col, Dataset, Metadata, SourceColumn};
pub use detect::{detect, parse, Format};
pub use error::{Location, ParseError};

/// Read `path` and parse it (format detected from the content unless given).
pub fn read(
    path: &std::path::Path,
    format: Option<Format>,
    mapping: Option<&Mapping>,
) -> Result<Dataset, ParseError> {
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| ParseError::file(&name, format!("cannot read: {e}")))?;
    let mut ds = parse(&bytes, &name, format, mapping)?;
    // Metadata keeps the file's name, not the importing machine's folders.
    if let Some(f) = path.file_name() {
        ds.meta.source_file = f.to_string_lossy().into_owned();
    }
    Ok(ds)
}
