//! The `galvana` command line. Exit codes (docs/contracts.md): 0 success, 1 run failed,
//! 2 usage, 3 deck or input invalid, 75 checkpointed on a signal (resubmit with
//! `--restart latest`).

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "galvana",
    version,
    about = "Galvana multiphysics engine",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Validate a deck (types, ranges, unknown keys, mesh names) without running it.
    Check { deck: PathBuf },
    /// Run a deck (serially, or under mpirun/srun for parallel runs).
    Run {
        deck: PathBuf,
        /// Output directory (default: <deck>.out next to the deck, never overwriting an older run).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Allow writing into an existing, non-empty --output directory.
        #[arg(long)]
        overwrite: bool,
        /// Continue from a checkpoint: `latest` (newest valid one in the output directory's
        /// checkpoints) or the path of a checkpoint file.
        #[arg(long)]
        restart: Option<String>,
        /// Restart even if the deck changed in keys a restart cannot safely change.
        #[arg(long)]
        force: bool,
        /// Linear-solver backend, overriding the deck: native or petsc.
        #[arg(long)]
        backend: Option<String>,
        /// PETSc options for the petsc backend, after the deck's `petsc_options`
        /// (e.g. "-ksp_type cg -pc_type gamg"); PETSC_OPTIONS in the environment also works.
        #[arg(long = "petsc-options", allow_hyphen_values = true)]
        petsc_options: Option<String>,
        /// Compute device, overriding the deck's `[compute] device`: auto, cpu or cuda.
        #[arg(long, value_parser = ["auto", "cpu", "cuda"])]
        device: Option<String>,
        /// Print every Krylov iteration (PETSc's -ksp_monitor).
        #[arg(long = "ksp-monitor")]
        ksp_monitor: bool,
        /// Print only the final summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Submit a deck (or a sweep file) to Slurm, or run it locally, as a restart campaign.
    Submit(galvana_scheduler::cli::SubmitArgs),
    /// List jobs, or `jobs watch ID`.
    Jobs(galvana_scheduler::cli::JobsArgs),
    /// Cancel a job (`--signal USR1 --batch`: checkpoint and requeue now).
    Cancel(galvana_scheduler::cli::CancelArgs),
    /// Restart campaigns: status, watch, resume, list.
    Campaign(galvana_scheduler::cli::CampaignArgs),
    /// Accounting (sacct) of a job or campaign.
    Usage(galvana_scheduler::cli::UsageArgs),
    /// Inspect and list checkpoints.
    Checkpoint {
        #[command(subcommand)]
        cmd: CheckpointCmd,
    },
    /// Print the deck reference generated from the parameter declarations (Markdown).
    Docs,
    /// Print a built-in example deck (`galvana example list` names them).
    Example { name: String },
    /// Fit an equivalent circuit to an impedance spectrum CSV (docs/eis.md).
    FitEis(galvana_engine::fit_eis::FitEisArgs),
    /// Small-signal impedance spectrum of a battery deck's cell at rest (docs/battery.md).
    BatteryEis(galvana_engine::battery_eis::BatteryEisArgs),
    /// Steps, cycles, capacities, coulombic efficiency and pulse resistance of a cycler
    /// export (docs/instruments.md, "Cycling analysis").
    Cycles(galvana_engine::cycles::CyclesArgs),
    /// Import an instrument export (BioLogic, Gamry, Maccor, ZPlot, ... or CSV) into the
    /// normalised dataset (docs/instruments.md).
    Import {
        file: PathBuf,
        /// Output file: .h5 (HDF5) or .csv.
        #[arg(long)]
        to: PathBuf,
        /// Input format, instead of detecting it from the content (e.g. gamry-dta, csv).
        #[arg(long)]
        format: Option<String>,
        /// Column mapping for plain tables: `SOURCE=TARGET[*FACTOR];...` with SOURCE a
        /// 1-based column number or header name, e.g. "1=frequency_Hz;2=z_real_ohm".
        #[arg(long)]
        map: Option<String>,
    },
}

#[derive(Subcommand)]
enum CheckpointCmd {
    /// Print a checkpoint's metadata and verify every checksum (exit 3 if damaged).
    Inspect { path: PathBuf },
    /// List the checkpoints in a directory with their state (exit 3 if none is valid).
    List { dir: PathBuf },
}

fn main() {
    // The local backend re-runs this binary as its queue runner.
    if let Some(code) = galvana_scheduler::cli::dispatch_local_runner() {
        std::process::exit(code);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match cli.cmd {
        Cmd::Check { deck } => galvana_engine::cli::check(&deck),
        Cmd::Submit(a) => galvana_scheduler::cli::submit(&a),
        Cmd::Jobs(a) => galvana_scheduler::cli::jobs(&a),
        Cmd::Cancel(a) => galvana_scheduler::cli::cancel(&a),
        Cmd::Campaign(a) => galvana_scheduler::cli::campaign(&a),
        Cmd::Usage(a) => galvana_scheduler::cli::usage(&a),
        Cmd::Docs => {
            galvana_engine::say_raw!(
                "{}",
                galvana_decks::reference_markdown(&galvana_engine::setup::registry())
            );
            0
        }
        Cmd::Example { name } => galvana_engine::cli::example(&name),
        Cmd::FitEis(a) => galvana_engine::fit_eis::fit_eis(&a),
        Cmd::BatteryEis(a) => galvana_engine::battery_eis::battery_eis(&a),
        Cmd::Cycles(a) => galvana_engine::cycles::cycles(&a),
        Cmd::Import {
            file,
            to,
            format,
            map,
        } => galvana_engine::import::import(&galvana_engine::import::ImportArgs {
            file,
            to,
            format,
            map,
        }),
        Cmd::Checkpoint {
            cmd: CheckpointCmd::Inspect { path },
        } => galvana_engine::cli::checkpoint_inspect(&path),
        Cmd::Checkpoint {
            cmd: CheckpointCmd::List { dir },
        } => galvana_engine::cli::checkpoint_list(&dir),
        Cmd::Run {
            deck,
            output,
            overwrite,
            restart,
            force,
            backend,
            petsc_options,
            ksp_monitor,
            quiet,
            device,
        } => galvana_engine::cli::run(&galvana_engine::cli::RunArgs {
            deck,
            output,
            overwrite,
            backend,
            ksp_monitor,
            quiet,
            restart,
            force,
            petsc_options,
            device,
        }),
    };
    std::process::exit(code);
}
