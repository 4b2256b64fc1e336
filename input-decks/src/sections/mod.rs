//! The fixed sections of a deck (`[solver]`, `[time]`, ...): their declarations and typed forms.
//!
//! They are declared with the same [`ParamSpec`]s as registered objects, so the checker and
//! the generated reference treat them alike; each also has a typed struct for the engine.

pub mod checkpoint;
pub mod compute;
pub mod initial;
pub mod job;
pub mod output;
pub mod solver;
pub mod time;

pub use checkpoint::CheckpointOptions;
pub use compute::{ComputeOptions, Device};
pub use initial::InitialOptions;
pub use job::{parse_walltime, JobOptions};
pub use output::OutputOptions;
pub use solver::{
    Backend, KspType, LineSearch, LinearOptions, NonlinearOptions, PcType, SolverOptions,
};
pub use time::{TimeKind, TimeOptions, TimeScheme};

use crate::check::Checker;
use crate::diag::Span;
use crate::schema::ParamSpec;
use crate::value::{Object, Value};
use std::collections::BTreeMap;

/// A fixed (type-less) section such as `[solver.linear]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedSection {
    /// Dotted path of the section, e.g. `solver.linear`.
    pub path: &'static str,
    pub description: &'static str,
    pub params: Vec<ParamSpec>,
}

/// All fixed sections, parents before their sub-sections.
pub fn fixed_sections() -> Vec<FixedSection> {
    vec![
        initial::spec(),
        solver::spec(),
        solver::nonlinear_spec(),
        solver::linear_spec(),
        time::spec(),
        output::spec(),
        job::spec(),
        checkpoint::spec(),
        compute::spec(),
    ]
}

/// Names of the top-level fixed sections (`initial`, `solver`, ...).
pub(crate) fn top_level_names() -> Vec<&'static str> {
    fixed_sections()
        .iter()
        .map(|s| s.path)
        .filter(|p| !p.contains('.'))
        .collect()
}

/// Check every fixed section of `root` (absent ones get all defaults) and return them as
/// objects keyed by path. A section that is not a table is reported and left out.
pub(crate) fn check_fixed(
    ck: &mut Checker,
    root: &BTreeMap<String, Value>,
) -> BTreeMap<&'static str, Object> {
    let sections = fixed_sections();
    let mut out: BTreeMap<&'static str, Object> = BTreeMap::new();
    let empty = BTreeMap::new();
    for sec in &sections {
        let children: Vec<&str> = sections
            .iter()
            .filter_map(|s| {
                s.path
                    .strip_prefix(sec.path)
                    .and_then(|rest| rest.strip_prefix('.'))
            })
            .filter(|rest| !rest.contains('.'))
            .collect();
        let (parent, last) = match sec.path.rsplit_once('.') {
            Some((p, l)) => (Some(p), l),
            None => (None, sec.path),
        };
        let container = match parent {
            None => Some(root),
            // A parent that failed its check already has an error; skip its children.
            Some(p) => match out.get(p) {
                None => continue,
                Some(_) => lookup(root, p).and_then(Value::as_table).or(Some(&empty)),
            },
        };
        let value = container.and_then(|t| t.get(last));
        let (table, header) = match value {
            None => {
                let header = parent
                    .and_then(|p| out.get(p))
                    .map(|o| o.header)
                    .unwrap_or(Span::START);
                (&empty, header)
            }
            Some(v) => match v.as_table() {
                Some(t) => (t, v.span),
                None => {
                    ck.error(
                        v.span,
                        format!("[{}] must be a table, found {}", sec.path, v.a_type_name()),
                        Some(format!("write it as a section headed `[{}]`", sec.path)),
                    );
                    continue;
                }
            },
        };
        let params = ck.check_params(sec.path, header, table, &sec.params, &children);
        out.insert(
            sec.path,
            Object {
                type_name: String::new(),
                section: sec.path.to_string(),
                name: None,
                header,
                type_span: None,
                params,
            },
        );
    }
    out
}

/// The sections physics types add (`Registry::sections`) that `root` writes: checked and added
/// to `out`, or an error when the deck's physics (`physics_type`) is not the one they belong to.
pub(crate) fn check_physics_sections(
    ck: &mut Checker,
    root: &BTreeMap<String, Value>,
    registry: &crate::schema::Registry,
    physics_type: Option<&str>,
    out: &mut BTreeMap<&'static str, Object>,
) {
    for (owner, sec) in &registry.sections {
        let Some(v) = root.get(sec.path) else {
            continue;
        };
        match physics_type {
            Some(t) if t == *owner => {}
            // No valid [physics]: that error is already reported.
            None => continue,
            Some(t) => {
                ck.error(
                    v.key_span.unwrap_or(v.span),
                    format!(
                        "[{}] belongs to `{owner}` decks, and this deck's physics is `{t}`",
                        sec.path
                    ),
                    Some(format!("remove the [{}] section", sec.path)),
                );
                continue;
            }
        }
        let Some(table) = v.as_table() else {
            ck.error(
                v.span,
                format!("[{}] must be a table, found {}", sec.path, v.a_type_name()),
                Some(format!("write it as a section headed `[{}]`", sec.path)),
            );
            continue;
        };
        let params = ck.check_params(sec.path, v.span, table, &sec.params, &[]);
        out.insert(
            sec.path,
            Object {
                type_name: String::new(),
                section: sec.path.to_string(),
                name: None,
                header: v.span,
                type_span: None,
                params,
            },
        );
    }
}

/// The value at dotted `path` below `root`.
fn lookup<'v>(root: &'v BTreeMap<String, Value>, path: &str) -> Option<&'v Value> {
    let mut parts = path.split('.');
    let mut cur = root.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_table()?.get(p)?;
    }
    Some(cur)
}

/// Parse a choice that the checker has already validated; `fallback` only guards against a
/// spec/enum mismatch, which a unit test rules out.
pub(crate) fn choice<T: Copy>(obj: &Object, name: &str, table: &[(&str, T)], fallback: T) -> T {
    let s = obj.opt_str(name).unwrap_or_default();
    table
        .iter()
        .find(|(k, _)| *k == s)
        .map(|(_, v)| *v)
        .unwrap_or(fallback)
}

/// Report written Float parameters equal to zero: the spec's inclusive bound is `>= 0`, and
/// these must be strictly positive.
pub(crate) fn require_positive(ck: &mut Checker, obj: &Object, names: &[&str]) {
    for name in names {
        if let Some(v) = obj
            .get(name)
            .filter(|v| !v.defaulted && v.as_f64() == Some(0.0))
        {
            ck.error(v.span, format!("`{name}` must be > 0, found 0"), None);
        }
    }
}

/// A non-negative integer parameter as `u64` (its bounds were checked).
pub(crate) fn uint(obj: &Object, name: &str) -> u64 {
    u64::try_from(obj.get_i64(name)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::lint_specs;
    use crate::schema::ParamKind;

    #[test]
    fn fixed_specs_are_consistent() {
        for sec in fixed_sections() {
            assert_eq!(lint_specs(sec.path, &sec.params), Vec::<String>::new());
        }
    }

    #[test]
    fn enum_tables_cover_every_choice() {
        // Every Choice word must map to an enum variant, or `choice()` would silently fall back.
        for sec in fixed_sections() {
            for p in &sec.params {
                if let ParamKind::Choice(words) = p.kind {
                    for w in words {
                        assert!(
                            solver::parse_choice(sec.path, p.name, w)
                                || time::parse_choice(sec.path, p.name, w)
                                || compute::parse_choice(sec.path, p.name, w),
                            "{}.{} = {w} has no enum variant",
                            sec.path,
                            p.name
                        );
                    }
                }
            }
        }
    }
}
