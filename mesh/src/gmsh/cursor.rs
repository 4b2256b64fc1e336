//! Byte cursor over an MSH file that reads ASCII tokens and, in binary files, raw numbers.
//!
//! Every read is bounds-checked and reports [`MeshError::Parse`] with a 1-based line number
//! (ASCII files) or a byte offset (binary files), so corrupt input can never panic.

use crate::mesh::MeshError;
use std::str::FromStr;

pub(super) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    file: &'a str,
    /// Numbers in data sections are raw bytes rather than text.
    pub binary: bool,
    /// Raw numbers are big-endian (detected from the endianness check int).
    pub big_endian: bool,
    /// Width of `size_t` values in binary files (the MSH "data-size").
    pub size_t: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8], file: &'a str) -> Self {
        Cursor {
            data,
            pos: 0,
            file,
            binary: false,
            big_endian: false,
            size_t: 8,
        }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left after the cursor; bounds pre-allocations driven by counts read from the file.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Parse error located at byte `pos`: a line number for ASCII files, an offset for binary.
    pub fn err_at(&self, pos: usize, msg: impl Into<String>) -> MeshError {
        let pos = pos.min(self.data.len());
        let (line, offset) = if self.binary {
            (None, Some(pos as u64))
        } else {
            let line = 1 + self.data[..pos].iter().filter(|&&b| b == b'\n').count();
            (Some(line), None)
        };
        MeshError::Parse {
            file: self.file.to_string(),
            line,
            offset,
            msg: msg.into(),
        }
    }

    pub fn err(&self, msg: impl Into<String>) -> MeshError {
        self.err_at(self.pos, msg)
    }

    fn skip_ws(&mut self) {
        while self.pos < self.data.len() && self.data[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// Whether only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.data.len()
    }

    /// Next whitespace-separated token; `what` names the expected item for the error message.
    pub fn token(&mut self, what: &str) -> Result<&'a str, MeshError> {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.data.len() && !self.data[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.err(format!("unexpected end of file, expected {what}")));
        }
        std::str::from_utf8(&self.data[start..self.pos])
            .map_err(|_| self.err_at(start, format!("expected {what}, found non-text bytes")))
    }

    /// Next token parsed as text number of type `T`.
    pub fn ascii<T: FromStr>(&mut self, what: &str) -> Result<T, MeshError> {
        self.skip_ws();
        let start = self.pos;
        let tok = self.token(what)?;
        tok.parse()
            .map_err(|_| self.err_at(start, format!("expected {what}, found '{}'", clip(tok))))
    }

    /// Skip the rest of the current line including its newline (binary data starts after it).
    pub fn end_of_line(&mut self) {
        while self.pos < self.data.len() && self.data[self.pos] != b'\n' {
            self.pos += 1;
        }
        self.pos = (self.pos + 1).min(self.data.len());
    }

    fn take<const N: usize>(&mut self, what: &str) -> Result<[u8; N], MeshError> {
        let end = self.pos.checked_add(N).filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| self.err(format!("unexpected end of file reading {what}")))?;
        let mut b = [0u8; N];
        b.copy_from_slice(&self.data[self.pos..end]);
        self.pos = end;
        if self.big_endian {
            b.reverse();
        }
        Ok(b)
    }

    /// Raw little-endian 4-byte int regardless of detected endianness (for the endianness check).
    pub fn raw_i32_le(&mut self) -> Result<i32, MeshError> {
        let be = std::mem::replace(&mut self.big_endian, false);
        let v = self.take::<4>("the endianness check");
        self.big_endian = be;
        Ok(i32::from_le_bytes(v?))
    }

    /// An `int` value (text or 4 raw bytes).
    pub fn int(&mut self, what: &str) -> Result<i32, MeshError> {
        if self.binary {
            Ok(i32::from_le_bytes(self.take::<4>(what)?))
        } else {
            self.ascii(what)
        }
    }

    /// A `size_t` value (text or `data-size` raw bytes).
    pub fn size(&mut self, what: &str) -> Result<u64, MeshError> {
        if !self.binary {
            return self.ascii(what);
        }
        if self.size_t == 4 {
            Ok(u32::from_le_bytes(self.take::<4>(what)?) as u64)
        } else {
            Ok(u64::from_le_bytes(self.take::<8>(what)?))
        }
    }

    /// A count that must fit in memory: also bounded by the bytes left, since every counted item
    /// takes at least one byte, so corrupt counts fail here instead of in an allocation.
    pub fn count(&mut self, what: &str) -> Result<usize, MeshError> {
        let start = self.pos;
        let n = self.size(what)?;
        match usize::try_from(n) {
            Ok(n) if n <= self.remaining() => Ok(n),
            _ => Err(self.err_at(start, format!("{what} {n} exceeds the size of the file"))),
        }
    }

    /// A finite `double` value (text or 8 raw bytes).
    pub fn double(&mut self, what: &str) -> Result<f64, MeshError> {
        self.skip_ws_if_ascii();
        let start = self.pos;
        let v = if self.binary {
            f64::from_le_bytes(self.take::<8>(what)?)
        } else {
            self.ascii(what)?
        };
        if !v.is_finite() {
            return Err(self.err_at(start, format!("{what} is not a finite number ({v})")));
        }
        Ok(v)
    }

    fn skip_ws_if_ascii(&mut self) {
        if !self.binary {
            self.skip_ws();
        }
    }

    /// A double-quoted string (physical names may contain spaces); always text.
    pub fn quoted(&mut self, what: &str) -> Result<String, MeshError> {
        self.skip_ws();
        let start = self.pos;
        if self.data.get(self.pos) != Some(&b'"') {
            return Err(self.err(format!("expected {what} in double quotes")));
        }
        let rest = &self.data[self.pos + 1..];
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\n')
            .filter(|&l| rest[l] == b'"')
            .ok_or_else(|| self.err_at(start, format!("unterminated {what}")))?;
        let s = std::str::from_utf8(&rest[..len])
            .map_err(|_| self.err_at(start, format!("{what} is not valid UTF-8")))?;
        self.pos += len + 2;
        Ok(s.to_string())
    }

    /// Require the closing `$End<name>` of a section.
    pub fn expect_end(&mut self, name: &str) -> Result<(), MeshError> {
        self.skip_ws();
        let start = self.pos;
        let want = format!("$End{name}");
        match self.token(&want) {
            Ok(t) if t == want => Ok(()),
            Ok(t) => Err(self.err_at(start, format!("expected {want}, found '{}'", clip(t)))),
            Err(_) => Err(self.err_at(start, format!("expected {want}"))),
        }
    }

    /// Skip an unknown section, binary or not, by searching for its `$End<name>` marker.
    pub fn skip_section(&mut self, name: &str) -> Result<(), MeshError> {
        let want = format!("$End{name}");
        let hay = &self.data[self.pos..];
        match hay.windows(want.len()).position(|w| w == want.as_bytes()) {
            Some(p) => {
                self.pos += p + want.len();
                Ok(())
            }
            None => Err(self.err(format!("section ${name} has no {want}"))),
        }
    }
}

/// Shorten long garbage tokens in messages.
pub(super) fn clip(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}
