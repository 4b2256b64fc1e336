//! Maccor text export: a title line (`Today's Date ... Date of Test: ...`), a tab-separated
//! header (`Rec#  Cyc#  Step  Test (Min)  Step (Min)  Amp-hr  Watt-hr  Amps  Volts  State ...`)
//! and rows. Maccor writes current unsigned with a state letter; the schema's current is
//! signed (positive = charge), so rows in state `D` get a negative current.

use crate::csv_generic::{read_table, Mapping, Source};
use crate::dataset::{Col, Dataset, Metadata};
use crate::error::{ParseError, Result};
use crate::text::{decode, fields, lines};

pub fn sniff(bytes: &[u8]) -> bool {
    let head = decode(&bytes[..bytes.len().min(2048)]);
    let mut ls = head.lines();
    let first = ls.next().unwrap_or("");
    let second = ls.next().unwrap_or("");
    first.starts_with("Today's Date") || second.starts_with("Rec#\tCyc#\t")
}

pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    let text = decode(bytes);
    let all: Vec<(usize, &str)> = lines(&text).collect();
    let Some(h) = all.iter().position(|(_, l)| l.starts_with("Rec#")) else {
        return Err(ParseError::line(
            path,
            all.len().min(2),
            "no `Rec#\\tCyc#\\t...` header row (Maccor text export)",
        ));
    };
    let names = fields(all[h].1, '\t');
    let need = [
        "Cyc#",
        "Step",
        "Test (Min)",
        "Amp-hr",
        "Amps",
        "Volts",
        "State",
    ];
    for n in need {
        if !names.iter().any(|x| x.trim() == n) {
            return Err(ParseError::line(
                path,
                all[h].0,
                format!("header has no `{n}` column"),
            ));
        }
    }
    let state_i = names
        .iter()
        .position(|x| x.trim() == "State")
        .expect("checked");
    let name = |s: &str| Source::Name(s.to_string());
    let mapping = Mapping {
        entries: vec![
            (name("Test (Min)"), Col::Time, 60.0),
            (name("Volts"), Col::Potential, 1.0),
            (name("Amps"), Col::Current, 1.0),
            (name("Amp-hr"), Col::Charge, 1.0),
            (name("Cyc#"), Col::Cycle, 1.0),
            (name("Step"), Col::Step, 1.0),
        ],
    };
    let title = all[0].1;
    let meta = Metadata {
        instrument: "Maccor".into(),
        technique: title
            .split_once("Procedure:")
            .map(|(_, p)| p.split('\t').next().unwrap_or("").trim().to_string())
            .unwrap_or_default(),
        start_time: title.split_once("Date of Test:").map(|(_, d)| {
            d.trim_start_matches('\t')
                .split('\t')
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        }),
        source_file: path.to_string(),
        ..Default::default()
    };
    let mut ds = read_table(path, &all, h, None, '\t', Some(&mapping), meta)?;
    let states: Vec<bool> = all[h + 1..]
        .iter()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(_, l)| {
            fields(l, '\t')
                .get(state_i)
                .is_some_and(|s| s.trim() == "D")
        })
        .collect();
    let cur = ds.column_mut(Col::Current).expect("mapped");
    for (c, d) in cur.iter_mut().zip(states) {
        if d {
            *c = -c.abs();
        }
    }
    Ok(ds)
}
