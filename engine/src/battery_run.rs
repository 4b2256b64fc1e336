//! `galvana check|run` of battery decks (`[physics] type = "battery"`): no mesh, no MPI work;
//! the cell model runs on rank 0 and writes `battery.csv` (also as `monitors.csv`, so tools
//! that plot monitors show the voltage), `residuals.jsonl` (a `step` and `progress` event per
//! experiment step, then `done`) and `summary.json`; with `field_times`, also
//! `battery_fields.h5` (the model's internal state at those times; layout in docs/battery.md).
//! Decks with a `[sweep]` go to `battery_sweep` instead.

use crate::cli::{RunArgs, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED};
use crate::comm::Comm;
use crate::meshless::{report, Session};
use galvana_decks::{Deck, Diagnostic};
use galvana_physics::battery::deck::{csv, Battery};
use galvana_physics::battery::Fields;
use serde_json::json;
use std::path::Path;

/// The deck at `path` if it is a battery deck that checks (its diagnostics if not).
/// `None`: not a battery deck (or not loadable at all; the caller reports that).
pub fn load(path: &Path) -> Option<Result<(Deck, Battery), Vec<Diagnostic>>> {
    let loaded = crate::meshless::load(
        path,
        "battery",
        &["materials", "bcs", "sources", "postprocessors"],
        "the cell model brings its own",
        |d| {
            if d.fixed.contains_key("calibration") {
                Battery::cell_from_object_at(&d.physics, Some(&d.dir()))
            } else {
                Battery::from_object_at(&d.physics, Some(&d.dir()))
            }
        },
    )?;
    Some(match loaded {
        // A calibration reads its dataset in `calibration_run::plan`.
        Ok((deck, b)) if deck.fixed.contains_key("calibration") => Ok((deck, b)),
        Ok((deck, b)) => match crate::battery_sweep::plan(&deck, &b) {
            Some(Err(d)) => Err(vec![d]),
            _ => Ok((deck, b)),
        },
        Err(d) => Err(d),
    })
}

/// `galvana check` of a battery deck; `None` if it is not one.
pub fn check(path: &Path) -> Option<i32> {
    Some(match load(path)? {
        Ok((deck, b)) if deck.fixed.contains_key("calibration") => {
            match crate::calibration_run::plan(&deck, &b) {
                Some(Ok((cal, m))) => {
                    crate::say!("{}", crate::calibration_run::check_line(path, &cal, &m));
                    EXIT_OK
                }
                Some(Err(d)) => report(path, &[d]),
                None => EXIT_INVALID,
            }
        }
        Ok((deck, b)) => {
            let cells = match crate::battery_sweep::plan(&deck, &b) {
                Some(Ok(s)) => format!(", a sweep of {} cells", s.cells.len()),
                _ => String::new(),
            };
            crate::say!(
                "{}: ok (battery: {} with {}, {} experiment step(s){cells})",
                path.display(),
                b.model,
                b.params.name,
                b.steps.len()
            );
            EXIT_OK
        }
        Err(d) => report(path, &d),
    })
}

/// `galvana run` of a battery deck; `None` if it is not one.
pub fn run(comm: &Comm, args: &RunArgs) -> Option<i32> {
    let loaded = load(&args.deck)?;
    Some(dispatch(comm, args, loaded))
}

/// Run a loaded battery deck: a calibration, a sweep or one cell.
fn dispatch(comm: &Comm, args: &RunArgs, loaded: Result<(Deck, Battery), Vec<Diagnostic>>) -> i32 {
    if let Ok((deck, _)) = &loaded {
        if deck.fixed.contains_key("calibration") {
            return crate::calibration_run::run(comm, args, loaded);
        }
        if deck.fixed.contains_key("sweep") {
            return crate::battery_sweep::run(comm, args, loaded);
        }
    }
    if !comm.is_root() {
        // One cell, one rank: the others have nothing to do.
        return if loaded.is_ok() {
            EXIT_OK
        } else {
            EXIT_INVALID
        };
    }
    run_root(args, loaded, comm.size())
}

/// `galvana run` of a battery deck without initialising MPI (which alone can take seconds),
/// when no launcher started this process and no `field_times` need the parallel HDF5 writer;
/// `None` otherwise, and the MPI path runs the deck as before. Sweeps and calibrations run
/// on a [`Comm::solo`]: their collectives are then the identity.
pub fn run_without_mpi(args: &RunArgs) -> Option<i32> {
    if Comm::launched() {
        return None;
    }
    let loaded = load(&args.deck)?;
    if matches!(&loaded, Ok((_, b)) if !b.field_times.is_empty()) {
        return None;
    }
    Some(dispatch(&Comm::solo(), args, loaded))
}

/// The run itself, on the one rank that does it.
fn run_root(args: &RunArgs, loaded: Result<(Deck, Battery), Vec<Diagnostic>>, ranks: usize) -> i32 {
    let (deck, battery) = match loaded {
        Ok(x) => x,
        Err(d) => return report(&args.deck, &d),
    };
    let mut session = match Session::start(args, &deck, "battery") {
        Ok(s) => s,
        Err(code) => return code,
    };
    session.cpu_only("battery runs have no GPU path yet", args.quiet);
    let (dir, t0) = (session.dir.clone(), session.t0);
    let device = session.device.clone();
    if !args.quiet {
        crate::say!(
            "Battery: {} ({}), {} step(s), points x {}/{}/{} r {}",
            battery.model,
            battery.params.name,
            battery.steps.len(),
            battery.points.x_n,
            battery.points.x_s,
            battery.points.x_p,
            battery.points.r_n
        );
    }
    // A run that fails part-way still writes what it computed (rows, fields, the steps that
    // ended), with status "failed": a failure late in a long experiment keeps its curve.
    let partial = battery.run_partial();
    let mut fields_written = 0usize;
    let mut fields_error = None;
    if !battery.field_times.is_empty() && !partial.fields.is_empty() {
        fields_written = partial.fields.len();
        if let Err(e) = write_fields(&dir.join("battery_fields.h5"), &battery, &partial.fields) {
            fields_error = Some(e);
        }
    }
    let out = &partial.outcome;
    let n = battery.steps.len();
    for (k, reason) in out.reasons.iter().enumerate() {
        let t_end = out
            .rows
            .iter()
            .filter(|r| r.step == k)
            .map(|r| r.time_s)
            .fold(0.0, f64::max);
        session.emit(
            "step",
            json!({"step": k, "time": t_end, "dt": battery.period}),
        );
        session.emit(
            "progress",
            json!({"fraction": (k + 1) as f64 / n as f64, "eta_s": 0.0, "reason": reason}),
        );
        if !args.quiet {
            crate::say!("  step {k}: {reason}");
        }
    }
    let text = csv(out);
    let ok = session
        .write_file("battery.csv", text.as_bytes())
        .and_then(|_| session.write_file("monitors.csv", text.as_bytes()));
    let (status, message, code) = match (ok, &partial.error) {
        (Err(e), _) => (
            "failed",
            format!("cannot write battery.csv: {e}"),
            EXIT_RUN_FAILED,
        ),
        (Ok(()), Some(failure)) => (
            "failed",
            format!(
                "{failure} (battery.csv holds the {} row(s) before it)",
                out.rows.len()
            ),
            EXIT_RUN_FAILED,
        ),
        (Ok(()), None) => (
            "completed",
            format!("{} experiment step(s) done", out.reasons.len()),
            EXIT_OK,
        ),
    };
    let (status, message, code) = match fields_error {
        Some(e) if code == EXIT_OK => (
            "failed",
            format!("cannot write battery_fields.h5: {e}"),
            EXIT_RUN_FAILED,
        ),
        _ => (status, message, code),
    };
    session.emit("done", json!({"status": status, "message": message}));
    let last = out.rows.last().cloned();
    let summary = json!({
        "status": status,
        "message": message,
        "physics": "battery",
        "model": battery.model,
        "parameter_set": &*battery.params.name,
        "steps": battery.steps.len(),
        "final": last.map(|r| json!({"time_s": r.time_s, "voltage_V": r.voltage_v, "current_A": r.current_a, "discharge_capacity_Ah": r.discharge_capacity_ah})),
        "wall_s": t0.elapsed().as_secs_f64(),
        "ranks": ranks,
        "device": device,
        "version": env!("CARGO_PKG_VERSION"),
        "deck_sha256": deck.hash(),
    });
    let mut summary = summary;
    if !battery.field_times.is_empty() {
        let missed: Vec<f64> =
            battery.field_times[fields_written.min(battery.field_times.len())..].to_vec();
        summary["fields"] = json!({
            "file": "battery_fields.h5",
            "times_s": &battery.field_times[..fields_written.min(battery.field_times.len())],
            "not_reached_s": missed,
        });
    }
    let _ = session.write_file("summary.json", format!("{summary:#}\n").as_bytes());
    session.sync_dir();
    if code != EXIT_OK {
        eprintln!("error: {message}");
    } else if !args.quiet {
        crate::say!("Results in {}", dir.display());
    }
    code
}

/// `battery_fields.h5`: `/grid/<name>` (cell centres, m), `/times` (s), and
/// `/fields/<name>/<index>` per output time (attribute `time_s`; `units` and `dims` on the
/// field's group). Written to a temporary name, synced and renamed, so the file is whole or
/// absent.
fn write_fields(path: &Path, b: &Battery, snaps: &[(f64, Fields)]) -> Result<(), String> {
    let h5e = |e: galvana_h5::H5Error| e.to_string();
    crate::meshless::write_whole(path, |tmp| {
        let f = galvana_h5::File::create(tmp).map_err(h5e)?;
        f.set_attr_str("model", &b.model).map_err(h5e)?;
        f.set_attr_str("parameter_set", &b.params.name)
            .map_err(h5e)?;
        f.set_attr_f64("electrode_area_m2", b.params.area)
            .map_err(h5e)?;
        f.set_attr_f64("eps_s_n", b.params.neg.eps_s).map_err(h5e)?;
        f.set_attr_f64("eps_s_p", b.params.pos.eps_s).map_err(h5e)?;
        f.set_attr_f64("c_e0_mol_m3", b.params.c_e0).map_err(h5e)?;
        f.set_attr_f64("thickness_n_m", b.params.neg.thickness)
            .map_err(h5e)?;
        f.set_attr_f64("thickness_p_m", b.params.pos.thickness)
            .map_err(h5e)?;
        f.set_attr_f64("particle_radius_n_m", b.params.neg.particle_radius)
            .map_err(h5e)?;
        f.set_attr_f64("particle_radius_p_m", b.params.pos.particle_radius)
            .map_err(h5e)?;
        let times: Vec<f64> = snaps.iter().map(|s| s.0).collect();
        {
            let ds = f
                .create_dataset::<f64>("times", &[times.len() as u64])
                .map_err(h5e)?;
            ds.write_rows(0, &times, 1).map_err(h5e)?;
            ds.set_attr_str("units", "s").map_err(h5e)?;
        }
        if let Some((_, first)) = snaps.first() {
            for (name, coords) in &first.grids {
                let ds = f
                    .create_dataset::<f64>(&format!("grid/{name}"), &[coords.len() as u64])
                    .map_err(h5e)?;
                ds.write_rows(0, coords, 1).map_err(h5e)?;
                ds.set_attr_str("units", "m").map_err(h5e)?;
            }
        }
        for (k, (t, fields)) in snaps.iter().enumerate() {
            for fd in &fields.fields {
                let g = f.group(&format!("fields/{}", fd.name)).map_err(h5e)?;
                if k == 0 {
                    g.set_attr_str("units", &fd.units).map_err(h5e)?;
                    g.set_attr_str("dims", &fd.dims.join(",")).map_err(h5e)?;
                }
                let mut shape: Vec<u64> = fd.shape.iter().map(|&n| n as u64).collect();
                if shape.is_empty() {
                    shape.push(1);
                }
                let row: u64 = shape.iter().skip(1).product();
                let ds = g
                    .create_dataset::<f64>(&k.to_string(), &shape)
                    .map_err(h5e)?;
                ds.write_rows(0, &fd.data, row).map_err(h5e)?;
                ds.set_attr_f64("time_s", *t).map_err(h5e)?;
            }
        }
        f.close().map_err(h5e)
    })
}
