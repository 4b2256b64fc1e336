//! Checking one section's keys against its [`ParamSpec`]s: unknown keys, types, bounds,
//! choices, array shapes; and filling in defaults.

use crate::diag::{join_ticked, suggest, Diagnostic, Span};
use crate::parse::parse_value_text;
use crate::schema::{ParamKind, ParamSpec};
use crate::value::{Value, ValueKind};
use std::collections::BTreeMap;

/// Collects diagnostics for one deck.
pub(crate) struct Checker<'a> {
    pub path: &'a str,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub fn new(path: &'a str) -> Self {
        Self {
            path,
            diags: Vec::new(),
        }
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        self.diags
            .push(Diagnostic::error(self.path, span, message).with_help(help));
    }

    pub fn warn(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        self.diags
            .push(Diagnostic::warning(self.path, span, message).with_help(help));
    }

    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    /// Check the keys of section `[label]` against `specs`. Keys in `extra` (`type`, names of
    /// sub-sections) are the caller's business and skipped. Returns the checked values with
    /// defaults filled in; a value that fails its check is left out (and reported).
    pub fn check_params(
        &mut self,
        label: &str,
        header: Span,
        table: &BTreeMap<String, Value>,
        specs: &[ParamSpec],
        extra: &[&str],
    ) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for (key, value) in table {
            if extra.contains(&key.as_str()) {
                continue;
            }
            match specs.iter().find(|s| s.name == key) {
                Some(spec) => {
                    if let Some(v) = self.check_value(spec, key, value) {
                        out.insert(key.clone(), v);
                    }
                }
                None => {
                    let mut allowed: Vec<&str> = specs.iter().map(|s| s.name).collect();
                    allowed.extend_from_slice(extra);
                    let help = suggest(key, &allowed).or_else(|| {
                        (!allowed.is_empty())
                            .then(|| format!("[{label}] accepts: {}", join_ticked(&allowed)))
                    });
                    self.error(
                        value.key_span.unwrap_or(value.span),
                        format!("unknown key `{key}` in [{label}]"),
                        help,
                    );
                }
            }
        }
        for spec in specs {
            if table.contains_key(spec.name) {
                continue;
            }
            if spec.required {
                let unit = if spec.unit.is_empty() {
                    String::new()
                } else {
                    format!(" in {}", spec.unit)
                };
                self.error(
                    header,
                    format!("missing required parameter `{}` in [{label}]", spec.name),
                    Some(format!(
                        "add `{} = ...` ({}{unit}): {}",
                        spec.name,
                        spec.kind.label(),
                        spec.description
                    )),
                );
            } else if let Some(default) = spec.default {
                match default_value(spec, default, header) {
                    Some(v) => {
                        out.insert(spec.name.to_string(), v);
                    }
                    None => self.error(
                        header,
                        format!("internal error: the default `{default}` of `{}` in [{label}] is invalid", spec.name),
                        None,
                    ),
                }
            }
        }
        out
    }

    /// Check one value against its spec; `Some(normalised value)` when it passes.
    pub fn check_value(&mut self, spec: &ParamSpec, name: &str, v: &Value) -> Option<Value> {
        if v.kind == ValueKind::Invalid {
            return None; // reported when parsed
        }
        let kind = match &spec.kind {
            ParamKind::Float { min, max } => {
                ValueKind::Float(self.float(spec, name, v, *min, *max)?)
            }
            ParamKind::Int { min, max } => {
                let Some(i) = v.as_i64() else {
                    return self.wrong_type(spec, name, v);
                };
                let too_low = min.is_some_and(|m| i < m);
                let too_high = max.is_some_and(|m| i > m);
                if too_low || too_high {
                    self.out_of_range(
                        spec,
                        name,
                        v,
                        &i.to_string(),
                        min.map(|m| m.to_string()),
                        max.map(|m| m.to_string()),
                    );
                    return None;
                }
                ValueKind::Integer(i)
            }
            ParamKind::Bool => ValueKind::Bool(match v.as_bool() {
                Some(b) => b,
                None => return self.wrong_type(spec, name, v),
            }),
            ParamKind::String => ValueKind::String(self.string(spec, name, v)?.to_string()),
            ParamKind::Path => {
                let s = self.string(spec, name, v)?;
                if s.trim().is_empty() {
                    self.error(v.span, format!("`{name}` is an empty path"), None);
                    return None;
                }
                ValueKind::String(s.to_string())
            }
            ParamKind::Choice(choices) => {
                let s = self.string(spec, name, v)?;
                if !choices.contains(&s) {
                    self.error(
                        v.span,
                        format!(
                            "invalid value `{s}` for `{name}`: expected one of {}",
                            join_ticked(choices)
                        ),
                        suggest(s, choices),
                    );
                    return None;
                }
                ValueKind::String(s.to_string())
            }
            ParamKind::FloatArray { len } => {
                let items = self.array(spec, name, v)?;
                if let Some(n) = len {
                    if items.len() != *n {
                        self.error(
                            v.span,
                            format!("`{name}` needs {n} values, found {}", items.len()),
                            None,
                        );
                        return None;
                    }
                }
                // Check every element before giving up, so all bad ones are reported.
                let checked: Vec<Option<Value>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let x = self.float(spec, &format!("{name}[{i}]"), item, None, None)?;
                        Some(Value {
                            kind: ValueKind::Float(x),
                            ..item.clone()
                        })
                    })
                    .collect();
                ValueKind::Array(checked.into_iter().collect::<Option<Vec<_>>>()?)
            }
            ParamKind::StringArray | ParamKind::BoundaryNames | ParamKind::RegionNames => {
                let items = self.array(spec, name, v)?;
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    ok &= self.string(spec, &format!("{name}[{i}]"), item).is_some();
                }
                if !ok {
                    return None;
                }
                let what = match spec.kind {
                    ParamKind::BoundaryNames => Some("boundary"),
                    ParamKind::RegionNames => Some("region"),
                    _ => None,
                };
                if let Some(what) = what {
                    if items.is_empty() {
                        self.error(
                            v.span,
                            format!("`{name}` is empty: name at least one {what}"),
                            None,
                        );
                        return None;
                    }
                    for (i, item) in items.iter().enumerate() {
                        if items[..i].iter().any(|prev| prev.as_str() == item.as_str()) {
                            let s = item.as_str().unwrap_or_default();
                            self.warn(
                                item.span,
                                format!("{what} `{s}` is listed twice in `{name}`"),
                                None,
                            );
                        }
                    }
                }
                v.kind.clone()
            }
            ParamKind::Table => ValueKind::Array(self.table(spec, name, v)?),
            ParamKind::Any => v.kind.clone(),
            ParamKind::IntMap { keys, min } => {
                let ValueKind::Table(t) = &v.kind else {
                    return self.wrong_type(spec, name, v);
                };
                let mut ok = true;
                for (k, item) in t {
                    let at = item.key_span.unwrap_or(item.span);
                    if !keys.contains(&k.as_str()) {
                        self.error(
                            at,
                            format!("unknown key `{k}` in `{name}`"),
                            suggest(k, keys)
                                .or_else(|| Some(format!("keys are: {}", join_ticked(keys)))),
                        );
                        ok = false;
                    } else if item.as_i64().is_none_or(|i| i < *min) {
                        self.error(
                            item.span,
                            format!("`{name}.{k}` must be an integer >= {min}"),
                            None,
                        );
                        ok = false;
                    }
                }
                if !ok {
                    return None;
                }
                v.kind.clone()
            }
            ParamKind::FloatMap { keys, min } => {
                let ValueKind::Table(t) = &v.kind else {
                    return self.wrong_type(spec, name, v);
                };
                let mut ok = true;
                let mut out = BTreeMap::new();
                for (k, item) in t {
                    let at = item.key_span.unwrap_or(item.span);
                    if !keys.contains(&k.as_str()) {
                        self.error(
                            at,
                            format!("unknown key `{k}` in `{name}`"),
                            suggest(k, keys)
                                .or_else(|| Some(format!("keys are: {}", join_ticked(keys)))),
                        );
                        ok = false;
                    } else {
                        match self.float(spec, &format!("{name}.{k}"), item, *min, None) {
                            Some(x) => {
                                out.insert(
                                    k.clone(),
                                    Value {
                                        kind: ValueKind::Float(x),
                                        ..item.clone()
                                    },
                                );
                            }
                            None => ok = false,
                        }
                    }
                }
                let missing: Vec<&str> = keys
                    .iter()
                    .copied()
                    .filter(|k| !t.contains_key(*k))
                    .collect();
                if !missing.is_empty() {
                    self.error(
                        v.span,
                        format!("`{name}` lacks {}", join_ticked(&missing)),
                        Some(format!("give all of {}", join_ticked(keys))),
                    );
                    ok = false;
                }
                if !ok {
                    return None;
                }
                ValueKind::Table(out)
            }
            ParamKind::NameOrPath(_) => {
                let s = self.string(spec, name, v)?;
                if s.trim().is_empty() {
                    self.error(
                        v.span,
                        format!("`{name}` is empty: give a name or a file path"),
                        None,
                    );
                    return None;
                }
                ValueKind::String(s.to_string())
            }
        };
        Some(Value { kind, ..v.clone() })
    }

    fn wrong_type<T>(&mut self, spec: &ParamSpec, name: &str, v: &Value) -> Option<T> {
        let help = match (&spec.kind, &v.kind) {
            (
                ParamKind::StringArray | ParamKind::BoundaryNames | ParamKind::RegionNames,
                ValueKind::String(s),
            ) => Some(format!("write `{name} = [\"{s}\"]`")),
            (ParamKind::Float { .. } | ParamKind::Int { .. }, ValueKind::String(s))
                if s.trim().parse::<f64>().is_ok() =>
            {
                Some(format!("remove the quotes: `{name} = {}`", s.trim()))
            }
            (ParamKind::Bool, ValueKind::String(s)) if matches!(s.as_str(), "true" | "false") => {
                Some(format!("remove the quotes: `{name} = {s}`"))
            }
            (ParamKind::Int { .. }, ValueKind::Float(x)) if x.fract() == 0.0 && x.abs() < 1e15 => {
                Some(format!(
                    "write it without a decimal point: `{name} = {}`",
                    *x as i64
                ))
            }
            (ParamKind::Choice(choices), _) => Some(format!("one of {}", join_ticked(choices))),
            _ => None,
        };
        let msg = format!(
            "wrong type for `{name}`: expected {}, found {}",
            spec.kind.expected(),
            v.a_type_name()
        );
        self.error(v.span, msg, help);
        None
    }

    fn float(
        &mut self,
        spec: &ParamSpec,
        name: &str,
        v: &Value,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Option<f64> {
        if v.kind == ValueKind::Invalid {
            return None;
        }
        // An integer literal is fine where a float is expected: `value = 300` means 300.0.
        let Some(x) = v.as_f64() else {
            let fake = ParamSpec {
                kind: ParamKind::Float {
                    min: None,
                    max: None,
                },
                ..spec.clone()
            };
            return self.wrong_type(&fake, name, v);
        };
        if !x.is_finite() {
            self.error(
                v.span,
                format!("`{name}` must be a finite number, found {x}"),
                None,
            );
            return None;
        }
        if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
            self.out_of_range(
                spec,
                name,
                v,
                &fmt_num(x),
                min.map(fmt_num),
                max.map(fmt_num),
            );
            return None;
        }
        Some(x)
    }

    fn out_of_range(
        &mut self,
        spec: &ParamSpec,
        name: &str,
        v: &Value,
        found: &str,
        min: Option<String>,
        max: Option<String>,
    ) {
        let unit = if spec.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", spec.unit)
        };
        let range = match (min, max) {
            (Some(lo), Some(hi)) => format!("between {lo} and {hi}{unit}"),
            (Some(lo), None) => format!(">= {lo}{unit}"),
            (None, Some(hi)) => format!("<= {hi}{unit}"),
            (None, None) => "in range".to_string(),
        };
        self.error(
            v.span,
            format!("`{name}` = {found}{unit} is out of range: must be {range}"),
            None,
        );
    }

    fn string<'v>(&mut self, spec: &ParamSpec, name: &str, v: &'v Value) -> Option<&'v str> {
        match v.as_str() {
            Some(s) => Some(s),
            None => {
                let fake = match spec.kind {
                    ParamKind::Choice(_) | ParamKind::Path | ParamKind::NameOrPath(_) => {
                        spec.clone()
                    }
                    _ => ParamSpec {
                        kind: ParamKind::String,
                        ..spec.clone()
                    },
                };
                self.wrong_type(&fake, name, v)
            }
        }
    }

    fn array<'v>(&mut self, spec: &ParamSpec, name: &str, v: &'v Value) -> Option<&'v [Value]> {
        match v.as_array() {
            Some(a) => Some(a),
            None => self.wrong_type(spec, name, v),
        }
    }

    fn table(&mut self, spec: &ParamSpec, name: &str, v: &Value) -> Option<Vec<Value>> {
        let rows = self.array(spec, name, v)?;
        if rows.is_empty() {
            self.error(
                v.span,
                format!("`{name}` is empty: give at least one [x, y] row"),
                None,
            );
            return None;
        }
        let mut out = Vec::with_capacity(rows.len());
        let mut prev_x: Option<f64> = None;
        for (i, row) in rows.iter().enumerate() {
            let pair = match row.as_array() {
                Some([x, y]) => (x, y),
                _ => {
                    let found = match row.as_array() {
                        Some(a) => format!("{} values", a.len()),
                        None => row.a_type_name(),
                    };
                    self.error(
                        row.span,
                        format!(
                            "row {} of `{name}` must be an [x, y] pair, found {found}",
                            i + 1
                        ),
                        None,
                    );
                    return None;
                }
            };
            let x = self.float(spec, &format!("{name}[{i}][0]"), pair.0, None, None);
            let y = self.float(spec, &format!("{name}[{i}][1]"), pair.1, None, None);
            let (x, y) = (x?, y?);
            if prev_x.is_some_and(|p| x <= p) {
                self.error(
                    pair.0.span,
                    format!(
                        "the x values of `{name}` must increase strictly (row {})",
                        i + 1
                    ),
                    None,
                );
                return None;
            }
            prev_x = Some(x);
            let cell = |val: f64, src: &Value| Value {
                kind: ValueKind::Float(val),
                ..src.clone()
            };
            out.push(Value {
                kind: ValueKind::Array(vec![cell(x, pair.0), cell(y, pair.1)]),
                ..row.clone()
            });
        }
        Some(out)
    }
}

/// The spec's default, parsed and normalised like a deck value, pointing at `header`.
fn default_value(spec: &ParamSpec, text: &str, header: Span) -> Option<Value> {
    let parsed = parse_value_text(text)?;
    let mut scratch = Checker::new("");
    let mut v = scratch.check_value(spec, spec.name, &parsed)?;
    if scratch.has_errors() {
        return None;
    }
    relocate(&mut v, header);
    v.defaulted = true;
    Some(v)
}

fn relocate(v: &mut Value, span: Span) {
    v.span = span;
    v.key_span = None;
    match &mut v.kind {
        ValueKind::Array(items) => items.iter_mut().for_each(|i| relocate(i, span)),
        ValueKind::Table(t) => t.values_mut().for_each(|i| relocate(i, span)),
        _ => {}
    }
}

/// Problems in a list of specs (bad defaults, duplicate names): programming errors in a
/// physics' declarations, reported by [`crate::lint_registry`].
pub(crate) fn lint_specs(label: &str, specs: &[ParamSpec]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        if specs[..i].iter().any(|s| s.name == spec.name) {
            problems.push(format!("{label}: parameter `{}` declared twice", spec.name));
        }
        if spec.required && spec.default.is_some() {
            problems.push(format!(
                "{label}: `{}` is required but has a default",
                spec.name
            ));
        }
        if let Some(d) = spec.default {
            if default_value(spec, d, Span::START).is_none() {
                problems.push(format!(
                    "{label}: default `{d}` of `{}` does not satisfy its own kind",
                    spec.name
                ));
            }
        }
    }
    problems
}

/// A number for messages: plain when that reads well, scientific otherwise.
pub(crate) fn fmt_num(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || (1e-4..1e15).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(1.5), "1.5");
        assert_eq!(fmt_num(300.0), "300");
        assert_eq!(fmt_num(1e-50), "1e-50");
        assert_eq!(fmt_num(-2e20), "-2e20");
    }

    fn run(spec: ParamSpec, text: &str) -> (Option<Value>, Vec<Diagnostic>) {
        let (root, _) = crate::parse::parse_toml("t.toml", text).unwrap();
        let v = root.as_table().unwrap()[spec.name].clone();
        let mut ck = Checker::new("t.toml");
        let out = ck.check_value(&spec, spec.name, &v);
        (out, ck.diags)
    }

    #[test]
    fn float_maps_need_every_key_and_nothing_else() {
        let spec = ParamSpec::maybe(
            "conc",
            ParamKind::FloatMap {
                keys: &["c_n", "c_p"],
                min: Some(0.0),
            },
            "mol/m3",
            "",
        );
        let (v, d) = run(spec.clone(), "conc = { c_n = 2, c_p = 1.5e4 }");
        assert!(d.is_empty(), "{d:?}");
        let t = v.unwrap();
        // Integers become floats, as for Float parameters.
        assert_eq!(t.as_table().unwrap()["c_n"].kind, ValueKind::Float(2.0));
        let (v, d) = run(spec.clone(), "conc = { c_n = 2 }");
        assert!(v.is_none() && d[0].message.contains("lacks `c_p`"), "{d:?}");
        let (v, d) = run(spec.clone(), "conc = { c_n = 2, cp = 1 }");
        assert!(v.is_none());
        assert!(
            d.iter()
                .any(|d| d.help.as_deref() == Some("did you mean `c_p`?")),
            "{d:?}"
        );
        let (v, d) = run(spec.clone(), "conc = { c_n = -2, c_p = 1 }");
        assert!(
            v.is_none() && d[0].message.contains("out of range"),
            "{d:?}"
        );
        assert_eq!(d[0].col, 16, "points at the value");
        let (v, d) = run(spec, "conc = 3");
        assert!(v.is_none() && !d.is_empty());
    }

    #[test]
    fn names_or_paths_are_non_empty_strings() {
        let spec = ParamSpec::maybe("set", ParamKind::NameOrPath(&["A"]), "", "");
        assert!(run(spec.clone(), "set = \"A\"").1.is_empty());
        assert!(run(spec.clone(), "set = \"cells/b.toml\"").1.is_empty());
        let (v, d) = run(spec.clone(), "set = \" \"");
        assert!(v.is_none() && d[0].message.contains("empty"), "{d:?}");
        let (v, d) = run(spec, "set = 1");
        assert!(
            v.is_none() && d[0].message.contains("name or a file path"),
            "{d:?}"
        );
    }
}
