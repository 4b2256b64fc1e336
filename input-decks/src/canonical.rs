//! The canonical form of a checked deck: every section in a fixed order, keys sorted,
//! defaults written out, one spelling per value. Two decks that differ only in comments,
//! layout, key order or omitted defaults have the same canonical form (and hash).

use crate::value::{Object, Value, ValueKind};
use std::fmt::Write;

/// `key` as a TOML key: bare when possible, quoted otherwise.
pub(crate) fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        key.to_string()
    } else {
        toml_string(key)
    }
}

/// A TOML basic string with escapes.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float that TOML reads back as the same float.
pub(crate) fn toml_float(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        // Debug formatting round-trips exactly and always marks a float ("1.0", "1e-8").
        format!("{x:?}")
    }
}

/// A value as TOML text (arrays and tables inline).
pub(crate) fn toml_value(v: &Value) -> String {
    match &v.kind {
        ValueKind::String(s) => toml_string(s),
        ValueKind::Integer(i) => i.to_string(),
        ValueKind::Float(x) => toml_float(*x),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Datetime(d) => d.clone(),
        ValueKind::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        ValueKind::Table(t) if t.is_empty() => "{}".into(),
        ValueKind::Table(t) => format!(
            "{{ {} }}",
            t.iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        // Never present in a checked deck; an empty string keeps the output valid TOML.
        ValueKind::Invalid => "\"\"".into(),
    }
}

/// Append `[header]` and the object's `type` (if any) and parameters, sorted by key.
pub(crate) fn write_object(out: &mut String, header: &str, obj: &Object) {
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "[{header}]");
    if !obj.type_name.is_empty() {
        let _ = writeln!(out, "type = {}", toml_string(&obj.type_name));
    }
    for (k, v) in &obj.params {
        let _ = writeln!(out, "{} = {}", toml_key(k), toml_value(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(toml_key("cold_end"), "cold_end");
        assert_eq!(toml_key("my bc"), "\"my bc\"");
        assert_eq!(toml_key(""), "\"\"");
        assert_eq!(toml_string("a\"b\\c\u{1}"), "\"a\\\"b\\\\c\\u0001\"");
        assert_eq!(toml_float(300.0), "300.0");
        assert_eq!(toml_float(1e-8), "1e-8");
        assert_eq!(toml_float(f64::NEG_INFINITY), "-inf");
    }
}
