//! Against a real Slurm (slurmctld, slurmd, slurmdbd, slurmrestd) such as the one
//! `scripts/slurm-local.sh up` starts. Skipped, with a printed reason, only when
//! `GALVANA_SLURM_TESTS` is not set; when it is set they must pass. The tests take turns (one
//! lock) so their timing does not depend on each other's jobs.

mod common;

use common::*;
use galvana_scheduler::campaign::Campaign;
use galvana_scheduler::rest::RestBackend;
use galvana_scheduler::slurm::SlurmCli;
use galvana_scheduler::{Backend, CampaignStatus, JobInfo, JobState, Usage};
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

static TURN: Mutex<()> = Mutex::new(());

fn slurm() -> Option<MutexGuard<'static, ()>> {
    if std::env::var_os("GALVANA_SLURM_TESTS").is_none() {
        // Straight to stderr: the test harness does not capture this.
        let _ = writeln!(
            std::io::stderr(),
            "skipping real-Slurm test: GALVANA_SLURM_TESTS is not set (start Slurm with `scripts/slurm-local.sh up`, then `GALVANA_SLURM_TESTS=1 cargo test -p galvana-scheduler`)"
        );
        return None;
    }
    Some(TURN.lock().unwrap_or_else(|e| e.into_inner()))
}

/// `(user, token)` for slurmrestd: `$SLURM_JWT` if set, else a fresh `scontrol token`.
fn rest_auth() -> (String, String) {
    let user = String::from_utf8(
        std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    if let Ok(t) = std::env::var("SLURM_JWT") {
        return (user, t);
    }
    let out = std::process::Command::new("scontrol")
        .args(["token", "lifespan=7200"])
        .output()
        .expect("scontrol token");
    let text = String::from_utf8_lossy(&out.stdout);
    let token = text
        .trim()
        .strip_prefix("SLURM_JWT=")
        .unwrap_or_else(|| panic!("scontrol token: {text}"));
    (user, token.to_string())
}

fn rest() -> (RestBackend, Vec<(&'static str, String)>) {
    let (user, token) = rest_auth();
    let url = std::env::var("SLURMRESTD_URL").unwrap_or_else(|_| "http://127.0.0.1:6820".into());
    let b = RestBackend::new(&url, "v0.0.38", &user, &token).unwrap();
    (
        b,
        vec![
            ("SLURM_JWT", token),
            ("SLURMRESTD_USER", user),
            ("SLURMRESTD_URL", url),
        ],
    )
}

fn submit(
    dir: &Path,
    deck: &Path,
    backend: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (String, std::process::Output) {
    let job = dir.join("job");
    let mut args = vec![
        "submit",
        deck.to_str().unwrap(),
        "--backend",
        backend,
        "--output",
        job.to_str().unwrap(),
    ];
    args.extend(extra);
    let o = sched_env(dir, &args, env);
    assert!(
        o.status.success() || extra.contains(&"--wait"),
        "submit failed"
    );
    (submitted_id(&o), o)
}

fn state_of(b: &dyn Backend, id: &str) -> Option<JobState> {
    b.status(id)
        .unwrap()
        .into_iter()
        .find(|j| j.id == id)
        .map(|j| j.state)
}

/// Accounting rows, waiting for slurmdbd to have `n` of them.
fn usage_rows(b: &dyn Backend, id: &str, n: usize) -> Vec<Usage> {
    let mut rows = Vec::new();
    wait_for(60, "accounting records", || {
        rows = b.usage(id).unwrap();
        rows.len() >= n
            && rows
                .iter()
                .all(|r| r.state.is_terminal() || r.state == JobState::Requeued)
    });
    rows
}

#[test]
fn cli_backend_runs_a_two_rank_job() {
    let Some(_turn) = slurm() else { return };
    let dir = tmp("s-cli");
    let deck = write_deck(&dir, "cool.toml", 20.0, 2, "00:10:00");
    let (id, o) = submit(&dir, &deck, "slurm", &["--wait"], &[]);
    assert!(o.status.success(), "campaign completed");
    let b = SlurmCli::new();
    assert_eq!(state_of(&b, &id), Some(JobState::Completed));
    let job = dir.join("job");
    let out = std::fs::read_to_string(job.join(format!("job-{id}.out"))).unwrap();
    assert!(out.contains("on 2 rank(s)"), "srun started 2 ranks:\n{out}");
    assert_eq!(actions(&job, "segments.jsonl"), ["done"]);
    assert!(sched(&dir, &["jobs", "watch", &id]).status.success());
    let rows = usage_rows(&b, &id, 1);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].state.clone(), rows[0].cpus()),
        (JobState::Completed, 2)
    );
    assert!(
        rows[0].billing() >= 1 && rows[0].alloc_tres.contains_key("mem"),
        "{:?}",
        rows[0].alloc_tres
    );
    let o = sched(&dir, &["usage", &id, "--json"]);
    assert!(stdout(&o).contains("\"cpu_s\""));
}

#[test]
fn rest_backend_runs_and_cancels() {
    let Some(_turn) = slurm() else { return };
    let (b, env) = rest();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dir = tmp("s-rest");
    let deck = write_deck(&dir, "cool.toml", 10.0, 1, "00:10:00");
    let (id, o) = submit(&dir, &deck, "rest", &["--wait"], &env);
    assert!(o.status.success());
    assert_eq!(state_of(&b, &id), Some(JobState::Completed));
    assert_eq!(actions(&dir.join("job"), "segments.jsonl"), ["done"]);
    let rows = usage_rows(&b, &id, 1);
    assert_eq!(
        (rows[0].state.clone(), rows[0].cpus()),
        (JobState::Completed, 1)
    );
    let listed = sched_env(&dir, &["jobs", "--backend", "rest"], &env);
    assert!(stdout(&listed).lines().any(|l| l.starts_with(&id)));

    let dir2 = tmp("s-rest-cancel");
    let deck = write_deck(&dir2, "long.toml", 7200.0, 1, "00:10:00");
    let (id, _) = submit(&dir2, &deck, "rest", &[], &env);
    wait_for(300, "RUNNING", || {
        state_of(&b, &id) == Some(JobState::Running)
    });
    assert!(
        sched_env(&dir2, &["cancel", &id, "--backend", "rest"], &env)
            .status
            .success()
    );
    wait_for(60, "CANCELLED", || {
        state_of(&b, &id) == Some(JobState::Cancelled)
    });
    let o = sched_env(&dir2, &["campaign", "status", &id], &env);
    assert!(stdout(&o).contains("cancelled"), "{}", stdout(&o));
}

#[test]
fn cli_backend_cancels_a_running_job() {
    let Some(_turn) = slurm() else { return };
    let dir = tmp("s-cancel");
    let deck = write_deck(&dir, "long.toml", 7200.0, 1, "00:10:00");
    let (id, _) = submit(&dir, &deck, "slurm", &[], &[]);
    let b = SlurmCli::new();
    wait_for(300, "RUNNING", || {
        state_of(&b, &id) == Some(JobState::Running)
    });
    assert!(sched(&dir, &["cancel", &id]).status.success());
    wait_for(60, "CANCELLED", || {
        state_of(&b, &id) == Some(JobState::Cancelled)
    });
    let o = sched(&dir, &["jobs", "watch", &id, "--interval", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        Campaign::load(&dir.join("job")).unwrap().status,
        CampaignStatus::Cancelled
    );
    let rows = usage_rows(&b, &id, 1);
    assert_eq!(rows[0].state, JobState::Cancelled);
}

#[test]
fn campaign_of_two_segments() {
    let Some(_turn) = slurm() else { return };
    let dir = tmp("s-campaign");
    let deck = write_deck(&dir, "cool.toml", 60.0, 1, "00:10:00");
    let (id, _) = submit(&dir, &deck, "slurm", &[], &[]);
    let job = dir.join("job");
    let residuals = job.join("run/residuals.jsonl");
    wait_for(300, "the first time steps", || {
        galvana_scheduler::campaign::last_time(&residuals).is_some_and(|t| t > 0.5)
    });
    // As Slurm does GRACE seconds before the time limit: USR1 to the batch script only.
    assert!(sched(&dir, &["cancel", &id, "--signal", "USR1", "--batch"])
        .status
        .success());
    let o = sched(
        &dir,
        &[
            "campaign",
            "watch",
            job.to_str().unwrap(),
            "--interval",
            "1",
        ],
    );
    assert!(o.status.success(), "campaign completed");
    let c = Campaign::load(&job).unwrap();
    assert_eq!(
        (c.status, c.tasks[0].restarts),
        (CampaignStatus::Completed, 1)
    );
    let seg = &c.tasks[0].segments;
    assert_eq!(
        seg.iter()
            .map(|s| (s.action.as_str(), s.segment))
            .collect::<Vec<_>>(),
        [("requeue", 1), ("done", 2)]
    );
    assert_eq!(seg[0].signal, "USR1");
    let out = std::fs::read_to_string(job.join(format!("job-{id}.out"))).unwrap();
    assert!(
        out.contains("--restart latest") && out.contains("Restarting from"),
        "{out}"
    );
    let rows = usage_rows(&SlurmCli::new(), &id, 2);
    let states: Vec<_> = rows.iter().map(|r| r.state.clone()).collect();
    assert_eq!(states, [JobState::Requeued, JobState::Completed]);
}

#[test]
fn sweep_of_three_tasks() {
    let Some(_turn) = slurm() else { return };
    let dir = tmp("s-sweep");
    write_deck(&dir, "cool.toml", 20.0, 1, "00:10:00");
    let sweep = dir.join("sweep.toml");
    std::fs::write(
        &sweep,
        "deck = \"cool.toml\"\nthrottle = 2\n[values]\n\"time.end\" = [4.0, 8.0, 12.0]\n",
    )
    .unwrap();
    let (id, o) = submit(&dir, &sweep, "slurm", &["--wait"], &[]);
    assert!(o.status.success());
    let c = Campaign::load(&dir.join("job")).unwrap();
    assert_eq!(c.status, CampaignStatus::Completed);
    for (k, t) in c.tasks.iter().enumerate() {
        assert_eq!(t.job_id, format!("{id}_{k}"));
        assert_eq!(t.sim_time, Some(4.0 * (k + 1) as f64));
        assert!(t.output.join("summary.json").is_file());
    }
    // slurmdbd records finished array tasks asynchronously: wait (bounded) until accounting
    // has all three, as a user polling `galvana jobs` would.
    let completed = |infos: &[JobInfo]| {
        infos
            .iter()
            .filter(|j| j.state == JobState::Completed)
            .count()
    };
    let mut infos = SlurmCli::new().status(&id).unwrap();
    for _ in 0..60 {
        if completed(&infos) == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
        infos = SlurmCli::new().status(&id).unwrap();
    }
    assert_eq!(completed(&infos), 3, "{infos:?}");
    assert_eq!(usage_rows(&SlurmCli::new(), &id, 3).len(), 3);
}
