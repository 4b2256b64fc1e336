//! The local backend end to end with the real `galvana` binary (and, for the queue and limit
//! logic, with a stand-in that only sleeps), driven through the `galvana-sched` command line.

mod common;

use common::*;
use galvana_scheduler::campaign::Campaign;
use galvana_scheduler::CampaignStatus;
use serde_json::Value;
use std::path::Path;

fn campaign(job: &Path) -> Campaign {
    Campaign::load(job).unwrap()
}

fn usage(dir: &Path, what: &str) -> Vec<Value> {
    let o = sched(dir, &["usage", what, "--json"]);
    assert!(o.status.success());
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    v["runs"].as_array().unwrap().clone()
}

fn summary_status(out: &Path) -> String {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    v["status"].as_str().unwrap().to_string()
}

#[test]
fn registry_matches_the_engine() {
    let out = std::process::Command::new(galvana())
        .arg("docs")
        .output()
        .unwrap();
    assert!(out.status.success());
    let ours = galvana_decks::reference_markdown(&galvana_scheduler::registry::registry());
    assert!(
        String::from_utf8_lossy(&out.stdout) == ours,
        "the scheduler's deck registry (mesh specs copied from engine/src/mesh_objects.rs) differs from `galvana docs`"
    );
}

#[test]
fn job_completes_with_accounting() {
    let dir = tmp("l-done");
    let deck = write_deck(&dir, "cool.toml", 20.0, 1, "00:10:00");
    let job = dir.join("job");
    let o = sched(
        &dir,
        &[
            "submit",
            deck.to_str().unwrap(),
            "--backend",
            "local",
            "--output",
            job.to_str().unwrap(),
            "--wait",
        ],
    );
    assert!(o.status.success());
    let id = submitted_id(&o);
    let c = campaign(&job);
    assert_eq!(
        (c.status, c.id.as_str()),
        (CampaignStatus::Completed, format!("local-{id}").as_str())
    );
    assert_eq!(summary_status(&job.join("run")), "completed");
    assert_eq!(actions(&job, "segments.jsonl"), ["done"]);
    assert!(std::fs::read_to_string(job.join(format!("job-{id}.out")))
        .unwrap()
        .contains("Results in"));
    let runs = usage(&dir, &id);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["state"], "COMPLETED");
    assert_eq!(runs[0]["alloc_tres"]["cpu"], "1");
    let o = sched(&dir, &["jobs", "--backend", "local", "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&o)).unwrap(),
        serde_json::json!([]),
        "nothing queued"
    );
    let o = sched(&dir, &["jobs", "watch", &id]);
    assert!(o.status.success() && stdout(&o).contains("completed"));
}

#[test]
fn campaign_checkpoints_requeues_and_finishes() {
    let dir = tmp("l-campaign");
    let deck = write_deck(&dir, "cool.toml", 60.0, 1, "00:10:00");
    let job = dir.join("job");
    let o = sched(
        &dir,
        &[
            "submit",
            deck.to_str().unwrap(),
            "--backend",
            "local",
            "--output",
            job.to_str().unwrap(),
        ],
    );
    let id = submitted_id(&o);
    let residuals = job.join("run/residuals.jsonl");
    wait_for(120, "the first time steps", || {
        galvana_scheduler::campaign::last_time(&residuals).is_some_and(|t| t > 0.5)
    });
    let o = sched(&dir, &["cancel", &id, "--signal", "USR1", "--batch"]);
    assert!(o.status.success());
    let o = sched(
        &dir,
        &[
            "campaign",
            "watch",
            job.to_str().unwrap(),
            "--interval",
            "0.5",
        ],
    );
    assert!(o.status.success(), "campaign completed");
    let c = campaign(&job);
    assert_eq!(
        (c.status, c.tasks[0].restarts, c.tasks[0].failures),
        (CampaignStatus::Completed, 1, 0)
    );
    assert_eq!(actions(&job, "segments.jsonl"), ["requeue", "done"]);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(job.join("run/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["status"], "completed");
    assert!(summary["restarted_from"]
        .as_str()
        .unwrap()
        .contains("checkpoints/ckpt-"));
    let runs = usage(&dir, &id);
    let states: Vec<_> = runs.iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["REQUEUED", "COMPLETED"]);
    assert!(stdout(&sched(&dir, &["campaign", "status", &id])).contains("restarts 1"));
    assert!(stdout(&sched(&dir, &["campaign", "list"])).contains(&format!("local-{id}")));
}

#[test]
fn cancel_a_running_job() {
    let dir = tmp("l-cancel");
    let deck = write_deck(&dir, "cool.toml", 7200.0, 1, "00:10:00");
    let job = dir.join("job");
    let o = sched(
        &dir,
        &[
            "submit",
            deck.to_str().unwrap(),
            "--backend",
            "local",
            "--output",
            job.to_str().unwrap(),
        ],
    );
    let id = submitted_id(&o);
    wait_for(120, "the run to start", || {
        job.join("run/residuals.jsonl").exists()
    });
    assert!(sched(&dir, &["cancel", &id]).status.success());
    let o = sched(&dir, &["jobs", "watch", &id, "--interval", "0.5"]);
    assert_eq!(o.status.code(), Some(1), "a cancelled job did not complete");
    let c = campaign(&job);
    assert_eq!(c.status, CampaignStatus::Cancelled);
    assert_eq!(
        c.tasks[0]
            .scheduler_state
            .as_ref()
            .map(|s| s.name().to_string()),
        Some("CANCELLED".into())
    );
    assert_eq!(usage(&dir, &id)[0]["state"], "CANCELLED");
}

#[test]
fn sweep_runs_as_an_array() {
    let dir = tmp("l-sweep");
    write_deck(&dir, "cool.toml", 20.0, 1, "00:10:00");
    let sweep = dir.join("sweep.toml");
    std::fs::write(
        &sweep,
        "deck = \"cool.toml\"\nthrottle = 2\n[values]\n\"time.end\" = [4.0, 8.0, 12.0]\n",
    )
    .unwrap();
    let job = dir.join("job");
    let o = sched(
        &dir,
        &[
            "submit",
            sweep.to_str().unwrap(),
            "--backend",
            "local",
            "--output",
            job.to_str().unwrap(),
            "--wait",
        ],
    );
    assert!(o.status.success());
    let id = submitted_id(&o);
    let c = campaign(&job);
    assert_eq!(c.status, CampaignStatus::Completed);
    for (k, end) in [4.0, 8.0, 12.0].into_iter().enumerate() {
        let t = &c.tasks[k];
        assert_eq!(
            (t.task, t.job_id.clone()),
            (Some(k as u32), format!("{id}_{k}"))
        );
        assert_eq!(summary_status(&t.output), "completed");
        assert_eq!(t.output, job.join(format!("task-{k:03}")));
        assert_eq!(t.params["time.end"], end);
        assert_eq!(t.sim_time, Some(end));
        assert!(job.join(format!("job-{id}_{k}.out")).exists());
    }
    assert_eq!(usage(&dir, &id).len(), 3);
}

#[test]
fn fifo_within_the_cores() {
    let dir = tmp("l-fifo");
    let fake = script(&dir.join("fake-galvana"), "sleep 2");
    let deck = write_deck(&dir, "two.toml", 20.0, 2, "00:10:00");
    let fake_s = fake.to_str().unwrap();
    let submit = |name: &str| {
        let o = sched(
            &dir,
            &[
                "submit",
                deck.to_str().unwrap(),
                "--backend",
                "local",
                "--output",
                dir.join(name).to_str().unwrap(),
                "--galvana",
                fake_s,
            ],
        );
        submitted_id(&o)
    };
    let (a, b) = (submit("a"), submit("b"));
    let o = sched(&dir, &["jobs", "--backend", "local"]);
    let table = stdout(&o);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(&a) && l.contains("RUNNING")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(&b) && l.contains("PENDING")),
        "{table}"
    );
    for (id, name) in [(&a, "a"), (&b, "b")] {
        assert!(
            sched(&dir, &["jobs", "watch", id, "--interval", "0.3"])
                .status
                .success(),
            "{name}"
        );
    }
    let end_a = campaign(&dir.join("a")).tasks[0].segments[0].end;
    let start_b = campaign(&dir.join("b")).tasks[0].segments[0].start;
    assert!(start_b >= end_a, "b waited for a's cores");
}

#[test]
fn failing_segments_stop_the_campaign() {
    let dir = tmp("l-fail");
    let fake = script(&dir.join("fake-galvana"), "echo diverged >&2; exit 1");
    let deck = write_deck(&dir, "cool.toml", 20.0, 1, "00:10:00");
    let job = dir.join("job");
    let o = sched(
        &dir,
        &[
            "submit",
            deck.to_str().unwrap(),
            "--backend",
            "local",
            "--output",
            job.to_str().unwrap(),
            "--galvana",
            fake.to_str().unwrap(),
            "--wait",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let id = submitted_id(&o);
    let c = campaign(&job);
    assert_eq!((c.status, c.tasks[0].failures), (CampaignStatus::Failed, 2));
    assert!(
        c.reason
            .as_deref()
            .unwrap()
            .contains("failed without checkpointing 2 times in a row"),
        "{:?}",
        c.reason
    );
    assert_eq!(actions(&job, "segments.jsonl"), ["retry", "stop"]);
    let states: Vec<_> = usage(&dir, &id)
        .iter()
        .map(|r| r["state"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(states, ["REQUEUED", "FAILED"]);
    // `campaign resume` submits again with a clean failure count.
    let o = sched(&dir, &["campaign", "resume", job.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(
        sched(
            &dir,
            &[
                "campaign",
                "watch",
                job.to_str().unwrap(),
                "--interval",
                "0.3"
            ]
        )
        .status
        .code()
            == Some(1)
    );
    let c = campaign(&job);
    assert_eq!(c.submissions.len(), 2);
    assert_eq!(
        actions(&job, "segments.jsonl"),
        ["retry", "stop", "retry", "stop"]
    );
}

#[test]
fn time_limit_signals_then_max_segments_stops() {
    let dir = tmp("l-limit");
    // Checkpoints on USR1 like the engine: write `latest`, exit 75.
    let fake = script(
        &dir.join("fake-galvana"),
        "out=$4; mkdir -p \"$out/checkpoints\"\ntrap 'echo ckpt > \"$out/checkpoints/latest\"; exit 75' USR1\nwhile :; do sleep 0.1; done",
    );
    let deck = write_deck(&dir, "cool.toml", 20.0, 1, "00:00:08");
    let job = dir.join("job");
    let o = sched(
        &dir,
        &[
            "submit",
            deck.to_str().unwrap(),
            "--backend",
            "local",
            "--output",
            job.to_str().unwrap(),
            "--galvana",
            fake.to_str().unwrap(),
            "--grace",
            "4",
            "--max-segments",
            "2",
            "--wait",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let c = campaign(&job);
    assert_eq!(c.status, CampaignStatus::Stopped);
    assert!(
        c.reason.as_deref().unwrap().contains("max_segments = 2"),
        "{:?}",
        c.reason
    );
    let seg = &c.tasks[0].segments;
    assert_eq!(
        seg.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        ["requeue", "stop"]
    );
    assert!(
        seg.iter()
            .all(|s| s.signal == "USR1" && s.end - s.start < 8),
        "USR1 4 s before the 8 s limit: {seg:?}"
    );
}
