//! Princeton Applied Research VersaStudio `.par`: an INI/XML-like file whose `<SegmentN>`
//! blocks hold a `Definition=` line naming comma-separated columns, then the rows.

use crate::csv_generic::read_table;
use crate::dataset::{Dataset, Metadata};
use crate::error::{ParseError, Result};
use crate::text::{decode, lines, num};

pub fn sniff(bytes: &[u8]) -> bool {
    let head = decode(&bytes[..bytes.len().min(256)]);
    head.trim_start().starts_with("<Application>") && head.contains("Name=VersaStudio")
}

pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    if !sniff(bytes) {
        return Err(ParseError::line(
            path,
            1,
            "expected `<Application>` with `Name=VersaStudio`",
        ));
    }
    let text = decode(bytes);
    let all: Vec<(usize, &str)> = lines(&text).collect();
    let mut meta = Metadata {
        instrument: "Princeton Applied Research VersaStudio".into(),
        source_file: path.to_string(),
        ..Default::default()
    };
    let mut header: Option<(usize, String)> = None;
    let mut rows: Vec<(usize, &str)> = Vec::new();
    let mut in_seg = false;
    let (mut date, mut time, mut section) = (None, None, String::new());
    for (n, l) in &all {
        let t = l.trim();
        if t.starts_with("<Segment") {
            in_seg = true;
        } else if t.starts_with("</Segment") {
            in_seg = false;
        } else if let Some(def) = t.strip_prefix("Definition=").filter(|_| in_seg) {
            // The definition ends with a stray count field that no row carries.
            let mut names: Vec<&str> = def.split(',').map(str::trim).collect();
            if names.last().is_some_and(|s| num(s).is_some()) {
                names.pop();
            }
            let h = names.join(",");
            match &header {
                Some((_, prev)) if *prev != h => {
                    return Err(ParseError::line(
                        path,
                        *n,
                        "segments with different column definitions",
                    ))
                }
                _ => header = Some((*n, h)),
            }
        } else if in_seg && header.is_some() {
            rows.push((*n, l));
        } else if let Some(v) = t.strip_prefix("DateAcquired=") {
            date = Some(v.to_string());
        } else if let Some(v) = t.strip_prefix("TimeAcquired=") {
            time = Some(v.to_string());
        } else if let Some(v) = t.strip_prefix("Type=").filter(|_| section == "Instrument") {
            meta.instrument = format!("Princeton Applied Research {v} (VersaStudio)");
        } else if let Some(v) = t
            .strip_prefix("Name=")
            .filter(|_| section.starts_with("Action"))
        {
            if section != "Action0" && meta.technique.is_empty() {
                meta.technique = v.to_string();
            }
        }
        if t.starts_with('<') && !t.starts_with("</") && t.ends_with('>') {
            section = t[1..t.len() - 1].to_string();
        }
    }
    meta.start_time = match (date, time) {
        (Some(d), Some(t)) => Some(format!("{d} {t}")),
        (d, t) => d.or(t),
    };
    let Some((hn, h)) = header else {
        return Err(ParseError::line(
            path,
            all.len(),
            "no `<Segment..>` block with a `Definition=` line",
        ));
    };
    let mut owned: Vec<(usize, &str)> = vec![(hn, h.as_str())];
    owned.extend(rows);
    read_table(path, &owned, 0, None, ',', None, meta)
}
