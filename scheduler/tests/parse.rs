//! Parsing of real Slurm 22.05 output: `squeue --format`, `sacct --parsable2` (status and
//! usage), slurmrestd v0.0.38 JSON. The fixtures were captured from the single-node Slurm that
//! `scripts/slurm-local.sh up` starts (REST fixtures: job `steps` emptied to keep them small).

use galvana_scheduler::rest::{parse_db_job, parse_slurm_job};
use galvana_scheduler::slurm::parse_sbatch_parsable;
use galvana_scheduler::state::{self, JobState, Usage};
use serde_json::Value;

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn squeue_rows() {
    let jobs = state::parse_squeue(&fixture("squeue.txt"));
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, ["15_0", "15_1", "15_2", "15_3", "16", "13", "7_1"]);
    assert_eq!(jobs[0].array_job_id.as_deref(), Some("15"));
    assert_eq!(jobs[0].array_task, Some(0));
    assert_eq!(jobs[0].state, JobState::Pending);
    assert_eq!(jobs[0].reason.as_deref(), Some("Resources"));
    assert_eq!(jobs[0].time_limit_s, None, "UNLIMITED");
    let begin = &jobs[4];
    assert_eq!(
        (begin.reason.as_deref(), begin.time_limit_s),
        (Some("BeginTime"), Some(60))
    );
    let running = &jobs[5];
    assert_eq!(
        (
            running.state.clone(),
            running.elapsed_s,
            running.reason.as_deref()
        ),
        (JobState::Running, Some(3), None)
    );
    assert_eq!(running.workdir.as_deref(), Some("/root/scratch/fx"));
    assert_eq!(running.name, "wrap");
    let long = &jobs[6];
    assert_eq!(long.elapsed_s, Some(86_400 + 2 * 3600 + 3 * 60 + 4));
    assert_eq!(long.time_limit_s, Some(2 * 86_400));
    assert_eq!(long.name, "galvana-sweep");
}

#[test]
fn squeue_collapsed_pending_array() {
    let jobs = state::parse_squeue(&fixture("squeue_array_collapsed.txt"));
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, ["15_0", "15_1", "15_2", "15_3"]);
    assert!(jobs
        .iter()
        .all(|j| j.state == JobState::Pending && j.array_job_id.as_deref() == Some("15")));
}

#[test]
fn sacct_status_rows() {
    let jobs = state::parse_sacct(&fixture("sacct_status.txt"));
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(
        ids,
        ["13", "14", "16", "15_0", "15_1", "15_2", "15_3"],
        "steps skipped, ranges expanded"
    );
    assert_eq!(jobs[0].state, JobState::Cancelled, "CANCELLED by 0");
    assert_eq!(
        (jobs[1].state.clone(), jobs[1].exit_code),
        (JobState::Failed, Some(3))
    );
    assert_eq!(jobs[1].start.as_deref(), Some("2026-11-22T06:17:54"));
    assert_eq!(
        (
            jobs[2].time_limit_s,
            jobs[2].reason.as_deref(),
            jobs[2].start.as_deref()
        ),
        (Some(60), Some("BeginTime"), None)
    );
    assert_eq!(
        (jobs[3].state.clone(), jobs[3].elapsed_s),
        (JobState::Running, Some(2))
    );
    assert_eq!(jobs[3].end, None, "Unknown");
    assert!(jobs[4..].iter().all(|j| j.state == JobState::Pending));
    assert!(jobs[0].state.is_terminal() && jobs[1].state.is_terminal());
    assert!(!jobs[2].state.is_terminal() && !jobs[3].state.is_terminal());
}

#[test]
fn sacct_usage_rows() {
    let rows = state::parse_sacct_usage(&fixture("sacct_usage.txt"));
    assert_eq!(rows.len(), 3, "the never-started job has no AllocTRES");
    assert_eq!(
        (
            rows[0].id.as_str(),
            rows[0].state.clone(),
            rows[0].elapsed_s
        ),
        ("3", JobState::Requeued, 2)
    );
    assert_eq!(
        (rows[1].state.clone(), rows[1].elapsed_s),
        (JobState::Completed, 9)
    );
    assert_eq!(
        (rows[1].cpus(), rows[1].billing(), rows[1].gpus()),
        (1, 1, 0)
    );
    assert_eq!(
        rows[1].alloc_tres.get("mem").map(String::as_str),
        Some("1G")
    );
    let t = state::totals(&rows);
    assert_eq!((t.runs, t.elapsed_s, t.cpu_s, t.billing_s), (3, 14, 14, 14));
}

#[test]
fn gpu_tres() {
    let line =
        "42|COMPLETED|0:0|100|billing=16,cpu=8,gres/gpu=2,gres/gpu:a100=2,mem=32G,node=1|x|y";
    let u = &state::parse_sacct_usage(line)[0];
    assert_eq!((u.cpus(), u.gpus(), u.billing()), (8, 2, 16));
    assert_eq!(
        (u.cpu_seconds(), u.gpu_seconds(), u.billing_seconds()),
        (800, 200, 1600)
    );
    let typed = Usage {
        alloc_tres: state::parse_tres("cpu=4,gres/gpu:a100=3,gres/gpu:v100=1"),
        elapsed_s: 10,
        ..Default::default()
    };
    assert_eq!(typed.gpus(), 4);
}

#[test]
fn small_formats() {
    assert_eq!(state::parse_duration("5"), Some(5));
    assert_eq!(state::parse_duration("1:05"), Some(65));
    assert_eq!(state::parse_duration("10:00:01"), Some(36_001));
    assert_eq!(state::parse_duration("2-03"), Some(2 * 86_400 + 3 * 3600));
    assert_eq!(state::parse_duration("UNLIMITED"), None);
    assert_eq!(state::parse_exit("0:15"), (Some(0), Some(15)));
    assert_eq!(state::parse_exit("75:0"), (Some(75), None));
    assert_eq!(state::expand_tasks("[0-2,5%2]"), vec![0, 1, 2, 5]);
    assert_eq!(state::expand_tasks("1-3%1"), vec![1, 2, 3]);
    assert_eq!(parse_sbatch_parsable("123\n").unwrap(), "123");
    assert_eq!(parse_sbatch_parsable("77;cluster2").unwrap(), "77");
    assert!(parse_sbatch_parsable("sbatch: error").is_err());
    for (s, st) in [
        ("R", JobState::Running),
        ("CG", JobState::Completing),
        ("TIMEOUT", JobState::Timeout),
        ("REQUEUE_HOLD", JobState::Requeued),
        ("OUT_OF_MEMORY", JobState::OutOfMemory),
        ("NF", JobState::NodeFail),
    ] {
        assert_eq!(JobState::parse(s), st, "{s}");
    }
    assert_eq!(
        serde_json::to_string(&JobState::Completed).unwrap(),
        "\"COMPLETED\""
    );
}

fn jobs(name: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&fixture(name)).unwrap();
    v["jobs"].as_array().unwrap().clone()
}

#[test]
fn rest_array_job() {
    let infos: Vec<_> = jobs("rest_slurm_job_array.json")
        .iter()
        .flat_map(parse_slurm_job)
        .collect();
    let mut ids: Vec<&str> = infos.iter().map(|j| j.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        ["15_0", "15_1", "15_2", "15_3"],
        "meta record `1-3%1` expanded"
    );
    assert!(infos.iter().all(|j| j.state == JobState::Cancelled));
    assert!(infos
        .iter()
        .all(|j| j.workdir.as_deref() == Some("/root/scratch/fx")));
}

#[test]
fn rest_failed_job_exit_code() {
    let infos: Vec<_> = jobs("rest_slurm_job_failed.json")
        .iter()
        .flat_map(parse_slurm_job)
        .collect();
    assert_eq!(infos.len(), 1);
    assert_eq!(
        (infos[0].id.as_str(), infos[0].state.clone()),
        ("14", JobState::Failed)
    );
    assert_eq!(
        (infos[0].exit_code, infos[0].signal),
        (Some(3), None),
        "wait status 768"
    );
}

#[test]
fn rest_slurmdb_requeued_job() {
    let rows: Vec<_> = jobs("rest_slurmdb_job_requeued.json")
        .iter()
        .map(parse_db_job)
        .collect();
    assert_eq!(rows.len(), 2, "one record per run");
    let (first, second) = (&rows[0].1, &rows[1].1);
    assert_eq!(
        (first.state.clone(), first.elapsed_s),
        (JobState::Requeued, 2)
    );
    assert_eq!(
        (second.state.clone(), second.elapsed_s, second.exit_code),
        (JobState::Completed, 9, Some(0))
    );
    assert_eq!((second.cpus(), second.billing()), (1, 1));
    assert_eq!(rows[1].0.workdir.as_deref(), Some("/root/scratch/s2/job"));
}
