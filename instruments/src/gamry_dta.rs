//! Gamry Framework `.DTA`: `EXPLAIN`, tab-separated `KEY\tTYPE\tVALUE...` lines, and
//! tables `NAME\tTABLE[\tROWS]` followed by a tab-indented name row, unit row and data
//! rows. The measurement is `ZCURVE` (EIS), else the `CURVE`/`CURVEn` tables (CV cycles,
//! chrono-amperometry/potentiometry), else `OCVCURVE`. An aborted experiment
//! (`EXPERIMENTABORTED ... T`) is imported with the rows it has and a note.

use crate::dataset::{Col, Dataset, Metadata, SourceColumn, TableBuilder};
use crate::error::{ParseError, Result};
use crate::text::{decode, dedupe, lines, num, unit_factor, Quantity};

pub fn sniff(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    b.starts_with(b"EXPLAIN\r\n") || b.starts_with(b"EXPLAIN\n")
}

struct Table<'a> {
    name: String,
    line: usize,
    declared: Option<usize>,
    names: Vec<&'a str>,
    units: Vec<&'a str>,
    rows: Vec<(usize, Vec<&'a str>)>,
}

fn map(name: &str, unit: &str) -> Option<(Col, f64, u8)> {
    let q = unit_factor(unit);
    let r = match (name, q) {
        ("T" | "Time", Some((Quantity::Time, f))) => (Col::Time, f, 0),
        ("Vf", Some((Quantity::Potential, f))) => (Col::Potential, f, 0),
        ("Vdc", Some((Quantity::Potential, f))) => (Col::Potential, f, 1),
        ("Im", Some((Quantity::Current, f))) => (Col::Current, f, 0),
        ("Idc", Some((Quantity::Current, f))) => (Col::Current, f, 1),
        ("Q", Some((Quantity::Charge, f))) => (Col::Charge, f, 0),
        ("Freq", Some((Quantity::Frequency, f))) => (Col::Frequency, f, 0),
        // Gamry writes Zimag with its measured sign (negative for a capacitive response).
        ("Zreal", Some((Quantity::Impedance, f))) => (Col::ZReal, f, 0),
        ("Zimag", Some((Quantity::Impedance, f))) => (Col::ZImag, f, 0),
        ("Temp", Some((Quantity::Temperature, f))) => (Col::Temperature, f, 0),
        ("Cycle", _) => (Col::Cycle, 1.0, 0),
        _ => return None,
    };
    Some(r)
}

/// Parse a `.DTA` file; `path` names it in errors and metadata.
pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    if !sniff(bytes) {
        return Err(ParseError::line(path, 1, "expected `EXPLAIN` (Gamry .DTA)"));
    }
    let text = decode(bytes);
    let all: Vec<(usize, &str)> = lines(&text).collect();
    let mut meta = Metadata {
        instrument: "Gamry Framework".into(),
        source_file: path.to_string(),
        ..Default::default()
    };
    let (mut date, mut time, mut aborted) = (None, None, false);
    let mut tables: Vec<Table> = Vec::new();
    let mut i = 1;
    while i < all.len() {
        let (n, l) = all[i];
        let f: Vec<&str> = l.split('\t').collect();
        i += 1;
        match (f.first().copied(), f.get(1).copied()) {
            (Some("TAG"), Some(v)) => meta.technique = v.trim().to_string(),
            (Some("DATE"), Some("LABEL")) => date = f.get(2).map(|s| s.trim().to_string()),
            (Some("TIME"), Some("LABEL")) => time = f.get(2).map(|s| s.trim().to_string()),
            (Some("EXPERIMENTABORTED"), Some("TOGGLE")) => {
                aborted = f.get(2).is_some_and(|v| v.trim() == "T")
            }
            (Some(name), Some("TABLE")) => {
                let declared = match f.get(2).map(|s| s.trim()) {
                    None | Some("") => None,
                    Some(s) => Some(s.parse::<usize>().map_err(|_| {
                        ParseError::line(
                            path,
                            n,
                            format!("table row count `{s}` is not a whole number"),
                        )
                    })?),
                };
                let head = |k: usize| -> Result<Vec<&str>> {
                    match all.get(k) {
                        Some((_, l)) if l.starts_with('\t') => Ok(l[1..].split('\t').collect()),
                        _ => Err(ParseError::line(
                            path,
                            k + 1,
                            format!(
                                "table {name}: expected a tab-indented {} row",
                                if k + 1 == n + 1 {
                                    "column-name"
                                } else {
                                    "unit"
                                }
                            ),
                        )),
                    }
                };
                let names = head(i)?;
                let units = head(i + 1)?;
                i += 2;
                let mut rows = Vec::new();
                while let Some((rn, rl)) = all.get(i) {
                    let Some(body) = rl.strip_prefix('\t') else {
                        break;
                    };
                    rows.push((*rn, body.split('\t').collect()));
                    i += 1;
                }
                tables.push(Table {
                    name: name.to_string(),
                    line: n,
                    declared,
                    names,
                    units,
                    rows,
                });
            }
            _ => {}
        }
    }
    meta.start_time = match (date, time) {
        (Some(d), Some(t)) => Some(format!("{d} {t}")),
        (d, t) => d.or(t),
    };
    if aborted {
        meta.notes.push(("aborted".into(), "true".into()));
    }
    let pick: Vec<&Table> = if let Some(z) = tables.iter().find(|t| t.name == "ZCURVE") {
        vec![z]
    } else if meta.technique.contains("EIS") {
        // The OCV table before an impedance sweep is not the measurement.
        return Err(ParseError::line(
            path,
            all.len(),
            format!(
                "{} experiment without a ZCURVE table (truncated file?)",
                meta.technique
            ),
        ));
    } else {
        let curves: Vec<&Table> = tables
            .iter()
            .filter(|t| {
                t.name
                    .strip_prefix("CURVE")
                    .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        if !curves.is_empty() {
            curves
        } else if let Some(o) = tables.iter().find(|t| t.name == "OCVCURVE") {
            vec![o]
        } else {
            return Err(ParseError::line(
                path,
                all.len(),
                "no data table (expected ZCURVE, CURVE or OCVCURVE ... TABLE)",
            ));
        }
    };
    let first = pick[0];
    for t in &pick {
        if t.names != first.names {
            return Err(ParseError::line(
                path,
                t.line,
                format!("table {} has other columns than {}", t.name, first.name),
            ));
        }
        if let Some(d) = t.declared {
            if t.rows.len() < d && !aborted {
                let end = t.rows.last().map_or(t.line + 2, |r| r.0);
                return Err(ParseError::line(
                    path,
                    end + 1,
                    format!(
                        "table {} declares {d} rows but has {} (truncated file?)",
                        t.name,
                        t.rows.len()
                    ),
                ));
            }
        }
    }
    meta.technique = format!("{} ({})", meta.technique, first.name);
    let mut ranked = Vec::new();
    for (k, name) in first.names.iter().enumerate() {
        let unit = first.units.get(k).copied().unwrap_or("").trim();
        ranked.push(map(name.trim(), unit));
        meta.original_columns.push(SourceColumn {
            name: name.trim().into(),
            unit: unit.into(),
            maps_to: None,
        });
    }
    for (c, m) in meta.original_columns.iter_mut().zip(dedupe(ranked)) {
        c.maps_to = m;
    }
    let has_cycle = meta
        .original_columns
        .iter()
        .any(|c| matches!(c.maps_to, Some((Col::Cycle, _))));
    let mut b = TableBuilder::new(path, meta, first.line + 1)?;
    let mut cycles = Vec::new();
    for (k, t) in pick.iter().enumerate() {
        for (rn, cells) in &t.rows {
            let v: Vec<Option<f64>> = cells.iter().map(|c| num(c)).collect();
            b.push(*rn, &v)?;
            cycles.push(k as f64);
        }
    }
    if pick.len() > 1 && !has_cycle {
        b.add_column(Col::Cycle, cycles);
    }
    b.finish(first.line + 3)
}
