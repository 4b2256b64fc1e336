//! What a batch job asks for ([`JobSpec`]), built from a deck's `[job]` section and the
//! submitter's [`SubmitOptions`], rendered as `#SBATCH` lines (and, by the REST backend, as
//! slurmrestd job properties).

use crate::backend::BackendKind;
use galvana_decks::JobOptions;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How the batch script starts the MPI ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Launcher {
    /// `srun --mpi=pmix galvana run …` (Slurm's own launcher; the default under Slurm).
    Srun,
    /// `mpirun -np RANKS galvana run …` (OpenMPI reads the Slurm allocation; the local backend).
    Mpirun,
}

impl std::str::FromStr for Launcher {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "srun" => Ok(Launcher::Srun),
            "mpirun" => Ok(Launcher::Mpirun),
            _ => Err(format!("launcher must be `srun` or `mpirun`, not `{s}`")),
        }
    }
}

/// `--signal=[B:]SIG@SECONDS`: send SIG this long before the time limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalSpec {
    /// Only the batch shell (`B:`), which forwards it to the run.
    pub batch_only: bool,
    /// Signal name without `SIG`, e.g. `USR1`.
    pub signal: String,
    pub seconds_before: u64,
}

impl SignalSpec {
    /// As sbatch writes it: `B:USR1@120`.
    pub fn to_sbatch(&self) -> String {
        let b = if self.batch_only { "B:" } else { "" };
        format!("{b}{}@{}", self.signal, self.seconds_before)
    }
}

/// `--array=0-(count-1)[%throttle]`, or only some task indices (`1,3%2`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArraySpec {
    pub count: usize,
    /// At most this many tasks run at once.
    pub throttle: Option<usize>,
    /// Run only these indices (a resumed sweep); `None`: `0..count`.
    pub only: Option<Vec<u32>>,
}

impl ArraySpec {
    /// The task indices that run.
    pub fn indices(&self) -> Vec<u32> {
        match &self.only {
            Some(v) => v.clone(),
            None => (0..self.count as u32).collect(),
        }
    }

    /// The spec without `only` (as first submitted).
    pub fn to_sbatch_all(&self) -> String {
        ArraySpec {
            only: None,
            ..self.clone()
        }
        .to_sbatch()
    }

    pub fn to_sbatch(&self) -> String {
        let range = match &self.only {
            Some(v) => v.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
            None => format!("0-{}", self.count.saturating_sub(1)),
        };
        match self.throttle {
            Some(t) => format!("{range}%{t}"),
            None => range,
        }
    }
}

/// Everything one batch job asks of the scheduler, plus its script.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    pub name: String,
    /// The job directory (`--chdir`); absolute.
    pub workdir: PathBuf,
    /// Output file pattern (`--output`, `%j`, `%A`, `%a`), absolute; stderr goes there too.
    pub stdout: String,
    /// MPI ranks (`--ntasks`).
    pub ntasks: u64,
    pub nodes: u64,
    /// `--gpus-per-task`, when non-zero.
    pub gpus_per_task: u64,
    /// `--time` as written in the deck, and in seconds.
    pub time_limit: String,
    pub time_limit_s: u64,
    pub partition: Option<String>,
    pub account: Option<String>,
    pub qos: Option<String>,
    pub signal: Option<SignalSpec>,
    pub requeue: bool,
    /// `--open-mode=append` (requeued segments append to the same output file).
    pub open_append: bool,
    pub array: Option<ArraySpec>,
    /// `--dependency=…` (e.g. `afterany:123`).
    pub dependency: Option<String>,
    pub comment: Option<String>,
    /// The deck's `extra_sbatch` lines, each an sbatch option such as `--exclusive`.
    pub extra: Vec<String>,
    /// Variables the script exports before launching (also sent as the REST job environment).
    pub env: Vec<(String, String)>,
    /// The full batch script, `#SBATCH` header included.
    pub script: String,
}

impl JobSpec {
    /// The `#SBATCH` option lines (without the `#SBATCH ` prefix), in a fixed order.
    pub fn sbatch_options(&self) -> Vec<String> {
        let mut o = vec![
            format!("--job-name={}", self.name),
            format!("--ntasks={}", self.ntasks),
            format!("--nodes={}", self.nodes),
        ];
        if self.gpus_per_task > 0 {
            o.push(format!("--gpus-per-task={}", self.gpus_per_task));
        }
        o.push(format!("--time={}", self.time_limit));
        for (k, v) in [
            ("partition", &self.partition),
            ("account", &self.account),
            ("qos", &self.qos),
        ] {
            if let Some(v) = v {
                o.push(format!("--{k}={v}"));
            }
        }
        o.push(format!("--chdir={}", self.workdir.display()));
        o.push(format!("--output={}", self.stdout));
        if self.open_append {
            o.push("--open-mode=append".into());
        }
        if let Some(s) = &self.signal {
            o.push(format!("--signal={}", s.to_sbatch()));
        }
        o.push(
            if self.requeue {
                "--requeue"
            } else {
                "--no-requeue"
            }
            .into(),
        );
        if let Some(a) = &self.array {
            o.push(format!("--array={}", a.to_sbatch()));
        }
        if let Some(d) = &self.dependency {
            o.push(format!("--dependency={d}"));
        }
        if let Some(c) = &self.comment {
            o.push(format!("--comment={c}"));
        }
        o.extend(self.extra.iter().cloned());
        o
    }
}

/// The submitter's choices (command-line options), beyond the deck's `[job]`.
#[derive(Clone, Debug)]
pub struct SubmitOptions {
    pub backend: BackendKind,
    /// Job directory; default `<deck dir>/<deck stem>.job` (`-2`, `-3`, … if taken).
    pub workdir: Option<PathBuf>,
    /// The `galvana` binary the script runs; default: `$GALVANA_BIN`, this executable when it is
    /// `galvana`, a `galvana` next to it, then `galvana` on `PATH`.
    pub galvana: Option<PathBuf>,
    /// Default: srun for Slurm backends, mpirun for local.
    pub launcher: Option<Launcher>,
    /// `srun --mpi=` plugin.
    pub srun_mpi: String,
    /// Seconds before the time limit at which USR1 asks the run to checkpoint (Slurm may send
    /// it up to a minute earlier). Default: 120, at most a quarter of the walltime.
    pub grace_s: Option<u64>,
    /// Requeue checkpointed segments (a restart campaign). Default true.
    pub requeue: bool,
    /// Stop the campaign after this many segments. Default 20.
    pub max_segments: u32,
    /// Stop after this many consecutive segments that failed without checkpointing. Default 2.
    pub max_failures: u32,
    pub dependency: Option<String>,
    pub name: Option<String>,
    /// Extra variables the script exports.
    pub env: Vec<(String, String)>,
}

impl Default for SubmitOptions {
    fn default() -> Self {
        Self {
            backend: BackendKind::Slurm,
            workdir: None,
            galvana: None,
            launcher: None,
            srun_mpi: "pmix".into(),
            grace_s: None,
            requeue: true,
            max_segments: 20,
            max_failures: 2,
            dependency: None,
            name: None,
            env: Vec::new(),
        }
    }
}

impl SubmitOptions {
    pub fn launcher(&self) -> Launcher {
        self.launcher.unwrap_or(match self.backend {
            BackendKind::Local => Launcher::Mpirun,
            _ => Launcher::Srun,
        })
    }

    /// USR1 lead time for a job of `walltime_s`.
    pub fn grace(&self, walltime_s: u64) -> u64 {
        self.grace_s
            .unwrap_or_else(|| 120.min(walltime_s / 4).max(1))
    }
}

/// A job spec from a deck's `[job]`, without script (see [`crate::script::render`]).
pub fn from_job_options(
    job: &JobOptions,
    name: &str,
    workdir: PathBuf,
    opts: &SubmitOptions,
) -> JobSpec {
    let signal = opts.requeue.then(|| SignalSpec {
        batch_only: true,
        signal: "USR1".into(),
        seconds_before: opts.grace(job.walltime_seconds),
    });
    let stdout = workdir.join("job-%j.out").display().to_string();
    JobSpec {
        name: name.to_string(),
        workdir,
        stdout,
        ntasks: job.ranks,
        nodes: job.nodes,
        gpus_per_task: job.gpus_per_rank,
        time_limit: job.walltime.clone(),
        time_limit_s: job.walltime_seconds,
        partition: job.partition.clone(),
        account: job.account.clone(),
        qos: job.qos.clone(),
        signal,
        requeue: opts.requeue,
        open_append: true,
        array: None,
        dependency: opts.dependency.clone(),
        comment: Some("galvana".into()),
        extra: job
            .extra_sbatch
            .iter()
            .map(|l| normalise_extra(l))
            .collect(),
        env: opts.env.clone(),
        script: String::new(),
    }
}

/// `extra_sbatch` entries may be written with or without a leading `#SBATCH`.
fn normalise_extra(line: &str) -> String {
    let l = line.trim();
    l.strip_prefix("#SBATCH")
        .map(str::trim)
        .unwrap_or(l)
        .to_string()
}
