//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A fresh directory under the target dir's test scratch space.
pub fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("galvana-sched")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn sched_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_galvana-sched"))
}

/// The real `galvana` binary of this profile (next to `galvana-sched`); built with
/// `cargo build -p galvana-engine` when missing.
pub fn galvana() -> PathBuf {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let exe = sched_exe().parent().unwrap().join("galvana");
    ONCE.call_once(|| {
        if exe.is_file() {
            return;
        }
        let release = exe.components().any(|c| c.as_os_str() == "release");
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args(["build", "-p", "galvana-engine"])
            .current_dir(workspace());
        if release {
            cmd.arg("--release");
        }
        eprintln!("building the galvana binary: {cmd:?}");
        let st = cmd.status().expect("run cargo build -p galvana-engine");
        assert!(st.success(), "cargo build -p galvana-engine failed");
    });
    assert!(
        exe.is_file(),
        "{} missing (cargo build -p galvana-engine)",
        exe.display()
    );
    exe
}

/// A copy of the thermal-link example with another end time, rank count and walltime.
pub fn write_deck(dir: &Path, name: &str, end: f64, ranks: u32, walltime: &str) -> PathBuf {
    let src = workspace().join("input-decks/examples/thermal_link_cooldown.toml");
    let text = std::fs::read_to_string(src).unwrap();
    let text = text
        .replace("end = 7200.0", &format!("end = {end:?}"))
        .replace("ranks = 2", &format!("ranks = {ranks}"))
        .replace(
            "walltime = \"00:10:00\"",
            &format!("walltime = \"{walltime}\""),
        );
    assert!(text.contains(&format!("ranks = {ranks}")));
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// An executable shell script.
pub fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/bash\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// Run `galvana-sched` with state, local queue and engine binary isolated under `dir`.
pub fn sched(dir: &Path, args: &[&str]) -> Output {
    sched_env(dir, args, &[])
}

pub fn sched_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(sched_exe())
        .args(args)
        .env("GALVANA_STATE_DIR", dir.join("state"))
        .env("GALVANA_LOCAL_QUEUE", dir.join("queue"))
        .env("GALVANA_LOCAL_CORES", "2")
        .env("GALVANA_BIN", galvana())
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run galvana-sched");
    eprintln!(
        "$ galvana-sched {}\n{}{}(exit {:?})",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        out.status.code()
    );
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Poll `f` every 200 ms until it holds; panic after `secs`.
pub fn wait_for(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The job id `submit` printed.
pub fn submitted_id(o: &Output) -> String {
    let s = stdout(o);
    let line = s
        .lines()
        .find(|l| l.starts_with("Submitted"))
        .unwrap_or_else(|| panic!("no submission in {s}"));
    line.split_whitespace().nth(3).unwrap().to_string()
}

/// The segment records of a single-run campaign.
pub fn actions(jobdir: &Path, file: &str) -> Vec<String> {
    galvana_scheduler::campaign::read_segments(&jobdir.join(file))
        .into_iter()
        .map(|s| s.action)
        .collect()
}
