//! Circuit strings in impedance.py's grammar and their evaluation.
//!
//! ```text
//! circuit  := series
//! series   := term ('-' term)*
//! term     := element | 'p(' series (',' series)+ ')'
//! element  := SYMBOL INDEX        e.g. R0, CPE1, Wo2 (SYMBOL: R C L CPE W Wo Ws; INDEX: digits)
//! ```
//! Whitespace is ignored. Element names must be unique. Parameters are numbered in the order
//! the elements appear; one-parameter elements are named like the element (`R0`), others get
//! `_0`, `_1` suffixes (`CPE1_0` = Q, `CPE1_1` = α), as impedance.py names them.

use super::complex::C64;
use super::elements::{Kind, ALL};
use std::fmt;

/// A parse error: what is wrong and the 1-based column (in characters) where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub column: usize,
    pub message: String,
    pub circuit: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "circuit '{}', column {}: {}\n  {}\n  {}^",
            self.circuit,
            self.column,
            self.message,
            self.circuit,
            " ".repeat(self.column.saturating_sub(1))
        )
    }
}

impl std::error::Error for ParseError {}

#[derive(Clone, Debug)]
enum Node {
    Element { kind: Kind, first: usize },
    Series(Vec<Node>),
    Parallel(Vec<Node>),
}

/// A parsed equivalent circuit.
#[derive(Clone, Debug)]
pub struct Circuit {
    text: String,
    root: Node,
    /// (name, kind, index of its first parameter), in order of appearance.
    elements: Vec<(String, Kind, usize)>,
    n_params: usize,
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    text: &'a str,
    elements: Vec<(String, Kind, usize)>,
    n_params: usize,
}

impl Parser<'_> {
    fn err(&self, column0: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            column: column0 + 1,
            message: message.into(),
            circuit: self.text.to_string(),
        }
    }
    fn skip_ws(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }
    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.pos).copied()
    }
    fn describe(c: Option<char>) -> String {
        c.map_or("the end of the circuit".into(), |c| format!("'{c}'"))
    }

    fn series(&mut self) -> Result<Node, ParseError> {
        let mut terms = vec![self.term()?];
        while self.peek() == Some('-') {
            self.pos += 1;
            terms.push(self.term()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().expect("one term")
        } else {
            Node::Series(terms)
        })
    }

    fn term(&mut self) -> Result<Node, ParseError> {
        let c = self.peek();
        let start = self.pos;
        match c {
            Some('p') if self.chars.get(start + 1) == Some(&'(') => {
                self.pos += 2;
                let mut branches = vec![self.series()?];
                while self.peek() == Some(',') {
                    self.pos += 1;
                    branches.push(self.series()?);
                }
                match self.peek() {
                    Some(')') => self.pos += 1,
                    other => {
                        return Err(self.err(
                            self.pos,
                            format!(
                                "expected ',' or ')' to continue the p( opened at column {}, found {}",
                                start + 1,
                                Self::describe(other)
                            ),
                        ))
                    }
                }
                if branches.len() < 2 {
                    return Err(self.err(start, "p(...) needs at least two branches separated by ','"));
                }
                Ok(Node::Parallel(branches))
            }
            Some(c) if c.is_ascii_alphabetic() => self.element(),
            other => Err(self.err(
                self.pos,
                format!(
                    "expected an element (R, C, L, CPE, W, Wo, Ws followed by an index) or p(, found {}",
                    Self::describe(other)
                ),
            )),
        }
    }

    fn element(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        while self.pos < self.chars.len() && self.chars[self.pos].is_ascii_alphabetic() {
            self.pos += 1;
        }
        let symbol: String = self.chars[start..self.pos].iter().collect();
        let dstart = self.pos;
        while self.pos < self.chars.len() && self.chars[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        let index: String = self.chars[dstart..self.pos].iter().collect();
        let Some(kind) = Kind::from_symbol(&symbol) else {
            return Err(self.err(
                start,
                format!("unknown element '{symbol}'{}", did_you_mean(&symbol)),
            ));
        };
        if index.is_empty() {
            return Err(self.err(
                dstart,
                format!(
                    "element '{symbol}' needs an index (e.g. '{symbol}1'), found {}",
                    Self::describe(self.chars.get(dstart).copied())
                ),
            ));
        }
        let name = format!("{symbol}{index}");
        if self.elements.iter().any(|(n, _, _)| *n == name) {
            return Err(self.err(
                start,
                format!("element '{name}' appears twice; names must be unique"),
            ));
        }
        let first = self.n_params;
        self.elements.push((name, kind, first));
        self.n_params += kind.n_params();
        Ok(Node::Element { kind, first })
    }
}

/// Levenshtein distance, case-insensitive.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count()
}

fn did_you_mean(symbol: &str) -> String {
    let names: Vec<&str> = ALL.iter().map(|k| k.symbol()).collect();
    // ZView and others call the CPE Q.
    if symbol == "Q" {
        return format!(" (did you mean 'CPE'? known: {})", names.join(", "));
    }
    let best = ALL
        .iter()
        .map(|k| (distance(symbol, k.symbol()), k.symbol()))
        // Ties go to the name sharing the longer prefix ('CP' → 'CPE', not 'C').
        .min_by_key(|(d, s)| (*d, usize::MAX - common_prefix(symbol, s)));
    match best {
        // Only when some of the typed name survives: 'X' is not a typo of 'R'.
        Some((d, s)) if d <= 2 && d < symbol.chars().count() => {
            format!(" (did you mean '{s}'? known: {})", names.join(", "))
        }
        _ => format!(" (known: {})", names.join(", ")),
    }
}

impl Circuit {
    /// Parses a circuit string such as `R0-p(R1,CPE1)-W1`.
    pub fn parse(text: &str) -> Result<Circuit, ParseError> {
        let mut p = Parser {
            chars: text.chars().collect(),
            pos: 0,
            text,
            elements: Vec::new(),
            n_params: 0,
        };
        let root = p.series()?;
        if let Some(c) = p.peek() {
            let hint = match c {
                ')' => "unmatched ')'",
                ',' => "',' outside p(...)",
                _ => "expected '-' between elements",
            };
            return Err(p.err(p.pos, format!("unexpected '{c}': {hint}")));
        }
        Ok(Circuit {
            text: text.to_string(),
            root,
            elements: p.elements,
            n_params: p.n_params,
        })
    }

    /// The circuit string as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of parameters.
    pub fn n_params(&self) -> usize {
        self.n_params
    }

    /// Parameter names in impedance.py's style (`R0`, `CPE1_0`, `CPE1_1`, `W1`).
    pub fn param_names(&self) -> Vec<String> {
        let mut v = Vec::with_capacity(self.n_params);
        for (name, kind, _) in &self.elements {
            if kind.n_params() == 1 {
                v.push(name.clone());
            } else {
                v.extend((0..kind.n_params()).map(|i| format!("{name}_{i}")));
            }
        }
        v
    }

    /// Units of every parameter.
    pub fn param_units(&self) -> Vec<&'static str> {
        self.elements
            .iter()
            .flat_map(|(_, k, _)| k.units().iter().copied())
            .collect()
    }

    /// Default (lower, upper) bounds of every parameter (see [`Kind::default_bounds`]).
    pub fn default_bounds(&self) -> Vec<(f64, f64)> {
        self.elements
            .iter()
            .flat_map(|(_, k, _)| (0..k.n_params()).map(|i| k.default_bounds(i)))
            .collect()
    }

    /// Z at frequency `f` [Hz]; `p.len()` must be `n_params()`.
    pub fn impedance(&self, f: f64, p: &[f64]) -> C64 {
        let mut scratch = vec![C64::default(); self.n_params];
        eval(&self.root, 2.0 * std::f64::consts::PI * f, p, &mut scratch)
    }

    /// Z at `f` [Hz] and ∂Z/∂p into `dz` (length `n_params()`).
    pub fn impedance_and_gradient(&self, f: f64, p: &[f64], dz: &mut [C64]) -> C64 {
        dz.fill(C64::default());
        eval(&self.root, 2.0 * std::f64::consts::PI * f, p, dz)
    }
}

/// Z of `node`; its parameters' derivatives are written into their slots of `dz` (the other
/// slots are left alone, so siblings never interfere).
fn eval(node: &Node, w: f64, p: &[f64], dz: &mut [C64]) -> C64 {
    match node {
        Node::Element { kind, first } => {
            let n = kind.n_params();
            kind.eval(w, &p[*first..*first + n], &mut dz[*first..*first + n])
        }
        Node::Series(items) => items
            .iter()
            .fold(C64::default(), |acc, n| acc + eval(n, w, p, dz)),
        Node::Parallel(items) => {
            // Z = 1/Σ(1/Zᵢ), ∂Z/∂p = (Z/Zᵢ)² ∂Zᵢ/∂p for p in branch i.
            let zs: Vec<C64> = items.iter().map(|n| eval(n, w, p, dz)).collect();
            if let Some(k) = zs.iter().position(|z| z.norm_sqr() == 0.0) {
                // A short circuit: Z = 0 and only that branch moves it (to first order).
                for (i, n) in items.iter().enumerate() {
                    if i != k {
                        scale_params(n, dz, C64::default());
                    }
                }
                return C64::default();
            }
            let y = zs.iter().fold(C64::default(), |acc, z| acc + z.recip());
            let z = y.recip();
            for (n, zi) in items.iter().zip(&zs) {
                let r = z / *zi;
                scale_params(n, dz, r * r);
            }
            z
        }
    }
}

/// Multiplies the derivative slots of every parameter under `node` by `s`.
fn scale_params(node: &Node, dz: &mut [C64], s: C64) {
    match node {
        Node::Element { kind, first } => {
            for d in &mut dz[*first..*first + kind.n_params()] {
                *d = *d * s;
            }
        }
        Node::Series(items) | Node::Parallel(items) => {
            for n in items {
                scale_params(n, dz, s);
            }
        }
    }
}
