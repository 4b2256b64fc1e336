//! One interface over the three ways of running a job.

use crate::spec::JobSpec;
use crate::state::{JobInfo, Usage};
use crate::Result;

/// A batch system.
pub trait Backend {
    /// `slurm`, `rest` or `local`.
    fn name(&self) -> &'static str;
    /// Submit; returns the job id (the array job id for arrays).
    fn submit(&self, job: &JobSpec) -> Result<String>;
    /// The current state of a job, one entry per array task (pending task ranges expanded).
    /// Empty when the scheduler no longer knows the id.
    fn status(&self, id: &str) -> Result<Vec<JobInfo>>;
    /// This user's jobs that are queued or running (and, where cheap, recently finished).
    fn list(&self) -> Result<Vec<JobInfo>>;
    /// Cancel a job (every task of an array).
    fn cancel(&self, id: &str) -> Result<()>;
    /// Send a signal (`USR1`, …) to the batch script only (`batch_only`) or to every step.
    fn signal(&self, id: &str, signal: &str, batch_only: bool) -> Result<()>;
    /// Accounting, one row per run: a requeued job has a row per segment.
    fn usage(&self, id: &str) -> Result<Vec<Usage>>;
}

/// Which backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// `sbatch`, `squeue`, `scancel`, `sacct`.
    Slurm,
    /// slurmrestd with a JWT.
    Rest,
    /// `mpirun` on this host, FIFO within its cores.
    Local,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Slurm => "slurm",
            BackendKind::Rest => "rest",
            BackendKind::Local => "local",
        }
    }

    /// `$GALVANA_BACKEND`, else `slurm` when `sbatch` is on `PATH`, else `local`.
    pub fn default_from_env() -> BackendKind {
        if let Ok(b) = std::env::var("GALVANA_BACKEND") {
            if let Ok(k) = b.parse() {
                return k;
            }
        }
        if crate::slurm::on_path("sbatch").is_some() {
            BackendKind::Slurm
        } else {
            BackendKind::Local
        }
    }
}

impl std::str::FromStr for BackendKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "slurm" => Ok(BackendKind::Slurm),
            "rest" => Ok(BackendKind::Rest),
            "local" => Ok(BackendKind::Local),
            _ => Err(format!(
                "backend must be `slurm`, `rest` or `local`, not `{s}`"
            )),
        }
    }
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The backend of `kind`, configured from the environment (see each backend's `from_env`).
pub fn open_backend(kind: BackendKind) -> Result<Box<dyn Backend>> {
    Ok(match kind {
        BackendKind::Slurm => Box::new(crate::slurm::SlurmCli::new()),
        BackendKind::Rest => Box::new(crate::rest::RestBackend::from_env()?),
        BackendKind::Local => Box::new(crate::local::LocalBackend::from_env()),
    })
}
