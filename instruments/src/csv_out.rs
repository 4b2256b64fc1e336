//! The normalised CSV: `#` metadata lines, a header row of schema names, one row per sample.
//! Written to a temporary file, synced and renamed, so the output is whole or absent.

use crate::dataset::Dataset;
use std::io::Write;
use std::path::Path;

/// The CSV text of `ds`. Metadata lines are `# key: value`; values print in Rust's shortest
/// round-trip form, so reading them back gives the same `f64`.
pub fn to_csv(ds: &Dataset) -> String {
    let m = &ds.meta;
    let mut s = String::new();
    let one = |v: &str| v.replace(['\n', '\r'], " ");
    s += &format!("# instrument: {}\n", one(&m.instrument));
    s += &format!("# technique: {}\n", one(&m.technique));
    if let Some(t) = &m.start_time {
        s += &format!("# start_time: {}\n", one(t));
    }
    s += &format!("# source_file: {}\n", one(&m.source_file));
    for c in &m.original_columns {
        s += &format!("# original_column: {}\n", one(&c.describe()));
    }
    for (k, v) in &m.notes {
        s += &format!("# {}: {}\n", one(k), one(v));
    }
    let cols: Vec<_> = ds.columns().collect();
    s += &cols
        .iter()
        .map(|c| c.0.name())
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    for r in 0..ds.rows() {
        let row: Vec<String> = cols.iter().map(|c| format!("{:?}", c.1[r])).collect();
        s += &row.join(",");
        s.push('\n');
    }
    s
}

/// Write `ds` as CSV to `path` atomically (temporary file in the same folder, fsync, rename).
pub fn write_csv(ds: &Dataset, path: &Path) -> std::io::Result<()> {
    write_atomic(path, to_csv(ds).as_bytes())
}

/// Write `bytes` to `path` via a synced temporary file and a rename; the temporary file is
/// removed on failure.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return res;
    }
    if let Some(d) = path.parent().and_then(|d| std::fs::File::open(d).ok()) {
        let _ = d.sync_all();
    }
    Ok(())
}
