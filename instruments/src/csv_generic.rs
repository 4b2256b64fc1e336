//! Delimited tables: generic CSV/TSV with a header row (names recognised, or an explicit
//! column mapping), and the shared table reader used by the other text formats.

use crate::dataset::{Col, Dataset, Metadata, SourceColumn, TableBuilder};
use crate::error::{ParseError, Result};
use crate::text::{decode, dedupe, fields, lines, num, split_unit, unit_factor, Quantity};

/// Which source column fills which schema column: `(source, target, factor)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub entries: Vec<(Source, Col, f64)>,
}

/// A source column by 1-based position or by its header text.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Index(usize),
    Name(String),
}

impl Mapping {
    /// Parse `SOURCE=TARGET[*FACTOR];...`, e.g. `1=frequency_Hz;2=z_real_ohm;Time (min)=time_s*60`.
    /// SOURCE is a 1-based column number or a header name; TARGET a schema column name.
    pub fn parse(spec: &str) -> std::result::Result<Mapping, String> {
        let mut entries = Vec::new();
        for part in spec.split(';').filter(|p| !p.trim().is_empty()) {
            let (src, dst) = part
                .rsplit_once('=')
                .ok_or_else(|| format!("`{part}`: expected SOURCE=TARGET"))?;
            let (dst, factor) = match dst.split_once('*') {
                Some((d, f)) => (
                    d,
                    f.trim()
                        .parse::<f64>()
                        .map_err(|_| format!("`{part}`: factor `{f}` is not a number"))?,
                ),
                None => (dst, 1.0),
            };
            let col = Col::from_name(dst.trim()).ok_or_else(|| {
                let names: Vec<&str> = Col::ALL.iter().map(|c| c.name()).collect();
                format!(
                    "`{part}`: unknown target `{}`; expected one of {}",
                    dst.trim(),
                    names.join(", ")
                )
            })?;
            let src = src.trim();
            let src = match src.parse::<usize>() {
                Ok(0) => return Err(format!("`{part}`: column numbers start at 1")),
                Ok(i) => Source::Index(i),
                Err(_) => Source::Name(src.to_string()),
            };
            entries.push((src, col, factor));
        }
        if entries.is_empty() {
            return Err("empty column mapping".into());
        }
        Ok(Mapping { entries })
    }
}

/// Recognise a header cell (`Potential (V)`, `Z'/ohm`, `freq/Hz`, `time_s`, ...).
pub fn guess(header: &str) -> Option<(Col, f64, u8)> {
    let h = header.trim().trim_matches('"').trim();
    if let Some(c) = Col::from_name(h) {
        return Some((c, 1.0, 0));
    }
    let (name, unit) = split_unit(h);
    let l = name.to_lowercase();
    let uf = unit_factor(&unit);
    let ohm = match uf {
        Some((Quantity::Impedance, f)) => Some(f),
        None if unit.is_empty() => Some(1.0),
        _ => None,
    };
    let zre = ["z'", "z'(a)", "zre", "zreal", "z real", "re(z)", "z_re"];
    let zim = [
        "z''", "z\"", "z''(b)", "zim", "zimg", "zimag", "z imag", "im(z)", "z_im",
    ];
    if let Some(f) = ohm {
        if zre.contains(&l.as_str()) {
            return Some((Col::ZReal, f, 0));
        }
        if zim.contains(&l.as_str()) {
            return Some((Col::ZImag, f, 0));
        }
        if let Some(rest) = l.strip_prefix('-') {
            if zim.contains(&rest) {
                return Some((Col::ZImag, -f, 0));
            }
        }
    }
    match l.as_str() {
        "cycle" | "cycle number" | "cycle index" | "cycle_index" | "cyc#" => {
            return Some((Col::Cycle, 1.0, 0))
        }
        "step" | "step index" | "step_index" | "ns" => return Some((Col::Step, 1.0, 0)),
        _ => {}
    }
    let (q, f) = match uf {
        Some(x) => x,
        None if unit.is_empty() && matches!(l.as_str(), "freq" | "frequency" | "freq(hz)") => {
            return Some((Col::Frequency, 1.0, 0))
        }
        None => return None,
    };
    let starts = |p: &[&str]| p.iter().any(|s| l == *s || l.starts_with(&format!("{s} ")));
    let col = match q {
        Quantity::Time if l.contains("time") || l == "t" => Col::Time,
        Quantity::Potential
            if starts(&[
                "e",
                "ewe",
                "ecell",
                "potential",
                "voltage",
                "volts",
                "v",
                "vf",
            ]) =>
        {
            Col::Potential
        }
        Quantity::Current if starts(&["i", "im", "current", "amps"]) => Col::Current,
        Quantity::Charge if starts(&["q", "charge", "capacity"]) => Col::Charge,
        Quantity::Frequency if l.starts_with("freq") => Col::Frequency,
        Quantity::Temperature if l.starts_with("temp") => Col::Temperature,
        _ => return None,
    };
    // Names with more words (e.g. "E Applied") are set-points or derived values: lower rank.
    let rank = if l.contains(' ') && q != Quantity::Time {
        1
    } else {
        0
    };
    Some((col, f, rank))
}

/// Read a table whose header is `all[header]` (0-based index), rows following until `end`
/// (exclusive) or the end of the file; blank and `#` lines are skipped.
pub(crate) fn read_table(
    path: &str,
    all: &[(usize, &str)],
    header: usize,
    end: Option<usize>,
    delim: char,
    mapping: Option<&Mapping>,
    mut meta: Metadata,
) -> Result<Dataset> {
    let (hn, hl) = all[header];
    let names = fields(hl, delim);
    let ranked: Vec<Option<(Col, f64, u8)>> = match mapping {
        None => names.iter().map(|n| guess(n)).collect(),
        Some(m) => {
            let mut r = vec![None; names.len()];
            for (src, col, f) in &m.entries {
                let i = match src {
                    Source::Index(i) => *i - 1,
                    Source::Name(s) => names
                        .iter()
                        .position(|n| n.trim().trim_matches('"').trim() == s)
                        .ok_or_else(|| {
                            ParseError::line(
                                path,
                                hn,
                                format!(
                                    "mapping names column `{s}`, which the header does not have"
                                ),
                            )
                        })?,
                };
                if i >= names.len() {
                    return Err(ParseError::line(
                        path,
                        hn,
                        format!(
                            "mapping names column {}, but the header has {}",
                            i + 1,
                            names.len()
                        ),
                    ));
                }
                r[i] = Some((*col, *f, 0));
            }
            r
        }
    };
    for (n, m) in names.iter().zip(dedupe(ranked)) {
        let (name, unit) = split_unit(n);
        meta.original_columns.push(SourceColumn {
            name,
            unit,
            maps_to: m,
        });
    }
    let mut b = TableBuilder::new(path, meta, hn)?;
    let stop = end.unwrap_or(all.len());
    let mut last = hn;
    for (n, l) in &all[header + 1..stop] {
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let cells: Vec<Option<f64>> = fields(l, delim).iter().map(|f| num(f)).collect();
        b.push(*n, &cells)?;
        last = *n;
    }
    b.finish(last + 1)
}

/// The delimiter of a header or data line: tab, else semicolon, else comma.
pub(crate) fn delimiter(line: &str) -> char {
    if line.contains('\t') {
        '\t'
    } else if line.contains(';') {
        ';'
    } else {
        ','
    }
}

/// Parse a generic delimited file: optional `#` comment lines, a header row, data rows.
/// Without `mapping` the header names must be recognisable (see [`guess`]); a file without
/// a header row needs a mapping by column number.
pub fn parse(
    bytes: &[u8],
    path: &str,
    mapping: Option<&Mapping>,
    instrument: &str,
) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    if bytes.contains(&0) {
        return Err(ParseError::file(
            path,
            "binary data (NUL bytes) in what should be a text table",
        ));
    }
    let text = decode(bytes);
    let all: Vec<(usize, &str)> = lines(&text).collect();
    let Some(first) = all
        .iter()
        .position(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
    else {
        return Err(ParseError::file(path, "no header or data rows"));
    };
    let meta = Metadata {
        instrument: instrument.to_string(),
        technique: String::new(),
        source_file: path.to_string(),
        ..Default::default()
    };
    let (n, l) = all[first];
    let delim = delimiter(l);
    let headerless = fields(l, delim).iter().all(|f| num(f).is_some());
    if headerless {
        let Some(m) = mapping else {
            return Err(ParseError::line(path, n, "no header row (the first row is all numbers); give a column mapping such as `1=frequency_Hz;2=z_real_ohm;3=z_imag_ohm`"));
        };
        if m.entries.iter().any(|e| matches!(e.0, Source::Name(_))) {
            return Err(ParseError::line(
                path,
                n,
                "no header row, so the mapping must use column numbers",
            ));
        }
        let width = fields(l, delim).len();
        let header: String = (1..=width)
            .map(|i| format!("column {i}"))
            .collect::<Vec<_>>()
            .join(&delim.to_string());
        let mut owned: Vec<(usize, &str)> = vec![(n.saturating_sub(1), header.as_str())];
        owned.extend_from_slice(&all[first..]);
        return read_table(path, &owned, 0, None, delim, mapping, meta);
    }
    read_table(path, &all, first, None, delim, mapping, meta)
}
