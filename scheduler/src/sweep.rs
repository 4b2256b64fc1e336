//! Parameter sweeps: a small TOML file naming a base deck and the values to sweep, turned into
//! one deck per task and a job array (`--array=0-N%THROTTLE`), one output directory per task.
//!
//! ```toml
//! deck = "cooldown.toml"        # the base deck, relative to this file
//! throttle = 2                  # optional: at most 2 tasks at once
//! mode = "grid"                 # optional: "grid" (every combination, default) or "zip"
//! [values]                      # dotted deck keys → lists of values
//! "time.end" = [10.0, 20.0]
//! "materials.copper.material" = ["copper_rrr50", "copper_rrr100"]
//! ```
//! Task decks are the base deck with those keys set (comments and layout kept) and relative
//! file paths made absolute; each is checked like `galvana check` before anything is submitted.
//! (The deck checker does not know a `[sweep]` section, hence the separate file.)

use crate::{io_err, Error, Result};
use galvana_decks::schema::{ParamKind, SectionKind};
use galvana_decks::{Deck, Object};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Value};

/// Slurm's default `MaxArraySize` is 1001.
pub const MAX_TASKS: usize = 1000;

/// One task of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepTask {
    pub index: u32,
    /// The task deck's `[time] end`.
    pub end_time: Option<f64>,
    pub params: BTreeMap<String, Json>,
    pub deck_text: String,
}

/// A checked sweep.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    pub file: PathBuf,
    /// The base deck (absolute path) and its parsed form.
    pub deck_path: PathBuf,
    pub base: Deck,
    pub throttle: Option<usize>,
    pub tasks: Vec<SweepTask>,
}

/// Whether `text` looks like a sweep file (top-level `deck` and `values`, no `[mesh]`).
pub fn is_sweep(text: &str) -> bool {
    text.parse::<DocumentMut>()
        .map(|d| d.contains_key("deck") && d.contains_key("values") && !d.contains_key("mesh"))
        .unwrap_or(false)
}

fn bad(file: &Path, msg: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{}: error: {msg}", file.display()))
}

/// Read a sweep file, generate and check every task deck.
pub fn load(file: &Path) -> Result<SweepPlan> {
    let text = std::fs::read_to_string(file).map_err(|e| io_err(file.display(), e))?;
    let doc: DocumentMut = text.parse().map_err(|e| bad(file, e))?;
    for (k, _) in doc.iter() {
        if !["deck", "throttle", "mode", "values"].contains(&k) {
            return Err(bad(
                file,
                format!("unknown key `{k}` (expected deck, throttle, mode, values)"),
            ));
        }
    }
    let deck_rel = doc
        .get("deck")
        .and_then(Item::as_str)
        .ok_or_else(|| bad(file, "`deck` must name the base deck"))?;
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let deck_path = std::path::absolute(dir.join(deck_rel)).map_err(|e| io_err(deck_rel, e))?;
    let throttle = match doc.get("throttle") {
        None => None,
        Some(i) => Some(
            i.as_integer()
                .filter(|&t| t >= 1)
                .ok_or_else(|| bad(file, "`throttle` must be an integer >= 1"))?
                as usize,
        ),
    };
    let zip = match doc.get("mode").map(|m| m.as_str()) {
        None | Some(Some("grid")) => false,
        Some(Some("zip")) => true,
        _ => return Err(bad(file, "`mode` must be \"grid\" or \"zip\"")),
    };
    let values = doc
        .get("values")
        .and_then(Item::as_table_like)
        .ok_or_else(|| bad(file, "`values` must be a table of dotted deck keys"))?;
    let mut axes: Vec<(String, Vec<Value>)> = Vec::new();
    for (k, v) in values.iter() {
        let list = v
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| bad(file, format!("values.\"{k}\" must be a non-empty array")))?;
        axes.push((k.to_string(), list.iter().cloned().collect()));
    }
    if axes.is_empty() {
        return Err(bad(file, "`values` is empty"));
    }
    let combos = combinations(&axes, zip).map_err(|m| bad(file, m))?;
    if combos.len() > MAX_TASKS {
        return Err(bad(
            file,
            format!("{} tasks; at most {MAX_TASKS}", combos.len()),
        ));
    }
    let base = crate::registry::load_deck(&deck_path)?;
    if base.checkpoint.directory.is_some() {
        return Err(bad(file, "the base deck sets [checkpoint] directory; remove it so each task checkpoints into its own output directory"));
    }
    let mut tasks = Vec::new();
    for (i, combo) in combos.into_iter().enumerate() {
        let mut d: DocumentMut = base.text.parse().map_err(|e| bad(&deck_path, e))?;
        let mut params = BTreeMap::new();
        for (key, val) in &combo {
            set_dotted(&mut d, key, val.clone()).map_err(|m| bad(file, m))?;
            params.insert(key.clone(), to_json(val));
        }
        absolutize_paths(&mut d, &base);
        let deck_text = d.to_string();
        let shown = format!("{} (sweep task {i})", deck_path.display());
        let checked = crate::registry::parse_deck(&shown, &deck_text)?;
        tasks.push(SweepTask {
            index: i as u32,
            end_time: checked.time.end,
            params,
            deck_text,
        });
    }
    Ok(SweepPlan {
        file: file.to_path_buf(),
        deck_path,
        base,
        throttle,
        tasks,
    })
}

type Combo = Vec<(String, Value)>;

fn combinations(
    axes: &[(String, Vec<Value>)],
    zip: bool,
) -> std::result::Result<Vec<Combo>, String> {
    if zip {
        let n = axes[0].1.len();
        if let Some((k, v)) = axes.iter().find(|(_, v)| v.len() != n) {
            return Err(format!(
                "mode = \"zip\" needs equal lengths; \"{k}\" has {} values, \"{}\" has {n}",
                v.len(),
                axes[0].0
            ));
        }
        return Ok((0..n)
            .map(|i| {
                axes.iter()
                    .map(|(k, v)| (k.clone(), v[i].clone()))
                    .collect()
            })
            .collect());
    }
    let mut out: Vec<Combo> = vec![Vec::new()];
    for (k, vals) in axes {
        out = out
            .into_iter()
            .flat_map(|c| {
                vals.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push((k.clone(), v.clone()));
                    c
                })
            })
            .collect();
        if out.len() > MAX_TASKS {
            return Err(format!("more than {MAX_TASKS} combinations"));
        }
    }
    Ok(out)
}

/// Set `a.b.c = v` in an existing table `[a.b]` (keeping the old value's comments).
pub fn set_dotted(
    doc: &mut DocumentMut,
    key: &str,
    mut v: Value,
) -> std::result::Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    let (last, parents) = parts.split_last().ok_or("empty key")?;
    let mut tbl: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    for (i, p) in parents.iter().enumerate() {
        tbl = tbl
            .get_mut(p)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| {
                format!(
                    "sweep key \"{key}\": the base deck has no table [{}]",
                    parts[..=i].join(".")
                )
            })?;
    }
    if let Some(old) = tbl.get(last).and_then(Item::as_value) {
        *v.decor_mut() = old.decor().clone();
    }
    tbl.insert(last, Item::Value(v));
    Ok(())
}

/// The string at `a.b.c`, if there is one.
fn get_dotted_str(doc: &DocumentMut, key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('.').collect();
    let (last, parents) = parts.split_last()?;
    let mut tbl: &dyn toml_edit::TableLike = doc.as_table();
    for p in parents {
        tbl = tbl.get(p)?.as_table_like()?;
    }
    tbl.get(last)?.as_str().map(str::to_string)
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::String(s) => Json::String(s.value().clone()),
        Value::Integer(i) => Json::from(*i.value()),
        Value::Float(f) => serde_json::Number::from_f64(*f.value())
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::Boolean(b) => Json::Bool(*b.value()),
        Value::Array(a) => Json::Array(a.iter().map(to_json).collect()),
        other => Json::String(other.to_string().trim().to_string()),
    }
}

/// Rewrite relative `Path` parameters (mesh files, tabulated data), and `NameOrPath` values
/// that are not names (a battery parameter file), as absolute paths, since
/// task decks live in the job directory, not next to the base deck.
fn absolutize_paths(doc: &mut DocumentMut, base: &Deck) {
    let reg = crate::registry::registry();
    let mut objects: Vec<(Vec<String>, SectionKind, &Object)> = vec![
        (vec!["mesh".into()], SectionKind::Mesh, &base.mesh),
        (vec!["physics".into()], SectionKind::Physics, &base.physics),
    ];
    for (kind, sec, list) in [
        (SectionKind::Material, "materials", &base.materials),
        (SectionKind::Bc, "bcs", &base.bcs),
        (SectionKind::Source, "sources", &base.sources),
        (
            SectionKind::Postprocessor,
            "postprocessors",
            &base.postprocessors,
        ),
    ] {
        for (name, o) in list {
            objects.push((vec![sec.into(), name.clone()], kind, o));
        }
    }
    for (path, kind, obj) in objects {
        let Some(spec) = reg.get(kind, &obj.type_name) else {
            continue;
        };
        for p in &spec.params {
            // A built-in name (e.g. a battery parameter set) stays as written; a path moves.
            let is_path = |s: &str| match p.kind {
                ParamKind::Path => true,
                ParamKind::NameOrPath(names) => !names.contains(&s),
                _ => false,
            };
            let key = format!("{}.{}", path.join("."), p.name);
            // The task's value, which the sweep may have set (e.g. a list of parameter files).
            let Some(rel) = get_dotted_str(doc, &key)
                .or_else(|| obj.opt_str(p.name).map(str::to_string))
                .filter(|s| is_path(s) && Path::new(s).is_relative())
            else {
                continue;
            };
            let abs = base.resolve_path(&rel);
            let abs = std::path::absolute(&abs).unwrap_or(abs);
            let _ = set_dotted(doc, &key, Value::from(abs.display().to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_and_zip() {
        let axes = vec![
            ("a".to_string(), vec![Value::from(1), Value::from(2)]),
            ("b".to_string(), vec![Value::from("x"), Value::from("y")]),
        ];
        assert_eq!(combinations(&axes, false).unwrap().len(), 4);
        let z = combinations(&axes, true).unwrap();
        assert_eq!(z.len(), 2);
        assert_eq!(to_json(&z[1][1].1), Json::from("y"));
    }

    /// Task decks live in the job directory: a parameter file (the base deck's or a swept one)
    /// becomes an absolute path, a built-in set's name stays a name.
    #[test]
    fn parameter_files_move_with_the_tasks() {
        let dir = std::env::temp_dir().join(format!("galvana-sweep-params-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("cell.toml"),
            "[physics]\ntype = \"battery\"\nparameter_set = \"cells/a.toml\"\ninitial_soc = 1.0\nexperiment = [\"Rest for 1 s\"]\n",
        )
        .unwrap();
        for (name, axis) in [
            ("soc.toml", "\"physics.initial_soc\" = [0.5, 1.0]"),
            (
                "sets.toml",
                "\"physics.parameter_set\" = [\"Marquis2019\", \"cells/b.toml\"]",
            ),
        ] {
            std::fs::write(
                dir.join(name),
                format!("deck = \"cell.toml\"\n[values]\n{axis}\n"),
            )
            .unwrap();
        }
        let abs = |f: &str| std::path::absolute(dir.join("cells").join(f)).unwrap();
        let set_of = |t: &SweepTask| {
            let d: DocumentMut = t.deck_text.parse().unwrap();
            d["physics"]["parameter_set"].as_str().unwrap().to_string()
        };
        let plan = load(&dir.join("soc.toml")).unwrap();
        for t in &plan.tasks {
            assert_eq!(set_of(t), abs("a.toml").display().to_string());
        }
        let plan = load(&dir.join("sets.toml")).unwrap();
        assert_eq!(set_of(&plan.tasks[0]), "Marquis2019");
        assert_eq!(set_of(&plan.tasks[1]), abs("b.toml").display().to_string());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn dotted_keys_keep_comments() {
        let mut d: DocumentMut = "[time]\nend = 1.0 # the end\n\n[materials.cu]\nk = 1\n"
            .parse()
            .unwrap();
        set_dotted(&mut d, "time.end", Value::from(20.0)).unwrap();
        set_dotted(&mut d, "materials.cu.k", Value::from(5)).unwrap();
        let s = d.to_string();
        assert!(s.contains("end = 20.0 # the end"), "{s}");
        assert!(s.contains("k = 5"), "{s}");
        assert!(set_dotted(&mut d, "nope.x", Value::from(1))
            .unwrap_err()
            .contains("no table [nope]"));
    }
}
