//! Job states and accounting, and parsers for `squeue` and `sacct --parsable2` output.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A job's state, with Slurm's names (the local backend uses the same ones).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum JobState {
    Pending,
    Running,
    Completing,
    Completed,
    Failed,
    Cancelled,
    Timeout,
    NodeFail,
    Preempted,
    OutOfMemory,
    BootFail,
    Deadline,
    /// Requeued and waiting to run again (`REQUEUED`, `REQUEUE_HOLD`, `REQUEUE_FED`).
    Requeued,
    Suspended,
    /// Any other state, as Slurm wrote it.
    Other(String),
}

impl JobState {
    /// Parse a long (`RUNNING`, `CANCELLED by 0`) or compact (`R`, `PD`) state name.
    pub fn parse(s: &str) -> JobState {
        let word = s
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches('+');
        match word.to_ascii_uppercase().as_str() {
            "PENDING" | "PD" => JobState::Pending,
            "RUNNING" | "R" | "CONFIGURING" | "CF" | "SIGNALING" | "SI" | "STAGE_OUT" | "SO" => {
                JobState::Running
            }
            "COMPLETING" | "CG" => JobState::Completing,
            "COMPLETED" | "CD" => JobState::Completed,
            "FAILED" | "F" => JobState::Failed,
            "CANCELLED" | "CA" => JobState::Cancelled,
            "TIMEOUT" | "TO" => JobState::Timeout,
            "NODE_FAIL" | "NF" => JobState::NodeFail,
            "PREEMPTED" | "PR" => JobState::Preempted,
            "OUT_OF_MEMORY" | "OOM" => JobState::OutOfMemory,
            "BOOT_FAIL" | "BF" => JobState::BootFail,
            "DEADLINE" | "DL" => JobState::Deadline,
            "REQUEUED" | "RQ" | "REQUEUE_HOLD" | "RH" | "REQUEUE_FED" | "RF" => JobState::Requeued,
            "SUSPENDED" | "S" | "STOPPED" | "ST" => JobState::Suspended,
            other => JobState::Other(other.to_string()),
        }
    }

    /// Slurm's long name.
    pub fn name(&self) -> &str {
        match self {
            JobState::Pending => "PENDING",
            JobState::Running => "RUNNING",
            JobState::Completing => "COMPLETING",
            JobState::Completed => "COMPLETED",
            JobState::Failed => "FAILED",
            JobState::Cancelled => "CANCELLED",
            JobState::Timeout => "TIMEOUT",
            JobState::NodeFail => "NODE_FAIL",
            JobState::Preempted => "PREEMPTED",
            JobState::OutOfMemory => "OUT_OF_MEMORY",
            JobState::BootFail => "BOOT_FAIL",
            JobState::Deadline => "DEADLINE",
            JobState::Requeued => "REQUEUED",
            JobState::Suspended => "SUSPENDED",
            JobState::Other(s) => s,
        }
    }

    /// The job will not run again by itself.
    pub fn is_terminal(&self) -> bool {
        !matches!(
            self,
            JobState::Pending
                | JobState::Running
                | JobState::Completing
                | JobState::Requeued
                | JobState::Suspended
                | JobState::Other(_)
        )
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
impl From<JobState> for String {
    fn from(s: JobState) -> String {
        s.name().to_string()
    }
}
impl From<String> for JobState {
    fn from(s: String) -> JobState {
        JobState::parse(&s)
    }
}

/// One job, or one task of a job array, as the scheduler reports it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobInfo {
    /// `123`, or `123_4` for array task 4 of array job 123.
    pub id: String,
    /// Array job id and task index, for array tasks.
    pub array_job_id: Option<String>,
    pub array_task: Option<u32>,
    pub name: String,
    pub state: JobState,
    /// Why it is pending or how it ended, when the scheduler says.
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    /// Signal that ended the batch script, if any.
    pub signal: Option<i32>,
    pub elapsed_s: Option<u64>,
    pub time_limit_s: Option<u64>,
    pub restarts: Option<u32>,
    pub workdir: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl Default for JobState {
    fn default() -> Self {
        JobState::Other("UNKNOWN".into())
    }
}

/// Accounting of one run of a job (a requeued job has one per segment).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub id: String,
    pub state: JobState,
    pub exit_code: Option<i32>,
    /// Wall-clock seconds (`ElapsedRaw`).
    pub elapsed_s: u64,
    /// `AllocTRES`, e.g. `cpu` → `2`, `gres/gpu` → `1`, `billing` → `2`, `mem` → `2G`.
    pub alloc_tres: BTreeMap<String, String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl Usage {
    fn tres_count(&self, key: &str) -> u64 {
        self.alloc_tres
            .get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
    pub fn cpus(&self) -> u64 {
        self.tres_count("cpu")
    }
    /// `gres/gpu`, or the sum of typed `gres/gpu:TYPE` entries.
    pub fn gpus(&self) -> u64 {
        if self.alloc_tres.contains_key("gres/gpu") {
            return self.tres_count("gres/gpu");
        }
        let typed = self
            .alloc_tres
            .keys()
            .filter(|k| k.starts_with("gres/gpu:"));
        typed.map(|k| self.tres_count(k)).sum()
    }
    pub fn billing(&self) -> u64 {
        self.tres_count("billing")
    }
    pub fn cpu_seconds(&self) -> u64 {
        self.cpus() * self.elapsed_s
    }
    pub fn gpu_seconds(&self) -> u64 {
        self.gpus() * self.elapsed_s
    }
    pub fn billing_seconds(&self) -> u64 {
        self.billing() * self.elapsed_s
    }
}

/// Sums over runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageTotals {
    pub runs: usize,
    pub elapsed_s: u64,
    pub cpu_s: u64,
    pub gpu_s: u64,
    pub billing_s: u64,
}

pub fn totals(usage: &[Usage]) -> UsageTotals {
    let mut t = UsageTotals::default();
    for u in usage {
        t.runs += 1;
        t.elapsed_s += u.elapsed_s;
        t.cpu_s += u.cpu_seconds();
        t.gpu_s += u.gpu_seconds();
        t.billing_s += u.billing_seconds();
    }
    t
}

/// `billing=2,cpu=2,gres/gpu=1,mem=2G,node=1` → map.
pub fn parse_tres(s: &str) -> BTreeMap<String, String> {
    s.split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Slurm durations: `SS`, `MM:SS`, `HH:MM:SS`, `D-HH[:MM[:SS]]`; `None` for `UNLIMITED` etc.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (d.parse::<u64>().ok()?, r),
        None => (0, s),
    };
    let parts: Vec<u64> = rest
        .split(':')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<_>>()?;
    let (h, m, sec) = match (s.contains('-'), parts.as_slice()) {
        (_, [h, m, sec]) => (*h, *m, *sec),
        (true, [h, m]) => (*h, *m, 0),
        (true, [h]) => (*h, 0, 0),
        (false, [m, sec]) => (0, *m, *sec),
        (false, [sec]) => (0, 0, *sec),
        _ => return None,
    };
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

/// `EXIT:SIGNAL` as sacct writes `ExitCode`.
pub fn parse_exit(s: &str) -> (Option<i32>, Option<i32>) {
    match s.split_once(':') {
        Some((e, sig)) => (e.parse().ok(), sig.parse().ok().filter(|&x| x != 0)),
        None => (s.parse().ok(), None),
    }
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && !matches!(s, "None" | "N/A" | "Unknown" | "(null)")).then(|| s.to_string())
}

/// Array task ranges as squeue/sacct write pending tasks: `[1-3,7%2]` → 1, 2, 3, 7.
pub fn expand_tasks(spec: &str) -> Vec<u32> {
    let inner = spec.trim_start_matches('[').trim_end_matches(']');
    let inner = inner.split('%').next().unwrap_or("");
    let mut out = Vec::new();
    for part in inner.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    out.extend(a..=b);
                }
            }
            None => out.extend(part.parse::<u32>().ok()),
        }
    }
    out
}

/// Split a job id into (array job, task index or pending range).
fn split_array_id(id: &str) -> (Option<&str>, Option<&str>) {
    match id.split_once('_') {
        Some((job, task)) => (Some(job), Some(task)),
        None => (None, None),
    }
}

/// Expand a row whose id may name a pending task range into one `JobInfo` per task.
fn expand(info: JobInfo) -> Vec<JobInfo> {
    let id = info.id.clone();
    match split_array_id(&id) {
        (Some(job), Some(task)) if task.starts_with('[') => expand_tasks(task)
            .into_iter()
            .map(|t| JobInfo {
                id: format!("{job}_{t}"),
                array_job_id: Some(job.to_string()),
                array_task: Some(t),
                ..info.clone()
            })
            .collect(),
        (Some(job), Some(task)) => vec![JobInfo {
            array_job_id: Some(job.to_string()),
            array_task: task.parse().ok(),
            ..info
        }],
        _ => vec![info],
    }
}

/// The `squeue --format` this crate asks for (parsed by [`parse_squeue`]).
pub const SQUEUE_FORMAT: &str = "%i|%T|%r|%M|%l|%D|%C|%Z|%j";

/// Parse `squeue --noheader --format=SQUEUE_FORMAT` output.
pub fn parse_squeue(out: &str) -> Vec<JobInfo> {
    let mut jobs = Vec::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.splitn(9, '|').collect();
        if f.len() < 9 {
            continue;
        }
        let info = JobInfo {
            id: f[0].trim().to_string(),
            name: f[8].trim().to_string(),
            state: JobState::parse(f[1]),
            reason: opt(f[2]),
            elapsed_s: parse_duration(f[3]),
            time_limit_s: parse_duration(f[4]),
            workdir: opt(f[7]),
            ..Default::default()
        };
        jobs.extend(expand(info));
    }
    jobs
}

/// The `sacct --format` fields for job status (parsed by [`parse_sacct`]).
pub const SACCT_FIELDS: &str =
    "JobID,JobIDRaw,JobName,State,ExitCode,ElapsedRaw,TimelimitRaw,AllocTRES,Start,End,WorkDir,Reason";

/// Parse `sacct --parsable2 --noheader --format=SACCT_FIELDS` output (allocations only, `-X`).
/// Step lines (`123.batch`) are skipped.
pub fn parse_sacct(out: &str) -> Vec<JobInfo> {
    let mut jobs = Vec::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('|').collect();
        if f.len() < 12 || f[0].contains('.') {
            continue;
        }
        let (exit_code, signal) = parse_exit(f[4]);
        let info = JobInfo {
            id: f[0].to_string(),
            name: f[2].to_string(),
            state: JobState::parse(f[3]),
            exit_code,
            signal,
            elapsed_s: f[5].parse().ok(),
            time_limit_s: f[6].parse::<u64>().ok().map(|m| m * 60),
            start: opt(f[8]),
            end: opt(f[9]),
            workdir: opt(f[10]),
            reason: opt(f[11]),
            ..Default::default()
        };
        jobs.extend(expand(info));
    }
    jobs
}

/// The `sacct --format` fields for usage (parsed by [`parse_sacct_usage`]).
pub const SACCT_USAGE_FIELDS: &str = "JobID,State,ExitCode,ElapsedRaw,AllocTRES,Start,End";

/// Parse `sacct --parsable2 --noheader --duplicates --allocations --format=SACCT_USAGE_FIELDS`:
/// one [`Usage`] per run (a requeued job's earlier runs appear as `REQUEUED`). Jobs that never
/// started (no `AllocTRES`) are skipped.
pub fn parse_sacct_usage(out: &str) -> Vec<Usage> {
    let mut rows = Vec::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('|').collect();
        if f.len() < 7 || f[0].contains('.') || f[4].trim().is_empty() {
            continue;
        }
        rows.push(Usage {
            id: f[0].to_string(),
            state: JobState::parse(f[1]),
            exit_code: parse_exit(f[2]).0,
            elapsed_s: f[3].parse().unwrap_or(0),
            alloc_tres: parse_tres(f[4]),
            start: opt(f[5]),
            end: opt(f[6]),
        });
    }
    rows
}

/// Merge reports: for each id, the first source that lists it wins (pass squeue before sacct).
pub fn merge(sources: Vec<Vec<JobInfo>>) -> Vec<JobInfo> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for src in sources {
        for j in src {
            if seen.insert(j.id.clone()) {
                out.push(j);
            }
        }
    }
    out
}
