//! Checking decks sent to the gateway: the same checker as `galvana check`, plus the rule that
//! a deck may only name files inside its own job directory (relative paths without `..`).

use galvana_decks::schema::{ParamKind, SectionKind};
use galvana_decks::{Deck, Diagnostic, Severity};
use serde::Serialize;

/// One diagnostic as the API returns it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Problem {
    pub severity: &'static str,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub help: Option<String>,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Self {
        Problem {
            severity: match d.severity {
                Severity::Error => "error",
                _ => "warning",
            },
            line: d.line,
            col: d.col,
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

/// Every diagnostic of `text` (errors and warnings) as `galvana check` reports them.
pub fn check(text: &str) -> Vec<Problem> {
    let reg = galvana_scheduler::registry::registry();
    galvana_decks::check("deck.toml", text, &reg)
        .iter()
        .map(Problem::from)
        .collect()
}

/// Parse a deck that must be free of errors, including the path rule; files it names are
/// read relative to `dir` (the job's directory, with its datasets) when given.
pub fn parse(text: &str, dir: Option<&std::path::Path>) -> Result<Deck, Vec<Problem>> {
    let reg = galvana_scheduler::registry::registry();
    let deck = galvana_decks::Deck::parse("deck.toml", text, &reg)
        .map_err(|d| d.iter().map(Problem::from).collect::<Vec<_>>())?;
    let mut bad = unsafe_paths(&deck, &reg);
    // What `galvana check` adds for battery decks: the experiment and parameter set.
    if deck.physics.type_name == "battery" {
        use galvana_physics::battery::deck::Battery;
        // A calibration's cell is driven by its dataset's current: no experiment.
        let built = if deck.fixed.contains_key("calibration") {
            Battery::cell_from_object_at(&deck.physics, dir)
        } else {
            Battery::from_object_at(&deck.physics, dir)
        };
        if let Err(e) = built {
            let key: Vec<&str> = e.key.iter().map(String::as_str).collect();
            let span = deck.span_of(&key);
            bad.push(Problem {
                severity: "error",
                line: span.line,
                col: span.col,
                message: e.message,
                help: None,
            });
        }
    }
    if let Some(o) = deck.fixed.get("calibration") {
        if let Err((key, message, help)) = calibration(o, dir) {
            let k: Vec<&str> = key.iter().map(String::as_str).collect();
            let span = deck.span_of(&k);
            bad.push(Problem {
                severity: "error",
                line: span.line,
                col: span.col,
                message,
                help,
            });
        }
    }
    if let Some(d) = dir {
        // Messages may name server paths; show them relative to the job directory.
        let prefix = format!("{}/", d.display());
        for p in &mut bad {
            p.message = p.message.replace(&prefix, "");
        }
    }
    if bad.is_empty() {
        Ok(deck)
    } else {
        Err(bad)
    }
}

type KeyedError = (Vec<String>, String, Option<String>);

/// What `galvana check` says of a `[calibration]`: its keys, and (with `dir`) that its dataset
/// is there and holds the columns the fit reads. HDF5 datasets need the engine's HDF5 library
/// to read, so of those only the presence is checked here.
fn calibration(o: &galvana_decks::Object, dir: Option<&std::path::Path>) -> Result<(), KeyedError> {
    use galvana_physics::calibration::battery::Series;
    use galvana_physics::calibration::deck::Calibration;
    use galvana_physics::calibration::eis::data::Spectrum;
    let cal = Calibration::from_object(o).map_err(|e| (e.key, e.message, e.help))?;
    let Some(dir) = dir else { return Ok(()) };
    let key = || vec!["calibration".to_string(), "dataset".to_string()];
    if !path_ok(&cal.dataset) {
        return Ok(()); // already reported by the path rule
    }
    let path = dir.join(&cal.dataset);
    if !path.is_file() {
        return Err((
            key(),
            format!(
                "dataset: `{}` is not in the job directory",
                cal.dataset
            ),
            Some(format!(
                "upload it (POST /api/v1/datasets) under the name `{}` and pass its id in `datasets`",
                cal.dataset
            )),
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "h5" || ext == "hdf5" {
        return Ok(());
    }
    let ds = galvana_instruments::read(&path, None, None)
        .map_err(|e| (key(), format!("dataset: {e}"), None))?;
    let get = |n: &str| {
        ds.columns()
            .find(|(c, _)| c.name() == n)
            .map(|(_, v)| v.to_vec())
    };
    let want = cal.columns();
    let found: Vec<&str> = ds.columns().map(|(c, _)| c.name()).collect();
    let mut cols = Vec::new();
    for n in want {
        let Some(v) = get(n) else {
            return Err((
                key(),
                format!(
                    "dataset: {}: no `{n}` column (found: {}); this calibration needs {}",
                    cal.dataset,
                    found.join(", "),
                    want.join(", ")
                ),
                None,
            ));
        };
        cols.push(v);
    }
    if cal.is_spectrum() {
        let usable = Spectrum::from_columns(&cols[0], &cols[1], &cols[2]);
        if usable.f.len() < 3 {
            return Err((
                key(),
                format!(
                    "dataset: {}: fewer than 3 usable spectrum rows",
                    cal.dataset
                ),
                None,
            ));
        }
    } else {
        let mut c = cols.into_iter();
        let all = Series {
            time_s: c.next().unwrap_or_default(),
            current_a: c.next().unwrap_or_default(),
            potential_v: c.next().unwrap_or_default(),
        };
        all.window(cal.window.0, cal.window.1)
            .check()
            .map_err(|e| (key(), format!("dataset: {}: {e}", cal.dataset), None))?;
    }
    Ok(())
}

fn path_ok(p: &str) -> bool {
    let path = std::path::Path::new(p);
    path.is_relative()
        && !p.contains('\0')
        && path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

/// File-path values that leave the job directory.
fn unsafe_paths(deck: &Deck, reg: &galvana_decks::Registry) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut flag = |key: Vec<String>, value: &str| {
        if !path_ok(value) {
            let k: Vec<&str> = key.iter().map(String::as_str).collect();
            let span = deck.span_of(&k);
            out.push(Problem {
                severity: "error",
                line: span.line,
                col: span.col,
                message: format!(
                    "`{}` = \"{value}\": decks sent to the gateway may only name files inside their job directory",
                    key.join(".")
                ),
                help: Some("use a relative path without `..`".into()),
            });
        }
    };
    let mut objects = vec![
        (vec!["mesh".to_string()], SectionKind::Mesh, &deck.mesh),
        (
            vec!["physics".to_string()],
            SectionKind::Physics,
            &deck.physics,
        ),
    ];
    for (kind, sec, list) in [
        (SectionKind::Material, "materials", &deck.materials),
        (SectionKind::Bc, "bcs", &deck.bcs),
        (SectionKind::Source, "sources", &deck.sources),
        (
            SectionKind::Postprocessor,
            "postprocessors",
            &deck.postprocessors,
        ),
    ] {
        for (name, o) in list {
            objects.push((vec![sec.to_string(), name.clone()], kind, o));
        }
    }
    for (path, kind, obj) in objects {
        let Some(spec) = reg.get(kind, &obj.type_name) else {
            continue;
        };
        for p in spec.params.iter().filter(|p| p.kind == ParamKind::Path) {
            if let Some(v) = obj.opt_str(p.name) {
                let mut key = path.clone();
                key.push(p.name.to_string());
                flag(key, v);
            }
        }
    }
    for (sec, dir) in [
        ("output", &deck.output.directory),
        ("checkpoint", &deck.checkpoint.directory),
    ] {
        if let Some(d) = dir {
            flag(vec![sec.to_string(), "directory".to_string()], d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../input-decks/examples/thermal_link_cooldown.toml"
        ))
        .unwrap()
    }

    #[test]
    fn example_is_accepted_and_escapes_are_not() {
        let text = example();
        assert!(parse(&text, None).is_ok());
        let bad = format!("{text}\n[checkpoint]\ndirectory = \"../../other\"\n");
        let bad = if text.contains("[checkpoint]") {
            text.replacen("[checkpoint]", "[checkpoint]\ndirectory = \"/etc\"", 1)
        } else {
            bad
        };
        let e = parse(&bad, None).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].message.contains("checkpoint.directory"), "{e:?}");
        assert!(e[0].line > 1);
    }

    #[test]
    fn battery_experiments_are_checked() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../input-decks/examples/battery_cccv.toml"
        ))
        .unwrap();
        assert!(parse(&text, None).is_ok());
        let bad = text.replace("Rest for 1 hour", "Rest for 1 fortnight");
        let e = parse(&bad, None).unwrap_err();
        let line = bad.lines().position(|l| l.contains("fortnight")).unwrap() + 1;
        assert_eq!(e[0].line, line, "{e:?}");
        assert!(e[0].message.contains("unknown time unit"), "{e:?}");
    }

    /// The `[calibration]` dataset rules `galvana check` applies (engine/tests/calibration.rs
    /// holds the same cases against the engine): present, the right columns, usable rows.
    #[test]
    fn calibration_datasets_are_checked_in_the_job_directory() {
        let ex = concat!(env!("CARGO_MANIFEST_DIR"), "/../input-decks/examples/");
        let text = std::fs::read_to_string(format!("{ex}calibrate_spm_discharge.toml")).unwrap();
        let dir = std::env::temp_dir().join(format!("galvana-deckcheck-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let line = text.lines().position(|l| l.starts_with("dataset")).unwrap() + 1;
        let first = |t: &str| parse(t, Some(&dir)).unwrap_err().remove(0);
        // Missing: named, at its line; no server path.
        let e = first(&text);
        assert_eq!(e.line, line, "{e:?}");
        assert!(e.message.contains("`calibrate_spm_discharge.csv`"), "{e:?}");
        assert!(!e.message.contains(&dir.display().to_string()), "{e:?}");
        // Present: accepted; without `dir` (no job directory) only the keys are checked.
        std::fs::copy(
            format!("{ex}calibrate_spm_discharge.csv"),
            dir.join("calibrate_spm_discharge.csv"),
        )
        .unwrap();
        assert!(parse(&text, Some(&dir)).is_ok());
        assert!(parse(&text, None).is_ok());
        // A spectrum for a cell fit; a circuit fit on too few rows.
        std::fs::write(
            dir.join("spectrum.csv"),
            "frequency_Hz,z_real_ohm,z_imag_ohm\n1,2,3\n10,2,1\n",
        )
        .unwrap();
        let cell = text.replace("calibrate_spm_discharge.csv\"", "spectrum.csv\"");
        let e = first(&cell);
        assert!(
            e.message.contains("spectrum.csv: no `time_s` column"),
            "{e:?}"
        );
        let circuit = cell
            .replace("method = \"mcmc\"", "model = \"circuit\"\ncircuit = \"R0\"")
            .lines()
            .filter(|l| !l.starts_with("parameters."))
            .collect::<Vec<_>>()
            .join("\n")
            .replace(
                "\n[calibration]\n",
                "\n[calibration]\nparameters.R0 = { initial = 1.0, lower = 0.01, upper = 100.0 }\n",
            );
        let e = first(&circuit);
        assert!(
            e.message.contains("fewer than 3 usable spectrum rows"),
            "{e:?}"
        );
        // A bad key is reported at its own line.
        let bad = text.replace(
            "parameters.contact_resistance",
            "parameters.contact_resistanse",
        );
        let e = first(&bad);
        assert!(e.message.contains("contact_resistanse"), "{e:?}");
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `contact_resistance`?")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn typos_come_back_with_positions() {
        let text = example().replacen("[physics]", "[physics]\nordr = 2", 1);
        let p = check(&text);
        let e = p.iter().find(|p| p.severity == "error").expect("an error");
        assert!(e.message.contains("ordr"), "{e:?}");
        assert_eq!(e.help.as_deref().map(|h| h.contains("order")), Some(true));
        let line = text.lines().position(|l| l.starts_with("ordr")).unwrap() + 1;
        assert_eq!(e.line, line);
    }
}
