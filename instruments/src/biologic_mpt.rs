//! BioLogic EC-Lab text export (`.mpt`): `EC-Lab ASCII FILE`, `Nb header lines : N`, a
//! free-form settings block, then on line N a tab-separated header `name/unit` and rows.
//! Numbers may use a decimal comma (French and German Windows locales).

use crate::dataset::{Col, Dataset, Metadata, SourceColumn, TableBuilder};
use crate::error::{ParseError, Result};
use crate::text::{decode, dedupe, fields, lines, num, split_unit, unit_factor, Quantity};

/// True if the bytes start like an EC-Lab (or BT-Lab) text export.
pub fn sniff(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    b.starts_with(b"EC-Lab ASCII FILE") || b.starts_with(b"BT-Lab ASCII FILE")
}

/// Which schema column a BioLogic column fills, with a preference rank.
fn map(name: &str, unit: &str) -> Option<(Col, f64, u8)> {
    let (q, f) = unit_factor(unit)?;
    let r = match (name, q) {
        ("time", Quantity::Time) => (Col::Time, f, 0),
        ("Ewe", Quantity::Potential) => (Col::Potential, f, 0),
        ("<Ewe>", Quantity::Potential) => (Col::Potential, f, 1),
        ("Ecell", Quantity::Potential) => (Col::Potential, f, 2),
        ("I", Quantity::Current) => (Col::Current, f, 0),
        ("<I>", Quantity::Current) => (Col::Current, f, 1),
        ("(Q-Qo)", Quantity::Charge) => (Col::Charge, f, 0),
        ("freq", Quantity::Frequency) => (Col::Frequency, f, 0),
        ("Re(Z)", Quantity::Impedance) => (Col::ZReal, f, 0),
        // EC-Lab writes -Im(Z); the schema keeps Im(Z) with its measured sign.
        ("-Im(Z)", Quantity::Impedance) => (Col::ZImag, -f, 0),
        ("Im(Z)", Quantity::Impedance) => (Col::ZImag, f, 1),
        ("Temperature", Quantity::Temperature) => (Col::Temperature, f, 0),
        _ => return None,
    };
    Some(r)
}

fn map_counter(name: &str) -> Option<(Col, f64, u8)> {
    match name {
        "cycle number" => Some((Col::Cycle, 1.0, 0)),
        "Ns" => Some((Col::Step, 1.0, 0)),
        _ => None,
    }
}

/// Parse an `.mpt` file; `path` names it in errors and metadata.
pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    if !sniff(bytes) {
        return Err(ParseError::line(
            path,
            1,
            "expected `EC-Lab ASCII FILE` (BioLogic .mpt)",
        ));
    }
    let text = decode(bytes);
    let all: Vec<(usize, &str)> = lines(&text).collect();
    let mut header_line = 2;
    if let Some((_, l)) = all.get(1) {
        if let Some(v) = l.trim().strip_prefix("Nb header lines") {
            let v = v.trim().trim_start_matches(':').trim();
            header_line = v.parse().map_err(|_| {
                ParseError::line(
                    path,
                    2,
                    format!("`Nb header lines` is `{v}`, expected a whole number"),
                )
            })?;
            if header_line < 3 {
                return Err(ParseError::line(
                    path,
                    2,
                    format!("`Nb header lines` is {header_line}, expected at least 3"),
                ));
            }
        }
    }
    let Some((_, header)) = all.get(header_line - 1) else {
        return Err(ParseError::line(
            path,
            all.len(),
            format!("file ends before the column header on line {header_line}"),
        ));
    };
    let mut meta = Metadata {
        instrument: "BioLogic EC-Lab".into(),
        source_file: path.to_string(),
        ..Default::default()
    };
    for (n, l) in &all[..header_line - 1] {
        if *n == 4 && header_line > 4 {
            meta.technique = l.trim().to_string();
        }
        if let Some((k, v)) = l.split_once(" : ") {
            if k.trim() == "Acquisition started on" {
                meta.start_time = Some(v.trim().to_string());
            }
        }
    }
    let names = fields(header, '\t');
    let mut ranked = Vec::new();
    for h in &names {
        let (name, unit) = split_unit(h);
        ranked.push(map(&name, &unit).or_else(|| map_counter(h.trim())));
        meta.original_columns.push(SourceColumn {
            name,
            unit,
            maps_to: None,
        });
    }
    for (c, m) in meta.original_columns.iter_mut().zip(dedupe(ranked)) {
        c.maps_to = m;
    }
    let mut t = TableBuilder::new(path, meta, header_line)?;
    let mut last = header_line;
    for (n, l) in &all[header_line..] {
        if l.trim().is_empty() {
            continue;
        }
        let cells: Vec<Option<f64>> = fields(l, '\t').iter().map(|f| num(f)).collect();
        t.push(*n, &cells)?;
        last = *n;
    }
    t.finish(last + 1)
}
