//! `galvana check|run` of Biot–Savart decks (`[physics] type = "biot_savart"`): no mesh, no
//! MPI work; rank 0 builds the coils of `[sources.<name>]`, evaluates B on the targets of
//! `[postprocessors.<name>]` (threaded) and writes `line_<name>.csv` / `plane_<name>.csv`
//! (x, y, z, Bx, By, Bz, B), plane maps also in `field_map.h5` + `.xdmf`, `residuals.jsonl` (a `progress` event per target, then `done`)
//! and `summary.json` (peak |B| and homogeneity per target, inductance of coaxial loops and solenoids).

use crate::cli::{write_atomic, RunArgs, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED};
use crate::comm::Comm;
use crate::meshless::{report, Session};
use galvana_decks::{Deck, Diagnostic};
use galvana_physics::magnetics::deck::Model;
use galvana_physics::magnetics::{field, Field, FieldSource, Points};
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

/// The deck at `path` if it is a biot_savart deck that checks (its diagnostics if not).
/// `None`: not a biot_savart deck (or not loadable at all; the caller reports that).
pub fn load(path: &Path) -> Option<Result<(Deck, Model), Vec<Diagnostic>>> {
    crate::meshless::load(
        path,
        "biot_savart",
        &["materials", "bcs"],
        "coils are [sources.<name>], targets [postprocessors.<name>]",
        |d| Model::from_deck(&d.physics, &d.sources, &d.postprocessors),
    )
}

/// `galvana check` of a biot_savart deck; `None` if it is not one.
pub fn check(path: &Path) -> Option<i32> {
    Some(match load(path)? {
        Ok((_, m)) => {
            let n: usize = m.targets.iter().map(|t| t.points.len()).sum();
            println!(
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

/// CSV text x,y,z,Bx,By,Bz,B (full precision, round-trips).
pub fn csv(points: &Points, b: &Field) -> String {
    let mut s = String::from("x,y,z,Bx,By,Bz,B\n");
    for i in 0..points.len() {
        let p = points.get(i);
        let v = b.get(i);
        let _ = writeln!(
            s,
            "{:e},{:e},{:e},{:e},{:e},{:e},{:e}",
            p[0],
            p[1],
            p[2],
            v[0],
            v[1],
            v[2],
            b.magnitude(i)
        );
    }
    s
}

/// Plane maps in one HDF5 file (`/<name>/xyz`, `/<name>/B`, `/<name>/B_magnitude`, rows in
/// CSV order) and an XDMF index that opens each as a structured (2DSMesh) grid in ParaView.
pub fn write_field_map(
    dir: &Path,
    planes: &[(String, usize, usize, &Points, Field)],
) -> Result<(), String> {
    let h5 = dir.join("field_map.h5");
    let tmp = dir.join("field_map.h5.tmp");
    let e = |e: galvana_h5::H5Error| e.to_string();
    let f = galvana_h5::File::create(&tmp).map_err(e)?;
    let mut grids = String::new();
    for (name, nu, nv, p, b) in planes {
        let n = p.len() as u64;
        let mut xyz = Vec::with_capacity(3 * p.len());
        let mut bv = Vec::with_capacity(3 * p.len());
        let mut bm = Vec::with_capacity(p.len());
        for i in 0..p.len() {
            xyz.extend_from_slice(&p.get(i));
            bv.extend_from_slice(&b.get(i));
            bm.push(b.magnitude(i));
        }
        f.create_dataset::<f64>(&format!("{name}/xyz"), &[n, 3])
            .and_then(|d| d.write_rows(0, &xyz, 3))
            .map_err(e)?;
        f.create_dataset::<f64>(&format!("{name}/B"), &[n, 3])
            .and_then(|d| d.write_rows(0, &bv, 3))
            .map_err(e)?;
        f.create_dataset::<f64>(&format!("{name}/B_magnitude"), &[n])
            .and_then(|d| d.write_rows(0, &bm, 1))
            .map_err(e)?;
        let item = |path: &str, dims: String| {
            format!(
                "<DataItem Dimensions=\"{dims}\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">field_map.h5:/{name}/{path}</DataItem>"
            )
        };
        let _ = write!(
            grids,
            "    <Grid Name=\"{name}\" GridType=\"Uniform\">\n      <Topology TopologyType=\"2DSMesh\" Dimensions=\"{nu} {nv}\"/>\n      <Geometry GeometryType=\"XYZ\">{}</Geometry>\n      <Attribute Name=\"B\" AttributeType=\"Vector\" Center=\"Node\">{}</Attribute>\n      <Attribute Name=\"B_magnitude\" AttributeType=\"Scalar\" Center=\"Node\">{}</Attribute>\n    </Grid>\n",
            item("xyz", format!("{n} 3")),
            item("B", format!("{n} 3")),
            item("B_magnitude", format!("{n}")),
        );
    }
    f.close().map_err(e)?;
    crate::meshless::persist(&tmp, &h5).map_err(|e| e.to_string())?;
    let xml = format!(
        "<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n  <Domain>\n  <Grid Name=\"field_map\" GridType=\"Collection\" CollectionType=\"Spatial\">\n{grids}  </Grid>\n  </Domain>\n</Xdmf>\n"
    );
    write_atomic(&dir.join("field_map.xdmf"), xml.as_bytes()).map_err(|e| e.to_string())
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

/// `galvana run` of a biot_savart deck; `None` if it is not one.
pub fn run(comm: &Comm, args: &RunArgs) -> Option<i32> {
    let loaded = load(&args.deck)?;
    if !comm.is_root() {
        return Some(if loaded.is_ok() {
            EXIT_OK
        } else {
            EXIT_INVALID
        });
    }
    let (deck, model) = match loaded {
        Ok(x) => x,
        Err(d) => return Some(report(&args.deck, &d)),
    };
    let mut session = match Session::start(args, &deck, "biot_savart") {
        Ok(s) => s,
        Err(code) => return Some(code),
    };
    // On a GPU, coils made of straight segments (segment, polyline, racetrack, helix) are
    // evaluated by the device kernel; loops and solenoids have no GPU path yet.
    let segments = model.sources.straight_segments(model.mu0);
    if segments.is_none() {
        session.cpu_only("loop and solenoid coils have no GPU path yet", args.quiet);
    }
    let gpu = session.gpu.clone();
    let (dir, t0) = (session.dir.clone(), session.t0);
    let device = session.device.clone();
    let mut emit = |kind: &str, v: serde_json::Value| session.emit(kind, v);
    if !args.quiet {
        println!(
            "Biot–Savart: {} coil(s), {} target(s)",
            model.coils.len(),
            model.targets.len()
        );
    }
    let mut results = Vec::new();
    let mut planes = Vec::new();
    let mut failure = None;
    let (mut peak, mut peak_at) = (0.0f64, serde_json::Value::Null);
    let nt = model.targets.len();
    for (k, t) in model.targets.iter().enumerate() {
        let b = match (&gpu, &segments) {
            (Some(g), Some(s)) => match gpu_field(g, s, &t.points) {
                Ok(b) => b,
                Err(e) => {
                    failure = Some(format!("GPU evaluation of target `{}` failed: {e}", t.name));
                    break;
                }
            },
            _ => field(&model.sources, &t.points, model.mu0, model.threads),
        };
        let n = t.points.len();
        let mags: Vec<f64> = (0..n).map(|i| b.magnitude(i)).collect();
        let mean = mags.iter().sum::<f64>() / n as f64;
        let (lo, hi) = mags
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(l, h), &m| (l.min(m), h.max(m)));
        let (pk, ip) = b.peak().unwrap_or((0.0, 0));
        if pk > peak {
            peak = pk;
            peak_at = json!({"target": t.name, "point": t.points.get(ip)});
        }
        let file = format!("{}_{}.csv", t.kind, t.name);
        if let Err(e) = write_atomic(&dir.join(&file), csv(&t.points, &b).as_bytes()) {
            failure = Some(format!("cannot write {file}: {e}"));
            break;
        }
        if let Some((nu, nv)) = t.grid {
            planes.push((t.name.clone(), nu, nv, &t.points, b));
        }
        results.push(json!({
            "name": t.name,
            "type": t.kind,
            "file": file,
            "points": n,
            "peak_B_T": pk,
            "peak_point": t.points.get(ip),
            "min_B_T": lo,
            "max_B_T": hi,
            "mean_B_T": mean,
            "homogeneity": if mean > 0.0 { json!((hi - lo) / mean) } else { serde_json::Value::Null },
        }));
        emit(
            "progress",
            json!({"fraction": (k + 1) as f64 / nt as f64, "eta_s": 0.0, "target": t.name}),
        );
        if !args.quiet {
            println!(
                "  {} `{}`: {n} point(s), peak |B| {pk:.6e} T",
                t.kind, t.name
            );
        }
    }
    if failure.is_none() && !planes.is_empty() {
        if let Err(e) = write_field_map(&dir, &planes) {
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
    emit("done", json!({"status": status, "message": message}));
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
        "wall_s": t0.elapsed().as_secs_f64(),
        "ranks": comm.size(),
        "device": device,
        "version": env!("CARGO_PKG_VERSION"),
        "deck_sha256": deck.hash(),
    });
    let _ = write_atomic(
        &dir.join("summary.json"),
        format!("{summary:#}\n").as_bytes(),
    );
    if code != EXIT_OK {
        eprintln!("error: {message}");
    } else if !args.quiet {
        println!("Results in {}", dir.display());
    }
    Some(code)
}
