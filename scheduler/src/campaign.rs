//! Restart campaigns: one submission whose job requeues itself segment by segment, with its
//! state in `JOBDIR/campaign.json`.
//!
//! The batch script appends one JSON line per segment outcome to `segments.jsonl` (sweeps:
//! `segments-TTT.jsonl` per task): `{"job_id", "task", "segment", "restarts", "start", "end",
//! "exit_code", "action", "reason", "signal", "host"}` with `action` one of `done`, `requeue`
//! (checkpointed, continues with `--restart latest`), `retry` (failed without a checkpoint,
//! tried again) and `stop` (gave up, with the reason). [`Campaign::refresh`] combines those
//! records with the scheduler's view and the run's `summary.json` and `residuals.jsonl`.

use crate::backend::{Backend, BackendKind};
use crate::state::{JobInfo, JobState, Usage};
use crate::{io_err, Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The outcome of one segment, as the batch script recorded it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub job_id: String,
    pub task: Option<u32>,
    /// 1 for the first run of a submission, 2 after the first requeue, …
    pub segment: u32,
    pub restarts: u32,
    pub start: u64,
    pub end: u64,
    pub exit_code: i32,
    /// `done`, `requeue`, `retry` or `stop`.
    pub action: String,
    pub reason: String,
    /// The signal the script forwarded to the run, if any.
    #[serde(default)]
    pub signal: String,
    #[serde(default)]
    pub host: String,
}

/// Where a campaign (or one of its tasks) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    Pending,
    Running,
    /// Checkpointed and waiting to run its next segment.
    Requeued,
    Completed,
    Failed,
    /// Checkpointed but not requeued (cancelled by a signal, time limit, max segments); can be
    /// resumed.
    Stopped,
    Cancelled,
}

impl CampaignStatus {
    pub fn is_active(self) -> bool {
        matches!(self, Self::Pending | Self::Running | Self::Requeued)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Requeued => "requeued",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One run directory of a campaign (the only one, or one sweep task).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskState {
    /// Array task index (sweeps).
    pub task: Option<u32>,
    /// The scheduler's id for it (`123`, `123_4`).
    pub job_id: String,
    pub deck: PathBuf,
    /// The engine's `--output`.
    pub output: PathBuf,
    /// Sweep parameter values.
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    /// The task deck's `[time] end`.
    pub end_time: Option<f64>,
    pub scheduler_state: Option<JobState>,
    pub status: CampaignStatus,
    pub reason: Option<String>,
    pub segments: Vec<Segment>,
    /// Segments that checkpointed and were requeued.
    pub restarts: u32,
    /// Segments that failed without checkpointing.
    pub failures: u32,
    /// Simulated time reached (last time step in `residuals.jsonl`).
    pub sim_time: Option<f64>,
    /// `status` of the run's `summary.json`.
    pub engine_status: Option<String>,
}

/// `JOBDIR/campaign.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub version: u32,
    /// `<backend>-<first job id>`.
    pub id: String,
    pub backend: BackendKind,
    /// The current submission's job id.
    pub job_id: String,
    /// Every submission (the first, then resumes).
    pub submissions: Vec<String>,
    pub name: String,
    /// The deck or sweep file submitted.
    pub source: PathBuf,
    pub workdir: PathBuf,
    /// The deck's `[time] end`.
    pub end_time: Option<f64>,
    pub max_segments: u32,
    pub max_failures: u32,
    pub submitted_at: u64,
    pub updated_at: u64,
    pub status: CampaignStatus,
    pub reason: Option<String>,
    pub tasks: Vec<TaskState>,
}

/// File name of the campaign state in a job directory.
pub const STATE_FILE: &str = "campaign.json";

fn index_dir() -> PathBuf {
    crate::state_dir().join("campaigns")
}

impl Campaign {
    pub fn load(workdir: &Path) -> Result<Campaign> {
        let p = workdir.join(STATE_FILE);
        let text = std::fs::read_to_string(&p).map_err(|e| io_err(p.display(), e))?;
        serde_json::from_str(&text).map_err(|e| Error::Invalid(format!("{}: {e}", p.display())))
    }

    /// Write `campaign.json` (atomically) and the index entry `<state dir>/campaigns/<id>`.
    pub fn save(&self) -> Result<()> {
        let p = self.workdir.join(STATE_FILE);
        let tmp = self.workdir.join(".campaign.json.tmp");
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&tmp, text + "\n").map_err(|e| io_err(tmp.display(), e))?;
        std::fs::rename(&tmp, &p).map_err(|e| io_err(p.display(), e))?;
        let idx = index_dir();
        if std::fs::create_dir_all(&idx).is_ok() {
            let _ = std::fs::write(idx.join(&self.id), self.workdir.display().to_string());
        }
        Ok(())
    }

    /// A job directory, or a campaign id (`slurm-123`) or job id (`123`) from the index.
    pub fn find(what: &str) -> Result<Campaign> {
        let p = Path::new(what);
        if p.join(STATE_FILE).is_file() {
            return Campaign::load(p);
        }
        let idx = index_dir();
        let direct = idx.join(what);
        let entry = if direct.is_file() {
            Some(direct)
        } else {
            ["slurm", "rest", "local"]
                .iter()
                .map(|b| idx.join(format!("{b}-{what}")))
                .find(|p| p.is_file())
        };
        match entry.and_then(|e| std::fs::read_to_string(e).ok()) {
            Some(dir) => Campaign::load(Path::new(dir.trim())),
            None => Err(Error::Invalid(format!(
                "no campaign `{what}`: give its job directory or an id listed by `campaign list`"
            ))),
        }
    }

    /// Every indexed campaign (newest first); unreadable entries are skipped.
    pub fn list_all() -> Vec<Campaign> {
        let mut v: Vec<Campaign> = std::fs::read_dir(index_dir())
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter_map(|d| Campaign::load(Path::new(d.trim())).ok())
            .collect();
        v.sort_by_key(|c| std::cmp::Reverse(c.submitted_at));
        v
    }

    fn segments_file(&self, task: Option<u32>) -> PathBuf {
        match task {
            Some(t) => self.workdir.join(format!("segments-{t:03}.jsonl")),
            None => self.workdir.join("segments.jsonl"),
        }
    }

    /// Update every task from the scheduler, the segment records and the run directories;
    /// then save.
    pub fn refresh(&mut self, backend: &dyn Backend) -> Result<()> {
        let infos = backend.status(&self.job_id)?;
        let age = crate::now().saturating_sub(self.updated_at.max(self.submitted_at));
        for i in 0..self.tasks.len() {
            let segments = read_segments(&self.segments_file(self.tasks[i].task));
            let t = &mut self.tasks[i];
            t.job_id = match t.task {
                Some(k) => format!("{}_{k}", self.job_id),
                None => self.job_id.clone(),
            };
            let info = infos.iter().find(|j| j.id == t.job_id).or_else(|| {
                // A single job's id, or an array task listed under its own job id.
                (t.task.is_none()).then(|| infos.first()).flatten()
            });
            t.segments = segments;
            update_task(t, info, age);
        }
        self.summarise();
        self.updated_at = crate::now();
        self.save()
    }

    fn summarise(&mut self) {
        let any = |s: CampaignStatus| self.tasks.iter().any(|t| t.status == s);
        self.status = if any(CampaignStatus::Running) {
            CampaignStatus::Running
        } else if any(CampaignStatus::Requeued) {
            CampaignStatus::Requeued
        } else if any(CampaignStatus::Pending) {
            CampaignStatus::Pending
        } else if self
            .tasks
            .iter()
            .all(|t| t.status == CampaignStatus::Completed)
        {
            CampaignStatus::Completed
        } else if any(CampaignStatus::Cancelled) {
            CampaignStatus::Cancelled
        } else if any(CampaignStatus::Failed) {
            CampaignStatus::Failed
        } else {
            CampaignStatus::Stopped
        };
        self.reason = self
            .tasks
            .iter()
            .find(|t| !t.status.is_active() && t.status != CampaignStatus::Completed)
            .and_then(|t| {
                let r = t.reason.clone()?;
                Some(match t.task {
                    Some(k) => format!("task {k}: {r}"),
                    None => r,
                })
            });
    }

    /// Tasks not completed (what [`crate::submit::resume`] resubmits).
    pub fn unfinished(&self) -> Vec<&TaskState> {
        self.tasks
            .iter()
            .filter(|t| t.status != CampaignStatus::Completed)
            .collect()
    }

    /// One line per task: status, segments, restarts, failures, simulated time.
    pub fn report(&self) -> String {
        let mut s = format!(
            "campaign {} ({} job {}, {}): {}{}\n",
            self.id,
            self.backend,
            self.job_id,
            self.workdir.display(),
            self.status.name(),
            self.reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        );
        for t in &self.tasks {
            let label = t
                .task
                .map(|k| format!("task {k:>3}"))
                .unwrap_or_else(|| "run".into());
            let time = match (t.sim_time, t.end_time.or(self.end_time)) {
                (Some(x), Some(end)) if end > 0.0 => {
                    format!("t = {x:.4e} s of {end:.4e} s ({:.0}%)", 100.0 * x / end)
                }
                (Some(x), _) => format!("t = {x:.4e} s"),
                _ => "not started".into(),
            };
            s.push_str(&format!(
                "  {label}  {:<9} {:<10} segments {}  restarts {}  failures {}  {time}\n",
                t.scheduler_state
                    .as_ref()
                    .map(JobState::name)
                    .unwrap_or("-"),
                t.status.name(),
                t.segments.len(),
                t.restarts,
                t.failures,
            ));
        }
        s
    }

    /// Accounting over every submission of the campaign, one row per run.
    pub fn usage(&self, backend: &dyn Backend) -> Result<Vec<Usage>> {
        let mut rows = Vec::new();
        for id in &self.submissions {
            rows.extend(backend.usage(id)?);
        }
        Ok(rows)
    }
}

fn update_task(t: &mut TaskState, info: Option<&JobInfo>, age_s: u64) {
    t.restarts = t.segments.iter().filter(|s| s.action == "requeue").count() as u32;
    t.failures = t
        .segments
        .iter()
        .filter(|s| s.exit_code != 0 && s.exit_code != crate::script::EXIT_CHECKPOINTED)
        .count() as u32;
    t.sim_time = last_time(&t.output.join("residuals.jsonl"));
    t.engine_status = std::fs::read_to_string(t.output.join("summary.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|v| v.get("status")?.as_str().map(str::to_string));
    t.scheduler_state = info.map(|i| i.state.clone());
    let last = t.segments.last();
    let (status, reason) = match (info.map(|i| &i.state), last) {
        (Some(s), last) if !s.is_terminal() => match s {
            JobState::Running | JobState::Completing => (CampaignStatus::Running, None),
            _ if last.is_some() => (CampaignStatus::Requeued, last.map(|l| l.reason.clone())),
            _ => (CampaignStatus::Pending, info.and_then(|i| i.reason.clone())),
        },
        (Some(JobState::Cancelled), last) => (
            CampaignStatus::Cancelled,
            Some(
                last.filter(|l| l.action == "stop")
                    .map_or("cancelled".into(), |l| l.reason.clone()),
            ),
        ),
        (_, Some(l)) if l.action == "done" => (CampaignStatus::Completed, None),
        (_, Some(l)) if l.action == "stop" && l.exit_code == crate::script::EXIT_CHECKPOINTED => {
            (CampaignStatus::Stopped, Some(l.reason.clone()))
        }
        (_, Some(l)) if l.action == "stop" => (CampaignStatus::Failed, Some(l.reason.clone())),
        (Some(JobState::Timeout), _) => (
            CampaignStatus::Failed,
            Some("hit the time limit without checkpointing".into()),
        ),
        (Some(s), _) => (
            CampaignStatus::Failed,
            Some(format!(
                "the job ended {s} without recording an outcome; see its output"
            )),
        ),
        // Not yet visible to the scheduler's queries (just submitted).
        (None, None) if age_s < 120 => (CampaignStatus::Pending, None),
        (None, _) => (
            CampaignStatus::Failed,
            Some("the scheduler no longer knows the job and it left no outcome".into()),
        ),
    };
    t.status = status;
    t.reason = reason;
}

/// Segment records in a `segments*.jsonl` file (unparsable lines skipped).
pub fn read_segments(path: &Path) -> Vec<Segment> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The time of the last `step` event in a residual stream (reads only the file's tail).
pub fn last_time(path: &Path) -> Option<f64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)))
        .ok()?;
    let mut buf = String::new();
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).ok()?;
    buf.push_str(&String::from_utf8_lossy(&bytes));
    buf.lines().rev().find_map(|l| {
        let v: Value = serde_json::from_str(l).ok()?;
        (v.get("kind")?.as_str()? == "step").then(|| v.get("time")?.as_f64())?
    })
}
