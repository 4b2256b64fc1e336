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
];

/// `galvana check DECK`.
pub fn check(deck: &Path) -> i32 {
    let reg = setup::registry();
    match setup::load_checked(deck, &reg) {
        Ok((d, mesh)) => {
            for w in &d.warnings {
                eprintln!("{w}");
            }
            println!(
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
            println!("{n}");
        }
        return EXIT_OK;
    }
    match EXAMPLES.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => {
            print!("{text}");
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
}

/// Write `bytes` to `path` atomically: temporary file in the same directory, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// `galvana run DECK`: initialises MPI, runs, and returns the exit code (MPI finalised first).
pub fn run(args: &RunArgs) -> i32 {
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

fn run_in(comm: &Comm, args: &RunArgs) -> i32 {
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
    // Rank 0 picks and creates the directory; everyone uses its choice.
    let chosen = if root {
        let explicit = args
            .output
            .clone()
            .or_else(|| deck.output.directory.as_ref().map(|d| deck.resolve_path(d)));
        match crate::io::outdir::choose(&args.deck, explicit.as_deref(), args.overwrite).and_then(
            |d| {
                std::fs::create_dir_all(&d)
                    .map(|_| d.clone())
                    .map_err(|e| format!("{}: {e}", d.display()))
            },
        ) {
            Ok(d) => d.display().to_string(),
            Err(e) => format!("\0{e}"),
        }
    } else {
        String::new()
    };
    let chosen = comm.broadcast_string(&chosen);
    if let Some(err) = chosen.strip_prefix('\0') {
        if root {
            eprintln!("error: {err}");
        }
        return EXIT_USAGE;
    }
    let dir = PathBuf::from(chosen);
    if root {
        if let Err(e) = write_atomic(&dir.join("deck.toml"), deck.text.as_bytes()) {
            eprintln!(
                "error: cannot write {}: {e}",
                dir.join("deck.toml").display()
            );
            return EXIT_RUN_FAILED;
        }
        let _ = std::fs::remove_file(dir.join("residuals.jsonl"));
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
    monitor.ksp_console = args.ksp_monitor;
    monitor.console = !args.quiet;
    let mut timings = Timings::default();
    let result = (|| -> Result<(crate::solve::driver::RunResult, usize), String> {
        let problem = timings.time("Set-up", || {
            setup::build_problem(comm, &deck, mesh, args.backend.as_deref())
        })?;
        let setup::Problem {
            assembler,
            mut linear,
            newton,
            time,
            initial_value,
        } = problem;
        let ndofs = assembler.space.n_global();
        if root && !args.quiet {
            println!(
                "Galvana {}: {} on {} rank(s), {} unknowns, linear solver {}",
                env!("CARGO_PKG_VERSION"),
                args.deck.display(),
                comm.size(),
                ndofs,
                linear.describe()
            );
        }
        let mut u = vec![initial_value; assembler.space.n_local()];
        let mut out = FieldWriter::new(&dir, deck.output.fields);
        let mut driver = Driver {
            comm,
            asm: &assembler,
            linear: &mut linear,
            monitor: &mut monitor,
            timings: &mut timings,
            newton,
            time,
            output_interval: deck.output.interval,
        };
        Ok((driver.run(&mut u, &mut out)?, ndofs))
    })();
    // Errors on some ranks only (I/O, PETSc) must not leave the others waiting.
    let failed_somewhere = comm.any(result.is_err());
    let wall = monitor.wall();
    let (status, message, code) = match (&result, failed_somewhere) {
        (Ok(_), false) => ("completed", "run completed".to_string(), EXIT_OK),
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
            Err(_) => (0, 0, None),
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
            "version": env!("CARGO_PKG_VERSION"),
            "wall_s": wall,
            "timings_s": stages,
            "communication_s": comm.comm_seconds(),
            "final_postprocessors": last,
            "deck_sha256": deck.hash(),
        });
        if let Err(e) = write_atomic(
            &dir.join("summary.json"),
            serde_json::to_string_pretty(&summary).unwrap().as_bytes(),
        ) {
            eprintln!("warning: cannot write summary.json: {e}");
        }
        if code != EXIT_OK {
            eprintln!("error: {message}");
        }
        println!("{}", timings.table(wall, comm.comm_seconds()));
        println!("Results in {}", dir.display());
    }
    code
}
