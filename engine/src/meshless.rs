//! What runs without a mesh (battery cells, Biot–Savart maps) share: deck diagnostics, the
//! output directory with the deck as run, the `residuals.jsonl` event stream, and HDF5 files
//! made durable before they appear under their final name.

use crate::cli::{write_atomic, RunArgs, EXIT_INVALID, EXIT_RUN_FAILED, EXIT_USAGE};
use galvana_decks::{Deck, Diagnostic};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Print a deck's diagnostics and the error count; the exit code of an invalid deck.
pub fn report(path: &Path, diags: &[Diagnostic]) -> i32 {
    for d in diags {
        eprintln!("{d}");
    }
    let n = diags.iter().filter(|d| d.is_error()).count();
    eprintln!("{}: {n} error(s)", path.display());
    EXIT_INVALID
}

/// The output side of a meshless run on rank 0.
pub struct Session {
    pub dir: PathBuf,
    /// The device the run computes on, for the header and summary.json ("cpu" until a
    /// meshless kind has a GPU path).
    pub device: String,
    pub t0: Instant,
    events: std::fs::File,
    seq: u64,
}

impl Session {
    /// Refuse `--restart` (`what` runs do not checkpoint), choose and create the output
    /// directory, store the deck and open `residuals.jsonl`. `Err` is the exit code, after the
    /// message has been printed.
    pub fn start(args: &RunArgs, deck: &Deck, what: &str) -> Result<Self, i32> {
        if args.restart.is_some() {
            eprintln!("error: {what} runs do not checkpoint; run them again instead of --restart");
            return Err(EXIT_USAGE);
        }
        // Honour `[compute] device` as every deck kind does: `cuda` on a node without one
        // fails before any output. These runs have no GPU path yet, so they compute on the CPU.
        let device = match crate::compute::select_serial(deck, args.device.as_deref()) {
            Ok(sel) => {
                if let Some(n) = sel.notice.filter(|_| !args.quiet) {
                    println!("Notice: {n}");
                }
                if sel.gpu.is_some() && !args.quiet {
                    println!("Notice: {what} runs have no GPU path yet; computing on the CPU ({} left idle)", sel.label);
                }
                "cpu".to_string()
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Err(EXIT_RUN_FAILED);
            }
        };
        let explicit = args
            .output
            .clone()
            .or_else(|| deck.output.directory.as_ref().map(|d| deck.resolve_path(d)));
        let dir = crate::io::outdir::choose(&args.deck, explicit.as_deref(), args.overwrite)
            .map_err(|e| {
                eprintln!("error: {e}");
                EXIT_USAGE
            })?;
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("error: {}: {e}", dir.display());
            return Err(EXIT_RUN_FAILED);
        }
        let t0 = Instant::now();
        let _ = write_atomic(&dir.join("deck.toml"), deck.text.as_bytes());
        let path = dir.join("residuals.jsonl");
        let events = std::fs::File::create(&path).map_err(|e| {
            eprintln!("error: {}: {e}", path.display());
            EXIT_RUN_FAILED
        })?;
        Ok(Self {
            dir,
            device,
            t0,
            events,
            seq: 0,
        })
    }

    /// Append one event (`kind`, `seq`, `wall_s` added) and flush it for live readers.
    pub fn emit(&mut self, kind: &str, mut v: serde_json::Value) {
        v["seq"] = json!(self.seq);
        v["wall_s"] = json!(self.t0.elapsed().as_secs_f64());
        v["kind"] = json!(kind);
        let _ = writeln!(self.events, "{v}");
        let _ = self.events.flush();
        self.seq += 1;
    }
}

/// Make the finished file `tmp` durable, give it its final name `path`, and sync the folder.
pub fn persist(tmp: &Path, path: &Path) -> std::io::Result<()> {
    std::fs::File::open(tmp)?.sync_all()?;
    std::fs::rename(tmp, path)?;
    if let Some(d) = path.parent().and_then(|d| std::fs::File::open(d).ok()) {
        let _ = d.sync_all();
    }
    Ok(())
}
