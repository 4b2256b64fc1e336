//! `galvana check|run` of battery decks with a `[calibration]`: fit parameters of the deck's
//! cell to a measured dataset (or the cell's impedance or a circuit to a spectrum) by bounded
//! least squares and,
//! for `method = "mcmc"`, an ensemble sampler started around the least-squares optimum.
//!
//! Every rank runs the same algorithm with the same random numbers; only the model
//! evaluations of each batch (the Jacobian's columns, the damping trials, a half-ensemble's
//! proposals) are split over ranks and threads (`calibration_io::MpiEval`), so the results are
//! the same for any layout. Rank 0 writes `residuals.jsonl` (an `lsq` event per accepted
//! iteration, an `mcmc` event per batch of steps, `progress`, then `done`), `summary.json`,
//! `fit.csv` and, for MCMC, `samples.csv` and `samples.h5`, each written whole (temp file, fsync, rename).

use crate::calibration_io::{Fitted, MpiEval};
use crate::calibration_samples::samples_csv;
use crate::cli::{write_atomic, RunArgs, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED};
use crate::comm::Comm;
use crate::meshless::{report, Session};
use galvana_decks::{Deck, Diagnostic};
use galvana_physics::battery::deck::Battery;
use galvana_physics::calibration::deck::Calibration;
use galvana_physics::calibration::diagnostics::{summarize, Quantity};
use galvana_physics::calibration::lsq::{least_squares, LsqResult};
use galvana_physics::calibration::mcmc::{sample, Chain, Noise};
use galvana_physics::calibration::problem::{Model, Param, Scale};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;

/// The deck's calibration, with its dataset read and its model built; `None` without a
/// `[calibration]`. Errors point at the key they are about.
pub fn plan(deck: &Deck, cell: &Battery) -> Option<Result<(Calibration, Fitted), Diagnostic>> {
    let o = deck.fixed.get("calibration")?;
    if deck.fixed.contains_key("sweep") {
        return Some(Err(deck.diag_at(
            &["sweep"],
            "a deck has a [sweep] or a [calibration], not both",
            Some("calibrate one cell, then sweep it in another deck".into()),
        )));
    }
    let cal = match Calibration::from_object(o) {
        Ok(c) => c,
        Err(e) => {
            let key: Vec<&str> = e.key.iter().map(String::as_str).collect();
            return Some(Err(deck.diag_at(&key, e.message, e.help)));
        }
    };
    let path = deck.resolve_path(&cal.dataset);
    Some(match Fitted::build(cell, &cal, &path) {
        Ok(m) => Ok((cal, m)),
        Err(e) => Err(deck.diag_at(&["calibration", "dataset"], format!("dataset: {e}"), None)),
    })
}

/// `galvana check` line of a calibration deck.
pub fn check_line(path: &Path, cal: &Calibration, m: &Fitted) -> String {
    let names: Vec<&str> = cal.params.iter().map(|p| p.name.as_str()).collect();
    format!(
        "{}: ok (calibration: {} of {} on {} data points, by {})",
        path.display(),
        names.join(", "),
        match cal.model_name() {
            "circuit" => "a circuit",
            "cell_spectrum" => "the cell's impedance",
            _ => "the cell",
        },
        m.points(),
        if cal.mcmc {
            "least squares + MCMC"
        } else {
            "least squares"
        }
    )
}

fn named(params: &[Param], theta: &[f64]) -> Value {
    let mut m = serde_json::Map::new();
    for (p, v) in params.iter().zip(theta) {
        m.insert(p.name.clone(), json!(v));
    }
    Value::Object(m)
}

/// `galvana run` of a calibration deck (every rank calls it).
pub fn run(comm: &Comm, args: &RunArgs, loaded: Result<(Deck, Battery), Vec<Diagnostic>>) -> i32 {
    let (deck, cell) = match loaded {
        Ok(x) => x,
        Err(d) if comm.is_root() => return report(&args.deck, &d),
        Err(_) => return EXIT_INVALID,
    };
    let (cal, model) = match plan(&deck, &cell) {
        Some(Ok(x)) => x,
        Some(Err(d)) if comm.is_root() => return report(&args.deck, &[d]),
        _ => return EXIT_INVALID,
    };
    let threads = match cal.threads {
        0 => crate::battery_sweep::auto_threads(comm.ranks_on_node()),
        n => n,
    };
    let session = if comm.is_root() {
        Session::start(args, &deck, "calibration").map(Some)
    } else {
        Ok(None)
    };
    if comm.any(session.is_err()) {
        return session.err().unwrap_or(EXIT_RUN_FAILED);
    }
    let Ok(mut session) = session else {
        return EXIT_RUN_FAILED;
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    if comm.any(pool.is_err()) {
        if let Some(s) = session.as_mut() {
            s.emit(
                "done",
                json!({"status": "failed", "message": "a rank could not start its threads"}),
            );
        }
        return EXIT_RUN_FAILED;
    }
    let Ok(pool) = pool else {
        return EXIT_RUN_FAILED;
    };
    let quiet = args.quiet || !comm.is_root();
    if !quiet {
        crate::say!(
            "Calibration: {} parameter(s) on {} points, {} rank(s) x {threads} thread(s)",
            cal.params.len(),
            model.points(),
            comm.size()
        );
    }
    let len = model.residuals(&cal.params.iter().map(|p| p.initial).collect::<Vec<_>>());
    // Every rank sees the same data, so the same length (or the same failure).
    let len = match len {
        Ok(r) => r.len(),
        Err(e) => {
            return finish_failed(
                comm,
                session,
                &format!("the model fails at the initial parameters: {e}"),
            );
        }
    };
    let mut ev = MpiEval {
        comm,
        pool: &pool,
        model: &model,
        len,
    };
    let params = &cal.params;
    let max_it = cal.lsq.max_iter as f64;
    let lsq = least_squares(params, &cal.lsq, &mut ev, &mut |it| {
        if let Some(s) = session.as_mut() {
            s.emit(
                "lsq",
                json!({"it": it.iteration, "cost": it.cost, "lambda": if it.lambda.is_finite() { json!(it.lambda) } else { Value::Null },
                       "evaluations": it.evaluations, "params": named(params, &it.theta)}),
            );
            let f = if cal.mcmc { 0.2 } else { 0.9 } * (it.iteration as f64 / max_it).min(1.0);
            s.emit(
                "progress",
                json!({"fraction": f, "eta_s": Value::Null, "stage": "least_squares"}),
            );
        }
        if !quiet {
            crate::say!("  LM {:3}: cost {:.6e}", it.iteration, it.cost);
        }
    });
    let lsq = match lsq {
        Ok(r) => r,
        Err(e) => return finish_failed(comm, session, &e),
    };
    let mut chain = None;
    let mut failure = None;
    if cal.mcmc {
        // Walkers start from the Laplace approximation around the optimum (its standard
        // errors, in u; 1e-3 of the range where those are unknown), the sampled noise at the
        // least-squares estimate: close to the posterior, so a short burn-in suffices.
        let spread: Vec<f64> = params
            .iter()
            .zip(&lsq.theta)
            .zip(&lsq.std_errors)
            .map(|((p, &t), &s)| {
                let su = match p.scale {
                    Scale::Log => s / t,
                    Scale::Linear => s,
                };
                let (lo, hi) = p.u_bounds();
                if su.is_finite() && su > 0.0 {
                    su.min(0.25 * (hi - lo))
                } else {
                    1e-3 * (hi - lo)
                }
            })
            .collect();
        let total = cal.sampler.burn + cal.sampler.steps;
        let every = (total / 200).max(1);
        let t0 = std::time::Instant::now();
        let mut opts = cal.sampler.clone();
        if let Noise::Fitted {
            initial,
            lower,
            upper,
        } = &mut opts.noise
        {
            if lsq.sigma.is_finite() && lsq.sigma > 0.0 {
                *initial = lsq.sigma.clamp(*lower, *upper);
            }
        }
        let r = sample(params, &lsq.theta, &spread, &opts, &mut ev, &mut |st| {
            if st.step % every != 0 && st.step != st.total {
                return;
            }
            if let Some(s) = session.as_mut() {
                let mut best = named(params, &st.best);
                if st.best.len() > params.len() {
                    best["noise_sigma"] = json!(st.best[params.len()]);
                }
                s.emit(
                    "mcmc",
                    json!({"step": st.step, "steps": st.total, "burn": cal.sampler.burn, "acceptance": st.acceptance,
                           "best_log_prob": st.best_log_prob, "best": best}),
                );
                let f = st.step as f64 / st.total as f64;
                let el = t0.elapsed().as_secs_f64();
                s.emit("progress", json!({"fraction": 0.2 + 0.75 * f, "eta_s": el * (1.0 - f) / f, "stage": "mcmc"}));
            }
        });
        match r {
            Ok(c) => chain = Some(c),
            Err(e) => failure = Some(format!("mcmc: {e}")),
        }
    }
    let Some(mut s) = session else {
        return if failure.is_some() {
            EXIT_RUN_FAILED
        } else {
            EXIT_OK
        };
    };
    let q = chain.as_ref().map(summarize);
    let dir = s.dir.clone();
    let mut files = Vec::new();
    match model.fit_csv(&lsq.theta) {
        Ok(t) => files.push(("fit.csv", t)),
        Err(e) => failure = Some(format!("the model fails at the optimum: {e}")),
    }
    if let Some(c) = &chain {
        files.push(("samples.csv", samples_csv(c)));
    }
    for (name, text) in files {
        if let Err(e) = write_atomic(&dir.join(name), text.as_bytes()) {
            failure.get_or_insert(format!("cannot write {name}: {e}"));
        }
    }
    if let Some(c) = &chain {
        if let Err(e) = crate::calibration_samples::write_h5(&dir.join("samples.h5"), &cal, c) {
            failure.get_or_insert(format!("cannot write samples.h5: {e}"));
        }
    }
    let (status, message, code) = match &failure {
        None => (
            "completed",
            format!("least squares: {}", lsq.message),
            EXIT_OK,
        ),
        Some(m) => ("failed", m.clone(), EXIT_RUN_FAILED),
    };
    s.emit("done", json!({"status": status, "message": message}));
    let summary = json!({
        "status": status,
        "message": message,
        "physics": "battery",
        "calibration": calibration_json(&cal, &model, &lsq, chain.as_ref(), q.as_deref()),
        "wall_s": s.t0.elapsed().as_secs_f64(),
        "ranks": comm.size(),
        "threads_per_rank": threads,
        "version": env!("CARGO_PKG_VERSION"),
        "deck_sha256": deck.hash(),
    });
    let _ = write_atomic(
        &dir.join("summary.json"),
        format!("{summary:#}\n").as_bytes(),
    );
    if !args.quiet {
        crate::say_raw!("{}", table(&cal.params, &lsq, q.as_deref()));
        if code == EXIT_OK {
            crate::say!("Results in {}", dir.display());
        }
    }
    if code != EXIT_OK {
        eprintln!("error: {message}");
    }
    code
}

/// A failure before any result: `done` and a failed summary on rank 0.
fn finish_failed(comm: &Comm, session: Option<Session>, message: &str) -> i32 {
    if let Some(mut s) = session {
        s.emit("done", json!({"status": "failed", "message": message}));
        let summary = json!({"status": "failed", "message": message, "physics": "battery",
                             "ranks": comm.size(), "version": env!("CARGO_PKG_VERSION")});
        let _ = write_atomic(
            &s.dir.join("summary.json"),
            format!("{summary:#}\n").as_bytes(),
        );
        eprintln!("error: {message}");
    }
    EXIT_RUN_FAILED
}

fn num(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

fn calibration_json(
    cal: &Calibration,
    m: &Fitted,
    l: &LsqResult,
    chain: Option<&Chain>,
    q: Option<&[Quantity]>,
) -> Value {
    let p = cal.params.len();
    let params: Vec<Value> = cal
        .params
        .iter()
        .enumerate()
        .map(|(k, par)| {
            let mut v = json!({
                "name": par.name, "unit": par.unit, "scale": par.scale.name(),
                "initial": par.initial, "lower": par.lower, "upper": par.upper,
                "estimate": l.theta[k], "std_error": num(l.std_errors[k]),
                "interval95": [num(l.intervals[k].0), num(l.intervals[k].1)],
                "at_bound": l.at_bound[k],
            });
            if let Some(q) = q {
                v["posterior"] = quantity_json(&q[k]);
            }
            v
        })
        .collect();
    let corr: Vec<Vec<Value>> = (0..p)
        .map(|i| (0..p).map(|j| num(l.correlation[i * p + j])).collect())
        .collect();
    let mut out = json!({
        "method": if cal.mcmc { "mcmc" } else { "least_squares" },
        "model": cal.model_name(),
        "dataset": cal.dataset,
        "points": m.points(),
        "residuals": l.residuals.len(),
        "parameters": params,
        "correlation": corr,
        "least_squares": {
            "cost": l.cost, "rms_residual": l.rms, "noise_sigma": l.sigma,
            "noise_sigma_given": cal.lsq.noise_sigma.is_some(),
            "iterations": l.iterations, "evaluations": l.evaluations,
            "converged": l.converged, "message": l.message,
        },
    });
    if let (Some(c), Some(q)) = (chain, q) {
        let acc = c.acceptance.iter().sum::<f64>() / c.walkers as f64;
        let s = &cal.sampler;
        out["mcmc"] = json!({
            "walkers": s.walkers, "steps": s.steps, "burn": s.burn, "thin": s.thin, "seed": s.seed,
            "stretch": s.stretch, "stored_per_walker": c.len, "evaluations": c.evaluations,
            "acceptance_fraction": acc,
            "max_r_hat": q.iter().map(|x| x.r_hat).fold(f64::NAN, f64::max),
            "min_ess": q.iter().map(|x| x.ess).fold(f64::NAN, f64::min),
            "max_tau": q.iter().map(|x| x.tau).fold(f64::NAN, f64::max),
            "noise_sigma": q.get(p).map(quantity_json),
        });
    }
    out
}

fn quantity_json(q: &Quantity) -> Value {
    json!({
        "mean": num(q.mean), "std": num(q.std), "median": num(q.median),
        "credible95": [num(q.q025), num(q.q975)],
        "tau": num(q.tau), "tau_reliable": q.tau_reliable, "r_hat": num(q.r_hat), "ess": num(q.ess),
    })
}

/// The printed result table.
fn table(params: &[Param], l: &LsqResult, q: Option<&[Quantity]>) -> String {
    let mut s = format!("  LSQ rms residual {:.4e}, sigma {:.4e}\n", l.rms, l.sigma);
    for (k, p) in params.iter().enumerate() {
        let _ = write!(
            s,
            "  {:<26} {:>12.5e} ± {:<10.3e} 95% [{:.4e}, {:.4e}] {}",
            p.name, l.theta[k], l.std_errors[k], l.intervals[k].0, l.intervals[k].1, p.unit
        );
        if let Some(q) = q {
            let x = &q[k];
            let _ = write!(
                s,
                " | posterior median {:.5e} [{:.4e}, {:.4e}] R-hat {:.3} ESS {:.0}",
                x.median, x.q025, x.q975, x.r_hat, x.ess
            );
        }
        s.push('\n');
    }
    s
}
