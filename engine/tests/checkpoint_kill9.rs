//! The kill -9 trial (issue acceptance: "passes 50/50").
//!
//! A linear 3D box with a fixed time step checkpoints after every step (`interval_steps = 1`,
//! fields written every step too). Each trial starts it serially or on 2 ranks, kills every
//! rank with SIGKILL at a moment drawn uniformly over the duration of an uninterrupted run
//! (seeded; set `GALVANA_KILL_SEED` to replay), and then checks:
//! - every `ckpt-*.h5` that `galvana checkpoint list` calls valid holds exactly the state an
//!   uninterrupted run checkpointed at that step (`h5diff` of `/state`, `/mesh`, `/output`),
//!   and none is listed as damaged (publication is by rename, so none may be);
//! - `latest`, when present, names a valid checkpoint;
//! - `--restart latest` with the end time moved to two steps after the newest valid checkpoint
//!   succeeds, its outputs are continuous, and its last state, last field output and
//!   `monitors.csv` equal the uninterrupted run's bit for bit;
//! - with no checkpoint yet, the restart fails cleanly: exit 3 naming "no checkpoint".
//!
//! A second test aims 8 kills at checkpoint writes (the moment a `.ckpt-<step>.h5.tmp`
//! appears), which uniform kills hit only a few times in 50, and checks the same.
//!
//! The statistics (where the kills landed) are printed and written to `kill9-report.txt` and
//! `kill9-during-write-report.txt` under the test directory; run with `--nocapture` to see them.
mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TRIALS: usize = 50;
const CELLS: [usize; 3] = [24, 12, 12];
const STEPS: u64 = 20;
const DT: f64 = 1.0;
const TIMEOUT: f64 = 300.0;
const DEFAULT_SEED: u64 = 0x6b69_6c6c_2d39; // "kill-9"

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Killed before any checkpoint was published.
    BeforeFirstCheckpoint,
    /// A `.ckpt-<step>.h5.tmp` was left behind: killed while a checkpoint was being written.
    DuringCheckpointWrite,
    /// A `latest.tmp.*` was left behind: killed while `latest` was being replaced.
    DuringLatestUpdate,
    /// Killed between checkpoint writes (solving, writing fields, ...).
    BetweenWrites,
    /// The run had already finished when the kill was sent.
    AfterCompletion,
}

/// When a trial's run is killed.
#[derive(Clone, Copy, Debug)]
enum Trigger {
    /// This many seconds after it was started.
    At(f64),
    /// As soon as the temporary file of the checkpoint of step >= n is seen.
    DuringWrite(u64),
}

struct Reference {
    dir: PathBuf,
    wall_s: f64,
}

/// An uninterrupted run keeping every checkpoint, and its wall time (process start to exit).
fn reference(base: &Path, np: usize) -> Reference {
    let deck = write_deck(
        base,
        &format!("reference-np{np}.toml"),
        ck_box_deck(CELLS, STEPS as f64 * DT, DT, 1, 1000),
    );
    let dir = base.join(format!("reference-np{np}"));
    let t0 = Instant::now();
    let o = ck_run(np, &deck, &dir, &["-q"]);
    let wall_s = t0.elapsed().as_secs_f64();
    assert_code(&o, 0, &format!("reference run on {np} rank(s)"));
    assert_eq!(
        ck_checkpoints(&dir.join("checkpoints")).len(),
        STEPS as usize,
        "the reference keeps one checkpoint per step"
    );
    Reference { dir, wall_s }
}

/// `galvana checkpoint list DIR` parsed into (file name, step, valid) rows.
fn list(cwd: &Path, ckdir: &Path) -> (Option<i32>, Vec<(String, u64, bool)>, String) {
    let o = galvana_in(cwd, &["checkpoint", "list", ckdir.to_str().unwrap()]);
    let text = stdout(&o);
    let rows = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let name = w.next()?.to_string();
            let step = l
                .split("step")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            let valid = l.contains(" valid");
            assert!(
                valid || l.contains("DAMAGED"),
                "unexpected `checkpoint list` line: {l}"
            );
            Some((name, step, valid))
        })
        .collect();
    (o.status.code(), rows, format!("{text}{}", stderr(&o)))
}

struct Trial {
    np: usize,
    /// The duration the kill moment was drawn over.
    span: f64,
    kill_at: f64,
    /// When the run ended on its own before the kill: how long it took.
    finished_after: Option<f64>,
    phase: Phase,
    valid: usize,
    restart_from: Option<u64>,
}

fn lines_prefix(path: &Path, n: usize) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .take(n)
        .map(str::to_string)
        .collect()
}

#[allow(clippy::too_many_lines)]
fn trial(
    base: &Path,
    k: usize,
    np: usize,
    span: f64,
    trigger: Trigger,
    reference: &Reference,
) -> Trial {
    let dir = base.join(format!("trial-{k:02}-np{np}"));
    std::fs::create_dir_all(&dir).unwrap();
    let deck = write_deck(
        &dir,
        "deck.toml",
        ck_box_deck(CELLS, STEPS as f64 * DT, DT, 1, 2),
    );
    let out = dir.join("out");
    // Present from the start, as a batch script's output directory would be, so that even a
    // kill before the engine got going leaves something `--restart` can look at.
    std::fs::create_dir_all(&out).unwrap();
    let ckdir = out.join("checkpoints");
    let mut run = ck_spawn(np, &deck, &out, &[], &dir.join("killed.log"));
    let t0 = Instant::now();
    let mut finished_first = false;
    let mut finished_after = None;
    // Aimed kills must be quick: look the rank processes up before the moment comes.
    let mut known_pids = Vec::new();
    if matches!(trigger, Trigger::DuringWrite(_)) && np > 1 {
        while known_pids.len() < np && !run.has_exited() {
            known_pids = run.rank_pids();
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    loop {
        if run.has_exited() {
            finished_first = true;
            finished_after = Some(t0.elapsed().as_secs_f64());
            break;
        }
        match trigger {
            Trigger::At(t) => {
                if t0.elapsed().as_secs_f64() >= t {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            Trigger::DuringWrite(n) => {
                let hit = std::fs::read_dir(&ckdir).ok().is_some_and(|rd| {
                    rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                        .filter_map(|f| {
                            f.strip_prefix(".ckpt-")?
                                .strip_suffix(".h5.tmp")?
                                .parse::<u64>()
                                .ok()
                        })
                        .any(|s| s >= n)
                });
                if hit {
                    break;
                }
                assert!(
                    t0.elapsed().as_secs_f64() < TIMEOUT,
                    "trial {k}: no checkpoint of step {n} being written"
                );
            }
        }
    }
    let kill_at = t0.elapsed().as_secs_f64();
    if !finished_first {
        // Every rank and, in parallel, mpirun itself at once: the whole allocation dies.
        let mut pids = if known_pids.is_empty() {
            run.rank_pids()
        } else {
            known_pids
        };
        if np > 1 {
            pids.push(run.pid());
        }
        ck_signal(&pids, "KILL");
    }
    let (code, _) = run.wait(TIMEOUT);
    if finished_first {
        assert_eq!(
            code,
            Some(0),
            "trial {k}: the run ended on its own but failed"
        );
    }
    // A rank forked just as mpirun died would be left running: find it by its output path
    // (a few times, in case one is still being started).
    for _ in 0..5 {
        let strays: Vec<u32> = Command::new("pgrep")
            .arg("-f")
            .arg(out.to_str().unwrap())
            .output()
            .map(|o| stdout(&o))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect();
        if strays.is_empty() {
            break;
        }
        eprintln!("trial {k}: killing stray processes {strays:?}");
        ck_signal(&strays, "KILL");
        std::thread::sleep(Duration::from_millis(200));
    }

    // What was left behind.
    let names: Vec<String> = std::fs::read_dir(&ckdir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    let tmp = names.iter().any(|n| n.ends_with(".h5.tmp"));
    let latest_tmp = names.iter().any(|n| n.starts_with("latest.tmp"));
    let files = ck_checkpoints(&ckdir);
    let phase = if finished_first {
        Phase::AfterCompletion
    } else if tmp {
        Phase::DuringCheckpointWrite
    } else if latest_tmp {
        Phase::DuringLatestUpdate
    } else if files.is_empty() {
        Phase::BeforeFirstCheckpoint
    } else {
        Phase::BetweenWrites
    };
    let what = format!("trial {k} ({np} rank(s), killed at {kill_at:.3} s, {phase:?})");

    // Every checkpoint the engine calls valid must really be the state of that step.
    let (list_code, rows, list_text) = list(base, &ckdir);
    let valid: Vec<u64> = rows.iter().filter(|r| r.2).map(|r| r.1).collect();
    assert!(
        rows.iter().all(|r| r.2),
        "{what}: a published checkpoint is damaged:\n{list_text}"
    );
    assert_eq!(
        rows.len(),
        files.len(),
        "{what}: list vs files\n{list_text}"
    );
    if files.is_empty() {
        assert_eq!(list_code, Some(3), "{what}: list of an empty directory");
    } else {
        assert_eq!(list_code, Some(0), "{what}\n{list_text}");
    }
    for &s in &valid {
        let ours = ckdir.join(format!("ckpt-{s}.h5"));
        let theirs = reference.dir.join(format!("checkpoints/ckpt-{s}.h5"));
        for obj in ["/state", "/mesh", "/output"] {
            let o = ck_h5diff(&theirs, &ours, Some(obj));
            assert_eq!(
                o.status.code(),
                Some(0),
                "{what}: ckpt-{s}.h5 is called valid but {obj} differs from the uninterrupted run's\n{}",
                describe(&o)
            );
        }
    }
    if let Some(l) = ck_latest(&ckdir) {
        assert!(
            rows.iter().any(|r| r.0 == l && r.2),
            "{what}: `latest` names {l}, which is not a valid checkpoint\n{list_text}"
        );
    }

    // Restart, two steps past the newest valid checkpoint.
    let restart_from = valid.iter().max().copied();
    let Some(smax) = restart_from else {
        let o = ck_run(np, &deck, &out, &["-q", "--restart", "latest"]);
        assert_code(&o, 3, &format!("{what}: restart without a checkpoint"));
        assert!(
            stderr(&o).contains("no checkpoint"),
            "{what}: the refusal must say there is no checkpoint\n{}",
            describe(&o)
        );
        return Trial {
            np,
            span,
            kill_at,
            finished_after,
            phase,
            valid: 0,
            restart_from: None,
        };
    };
    let end_step = (smax + 2).min(STEPS);
    let text = std::fs::read_to_string(&deck).unwrap();
    let text = set_key(
        &text,
        "[time]",
        "end",
        &format!("end = {:?}", end_step as f64 * DT),
    );
    let deck2 = write_deck(&dir, "deck-restart.toml", text);
    let o = ck_run(np, &deck2, &out, &["-q", "--restart", "latest"]);
    assert_code(&o, 0, &format!("{what}: restart"));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["status"], "completed", "{what}");
    assert_eq!(summary["steps"].as_u64(), Some(end_step), "{what}");
    ck_assert_output_continuity(&out);
    // Bitwise the uninterrupted run: the last state, the last field output, every monitor row.
    let last = ckdir.join(format!("ckpt-{end_step}.h5"));
    ck_assert_h5_identical(
        &reference
            .dir
            .join(format!("checkpoints/ckpt-{end_step}.h5")),
        &last,
        Some("/state"),
    );
    ck_assert_h5_identical(
        &reference.dir.join("fields.h5"),
        &out.join("fields.h5"),
        Some(&format!("/fields/temperature/{end_step:06}")),
    );
    let n = end_step as usize + 2; // header, t = 0, steps 1..=end_step
    let got = std::fs::read_to_string(out.join("monitors.csv")).unwrap();
    assert_eq!(got.lines().count(), n, "{what}: monitors.csv rows");
    assert_eq!(
        lines_prefix(&out.join("monitors.csv"), n),
        lines_prefix(&reference.dir.join("monitors.csv"), n),
        "{what}: monitors.csv differs from the uninterrupted run's"
    );
    let ev = read_jsonl(&out.join("residuals.jsonl"));
    let r = ev.iter().rev().find(|e| e["kind"] == "restart").unwrap();
    let from = r["step"].as_u64().unwrap();
    assert!(
        valid.contains(&from),
        "{what}: restarted from step {from}, not a valid checkpoint"
    );
    Trial {
        np,
        span,
        kill_at,
        finished_after,
        phase,
        valid: valid.len(),
        restart_from: Some(from),
    }
}

/// The two uninterrupted reference runs (1 and 2 ranks), shared by the tests of this file.
fn references() -> &'static (PathBuf, [Reference; 2]) {
    static REFS: std::sync::OnceLock<(PathBuf, [Reference; 2])> = std::sync::OnceLock::new();
    REFS.get_or_init(|| {
        let base = tempdir("ckpt-kill9");
        let _g = mpi_lock();
        let refs = [reference(&base, 1), reference(&base, 2)];
        (base, refs)
    })
}

fn seed() -> u64 {
    std::env::var("GALVANA_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

#[test]
fn kill9_trials_50_of_50() {
    let (base, refs) = references();
    let base = base.join("uniform");
    let seed = seed();
    let mut rng = CkRng(seed);
    let _g = mpi_lock();
    // The span the kill moment is drawn over: the reference's wall time, lowered to the
    // duration of any trial run that ended before its kill (the reference may have been slowed
    // by other work on the machine).
    let mut span = [refs[0].wall_s, refs[1].wall_s];
    let t_all = Instant::now();
    let mut trials = Vec::new();
    for k in 0..TRIALS {
        let np = if k % 2 == 0 { 1 } else { 2 };
        let r = &refs[np - 1];
        let kill_at = rng.uniform() * span[np - 1];
        let t = trial(&base, k, np, span[np - 1], Trigger::At(kill_at), r);
        if let Some(d) = t.finished_after {
            span[np - 1] = span[np - 1].min(d);
        }
        trials.push(t);
    }
    let mut report = format!(
        "kill -9 trials: {TRIALS}, seed {seed} (GALVANA_KILL_SEED), mesh {CELLS:?} cells, {STEPS} steps, checkpoint every step\n\
         uninterrupted wall time: 1 rank {:.2} s, 2 ranks {:.2} s; trials took {:.1} s\n\n\
         trial ranks span_s kill_at_s phase                   valid_ckpts restart_from\n",
        refs[0].wall_s,
        refs[1].wall_s,
        t_all.elapsed().as_secs_f64()
    );
    for (k, t) in trials.iter().enumerate() {
        report.push_str(&format!(
            "{k:5} {:5} {:6.2} {:9.3} {:<23} {:11} {}\n",
            t.np,
            t.span,
            t.kill_at,
            format!("{:?}", t.phase),
            t.valid,
            t.restart_from
                .map(|s| s.to_string())
                .unwrap_or_else(|| "- (exit 3: no checkpoint)".into())
        ));
    }
    report.push_str("\nphase                   1 rank  2 ranks  total\n");
    for ph in [
        Phase::BeforeFirstCheckpoint,
        Phase::DuringCheckpointWrite,
        Phase::DuringLatestUpdate,
        Phase::BetweenWrites,
        Phase::AfterCompletion,
    ] {
        let c = |np: usize| {
            trials
                .iter()
                .filter(|t| t.phase == ph && t.np == np)
                .count()
        };
        report.push_str(&format!(
            "{:<23} {:6} {:8} {:6}\n",
            format!("{ph:?}"),
            c(1),
            c(2),
            c(1) + c(2)
        ));
    }
    report.push_str(&format!("passed {}/{TRIALS}\n", trials.len()));
    std::fs::write(base.join("kill9-report.txt"), &report).unwrap();
    eprintln!("{report}");
}

/// Kills aimed at checkpoint writes: each run is killed the moment the temporary file of a
/// (seeded random) step's checkpoint appears, so the `.tmp` is left behind half-written.
#[test]
fn kill9_during_checkpoint_writes() {
    let (base, refs) = references();
    let base = base.join("during-write");
    let seed = seed() ^ 0x5757;
    let mut rng = CkRng(seed);
    let _g = mpi_lock();
    let mut lines = Vec::new();
    let mut during = 0;
    for k in 0..8 {
        let np = 1 + k % 2;
        let n = 1 + (rng.uniform() * (STEPS - 1) as f64) as u64;
        let t = trial(&base, k, np, 0.0, Trigger::DuringWrite(n), &refs[np - 1]);
        if t.phase == Phase::DuringCheckpointWrite {
            during += 1;
        }
        lines.push(format!(
            "trial {k}: {np} rank(s), aimed at the write of step {n}: {:?}, {} valid, restarted from {:?}",
            t.phase, t.valid, t.restart_from
        ));
    }
    let report = format!(
        "kill -9 during checkpoint writes (seed {seed}): {during}/8 left a .tmp behind\n{}\n",
        lines.join("\n")
    );
    std::fs::write(base.join("kill9-during-write-report.txt"), &report).unwrap();
    eprintln!("{report}");
    assert!(
        during >= 4,
        "most kills aimed at a checkpoint write should land in it\n{report}"
    );
}
