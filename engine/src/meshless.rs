//! What runs without a mesh (battery cells, Biot–Savart maps, quench) share: deck loading and
//! diagnostics, the
//! output directory with the deck as run, the `residuals.jsonl` event stream, and HDF5 files
//! made durable before they appear under their final name.

use crate::cli::{RunArgs, EXIT_INVALID, EXIT_RUN_FAILED, EXIT_USAGE};
use galvana_decks::{Deck, Diagnostic};
use galvana_physics::battery::deck::DeckError;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The deck at `path` if its physics is `kind` and it checks (its diagnostics if not); `None`
/// for another kind (or a deck that does not load at all; the caller reports that). Meshless
/// kinds have no use for some sections: each of `absent` that the deck fills is an error with
/// `hint`. `build` makes the model from the checked deck.
pub fn load<M>(
    path: &Path,
    kind: &str,
    absent: &[&str],
    hint: &str,
    build: impl FnOnce(&Deck) -> Result<M, DeckError>,
) -> Option<Result<(Deck, M), Vec<Diagnostic>>> {
    let reg = crate::setup::registry();
    let deck = Deck::load(path, &reg).ok()?;
    if deck.physics.type_name != kind {
        return None;
    }
    let mut diags = Vec::new();
    for &sec in absent {
        let items = match sec {
            "materials" => deck.materials.len(),
            "bcs" => deck.bcs.len(),
            "sources" => deck.sources.len(),
            "postprocessors" => deck.postprocessors.len(),
            _ => unreachable!("meshless decks only refuse named sections, not `{sec}`"),
        };
        if items > 0 {
            diags.push(deck.diag_at(
                &[sec],
                format!("a {kind} deck has no [{sec}]"),
                Some(hint.into()),
            ));
        }
    }
    match build(&deck) {
        Ok(m) if diags.is_empty() => Some(Ok((deck, m))),
        Ok(_) => Some(Err(diags)),
        Err(e) => {
            let key: Vec<&str> = e.key.iter().map(String::as_str).collect();
            diags.push(deck.diag_at(&key, e.message, e.help));
            Some(Err(diags))
        }
    }
}

/// Print a deck's diagnostics and the error count; the exit code of an invalid deck.
pub fn report(path: &Path, diags: &[Diagnostic]) -> i32 {
    for d in diags {
        eprintln!("{d}");
    }
    let n = diags.iter().filter(|d| d.is_error()).count();
    eprintln!("{}: {n} error(s)", path.display());
    EXIT_INVALID
}

/// Start a run that needs one rank: the other ranks end at once (`Err(0)` when the deck
/// loaded, `Err(3)` when not, rank 0 says why), and rank 0 reports a bad deck or opens the
/// output session for `what`.
pub fn root_only<M>(
    comm: &crate::comm::Comm,
    args: &RunArgs,
    loaded: Result<(Deck, M), Vec<Diagnostic>>,
    what: &str,
) -> Result<(Deck, M, Session), i32> {
    if !comm.is_root() {
        return Err(if loaded.is_ok() {
            crate::cli::EXIT_OK
        } else {
            EXIT_INVALID
        });
    }
    let (deck, m) = loaded.map_err(|d| report(&args.deck, &d))?;
    let session = Session::start(args, &deck, what)?;
    Ok((deck, m, session))
}

/// The output side of a meshless run on rank 0.
pub struct Session {
    pub dir: PathBuf,
    /// The device selected by `[compute] device` / `--device` (None: the CPU).
    pub gpu: Option<std::sync::Arc<galvana_gpu::Gpu>>,
    /// Its label ("cpu" or "cuda:0 ..."); a kind that computes on the CPU anyway reports "cpu".
    pub device: String,
    pub t0: Instant,
    events: std::fs::File,
    seq: u64,
    /// A file was renamed into `dir` since its last sync ([`Session::write_file`]).
    dir_unsynced: bool,
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
        // fails before any output.
        let sel = match crate::compute::select_serial(deck, args.device.as_deref()) {
            Ok(sel) => sel,
            Err(e) => {
                eprintln!("error: {e}");
                return Err(EXIT_RUN_FAILED);
            }
        };
        if let Some(n) = sel.notice.as_deref().filter(|_| !args.quiet) {
            crate::say!("Notice: {n}");
        }
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
        let path = dir.join("residuals.jsonl");
        let events = std::fs::File::create(&path).map_err(|e| {
            eprintln!("error: {}: {e}", path.display());
            EXIT_RUN_FAILED
        })?;
        let mut session = Self {
            dir,
            gpu: sel.gpu,
            device: sel.label,
            t0,
            events,
            seq: 0,
            dir_unsynced: false,
        };
        let _ = session.write_file("deck.toml", deck.text.as_bytes());
        Ok(session)
    }

    /// Write `name` in the output directory whole or not at all: a temporary file, fsync,
    /// rename. The directory itself is synced once, when the session ends (or by
    /// [`Session::sync_dir`]), not after every file: each fsync can cost milliseconds on a busy
    /// disk, and a file is never seen half-written either way.
    pub fn write_file(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        crate::cli::replace_file(&self.dir.join(name), bytes)?;
        self.dir_unsynced = true;
        Ok(())
    }

    /// Make the names of the files written so far durable (one fsync of the directory).
    pub fn sync_dir(&mut self) {
        if std::mem::take(&mut self.dir_unsynced) {
            crate::cli::sync_dir(&self.dir);
        }
    }

    /// For kinds (or decks) without a GPU path: say so once when a device was selected, and
    /// compute on the CPU.
    pub fn cpu_only(&mut self, why: &str, quiet: bool) {
        if let Some(g) = self.gpu.take() {
            if !quiet {
                crate::say!(
                    "Notice: {why}; computing on the CPU (cuda:{} left idle)",
                    g.ordinal
                );
            }
            self.device = "cpu".into();
        }
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

impl Drop for Session {
    fn drop(&mut self) {
        self.sync_dir();
    }
}

/// Write an HDF5 file (or any file a library writes by name) whole or not at all: `build`
/// fills a temporary file next to `path`, which is then synced and renamed ([`persist`]); on
/// failure the temporary file is removed.
pub fn write_whole(
    path: &Path,
    build: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), String> {
    let tmp = path.with_extension(format!("h5.tmp.{}", std::process::id()));
    let res = build(&tmp).and_then(|()| persist(&tmp, path).map_err(|e| e.to_string()));
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// Make the finished file `tmp` durable, give it its final name `path`, and sync the folder.
pub fn persist(tmp: &Path, path: &Path) -> std::io::Result<()> {
    std::fs::File::open(tmp)?.sync_all()?;
    std::fs::rename(tmp, path)?;
    crate::cli::sync_parent(path);
    Ok(())
}
