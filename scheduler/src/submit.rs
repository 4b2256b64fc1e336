//! From a deck (or sweep file) to a submitted campaign.
//!
//! Job directory layout (`--output`, default `<deck dir>/<deck stem>.job`):
//! `job.sh` (the script), `job.json` (the [`JobSpec`]), `campaign.json`, `job-<id>.out`
//! (script and engine output, appended across segments), `segments.jsonl`, and the engine's
//! output `run/`; sweeps have `decks/task-TTT.toml`, `task-TTT/`, `segments-TTT.jsonl`,
//! `job-<array id>_<task>.out` and `sweep.json` instead.

use crate::backend::Backend;
use crate::campaign::{Campaign, CampaignStatus, TaskState};
use crate::script::{self, Runs, ScriptPlan};
use crate::spec::{self, ArraySpec, JobSpec, Launcher, SubmitOptions};
use crate::sweep::{self, SweepPlan};
use crate::{io_err, Error, Result};
use std::path::{Path, PathBuf};

/// A submission ready to go: the job, the campaign it starts, and sweep task decks to write.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub spec: JobSpec,
    pub campaign: Campaign,
    pub sweep: Option<SweepPlan>,
}

impl Prepared {
    /// What `submit --dry-run` prints: the script, and for sweeps the task table.
    pub fn dry_run_text(&self) -> String {
        let mut s = self.spec.script.clone();
        if let Some(sw) = &self.sweep {
            s.push_str(&format!(
                "\n# sweep {}: {} tasks\n",
                sw.file.display(),
                sw.tasks.len()
            ));
            for t in &sw.tasks {
                let p: Vec<String> = t.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                s.push_str(&format!("#   task {:03}: {}\n", t.index, p.join(", ")));
            }
        }
        s
    }
}

/// The engine binary for the script: see [`SubmitOptions::galvana`].
pub fn resolve_galvana(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("GALVANA_BIN") {
        return PathBuf::from(p);
    }
    if let Ok(exe) = std::env::current_exe() {
        if exe.file_name().is_some_and(|n| n == "galvana") {
            return exe;
        }
        if let Some(sib) = exe
            .parent()
            .map(|d| d.join("galvana"))
            .filter(|p| p.is_file())
        {
            return sib;
        }
    }
    crate::slurm::on_path("galvana").unwrap_or_else(|| PathBuf::from("galvana"))
}

/// `<dir>/<stem>.job`, or `-2`, `-3`, … when that exists and is not empty.
pub fn default_workdir(source: &Path) -> PathBuf {
    let stem = source
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("galvana");
    let dir = source.parent().unwrap_or(Path::new("."));
    let free = |p: &Path| p.read_dir().map(|mut d| d.next().is_none()).unwrap_or(true);
    let base = dir.join(format!("{stem}.job"));
    if free(&base) {
        return base;
    }
    (2..)
        .map(|k| dir.join(format!("{stem}.job-{k}")))
        .find(|p| free(p))
        .unwrap_or(base)
}

/// Check the deck (or sweep file) at `path` and build the job, script and campaign.
/// Nothing is written.
pub fn prepare(path: &Path, opts: &SubmitOptions) -> Result<Prepared> {
    let path = std::path::absolute(path).map_err(|e| io_err(path.display(), e))?;
    let text = std::fs::read_to_string(&path).map_err(|e| io_err(path.display(), e))?;
    let sweep = if sweep::is_sweep(&text) {
        Some(sweep::load(&path)?)
    } else {
        None
    };
    let (deck, deck_path) = match &sweep {
        Some(sw) => (sw.base.clone(), sw.deck_path.clone()),
        None => (crate::registry::load_deck(&path)?, path.clone()),
    };
    if deck.job.walltime_seconds == 0 {
        return Err(Error::Invalid(format!(
            "{}: [job] walltime is invalid",
            deck_path.display()
        )));
    }
    let workdir = match &opts.workdir {
        Some(w) => std::path::absolute(w).map_err(|e| io_err(w.display(), e))?,
        None => default_workdir(&path),
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("deck");
    let name = opts
        .name
        .clone()
        .unwrap_or_else(|| format!("galvana-{stem}"));
    let mut o = opts.clone();
    let launcher = o.launcher();
    if launcher == Launcher::Mpirun && unsafe { libc::geteuid() } == 0 {
        for k in ["OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] {
            if !o.env.iter().any(|(x, _)| x == k) {
                o.env.push((k.into(), "1".into()));
            }
        }
    }
    let mut spec = spec::from_job_options(&deck.job, &name, workdir.clone(), &o);
    let runs = match &sweep {
        Some(sw) => {
            spec.array = Some(ArraySpec {
                count: sw.tasks.len(),
                throttle: sw.throttle,
                only: None,
            });
            spec.stdout = workdir.join("job-%A_%a.out").display().to_string();
            Runs::Array
        }
        None => Runs::Single {
            deck: deck_path.clone(),
        },
    };
    let plan = ScriptPlan {
        galvana: resolve_galvana(o.galvana.as_deref()),
        launcher,
        srun_mpi: o.srun_mpi.clone(),
        mpirun_opts: match o.backend {
            crate::BackendKind::Local => {
                vec!["--oversubscribe".into(), "--bind-to".into(), "none".into()]
            }
            _ => Vec::new(),
        },
        runs,
        checkpoint_dir: deck.checkpoint.directory.as_ref().map(|d| {
            let p = deck.resolve_path(d);
            std::path::absolute(&p).unwrap_or(p)
        }),
        max_segments: o.max_segments,
        max_failures: o.max_failures,
        source: path.display().to_string(),
    };
    spec.script = script::render(&spec, &plan);
    let tasks = match &sweep {
        Some(sw) => sw
            .tasks
            .iter()
            .map(|t| {
                new_task(
                    Some(t.index),
                    t.end_time,
                    workdir.join(format!("decks/task-{:03}.toml", t.index)),
                    workdir.join(format!("task-{:03}", t.index)),
                    t.params.clone(),
                )
            })
            .collect(),
        None => vec![new_task(
            None,
            deck.time.end,
            deck_path.clone(),
            workdir.join("run"),
            Default::default(),
        )],
    };
    let campaign = Campaign {
        version: 1,
        id: String::new(),
        backend: o.backend,
        job_id: String::new(),
        submissions: Vec::new(),
        name,
        source: path.clone(),
        workdir,
        end_time: deck.time.end,
        max_segments: o.max_segments,
        max_failures: o.max_failures,
        submitted_at: 0,
        updated_at: 0,
        status: CampaignStatus::Pending,
        reason: None,
        tasks,
    };
    Ok(Prepared {
        spec,
        campaign,
        sweep,
    })
}

fn new_task(
    task: Option<u32>,
    end_time: Option<f64>,
    deck: PathBuf,
    output: PathBuf,
    params: std::collections::BTreeMap<String, serde_json::Value>,
) -> TaskState {
    TaskState {
        task,
        end_time,
        job_id: String::new(),
        deck,
        output,
        params,
        scheduler_state: None,
        status: CampaignStatus::Pending,
        reason: None,
        segments: Vec::new(),
        restarts: 0,
        failures: 0,
        sim_time: None,
        engine_status: None,
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| io_err(d.display(), e))?;
    }
    std::fs::write(path, text).map_err(|e| io_err(path.display(), e))
}

/// Write the job directory, submit, and save the campaign.
pub fn submit(prepared: Prepared, backend: &dyn Backend) -> Result<Campaign> {
    let Prepared {
        spec,
        mut campaign,
        sweep,
    } = prepared;
    let dir = &campaign.workdir;
    if dir
        .read_dir()
        .map(|mut d| d.next().is_some())
        .unwrap_or(false)
    {
        return Err(Error::Invalid(format!(
            "job directory {} exists and is not empty; choose another --output",
            dir.display()
        )));
    }
    if let Some(sw) = &sweep {
        for t in &sw.tasks {
            write(
                &dir.join(format!("decks/task-{:03}.toml", t.index)),
                &t.deck_text,
            )?;
        }
        let table: Vec<_> = sw
            .tasks
            .iter()
            .map(|t| serde_json::json!({"task": t.index, "params": t.params}))
            .collect();
        write(
            &dir.join("sweep.json"),
            &serde_json::to_string_pretty(&table).unwrap_or_default(),
        )?;
    }
    write(
        &dir.join("job.json"),
        &serde_json::to_string_pretty(&spec).unwrap_or_default(),
    )?;
    let id = backend.submit(&spec)?;
    campaign.id = format!("{}-{id}", backend.name());
    campaign.job_id = id.clone();
    campaign.submissions = vec![id.clone()];
    campaign.submitted_at = crate::now();
    campaign.updated_at = campaign.submitted_at;
    for t in &mut campaign.tasks {
        t.job_id = t.task.map_or_else(|| id.clone(), |k| format!("{id}_{k}"));
    }
    campaign.save()?;
    Ok(campaign)
}

/// Submit the unfinished part of a campaign again (its runs continue from their latest
/// checkpoints): after a stop (time limit, max segments, failures) or a cancel.
pub fn resume(campaign: &mut Campaign, backend: &dyn Backend) -> Result<String> {
    if campaign.status.is_active() {
        return Err(Error::Invalid(format!(
            "campaign {} is still {}",
            campaign.id,
            campaign.status.name()
        )));
    }
    let p = campaign.workdir.join("job.json");
    let text = std::fs::read_to_string(&p).map_err(|e| io_err(p.display(), e))?;
    let mut spec: JobSpec =
        serde_json::from_str(&text).map_err(|e| Error::Invalid(format!("{}: {e}", p.display())))?;
    let todo: Vec<u32> = campaign
        .unfinished()
        .iter()
        .filter_map(|t| t.task)
        .collect();
    if let Some(a) = &mut spec.array {
        if todo.is_empty() {
            return Err(Error::Invalid("every task has completed".into()));
        }
        a.only = Some(todo);
        spec.script = spec.script.replace(
            &format!("#SBATCH --array={}", a.to_sbatch_all()),
            &format!("#SBATCH --array={}", a.to_sbatch()),
        );
    } else if campaign.status == CampaignStatus::Completed {
        return Err(Error::Invalid("the run has completed".into()));
    }
    spec.dependency = None;
    // A resumed campaign starts with a clean failure count.
    for e in std::fs::read_dir(&campaign.workdir)
        .into_iter()
        .flatten()
        .flatten()
    {
        if e.file_name().to_string_lossy().ends_with(".jsonl.failures") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let id = backend.submit(&spec)?;
    campaign.job_id = id.clone();
    campaign.submissions.push(id.clone());
    campaign.status = CampaignStatus::Pending;
    campaign.reason = None;
    campaign.updated_at = crate::now();
    campaign.save()?;
    Ok(id)
}
