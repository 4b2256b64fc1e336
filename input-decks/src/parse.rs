//! TOML text → a tree of [`Value`]s that keep the position of every key and value.

use crate::diag::{Diagnostic, LineIndex, Span};
use crate::value::{Value, ValueKind};
use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Syntax errors beyond this many are dropped: after that the parser is mostly guessing.
const MAX_SYNTAX_ERRORS: usize = 10;

/// Parse `text` into a root table, plus diagnostics for literals that cannot be represented
/// (they become [`ValueKind::Invalid`] and checking goes on). On a syntax error, returns the
/// errors instead: a tree recovered from broken TOML would produce misleading follow-ons.
pub(crate) fn parse_toml(
    path: &str,
    text: &str,
) -> Result<(Value, Vec<Diagnostic>), Vec<Diagnostic>> {
    let index = LineIndex::new(text);
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let mut diags: Vec<Diagnostic> = errors
            .iter()
            .map(|e| {
                let span = e.span().map(|r| index.span(r)).unwrap_or(Span::START);
                Diagnostic::error(path, span, format!("invalid TOML: {}", e.message().trim()))
            })
            .collect();
        // Recovery after an error often trips again on the rest of the same line; the first
        // error of each line is the one worth reading.
        diags.sort_by_key(|d| (d.line, d.col));
        diags.dedup_by_key(|d| d.line);
        diags.truncate(MAX_SYNTAX_ERRORS);
        return Err(diags);
    }
    let mut diags = Vec::new();
    let mut conv = Converter {
        path,
        index: &index,
        diags: &mut diags,
    };
    let table = conv.table(root.get_ref());
    Ok((Value::new(ValueKind::Table(table), Span::START), diags))
}

/// Parse one TOML value written as text (a spec default).
pub(crate) fn parse_value_text(text: &str) -> Option<Value> {
    let index = LineIndex::new(text);
    let parsed = DeValue::parse(text).ok()?;
    let mut diags = Vec::new();
    let value = Converter {
        path: "",
        index: &index,
        diags: &mut diags,
    }
    .value(&parsed);
    diags.is_empty().then_some(value)
}

struct Converter<'a> {
    path: &'a str,
    index: &'a LineIndex<'a>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Converter<'_> {
    fn table(&mut self, table: &DeTable<'_>) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for (key, value) in table.iter() {
            let mut v = self.value(value);
            v.key_span = Some(self.index.span(key.span()));
            out.insert(key.get_ref().to_string(), v);
        }
        out
    }

    fn value(&mut self, value: &Spanned<DeValue<'_>>) -> Value {
        let span = self.index.span(value.span());
        let kind = match value.get_ref() {
            DeValue::String(s) => ValueKind::String(s.to_string()),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(i) => ValueKind::Integer(i),
                Err(_) => {
                    self.diags.push(Diagnostic::error(
                        self.path,
                        span,
                        "integer out of range: integers must fit in 64 bits",
                    ));
                    ValueKind::Invalid
                }
            },
            DeValue::Float(f) => match f.as_str().parse::<f64>() {
                // `1e999` parses to infinity; keep it, the parameter checks reject non-finite
                // numbers with a message that names the parameter.
                Ok(x) => ValueKind::Float(x),
                Err(_) => {
                    self.diags
                        .push(Diagnostic::error(self.path, span, "invalid float literal"));
                    ValueKind::Invalid
                }
            },
            DeValue::Boolean(b) => ValueKind::Bool(*b),
            DeValue::Datetime(d) => ValueKind::Datetime(d.to_string()),
            DeValue::Array(a) => ValueKind::Array(a.iter().map(|v| self.value(v)).collect()),
            DeValue::Table(t) => ValueKind::Table(self.table(t)),
        };
        Value::new(kind, span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions() {
        let text = "[mesh]\ntype = \"box\"\nnx = 0x10\n[bcs.left]\nvalue = 1e3\n";
        let (root, diags) = parse_toml("d.toml", text).unwrap();
        assert!(diags.is_empty());
        let mesh = &root.as_table().unwrap()["mesh"];
        assert_eq!((mesh.span.line, mesh.span.col), (1, 1));
        let nx = &mesh.as_table().unwrap()["nx"];
        assert_eq!(nx.as_i64(), Some(16));
        assert_eq!((nx.span.line, nx.span.col), (3, 6));
        assert_eq!(nx.key_span.map(|s| (s.line, s.col)), Some((3, 1)));
        let left = &root.as_table().unwrap()["bcs"].as_table().unwrap()["left"];
        assert_eq!((left.span.line, left.span.col), (4, 1));
        assert_eq!(left.as_table().unwrap()["value"].as_f64(), Some(1000.0));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let errs = parse_toml("d.toml", "a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(
            errs[0].to_string().lines().next().unwrap(),
            "d.toml:2:5: error: invalid TOML: extra `=`, expected nothing"
        );
        let (_, errs) = parse_toml("d.toml", "n = 123456789012345678901234567890\n").unwrap();
        assert_eq!((errs[0].line, errs[0].col), (1, 5));
    }

    #[test]
    fn default_text_parses() {
        assert_eq!(
            parse_value_text("1e-8").and_then(|v| v.as_f64()),
            Some(1e-8)
        );
        assert_eq!(
            parse_value_text("[]").and_then(|v| v.as_array().map(|a| a.len())),
            Some(0)
        );
        assert!(parse_value_text("nonsense here").is_none());
    }
}
