//! Scribner ZPlot `.z` files and the ZPlotW-style text that Autolab (`Z60W Data File`)
//! writes. `ZPLOT2 ASCII`: a settings block whose last line before `End Comments` names the
//! tab-separated columns. `ZPlotW`/`Z60W`: a few quoted lines, a settings row, a point
//! count, a quoted space-separated header and comma-separated rows. The point count is
//! kept as a note: the sample files hold fewer rows than they declare (sweeps saved early).

use crate::csv_generic::read_table;
use crate::dataset::{Dataset, Metadata};
use crate::error::{ParseError, Result};
use crate::text::{decode, lines};

fn body(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

pub fn sniff(bytes: &[u8]) -> bool {
    let b = body(bytes);
    b.starts_with(b"ZPLOT2 ASCII") || sniff_w(b)
}

fn sniff_w(b: &[u8]) -> bool {
    b.starts_with(b"\"ZPlotW Data File") || b.starts_with(b"\"Z60W Data File")
}

pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    if !sniff(bytes) {
        return Err(ParseError::line(
            path,
            1,
            "expected `ZPLOT2 ASCII` or a quoted `ZPlotW`/`Z60W Data File` title",
        ));
    }
    let wformat = sniff_w(body(bytes));
    let text = decode(bytes);
    let all: Vec<(usize, &str)> = lines(&text).collect();
    let mut meta = Metadata {
        source_file: path.to_string(),
        technique: "Electrochemical Impedance Spectroscopy".into(),
        ..Default::default()
    };
    if wformat {
        meta.instrument = if text.starts_with("\"Z60W") {
            "Metrohm Autolab (Z60W export)".into()
        } else {
            "Scribner ZPlotW".into()
        };
        let Some(h) = all.iter().position(|(_, l)| {
            l.trim_start().starts_with('"') && l.contains("Freq") && l.contains("Z'")
        }) else {
            return Err(ParseError::line(
                path,
                all.len(),
                "no quoted header row naming `Freq(Hz)`",
            ));
        };
        if h >= 1 {
            if let Ok(points) = all[h - 1].1.trim().parse::<usize>() {
                meta.notes
                    .push(("declared_points".into(), points.to_string()));
            }
        }
        for (_, l) in &all[..h] {
            if let Some(rest) = l.strip_prefix("Date:") {
                meta.start_time = Some(
                    rest.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .replace("Time: ", ""),
                );
            }
        }
        // Space-separated names; a `(unit)` written apart belongs to the name before it.
        let mut names: Vec<String> = Vec::new();
        for tok in all[h].1.trim().trim_matches('"').split_whitespace() {
            match names.last_mut() {
                Some(prev) if tok.starts_with('(') => *prev = format!("{prev} {tok}"),
                _ => names.push(tok.to_string()),
            }
        }
        let header = names.join(",");
        let mut owned: Vec<(usize, &str)> = vec![(all[h].0, header.as_str())];
        owned.extend_from_slice(&all[h + 1..]);
        return read_table(path, &owned, 0, None, ',', None, meta);
    }
    meta.instrument = "Scribner ZPlot".into();
    let Some(end) = all.iter().position(|(_, l)| l.trim() == "End Comments") else {
        return Err(ParseError::line(
            path,
            all.len(),
            "no `End Comments` line before the data",
        ));
    };
    if end == 0 {
        return Err(ParseError::line(
            path,
            1,
            "no column header before `End Comments`",
        ));
    }
    let (mut date, mut time) = (None, None);
    for (_, l) in &all[..end] {
        if let Some((k, v)) = l.split_once(':') {
            match k.trim() {
                "Date" => date = Some(v.trim().to_string()),
                "Time" => time = Some(v.trim().to_string()),
                "Data Points" => meta
                    .notes
                    .push(("declared_points".into(), v.trim().to_string())),
                "Experiment Type" => meta.technique = format!("EIS: {}", v.trim()),
                _ => {}
            }
        }
    }
    meta.start_time = match (date, time) {
        (Some(d), Some(t)) => Some(format!("{d} {t}")),
        (d, t) => d.or(t),
    };
    let mut owned: Vec<(usize, &str)> = vec![all[end - 1]];
    owned.extend_from_slice(&all[end + 1..]);
    read_table(path, &owned, 0, None, '\t', None, meta)
}
