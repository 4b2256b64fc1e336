//! `galvana run deck | head`: when the reader of standard output goes away, the run carries on
//! to the end and writes its results (Rust's `println!` would panic with EPIPE and lose them).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_does_not_stop_the_run() {
    let dir = common::tempdir("broken-pipe");
    let deck = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../input-decks/examples/thermal_link_cooldown.toml");
    let mut child = Command::new(common::galvana())
        .arg("run")
        .arg(&deck)
        .arg("--output")
        .arg(dir.join("out"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the banner, then close the pipe as `head -1` does.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("Galvana"), "{first}");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let summary = std::fs::read_to_string(dir.join("out/summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(v["status"], "completed", "{v}");
}
