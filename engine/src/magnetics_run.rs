//! `galvana check|run` of Biot–Savart decks (`[physics] type = "biot_savart"`): no mesh to
//! solve on. Every rank builds the coils of `[sources.<name>]` and the targets of
//! `[postprocessors.<name>]`, evaluates B on its contiguous block of each target's points
//! (threaded), and rank 0 gathers the blocks in point order and writes `<type>_<name>.csv`
//! (x, y, z, Bx, By, Bz, B), plane and mesh maps in `field_map.h5` + `.xdmf`,
//! `residuals.jsonl` (a `progress` event per target, then `done`) and `summary.json` (peak
//! |B| and homogeneity per target, inductance of coaxial loops and solenoids). The files do not depend on
//! the number of ranks or threads.

use crate::cli::{write_atomic, RunArgs, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED};
use crate::comm::Comm;
use crate::magnetics_output::{csv, write_field_map, Grid, MapEntry};
use crate::meshless::{report, Session};
use galvana_decks::{Deck, Diagnostic};
use galvana_physics::magnetics::deck::{Model, NodeMesh};
use galvana_physics::magnetics::{field, Field, FieldSource, Points};
use serde_json::json;
use std::path::Path;

/// A Gmsh mesh as the node targets need it (errors name the file and line).
fn read_mesh(path: &Path) -> Result<NodeMesh, String> {
    let m = galvana_mesh::gmsh::read_msh(path).map_err(|e| e.to_string())?;
    Ok(NodeMesh {
        nodes_per_cell: m.cell_type.num_vertices(),
        topology_type: m.cell_type.name().to_string(),
        coords: m.coords,
        cells: m.cells,
        cell_region: m.cell_region,
        region_names: m.region_names.into_iter().collect(),
    })
}

/// The deck at `path` if it is a biot_savart deck that checks (its diagnostics if not).
/// `None`: not a biot_savart deck (or not loadable at all; the caller reports that).
pub fn load(path: &Path) -> Option<Result<(Deck, Model), Vec<Diagnostic>>> {
    crate::meshless::load(
        path,
        "biot_savart",
        &["materials", "bcs"],
        "coils are [sources.<name>], targets [postprocessors.<name>]",
        |d| {
            Model::from_deck(
                &d.dir(),
                &d.physics,
                &d.sources,
                &d.postprocessors,
                &read_mesh,
            )
        },
    )
}

/// `galvana check` of a biot_savart deck; `None` if it is not one.
pub fn check(path: &Path) -> Option<i32> {
    Some(match load(path)? {
        Ok((_, m)) => {
            let n: usize = m.targets.iter().map(|t| t.points.len()).sum();
            crate::say!(
                "{}: ok (biot_savart: {} coil(s), {} target(s), {n} point(s))",
                path.display(),
                m.coils.len(),
                m.targets.len()
            );
            EXIT_OK
        }
        Err(d) => report(path, &d),
    })
}

/// Rank 0's `code` on every rank.
fn agree(comm: &Comm, code: i32) -> i32 {
    if comm.size() == 1 {
        return code;
    }
    comm.broadcast_string(&code.to_string())
        .parse()
        .unwrap_or(EXIT_RUN_FAILED)
}

/// Every rank's block of B, concatenated in rank order on rank 0 (`None` elsewhere).
fn gather(comm: &Comm, b: Field) -> Option<Field> {
    if comm.size() == 1 {
        return Some(b);
    }
    let mut bytes = Vec::with_capacity(24 * b.bx.len());
    for v in [&b.bx, &b.by, &b.bz] {
        bytes.extend(v.iter().flat_map(|x| x.to_le_bytes()));
    }
    let parts = comm.gather_bytes(&bytes)?;
    let mut out = Field::zeros(0);
    for p in parts {
        let vals: Vec<f64> = p
            .chunks_exact(8)
            .map(|w| f64::from_le_bytes(w.try_into().expect("8 bytes")))
            .collect();
        let n = vals.len() / 3;
        out.bx.extend_from_slice(&vals[..n]);
        out.by.extend_from_slice(&vals[n..2 * n]);
        out.bz.extend_from_slice(&vals[2 * n..]);
    }
    Some(out)
}

/// Threads per rank for `threads = 0`: the cores of the node shared by its ranks.
fn threads(comm: &Comm, asked: usize) -> usize {
    if asked > 0 {
        return asked;
    }
    let cores = std::thread::available_parallelism().map_or(1, |t| t.get());
    (cores / comm.ranks_on_node().max(1)).max(1)
}

/// This rank's contiguous block `[lo, hi)` of `n` points over `size` ranks.
fn block(n: usize, rank: usize, size: usize) -> (usize, usize) {
    (n * rank / size, n * (rank + 1) / size)
}

fn slice(p: &Points, lo: usize, hi: usize) -> Points {
    Points {
        x: p.x[lo..hi].to_vec(),
        y: p.y[lo..hi].to_vec(),
        z: p.z[lo..hi].to_vec(),
    }
}

/// `galvana run` of a biot_savart deck without initialising MPI, when no launcher started this
/// process (one rank: nothing to distribute); `None` if it is not a biot_savart deck or a
/// launcher did start it.
pub fn run_without_mpi(args: &RunArgs) -> Option<i32> {
    if Comm::launched() {
        return None;
    }
    let loaded = load(&args.deck)?;
    Some(run_ranks(&Comm::solo(), args, loaded))
}

/// `galvana run` of a biot_savart deck on the ranks of `comm`; `None` if it is not one.
pub fn run(comm: &Comm, args: &RunArgs) -> Option<i32> {
    let loaded = load(&args.deck)?;
    Some(run_ranks(comm, args, loaded))
}

/// B at `points` from packed straight segments, on the device.
fn gpu_field(
    gpu: &galvana_gpu::Gpu,
    segments: &[[f64; 8]],
    points: &Points,
) -> Result<Field, galvana_gpu::GpuError> {
    use galvana_gpu::biot_savart::{add_field, SegmentParams};
    let params: Vec<SegmentParams> = segments.iter().map(SegmentParams::from_packed).collect();
    let mut b = Field::zeros(points.len());
    add_field(
        gpu,
        &params,
        [&points.x, &points.y, &points.z],
        [&mut b.bx, &mut b.by, &mut b.bz],
    )?;
    Ok(b)
}

/// Statistics of |B| over a target for summary.json.
fn target_summary(
    kind: &str,
    name: &str,
    file: &str,
    points: &Points,
    b: &Field,
) -> serde_json::Value {
    let n = points.len();
    let mags: Vec<f64> = (0..n).map(|i| b.magnitude(i)).collect();
    let mean = mags.iter().sum::<f64>() / n as f64;
    let (lo, hi) = mags
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(l, h), &m| (l.min(m), h.max(m)));
    let (pk, ip) = b.peak().unwrap_or((0.0, 0));
    json!({
        "name": name,
        "type": kind,
        "file": file,
        "points": n,
        "peak_B_T": pk,
        "peak_point": points.get(ip),
        "min_B_T": lo,
        "max_B_T": hi,
        "mean_B_T": mean,
        "homogeneity": if mean > 0.0 { json!((hi - lo) / mean) } else { serde_json::Value::Null },
    })
}

fn run_ranks(comm: &Comm, args: &RunArgs, loaded: Result<(Deck, Model), Vec<Diagnostic>>) -> i32 {
    let root = comm.is_root();
    let (deck, model) = match loaded {
        Ok(x) => x,
        // Every rank read the same deck, so every rank fails here; rank 0 says why.
        Err(d) if root => return report(&args.deck, &d),
        Err(_) => return EXIT_INVALID,
    };
    let mut session = if root {
        match Session::start(args, &deck, "biot_savart") {
            Ok(s) => Some(s),
            Err(code) => return agree(comm, code),
        }
    } else {
        None
    };
    if agree(comm, EXIT_OK) != EXIT_OK {
        return EXIT_RUN_FAILED;
    }
    // On a GPU (one rank), coils made of straight segments are evaluated by the device
    // kernel; loops and solenoids have no GPU path yet, and several ranks share out the
    // points on their CPUs (so the files do not depend on the rank count).
    let segments = model.sources.straight_segments(model.mu0);
    let gpu = session.as_mut().and_then(|s| {
        if segments.is_none() {
            s.cpu_only("loop and solenoid coils have no GPU path yet", args.quiet);
        } else if comm.size() > 1 {
            s.cpu_only(
                "multi-rank biot_savart runs share the points out over the ranks' CPUs",
                args.quiet,
            );
        }
        s.gpu.clone()
    });
    let threads = threads(comm, model.threads);
    if root && !args.quiet {
        crate::say!(
            "Biot–Savart: {} coil(s), {} target(s), {} rank(s) × {threads} thread(s)",
            model.coils.len(),
            model.targets.len(),
            comm.size()
        );
    }
    let mut results = Vec::new();
    let mut maps = Vec::new();
    let mut failure = None;
    let (mut peak, mut peak_at) = (0.0f64, serde_json::Value::Null);
    let nt = model.targets.len();
    for (k, t) in model.targets.iter().enumerate() {
        let (lo, hi) = block(t.points.len(), comm.rank(), comm.size());
        let mine = slice(&t.points, lo, hi);
        let b = match (&gpu, &segments) {
            (Some(g), Some(s)) => gpu_field(g, s, &mine).unwrap_or_else(|e| {
                failure = Some(format!("GPU evaluation of target `{}` failed: {e}", t.name));
                Field::zeros(mine.len())
            }),
            _ => field(&model.sources, &mine, model.mu0, threads),
        };
        // Every rank gathers every target (collectives stay matched even after a failure).
        let Some(b) = gather(comm, b) else { continue };
        let Some(session) = session.as_mut() else {
            continue;
        };
        if failure.is_some() {
            continue;
        }
        let (pk, ip) = b.peak().unwrap_or((0.0, 0));
        if pk > peak {
            peak = pk;
            peak_at = json!({"target": t.name, "point": t.points.get(ip)});
        }
        let file = format!("{}_{}.csv", t.kind, t.name);
        if let Err(e) = write_atomic(&session.dir.join(&file), csv(&t.points, &b).as_bytes()) {
            failure = Some(format!("cannot write {file}: {e}"));
            continue;
        }
        results.push(target_summary(&t.kind, &t.name, &file, &t.points, &b));
        session.emit(
            "progress",
            json!({"fraction": (k + 1) as f64 / nt as f64, "eta_s": 0.0, "target": t.name}),
        );
        if !args.quiet {
            crate::say!(
                "  {} `{}`: {} point(s), peak |B| {pk:.6e} T",
                t.kind,
                t.name,
                t.points.len()
            );
        }
        let grid = match (t.grid, &t.topology) {
            (Some((nu, nv)), _) => Grid::Plane(nu, nv),
            (_, Some(top)) => Grid::Mesh(top),
            _ => continue,
        };
        maps.push(MapEntry {
            name: t.name.clone(),
            grid,
            points: &t.points,
            field: b,
        });
    }
    let Some(mut session) = session else {
        return agree(comm, EXIT_OK);
    };
    if failure.is_none() && !maps.is_empty() {
        if let Err(e) = write_field_map(&session.dir, &maps) {
            failure = Some(format!("cannot write field_map.h5: {e}"));
        }
    }
    let (status, message, code) = match &failure {
        None => (
            "completed",
            format!("{} target(s) evaluated", results.len()),
            EXIT_OK,
        ),
        Some(m) => ("failed", m.clone(), EXIT_RUN_FAILED),
    };
    session.emit("done", json!({"status": status, "message": message}));
    let (inductance, inductance_note) =
        match galvana_physics::magnetics::series_inductance::coaxial_series(
            model.mu0,
            &deck.sources,
        ) {
            Ok(l) => (json!(l), serde_json::Value::Null),
            Err(m) => (serde_json::Value::Null, json!(m)),
        };
    let coils: Vec<_> = model
        .coils
        .iter()
        .map(|c| json!({"name": c.name, "type": c.kind}))
        .collect();
    let summary = json!({
        "status": status,
        "message": message,
        "physics": "biot_savart",
        "mu0": model.mu0,
        "coils": coils,
        "targets": results,
        "peak_B_T": peak,
        "peak_at": peak_at,
        "inductance_H": inductance,
        "inductance_note": inductance_note,
        "wall_s": session.t0.elapsed().as_secs_f64(),
        "ranks": comm.size(),
        "threads": threads,
        "device": session.device,
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
        crate::say!("Results in {}", session.dir.display());
    }
    agree(comm, code)
}
