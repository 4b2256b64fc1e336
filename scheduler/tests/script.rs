//! The batch script: golden checks of the `#SBATCH` header and the important body lines, and
//! the script's campaign logic run with stand-ins for `srun`, `scontrol` and `galvana`.

mod common;

use common::*;
use galvana_scheduler::{prepare, BackendKind, Launcher, SubmitOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const JOB: &str = r##"
[job]
ranks = 4
nodes = 2
gpus_per_rank = 1
walltime = "1-02:00:00"
partition = "gpu"
account = "proj42"
qos = "high"
extra_sbatch = ["--exclusive", "#SBATCH --constraint=a100"]
"##;

fn golden_deck(dir: &Path) -> PathBuf {
    let base = write_deck(dir, "base.toml", 20.0, 2, "00:10:00");
    let text = std::fs::read_to_string(&base).unwrap();
    let cut = text.find("[job]").unwrap();
    let p = dir.join("golden.toml");
    std::fs::write(&p, format!("{}{JOB}", &text[..cut])).unwrap();
    p
}

fn opts(dir: &Path, backend: BackendKind) -> SubmitOptions {
    SubmitOptions {
        backend,
        workdir: Some(dir.join("job")),
        galvana: Some("/opt/galvana/bin/galvana".into()),
        ..Default::default()
    }
}

fn sbatch_lines(script: &str) -> Vec<String> {
    script
        .lines()
        .filter(|l| l.starts_with("#SBATCH "))
        .map(str::to_string)
        .collect()
}

#[test]
fn header_from_job_section() {
    let dir = tmp("golden");
    let deck = golden_deck(&dir);
    let p = prepare(&deck, &opts(&dir, BackendKind::Slurm)).unwrap();
    let job = dir.join("job").display().to_string();
    let expected = [
        "--job-name=galvana-golden".to_string(),
        "--ntasks=4".into(),
        "--nodes=2".into(),
        "--gpus-per-task=1".into(),
        "--time=1-02:00:00".into(),
        "--partition=gpu".into(),
        "--account=proj42".into(),
        "--qos=high".into(),
        format!("--chdir={job}"),
        format!("--output={job}/job-%j.out"),
        "--open-mode=append".into(),
        "--signal=B:USR1@120".into(),
        "--requeue".into(),
        "--comment=galvana".into(),
        "--exclusive".into(),
        "--constraint=a100".into(),
    ]
    .map(|o| format!("#SBATCH {o}"));
    assert_eq!(sbatch_lines(&p.spec.script), expected);
    let s = &p.spec.script;
    assert!(s.starts_with("#!/bin/bash\n"));
    for line in [
        "GALVANA=/opt/galvana/bin/galvana",
        &format!("JOBDIR={job}"),
        &format!("DECK={}", deck.display()),
        "OUT=\"$JOBDIR/run\"",
        "CKPT=\"$OUT/checkpoints\"",
        "MAX_SEGMENTS=20",
        "MAX_FAILURES=2",
        "trap 'forward USR1' USR1",
        "    kill -s USR1 \"$child\" 2>/dev/null",
        "ARGS=(run \"$DECK\" --output \"$OUT\")",
        "  ARGS+=(--restart latest)",
        "srun --mpi=pmix --kill-on-bad-exit=1 \"$GALVANA\" \"${ARGS[@]}\" &",
        "  scontrol requeue \"$JOB_ID\"",
        "  75)",
        "unset SLURM_JWT  # a REST token in the submit environment would make srun skip munge",
    ] {
        assert!(
            s.lines().any(|l| l == line),
            "missing line `{line}` in\n{s}"
        );
    }
    assert_eq!(p.spec.time_limit_s, 26 * 3600);
    assert_eq!(p.campaign.end_time, Some(20.0));
    let bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    bash.stdin
        .as_ref()
        .unwrap()
        .write_all(s.as_bytes())
        .unwrap();
    assert!(bash.wait_with_output().unwrap().status.success(), "bash -n");
}

#[test]
fn launcher_grace_and_no_requeue() {
    let dir = tmp("variants");
    let deck = write_deck(&dir, "short.toml", 20.0, 2, "00:02:00");
    let mut o = opts(&dir, BackendKind::Slurm);
    o.launcher = Some(Launcher::Mpirun);
    let p = prepare(&deck, &o).unwrap();
    assert!(p
        .spec
        .script
        .contains("\nmpirun -np 2 \"$GALVANA\" \"${ARGS[@]}\" &\n"));
    assert!(
        sbatch_lines(&p.spec.script).contains(&"#SBATCH --signal=B:USR1@30".to_string()),
        "grace = walltime / 4"
    );
    o.requeue = false;
    o.launcher = None;
    o.grace_s = Some(45);
    let p = prepare(&deck, &o).unwrap();
    let lines = sbatch_lines(&p.spec.script);
    assert!(lines.contains(&"#SBATCH --no-requeue".to_string()));
    assert!(!lines.iter().any(|l| l.contains("--signal")));
    let local = prepare(&deck, &opts(&dir, BackendKind::Local)).unwrap();
    assert!(local
        .spec
        .script
        .contains("\nmpirun --oversubscribe --bind-to none -np 2 \"$GALVANA\""));
    let props = galvana_scheduler::rest::job_properties(
        &prepare(&deck, &opts(&dir, BackendKind::Rest)).unwrap().spec,
    )
    .unwrap();
    assert_eq!(props["signal"], "USR1@30");
    assert_eq!(props["time_limit"], 2);
    assert_eq!(props["tasks"], 2);
    assert_eq!(props["requeue"], true);
    assert_eq!(props["open_mode"], "append");
    assert!(props["environment"]["PATH"].is_string());
}

#[test]
fn sweep_becomes_an_array() {
    let dir = tmp("sweepgen");
    let heat = workspace().join("input-decks/examples/heat_sink_steady.toml");
    let sweep = dir.join("sweep.toml");
    let head = format!("deck = {:?}\n", heat.display().to_string());
    std::fs::write(&sweep, head.clone() + "\nthrottle = 2\n[values]\n\"job.ranks\" = [1, 2]\n\"solver.linear.rtol\" = [1e-8, 1e-10]\n").unwrap();
    let p = prepare(&sweep, &opts(&dir, BackendKind::Slurm)).unwrap();
    let lines = sbatch_lines(&p.spec.script);
    assert!(
        lines.contains(&"#SBATCH --array=0-3%2".to_string()),
        "{lines:?}"
    );
    let job = dir.join("job").display().to_string();
    assert!(lines.contains(&format!("#SBATCH --output={job}/job-%A_%a.out")));
    for l in [
        "DECK=\"$JOBDIR/decks/task-$T.toml\"",
        "OUT=\"$JOBDIR/task-$T\"",
        "LOG=\"$JOBDIR/segments-$T.jsonl\"",
    ] {
        assert!(p.spec.script.lines().any(|x| x == l), "{l}");
    }
    let sw = p.sweep.as_ref().unwrap();
    assert_eq!(sw.tasks.len(), 4);
    assert_eq!(sw.tasks[3].params["job.ranks"], 2);
    let t3 = &sw.tasks[3].deck_text;
    assert!(
        t3.contains("ranks = 2") && t3.contains("rtol = 1e-10"),
        "{t3}"
    );
    let mesh = workspace().join("input-decks/examples/meshes/heat_sink.msh");
    assert!(
        t3.contains(&format!("file = \"{}\"", mesh.display())),
        "mesh path made absolute:\n{t3}"
    );
    assert_eq!(p.campaign.tasks.len(), 4);
    assert_eq!(p.campaign.tasks[2].output, dir.join("job/task-002"));
    assert!(p
        .dry_run_text()
        .contains("#   task 003: job.ranks = 2, solver.linear.rtol = 1e-10"));

    std::fs::write(
        &sweep,
        head.clone() + "[values]\n\"solver.linear.rtoll\" = [1e-8]\n",
    )
    .unwrap();
    let e = prepare(&sweep, &opts(&dir, BackendKind::Slurm))
        .unwrap_err()
        .to_string();
    assert!(e.contains("rtoll") && e.contains("sweep task 0"), "{e}");
    std::fs::write(&sweep, head.clone() + "[values]\n\"nosuch.key\" = [1]\n").unwrap();
    let e = prepare(&sweep, &opts(&dir, BackendKind::Slurm))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no table [nosuch]"), "{e}");
    std::fs::write(
        &sweep,
        head.clone() + "mode = \"zip\"\n[values]\n\"time.end\" = [1.0]\n\"job.ranks\" = [1, 2]\n",
    )
    .unwrap();
    assert!(prepare(&sweep, &opts(&dir, BackendKind::Slurm))
        .unwrap_err()
        .to_string()
        .contains("equal lengths"));
}

#[test]
fn invalid_deck_is_refused() {
    let dir = tmp("invalid");
    let deck = write_deck(&dir, "bad.toml", 20.0, 2, "25:61:00");
    let e = prepare(&deck, &opts(&dir, BackendKind::Slurm))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("bad.toml:") && e.contains("invalid walltime"),
        "{e}"
    );
}

/// The script under test with stand-ins: `srun` drops its options and runs the command,
/// `scontrol` logs, and `galvana` acts out `$FAKE_MODE`.
struct Harness {
    dir: PathBuf,
    script: PathBuf,
    log: PathBuf,
}

const FAKE_GALVANA: &str = r#"
echo "galvana $*" >> "$FAKE_LOG"
out=""; prev=""
for a in "$@"; do [ "$prev" = --output ] && out=$a; prev=$a; done
mkdir -p "$out"; echo started > "$out/started"
checkpoint() { mkdir -p "$out/checkpoints"; echo ckpt-1.h5 > "$out/checkpoints/latest"; exit 75; }
case "$FAKE_MODE" in
  exit:*) exit "${FAKE_MODE#exit:}" ;;
  signal) trap checkpoint USR1 TERM; while :; do sleep 0.05; done ;;
esac
"#;

impl Harness {
    fn new(name: &str) -> Harness {
        let dir = tmp(name);
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        script(
            &bin.join("srun"),
            "while [[ $1 == --* ]]; do shift; done\nexec \"$@\"",
        );
        script(
            &bin.join("scontrol"),
            "echo \"scontrol $*\" >> \"$FAKE_LOG\"",
        );
        let galvana = script(&bin.join("galvana"), FAKE_GALVANA);
        let deck = write_deck(&dir, "d.toml", 20.0, 1, "00:10:00");
        let o = SubmitOptions {
            galvana: Some(galvana),
            workdir: Some(dir.join("job")),
            ..Default::default()
        };
        let p = prepare(&deck, &o).unwrap();
        std::fs::create_dir_all(dir.join("job")).unwrap();
        let script = dir.join("job/job.sh");
        std::fs::write(&script, &p.spec.script).unwrap();
        Harness {
            log: dir.join("log"),
            dir,
            script,
        }
    }

    fn spawn(&self, mode: &str, restarts: u32) -> std::process::Child {
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap()
        );
        Command::new("bash")
            .arg(&self.script)
            .env("PATH", path)
            .env("SLURM_JOB_ID", "4242")
            .env("SLURM_RESTART_COUNT", restarts.to_string())
            .env("FAKE_MODE", mode)
            .env("FAKE_LOG", &self.log)
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn run(&self, mode: &str, restarts: u32) -> i32 {
        self.spawn(mode, restarts).wait().unwrap().code().unwrap()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn segments(&self) -> Vec<galvana_scheduler::Segment> {
        galvana_scheduler::campaign::read_segments(&self.dir.join("job/segments.jsonl"))
    }

    /// Run in `signal` mode and deliver `sig` to the script (and `also_run`: to the run too).
    fn signalled(&self, sig: i32, also_run: bool, restarts: u32) -> i32 {
        let child = self.spawn("signal", restarts);
        let started = self.dir.join("job/run/started");
        wait_for(20, "the fake run", || started.exists());
        let _ = std::fs::remove_file(&started);
        std::thread::sleep(std::time::Duration::from_millis(200));
        unsafe { libc::kill(child.id() as i32, sig) };
        if also_run {
            // As the scheduler does: the run is signalled too, not only the script.
            let pid = child.id();
            let kids = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
            for k in kids.split_whitespace() {
                unsafe { libc::kill(k.parse().unwrap(), libc::SIGTERM) };
            }
        }
        child.wait_with_output().unwrap().status.code().unwrap()
    }
}

#[test]
fn completed_run_is_recorded() {
    let h = Harness::new("s-done");
    assert_eq!(h.run("exit:0", 0), 0);
    let seg = h.segments();
    assert_eq!(seg.len(), 1);
    assert_eq!(
        (
            seg[0].action.as_str(),
            seg[0].exit_code,
            seg[0].job_id.as_str(),
            seg[0].segment
        ),
        ("done", 0, "4242", 1)
    );
    let log = h.log();
    assert!(log.contains(&format!(
        "run {} --output {}",
        h.dir.join("d.toml").display(),
        h.dir.join("job/run").display()
    )));
    assert!(
        !log.contains("--restart") && !log.contains("scontrol"),
        "{log}"
    );
}

#[test]
fn usr1_checkpoints_requeues_and_restarts() {
    let h = Harness::new("s-usr1");
    assert_eq!(h.signalled(libc::SIGUSR1, false, 0), 0);
    assert!(h.log().contains("scontrol requeue 4242"), "{}", h.log());
    assert_eq!(h.run("exit:0", 1), 0);
    let seg = h.segments();
    let got: Vec<_> = seg
        .iter()
        .map(|s| (s.action.as_str(), s.exit_code, s.segment, s.signal.as_str()))
        .collect();
    assert_eq!(got, [("requeue", 75, 1, "USR1"), ("done", 0, 2, "")]);
    assert!(
        h.log()
            .lines()
            .last()
            .unwrap()
            .ends_with("--restart latest"),
        "{}",
        h.log()
    );
}

#[test]
fn two_failures_without_checkpoint_stop_the_campaign() {
    let h = Harness::new("s-fail");
    assert_eq!(h.run("exit:1", 0), 0, "first failure: requeued");
    assert_eq!(h.log().matches("scontrol requeue 4242").count(), 1);
    assert_eq!(h.run("exit:1", 1), 1, "second failure: stop");
    assert_eq!(h.log().matches("scontrol requeue").count(), 1);
    let seg = h.segments();
    assert_eq!(
        seg.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        ["retry", "stop"]
    );
    assert!(
        seg[1].reason.contains("2 times in a row"),
        "{}",
        seg[1].reason
    );
    assert!(
        h.log().lines().last().unwrap().ends_with("--overwrite"),
        "a retry without checkpoint reuses the output dir"
    );
}

#[test]
fn a_checkpoint_resets_the_failure_count() {
    let h = Harness::new("s-reset");
    assert_eq!(h.run("exit:1", 0), 0);
    assert_eq!(h.signalled(libc::SIGUSR1, false, 1), 0);
    assert_eq!(
        h.run("exit:1", 2),
        0,
        "one failure since the last checkpoint: retried"
    );
    let actions: Vec<_> = h.segments().into_iter().map(|s| s.action).collect();
    assert_eq!(actions, ["retry", "requeue", "retry"]);
}

#[test]
fn invalid_deck_and_max_segments_stop() {
    let h = Harness::new("s-stop");
    assert_eq!(h.run("exit:3", 0), 3);
    assert_eq!(h.run("exit:75", 19), 75, "segment 20 of 20");
    assert!(!h.log().contains("scontrol"));
    let seg = h.segments();
    assert_eq!(
        seg.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        ["stop", "stop"]
    );
    assert!(
        seg[1].reason.contains("max_segments = 20"),
        "{}",
        seg[1].reason
    );
}

#[test]
fn sigterm_is_not_requeued() {
    let h = Harness::new("s-term");
    assert_eq!(h.signalled(libc::SIGTERM, true, 0), 75);
    let seg = h.segments();
    assert_eq!(
        (seg[0].action.as_str(), seg[0].signal.as_str()),
        ("stop", "TERM")
    );
    assert!(!h.log().contains("scontrol"));
}

#[test]
fn local_requeue_uses_a_flag_file() {
    let h = Harness::new("s-local");
    let flag = h.dir.join("requeue-flag");
    let path = format!(
        "{}:{}",
        h.dir.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    let st = Command::new("bash")
        .arg(&h.script)
        .env("PATH", path)
        .env("GALVANA_JOB_ID", "7")
        .env("GALVANA_LOCAL_REQUEUE", &flag)
        .env("FAKE_MODE", "exit:75")
        .env("FAKE_LOG", &h.log)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    assert!(flag.exists() && !h.log().contains("scontrol"));
    assert_eq!(h.segments()[0].job_id, "7");
}
