//! The portal in a real browser (Debian chromium driven by playwright-core, installed by
//! `scripts/test.sh`): see `gateway/portal-tests/e2e.mjs`. Skipped with a printed reason only
//! when `GALVANA_BROWSER_TESTS` is not set; when it is set it must pass.

mod common;

use common::*;
use std::io::Write;
use std::process::Command;

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_submits_streams_downloads_and_bills() {
    if std::env::var_os("GALVANA_BROWSER_TESTS").is_none() {
        let _ = writeln!(
            std::io::stderr(),
            "skipping the portal browser test: GALVANA_BROWSER_TESTS is not set (needs chromium and `npm ci` in gateway/portal-tests; scripts/test.sh does both)"
        );
        return;
    }
    let _turn = TURN.lock().await;
    let g = Gateway::start("portal", "local", "", &[]);
    admin_stdin(
        &g,
        &["user", "add", "erin", "--password-stdin"],
        "portal password 1\n",
    );
    g.admin(&[
        "project",
        "add",
        "cryo",
        "--plan",
        "researcher",
        "--owner",
        "erin",
    ]);
    let shots = workspace().join("target/portal-screenshots");
    let o = Command::new("node")
        .arg(workspace().join("gateway/portal-tests/e2e.mjs"))
        .args([&g.url, "erin", "portal password 1", shots.to_str().unwrap()])
        .current_dir(workspace().join("gateway/portal-tests"))
        .env(
            "GALVANA_E2E_DATASET",
            workspace().join("instruments/tests/data/navani/arbin_example.res"),
        )
        .env(
            "GALVANA_E2E_RUN_DIR",
            g.data.join("projects/1/jobs/{id}/job/run"),
        )
        .output()
        .expect("node (install Node.js and run `npm ci` in gateway/portal-tests)");
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "e2e.mjs failed:\n{log}");
    assert!(log.contains("[e2e] ok"), "{log}");
    for line in log.lines().filter(|l| l.starts_with("[e2e]")) {
        eprintln!("{line}");
    }
    for s in [
        "job-million",
        "editor",
        "editor-error",
        "job-running",
        "job-completed",
        "jobs",
        "usage",
        "dataset",
    ] {
        assert!(shots.join(format!("{s}.png")).is_file(), "screenshot {s}");
    }
}
