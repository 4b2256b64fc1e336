//! Command-line handlers shared by `galvana-sched` and the engine's `galvana submit|jobs|cancel`.
//! Each returns the process exit code: 0 success, 1 failure (scheduler error, or a watched job
//! that did not complete), 2 usage, 3 invalid deck or sweep file.

use crate::backend::{open_backend, Backend, BackendKind};
use crate::campaign::{Campaign, CampaignStatus};
use crate::local::{LocalBackend, RUNNER_ARG};
use crate::spec::{Launcher, SubmitOptions};
use crate::state::{self, JobInfo};
use crate::Error;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// `submit DECK|SWEEP [--dry-run] [--backend slurm|rest|local] …`
#[derive(Args, Debug, Clone)]
pub struct SubmitArgs {
    /// The deck, or a sweep file naming a base deck and the values to sweep.
    pub deck: PathBuf,
    /// Print the batch script (and sweep tasks) instead of submitting.
    #[arg(long)]
    pub dry_run: bool,
    /// slurm, rest or local (default: $GALVANA_BACKEND, else slurm when sbatch is found, else local).
    #[arg(long)]
    pub backend: Option<BackendKind>,
    /// Job directory (default: DECK_DIR/DECK_STEM.job).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// srun or mpirun (default: srun under Slurm, mpirun for local).
    #[arg(long)]
    pub launcher: Option<Launcher>,
    /// Seconds before the time limit at which USR1 asks the run to checkpoint.
    #[arg(long)]
    pub grace: Option<u64>,
    /// Do not requeue checkpointed runs (no restart campaign).
    #[arg(long)]
    pub no_requeue: bool,
    /// Stop the campaign after this many segments.
    #[arg(long, default_value_t = 20)]
    pub max_segments: u32,
    /// Stop after this many consecutive segments that failed without checkpointing.
    #[arg(long, default_value_t = 2)]
    pub max_failures: u32,
    /// sbatch --dependency (e.g. afterany:123).
    #[arg(long)]
    pub dependency: Option<String>,
    /// Job name (default: galvana-DECK_STEM).
    #[arg(long)]
    pub name: Option<String>,
    /// The galvana binary the job runs (default: this one, or `galvana` next to it / on PATH).
    #[arg(long)]
    pub galvana: Option<PathBuf>,
    /// Watch the campaign until it ends (exit 0 only if it completed).
    #[arg(long)]
    pub wait: bool,
}

/// `jobs [watch ID]`
#[derive(Args, Debug, Clone)]
pub struct JobsArgs {
    #[command(subcommand)]
    pub cmd: Option<JobsCmd>,
    #[arg(long, global = true)]
    pub backend: Option<BackendKind>,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum JobsCmd {
    /// Follow a job until it ends: state changes, segments and simulated time.
    Watch {
        id: String,
        /// Seconds between polls.
        #[arg(long, default_value_t = 5.0)]
        interval: f64,
        /// Follow the job through a Galvana gateway (`http://host:port`; token in
        /// `$GALVANA_TOKEN`) instead of this machine's campaigns.
        #[arg(long, env = "GALVANA_GATEWAY")]
        gateway: Option<String>,
        /// Also print linear (KSP) iterations.
        #[arg(long)]
        linear: bool,
    },
}

/// `cancel ID [--signal SIG [--batch]]`
#[derive(Args, Debug, Clone)]
pub struct CancelArgs {
    pub id: String,
    #[arg(long)]
    pub backend: Option<BackendKind>,
    /// Send this signal instead of cancelling (USR1: checkpoint now and requeue).
    #[arg(long)]
    pub signal: Option<String>,
    /// With --signal: only to the batch script (which forwards it to the run).
    #[arg(long)]
    pub batch: bool,
}

/// `usage ID`
#[derive(Args, Debug, Clone)]
pub struct UsageArgs {
    /// Job id, campaign id or job directory.
    pub id: String,
    #[arg(long)]
    pub backend: Option<BackendKind>,
    #[arg(long)]
    pub json: bool,
}

/// `campaign status|watch|resume|list`
#[derive(Args, Debug, Clone)]
pub struct CampaignArgs {
    #[command(subcommand)]
    pub cmd: CampaignCmd,
}

#[derive(Subcommand, Debug, Clone)]
pub enum CampaignCmd {
    /// Refresh and print a campaign (job directory, campaign id or job id).
    Status {
        what: String,
        #[arg(long)]
        json: bool,
    },
    /// Refresh until the campaign ends.
    Watch {
        what: String,
        #[arg(long, default_value_t = 5.0)]
        interval: f64,
    },
    /// Submit the unfinished part again, continuing from the latest checkpoints.
    Resume { what: String },
    /// Every campaign submitted from this account (newest first).
    List,
}

fn fail(e: Error) -> i32 {
    eprintln!("error: {e}");
    match e {
        Error::Invalid(_) => 3,
        _ => 1,
    }
}

fn backend_of(b: Option<BackendKind>) -> Result<Box<dyn Backend>, Error> {
    open_backend(b.unwrap_or_else(BackendKind::default_from_env))
}

/// If this process was started as the local runner, run it and return its exit code.
/// Call first thing in `main` of any binary that submits to the local backend.
pub fn dispatch_local_runner() -> Option<i32> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != RUNNER_ARG {
        return None;
    }
    let dir = PathBuf::from(args.next()?);
    let b = LocalBackend::from_env();
    Some(crate::local::runner::run(&dir, b.cores, b.gpus))
}

pub fn submit(a: &SubmitArgs) -> i32 {
    let opts = SubmitOptions {
        backend: a.backend.unwrap_or_else(BackendKind::default_from_env),
        workdir: a.output.clone(),
        galvana: a.galvana.clone(),
        launcher: a.launcher,
        grace_s: a.grace,
        requeue: !a.no_requeue,
        max_segments: a.max_segments,
        max_failures: a.max_failures,
        dependency: a.dependency.clone(),
        name: a.name.clone(),
        ..Default::default()
    };
    let prepared = match crate::prepare(&a.deck, &opts) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if a.dry_run {
        print!("{}", prepared.dry_run_text());
        return 0;
    }
    let backend = match open_backend(opts.backend) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    match crate::submit(prepared, backend.as_ref()) {
        Ok(c) => {
            println!(
                "Submitted {} job {} ({} task(s)); campaign {} in {}",
                c.backend,
                c.job_id,
                c.tasks.len(),
                c.id,
                c.workdir.display()
            );
            if a.wait {
                watch_campaign(c, backend.as_ref(), Duration::from_secs(5), None)
            } else {
                0
            }
        }
        Err(e) => fail(e),
    }
}

fn print_jobs(jobs: &[JobInfo]) {
    println!(
        "{:<12} {:<11} {:>9} {:>9}  {:<16} {:<24} WORKDIR",
        "ID", "STATE", "ELAPSED", "LIMIT", "REASON", "NAME"
    );
    let dur = |s: Option<u64>| {
        s.map(|s| format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60))
            .unwrap_or_else(|| "-".into())
    };
    for j in jobs {
        println!(
            "{:<12} {:<11} {:>9} {:>9}  {:<16} {:<24} {}",
            j.id,
            j.state.name(),
            dur(j.elapsed_s),
            dur(j.time_limit_s),
            j.reason.as_deref().unwrap_or("-"),
            j.name,
            j.workdir.as_deref().unwrap_or("-")
        );
    }
}

pub fn jobs(a: &JobsArgs) -> i32 {
    if let Some(JobsCmd::Watch {
        id,
        interval,
        gateway,
        linear,
    }) = &a.cmd
    {
        if let Some(url) = gateway {
            let token = std::env::var("GALVANA_TOKEN").unwrap_or_default();
            if token.is_empty() {
                eprintln!("error: set GALVANA_TOKEN to an API token of the gateway");
                return 2;
            }
            return match crate::watch::watch_gateway(url, &token, id, *linear) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("error: {e}");
                    1
                }
            };
        }
        return watch_job(
            id,
            a.backend,
            Duration::from_secs_f64(interval.max(0.2)),
            *linear,
        );
    }
    let backend = match backend_of(a.backend) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    match backend.list() {
        Ok(list) if a.json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
            0
        }
        Ok(list) => {
            print_jobs(&list);
            0
        }
        Err(e) => fail(e),
    }
}

/// Follow a job: through its campaign when it has one, else through the scheduler alone.
fn watch_job(id: &str, b: Option<BackendKind>, every: Duration, linear: bool) -> i32 {
    if let Ok(c) = Campaign::find(id) {
        if b.is_none() || b == Some(c.backend) {
            return match open_backend(c.backend) {
                Ok(backend) => watch_campaign(c, backend.as_ref(), every, Some(linear)),
                Err(e) => fail(e),
            };
        }
    }
    let backend = match backend_of(b) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let mut last = String::new();
    loop {
        let jobs = match backend.status(id) {
            Ok(j) => j,
            Err(e) => return fail(e),
        };
        let line: Vec<String> = jobs
            .iter()
            .map(|j| format!("{} {}", j.id, j.state))
            .collect();
        let line = line.join(", ");
        if line != last {
            println!("{line}");
            last = line;
        }
        if !jobs.is_empty() && jobs.iter().all(|j| j.state.is_terminal()) {
            let ok = jobs.iter().all(|j| j.state == state::JobState::Completed);
            return if ok { 0 } else { 1 };
        }
        std::thread::sleep(every);
    }
}

/// Refresh until the campaign ends. With `residuals` (`Some(linear)`), a single run's
/// residual stream is printed as it grows.
fn watch_campaign(
    mut c: Campaign,
    backend: &dyn Backend,
    every: Duration,
    residuals: Option<bool>,
) -> i32 {
    let mut last = String::new();
    let mut tail = match (residuals, c.tasks.as_slice()) {
        (Some(linear), [t]) => Some(crate::watch::FileTail::new(
            &t.output.join("residuals.jsonl"),
            linear,
        )),
        _ => None,
    };
    loop {
        if let Err(e) = c.refresh(backend) {
            return fail(e);
        }
        if let Some(t) = &mut tail {
            t.pump(&mut std::io::stdout());
        }
        let report = c.report();
        if report != last {
            print!("{report}");
            last = report;
        }
        if !c.status.is_active() {
            return if c.status == CampaignStatus::Completed {
                0
            } else {
                1
            };
        }
        std::thread::sleep(every);
    }
}

pub fn cancel(a: &CancelArgs) -> i32 {
    let kind = a
        .backend
        .or_else(|| Campaign::find(&a.id).ok().map(|c| c.backend));
    let backend = match backend_of(kind) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let r = match &a.signal {
        Some(sig) => backend.signal(&a.id, sig, a.batch),
        None => backend.cancel(&a.id),
    };
    match r {
        Ok(()) => 0,
        Err(e) => fail(e),
    }
}

pub fn usage(a: &UsageArgs) -> i32 {
    let campaign = Campaign::find(&a.id).ok();
    let kind = a.backend.or(campaign.as_ref().map(|c| c.backend));
    let backend = match backend_of(kind) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let rows = match &campaign {
        Some(c) => c.usage(backend.as_ref()),
        None => backend.usage(&a.id),
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let t = state::totals(&rows);
    if a.json {
        let v = serde_json::json!({"runs": rows, "totals": t});
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return 0;
    }
    println!(
        "{:<12} {:<11} {:>8} {:>5} {:>5} {:>8}  ALLOCTRES",
        "ID", "STATE", "ELAPSED", "CPUS", "GPUS", "BILLING"
    );
    for u in &rows {
        let tres: Vec<String> = u
            .alloc_tres
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!(
            "{:<12} {:<11} {:>8} {:>5} {:>5} {:>8}  {}",
            u.id,
            u.state.name(),
            u.elapsed_s,
            u.cpus(),
            u.gpus(),
            u.billing(),
            tres.join(",")
        );
    }
    println!(
        "total: {} run(s), {} s elapsed, {} cpu-s, {} gpu-s, {} billing-s",
        t.runs, t.elapsed_s, t.cpu_s, t.gpu_s, t.billing_s
    );
    0
}

pub fn campaign(a: &CampaignArgs) -> i32 {
    let (what, every) = match &a.cmd {
        CampaignCmd::List => {
            for c in Campaign::list_all() {
                println!(
                    "{:<16} {:<10} {:>3} task(s)  {}",
                    c.id,
                    c.status.name(),
                    c.tasks.len(),
                    c.workdir.display()
                );
            }
            return 0;
        }
        CampaignCmd::Status { what, .. } | CampaignCmd::Resume { what } => (what, None),
        CampaignCmd::Watch { what, interval } => {
            (what, Some(Duration::from_secs_f64(interval.max(0.2))))
        }
    };
    let mut c = match Campaign::find(what) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let backend = match open_backend(c.backend) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    if let Some(every) = every {
        return watch_campaign(c, backend.as_ref(), every, None);
    }
    if let Err(e) = c.refresh(backend.as_ref()) {
        return fail(e);
    }
    match &a.cmd {
        CampaignCmd::Resume { .. } => match crate::submit::resume(&mut c, backend.as_ref()) {
            Ok(id) => {
                println!("Resumed campaign {} as {} job {id}", c.id, c.backend);
                0
            }
            Err(e) => fail(e),
        },
        CampaignCmd::Status { json: true, .. } => {
            println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
            0
        }
        _ => {
            print!("{}", c.report());
            0
        }
    }
}
