//! Galvana decks as batch jobs.
//!
//! ```text
//! deck ──[job]──▶ JobSpec ──render──▶ sbatch script (srun/mpirun galvana run …)
//!                     │
//!                     ▼
//!        Backend: SlurmCli (sbatch/squeue/scancel/sacct) | Rest (slurmrestd + JWT) | Local (mpirun here)
//!                     │
//!                     ▼
//!        job directory: job.sh, job-<id>.out, segments*.jsonl, campaign.json, run/ or task-NNN/
//! ```
//! Every submission is a *campaign*: the job asks for `--signal=B:USR1@GRACE`, `--requeue` and
//! `--open-mode=append`; its script forwards USR1 to the engine (which checkpoints and exits 75)
//! and requeues itself, so each requeue is a new *segment* that continues with
//! `--restart latest` until the deck's end time is reached. A sweep file turns one deck into a
//! job array (see [`sweep`]). `galvana-sched` is the command line; the engine's
//! `galvana submit|jobs|cancel` call [`cli`].

pub mod backend;
pub mod campaign;
pub mod cli;
mod http;
pub mod local;
pub mod registry;
pub mod rest;
pub mod script;
pub mod slurm;
pub mod spec;
pub mod state;
pub mod submit;
pub mod sweep;
pub mod watch;

pub use backend::{open_backend, Backend, BackendKind};
pub use campaign::{Campaign, CampaignStatus, Segment, TaskState};
pub use spec::{ArraySpec, JobSpec, Launcher, SignalSpec, SubmitOptions};
pub use state::{JobInfo, JobState, Usage};
pub use submit::{prepare, submit, Prepared};

/// Errors of this crate, as messages a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The deck or sweep file is invalid (diagnostics already formatted).
    #[error("{0}")]
    Invalid(String),
    /// The scheduler refused or failed a request.
    #[error("{0}")]
    Backend(String),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(String),
}

pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn io_err(what: impl std::fmt::Display, e: std::io::Error) -> Error {
    Error::Io(format!("{what}: {e}"))
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Where per-user scheduler state lives: `$GALVANA_STATE_DIR`, else
/// `$XDG_STATE_HOME/galvana`, else `~/.local/state/galvana`.
pub fn state_dir() -> std::path::PathBuf {
    use std::path::PathBuf;
    if let Some(d) = std::env::var_os("GALVANA_STATE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_STATE_HOME") {
        return PathBuf::from(d).join("galvana");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into());
    PathBuf::from(home).join(".local/state/galvana")
}
