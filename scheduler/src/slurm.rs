//! The Slurm command-line backend: `sbatch --parsable`, `squeue`, `sacct`, `scancel`.

use crate::backend::Backend;
use crate::spec::JobSpec;
use crate::state::{self, JobInfo, Usage};
use crate::{io_err, Error, Result};
use std::path::PathBuf;
use std::process::Command;

/// `name` found on `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Slurm through its commands (which must be on `PATH`).
#[derive(Clone, Debug, Default)]
pub struct SlurmCli {
    /// Directory holding the Slurm commands; `None`: `PATH`.
    pub bin_dir: Option<PathBuf>,
}

impl SlurmCli {
    pub fn new() -> Self {
        Self::default()
    }

    fn cmd(&self, name: &str) -> Command {
        match &self.bin_dir {
            Some(d) => Command::new(d.join(name)),
            None => Command::new(name),
        }
    }

    /// Run a command; stdout on success, its stderr as the error otherwise.
    fn run(&self, name: &str, args: &[&str]) -> Result<String> {
        let out = self
            .cmd(name)
            .args(args)
            .output()
            .map_err(|e| Error::Backend(format!("cannot run {name}: {e}")))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(Error::Backend(format!(
                "{name} {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    }
}

/// `sbatch --parsable` prints `JOBID` or `JOBID;CLUSTER`.
pub fn parse_sbatch_parsable(out: &str) -> Result<String> {
    let id = out.trim().split(';').next().unwrap_or("").trim();
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_string())
    } else {
        Err(Error::Backend(format!(
            "unexpected sbatch output: {}",
            out.trim()
        )))
    }
}

impl Backend for SlurmCli {
    fn name(&self) -> &'static str {
        "slurm"
    }

    fn submit(&self, job: &JobSpec) -> Result<String> {
        std::fs::create_dir_all(&job.workdir).map_err(|e| io_err(job.workdir.display(), e))?;
        let path = job.workdir.join("job.sh");
        std::fs::write(&path, &job.script).map_err(|e| io_err(path.display(), e))?;
        let out = self.run("sbatch", &["--parsable", &path.display().to_string()])?;
        parse_sbatch_parsable(&out)
    }

    fn status(&self, id: &str) -> Result<Vec<JobInfo>> {
        let fmt = format!("--format={}", state::SQUEUE_FORMAT);
        // squeue fails for ids it no longer knows; that is not an error here.
        let queued = self
            .run("squeue", &["--noheader", "--array", "--jobs", id, &fmt])
            .map(|o| state::parse_squeue(&o))
            .unwrap_or_default();
        let fields = format!("--format={}", state::SACCT_FIELDS);
        let acct = self
            .run(
                "sacct",
                &[
                    "--parsable2",
                    "--noheader",
                    "--allocations",
                    "--jobs",
                    id,
                    &fields,
                ],
            )
            .map(|o| state::parse_sacct(&o))
            .unwrap_or_default();
        Ok(state::merge(vec![queued, acct]))
    }

    fn list(&self) -> Result<Vec<JobInfo>> {
        let fmt = format!("--format={}", state::SQUEUE_FORMAT);
        let out = self.run("squeue", &["--noheader", "--me", &fmt])?;
        Ok(state::parse_squeue(&out))
    }

    fn cancel(&self, id: &str) -> Result<()> {
        self.run("scancel", &[id]).map(|_| ())
    }

    fn signal(&self, id: &str, signal: &str, batch_only: bool) -> Result<()> {
        let sig = format!("--signal={signal}");
        let mut args = vec![sig.as_str()];
        if batch_only {
            args.push("--batch");
        }
        args.push(id);
        self.run("scancel", &args).map(|_| ())
    }

    fn usage(&self, id: &str) -> Result<Vec<Usage>> {
        let fields = format!("--format={}", state::SACCT_USAGE_FIELDS);
        let out = self.run(
            "sacct",
            &[
                "--parsable2",
                "--noheader",
                "--allocations",
                "--duplicates",
                "--jobs",
                id,
                &fields,
            ],
        )?;
        Ok(state::parse_sacct_usage(&out))
    }
}
