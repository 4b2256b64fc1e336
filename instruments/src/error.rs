//! The one error type of the parsers: which file, where in it, and what was expected.

use std::fmt;

/// Where in the input a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// 1-based line number of a text file.
    Line(usize),
    /// Byte offset into a binary file.
    Offset(u64),
    /// The file as a whole (empty, unknown format).
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}: "),
            Location::Offset(o) => write!(f, "byte offset {o}: "),
            Location::File => Ok(()),
        }
    }
}

/// A parse failure: `path: line N: message` (or `byte offset N`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {location}{message}")]
pub struct ParseError {
    /// The source file as the caller named it.
    pub path: String,
    pub location: Location,
    /// What was found and what was expected.
    pub message: String,
}

impl ParseError {
    pub fn line(path: &str, line: usize, message: impl Into<String>) -> Self {
        ParseError {
            path: path.to_string(),
            location: Location::Line(line),
            message: message.into(),
        }
    }
    pub fn offset(path: &str, offset: u64, message: impl Into<String>) -> Self {
        ParseError {
            path: path.to_string(),
            location: Location::Offset(offset),
            message: message.into(),
        }
    }
    pub fn file(path: &str, message: impl Into<String>) -> Self {
        ParseError {
            path: path.to_string(),
            location: Location::File,
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, ParseError>;
