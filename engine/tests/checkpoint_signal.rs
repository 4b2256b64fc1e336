//! Checkpoint on a signal and restart (issue acceptance: "a transient example deck stopped by
//! SIGTERM mid-run and restarted gives results bitwise equal to the uninterrupted run, and a
//! 4-rank checkpoint restarts on 2 ranks").
//!
//! Each test runs the cooldown example (nonlinear, adaptive BDF2) once uninterrupted and once
//! stopped by a signal as soon as the first periodic checkpoint has appeared in
//! `residuals.jsonl` (polled, not slept for), then restarts it with `--restart latest` and
//! compares the output directories.
mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Simulated seconds of the cooldown run (about 50 adaptive steps).
const END: f64 = 120.0;
/// Seconds to wait for any single run before declaring it hung.
const TIMEOUT: f64 = 300.0;

struct Case {
    dir: PathBuf,
    deck: PathBuf,
}

fn case(name: &str) -> Case {
    let dir = tempdir(name);
    let deck = write_deck(&dir, "cooldown.toml", ck_cooldown_deck(END, 5, 2));
    Case { dir, deck }
}

/// An uninterrupted run on `np` ranks into `dir/name`.
fn uninterrupted(c: &Case, np: usize, name: &str) -> PathBuf {
    let out = c.dir.join(name);
    let o = {
        let _g = mpi_lock();
        ck_run(np, &c.deck, &out, &["-q"])
    };
    assert_code(&o, 0, &format!("uninterrupted run on {np} rank(s)"));
    out
}

/// Start a run (or a restart, with `extra`) on `np` ranks, wait until it has written
/// `checkpoints_before` + 1 checkpoint events, send `sig`, and check it stops with exit 75
/// and a checkpoint of the step it stopped at. Returns that step.
fn stop_by_signal(
    c: &Case,
    np: usize,
    out: &Path,
    extra: &[&str],
    sig: &str,
    checkpoints_before: usize,
) -> u64 {
    let log = c.dir.join(format!(
        "{}-stop{checkpoints_before}.log",
        out.file_name().unwrap().to_str().unwrap()
    ));
    let (code, text) = {
        let _g = mpi_lock();
        let mut run = ck_spawn(np, &c.deck, out, extra, &log);
        assert!(
            run.wait_for_event("checkpoint", checkpoints_before + 1, TIMEOUT),
            "the run ended before its first periodic checkpoint:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        run.signal(sig);
        run.wait(TIMEOUT)
    };
    assert_eq!(
        code,
        Some(75),
        "SIG{sig} must stop the run with exit 75; output:\n{text}"
    );
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["status"], "checkpointed", "{summary:#}");
    let step = summary["steps"].as_u64().unwrap();
    assert!(
        summary["message"]
            .as_str()
            .unwrap()
            .contains("--restart latest"),
        "{summary:#}"
    );
    let ev = read_jsonl(&out.join("residuals.jsonl"));
    let last = ev.last().unwrap();
    assert_eq!(last["kind"], "done", "{last}");
    assert_eq!(last["status"], "checkpointed", "{last}");
    let ck = &ev[ev.len() - 2];
    assert_eq!(
        ck["kind"], "checkpoint",
        "the event before `done` must be the signal's checkpoint: {ck}"
    );
    assert_eq!(ck["step"].as_u64(), Some(step), "{ck}");
    let ckdir = out.join("checkpoints");
    assert_eq!(
        ck_latest(&ckdir).as_deref(),
        Some(format!("ckpt-{step}.h5").as_str()),
        "`latest` must name the checkpoint of the stop"
    );
    let insp = galvana_in(
        &c.dir,
        &[
            "checkpoint",
            "inspect",
            ckdir.join(format!("ckpt-{step}.h5")).to_str().unwrap(),
        ],
    );
    assert_code(&insp, 0, "checkpoint inspect of the signal checkpoint");
    assert!(
        stdout(&insp).contains(&format!("on {np} rank(s)")),
        "{}",
        stdout(&insp)
    );
    step
}

fn restart(c: &Case, np: usize, out: &Path) {
    let o = {
        let _g = mpi_lock();
        ck_run(np, &c.deck, out, &["-q", "--restart", "latest"])
    };
    assert_code(&o, 0, &format!("restart on {np} rank(s)"));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["status"], "completed", "{summary:#}");
    assert_eq!(summary["ranks"].as_u64(), Some(np as u64));
    assert!(
        summary["restarted_from"].is_string(),
        "summary.json must say where the run restarted from: {summary:#}"
    );
}

/// The residual stream of a stopped-and-restarted run: seq strictly increasing (checked by
/// `ck_assert_output_continuity`), one `restart` event per restart right after the previous
/// segment's `done`, and the `step` events of all segments covering 1..=N with each step
/// begun again at most by the segment after a stop (no step missing).
fn check_stream(events: &[Value], stops: &[u64], total_steps: u64) {
    let restarts: Vec<&Value> = events.iter().filter(|e| e["kind"] == "restart").collect();
    assert_eq!(
        restarts.len(),
        stops.len(),
        "one `restart` event per restart"
    );
    for (r, &s) in restarts.iter().zip(stops) {
        assert_eq!(r["step"].as_u64(), Some(s), "{r}");
        assert!(
            r["path"]
                .as_str()
                .unwrap()
                .ends_with(&format!("ckpt-{s}.h5")),
            "{r}"
        );
    }
    let dones: Vec<&Value> = events.iter().filter(|e| e["kind"] == "done").collect();
    assert_eq!(dones.len(), stops.len() + 1);
    assert_eq!(dones.last().unwrap()["status"], "completed");
    assert_eq!(events.last().unwrap()["kind"], "done");
    // Accepted steps: the last `step` event of each step number before the next one.
    let mut seen = std::collections::BTreeSet::new();
    for e in events.iter().filter(|e| e["kind"] == "step") {
        seen.insert(e["step"].as_u64().unwrap());
    }
    let want: std::collections::BTreeSet<u64> = (1..=total_steps).collect();
    assert_eq!(seen, want, "step events must cover 1..={total_steps}");
    // After each restart the first step is the one after the checkpoint.
    for (k, e) in events.iter().enumerate() {
        if e["kind"] == "restart" {
            let next = events[k..].iter().find(|x| x["kind"] == "step").unwrap();
            assert_eq!(
                next["step"].as_u64(),
                Some(e["step"].as_u64().unwrap() + 1),
                "{next}"
            );
        }
    }
}

/// Outputs that must be byte-identical between an uninterrupted run and a stopped-and-restarted
/// one on the same rank count.
fn assert_bitwise_equal(reference: &Path, restarted: &Path) {
    ck_assert_h5_identical(
        &reference.join("fields.h5"),
        &restarted.join("fields.h5"),
        None,
    );
    for f in ["fields.xdmf", "monitors.csv"] {
        let a = std::fs::read(reference.join(f)).unwrap();
        let b = std::fs::read(restarted.join(f)).unwrap();
        assert!(
            a == b,
            "{f} differs between the uninterrupted and the restarted run\n--- uninterrupted:\n{}\n--- restarted:\n{}",
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b)
        );
    }
    let (sa, sb) = (
        read_json(&reference.join("summary.json")),
        read_json(&restarted.join("summary.json")),
    );
    assert_eq!(sa["steps"], sb["steps"]);
    assert_eq!(sa["final_postprocessors"], sb["final_postprocessors"]);
}

#[test]
fn sigterm_serial_twice_then_restart_is_bitwise_identical() {
    let c = case("ckpt-sigterm-serial");
    let reference = uninterrupted(&c, 1, "reference");
    let out = c.dir.join("stopped");
    // Stop, restart, stop again (after the restarted segment's first periodic checkpoint),
    // restart to the end.
    let s1 = stop_by_signal(&c, 1, &out, &[], "TERM", 0);
    let n1 = read_jsonl(&out.join("residuals.jsonl"))
        .iter()
        .filter(|e| e["kind"] == "checkpoint")
        .count();
    let s2 = stop_by_signal(&c, 1, &out, &["--restart", "latest"], "TERM", n1);
    assert!(
        s2 > s1,
        "the second stop ({s2}) must come after the first ({s1})"
    );
    restart(&c, 1, &out);
    assert_bitwise_equal(&reference, &out);
    let ev = ck_assert_output_continuity(&out);
    let total = read_json(&reference.join("summary.json"))["steps"]
        .as_u64()
        .unwrap();
    check_stream(&ev, &[s1, s2], total);
}

#[test]
fn sigusr1_to_mpirun_two_ranks_restart_is_bitwise_identical() {
    let c = case("ckpt-sigusr1-np2");
    let reference = uninterrupted(&c, 2, "reference");
    let out = c.dir.join("stopped");
    let s1 = stop_by_signal(&c, 2, &out, &[], "USR1", 0);
    restart(&c, 2, &out);
    assert_bitwise_equal(&reference, &out);
    let ev = ck_assert_output_continuity(&out);
    let total = read_json(&reference.join("summary.json"))["steps"]
        .as_u64()
        .unwrap();
    check_stream(&ev, &[s1], total);
}

/// Stop on `np_stop` ranks, restart on `np_restart`, compare with an uninterrupted run on
/// `np_stop` ranks to 1e-10 relative (fields at every output time and all monitors).
fn across_rank_counts(name: &str, np_stop: usize, np_restart: usize) {
    let c = case(name);
    let reference = uninterrupted(&c, np_stop, "reference");
    let out = c.dir.join("stopped");
    let sig = if np_stop == 1 { "TERM" } else { "USR1" };
    let s1 = stop_by_signal(&c, np_stop, &out, &[], sig, 0);
    restart(&c, np_restart, &out);
    let ev = ck_assert_output_continuity(&out);
    let (sa, sb) = (
        read_json(&reference.join("summary.json")),
        read_json(&out.join("summary.json")),
    );
    let total = sa["steps"].as_u64().unwrap();
    assert_eq!(
        sb["steps"].as_u64(),
        Some(total),
        "the restart on {np_restart} ranks took another number of adaptive steps"
    );
    check_stream(&ev, &[s1], total);
    let fa = read_field_series(&reference, "temperature");
    let fb = read_field_series(&out, "temperature");
    assert_eq!(fa.len(), fb.len(), "numbers of field outputs");
    for (a, b) in fa.iter().zip(&fb) {
        assert!(
            (a.time - b.time).abs() <= 1e-10 * a.time.abs().max(1.0),
            "output {}: time {} vs {}",
            a.name,
            a.time,
            b.time
        );
        let d = rel_max_diff(&a.original, &b.original);
        assert!(
            d <= 1e-10,
            "output {} (t = {}): {np_stop}-rank reference and {np_stop}->{np_restart} restart differ by {d:.3e} relative",
            a.name,
            a.time
        );
    }
    let last = fa.last().unwrap();
    assert!(
        (last.time - END).abs() < 1e-9 * END,
        "the final output must be at the end time, got {}",
        last.time
    );
    assert_monitors_agree(
        &Csv::read(&reference.join("monitors.csv")),
        &Csv::read(&out.join("monitors.csv")),
        1e-10,
        &format!("monitors.csv, {np_stop} ranks vs {np_stop}->{np_restart}"),
    );
}

#[test]
fn four_rank_checkpoint_restarts_on_two_ranks() {
    across_rank_counts("ckpt-np4-to-np2", 4, 2);
}

#[test]
fn one_rank_checkpoint_restarts_on_three_ranks() {
    across_rank_counts("ckpt-np1-to-np3", 1, 3);
}

#[test]
fn sigint_checkpoints_and_a_second_signal_stops_at_once() {
    let c = case("ckpt-sigint");
    // One SIGINT: like SIGTERM.
    let out = c.dir.join("once");
    stop_by_signal(&c, 1, &out, &[], "INT", 0);
    // Two SIGTERMs in quick succession: the second ends the process at once, without the
    // signal checkpoint (only periodic ones exist) and without exit 75.
    let out2 = c.dir.join("twice");
    let deck = write_deck(&c.dir, "rare.toml", ck_cooldown_deck(END, 1000, 2));
    let log = c.dir.join("twice.log");
    let (code, text, elapsed) = {
        let _g = mpi_lock();
        let mut run = ck_spawn(1, &deck, &out2, &[], &log);
        assert!(run.wait_for_event("step", 3, TIMEOUT), "run ended early");
        let t0 = std::time::Instant::now();
        run.signal("TERM");
        run.signal("TERM");
        let (code, text) = run.wait(TIMEOUT);
        (code, text, t0.elapsed().as_secs_f64())
    };
    assert!(
        code != Some(75) && code != Some(0),
        "a second SIGTERM must end the run at once, not checkpoint it (exit {code:?}):\n{text}"
    );
    assert!(elapsed < 10.0, "took {elapsed} s to stop");
    assert!(
        ck_checkpoints(&out2.join("checkpoints")).is_empty(),
        "no checkpoint may be written after the second signal"
    );
    eprintln!("second SIGTERM: exit {code:?} after {elapsed:.3} s");
}
