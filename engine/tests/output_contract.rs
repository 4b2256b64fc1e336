//! The output-directory contract (docs/contracts.md): the files a run leaves, the residual
//! stream, console monitors, readers other than ours (meshio, h5dump), output-directory
//! safety and exit codes.
mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The cooldown example cut to a short, still nonlinear and adaptive transient.
fn short_cooldown(end: f64) -> String {
    let text = std::fs::read_to_string(examples_dir().join("thermal_link_cooldown.toml")).unwrap();
    set_key(&text, "[time]", "end", &format!("end = {end:?}"))
}

/// A small steady deck (fast) for directory-safety checks.
const STEADY: &str = r#"[mesh]
type = "interval"
nx = 8
x = [0.0, 1.0]

[materials.solid]
type = "constant"
k = 2.0
rho = 1.0
cp = 1.0
regions = ["domain"]

[physics]
type = "heat_conduction"

[bcs.ends]
type = "temperature"
boundary = ["left", "right"]
value = 300.0

[sources.q]
type = "volumetric"
regions = ["domain"]
value = 100.0
"#;

/// Name → (content, mtime) of every file under `dir`.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut m = BTreeMap::new();
    fn walk(d: &Path, m: &mut BTreeMap<PathBuf, (Vec<u8>, SystemTime)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, m);
            } else {
                let meta = std::fs::metadata(&p).unwrap();
                m.insert(
                    p.clone(),
                    (std::fs::read(&p).unwrap(), meta.modified().unwrap()),
                );
            }
        }
    }
    walk(dir, &mut m);
    m
}

fn num(v: &Value, key: &str, line: &Value) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` missing or not a number in {line}"))
}

/// Check `residuals.jsonl` against the contract; returns its events.
fn check_stream(dir: &Path, status: &str) -> Vec<Value> {
    let ev = read_jsonl(&dir.join("residuals.jsonl"));
    assert!(ev.len() >= 2, "stream too short: {ev:?}");
    let mut last_wall = 0.0;
    let mut current_step: Option<u64> = None;
    for (i, e) in ev.iter().enumerate() {
        assert!(e.is_object(), "{e}");
        assert_eq!(
            e["seq"].as_u64(),
            Some(i as u64),
            "seq must be 0, 1, 2, ...: {e}"
        );
        let wall = num(e, "wall_s", e);
        assert!(wall >= last_wall, "wall_s decreases at {e}");
        last_wall = wall;
        let kind = e["kind"].as_str().unwrap_or_else(|| panic!("no kind: {e}"));
        match kind {
            "step" => {
                current_step = Some(e["step"].as_u64().unwrap_or_else(|| panic!("{e}")));
                num(e, "time", e);
                assert!(num(e, "dt", e) >= 0.0, "{e}");
            }
            "nonlinear" => {
                assert_eq!(
                    e["step"].as_u64(),
                    current_step,
                    "nonlinear event outside its step: {e}"
                );
                assert!(e["it"].as_u64().is_some(), "{e}");
                assert!(num(e, "norm", e) >= 0.0, "{e}");
                num(e, "rel", e);
            }
            "linear" => {
                assert_eq!(e["step"].as_u64(), current_step, "{e}");
                assert!(
                    e["nl_it"].as_u64().is_some() && e["it"].as_u64().is_some(),
                    "{e}"
                );
                num(e, "norm", e);
            }
            // Documented in docs/contracts.md for restarted runs.
            "restart" => {
                assert!(e["step"].as_u64().is_some() && e["path"].is_string(), "{e}");
            }
            "checkpoint" => {
                assert!(e["step"].as_u64().is_some() && e["path"].is_string(), "{e}");
            }
            "progress" => {
                let f = num(e, "fraction", e);
                assert!((0.0..=1.0).contains(&f), "{e}");
                assert!(num(e, "eta_s", e) >= 0.0, "{e}");
            }
            "done" => {
                assert_eq!(i, ev.len() - 1, "`done` must be the last line: {e}");
                assert_eq!(e["status"], status, "{e}");
                assert!(e["message"].is_string(), "{e}");
            }
            other => panic!("unknown kind `{other}` in {e}"),
        }
    }
    assert_eq!(ev.last().unwrap()["kind"], "done");
    ev
}

/// Newton lines of the console as (iteration, norm), parsed leniently.
fn console_newton(stdout: &str) -> Vec<(u64, f64, String)> {
    stdout
        .lines()
        .filter(|l| l.contains(" Newton |R| = "))
        .map(|l| {
            let (it, norm) = l.split_once(" Newton |R| = ").unwrap();
            let it = it
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("bad line `{l}`"));
            let norm = norm
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("bad line `{l}`"));
            (it, norm, l.to_string())
        })
        .collect()
}

#[test]
fn a_run_writes_the_documented_outputs() {
    let dir = tempdir("contract-run");
    let text = short_cooldown(20.0);
    let deck = write_deck(&dir, "cooldown.toml", &text);
    let out_dir = dir.join("out");
    let out = {
        let _g = mpi_lock();
        run_deck(1, &deck, &out_dir, &[])
    };
    assert_code(&out, 0, "short cooldown");
    for f in [
        "deck.toml",
        "fields.xdmf",
        "fields.h5",
        "monitors.csv",
        "residuals.jsonl",
        "summary.json",
    ] {
        assert!(out_dir.join(f).is_file(), "missing {f}");
    }
    assert_eq!(
        std::fs::read_to_string(out_dir.join("deck.toml")).unwrap(),
        text,
        "deck.toml is not a copy"
    );

    let ev = check_stream(&out_dir, "completed");
    let mut steps: Vec<u64> = ev
        .iter()
        .filter(|e| e["kind"] == "step")
        .map(|e| e["step"].as_u64().unwrap())
        .collect();
    steps.dedup(); // a rejected step is retried under the same number
    assert!(
        steps.windows(2).all(|w| w[1] == w[0] + 1),
        "step numbers {steps:?}"
    );
    let last_progress = ev
        .iter()
        .rev()
        .find(|e| e["kind"] == "progress")
        .expect("progress events");
    assert_eq!(last_progress["fraction"], 1.0);

    let s = read_json(&out_dir.join("summary.json"));
    assert_eq!(s["status"], "completed", "{s}");
    assert_eq!(
        s["steps"].as_u64(),
        steps.last().copied(),
        "summary steps vs the stream: {s}"
    );
    assert_eq!(s["ranks"], 1);
    assert_eq!(s["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        s["message"].is_string() && s["unknowns"].as_u64() > Some(0),
        "{s}"
    );
    assert!(s["wall_s"].as_f64().is_some_and(|w| w >= 0.0), "{s}");

    // Every Newton event is on the console, in order, with the same norm (7 digits).
    let newton: Vec<&Value> = ev.iter().filter(|e| e["kind"] == "nonlinear").collect();
    let console = console_newton(&stdout(&out));
    assert_eq!(
        console.len(),
        newton.len(),
        "console Newton lines vs nonlinear events\n{}",
        stdout(&out)
    );
    for ((it, norm, line), e) in console.iter().zip(&newton) {
        assert_eq!(Some(*it), e["it"].as_u64(), "`{line}` vs {e}");
        let n = e["norm"].as_f64().unwrap();
        assert!((norm - n).abs() <= 1e-6 * n.abs(), "`{line}` vs {e}");
    }

    // monitors.csv: time_s first, unit-suffixed names, one row per field output.
    let m = Csv::read(&out_dir.join("monitors.csv"));
    assert_eq!(m.header[0], "time_s");
    for h in &m.header {
        assert!(
            ["s", "K", "J", "W"].contains(&unit_of(h)),
            "column `{h}` has no unit suffix"
        );
    }
    let fields = read_field_series(&out_dir, "temperature");
    assert_eq!(m.rows.len(), fields.len());
    assert_eq!(
        m.column("time_s").last().copied(),
        Some(20.0),
        "the final state is written"
    );

    // meshio reads the XDMF time series and finds what galvana-h5 reads.
    let script = r#"
import json, sys, meshio
r = meshio.xdmf.TimeSeriesReader(sys.argv[1])
points, cells = r.read_points_cells()
steps = []
for k in range(r.num_steps):
    t, pd, cd = r.read_data(k)
    steps.append({"time": float(t), "temperature": [float(v) for v in pd["temperature"]]})
print(json.dumps({"points": len(points), "cells": [[c.type, len(c.data)] for c in cells], "steps": steps}))
"#;
    let py = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(out_dir.join("fields.xdmf"))
        .output()
        .expect("python3 runs");
    assert_code(
        &py,
        0,
        "meshio reading fields.xdmf (needs python3 with meshio, h5py)",
    );
    let x: Value = serde_json::from_slice(&py.stdout).unwrap();
    let xs = x["steps"].as_array().unwrap();
    assert_eq!(xs.len(), fields.len(), "XDMF steps vs datasets");
    assert_eq!(x["points"].as_u64(), Some(fields[0].stored.len() as u64));
    assert_eq!(x["cells"], serde_json::json!([["hexahedron", 240]]));
    for (xstep, f) in xs.iter().zip(&fields) {
        assert!((xstep["time"].as_f64().unwrap() - f.time).abs() <= 1e-12 * f.time.max(1.0));
        let tv: Vec<f64> = xstep["temperature"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(
            rel_max_diff(&f.stored, &tv) <= 1e-15,
            "meshio and galvana-h5 disagree at {}",
            f.name
        );
    }

    // h5dump reads the file (an independent HDF5 reader).
    let h5 = std::process::Command::new("h5dump")
        .args(["-H"])
        .arg(out_dir.join("fields.h5"))
        .output()
        .expect("h5dump runs");
    assert_code(&h5, 0, "h5dump -H fields.h5");
    for name in [
        "original_dof",
        "geometry",
        "topology",
        "temperature",
        "000000",
    ] {
        assert!(stdout(&h5).contains(name), "h5dump does not show `{name}`");
    }
    let h5 = std::process::Command::new("h5dump")
        .args(["-d", "/mesh/original_dof"])
        .arg(out_dir.join("fields.h5"))
        .output()
        .unwrap();
    assert_code(&h5, 0, "h5dump -d /mesh/original_dof");
}

/// README: "one line per Newton iteration (`  2 Newton |R| = 3.100000e-09`)" — PETSc's
/// `%3D Newton |R| = %e` with a signed two-digit exponent.
#[test]
fn console_newton_lines_follow_the_documented_format() {
    let dir = tempdir("contract-console");
    let deck = write_deck(&dir, "steady.toml", STEADY);
    let out = run_deck(1, &deck, &dir.join("out"), &[]);
    assert_code(&out, 0, "steady");
    let lines: Vec<String> = console_newton(&stdout(&out))
        .into_iter()
        .map(|x| x.2)
        .collect();
    assert!(!lines.is_empty(), "{}", describe(&out));
    for l in lines {
        let (head, x) = l.split_once(" Newton |R| = ").unwrap();
        let b = x.as_bytes();
        // `%3d Newton |R| = d.dddddde±dd`
        let ok = head.len() == 3
            && head.trim_start().bytes().all(|c| c.is_ascii_digit())
            && b.len() == 12
            && b[0].is_ascii_digit()
            && b[1] == b'.'
            && b[2..8].iter().all(u8::is_ascii_digit)
            && b[8] == b'e'
            && (b[9] == b'+' || b[9] == b'-')
            && b[10..12].iter().all(u8::is_ascii_digit);
        assert!(ok, "`{l}` is not `  N Newton |R| = X.XXXXXXe±YY`");
    }
}

#[test]
fn an_explicit_output_directory_is_never_overwritten_silently() {
    let dir = tempdir("contract-outdir");
    let deck = write_deck(&dir, "steady.toml", STEADY);
    let out_dir = dir.join("results");
    let _g = mpi_lock();
    // An existing but empty directory is fine.
    std::fs::create_dir_all(&out_dir).unwrap();
    assert_code(&run_deck(1, &deck, &out_dir, &["-q"]), 0, "first run");
    let before = snapshot(&out_dir);
    assert!(before.len() >= 5, "{before:?}");
    for np in [1, 2] {
        let again = run_deck(np, &deck, &out_dir, &["-q"]);
        assert_code(
            &again,
            2,
            &format!("second run into the same --output ({np} rank(s))"),
        );
        assert!(
            stderr(&again).contains(&out_dir.display().to_string()),
            "the refusal must name the directory\n{}",
            describe(&again)
        );
        assert!(
            snapshot(&out_dir) == before,
            "a refused run changed {}",
            out_dir.display()
        );
    }
    // --overwrite: allowed, and the stream starts afresh rather than appending.
    let over = run_deck(1, &deck, &out_dir, &["-q", "--overwrite"]);
    assert_code(&over, 0, "--overwrite");
    let after = snapshot(&out_dir);
    let summary = out_dir.join("summary.json");
    assert!(
        after[&summary].1 > before[&summary].1,
        "--overwrite did not rewrite summary.json"
    );
    let ev = check_stream(&out_dir, "completed");
    assert_eq!(ev.iter().filter(|e| e["kind"] == "done").count(), 1);
}

#[test]
fn the_default_output_directory_gets_a_new_suffix() {
    let dir = tempdir("contract-default-outdir");
    write_deck(&dir, "steady.toml", STEADY);
    let first = galvana_in(&dir, &["run", "steady.toml", "-q"]);
    assert_code(&first, 0, "first run");
    let out1 = dir.join("steady.out");
    assert!(out1.join("summary.json").is_file(), "no {}", out1.display());
    let before = snapshot(&out1);
    let second = galvana_in(&dir, &["run", "steady.toml", "-q"]);
    assert_code(&second, 0, "second run");
    let out2 = dir.join("steady.out-2");
    assert!(
        out2.join("summary.json").is_file(),
        "second run did not go to {}",
        out2.display()
    );
    assert!(
        stdout(&second).contains("steady.out-2"),
        "{}",
        describe(&second)
    );
    assert!(
        snapshot(&out1) == before,
        "the second run touched the first run's directory"
    );
    assert_code(
        &galvana_in(&dir, &["run", "steady.toml", "-q"]),
        0,
        "third run",
    );
    assert!(dir.join("steady.out-3/summary.json").is_file());
}

#[test]
fn exit_codes_for_usage_and_invalid_decks() {
    let dir = tempdir("contract-exit");
    write_deck(&dir, "steady.toml", STEADY);
    write_deck(&dir, "bad.toml", STEADY.replace("nx = 8", "nx = \"eight\""));
    for (args, code) in [
        (vec!["frobnicate"], 2),
        (vec![], 2),
        (vec!["run"], 2),
        (vec!["check"], 2),
        (vec!["run", "steady.toml", "--bogus-flag"], 2),
        (vec!["check", "steady.toml", "--bogus-flag"], 2),
        (vec!["run", "steady.toml", "--backend", "cuda-magic"], 2),
        (vec!["example", "no_such_example"], 2),
        (vec!["--help"], 0),
        (vec!["--version"], 0),
        (vec!["example", "list"], 0),
        (vec!["docs"], 0),
        (vec!["check", "bad.toml"], 3),
        (vec!["run", "bad.toml"], 3),
        (vec!["run", "missing.toml"], 3),
        (vec!["check", "missing.toml"], 3),
    ] {
        let out = galvana_in(&dir, &args);
        assert_code(&out, code, &format!("galvana {}", args.join(" ")));
        assert!(!stderr(&out).contains("panicked"), "{}", describe(&out));
    }
    // Neither a usage error nor an invalid deck leaves an output directory behind.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    let v = galvana_in(&dir, &["--version"]);
    assert!(
        stdout(&v).contains(env!("CARGO_PKG_VERSION")),
        "{}",
        describe(&v)
    );
    // Under mpirun an invalid deck is exit 3 too.
    let _g = mpi_lock();
    let out = mpirun(2)
        .arg(galvana())
        .args(["run", "bad.toml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_code(&out, 3, "invalid deck on 2 ranks");
}

/// A run that fails: exit 1, `summary.json` status failed, and a final `done` line saying so.
fn expect_failed_run(case: &str, text: &str, np: usize) -> (Value, PathBuf) {
    let dir = tempdir(&format!("contract-fail-{case}-{np}"));
    let deck = write_deck(&dir, "fail.toml", text);
    let out_dir = dir.join("out");
    let out = {
        let _g = mpi_lock();
        run_deck(np, &deck, &out_dir, &["-q"])
    };
    assert_code(&out, 1, case);
    assert!(stderr(&out).contains("error:"), "{}", describe(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", describe(&out));
    let s = read_json(&out_dir.join("summary.json"));
    assert_eq!(s["status"], "failed", "{case}: {s}");
    assert_eq!(s["ranks"], np, "{case}: {s}");
    let ev = check_stream(&out_dir, "failed");
    assert_eq!(ev.last().unwrap()["message"], s["message"], "{case}");
    assert!(!s["message"].as_str().unwrap().is_empty());
    (s, out_dir)
}

#[test]
fn failed_runs_exit_1_and_say_so() {
    let base = short_cooldown(20.0);
    // Newton cannot converge in one iteration; steps are cut until dt_min.
    let one_it = set_key(&base, "[solver.nonlinear]", "max_it", "max_it = 1");
    let one_it = set_key(&one_it, "[solver.nonlinear]", "rtol", "rtol = 1e-12");
    let (s, _) = expect_failed_run("newton", &one_it, 1);
    assert!(s["message"].as_str().unwrap().contains("dt_min"), "{s}");
    // dt_min as large as dt: the first failure cannot be recovered from.
    let no_cut = set_key(&one_it, "[time]", "dt_min", "dt_min = 1.0");
    expect_failed_run("dt-min", &no_cut, 1);
    expect_failed_run("newton", &one_it, 2);
}

/// After a failure `summary.json` still reports what was done: the steps completed before it.
#[test]
fn a_failed_run_reports_the_steps_it_completed() {
    let text = set_key(
        &short_cooldown(20.0),
        "[time]",
        "adaptive",
        "adaptive = false",
    );
    let text = text.replace("[time]\n", "[time]\nmax_steps = 3\n");
    let (s, out_dir) = expect_failed_run("max-steps", &text, 1);
    let m = Csv::read(&out_dir.join("monitors.csv"));
    assert!(!m.rows.is_empty());
    assert_eq!(
        s["steps"], 3,
        "summary.json after failing at max_steps = 3: {s}"
    );
}

/// `[output] monitors = false` (documented in the deck reference) suppresses monitors.csv.
#[test]
fn output_monitors_false_writes_no_monitors_csv() {
    let dir = tempdir("contract-no-monitors");
    let deck = write_deck(
        &dir,
        "steady.toml",
        format!("{STEADY}\n[output]\nmonitors = false\n"),
    );
    let out = run_deck(1, &deck, &dir.join("out"), &["-q"]);
    assert_code(&out, 0, "monitors = false");
    assert!(dir.join("out/summary.json").is_file());
    assert!(
        !dir.join("out/monitors.csv").exists(),
        "monitors.csv written despite monitors = false"
    );
}
