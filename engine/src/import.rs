//! `galvana import FILE --to OUT.h5|OUT.csv`: read an instrument export with
//! galvana-instruments and write the normalised dataset (docs/instruments.md). The CSV
//! writer is the library's; the HDF5 writer lives here because galvana-h5 links MPI.

use crate::cli::{EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE};
use galvana_instruments::{Dataset, Format, Mapping};
use std::path::{Path, PathBuf};

/// Exit code for input that cannot be imported (DESIGN.md: 3 = deck or input invalid).
const EXIT_INVALID: i32 = crate::cli::EXIT_INVALID;

pub struct ImportArgs {
    pub file: PathBuf,
    pub to: PathBuf,
    /// A format name (`galvana_instruments::Format::name`); detected from the content if absent.
    pub format: Option<String>,
    /// A column mapping for plain tables (`1=frequency_Hz;2=z_real_ohm`).
    pub map: Option<String>,
}

enum Out {
    Csv,
    H5,
}

/// Run the import; returns the exit code.
pub fn import(a: &ImportArgs) -> i32 {
    let ext =
        a.to.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
    let out = match ext.as_deref() {
        Some("csv") => Out::Csv,
        Some("h5" | "hdf5") => Out::H5,
        _ => {
            eprintln!(
                "error: --to {}: expected a file name ending in .h5, .hdf5 or .csv",
                a.to.display()
            );
            return EXIT_USAGE;
        }
    };
    let format = match a.format.as_deref() {
        None => None,
        Some(f) => match Format::from_name(f) {
            Some(f) => Some(f),
            None => {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                eprintln!(
                    "error: --format {f}: unknown; expected one of {}",
                    names.join(", ")
                );
                return EXIT_USAGE;
            }
        },
    };
    let map = match a.map.as_deref().map(Mapping::parse) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            eprintln!("error: --map: {e}");
            return EXIT_USAGE;
        }
    };
    let ds = match galvana_instruments::read(&a.file, format, map.as_ref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let res = match out {
        Out::Csv => galvana_instruments::csv_out::write_csv(&ds, &a.to).map_err(|e| e.to_string()),
        // Serial HDF5 calls need no MPI_Init, even in the parallel HDF5 build.
        Out::H5 => write_h5(&a.to, &ds),
    };
    if let Err(e) = res {
        eprintln!("error: cannot write {}: {e}", a.to.display());
        return EXIT_RUN_FAILED;
    }
    let cols: Vec<&str> = ds.columns().map(|c| c.0.name()).collect();
    crate::say!(
        "{}: {} rows ({}) from {} -> {}",
        a.file.display(),
        ds.rows(),
        cols.join(", "),
        ds.meta.instrument,
        a.to.display()
    );
    EXIT_OK
}

/// The HDF5 group name of a dataset: the source file's stem, with `/` and `.` replaced.
pub fn group_name(ds: &Dataset) -> String {
    let stem = Path::new(&ds.meta.source_file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("dataset");
    let g: String = stem
        .chars()
        .map(|c| {
            if c == '/' || c == '.' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if g.is_empty() {
        "dataset".into()
    } else {
        g
    }
}

/// One group per dataset (named by [`group_name`]), one 1-D f64 dataset per column with a
/// `units` attribute, metadata as string attributes on the group. Written to a temporary
/// name, synced and renamed: the file is whole or absent.
pub fn write_h5(path: &Path, ds: &Dataset) -> Result<(), String> {
    let h5e = |e: galvana_h5::H5Error| e.to_string();
    crate::meshless::write_whole(path, |tmp| {
        let f = galvana_h5::File::create(tmp).map_err(h5e)?;
        f.set_attr_str("schema", "galvana normalised instrument dataset")
            .map_err(h5e)?;
        let g = f.group(&group_name(ds)).map_err(h5e)?;
        let m = &ds.meta;
        g.set_attr_str("instrument", &m.instrument).map_err(h5e)?;
        g.set_attr_str("technique", &m.technique).map_err(h5e)?;
        g.set_attr_str("start_time", m.start_time.as_deref().unwrap_or(""))
            .map_err(h5e)?;
        g.set_attr_str("source_file", &m.source_file).map_err(h5e)?;
        let orig: Vec<String> = m.original_columns.iter().map(|c| c.describe()).collect();
        g.set_attr_str("original_columns", &orig.join("\n"))
            .map_err(h5e)?;
        for (k, v) in &m.notes {
            g.set_attr_str(&format!("note_{k}"), v).map_err(h5e)?;
        }
        for (c, v) in ds.columns() {
            let d = g
                .create_dataset::<f64>(c.name(), &[v.len() as u64])
                .map_err(h5e)?;
            d.write_rows(0, v, 1).map_err(h5e)?;
            d.set_attr_str("units", c.unit()).map_err(h5e)?;
        }
        drop(g);
        f.close().map_err(h5e)
    })
}
