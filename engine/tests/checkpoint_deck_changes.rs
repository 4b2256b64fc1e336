//! A deck edited between a run and its restart: the end time, output, checkpoint and solver
//! tolerances may change; anything else is refused with exit 3 listing the keys unless
//! `--force` is given; a checkpoint of another mesh is refused even then.
mod common;
use common::*;
use std::path::{Path, PathBuf};

const DT: f64 = 1.0;
const CELLS: [usize; 3] = [8, 4, 4];

fn deck_text(end: f64) -> String {
    ck_box_deck(CELLS, end, DT, 2, 2)
}

/// A completed 6-step run (checkpoints at steps 4 and 6) in `dir/run`.
fn first_run(name: &str) -> (PathBuf, PathBuf) {
    let dir = tempdir(name);
    let deck = write_deck(&dir, "deck.toml", deck_text(6.0));
    let out = dir.join("run");
    let o = {
        let _g = mpi_lock();
        ck_run(1, &deck, &out, &["-q"])
    };
    assert_code(&o, 0, "first run");
    (dir, out)
}

fn restart_with(dir: &Path, out: &Path, text: &str, extra: &[&str]) -> std::process::Output {
    let deck = write_deck(dir, "deck.toml", text);
    let mut args = vec!["-q", "--restart", "latest"];
    args.extend_from_slice(extra);
    let _g = mpi_lock();
    ck_run(1, &deck, out, &args)
}

#[test]
fn later_end_time_is_accepted_and_matches_an_uninterrupted_run() {
    let (dir, out) = first_run("ckpt-deck-end");
    let o = restart_with(&dir, &out, &deck_text(10.0), &[]);
    assert_code(&o, 0, "restart with a later end time");
    assert!(
        stdout(&o).contains("Restart: deck change accepted: time.end: 6.0 -> 10.0"),
        "{}",
        describe(&o)
    );
    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["status"], "completed");
    assert_eq!(s["steps"].as_u64(), Some(10));
    let t = Csv::read(&out.join("monitors.csv")).column("time_s");
    assert_eq!(*t.last().unwrap(), 10.0);
    ck_assert_output_continuity(&out);
    // The same as running to 10 s at once (fixed dt: 6 s is a step boundary).
    let reference = dir.join("reference");
    let deck = write_deck(&dir, "deck-ref.toml", deck_text(10.0));
    let o = {
        let _g = mpi_lock();
        ck_run(1, &deck, &reference, &["-q"])
    };
    assert_code(&o, 0, "reference run to 10 s");
    ck_assert_h5_identical(&reference.join("fields.h5"), &out.join("fields.h5"), None);
    assert_eq!(
        std::fs::read(reference.join("monitors.csv")).unwrap(),
        std::fs::read(out.join("monitors.csv")).unwrap()
    );
}

#[test]
fn safe_changes_are_accepted() {
    let (dir, out) = first_run("ckpt-deck-safe");
    let t = deck_text(8.0);
    let t = set_key(&t, "[solver.linear]", "rtol", "rtol = 1e-11");
    let t = set_key(&t, "[output]", "interval", "interval = 2");
    let t = set_key(&t, "[checkpoint]", "keep", "keep = 3");
    let t = format!("# a comment added after the run\n{t}");
    let o = restart_with(&dir, &out, &t, &[]);
    assert_code(&o, 0, "restart with safe changes");
    let s = stdout(&o);
    for k in [
        "time.end",
        "solver.linear.rtol",
        "output.interval",
        "checkpoint.keep",
    ] {
        assert!(
            s.contains(&format!("Restart: deck change accepted: {k}:")),
            "`{k}` must be reported as an accepted change:\n{s}"
        );
    }
    assert_eq!(
        s.matches("deck change accepted").count(),
        4,
        "a comment is not a change:\n{s}"
    );
    ck_assert_output_continuity(&out);
}

#[test]
fn material_change_is_refused_unless_forced() {
    let (dir, out) = first_run("ckpt-deck-material");
    let t = set_key(&deck_text(8.0), "[materials.steel]", "k", "k = 16.0");
    let before = std::fs::read(out.join("monitors.csv")).unwrap();
    let o = restart_with(&dir, &out, &t, &[]);
    assert_code(&o, 3, "restart with another conductivity");
    let e = stderr(&o);
    assert!(e.contains("materials.steel.k: 15.0 -> 16.0"), "{e}");
    assert!(
        e.contains("--force"),
        "the refusal must mention --force:\n{e}"
    );
    assert!(
        !e.contains("time.end"),
        "a safe change is not listed among the refused ones:\n{e}"
    );
    assert_eq!(before, std::fs::read(out.join("monitors.csv")).unwrap());
    let o = restart_with(&dir, &out, &t, &["--force"]);
    assert_code(&o, 0, "forced restart with another conductivity");
    assert!(
        stderr(&o).contains("warning: --force") && stderr(&o).contains("materials.steel.k"),
        "{}",
        describe(&o)
    );
    assert_eq!(
        read_json(&out.join("summary.json"))["steps"].as_u64(),
        Some(8)
    );
    ck_assert_output_continuity(&out);
}

#[test]
fn time_step_change_is_refused() {
    let (dir, out) = first_run("ckpt-deck-dt");
    let t = set_key(&deck_text(6.0), "[time]", "dt", "dt = 0.5");
    let o = restart_with(&dir, &out, &t, &[]);
    assert_code(&o, 3, "restart with another dt");
    assert!(
        stderr(&o).contains("time.dt: 1.0 -> 0.5"),
        "{}",
        describe(&o)
    );
}

#[test]
fn mesh_change_is_refused_and_forced_fails_cleanly() {
    let (dir, out) = first_run("ckpt-deck-mesh");
    let t = set_key(&deck_text(8.0), "[mesh]", "nx", "nx = 10");
    let o = restart_with(&dir, &out, &t, &[]);
    assert_code(&o, 3, "restart with a finer mesh");
    assert!(stderr(&o).contains("mesh.nx: 8 -> 10"), "{}", describe(&o));
    let o = restart_with(&dir, &out, &t, &["--force"]);
    let code = o.status.code();
    assert!(
        code == Some(1) || code == Some(3),
        "a forced restart on another mesh must fail with 1 or 3\n{}",
        describe(&o)
    );
    assert!(
        stderr(&o).contains("belongs to another mesh"),
        "{}",
        describe(&o)
    );
    eprintln!("forced restart on another mesh (other DOF count): exit {code:?}");
    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["status"], "failed", "{s:#}");
    // Same number of unknowns, other positions: caught by the DOF coordinates.
    let t = set_key(&deck_text(8.0), "[mesh]", "x", "x = [0.0, 0.5]");
    let o = restart_with(&dir, &out, &t, &["--force"]);
    let code = o.status.code();
    assert!(code == Some(1) || code == Some(3), "{}", describe(&o));
    assert!(
        stderr(&o).contains("another position") && stderr(&o).contains("belongs to another mesh"),
        "{}",
        describe(&o)
    );
    eprintln!("forced restart on a moved mesh (same DOF count): exit {code:?}");
}

/// A fixed-dt run whose end is not a multiple of dt ends with a shortened step; extending the
/// end on restart must continue with the deck's dt (landing on the new end at the last step).
/// (Fails at present: the shortened step is stored as the next dt and kept for the rest of
/// the run, so 5.5 s -> 10 s takes nine 0.5 s steps.)
#[test]
fn later_end_time_after_a_shortened_last_step_keeps_the_deck_dt() {
    let dir = tempdir("ckpt-deck-sliver");
    let deck = write_deck(&dir, "deck.toml", ck_box_deck(CELLS, 5.5, DT, 1, 2));
    let out = dir.join("run");
    let o = {
        let _g = mpi_lock();
        ck_run(1, &deck, &out, &["-q"])
    };
    assert_code(&o, 0, "first run to 5.5 s");
    let o = restart_with(&dir, &out, &ck_box_deck(CELLS, 10.0, DT, 1, 2), &[]);
    assert_code(&o, 0, "restart to 10 s");
    let t = Csv::read(&out.join("monitors.csv")).column("time_s");
    assert_eq!(
        t,
        vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.5, 6.5, 7.5, 8.5, 9.5, 10.0],
        "output times of 0 -> 5.5 s, then restarted to 10 s with dt = 1 s"
    );
}
