//! `galvana-sched`: submit Galvana decks to Slurm (CLI or slurmrestd) or run them locally, and
//! follow them. The engine's `galvana submit|jobs|cancel` call the same handlers.

use clap::{Parser, Subcommand};
use galvana_scheduler::cli;

#[derive(Parser)]
#[command(
    name = "galvana-sched",
    version,
    about = "Galvana batch jobs: Slurm, slurmrestd or local"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Submit a deck or sweep file (a restart campaign); --dry-run prints the batch script.
    Submit(cli::SubmitArgs),
    /// List your jobs, or `jobs watch ID` to follow one.
    Jobs(cli::JobsArgs),
    /// Cancel a job, or send it a signal (`--signal USR1 --batch`: checkpoint and requeue now).
    Cancel(cli::CancelArgs),
    /// Restart campaigns: status, watch, resume, list.
    Campaign(cli::CampaignArgs),
    /// Accounting: elapsed time and allocated TRES per run (sacct, REST, or local records).
    Usage(cli::UsageArgs),
}

fn main() {
    if let Some(code) = cli::dispatch_local_runner() {
        std::process::exit(code);
    }
    let code = match Cli::parse().cmd {
        Cmd::Submit(a) => cli::submit(&a),
        Cmd::Jobs(a) => cli::jobs(&a),
        Cmd::Cancel(a) => cli::cancel(&a),
        Cmd::Campaign(a) => cli::campaign(&a),
        Cmd::Usage(a) => cli::usage(&a),
    };
    std::process::exit(code);
}
