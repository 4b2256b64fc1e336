//! [`Deck`]: a checked deck with typed access, positions for later diagnostics, and hashes.

use crate::build::{check_deck, Checked};
use crate::canonical::{toml_key, write_object};
use crate::check::Checker;
use crate::diag::{Diagnostic, LineIndex, Span};
use crate::parse::parse_toml;
use crate::schema::{Registry, SectionKind};
use crate::sections::{
    CheckpointOptions, ComputeOptions, InitialOptions, JobOptions, OutputOptions, SolverOptions,
    TimeOptions,
};
use crate::value::{Object, Value, ValueKind};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A deck that passed every check, with defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Deck {
    /// The path used in messages (as given to [`Deck::parse`] / [`Deck::load`]).
    pub path: String,
    /// The deck text as read.
    pub text: String,
    pub mesh: Object,
    /// `[materials.<name>]`, in deck order.
    pub materials: Vec<(String, Object)>,
    pub physics: Object,
    /// `[bcs.<name>]`, in deck order.
    pub bcs: Vec<(String, Object)>,
    /// `[sources.<name>]`, in deck order.
    pub sources: Vec<(String, Object)>,
    /// `[postprocessors.<name>]`, in deck order.
    pub postprocessors: Vec<(String, Object)>,
    pub initial: InitialOptions,
    pub solver: SolverOptions,
    pub time: TimeOptions,
    pub output: OutputOptions,
    pub job: JobOptions,
    pub checkpoint: CheckpointOptions,
    /// `[compute]`: CPU or CUDA.
    pub compute: ComputeOptions,
    /// The fixed sections as checked objects, keyed by path (`solver.linear`), defaults included;
    /// also the sections the physics adds (`Registry::sections`), where the deck writes them.
    pub fixed: BTreeMap<String, Object>,
    /// Warnings found while checking (the deck is valid regardless).
    pub warnings: Vec<Diagnostic>,
    /// The whole parsed document, for positions of anything in it.
    root: Value,
}

/// Check a deck and return every diagnostic (errors and warnings), sorted by position.
/// This is what `galvana check` prints.
pub fn check(path: &str, text: &str, registry: &Registry) -> Vec<Diagnostic> {
    match Deck::parse(path, text, registry) {
        Ok(deck) => deck.warnings,
        Err(diags) => diags,
    }
}

impl Deck {
    /// Parse and check `text`; `path` is only used in messages. On failure, returns all
    /// diagnostics (warnings included), sorted by position.
    pub fn parse(path: &str, text: &str, registry: &Registry) -> Result<Deck, Vec<Diagnostic>> {
        let (root, literal_errors) = parse_toml(path, text)?;
        let empty = BTreeMap::new();
        let table = root.as_table().unwrap_or(&empty);
        let mut ck = Checker::new(path);
        ck.diags = literal_errors;
        let checked = check_deck(&mut ck, table, registry);
        let mut diags = std::mem::take(&mut ck.diags);
        diags.sort_by_key(|d| (d.line, d.col));
        diags.dedup();
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        match assemble(path, text, root, checked, diags) {
            Some(deck) => Ok(deck),
            // Unreachable when the checker is right: every missing piece has been reported.
            None => Err(vec![Diagnostic::error(
                path,
                Span::START,
                "internal error: deck checked but incomplete",
            )]),
        }
    }

    /// Read and check the deck at `path`. A read failure or invalid UTF-8 is a diagnostic too.
    pub fn load(path: impl AsRef<Path>, registry: &Registry) -> Result<Deck, Vec<Diagnostic>> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            vec![Diagnostic::error(
                &shown,
                Span::START,
                format!("cannot read deck: {e}"),
            )]
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
                let (line, col) = LineIndex::new(&prefix).position(valid);
                let span = Span {
                    start: valid,
                    end: valid + 1,
                    line,
                    col,
                };
                return Err(vec![Diagnostic::error(
                    &shown,
                    span,
                    "the deck is not valid UTF-8 text",
                )]);
            }
        };
        Deck::parse(&shown, &text, registry)
    }

    /// Span of the value at `path` (e.g. `["bcs", "cold_end", "boundary", "0"]`; numbers index
    /// arrays). Falls back to the nearest enclosing value written in the deck (the section
    /// header for a defaulted key), or the file start.
    pub fn span_of(&self, path: &[&str]) -> Span {
        let mut cur = &self.root;
        let mut best = Span::START;
        for seg in path {
            let next = match &cur.kind {
                ValueKind::Table(t) => t.get(*seg),
                ValueKind::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            };
            match next {
                Some(v) => {
                    cur = v;
                    best = v.span;
                }
                None => break,
            }
        }
        best
    }

    /// An error at the value at `path` (see [`Deck::span_of`]), for problems found after
    /// checking, e.g. `deck.diag_at(&["bcs", "cold_end", "boundary", "0"], "unknown boundary
    /// `lft`", did_you_mean(...))`.
    pub fn diag_at(
        &self,
        path: &[&str],
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        Diagnostic::error(&self.path, self.span_of(path), message).with_help(help)
    }

    /// SHA-256 (lower-case hex) of the deck text exactly as read.
    pub fn hash(&self) -> String {
        sha256_hex(self.text.as_bytes())
    }

    /// SHA-256 of [`Deck::canonical_toml`]: equal for decks that mean the same thing.
    pub fn canonical_hash(&self) -> String {
        sha256_hex(self.canonical_toml().as_bytes())
    }

    /// The deck in canonical form (fixed section order, sorted keys, defaults written out).
    /// It is itself a valid deck.
    pub fn canonical_toml(&self) -> String {
        let mut out = String::new();
        write_object(&mut out, "mesh", &self.mesh);
        write_named(&mut out, SectionKind::Material, &self.materials);
        write_object(&mut out, "physics", &self.physics);
        write_named(&mut out, SectionKind::Bc, &self.bcs);
        write_named(&mut out, SectionKind::Source, &self.sources);
        write_named(&mut out, SectionKind::Postprocessor, &self.postprocessors);
        let fixed = crate::sections::fixed_sections();
        for sec in &fixed {
            if let Some(obj) = self.fixed.get(sec.path) {
                write_object(&mut out, sec.path, obj);
            }
        }
        // Sections a physics adds, where written.
        for (path, obj) in &self.fixed {
            if !fixed.iter().any(|s| s.path == path) {
                write_object(&mut out, path, obj);
            }
        }
        out
    }

    /// The directory the deck's relative paths are relative to.
    pub fn dir(&self) -> PathBuf {
        match Path::new(&self.path).parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// `p` resolved against the deck's directory (absolute paths stay as they are).
    pub fn resolve_path(&self, p: &str) -> PathBuf {
        self.dir().join(p)
    }

    /// The material named `name`.
    pub fn material(&self, name: &str) -> Option<&Object> {
        self.materials
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o)
    }

    /// The boundary condition named `name`.
    pub fn bc(&self, name: &str) -> Option<&Object> {
        self.bcs.iter().find(|(n, _)| n == name).map(|(_, o)| o)
    }
}

fn write_named(out: &mut String, kind: SectionKind, objects: &[(String, Object)]) {
    for (name, obj) in objects {
        write_object(out, &format!("{}.{}", kind.name(), toml_key(name)), obj);
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn assemble(
    path: &str,
    text: &str,
    root: Value,
    mut c: Checked,
    warnings: Vec<Diagnostic>,
) -> Option<Deck> {
    let mut named = |k: SectionKind| c.named.remove(&k).unwrap_or_default();
    let (materials, bcs, sources, postprocessors) = (
        named(SectionKind::Material),
        named(SectionKind::Bc),
        named(SectionKind::Source),
        named(SectionKind::Postprocessor),
    );
    let f = &c.fixed;
    Some(Deck {
        path: path.to_string(),
        text: text.to_string(),
        mesh: c.mesh?,
        materials,
        physics: c.physics?,
        bcs,
        sources,
        postprocessors,
        initial: InitialOptions::from_object(f.get("initial")?),
        solver: SolverOptions::from_objects(
            f.get("solver")?,
            f.get("solver.nonlinear")?,
            f.get("solver.linear")?,
        ),
        time: TimeOptions::from_object(f.get("time")?),
        output: OutputOptions::from_object(f.get("output")?),
        job: JobOptions::from_object(f.get("job")?),
        checkpoint: CheckpointOptions::from_object(f.get("checkpoint")?),
        compute: ComputeOptions::from_object(f.get("compute")?),
        fixed: c
            .fixed
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        warnings,
        root,
    })
}
