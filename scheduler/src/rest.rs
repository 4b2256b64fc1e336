//! The slurmrestd backend: JWT-authenticated JSON over HTTP (API v0.0.38 by default).
//!
//! slurmrestd does not read `#SBATCH` lines, so the job's options travel as job properties
//! built from the [`JobSpec`]; the script is sent as is. Configuration (environment):
//! `SLURMRESTD_URL` (default `http://127.0.0.1:6820`, or `unix:/path`), `SLURMRESTD_API_VERSION`
//! (default `v0.0.38`), `SLURM_JWT` (from `scontrol token`), `SLURMRESTD_USER` (default `$USER`).

use crate::backend::Backend;
use crate::http::{self, Endpoint};
use crate::spec::JobSpec;
use crate::state::{JobInfo, JobState, Usage};
use crate::{Error, Result};
use serde_json::{json, Map, Value};

/// slurmrestd connection settings.
#[derive(Clone, Debug)]
pub struct RestBackend {
    pub endpoint: Endpoint,
    /// API version in paths, e.g. `v0.0.38` (used for both `/slurm` and `/slurmdb`).
    pub version: String,
    pub user: String,
    pub token: String,
}

impl RestBackend {
    pub fn new(url: &str, version: &str, user: &str, token: &str) -> Result<Self> {
        Ok(Self {
            endpoint: Endpoint::parse(url).map_err(Error::Backend)?,
            version: version.to_string(),
            user: user.to_string(),
            token: token.to_string(),
        })
    }

    pub fn from_env() -> Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let token = var("SLURM_JWT").ok_or_else(|| {
            Error::Backend(
                "the REST backend needs a JWT in SLURM_JWT (e.g. `export $(scontrol token)`)"
                    .into(),
            )
        })?;
        let user = var("SLURMRESTD_USER")
            .or_else(|| var("USER"))
            .or_else(|| var("LOGNAME"))
            .or_else(|| (unsafe { libc::geteuid() } == 0).then(|| "root".to_string()))
            .ok_or_else(|| Error::Backend("set SLURMRESTD_USER or USER".into()))?;
        let url = var("SLURMRESTD_URL").unwrap_or_else(|| "http://127.0.0.1:6820".into());
        let version = var("SLURMRESTD_API_VERSION").unwrap_or_else(|| "v0.0.38".into());
        Self::new(&url, &version, &user, &token)
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let headers = [
            ("X-SLURM-USER-NAME", self.user.as_str()),
            ("X-SLURM-USER-TOKEN", self.token.as_str()),
        ];
        let text = body.map(|b| b.to_string());
        let r = http::request(&self.endpoint, method, path, &headers, text.as_deref())
            .map_err(|e| Error::Backend(format!("slurmrestd {method} {path}: {e}")))?;
        let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        let errors = rest_errors(&v);
        if r.status >= 400 || (!errors.is_empty() && r.status != 200) || v.is_null() {
            let detail = if errors.is_empty() {
                r.body.chars().take(300).collect()
            } else {
                errors.join("; ")
            };
            return Err(Error::Backend(format!(
                "slurmrestd {method} {path}: HTTP {}: {detail}",
                r.status
            )));
        }
        Ok(v)
    }

    fn slurm(&self, rest: &str) -> String {
        format!("/slurm/{}/{rest}", self.version)
    }
    fn slurmdb(&self, rest: &str) -> String {
        format!("/slurmdb/{}/{rest}", self.version)
    }

    fn db_jobs(&self, id: &str) -> Result<Vec<Value>> {
        let v = self.call("GET", &self.slurmdb(&format!("job/{id}")), None)?;
        Ok(array(&v, "jobs"))
    }
}

fn array(v: &Value, key: &str) -> Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The `errors` of a response, as text.
fn rest_errors(v: &Value) -> Vec<String> {
    array(v, "errors")
        .iter()
        .filter(|e| e.get("error_number").and_then(Value::as_i64) != Some(0))
        .map(|e| {
            let msg = e.get("error").or_else(|| e.get("description"));
            msg.and_then(Value::as_str).unwrap_or("error").to_string()
        })
        .collect()
}

/// A number, also in the `{"set": true, "number": N}` form of newer API versions.
fn num(v: Option<&Value>) -> Option<i64> {
    let v = v?;
    v.as_i64().or_else(|| match v.get("set") {
        Some(Value::Bool(false)) => None,
        _ => v.get("number").and_then(Value::as_i64),
    })
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

fn epoch(v: Option<&Value>) -> Option<String> {
    num(v).filter(|&t| t > 0).map(|t| t.to_string())
}

/// slurmrestd job properties for `job` (v0.0.38 names).
pub fn job_properties(job: &JobSpec) -> Result<Map<String, Value>> {
    let mut p = Map::new();
    p.insert("name".into(), json!(job.name));
    p.insert(
        "current_working_directory".into(),
        json!(job.workdir.display().to_string()),
    );
    p.insert("standard_output".into(), json!(job.stdout));
    p.insert("standard_error".into(), json!(job.stdout));
    p.insert("tasks".into(), json!(job.ntasks));
    p.insert("nodes".into(), json!([job.nodes, job.nodes]));
    p.insert(
        "time_limit".into(),
        json!(job.time_limit_s.div_ceil(60).max(1)),
    );
    for (k, v) in [
        ("partition", &job.partition),
        ("account", &job.account),
        ("qos", &job.qos),
    ] {
        if let Some(v) = v {
            p.insert(k.into(), json!(v));
        }
    }
    if job.gpus_per_task > 0 {
        p.insert("gpus_per_task".into(), json!(job.gpus_per_task.to_string()));
    }
    if let Some(s) = &job.signal {
        // slurmrestd 22.05 rejects the `B:` (batch shell only) prefix, so every step gets the
        // signal: the engine then sees USR1 directly and checkpoints just the same.
        p.insert(
            "signal".into(),
            json!(format!("{}@{}", s.signal, s.seconds_before)),
        );
    }
    p.insert("requeue".into(), json!(job.requeue));
    let mode = if job.open_append {
        "append"
    } else {
        "truncate"
    };
    p.insert("open_mode".into(), json!(mode));
    if let Some(a) = &job.array {
        p.insert("array".into(), json!(a.to_sbatch()));
    }
    if let Some(d) = &job.dependency {
        p.insert("dependency".into(), json!(d));
    }
    if let Some(c) = &job.comment {
        p.insert("comment".into(), json!(c));
    }
    for line in &job.extra {
        let (k, v) = extra_property(line)?;
        p.insert(k.into(), v);
    }
    let mut env = Map::new();
    for k in [
        "PATH",
        "LD_LIBRARY_PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "TMPDIR",
    ] {
        if let Ok(v) = std::env::var(k) {
            env.insert(k.into(), json!(v));
        }
    }
    if !env.contains_key("PATH") {
        env.insert("PATH".into(), json!("/usr/local/bin:/usr/bin:/bin"));
    }
    for (k, v) in &job.env {
        env.insert(k.clone(), json!(v));
    }
    p.insert("environment".into(), Value::Object(env));
    Ok(p)
}

/// An `extra_sbatch` option as a job property; options without one are refused.
fn extra_property(line: &str) -> Result<(&'static str, Value)> {
    let opt = line.trim().trim_start_matches("--");
    let (key, val) = match opt.split_once(['=', ' ']) {
        Some((k, v)) => (k, Some(v.trim())),
        None => (opt, None),
    };
    let need = |v: Option<&str>| {
        v.map(str::to_string)
            .ok_or_else(|| Error::Invalid(format!("extra_sbatch `{line}`: expected a value")))
    };
    let int = |v: Option<&str>| -> Result<Value> {
        let s = need(v)?;
        s.parse::<i64>()
            .map(|n| json!(n))
            .map_err(|_| Error::Invalid(format!("extra_sbatch `{line}`: expected a number")))
    };
    Ok(match key {
        "exclusive" => ("exclusive", json!(val.unwrap_or("true"))),
        "mem" => ("memory_per_node", json!(mem_mib(&need(val)?).ok_or_else(|| Error::Invalid(format!("extra_sbatch `{line}`: bad memory size")))?)),
        "mem-per-cpu" => ("memory_per_cpu", json!(mem_mib(&need(val)?).ok_or_else(|| Error::Invalid(format!("extra_sbatch `{line}`: bad memory size")))?)),
        "constraint" | "C" => ("constraints", json!(need(val)?)),
        "reservation" => ("reservation", json!(need(val)?)),
        "gres" => ("gres", json!(need(val)?)),
        "gpus" | "G" => ("gpus", json!(need(val)?)),
        "cpus-per-task" | "c" => ("cpus_per_task", int(val)?),
        "ntasks-per-node" => ("tasks_per_node", int(val)?),
        "nice" => ("nice", int(val)?),
        "mail-type" => ("mail_type", json!(need(val)?)),
        "mail-user" => ("mail_user", json!(need(val)?)),
        "wckey" => ("wckey", json!(need(val)?)),
        "licenses" | "L" => ("licenses", json!(need(val)?)),
        "hold" | "H" => ("hold", json!(true)),
        _ => {
            return Err(Error::Invalid(format!(
                "extra_sbatch `{line}` has no slurmrestd job property this backend knows; use the slurm backend"
            )))
        }
    })
}

/// `4G`, `500M`, `1T`, `2048` (MiB) → MiB.
fn mem_mib(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()?.to_ascii_uppercase() {
        'K' => (&s[..s.len() - 1], 1.0 / 1024.0),
        'M' => (&s[..s.len() - 1], 1.0),
        'G' => (&s[..s.len() - 1], 1024.0),
        'T' => (&s[..s.len() - 1], 1024.0 * 1024.0),
        _ => (s, 1.0),
    };
    num.parse::<f64>().ok().map(|n| (n * mult).ceil() as u64)
}

/// A `/slurm/vX/job(s)` entry.
pub fn parse_slurm_job(j: &Value) -> Vec<JobInfo> {
    let id = num(j.get("job_id")).unwrap_or(0);
    let array_job = num(j.get("array_job_id")).filter(|&a| a > 0);
    let task = num(j.get("array_task_id")).filter(|&t| (0..4_000_000_000).contains(&t));
    let pending_range = text(j.get("array_task_string"));
    let base = JobInfo {
        id: id.to_string(),
        name: text(j.get("name")).unwrap_or_default(),
        state: JobState::parse(&text(j.get("job_state")).unwrap_or_default()),
        reason: text(j.get("state_reason")).filter(|r| r != "None"),
        // v0.0.38 reports the raw wait status: exit code in bits 8-15, signal in 0-6.
        exit_code: num(j.get("exit_code")).map(|c| ((c >> 8) & 0xff) as i32),
        signal: num(j.get("exit_code"))
            .map(|c| (c & 0x7f) as i32)
            .filter(|&s| s != 0),
        time_limit_s: num(j.get("time_limit")).map(|m| m as u64 * 60),
        restarts: num(j.get("restart_cnt")).map(|r| r as u32),
        workdir: text(j.get("current_working_directory")),
        start: epoch(j.get("start_time")),
        end: epoch(j.get("end_time")),
        ..Default::default()
    };
    let running = matches!(base.state, JobState::Running | JobState::Completing);
    let (start, end) = (
        num(j.get("start_time")).unwrap_or(0),
        num(j.get("end_time")).unwrap_or(0),
    );
    let base = JobInfo {
        elapsed_s: match (start > 0, running || base.state.is_terminal()) {
            (true, true) if !running && end >= start => Some((end - start) as u64),
            (true, true) => Some((crate::now() as i64 - start).max(0) as u64),
            _ => None,
        },
        ..base
    };
    match (array_job, task, pending_range) {
        (Some(a), Some(t), _) => vec![JobInfo {
            id: format!("{a}_{t}"),
            array_job_id: Some(a.to_string()),
            array_task: Some(t as u32),
            ..base
        }],
        (Some(a), None, Some(range)) => crate::state::expand_tasks(&range)
            .into_iter()
            .map(|t| JobInfo {
                id: format!("{a}_{t}"),
                array_job_id: Some(a.to_string()),
                array_task: Some(t),
                ..base.clone()
            })
            .collect(),
        _ => vec![base],
    }
}

/// A `/slurmdb/vX/job(s)` entry.
pub fn parse_db_job(j: &Value) -> (JobInfo, Usage) {
    let id = num(j.get("job_id")).unwrap_or(0);
    let arr = j.get("array");
    let array_job = num(arr.and_then(|a| a.get("job_id"))).filter(|&a| a > 0);
    let task = num(arr.and_then(|a| a.get("task_id")));
    let shown = match (array_job, task) {
        (Some(a), Some(t)) => format!("{a}_{t}"),
        _ => id.to_string(),
    };
    let state = JobState::parse(&text(j.pointer("/state/current")).unwrap_or_default());
    let exit_code = num(j.pointer("/exit_code/return_code")).map(|c| c as i32);
    let time = j.get("time");
    let elapsed = num(time.and_then(|t| t.get("elapsed"))).unwrap_or(0).max(0) as u64;
    let info = JobInfo {
        id: shown.clone(),
        array_job_id: array_job.map(|a| a.to_string()),
        array_task: task.map(|t| t as u32),
        name: text(j.get("name")).unwrap_or_default(),
        state: state.clone(),
        reason: text(j.pointer("/state/reason")).filter(|r| r != "None"),
        exit_code,
        elapsed_s: Some(elapsed),
        time_limit_s: num(time.and_then(|t| t.get("limit"))).map(|m| m as u64 * 60),
        workdir: text(j.get("working_directory")),
        start: epoch(time.and_then(|t| t.get("start"))),
        end: epoch(time.and_then(|t| t.get("end"))),
        ..Default::default()
    };
    let mut tres = std::collections::BTreeMap::new();
    for t in array(j.get("tres").unwrap_or(&Value::Null), "allocated") {
        let (Some(ty), Some(count)) = (text(t.get("type")), num(t.get("count"))) else {
            continue;
        };
        let key = match text(t.get("name")) {
            Some(n) => format!("{ty}/{n}"),
            None => ty,
        };
        tres.insert(key, count.to_string());
    }
    let usage = Usage {
        id: shown,
        state,
        exit_code,
        elapsed_s: elapsed,
        alloc_tres: tres,
        start: info.start.clone(),
        end: info.end.clone(),
    };
    (info, usage)
}

impl Backend for RestBackend {
    fn name(&self) -> &'static str {
        "rest"
    }

    fn submit(&self, job: &JobSpec) -> Result<String> {
        std::fs::create_dir_all(&job.workdir)
            .map_err(|e| crate::io_err(job.workdir.display(), e))?;
        let path = job.workdir.join("job.sh");
        std::fs::write(&path, &job.script).map_err(|e| crate::io_err(path.display(), e))?;
        let body = json!({"script": job.script, "job": Value::Object(job_properties(job)?)});
        let v = self.call("POST", &self.slurm("job/submit"), Some(&body))?;
        match num(v.get("job_id")) {
            Some(id) => Ok(id.to_string()),
            None => Err(Error::Backend(format!(
                "slurmrestd accepted the job but returned no job_id: {}",
                rest_errors(&v).join("; ")
            ))),
        }
    }

    fn status(&self, id: &str) -> Result<Vec<JobInfo>> {
        // slurmctld forgets finished jobs after MinJobAge; slurmdbd keeps them.
        let live = match self.call("GET", &self.slurm(&format!("job/{id}")), None) {
            Ok(v) => array(&v, "jobs").iter().flat_map(parse_slurm_job).collect(),
            Err(_) => Vec::new(),
        };
        let mut db: Vec<JobInfo> = self
            .db_jobs(id)
            .unwrap_or_default()
            .iter()
            .map(|j| parse_db_job(j).0)
            .collect();
        // With requeues the database lists every run; keep the latest per id.
        db.reverse();
        Ok(crate::state::merge(vec![live, db]))
    }

    fn list(&self) -> Result<Vec<JobInfo>> {
        let v = self.call("GET", &self.slurm("jobs"), None)?;
        Ok(array(&v, "jobs")
            .iter()
            .filter(|j| text(j.get("user_name")).as_deref() == Some(self.user.as_str()))
            .flat_map(parse_slurm_job)
            .collect())
    }

    fn cancel(&self, id: &str) -> Result<()> {
        self.call("DELETE", &self.slurm(&format!("job/{id}")), None)
            .map(|_| ())
    }

    /// API v0.0.38 cannot restrict a signal to the batch script: every step receives it
    /// (the run checkpoints on USR1 either way).
    fn signal(&self, id: &str, signal: &str, _batch_only: bool) -> Result<()> {
        let path = self.slurm(&format!("job/{id}?signal={signal}"));
        self.call("DELETE", &path, None).map(|_| ())
    }

    fn usage(&self, id: &str) -> Result<Vec<Usage>> {
        Ok(self
            .db_jobs(id)?
            .iter()
            .map(|j| parse_db_job(j).1)
            .filter(|u| !u.alloc_tres.is_empty())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_options() {
        assert_eq!(
            extra_property("--exclusive").unwrap(),
            ("exclusive", json!("true"))
        );
        assert_eq!(
            extra_property("--mem=4G").unwrap(),
            ("memory_per_node", json!(4096))
        );
        assert_eq!(
            extra_property("--constraint=a100").unwrap(),
            ("constraints", json!("a100"))
        );
        assert_eq!(
            extra_property("--cpus-per-task 2").unwrap(),
            ("cpus_per_task", json!(2))
        );
        assert!(extra_property("--frobnicate").is_err());
    }
}
