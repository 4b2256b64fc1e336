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
    if bad.is_empty() {
        Ok(deck)
    } else {
        Err(bad)
    }
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
