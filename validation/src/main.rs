//! `galvana-validate`: one command that runs Galvana's validation cases and writes a Markdown
//! report with tables, PNG plots (via `plot.py`), CSV data and `results.json`. Exits non-zero
//! if any check fails. See validation/README.md.

// Index loops over parallel arrays read better than zipped iterators in numerical code.
#![allow(clippy::needless_range_loop)]

mod cases;
mod fe;
mod report;

use cases::mms;
use clap::Parser;
use galvana_engine::comm::Comm;
use report::{Meta, Section};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "galvana-validate",
    about = "Run Galvana's validation suite and write a Markdown report with plots."
)]
struct Args {
    /// Coarser meshes and a subset of the configurations (CI mode, about a minute on 2 cores).
    #[arg(long)]
    quick: bool,
    /// Output folder for report.md, *.png, results.json and data/.
    #[arg(long, default_value = "validation/report")]
    out: PathBuf,
    /// Rank counts for the parallel (MMS) runs, e.g. `1,2,4`: every count above 1 re-launches
    /// this binary under `mpirun -np N`; the serial run is always done in-process. Default
    /// `1,2` (parallel runs are skipped with a note if mpirun is missing); `1` = serial only.
    #[arg(long, value_delimiter = ',')]
    ranks: Option<Vec<usize>>,
    /// Only these cases (comma separated): mms, slab, kirchhoff, radiation, energy, pybamm,
    /// electrochem, eis, calibration.
    #[arg(long, value_delimiter = ',')]
    cases: Option<Vec<String>>,
    /// The MPI launcher used by `--ranks`.
    #[arg(long, default_value = "mpirun")]
    mpirun: String,
    /// Internal: run the parallel cases and write their results as JSON to this file.
    #[arg(long, hide = true)]
    child_json: Option<PathBuf>,
}

fn main() {
    std::process::exit(real_main());
}

/// True when this process was started by an MPI launcher (then it never re-launches itself).
fn launched_by_mpirun() -> bool {
    ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
}

fn real_main() -> i32 {
    let args = Args::parse();
    if let Some(c) = &args.cases {
        if let Some(bad) = c.iter().find(|c| !cases::NAMES.contains(&c.as_str())) {
            eprintln!("unknown case '{bad}'; known: {}", cases::NAMES.join(", "));
            return 2;
        }
    }
    if let Some(path) = args.child_json.clone() {
        return child(&args, &path);
    }
    let start = Instant::now();
    let want = |name: &str| {
        args.cases
            .as_ref()
            .is_none_or(|c| c.iter().any(|x| x == name))
    };
    let explicit = args.ranks.is_some();
    let mut ranks = args.ranks.clone().unwrap_or_else(|| vec![1, 2]);
    ranks.sort_unstable();
    ranks.dedup();
    // Children first: the parent has not initialised MPI yet, so mpirun sees a clean
    // environment.
    let mut parallel: BTreeMap<usize, Vec<mms::Run>> = BTreeMap::new();
    let mut failures: Vec<(usize, String)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    if want("mms") && !launched_by_mpirun() {
        for &n in ranks.iter().filter(|&&n| n > 1) {
            println!("== MMS on {n} ranks ({} -np {n}) ==", args.mpirun);
            match launch_child(&args, n) {
                Ok(runs) => {
                    parallel.insert(n, runs);
                }
                Err(ChildError::NoLauncher(e)) if !explicit => {
                    let m = format!(
                        "Parallel runs skipped: `{}` could not be started ({e}). Install \
                         OpenMPI or pass `--ranks 1`.",
                        args.mpirun
                    );
                    eprintln!("warning: {m}");
                    notes.push(m);
                    break;
                }
                Err(ChildError::NoLauncher(e)) | Err(ChildError::Failed(e)) => {
                    eprintln!("error: MMS on {n} ranks failed: {e}");
                    failures.push((n, e));
                }
            }
        }
    }
    // The electrochemistry case runs `galvana` as subprocesses, also before MPI starts here.
    let mut electrochem = None;
    if want("electrochem") && !launched_by_mpirun() {
        println!("== electrochem (galvana runs on {ranks:?} rank(s)) ==");
        let t0 = Instant::now();
        let log = |m: &str| println!("{m}");
        let mut s = cases::electrochem::run_case(&ranks, &args.mpirun, &log).unwrap_or_else(|e| {
            println!("  error: {e}");
            let mut s = Section::new("electrochem", "electrochem", "electrochem");
            s.intro = format!("The case stopped with an error: `{e}`");
            s.check("case runs", e, "completes without error".into(), false);
            s
        });
        s.seconds = t0.elapsed().as_secs_f64();
        electrochem = Some(s);
    }
    let universe = match mpi::initialize() {
        Some(u) => u,
        None => {
            eprintln!("MPI could not be initialised");
            return 2;
        }
    };
    let comm = Comm::new(universe.world());
    let root = comm.is_root();
    let log = |m: &str| {
        if root {
            println!("{m}");
        }
    };
    log(&format!(
        "galvana-validate: {} mode on {} rank(s), output {}",
        if args.quick { "quick" } else { "full" },
        comm.size(),
        args.out.display()
    ));
    let mut sections: Vec<Section> = Vec::new();
    for name in cases::NAMES {
        if !want(name) {
            continue;
        }
        log(&format!("== {name} =="));
        let t0 = Instant::now();
        let res: Result<Section, String> = match name {
            "mms" => mms::compute(&comm, args.quick, &log).map(|runs| {
                let mut all = parallel.clone();
                all.insert(comm.size(), runs);
                let mut s = mms::section(args.quick, &all, &failures);
                s.notes.extend(notes.iter().cloned());
                s
            }),
            "slab" => cases::slab::run(&comm, args.quick, &log),
            "kirchhoff" => cases::kirchhoff::run(&comm, args.quick, &log),
            "radiation" => cases::radiation::run(&comm, args.quick, &log),
            "energy" => cases::energy::run(&comm, args.quick, &log),
            "pybamm" => cases::pybamm::run_case(args.quick, &log),
            "eis" => cases::eis::run_case(&log),
            "magnetostatic" => cases::magnetostatic::run(&comm, args.quick, &log),
            "biot_savart" => cases::biot_savart::run_case(args.quick, &log),
            "quench" => cases::quench::run_case(args.quick, &log),
            "calibration" => cases::calibration::run(&comm, args.quick, &log),
            "electrochem" => match electrochem.take() {
                Some(s) => {
                    sections.push(s);
                    continue;
                }
                None => Err("not run: this process was started by mpirun".into()),
            },
            _ => unreachable!("names checked above"),
        };
        let mut s = res.unwrap_or_else(|e| {
            log(&format!("  error: {e}"));
            let mut s = Section::new(name, name, name);
            s.intro = format!("The case stopped with an error: `{e}`");
            s.check("case runs", e, "completes without error".into(), false);
            s
        });
        s.seconds = t0.elapsed().as_secs_f64();
        sections.push(s);
    }
    let pass = sections.iter().all(|s| s.passed());
    let mut rank_list: Vec<usize> = parallel.keys().copied().collect();
    rank_list.push(comm.size());
    rank_list.sort_unstable();
    rank_list.dedup();
    if root {
        let meta = Meta {
            mode: if args.quick { "quick" } else { "full" }.into(),
            ranks: rank_list,
            command: std::env::args().collect::<Vec<_>>().join(" "),
            seconds: start.elapsed().as_secs_f64(),
            git: git_describe(),
        };
        if let Err(e) = std::fs::create_dir_all(&args.out) {
            eprintln!("cannot create {}: {e}", args.out.display());
            return 2;
        }
        match report::write_all(&args.out, &meta, &sections) {
            Ok(missing) => {
                if !missing.is_empty() {
                    eprintln!("warning: {} plot(s) missing", missing.len());
                }
            }
            Err(e) => {
                eprintln!("error writing the report: {e}");
                return 2;
            }
        }
        println!("\nSummary:");
        for c in sections.iter().flat_map(|s| &s.checks) {
            println!(
                "  {} {} — {}: {} ({})",
                if c.pass { "PASS" } else { "FAIL" },
                c.case,
                c.name,
                c.measured,
                c.criterion
            );
        }
        println!(
            "\n{} in {:.1} s; report: {}",
            if pass {
                "ALL PASSED"
            } else {
                "SOME CHECKS FAILED"
            },
            start.elapsed().as_secs_f64(),
            args.out.join("report.md").display()
        );
    }
    i32::from(!pass)
}

/// Child mode (under mpirun): run the MMS configurations, rank 0 writes them as JSON.
fn child(args: &Args, path: &Path) -> i32 {
    let Some(universe) = mpi::initialize() else {
        eprintln!("MPI could not be initialised");
        return 2;
    };
    let comm = Comm::new(universe.world());
    let root = comm.is_root();
    let log = |m: &str| {
        if root {
            println!("{m}");
        }
    };
    let res = mms::compute(&comm, args.quick, &log);
    if root {
        let json = match &res {
            Ok(runs) => serde_json::json!({"ok": true, "runs": runs}),
            Err(e) => serde_json::json!({"ok": false, "error": e}),
        };
        if let Err(e) = std::fs::write(path, json.to_string()) {
            eprintln!("cannot write {}: {e}", path.display());
            return 2;
        }
    }
    i32::from(res.is_err())
}

enum ChildError {
    NoLauncher(String),
    Failed(String),
}

/// Re-launch this binary under `mpirun -np n` in child mode and read its results.
fn launch_child(args: &Args, n: usize) -> Result<Vec<mms::Run>, ChildError> {
    let exe = std::env::current_exe().map_err(|e| ChildError::Failed(e.to_string()))?;
    let path = std::env::temp_dir().join(format!(
        "galvana-validate-{}-np{n}.json",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let mut cmd = Command::new(&args.mpirun);
    cmd.args([
        "--allow-run-as-root",
        "--oversubscribe",
        "--bind-to",
        "none",
    ])
    .args(["-np", &n.to_string()])
    .arg(&exe)
    .arg("--child-json")
    .arg(&path)
    .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
    .env("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    if args.quick {
        cmd.arg("--quick");
    }
    let status = match cmd.status() {
        Ok(s) => s,
        Err(e) => return Err(ChildError::NoLauncher(e.to_string())),
    };
    let text = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    let text = text.map_err(|e| {
        ChildError::Failed(format!(
            "no results from the {n}-rank run (exit {status}): {e}"
        ))
    })?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| ChildError::Failed(e.to_string()))?;
    if v["ok"].as_bool() != Some(true) {
        return Err(ChildError::Failed(
            v["error"].as_str().unwrap_or("unknown error").to_string(),
        ));
    }
    serde_json::from_value(v["runs"].clone()).map_err(|e| ChildError::Failed(e.to_string()))
}

fn git_describe() -> String {
    Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
