//! `galvana check|run` of quench decks (`[physics] type = "quench"`): no mesh, no MPI work;
//! rank 0 computes the load line and margins, runs the protected quench and writes
//! `load_line.csv` (Ic(B) at the operating temperature and the load line), `quench.csv` (one row
//! per time step), `residuals.jsonl` (`progress`, then `done`) and `summary.json`.

use crate::cli::{write_atomic, RunArgs, EXIT_OK, EXIT_RUN_FAILED};
use crate::comm::Comm;
use crate::meshless::{report, root_only};
use galvana_decks::{Deck, Diagnostic};
use galvana_physics::quench::deck::Model;
use galvana_physics::quench::run as run_quench;
use galvana_physics::superconductor::load_line::margins;
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

/// The deck at `path` if it is a quench deck that checks (its diagnostics if not).
pub fn load(path: &Path) -> Option<Result<(Deck, Model), Vec<Diagnostic>>> {
    crate::meshless::load(
        path,
        "quench",
        &["materials", "bcs", "postprocessors"],
        "everything is in [physics]; an optional [sources.<name>] solenoid gives the peak field",
        |d| Model::from_deck(&d.physics, &d.sources),
    )
}

/// `galvana check` of a quench deck; `None` if it is not one.
pub fn check(path: &Path) -> Option<i32> {
    Some(match load(path)? {
        Ok((_, m)) => {
            crate::say!(
                "{}: ok (quench: {}, {:.4e} T/A from {})",
                path.display(),
                m.conductor.surface.name(),
                m.conductor.field_per_amp,
                m.field_source
            );
            EXIT_OK
        }
        Err(d) => report(path, &d),
    })
}

/// Ic(B) of the conductor at the operating temperature and the load line B = k·I, on the same
/// field grid (0 to Bc2).
fn load_line_csv(m: &Model) -> String {
    let c = &m.conductor;
    let t = m.settings.t_op;
    let bc2 = c.surface.bc2(t);
    let mut s = String::from("B_T,critical_current_A,load_line_current_A\n");
    for k in 1..=200 {
        let b = bc2 * k as f64 / 200.0;
        let _ = writeln!(
            s,
            "{b:e},{:e},{:e}",
            c.a_sc * c.surface.jc(b, t),
            b / c.field_per_amp
        );
    }
    s
}

/// `galvana run` of a quench deck; `None` if it is not one.
pub fn run(comm: &Comm, args: &RunArgs) -> Option<i32> {
    let (deck, m, mut session) = match root_only(comm, args, load(&args.deck)?, "quench") {
        Ok(x) => x,
        Err(code) => return Some(code),
    };
    let (dir, t0) = (session.dir.clone(), session.t0);
    let c = &m.conductor;
    let s = &m.settings;
    let mut failure = None;
    let marg = margins(c.surface.as_ref(), c.field_per_amp, c.a_sc, s.t_op, s.i_op);
    if let Err(e) = &marg {
        failure = Some(format!("load line: {e}"));
    }
    if failure.is_none() {
        if let Err(e) = write_atomic(&dir.join("load_line.csv"), load_line_csv(&m).as_bytes()) {
            failure = Some(format!("cannot write load_line.csv: {e}"));
        }
    }
    if let (Ok(mg), false) = (&marg, args.quiet) {
        crate::say!(
            "Load line ({}): short-sample {:.1} A at {:.3} T; operating at {:.1} % of it, T_cs {:.3} K (margin {:.3} K)",
            c.surface.name(),
            mg.short_sample.current,
            mg.short_sample.field,
            100.0 * mg.load_line_fraction,
            mg.current_sharing_temperature,
            mg.temperature_margin
        );
    }
    session.emit(
        "progress",
        json!({"fraction": 0.05, "eta_s": 0.0, "stage": "load line"}),
    );
    let outcome = if failure.is_none() {
        match run_quench(c, &m.circuit, s) {
            Ok(o) => Some(o),
            Err(e) => {
                failure = Some(format!("quench: {e}"));
                None
            }
        }
    } else {
        None
    };
    if let Some(o) = &outcome {
        let mut csv = String::from(
            "time_s,current_A,v_resistive_V,v_dump_V,t_hot_K,miits_A2s,normal_length_m\n",
        );
        for r in &o.rows {
            let _ = writeln!(
                csv,
                "{:e},{:e},{:e},{:e},{:e},{:e},{:e}",
                r.time, r.current, r.v_resistive, r.v_dump, r.t_hot, r.miits, r.normal_length
            );
        }
        if let Err(e) = write_atomic(&dir.join("quench.csv"), csv.as_bytes()) {
            failure = Some(format!("cannot write quench.csv: {e}"));
        }
        if !args.quiet {
            crate::say!(
                "Quench: detected at {} s, switch at {} s; hot spot {:.1} K, MIITs {:.4e} A²s, {} steps",
                o.t_detect.map_or("never".into(), |t| format!("{t:.4}")),
                o.t_switch.map_or("never".into(), |t| format!("{t:.4}")),
                o.t_hot_max,
                o.miits,
                o.rows.len()
            );
        }
    }
    let (status, message, code) = match &failure {
        None => (
            "completed",
            "load line and quench done".to_string(),
            EXIT_OK,
        ),
        Some(msg) => ("failed", msg.clone(), EXIT_RUN_FAILED),
    };
    session.emit("done", json!({"status": status, "message": message}));
    let load_line = marg.ok().map(|mg| {
        json!({
            "short_sample_current_A": mg.short_sample.current,
            "short_sample_field_T": mg.short_sample.field,
            "load_line_fraction": mg.load_line_fraction,
            "peak_field_T": mg.peak_field,
            "critical_current_at_peak_field_A": mg.critical_current,
            "current_sharing_temperature_K": mg.current_sharing_temperature,
            "temperature_margin_K": mg.temperature_margin,
        })
    });
    let quench = outcome.as_ref().map(|o| {
        json!({
            "t_detect_s": o.t_detect,
            "t_switch_s": o.t_switch,
            "hot_spot_K": o.t_hot_max,
            "miits_A2s": o.miits,
            "final_current_A": o.rows.last().map(|r| r.current),
            "steps": o.rows.len(),
            "newton_iterations": o.newton_iterations,
            "energy_J": {
                "heater": o.e_heater, "joule": o.e_joule, "joule_before_switch": o.e_supply,
                "dump": o.e_dump, "magnet_released": o.e_magnet, "conductor_enthalpy_rise": o.e_conductor,
            },
        })
    });
    let summary = json!({
        "status": status,
        "message": message,
        "physics": "quench",
        "superconductor": c.surface.name(),
        "peak_field_per_amp_T_per_A": c.field_per_amp,
        "peak_field_source": m.field_source,
        "inductance_H": m.circuit.inductance,
        "inductance_source": m.inductance_source,
        "load_line": load_line,
        "quench": quench,
        "wall_s": t0.elapsed().as_secs_f64(),
        "ranks": comm.size(),
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
        crate::say!("Results in {}", dir.display());
    }
    Some(code)
}
