//! `galvana run` of battery decks with a `[sweep]`: many cells, spread over MPI ranks and,
//! within a rank, over rayon threads; one `sweep.csv` row per cell on rank 0.
//!
//! Distribution: cell k runs on rank k mod ranks (static, cyclic). A cell's cost follows its
//! place in the grid (the C-rate or thickness axis changes how long a discharge lasts), and
//! interleaving spreads the costly and the cheap cells over the ranks without a master rank
//! that hands out work, and without messages while the cells run; within a rank, rayon's work
//! stealing evens out the rest. Which rank or thread runs a cell changes nothing in its row
//! (each cell is the same serial computation), so the file is the same for any layout.

use crate::cli::{write_atomic, RunArgs, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED};
use crate::comm::Comm;
use crate::meshless::{report, Session};
use galvana_decks::{Deck, Diagnostic};
use galvana_physics::battery::deck::Battery;
use galvana_physics::battery::summary::{summarize, Summary};
use galvana_physics::battery::sweep::Sweep;
use rayon::prelude::*;
use serde_json::json;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The deck's sweep, checked against its cell `b`; `None` without a `[sweep]`.
pub fn plan(deck: &Deck, b: &Battery) -> Option<Result<Sweep, Diagnostic>> {
    let o = deck.fixed.get("sweep")?;
    Some(Sweep::from_object(o, &deck.physics, b).map_err(|e| {
        let key: Vec<&str> = e.key.iter().map(String::as_str).collect();
        deck.diag_at(&key, e.message, e.help)
    }))
}

/// Threads per rank for `threads = 0`: Slurm's `--cpus-per-task` if given, else the cores
/// this process may use shared among the ranks on its node.
pub(crate) fn auto_threads(ranks_on_node: usize) -> usize {
    if let Some(n) = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores / ranks_on_node.max(1)).max(1)
}

/// `sweep.csv`'s header.
pub fn header(s: &Sweep) -> String {
    let mut h = vec!["cell".to_string()];
    h.extend(s.columns());
    h.extend(
        [
            "status",
            "discharge_capacity_Ah",
            "energy_Wh",
            "mean_voltage_V",
            "final_voltage_V",
            "time_to_cutoff_s",
            "wall_s",
            "message",
        ]
        .map(String::from),
    );
    h.join(",") + "\n"
}

/// One cell: build it, run it, summarize it. A panic in the model fails the cell only.
fn run_cell(s: &Sweep, base: &Battery, k: usize) -> Result<Summary, String> {
    let job = || -> Result<Summary, String> {
        let b = s.battery(base, k)?;
        let out = b.run()?;
        Ok(summarize(&out, &b.steps, b.params.v_min))
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
        Ok(r) => r,
        Err(p) => {
            let what = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("the model panicked: {what}"))
        }
    }
}

/// The row of cell `k` (values printed shortest-exact, so they read back bit for bit).
fn row(s: &Sweep, k: usize, r: &Result<Summary, String>, wall: f64) -> String {
    let mut f: Vec<String> = vec![k.to_string()];
    f.extend(s.cells[k].iter().map(|v| v.to_string()));
    let num = |v: f64| {
        if v.is_finite() {
            v.to_string()
        } else {
            String::new()
        }
    };
    match r {
        Ok(m) => {
            f.push("completed".into());
            f.push(num(m.capacity_ah));
            f.push(num(m.energy_wh));
            f.push(num(m.mean_voltage_v));
            f.push(num(m.final_voltage_v));
            f.push(m.time_to_cutoff_s.map_or(String::new(), num));
            f.push(num(wall));
            f.push(String::new());
        }
        Err(e) => {
            f.push("failed".into());
            f.extend(std::iter::repeat_n(String::new(), 5));
            f.push(num(wall));
            // One field: no separators or line breaks inside it.
            f.push(e.replace([',', '\n', '\r', '"'], " "));
        }
    }
    f.join(",") + "\n"
}

/// `galvana run` of a sweep deck (every rank calls it).
pub fn run(comm: &Comm, args: &RunArgs, loaded: Result<(Deck, Battery), Vec<Diagnostic>>) -> i32 {
    let (deck, base) = match loaded {
        Ok(x) => x,
        Err(d) if comm.is_root() => return report(&args.deck, &d),
        Err(_) => return EXIT_INVALID,
    };
    let sweep = match plan(&deck, &base) {
        Some(Ok(s)) => s,
        Some(Err(d)) if comm.is_root() => return report(&args.deck, &[d]),
        _ => return EXIT_INVALID,
    };
    let local = comm.ranks_on_node();
    let threads = match sweep.threads {
        0 => auto_threads(local),
        n => n,
    };
    let session = if comm.is_root() {
        Session::start(args, &deck, "battery sweep").map(Some)
    } else {
        Ok(None)
    };
    if comm.any(session.is_err()) {
        return session.err().unwrap_or(EXIT_RUN_FAILED);
    }
    let Ok(session) = session else {
        return EXIT_RUN_FAILED;
    };
    let n = sweep.cells.len();
    let (rank, size) = (comm.rank(), comm.size());
    if let (Some(s), false) = (&session, args.quiet) {
        crate::say!(
            "Battery sweep: {} ({}), {n} cells over {} ({}), {size} rank(s) x {threads} thread(s)",
            base.model,
            base.params.name,
            sweep.names().join(" x "),
            s.dir.display()
        );
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    // Every rank gives up together, or the others would wait for its rows.
    if comm.any(pool.is_err()) {
        if let Err(e) = &pool {
            eprintln!("error: rank {rank} cannot start {threads} threads: {e}");
        }
        if let Some(mut s) = session {
            let m = "a rank could not start its threads";
            s.emit("done", json!({"status": "failed", "message": m}));
        }
        return EXIT_RUN_FAILED;
    }
    let Ok(pool) = pool else {
        return EXIT_RUN_FAILED;
    };
    let mine: Vec<usize> = (rank..n).step_by(size).collect();
    let t0 = Instant::now();
    let progress = Mutex::new((session, 0usize, Instant::now()));
    let rows: Vec<(usize, String)> = pool.install(|| {
        mine.par_iter()
            .map(|&k| {
                let t = Instant::now();
                let r = run_cell(&sweep, &base, k);
                let line = row(&sweep, k, &r, t.elapsed().as_secs_f64());
                // Rank 0 reports its own share, which the cyclic split makes representative.
                let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
                p.1 += 1;
                let done = p.1;
                let fresh = p.2.elapsed() > Duration::from_millis(200) || done == mine.len();
                if let (Some(s), true) = (p.0.as_mut(), fresh) {
                    let fraction = done as f64 / mine.len() as f64;
                    let el = t0.elapsed().as_secs_f64();
                    s.emit(
                        "progress",
                        json!({"fraction": fraction, "eta_s": el * (1.0 - fraction) / fraction,
                               "cells_done": (fraction * n as f64).round() as u64, "cells": n}),
                    );
                    p.2 = Instant::now();
                }
                (k, line)
            })
            .collect()
    });
    let text: String = rows.iter().map(|(_, l)| l.as_str()).collect();
    let gathered = comm.gather_bytes(text.as_bytes());
    let (session, _, _) = progress.into_inner().unwrap_or_else(|e| e.into_inner());
    let (Some(mut session), Some(parts)) = (session, gathered) else {
        return EXIT_OK;
    };
    let wall = t0.elapsed().as_secs_f64();
    finish(
        &mut session,
        args,
        &deck,
        &base,
        &sweep,
        parts,
        wall,
        size,
        threads,
    )
}

/// Rank 0: order the rows, write `sweep.csv` and `summary.json`.
#[allow(clippy::too_many_arguments)]
fn finish(
    session: &mut Session,
    args: &RunArgs,
    deck: &Deck,
    base: &Battery,
    sweep: &Sweep,
    parts: Vec<Vec<u8>>,
    wall: f64,
    ranks: usize,
    threads: usize,
) -> i32 {
    let n = sweep.cells.len();
    let mut lines: Vec<(usize, String)> = parts
        .iter()
        .flat_map(|p| {
            String::from_utf8_lossy(p)
                .into_owned()
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter_map(|l| Some((l.split(',').next()?.parse::<usize>().ok()?, l)))
        .collect();
    lines.sort_by_key(|(k, _)| *k);
    let failed = lines.iter().filter(|(_, l)| l.contains(",failed,")).count();
    let mut csv = header(sweep);
    for (_, l) in &lines {
        csv.push_str(l);
        csv.push('\n');
    }
    let write = write_atomic(&session.dir.join("sweep.csv"), csv.as_bytes());
    let (status, message, code) = if lines.len() != n {
        let m = format!("{} of {n} cell rows came back from the ranks", lines.len());
        ("failed", m, EXIT_RUN_FAILED)
    } else if let Err(e) = write {
        (
            "failed",
            format!("cannot write sweep.csv: {e}"),
            EXIT_RUN_FAILED,
        )
    } else if failed == n {
        let m = format!("every one of the {n} cells failed (see the message column of sweep.csv)");
        ("failed", m, EXIT_RUN_FAILED)
    } else {
        ("completed", format!("{n} cells, {failed} failed"), EXIT_OK)
    };
    session.emit(
        "progress",
        json!({"fraction": 1.0, "eta_s": 0.0, "cells_done": n, "cells": n}),
    );
    session.emit("done", json!({"status": status, "message": message}));
    let summary = json!({
        "status": status,
        "message": message,
        "physics": "battery",
        "model": base.model,
        "parameter_set": &*base.params.name,
        "sweep": {
            "parameters": sweep.names(),
            "cells": n,
            "cells_failed": failed,
            "cells_per_s": n as f64 / wall.max(1e-9),
            "distribution": "cyclic",
            "file": "sweep.csv",
        },
        "cells": n,
        "cells_per_s": n as f64 / wall.max(1e-9),
        "ranks": ranks,
        "threads": threads,
        "wall_s": session.t0.elapsed().as_secs_f64(),
        "version": env!("CARGO_PKG_VERSION"),
        "deck_sha256": deck.hash(),
    });
    let _ = write_atomic(
        &session.dir.join("summary.json"),
        format!("{summary:#}\n").as_bytes(),
    );
    if code != EXIT_OK {
        eprintln!("error: {message}");
    } else if !args.quiet {
        crate::say!(
            "{message}; {:.2} cells/s. Results in {}",
            n as f64 / wall.max(1e-9),
            session.dir.display()
        );
    }
    code
}
