//! The local runner process: starts queued jobs FIFO within the host's cores, enforces time
//! limits and cancellations, records each run, requeues on request, and exits when idle.

use super::{kill, load_all, lock_queue, save, LocalJob, LocalRun, KILL_WAIT_S, RUNNER_ARG};
use crate::state::JobState;
use crate::{io_err, Result};
use std::collections::HashMap;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the runner waits with nothing queued before it exits.
const IDLE_EXIT: Duration = Duration::from_secs(3);
const TICK: Duration = Duration::from_millis(200);

/// Whether `pid` is a live runner (not a zombie, not a reused pid).
fn runner_alive(pid: i32) -> bool {
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(c) => String::from_utf8_lossy(&c).contains(RUNNER_ARG),
        Err(_) => !Path::new("/proc/self").exists() && kill(pid, 0, false),
    }
}

/// Start a runner for `dir` unless one is alive. Call with the queue locked.
pub fn ensure_running(dir: &Path, program: &[String]) -> Result<()> {
    let pidfile = dir.join("runner.pid");
    let current = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    if current.is_some_and(runner_alive) {
        return Ok(());
    }
    let log_path = dir.join("runner.log");
    let log = std::fs::File::options()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| io_err(log_path.display(), e))?;
    let (exe, args) = program
        .split_first()
        .ok_or_else(|| crate::Error::Backend("no local runner program".into()))?;
    let child = Command::new(exe)
        .args(args)
        .arg(RUNNER_ARG)
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| crate::Error::Backend(format!("cannot start the local runner {exe}: {e}")))?;
    std::fs::write(&pidfile, format!("{}\n", child.id())).map_err(|e| io_err(pidfile.display(), e))
}

/// The runner's main loop; returns the process exit code.
pub fn run(dir: &Path, cores: u64, gpus: u64) -> i32 {
    let me = std::process::id();
    let mut children: HashMap<String, Child> = HashMap::new();
    let mut idle_since: Option<Instant> = None;
    loop {
        let Ok(lock) = lock_queue(dir) else {
            eprintln!("local runner: cannot lock {}", dir.display());
            return 1;
        };
        let jobs = load_all(dir);
        let mut busy = false;
        let mut used_cpus = 0;
        let mut used_gpus: Vec<u32> = Vec::new();
        let mut running_per_array: HashMap<String, usize> = HashMap::new();
        let now = crate::now();
        let mut updated = Vec::new();
        for mut j in jobs.iter().cloned() {
            let before = j.clone();
            if j.state == JobState::Running {
                watch(dir, &mut j, &mut children, me, now);
            }
            if j.state == JobState::Running {
                used_cpus += j.cpus;
                used_gpus.extend(&j.gpu_ids);
                if let Some(a) = &j.array_job_id {
                    *running_per_array.entry(a.clone()).or_default() += 1;
                }
            }
            busy |= matches!(j.state, JobState::Running | JobState::Pending);
            if j != before {
                let _ = save(dir, &j);
            }
            updated.push(j);
        }
        // Start pending jobs in submission order; the first that does not fit blocks the rest.
        for j in updated.iter_mut().filter(|j| j.state == JobState::Pending) {
            if let (Some(a), Some(t)) = (&j.array_job_id, j.throttle) {
                if running_per_array.get(a).copied().unwrap_or(0) >= t {
                    continue;
                }
            }
            let free_gpus: Vec<u32> = (0..gpus as u32)
                .filter(|g| !used_gpus.contains(g))
                .collect();
            if used_cpus + j.cpus > cores || (free_gpus.len() as u64) < j.gpus {
                if j.reason.as_deref() != Some("Resources") {
                    j.reason = Some("Resources".into());
                    let _ = save(dir, j);
                }
                break;
            }
            j.gpu_ids = free_gpus[..j.gpus as usize].to_vec();
            match start(dir, j) {
                Ok(child) => {
                    j.pid = Some(child.id() as i32);
                    j.runner_pid = Some(me);
                    j.state = JobState::Running;
                    j.reason = None;
                    j.start_time = Some(crate::now());
                    children.insert(j.id.clone(), child);
                    used_cpus += j.cpus;
                    used_gpus.extend(&j.gpu_ids);
                    if let Some(a) = &j.array_job_id {
                        *running_per_array.entry(a.clone()).or_default() += 1;
                    }
                }
                Err(e) => {
                    j.state = JobState::Failed;
                    j.reason = Some(format!("cannot start: {e}"));
                    j.end_time = Some(crate::now());
                }
            }
            let _ = save(dir, j);
        }
        if busy || !children.is_empty() {
            idle_since = None;
        } else if idle_since.get_or_insert_with(Instant::now).elapsed() >= IDLE_EXIT {
            let pidfile = dir.join("runner.pid");
            let mine = std::fs::read_to_string(&pidfile)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok());
            if mine == Some(me) {
                let _ = std::fs::remove_file(&pidfile);
            }
            drop(lock);
            return 0;
        }
        drop(lock);
        std::thread::sleep(TICK);
    }
}

/// Reap, time-limit and cancel one running job.
fn watch(dir: &Path, j: &mut LocalJob, children: &mut HashMap<String, Child>, me: u32, now: u64) {
    let Some(pid) = j.pid else { return };
    if j.runner_pid != Some(me) {
        // Started by a runner that died: its exit status is lost.
        if !kill(pid, 0, true) {
            finish(
                dir,
                j,
                None,
                now,
                Some("the local runner lost track of the job".into()),
            );
        }
        return;
    }
    if let Some(child) = children.get_mut(&j.id) {
        if let Ok(Some(st)) = child.try_wait() {
            children.remove(&j.id);
            let code = st.code().or_else(|| st.signal().map(|s| 128 + s));
            finish(dir, j, code, now, None);
            return;
        }
    }
    let elapsed = now.saturating_sub(j.start_time.unwrap_or(now));
    if let Some(sig) = &j.signal {
        if !j.signalled && j.time_limit_s > 0 && elapsed + sig.seconds_before >= j.time_limit_s {
            if let Some(n) = super::signal_number(&sig.signal) {
                kill(pid, n, !sig.batch_only);
            }
            j.signalled = true;
        }
    }
    if j.time_limit_s > 0 && elapsed >= j.time_limit_s && !j.timed_out && !j.cancel_requested {
        j.timed_out = true;
        j.term_at = Some(now);
        kill(pid, libc::SIGTERM, true);
    }
    if j.term_at.is_some_and(|t| now >= t + KILL_WAIT_S) {
        kill(pid, libc::SIGKILL, true);
    }
}

/// Record the end of a run and decide the job's next state.
fn finish(dir: &Path, j: &mut LocalJob, code: Option<i32>, now: u64, lost: Option<String>) {
    let flag = dir.join("requeue").join(&j.id);
    let requeue = j.requeue && flag.exists();
    let _ = std::fs::remove_file(&flag);
    let state = if j.cancel_requested {
        JobState::Cancelled
    } else if requeue {
        JobState::Requeued
    } else if j.timed_out {
        JobState::Timeout
    } else if code == Some(0) {
        JobState::Completed
    } else {
        JobState::Failed
    };
    j.runs.push(LocalRun {
        start: j.start_time.unwrap_or(now),
        end: now,
        state: state.clone(),
        exit_code: code,
    });
    j.exit_code = code;
    j.pid = None;
    j.gpu_ids.clear();
    j.signalled = false;
    j.timed_out = false;
    j.term_at = None;
    if state == JobState::Requeued {
        j.state = JobState::Pending;
        j.reason = Some("Requeued".into());
        j.restarts += 1;
        j.start_time = None;
    } else {
        j.state = state;
        j.reason = lost;
        j.end_time = Some(now);
    }
}

fn start(dir: &Path, j: &LocalJob) -> std::io::Result<Child> {
    let log = std::fs::File::options()
        .create(true)
        .append(true)
        .open(&j.stdout)?;
    let mut cmd = Command::new("/bin/bash");
    cmd.arg(&j.script)
        .current_dir(&j.workdir)
        .env_clear()
        .envs(j.env.iter().map(|(k, v)| (k, v)))
        .env("GALVANA_JOB_ID", &j.id)
        .env("GALVANA_RESTART_COUNT", j.restarts.to_string())
        .env("GALVANA_LOCAL_REQUEUE", dir.join("requeue").join(&j.id))
        .env("GALVANA_LOCAL_CPUS", j.cpus.to_string())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0);
    if let (Some(a), Some(t)) = (&j.array_job_id, j.array_task) {
        cmd.env("GALVANA_ARRAY_JOB_ID", a)
            .env("GALVANA_ARRAY_TASK_ID", t.to_string());
    }
    if j.gpus > 0 {
        let ids: Vec<String> = j.gpu_ids.iter().map(u32::to_string).collect();
        cmd.env("CUDA_VISIBLE_DEVICES", ids.join(","));
    }
    cmd.spawn()
}
