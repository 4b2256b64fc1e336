//! The local backend: runs batch scripts on this host, FIFO within its cores, with Slurm's job
//! states, time limits (`--signal` lead time, TERM at the limit, KILL after a grace), requeue
//! and per-run accounting.
//!
//! The queue is a directory (`$GALVANA_LOCAL_QUEUE`, default `<state dir>/local-queue`): one
//! JSON record per job or array task under `jobs/`, guarded by an advisory lock on `lock`. A
//! detached runner process (this crate's [`runner::run`], started on demand by `submit` as
//! `<runner exe> __galvana-local-runner QUEUE`) starts jobs, watches them and exits when the
//! queue is idle. Binaries that embed this backend must dispatch that argument, see
//! [`crate::cli::dispatch_local_runner`].

pub mod runner;

use crate::backend::Backend;
use crate::spec::{JobSpec, SignalSpec};
use crate::state::{JobInfo, JobState, Usage};
use crate::{io_err, Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The argument that turns a binary into the local runner.
pub const RUNNER_ARG: &str = "__galvana-local-runner";

/// Seconds between TERM and KILL (Slurm's `KillWait`).
pub const KILL_WAIT_S: u64 = 10;

/// One run of a local job (a requeued job has several).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalRun {
    pub start: u64,
    pub end: u64,
    pub state: JobState,
    pub exit_code: Option<i32>,
}

/// A local job (or one task of a local job array).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalJob {
    /// `7`, or `7_2` for task 2 of array job 7.
    pub id: String,
    /// Submission number: FIFO order.
    pub seq: u64,
    pub array_job_id: Option<String>,
    pub array_task: Option<u32>,
    pub throttle: Option<usize>,
    pub name: String,
    pub script: PathBuf,
    pub workdir: PathBuf,
    pub stdout: PathBuf,
    pub cpus: u64,
    pub gpus: u64,
    pub time_limit_s: u64,
    pub signal: Option<SignalSpec>,
    pub requeue: bool,
    /// The submitter's environment (the job runs with it, like sbatch's `--export=ALL`).
    pub env: Vec<(String, String)>,
    pub state: JobState,
    pub reason: Option<String>,
    pub submit_time: u64,
    pub start_time: Option<u64>,
    pub end_time: Option<u64>,
    pub exit_code: Option<i32>,
    pub restarts: u32,
    /// Process (and process group) id of the running script.
    pub pid: Option<i32>,
    pub runner_pid: Option<u32>,
    pub gpu_ids: Vec<u32>,
    pub signalled: bool,
    pub timed_out: bool,
    pub cancel_requested: bool,
    /// When TERM was sent (cancel or time limit).
    pub term_at: Option<u64>,
    pub runs: Vec<LocalRun>,
}

impl LocalJob {
    pub fn info(&self) -> JobInfo {
        let elapsed = self
            .start_time
            .map(|s| self.end_time.unwrap_or_else(crate::now).saturating_sub(s));
        JobInfo {
            id: self.id.clone(),
            array_job_id: self.array_job_id.clone(),
            array_task: self.array_task,
            name: self.name.clone(),
            state: self.state.clone(),
            reason: self.reason.clone(),
            exit_code: self.exit_code,
            signal: None,
            elapsed_s: elapsed,
            time_limit_s: Some(self.time_limit_s),
            restarts: Some(self.restarts),
            workdir: Some(self.workdir.display().to_string()),
            start: self.start_time.map(|t| t.to_string()),
            end: self.end_time.map(|t| t.to_string()),
        }
    }

    fn matches(&self, id: &str) -> bool {
        self.id == id || self.array_job_id.as_deref() == Some(id)
    }

    pub fn alloc_tres(&self) -> std::collections::BTreeMap<String, String> {
        let mut t = std::collections::BTreeMap::new();
        t.insert("billing".into(), self.cpus.to_string());
        t.insert("cpu".into(), self.cpus.to_string());
        t.insert("node".into(), "1".into());
        if self.gpus > 0 {
            t.insert("gres/gpu".into(), self.gpus.to_string());
        }
        t
    }
}

/// The queue directory and this host's resources.
#[derive(Clone, Debug)]
pub struct LocalBackend {
    pub dir: PathBuf,
    pub cores: u64,
    pub gpus: u64,
    /// Program (and leading arguments) that understands [`RUNNER_ARG`].
    pub runner: Vec<String>,
}

/// An exclusive lock on the queue (released when dropped).
pub struct QueueLock(#[allow(dead_code)] File);

impl LocalBackend {
    pub fn new(dir: PathBuf) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get() as u64)
            .unwrap_or(1);
        let gpus = (0..64)
            .take_while(|i| Path::new(&format!("/dev/nvidia{i}")).exists())
            .count() as u64;
        // A long-running process (the gateway) whose binary was replaced on disk (an upgrade,
        // a rebuild) still runs: start the runner from the running image then.
        let runner = std::env::current_exe()
            .map(|p| {
                if p.is_file() {
                    p.display().to_string()
                } else {
                    "/proc/self/exe".to_string()
                }
            })
            .map(|p| vec![p])
            .unwrap_or_else(|_| vec!["galvana-sched".into()]);
        Self {
            dir,
            cores,
            gpus,
            runner,
        }
    }

    /// `$GALVANA_LOCAL_QUEUE`, `$GALVANA_LOCAL_CORES`, `$GALVANA_LOCAL_GPUS` and
    /// `$GALVANA_LOCAL_RUNNER` override the defaults.
    pub fn from_env() -> Self {
        let dir = std::env::var_os("GALVANA_LOCAL_QUEUE")
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::state_dir().join("local-queue"));
        let mut b = Self::new(dir);
        let num = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
        b.cores = num("GALVANA_LOCAL_CORES").unwrap_or(b.cores);
        b.gpus = num("GALVANA_LOCAL_GPUS").unwrap_or(b.gpus);
        if let Ok(r) = std::env::var("GALVANA_LOCAL_RUNNER") {
            b.runner = vec![r];
        }
        b
    }

    pub fn with_runner(mut self, program: impl Into<String>) -> Self {
        self.runner = vec![program.into()];
        self
    }

    pub fn lock(&self) -> Result<QueueLock> {
        lock_queue(&self.dir)
    }

    /// Every record in the queue, in FIFO order.
    pub fn jobs(&self) -> Result<Vec<LocalJob>> {
        let _l = self.lock()?;
        Ok(load_all(&self.dir))
    }

    fn matching(&self, id: &str) -> Result<(QueueLock, Vec<LocalJob>)> {
        let l = self.lock()?;
        let jobs: Vec<LocalJob> = load_all(&self.dir)
            .into_iter()
            .filter(|j| j.matches(id))
            .collect();
        Ok((l, jobs))
    }
}

pub(crate) fn lock_queue(dir: &Path) -> Result<QueueLock> {
    std::fs::create_dir_all(dir.join("jobs")).map_err(|e| io_err(dir.display(), e))?;
    std::fs::create_dir_all(dir.join("requeue")).map_err(|e| io_err(dir.display(), e))?;
    let path = dir.join("lock");
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_err(path.display(), e))?;
    f.lock().map_err(|e| io_err(path.display(), e))?;
    Ok(QueueLock(f))
}

fn record_path(dir: &Path, id: &str) -> PathBuf {
    dir.join("jobs").join(format!("{id}.json"))
}

pub(crate) fn load_all(dir: &Path) -> Vec<LocalJob> {
    let mut jobs: Vec<LocalJob> = std::fs::read_dir(dir.join("jobs"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect();
    jobs.sort_by_key(|j: &LocalJob| (j.seq, j.array_task));
    jobs
}

pub(crate) fn save(dir: &Path, job: &LocalJob) -> Result<()> {
    let path = record_path(dir, &job.id);
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(job).unwrap_or_default();
    std::fs::write(&tmp, text).map_err(|e| io_err(tmp.display(), e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io_err(path.display(), e))
}

/// Send `sig` to a process (`group`: to its whole process group).
pub(crate) fn kill(pid: i32, sig: i32, group: bool) -> bool {
    let target = if group { -pid } else { pid };
    pid > 0 && unsafe { libc::kill(target, sig) == 0 }
}

/// `USR1`, `SIGTERM`, `15` → signal number.
pub fn signal_number(name: &str) -> Option<i32> {
    let n = name.trim().trim_start_matches("SIG");
    if let Ok(x) = n.parse() {
        return Some(x);
    }
    Some(match n {
        "HUP" => libc::SIGHUP,
        "INT" => libc::SIGINT,
        "QUIT" => libc::SIGQUIT,
        "KILL" => libc::SIGKILL,
        "USR1" => libc::SIGUSR1,
        "USR2" => libc::SIGUSR2,
        "TERM" => libc::SIGTERM,
        "CONT" => libc::SIGCONT,
        "STOP" => libc::SIGSTOP,
        _ => return None,
    })
}

/// Substitute `%j`, `%A`, `%a` in an output file pattern.
fn output_path(pattern: &str, id: &str, array: Option<(&str, u32)>) -> PathBuf {
    let (a, t) = match array {
        Some((a, t)) => (a.to_string(), t.to_string()),
        None => (id.to_string(), "4294967294".to_string()),
    };
    PathBuf::from(
        pattern
            .replace("%j", id)
            .replace("%A", &a)
            .replace("%a", &t),
    )
}

impl Backend for LocalBackend {
    fn name(&self) -> &'static str {
        "local"
    }

    fn submit(&self, job: &JobSpec) -> Result<String> {
        let cpus = job.ntasks.max(1);
        let gpus = job.ntasks * job.gpus_per_task;
        if cpus > self.cores {
            return Err(Error::Backend(format!(
                "the job needs {cpus} cores; this host has {} (local backend)",
                self.cores
            )));
        }
        if gpus > self.gpus {
            return Err(Error::Backend(format!(
                "the job needs {gpus} GPUs; this host has {} (local backend)",
                self.gpus
            )));
        }
        if job.nodes > 1 {
            return Err(Error::Backend("the local backend runs on one node".into()));
        }
        if job.dependency.is_some() {
            return Err(Error::Backend(
                "the local backend does not support dependencies".into(),
            ));
        }
        std::fs::create_dir_all(&job.workdir).map_err(|e| io_err(job.workdir.display(), e))?;
        let script = job.workdir.join("job.sh");
        std::fs::write(&script, &job.script).map_err(|e| io_err(script.display(), e))?;
        let _l = self.lock()?;
        let counter = self.dir.join("next_id");
        let seq: u64 = std::fs::read_to_string(&counter)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(1);
        std::fs::write(&counter, format!("{}\n", seq + 1))
            .map_err(|e| io_err(counter.display(), e))?;
        let id = seq.to_string();
        let tasks: Vec<Option<u32>> = match &job.array {
            Some(a) => a.indices().into_iter().map(Some).collect(),
            None => vec![None],
        };
        for task in tasks {
            let tid = task.map_or_else(|| id.clone(), |t| format!("{id}_{t}"));
            let rec = LocalJob {
                id: tid.clone(),
                seq,
                array_job_id: task.map(|_| id.clone()),
                array_task: task,
                throttle: job.array.as_ref().and_then(|a| a.throttle),
                name: job.name.clone(),
                script: script.clone(),
                workdir: job.workdir.clone(),
                stdout: output_path(&job.stdout, &tid, task.map(|t| (id.as_str(), t))),
                cpus,
                gpus,
                time_limit_s: job.time_limit_s,
                signal: job.signal.clone(),
                requeue: job.requeue,
                env: std::env::vars().collect(),
                state: JobState::Pending,
                reason: Some("Priority".into()),
                submit_time: crate::now(),
                start_time: None,
                end_time: None,
                exit_code: None,
                restarts: 0,
                pid: None,
                runner_pid: None,
                gpu_ids: Vec::new(),
                signalled: false,
                timed_out: false,
                cancel_requested: false,
                term_at: None,
                runs: Vec::new(),
            };
            save(&self.dir, &rec)?;
        }
        runner::ensure_running(&self.dir, &self.runner)?;
        Ok(id)
    }

    fn status(&self, id: &str) -> Result<Vec<JobInfo>> {
        let (_l, jobs) = self.matching(id)?;
        Ok(jobs.iter().map(LocalJob::info).collect())
    }

    fn list(&self) -> Result<Vec<JobInfo>> {
        let _l = self.lock()?;
        let jobs = load_all(&self.dir);
        Ok(jobs
            .iter()
            .filter(|j| !j.state.is_terminal())
            .map(LocalJob::info)
            .collect())
    }

    fn cancel(&self, id: &str) -> Result<()> {
        let (_l, jobs) = self.matching(id)?;
        if jobs.is_empty() {
            return Err(Error::Backend(format!("no local job {id}")));
        }
        for mut j in jobs {
            match j.state {
                JobState::Pending | JobState::Requeued => {
                    j.state = JobState::Cancelled;
                    j.reason = None;
                    j.end_time = Some(crate::now());
                }
                JobState::Running if !j.cancel_requested => {
                    j.cancel_requested = true;
                    j.term_at = Some(crate::now());
                    if let Some(pid) = j.pid {
                        kill(pid, libc::SIGTERM, true);
                    }
                }
                _ => continue,
            }
            save(&self.dir, &j)?;
        }
        Ok(())
    }

    fn signal(&self, id: &str, signal: &str, batch_only: bool) -> Result<()> {
        let sig = signal_number(signal)
            .ok_or_else(|| Error::Backend(format!("unknown signal {signal}")))?;
        let (_l, jobs) = self.matching(id)?;
        let running: Vec<_> = jobs
            .iter()
            .filter_map(|j| j.pid.filter(|_| j.state == JobState::Running))
            .collect();
        if running.is_empty() {
            return Err(Error::Backend(format!("local job {id} is not running")));
        }
        for pid in running {
            kill(pid, sig, !batch_only);
        }
        Ok(())
    }

    fn usage(&self, id: &str) -> Result<Vec<Usage>> {
        let (_l, jobs) = self.matching(id)?;
        let mut rows = Vec::new();
        for j in &jobs {
            for r in &j.runs {
                rows.push(Usage {
                    id: j.id.clone(),
                    state: r.state.clone(),
                    exit_code: r.exit_code,
                    elapsed_s: r.end.saturating_sub(r.start),
                    alloc_tres: j.alloc_tres(),
                    start: Some(r.start.to_string()),
                    end: Some(r.end.to_string()),
                });
            }
            if let (JobState::Running, Some(s)) = (&j.state, j.start_time) {
                rows.push(Usage {
                    id: j.id.clone(),
                    state: JobState::Running,
                    exit_code: None,
                    elapsed_s: crate::now().saturating_sub(s),
                    alloc_tres: j.alloc_tres(),
                    start: Some(s.to_string()),
                    end: None,
                });
            }
        }
        Ok(rows)
    }
}
