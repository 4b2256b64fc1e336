//! Diagnostics (`path:line:col: error: message`), source positions and "did you mean" hints.

use std::fmt;

/// How bad a diagnostic is. Only errors make a deck invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The word printed after the position (`error`, `warning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A byte range in the deck text together with the 1-based line and column of its start.
///
/// The position is computed once at parse time so that objects handed to the engine can be
/// turned into diagnostics without carrying the source text around.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, counted in characters.
    pub col: usize,
}

impl Span {
    /// The span at the very start of a file (used when nothing better exists).
    pub const START: Span = Span {
        start: 0,
        end: 0,
        line: 1,
        col: 1,
    };
}

/// One message about a deck, tied to a position in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The deck's path as given by the caller (printed verbatim).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    pub message: String,
    /// A hint printed on a second line as `  help: ...`.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span` of the file `path`.
    pub fn error(path: &str, span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, span, message)
    }

    /// A warning at `span` of the file `path`.
    pub fn warning(path: &str, span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, span, message)
    }

    /// A diagnostic of any severity.
    pub fn new(severity: Severity, path: &str, span: Span, message: impl Into<String>) -> Self {
        Self {
            severity,
            path: path.to_string(),
            line: span.line.max(1),
            col: span.col.max(1),
            message: message.into(),
            help: None,
        }
    }

    /// Attach (or replace) the help line.
    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Whether this makes the deck invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path,
            self.line,
            self.col,
            self.severity.as_str(),
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Converts byte offsets of one text into 1-based line:column positions.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { text, line_starts }
    }

    /// 1-based (line, column) of byte `offset`; the column counts characters, not bytes.
    /// Offsets past the end or inside a character are clamped rather than trusted.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let mut col = self.text[start..offset].chars().count() + 1;
        // A byte-order mark is invisible in editors; do not count it as a column.
        if start == 0 && offset > 0 && self.text.starts_with('\u{feff}') {
            col -= 1;
        }
        (line, col)
    }

    /// A [`Span`] for the byte range `range`.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        let (line, col) = self.position(range.start);
        Span {
            start: range.start,
            end: range.end.max(range.start),
            line,
            col,
        }
    }
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
///
/// Closeness is the Damerau–Levenshtein distance (a transposition counts as one edit), allowed
/// to grow with the word's length; ties go to the higher Jaro–Winkler similarity. Returns
/// `None` for an exact match, since suggesting the word itself helps nobody.
pub fn did_you_mean<S: AsRef<str>>(word: &str, candidates: &[S]) -> Option<String> {
    let lower = word.to_lowercase();
    let mut best: Option<(usize, f64, &str)> = None;
    for cand in candidates {
        let cand = cand.as_ref();
        if cand == word {
            return None;
        }
        let dist = strsim::damerau_levenshtein(&lower, &cand.to_lowercase());
        let limit = (word.chars().count().max(cand.chars().count()) / 3).max(1);
        if dist > limit {
            continue;
        }
        let sim = strsim::jaro_winkler(&lower, &cand.to_lowercase());
        let better = match best {
            None => true,
            Some((d, s, _)) => dist < d || (dist == d && sim > s),
        };
        if better {
            best = Some((dist, sim, cand));
        }
    }
    best.map(|(_, _, c)| c.to_string())
}

/// `did you mean `x`?` when a close candidate exists.
pub(crate) fn suggest<S: AsRef<str>>(word: &str, candidates: &[S]) -> Option<String> {
    did_you_mean(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// A help line: a suggestion when one is close, otherwise the full list of allowed words.
pub(crate) fn suggest_or_list<S: AsRef<str>>(
    word: &str,
    candidates: &[S],
    what: &str,
) -> Option<String> {
    suggest(word, candidates).or_else(|| {
        if candidates.is_empty() {
            None
        } else {
            Some(format!("{what}: {}", join_ticked(candidates)))
        }
    })
}

/// "`a`, `b`, `c`"
pub(crate) fn join_ticked<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| format!("`{}`", w.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nc\u{e9}d\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(1), (1, 2));
        assert_eq!(idx.position(2), (1, 3)); // the newline itself
        assert_eq!(idx.position(3), (2, 1));
        assert_eq!(idx.position(6), (2, 3)); // `d`, after a 2-byte `é`
        assert_eq!(idx.position(5), (2, 2)); // inside `é`: clamped back
        assert_eq!(idx.position(9), (4, 1));
        assert_eq!(idx.position(1000), (4, 2));
        assert_eq!(LineIndex::new("").position(5), (1, 1));
        assert_eq!(LineIndex::new("\u{feff}ab").position(4), (1, 2));
    }

    #[test]
    fn suggestions_only_when_close() {
        let keys = ["value", "boundary", "type"];
        assert_eq!(did_you_mean("vlaue", &keys).as_deref(), Some("value"));
        assert_eq!(did_you_mean("boundry", &keys).as_deref(), Some("boundary"));
        assert_eq!(did_you_mean("Type", &keys).as_deref(), Some("type"));
        assert_eq!(did_you_mean("temperature", &keys), None);
        assert_eq!(did_you_mean("value", &keys), None);
        assert_eq!(did_you_mean("x", &[] as &[&str]), None);
    }

    #[test]
    fn display_format() {
        let span = Span {
            start: 0,
            end: 1,
            line: 3,
            col: 7,
        };
        let d = Diagnostic::error("deck.toml", span, "unknown key `vlaue`")
            .with_help(Some("did you mean `value`?".into()));
        assert_eq!(
            d.to_string(),
            "deck.toml:3:7: error: unknown key `vlaue`\n  help: did you mean `value`?"
        );
        let w = Diagnostic::warning("d", span, "m");
        assert_eq!(w.to_string(), "d:3:7: warning: m");
    }
}
