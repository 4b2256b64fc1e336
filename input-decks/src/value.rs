//! Deck values with positions, and the checked objects handed to the engine.

use crate::diag::{Diagnostic, Span};
use std::collections::BTreeMap;

/// The payload of a deck value.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    /// A TOML date/time, kept as written (no deck parameter accepts one).
    Datetime(String),
    Array(Vec<Value>),
    /// Keys map to values; each value remembers its key's span.
    Table(BTreeMap<String, Value>),
    /// A literal that cannot be represented (e.g. an integer beyond 64 bits); already reported.
    Invalid,
}

/// One value of the deck and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    /// The value's text (for a `[table]` header: the header).
    pub span: Span,
    /// The span of the key naming this value, when it has one (not for array elements).
    pub key_span: Option<Span>,
    /// True when the value was not written in the deck but filled in from the spec's default;
    /// its spans then point at the section header.
    pub defaulted: bool,
}

impl Value {
    pub(crate) fn new(kind: ValueKind, span: Span) -> Self {
        Self {
            kind,
            span,
            key_span: None,
            defaulted: false,
        }
    }

    /// The value as a float; integers convert (a checked Float parameter is always a float).
    pub fn as_f64(&self) -> Option<f64> {
        match self.kind {
            ValueKind::Float(x) => Some(x),
            ValueKind::Integer(i) => Some(i as f64),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self.kind {
            ValueKind::Integer(i) => Some(i),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_table(&self) -> Option<&BTreeMap<String, Value>> {
        match &self.kind {
            ValueKind::Table(t) => Some(t),
            _ => None,
        }
    }
    /// All elements as floats, if every one is a number.
    pub fn as_f64_array(&self) -> Option<Vec<f64>> {
        self.as_array()?.iter().map(Value::as_f64).collect()
    }
    /// All elements as strings, if every one is a string.
    pub fn as_str_array(&self) -> Option<Vec<String>> {
        self.as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    }
    /// `[[x, y], ...]` rows as pairs, if every row is two numbers.
    pub fn as_pairs(&self) -> Option<Vec<(f64, f64)>> {
        self.as_array()?
            .iter()
            .map(|row| match row.as_array()? {
                [x, y] => Some((x.as_f64()?, y.as_f64()?)),
                _ => None,
            })
            .collect()
    }

    /// The TOML word for this value's type, as used in "found a ..." messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ValueKind::String(_) => "string",
            ValueKind::Integer(_) => "integer",
            ValueKind::Float(_) => "float",
            ValueKind::Bool(_) => "boolean",
            ValueKind::Datetime(_) => "datetime",
            ValueKind::Array(_) => "array",
            ValueKind::Table(_) => "table",
            ValueKind::Invalid => "invalid value",
        }
    }

    /// "a string", "an integer", ...
    pub(crate) fn a_type_name(&self) -> String {
        let t = self.type_name();
        let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {t}")
    }
}

/// A checked deck object (`[mesh]`, `[materials.copper]`, `[solver.linear]`, ...).
///
/// Every parameter its spec declares with a default is present in `params` (with
/// `defaulted = true` when the deck omitted it), and every value has the declared type: Float
/// parameters hold floats even when written as integer literals. So the getters cannot fail on
/// a declared name; they panic only on a programming error (a name or type the spec does not
/// declare), like indexing a map with a missing key.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// The `type` value (empty for the fixed sections, which have no type).
    pub type_name: String,
    /// The dotted section path, e.g. `bcs.cold_end` or `solver.linear`.
    pub section: String,
    /// The user's name for named objects (`cold_end`); `None` for `[mesh]`, `[physics]`, ...
    pub name: Option<String>,
    /// The section header (or the first key that created the table).
    pub header: Span,
    /// The span of the `type` value, if written.
    pub type_span: Option<Span>,
    pub params: BTreeMap<String, Value>,
}

impl Object {
    /// The parameter `name`, if written or defaulted.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }

    /// Whether the deck itself wrote `name` (as opposed to a default or absence).
    pub fn is_set(&self, name: &str) -> bool {
        self.params.get(name).is_some_and(|v| !v.defaulted)
    }

    fn expect<T>(&self, name: &str, what: &str, v: Option<T>) -> T {
        match v {
            Some(v) => v,
            None => panic!(
                "deck object [{}] has no {what} parameter `{name}` (not declared with a default in its spec?)",
                self.section
            ),
        }
    }

    pub fn opt_f64(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(Value::as_f64)
    }
    pub fn opt_i64(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }
    pub fn opt_bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }
    pub fn opt_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }
    pub fn opt_f64_array(&self, name: &str) -> Option<Vec<f64>> {
        self.get(name).and_then(Value::as_f64_array)
    }
    pub fn opt_str_array(&self, name: &str) -> Option<Vec<String>> {
        self.get(name).and_then(Value::as_str_array)
    }
    pub fn opt_table(&self, name: &str) -> Option<Vec<(f64, f64)>> {
        self.get(name).and_then(Value::as_pairs)
    }

    /// A Float parameter (deck value or spec default).
    ///
    /// # Panics
    /// If the spec declares no such parameter with a default and the deck omits it.
    pub fn get_f64(&self, name: &str) -> f64 {
        self.expect(name, "float", self.opt_f64(name))
    }
    /// An Int parameter. Panics like [`Object::get_f64`].
    pub fn get_i64(&self, name: &str) -> i64 {
        self.expect(name, "integer", self.opt_i64(name))
    }
    /// A Bool parameter. Panics like [`Object::get_f64`].
    pub fn get_bool(&self, name: &str) -> bool {
        self.expect(name, "boolean", self.opt_bool(name))
    }
    /// A String, Choice or Path parameter. Panics like [`Object::get_f64`].
    pub fn get_str(&self, name: &str) -> &str {
        self.expect(name, "string", self.opt_str(name))
    }
    /// A FloatArray parameter. Panics like [`Object::get_f64`].
    pub fn get_f64_array(&self, name: &str) -> Vec<f64> {
        self.expect(name, "float array", self.opt_f64_array(name))
    }
    /// A StringArray, BoundaryNames or RegionNames parameter. Panics like [`Object::get_f64`].
    pub fn get_str_array(&self, name: &str) -> Vec<String> {
        self.expect(name, "string array", self.opt_str_array(name))
    }
    /// A Table parameter as `(x, y)` rows. Panics like [`Object::get_f64`].
    pub fn get_table(&self, name: &str) -> Vec<(f64, f64)> {
        self.expect(name, "table", self.opt_table(name))
    }

    /// An error pointing at parameter `name` (its value; the header when absent or defaulted),
    /// for problems found after checking, e.g. a boundary the mesh does not have.
    pub fn diag_at(
        &self,
        deck_path: &str,
        name: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        let span = match self.params.get(name) {
            Some(v) if !v.defaulted => v.span,
            _ => self.header,
        };
        Diagnostic::error(deck_path, span, message).with_help(help)
    }
}
