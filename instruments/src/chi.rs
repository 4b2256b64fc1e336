//! CH Instruments text export of an A.C. impedance run: a date line, the technique, settings,
//! then `Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg` and comma-separated rows. `Z"` is
//! written with its measured sign.

use crate::csv_generic::read_table;
use crate::dataset::{Dataset, Metadata};
use crate::error::{ParseError, Result};
use crate::text::{decode, lines};

pub fn sniff(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let t = decode(head);
    let mut ls = t.lines();
    let _date = ls.next();
    matches!(ls.next().map(str::trim), Some("A.C. Impedance"))
        || t.contains("Instrument Model:  CHI")
}

pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    let text = decode(bytes);
    let all: Vec<(usize, &str)> = lines(&text).collect();
    let Some(h) = all.iter().position(|(_, l)| l.starts_with("Freq/Hz")) else {
        return Err(ParseError::line(
            path,
            all.len(),
            "no `Freq/Hz, Z'/ohm, ...` header row (CH Instruments impedance export)",
        ));
    };
    let meta = Metadata {
        instrument: match all
            .iter()
            .find_map(|(_, l)| l.strip_prefix("Instrument Model:"))
        {
            Some(m) => format!("CH Instruments {}", m.trim()),
            None => "CH Instruments".into(),
        },
        technique: all
            .get(1)
            .map(|l| l.1.trim().to_string())
            .unwrap_or_default(),
        start_time: all
            .first()
            .map(|l| l.1.trim().to_string())
            .filter(|s| !s.is_empty()),
        source_file: path.to_string(),
        ..Default::default()
    };
    read_table(path, &all, h, None, ',', None, meta)
}
