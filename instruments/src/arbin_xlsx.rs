//! Arbin `.xlsx` export (MITS Pro / Data Watcher): a `Global_Info` sheet and one or more
//! `Channel_*` sheets, each with a header row (`Date_Time`, `Test_Time(s)`, `Step_Index`,
//! `Cycle_Index`, `Voltage(V)`, `Current(A)`, `Charge_Capacity(Ah)`, ...) and rows.
//! Channel sheets are concatenated in workbook order (Arbin splits long tests).

use crate::arbin::{excel_date, net_charge, target};
use crate::dataset::{Col, Dataset, Metadata, SourceColumn, TableBuilder};
use crate::error::{ParseError, Result};
use crate::text::dedupe;
use calamine::{Data, Reader, Xlsx};

pub fn sniff(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn cell(d: &Data) -> Option<f64> {
    match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        Data::Bool(b) => Some(f64::from(u8::from(*b))),
        Data::DateTime(t) => Some(t.as_f64()),
        _ => None,
    }
}

/// Parse an Arbin `.xlsx`; `path` names it in errors ("line" = spreadsheet row).
pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    if !sniff(bytes) {
        return Err(ParseError::offset(
            path,
            0,
            "expected a zip archive (an .xlsx workbook)",
        ));
    }
    // The zip/XML reader is a dependency: keep any panic of it from escaping as one.
    let r = std::panic::catch_unwind(|| read(bytes, path));
    r.unwrap_or_else(|_| {
        Err(ParseError::file(
            path,
            "damaged workbook (the xlsx reader gave up)",
        ))
    })
}

fn read(bytes: &[u8], path: &str) -> Result<Dataset> {
    let bad = |e: calamine::XlsxError| {
        ParseError::file(path, format!("not a readable xlsx workbook: {e}"))
    };
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(bad)?;
    let sheets: Vec<String> = wb
        .sheet_names()
        .into_iter()
        .filter(|s| s.starts_with("Channel"))
        .collect();
    if sheets.is_empty() {
        return Err(ParseError::file(
            path,
            "no `Channel_*` sheet (expected an Arbin export)",
        ));
    }
    let mut meta = Metadata {
        instrument: "Arbin (xlsx export)".into(),
        technique: "cycling".into(),
        source_file: path.to_string(),
        ..Default::default()
    };
    let mut header: Option<Vec<String>> = None;
    let mut builder: Option<TableBuilder> = None;
    let (mut qc, mut qd) = (Vec::new(), Vec::new());
    let (mut ic, mut id) = (None, None);
    for s in &sheets {
        let range = wb.worksheet_range(s).map_err(bad)?;
        let mut rows = range.rows();
        let Some(h) = rows.next() else { continue };
        let names: Vec<String> = h.iter().map(|c| c.to_string().trim().to_string()).collect();
        let line = |k: usize| k + 1;
        match &header {
            Some(prev) if *prev != names => {
                return Err(ParseError::file(
                    path,
                    format!("sheet {s}: header differs from the first channel sheet"),
                ));
            }
            Some(_) => {}
            None => {
                ic = names.iter().position(|n| n.starts_with("Charge_Capacity"));
                id = names
                    .iter()
                    .position(|n| n.starts_with("Discharge_Capacity"));
                let ranked = names.iter().map(|n| target(n)).collect();
                for (n, m) in names.iter().zip(dedupe(ranked)) {
                    let (name, unit) = crate::text::split_unit(n);
                    meta.original_columns.push(SourceColumn {
                        name,
                        unit,
                        maps_to: m,
                    });
                }
                header = Some(names.clone());
                builder = Some(TableBuilder::new(path, meta.clone(), 1)?);
            }
        }
        let b = builder.as_mut().expect("set with the header");
        for (k, row) in rows.enumerate() {
            if row.iter().all(|c| matches!(c, Data::Empty)) {
                continue;
            }
            let mut cells: Vec<Option<f64>> = row.iter().map(cell).collect();
            cells.resize(names.len(), None);
            b.push(line(k + 1), &cells).map_err(|e| {
                ParseError::file(path, format!("sheet {s} row {}: {}", k + 2, e.message))
            })?;
            if let (Some(c), Some(d)) = (ic, id) {
                qc.push(cells[c].unwrap_or(f64::NAN));
                qd.push(cells[d].unwrap_or(f64::NAN));
            }
            if b.rows() == 1 {
                if let Some(Data::DateTime(t)) = row.first() {
                    b.set_start_time(excel_date(t.as_f64()));
                }
            }
        }
    }
    let mut b = builder.ok_or_else(|| ParseError::file(path, "channel sheets are empty"))?;
    if ic.is_some() && id.is_some() {
        b.add_column(Col::Charge, net_charge(&qc, &qd));
    }
    b.finish(0)
        .map_err(|_| ParseError::file(path, "no data rows in the channel sheets"))
}
