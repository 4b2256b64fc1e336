//! The commands behind the `galvana` binary.

use crate::comm::Comm;
use crate::io::fields::FieldWriter;
use crate::monitor::Monitor;
use crate::setup;
use crate::solve::driver::Driver;
use crate::timing::Timings;
use serde_json::json;
use std::path::{Path, PathBuf};

pub const EXIT_OK: i32 = 0;
pub const EXIT_RUN_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_INVALID: i32 = 3;

/// Example decks compiled into the binary (name, text).
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "thermal_link_cooldown",
        include_str!("../../input-decks/examples/thermal_link_cooldown.toml"),
    ),
    (
        "heat_sink_steady",
        include_str!("../../input-decks/examples/heat_sink_steady.toml"),
    ),
    (
        "battery_cccv",
        include_str!("../../input-decks/examples/battery_cccv.toml"),
    ),
    (
        "helmholtz_pair",
        include_str!("../../input-decks/examples/helmholtz_pair.toml"),
    ),
    (
        "nbti_solenoid_quench",
        include_str!("../../input-decks/examples/nbti_solenoid_quench.toml"),
    ),
    (
        "battery_design_sweep",
        include_str!("../../input-decks/examples/battery_design_sweep.toml"),
    ),
    (
        "cryostat_cooldown",
        include_str!("../../input-decks/examples/cryostat_cooldown.toml"),
    ),
];

/// `galvana check DECK`.
pub fn check(deck: &Path) -> i32 {
    if let Some(code) = crate::battery_run::check(deck) {
        return code;
    }
    if let Some(code) = crate::magnetics_run::check(deck) {
        return code;
    }
    if let Some(code) = crate::quench_run::check(deck) {
        return code;
    }
    if let Some(code) = crate::cryostat_run::check(deck) {
        return code;
    }
    let reg = setup::registry();
    match setup::load_checked(deck, &reg) {
        Ok((d, mesh)) => {
            for w in &d.warnings {
                eprintln!("{w}");
            }
            crate::say!(
                "{}: ok ({} cells, {} vertices, boundaries: {})",
                deck.display(),
                mesh.num_cells(),
                mesh.num_vertices(),
                mesh.boundary_names().collect::<Vec<_>>().join(", ")
            );
            EXIT_OK
        }
        Err(diags) => {
            for d in &diags {
                eprintln!("{d}");
            }
            let n = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("{}: {n} error(s)", deck.display());
            EXIT_INVALID
        }
    }
}

/// `galvana example NAME`.
pub fn example(name: &str) -> i32 {
    if name == "list" {
        for (n, _) in EXAMPLES {
            crate::say!("{n}");
        }
        return EXIT_OK;
    }
    match EXAMPLES.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => {
            crate::say_raw!("{text}");
            EXIT_OK
        }
        None => {
            let names: Vec<&str> = EXAMPLES.iter().map(|(n, _)| *n).collect();
            eprintln!("error: no example `{name}`; examples: {}", names.join(", "));
            EXIT_USAGE
        }
    }
}

pub struct RunArgs {
    pub deck: PathBuf,
    pub output: Option<PathBuf>,
    pub overwrite: bool,
    pub backend: Option<String>,
    pub ksp_monitor: bool,
    pub quiet: bool,
    /// `latest` or a checkpoint file.
    pub restart: Option<String>,
    /// Accept deck changes a restart would otherwise refuse.
    pub force: bool,
    /// PETSc options appended to the deck's `petsc_options`.
    pub petsc_options: Option<String>,
    /// `auto`, `cpu` or `cuda`, overriding `[compute] device`.
    pub device: Option<String>,
}

/// Write `bytes` to `path` atomically: temporary file in the same directory, fsync, rename,
/// then fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_file(path, bytes)?;
    sync_parent(path);
    Ok(())
}

/// `path` replaced whole by `bytes` (temporary file, fsync, rename; the temporary file is
/// removed on failure), without syncing the directory: callers that write several files sync
/// it once ([`crate::meshless::Session::write_file`]).
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// Make the name of `path` durable: fsync its directory (best effort).
pub fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent() {
        sync_dir(dir);
    }
}

/// fsync the directory `dir` (best effort), so the names renamed into it are durable.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// `galvana run DECK`: initialises MPI, runs, and returns the exit code (MPI finalised first).
pub fn run(args: &RunArgs) -> i32 {
    if let Some(code) = crate::battery_run::run_without_mpi(args) {
        return code;
    }
    if let Some(code) = crate::magnetics_run::run_without_mpi(args) {
        return code;
    }
    // Quench and cryostat decks run on one rank: without a launcher, skip MPI entirely.
    if !Comm::launched() {
        let solo = Comm::solo();
        if let Some(code) = crate::quench_run::run(&solo, args) {
            return code;
        }
        if let Some(code) = crate::cryostat_run::run(&solo, args) {
            return code;
        }
    }
    let Some(universe) = mpi::initialize() else {
        eprintln!("error: MPI could not be initialised");
        return EXIT_RUN_FAILED;
    };
    let comm = Comm::new(universe.world());
    let code = run_in(&comm, args);
    drop(comm);
    drop(universe);
    code
}

/// Rank 0 decides, everyone learns the outcome: `Ok(text)` or `Err(message)`.
fn agree(comm: &Comm, r: Option<Result<String, String>>) -> Result<String, String> {
    let enc = match r {
        Some(Ok(t)) => format!("o{t}"),
        Some(Err(e)) => format!("e{e}"),
        None => String::new(),
    };
    let got = comm.broadcast_string(&enc);
    match got.split_at(1) {
        ("o", t) => Ok(t.to_string()),
        (_, e) => Err(e.to_string()),
    }
}

/// The output directory: for a fresh run a new or empty one; for a restart the existing one.
fn output_dir(deck: &galvana_decks::Deck, args: &RunArgs) -> Result<PathBuf, String> {
    let explicit = args
        .output
        .clone()
        .or_else(|| deck.output.directory.as_ref().map(|d| deck.resolve_path(d)));
    if args.restart.is_some() {
        let dir = explicit.unwrap_or_else(|| crate::io::outdir::latest_checkpointed(&args.deck));
        if !dir.is_dir() {
            return Err(format!(
                "--restart: output directory {} does not exist (give the run's --output)",
                dir.display()
            ));
        }
        return Ok(dir);
    }
    let d = crate::io::outdir::choose(&args.deck, explicit.as_deref(), args.overwrite)?;
    std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    Ok(d)
}

/// Pick and verify the checkpoint to restart from (rank 0), printing what was skipped.
fn pick_checkpoint(spec: &str, ckpt_dir: &Path) -> Result<crate::io::checkpoint::Meta, String> {
    use crate::io::checkpoint;
    if spec == "latest" {
        let (meta, skipped) = checkpoint::find_latest(ckpt_dir)?;
        for s in skipped {
            eprintln!("warning: {s}");
        }
        Ok(meta)
    } else {
        checkpoint::verify(Path::new(spec))
    }
}

fn run_in(comm: &Comm, args: &RunArgs) -> i32 {
    if let Some(code) = crate::battery_run::run(comm, args) {
        return code;
    }
    if let Some(code) = crate::magnetics_run::run(comm, args) {
        return code;
    }
    if let Some(code) = crate::quench_run::run(comm, args) {
        return code;
    }
    if let Some(code) = crate::cryostat_run::run(comm, args) {
        return code;
    }
    let root = comm.is_root();
    if let Some(b) = args.backend.as_deref() {
        if b != "native" && b != "petsc" {
            if root {
                eprintln!("error: --backend must be `native` or `petsc`, not `{b}`");
            }
            return EXIT_USAGE;
        }
    }
    let reg = setup::registry();
    let (deck, mesh) = match setup::load_checked(&args.deck, &reg) {
        Ok(x) => x,
        Err(diags) => {
            if root {
                for d in &diags {
                    eprintln!("{d}");
                }
            }
            return EXIT_INVALID;
        }
    };
    // Before any output: a run that asked for CUDA on a node without it fails here, clearly.
    let compute = match crate::compute::select(comm, &deck, args.device.as_deref(), args.quiet) {
        Ok(c) => c,
        Err(e) => {
            if root {
                eprintln!("error: {e}");
            }
            return EXIT_RUN_FAILED;
        }
    };
    let dir = match agree(
        comm,
        root.then(|| output_dir(&deck, args).map(|d| d.display().to_string())),
    ) {
        Ok(d) => PathBuf::from(d),
        Err(e) => {
            if root {
                eprintln!("error: {e}");
            }
            return EXIT_USAGE;
        }
    };
    let ckpt_dir = deck
        .checkpoint
        .directory
        .as_ref()
        .map(|d| deck.resolve_path(d))
        .unwrap_or_else(|| dir.join("checkpoints"));
    // Restart: choose and verify the checkpoint and check the deck against the one it ran.
    let restart_path = match &args.restart {
        None => None,
        Some(spec) => {
            let chosen = root.then(|| {
                pick_checkpoint(spec, &ckpt_dir).and_then(|meta| {
                    let old = galvana_decks::Deck::parse(&format!("{} (deck stored in the checkpoint)", meta.path.display()), &meta.deck_text, &reg)
                        .map_err(|d| format!("the deck stored in {} no longer checks: {}", meta.path.display(), d.first().map(|x| x.to_string()).unwrap_or_default()))?;
                    let (safe, unsafe_) = crate::restart::deck_changes(&old, &deck);
                    for c in &safe {
                        crate::say!("Restart: deck change accepted: {c}");
                    }
                    if !unsafe_.is_empty() {
                        if args.force {
                            eprintln!("warning: --force: restarting despite deck changes:\n  {}", unsafe_.join("\n  "));
                        } else {
                            return Err(format!(
                                "the deck differs from the one checkpointed in {} in keys a restart cannot change:\n  {}\n(only end time, output/checkpoint settings, solver tolerances and job resources may change; pass --force to restart anyway)",
                                meta.path.display(),
                                unsafe_.join("\n  ")
                            ));
                        }
                    }
                    Ok(meta.path.display().to_string())
                })
            });
            match agree(comm, chosen) {
                Ok(p) => Some(PathBuf::from(p)),
                Err(e) => {
                    if root {
                        eprintln!("error: cannot restart: {e}");
                    }
                    return EXIT_INVALID;
                }
            }
        }
    };
    if root {
        if let Err(e) = write_atomic(&dir.join("deck.toml"), deck.text.as_bytes()) {
            eprintln!(
                "error: cannot write {}: {e}",
                dir.join("deck.toml").display()
            );
            return EXIT_RUN_FAILED;
        }
        if restart_path.is_none() {
            let _ = std::fs::remove_file(dir.join("residuals.jsonl"));
        }
    }
    comm.barrier();
    let mut monitor = match Monitor::new(root, Some(&dir)) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "error: cannot open residuals.jsonl in {}: {e}",
                dir.display()
            );
            return EXIT_RUN_FAILED;
        }
    };
    if restart_path.is_some() {
        monitor.continue_stream(&dir);
    }
    monitor.ksp_console = args.ksp_monitor;
    monitor.console = !args.quiet;
    // Only time-dependent runs can checkpoint; a steady run keeps the default signal actions.
    let signal = if deck.time.kind == galvana_decks::TimeKind::Transient {
        crate::restart::install_signal_flag()
    } else {
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false))
    };
    let mut timings = Timings::default();
    let mut unknowns = 0usize;
    let result = (|| -> Result<(crate::solve::driver::RunResult, usize), String> {
        let problem = timings.time("Set-up", || {
            setup::build_problem(
                comm,
                &deck,
                mesh,
                args.backend.as_deref(),
                args.petsc_options.as_deref(),
            )
        })?;
        let setup::Problem {
            assembler,
            linear,
            newton,
            time,
            initial,
            electrochem,
            magnetostatic,
        } = problem;
        let mut linear = match compute.gpu.clone() {
            Some(gpu) => {
                let (l, notice) = linear.on_device(gpu);
                if let Some(n) = notice.filter(|_| root && !args.quiet) {
                    crate::say!("Notice: {n}");
                }
                l
            }
            None => linear,
        };
        let ndofs = assembler.space.n_global();
        unknowns = ndofs;
        if root && !args.quiet {
            crate::say!(
                "Galvana {}: {} on {} rank(s), {} unknowns, linear solver {}, device {}",
                env!("CARGO_PKG_VERSION"),
                args.deck.display(),
                comm.size(),
                ndofs,
                linear.describe(),
                compute.label
            );
        }
        let nc = assembler.space.ncomp;
        let mut u: Vec<f64> = (0..assembler.space.n_local())
            .map(|l| initial[assembler.space.layout.global_of(l) % nc])
            .collect();
        let ec_monitors = electrochem.clone().map(crate::electrochem::Monitors::new);
        let mag_monitors = magnetostatic.map(|setup| crate::magnetostatic::post::Monitors {
            comm,
            asm: &assembler,
            setup,
        });
        let galvanostat = electrochem
            .as_ref()
            .and_then(crate::electrochem::Galvanostat::new);
        let (resume, mut out) = match &restart_path {
            Some(p) => {
                let meta = crate::io::checkpoint::verify(p)?;
                let (resume, extras) = timings.time("Checkpoint read", || {
                    crate::io::checkpoint::read(comm, &assembler, &meta)
                })?;
                monitor.restart(
                    resume.state.step,
                    resume.state.time,
                    &p.display().to_string(),
                );
                let info = crate::io::fields::ResumeInfo {
                    output_times: extras.output_times,
                };
                (
                    Some(resume),
                    FieldWriter::resume(&dir, deck.output.fields, info),
                )
            }
            None => (None, FieldWriter::new(&dir, deck.output.fields)),
        };
        out.monitors = deck.output.monitors;
        let mut hook = crate::restart::CheckpointHook {
            opts: deck.checkpoint.clone(),
            dir: ckpt_dir.clone(),
            deck: &deck,
            signal: signal.clone(),
            last_wall: std::time::Instant::now(),
            last_path: None,
        };
        let mut driver = Driver {
            comm,
            asm: &assembler,
            linear: &mut linear,
            monitor: &mut monitor,
            timings: &mut timings,
            newton,
            time,
            output_interval: deck.output.interval,
            resume,
            hook: Some(&mut hook),
            extra: ec_monitors
                .as_ref()
                .map(|m| m as &dyn crate::solve::control::ExtraColumns)
                .or(mag_monitors
                    .as_ref()
                    .map(|m| m as &dyn crate::solve::control::ExtraColumns)),
            control: galvanostat
                .as_ref()
                .map(|g| g as &dyn crate::solve::control::ScalarControl),
        };
        Ok((driver.run(&mut u, &mut out)?, ndofs))
    })();
    // Errors on some ranks only (I/O, PETSc) must not leave the others waiting.
    let failed_somewhere = comm.any(result.is_err());
    let wall = monitor.wall();
    let (status, message, code) = match (&result, failed_somewhere) {
        (Ok((r, _)), false) if r.checkpointed => (
            "checkpointed",
            format!(
                "stopped by a signal after step {}; resubmit with --restart latest",
                r.state.step
            ),
            crate::restart::EXIT_CHECKPOINTED,
        ),
        (Ok((r, _)), false) => match &r.stopped {
            Some(why) => ("completed", format!("run completed early: {why}"), EXIT_OK),
            None => ("completed", "run completed".to_string(), EXIT_OK),
        },
        (Err(e), _) => ("failed", e.clone(), EXIT_RUN_FAILED),
        (Ok(_), true) => (
            "failed",
            "the run failed on another rank".to_string(),
            EXIT_RUN_FAILED,
        ),
    };
    monitor.done(status, &message);
    if root {
        let (steps, ndofs, last) = match &result {
            Ok((r, n)) => (
                r.state.step,
                *n,
                r.last_row.as_ref().map(|row| {
                    r.columns
                        .iter()
                        .cloned()
                        .zip(row.values.iter().map(|v| json!(v)))
                        .collect::<serde_json::Map<String, serde_json::Value>>()
                }),
            ),
            Err(_) => (monitor.last_step(), unknowns, None),
        };
        let stages: serde_json::Map<String, serde_json::Value> = timings
            .stages()
            .map(|(k, t, _)| (k.to_string(), json!(t)))
            .collect();
        let summary = json!({
            "status": status,
            "message": message,
            "steps": steps,
            "unknowns": ndofs,
            "ranks": comm.size(),
            "device": compute.label,
            "version": env!("CARGO_PKG_VERSION"),
            "wall_s": wall,
            "timings_s": stages,
            "communication_s": comm.comm_seconds(),
            "final_postprocessors": last,
            "deck_sha256": deck.hash(),
            "restarted_from": restart_path.as_ref().map(|p| p.display().to_string()),
        });
        if let Err(e) = write_atomic(
            &dir.join("summary.json"),
            serde_json::to_string_pretty(&summary).unwrap().as_bytes(),
        ) {
            eprintln!("warning: cannot write summary.json: {e}");
        }
        if code == EXIT_RUN_FAILED {
            eprintln!("error: {message}");
        } else if code == crate::restart::EXIT_CHECKPOINTED {
            eprintln!("{message}");
        }
        crate::say!("{}", timings.table(wall, comm.comm_seconds()));
        crate::say!("Results in {}", dir.display());
    }
    code
}

/// `galvana checkpoint inspect PATH`.
pub fn checkpoint_inspect(path: &Path) -> i32 {
    match crate::io::checkpoint::verify(path) {
        Ok(m) => {
            crate::say!("checkpoint  {}", m.path.display());
            crate::say!("step        {}", m.step);
            crate::say!("time        {:.9e} s", m.time);
            crate::say!("written by  Galvana {} on {} rank(s)", m.version, m.ranks);
            crate::say!(
                "unknowns    {} per field, {} time level(s)",
                m.num_dofs,
                m.levels
            );
            crate::say!("deck        sha256 {}", m.deck_sha256);
            for (name, n, ok) in &m.datasets {
                crate::say!(
                    "  {name:<28} {n:>12} values  checksum {}",
                    if *ok { "ok" } else { "MISMATCH" }
                );
            }
            crate::say!("status      valid");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INVALID
        }
    }
}

/// `galvana checkpoint list DIR`.
pub fn checkpoint_list(dir: &Path) -> i32 {
    let mut all = crate::io::checkpoint::list(dir);
    all.sort_by_key(|(s, _)| *s);
    let latest = std::fs::read_to_string(dir.join("latest"))
        .ok()
        .map(|s| s.trim().to_string());
    if all.is_empty() {
        eprintln!(
            "error: no checkpoints (ckpt-<step>.h5) in {}",
            dir.display()
        );
        return EXIT_INVALID;
    }
    let mut any_valid = false;
    for (step, p) in &all {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let mark = if latest.as_deref() == Some(name) {
            " (latest)"
        } else {
            ""
        };
        match crate::io::checkpoint::verify(p) {
            Ok(m) => {
                any_valid = true;
                crate::say!(
                    "{name:<24} step {step:>8}  t = {:.6e} s  {} rank(s)  valid{mark}",
                    m.time,
                    m.ranks
                );
            }
            Err(e) => crate::say!("{name:<24} step {step:>8}  DAMAGED{mark}: {e}"),
        }
    }
    if any_valid {
        EXIT_OK
    } else {
        EXIT_INVALID
    }
}
