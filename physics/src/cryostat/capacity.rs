//! Cryocooler capacity tables from a deck: two arrays in the stage's section, or a CSV file
//! (`temperature_K,power_W`) next to the deck; errors name the array entry or the file line.

use super::cooler::Stage;
use crate::battery::deck::DeckError;
use galvana_decks::{Deck, Object};

/// Rows of a capacity CSV and the 1-based file line of each.
pub struct CsvTable {
    pub rows: Vec<(f64, f64)>,
    pub lines: Vec<usize>,
}

fn at(path: &[&str], message: impl Into<String>, help: Option<String>) -> DeckError {
    DeckError {
        key: path.iter().map(|s| s.to_string()).collect(),
        message: message.into(),
        help,
    }
}

/// A capacity table from `temperature_K,power_W` CSV text, with the 1-based line of each row;
/// `Err` is (line, message).
pub fn parse_capacity_csv(text: &str) -> Result<CsvTable, (usize, String)> {
    let (mut rows, mut lines) = (Vec::new(), Vec::new());
    let mut header = false;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = l.split(',').map(str::trim).collect();
        if !header {
            if cells != ["temperature_K", "power_W"] {
                return Err((
                    i + 1,
                    format!("expected the header `temperature_K,power_W`, found `{l}`"),
                ));
            }
            header = true;
            continue;
        }
        let parse = |s: &str, what: &str| {
            s.parse::<f64>()
                .map_err(|_| (i + 1, format!("{what}: expected a number, found `{s}`")))
        };
        if cells.len() != 2 {
            return Err((i + 1, format!("expected 2 columns, found {}", cells.len())));
        }
        rows.push((
            parse(cells[0], "temperature_K")?,
            parse(cells[1], "power_W")?,
        ));
        lines.push(i + 1);
    }
    if !header {
        return Err((
            1,
            "empty file: expected the header `temperature_K,power_W`".into(),
        ));
    }
    Ok(CsvTable { rows, lines })
}

/// The stage of `[bcs.<name>]`: from its arrays or its CSV file.
pub(super) fn stage_from(deck: &Deck, name: &str, o: &Object) -> Result<Stage, DeckError> {
    let (table, file) = match (o.opt_f64_array("temperature"), o.opt_f64_array("power"), o.opt_str("capacity_file")) {
        (Some(t), Some(p), None) => {
            if t.len() != p.len() {
                return Err(at(&["bcs", name, "power"],
                    format!("`temperature` has {} entries but `power` has {}", t.len(), p.len()), None));
            }
            (t.into_iter().zip(p).collect::<Vec<_>>(), None)
        }
        (None, None, Some(f)) => {
            let fp = deck.resolve_path(f);
            let text = std::fs::read_to_string(&fp).map_err(|err| {
                at(&["bcs", name, "capacity_file"], format!("cannot read {}: {err}", fp.display()), None)
            })?;
            let rows = parse_capacity_csv(&text).map_err(|(line, m)| {
                at(&["bcs", name, "capacity_file"], format!("{}:{line}: {m}", fp.display()), None)
            })?;
            (rows.rows, Some((fp, rows.lines)))
        }
        _ => return Err(DeckError {
            key: vec!["bcs".into(), name.into(), "temperature".into()],
            message: "a cryocooler stage needs its capacity table: `temperature` and `power` arrays, or `capacity_file`".into(),
            help: Some("e.g. `temperature = [3.0, 4.2, 10.0]` (K) and `power = [0.0, 1.5, 8.0]` (W)".into()),
        }),
    };
    Stage::new(name, &table, o.opt_f64("contact_conductance")).map_err(|(row, m)| match &file {
        Some((fp, lines)) => at(
            &["bcs", name, "capacity_file"],
            format!(
                "{}:{}: {m}",
                fp.display(),
                lines.get(row).copied().unwrap_or(1)
            ),
            None,
        ),
        None if m.contains("contact_conductance") => {
            at(&["bcs", name, "contact_conductance"], m, None)
        }
        None => {
            let key = if m.contains("power") && !m.contains("temperatures") {
                "power"
            } else {
                "temperature"
            };
            DeckError {
                key: vec!["bcs".into(), name.into(), key.into(), row.to_string()],
                message: m,
                help: None,
            }
        }
    })
}
