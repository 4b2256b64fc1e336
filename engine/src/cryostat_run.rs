//! `galvana check|run` of cryostat decks (`[physics] type = "cryostat"`): no mesh, no MPI work;
//! rank 0 integrates the lumped network (or solves its steady state) and writes
//! `cryostat.csv` (one row per step: node temperatures, link flows, stage powers),
//! `residuals.jsonl` (`progress`, then `done`) and `summary.json`.

use crate::cli::{write_atomic, RunArgs, EXIT_OK, EXIT_RUN_FAILED};
use crate::comm::Comm;
use crate::meshless::{report, root_only};
use galvana_decks::{Deck, Diagnostic};
use galvana_physics::cryostat::deck::{Mode, Model};
use galvana_physics::cryostat::network::Node;
use galvana_physics::cryostat::{run_transient, solve_steady, Network, Steady, Transient};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::path::Path;

/// The deck at `path` if it is a cryostat deck that checks (its diagnostics if not).
pub fn load(path: &Path) -> Option<Result<(Deck, Model), Vec<Diagnostic>>> {
    crate::meshless::load(
        path,
        "cryostat",
        &["postprocessors"],
        "bodies are [materials.<name>], links and stages [bcs.<name>], loads [sources.<name>]",
        Model::from_deck,
    )
}

/// `galvana check` of a cryostat deck; `None` if it is not one.
pub fn check(path: &Path) -> Option<i32> {
    Some(match load(path)? {
        Ok((_, m)) => {
            let n = &m.network;
            crate::say!(
                "{}: ok (cryostat: {} bodies, {} links, {} stages, {} loads)",
                path.display(),
                n.nodes
                    .iter()
                    .filter(|(_, k)| matches!(k, Node::Body(_)))
                    .count(),
                n.links.len(),
                n.stages.len(),
                n.loads.len()
            );
            EXIT_OK
        }
        Err(d) => report(path, &d),
    })
}

/// Column names: every node but the surroundings, every link, every stage.
fn csv_header(n: &Network) -> String {
    let mut h = String::from("time_s");
    for (name, _) in &n.nodes[1..] {
        let _ = write!(h, ",T_{name}_K");
    }
    for l in &n.links {
        let _ = write!(h, ",Q_{}_W", l.name);
    }
    for s in &n.stages {
        let _ = write!(h, ",P_{}_W", s.stage.name);
    }
    h.push('\n');
    h
}

fn csv(n: &Network, t: &Transient) -> String {
    let mut s = csv_header(n);
    for r in &t.rows {
        let _ = write!(s, "{:e}", r.time);
        for v in r.temperatures[1..].iter().chain(&r.flows).chain(&r.powers) {
            let _ = write!(s, ",{v:e}");
        }
        s.push('\n');
    }
    s
}

/// Per-node, per-link and per-stage results for summary.json.
fn tables(n: &Network, steady: Option<&Steady>, tr: Option<&Transient>) -> Value {
    let last = tr.and_then(|t| t.rows.last());
    let mut nodes = Map::new();
    for (i, (name, kind)) in n.nodes.iter().enumerate().skip(1) {
        let mut o = json!({
            "steady_temperature_K": steady.map(|s| s.temperatures[i]),
            "final_temperature_K": last.map(|r| r.temperatures[i]),
        });
        match kind {
            Node::Body(b) => {
                o["kind"] = json!("body");
                o["material"] = json!(b.material.name());
                o["mass_kg"] = json!(b.mass);
                o["initial_temperature_K"] = json!(b.initial_temperature);
                o["target_temperature_K"] = json!(b.target_temperature);
                o["cooldown_time_s"] = json!(tr.and_then(|t| t.cooldown[i]));
            }
            _ => o["kind"] = json!("cold_head"),
        }
        nodes.insert(name.clone(), o);
    }
    let mut links = Map::new();
    for (k, l) in n.links.iter().enumerate() {
        links.insert(
            l.name.clone(),
            json!({
                "type": l.kind.type_name(),
                "from": n.nodes[l.from].0, "to": n.nodes[l.to].0,
                "steady_flow_W": steady.map(|s| s.flows[k]),
                "final_flow_W": last.map(|r| r.flows[k]),
            }),
        );
    }
    let mut stages = Map::new();
    for (k, s) in n.stages.iter().enumerate() {
        stages.insert(
            s.stage.name.clone(),
            json!({
                "body": n.nodes[s.body].0,
                "base_temperature_K": s.stage.base_temperature(),
                "steady_load_W": steady.map(|st| st.powers[k]),
                "steady_temperature_K": steady.map(|st| st.temperatures[s.node]),
                "final_power_W": last.map(|r| r.powers[k]),
            }),
        );
    }
    let loads: Map<String, Value> = n
        .loads
        .iter()
        .map(|l| {
            (
                l.name.clone(),
                json!({"node": n.nodes[l.node].0, "power_W": l.power}),
            )
        })
        .collect();
    json!({"nodes": nodes, "links": links, "stages": stages, "loads": loads})
}

/// `galvana run` of a cryostat deck; `None` if it is not one.
pub fn run(comm: &Comm, args: &RunArgs) -> Option<i32> {
    let (deck, m, mut session) = match root_only(comm, args, load(&args.deck)?, "cryostat") {
        Ok(x) => x,
        Err(code) => return Some(code),
    };
    session.cpu_only("cryostat networks are a few nodes", args.quiet);
    let (dir, t0) = (session.dir.clone(), session.t0);
    let net = &m.network;
    let mut failure = None;
    let transient = if m.mode == Mode::Transient {
        let end = m.settings.end_time;
        let mut next = 0.01;
        let mut on_step = |_step: usize, time: f64, _dt: f64, _its: usize, _upd: f64| {
            let f = time / end;
            if f >= next {
                let el = t0.elapsed().as_secs_f64();
                session.emit(
                    "progress",
                    json!({"fraction": f, "eta_s": el * (1.0 - f) / f}),
                );
                next = f + 0.01;
            }
        };
        match run_transient(net, &m.settings, &mut on_step) {
            Ok(t) => Some(t),
            Err(e) => {
                failure = Some(format!("cooldown: {e}"));
                None
            }
        }
    } else {
        None
    };
    let steady = match solve_steady(net, m.settings.tolerance) {
        Ok(s) => Some(s),
        Err(e) => {
            failure.get_or_insert(format!("steady state: {e}"));
            None
        }
    };
    if let Some(t) = &transient {
        if let Err(e) = write_atomic(&dir.join("cryostat.csv"), csv(net, t).as_bytes()) {
            failure.get_or_insert(format!("cannot write cryostat.csv: {e}"));
        }
        if !args.quiet {
            for (i, (name, _)) in net.nodes.iter().enumerate() {
                if let Some(b) = net.body(i) {
                    crate::say!(
                        "{name}: {:.2} K after {:.4e} s; target {} reached {}",
                        t.rows.last().map_or(f64::NAN, |r| r.temperatures[i]),
                        m.settings.end_time,
                        b.target_temperature
                            .map_or("-".into(), |v| format!("{v} K")),
                        t.cooldown[i].map_or("never".into(), |s| format!(
                            "at {:.4e} s ({:.2} h)",
                            s,
                            s / 3600.0
                        ))
                    );
                }
            }
        }
    }
    if let (Some(s), false) = (&steady, args.quiet) {
        for st in &net.stages {
            let k = net
                .stages
                .iter()
                .position(|x| x.stage.name == st.stage.name)
                .unwrap_or(0);
            crate::say!(
                "steady: stage {} carries {:.4} W at {:.3} K",
                st.stage.name,
                s.powers[k],
                s.temperatures[st.node]
            );
        }
    }
    let (status, message, code) = match &failure {
        None => ("completed", "cryostat network solved".to_string(), EXIT_OK),
        Some(msg) => ("failed", msg.clone(), EXIT_RUN_FAILED),
    };
    session.emit("done", json!({"status": status, "message": message}));
    let energy = transient.as_ref().map(|t| {
        let scale = t.heat_in.abs().max(t.cooling.abs()).max(t.enthalpy_change.abs());
        json!({
            "heat_in_J": t.heat_in, "cooling_J": t.cooling, "enthalpy_change_J": t.enthalpy_change,
            "error_J": t.balance_error(), "relative_error": t.balance_error().abs() / scale.max(f64::MIN_POSITIVE),
        })
    });
    let mut summary = json!({
        "status": status,
        "message": message,
        "physics": "cryostat",
        "mode": if m.mode == Mode::Steady { "steady" } else { "transient" },
        "ambient_temperature_K": net.ambient(),
        "end_time_s": transient.as_ref().map(|_| m.settings.end_time),
        "steps": transient.as_ref().map(|t| t.rows.len() - 1),
        "newton_iterations": transient.as_ref().map(|t| t.newton_iterations),
        "rejected_steps": transient.as_ref().map(|t| t.rejected_steps),
        "energy_balance": energy,
        "steady_residual_W": steady.as_ref().map(|s| s.residual),
        "wall_s": t0.elapsed().as_secs_f64(),
        "ranks": comm.size(),
        "version": env!("CARGO_PKG_VERSION"),
        "deck_sha256": deck.hash(),
    });
    if let (Value::Object(o), Value::Object(t)) = (
        &mut summary,
        tables(net, steady.as_ref(), transient.as_ref()),
    ) {
        o.extend(t);
    }
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
