//! The batch script: `#SBATCH` header from a [`JobSpec`], then a body that runs
//! `srun`/`mpirun galvana run DECK --output OUT [--restart latest]`, forwards USR1/TERM to the
//! run, records the segment in a JSON-lines file and requeues the job when the run checkpointed
//! (exit 75) or failed for the first time.
//!
//! The same script serves Slurm and the local backend: under the local backend
//! `$GALVANA_LOCAL_REQUEUE` names a file whose creation asks the local runner to requeue, and
//! `GALVANA_JOB_ID`, `GALVANA_RESTART_COUNT`, `GALVANA_ARRAY_TASK_ID` stand in for the
//! `SLURM_*` variables.

use crate::spec::{JobSpec, Launcher};
use std::fmt::Write;
use std::path::PathBuf;

/// Exit code of a run that checkpointed on a signal (docs/contracts.md).
pub const EXIT_CHECKPOINTED: i32 = 75;

/// Which deck(s) and output directories the script runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Runs {
    /// One deck, output in `JOBDIR/run`, segments in `JOBDIR/segments.jsonl`.
    Single { deck: PathBuf },
    /// A job array: task `T` runs `JOBDIR/decks/task-TTT.toml` into `JOBDIR/task-TTT`, segments
    /// in `JOBDIR/segments-TTT.jsonl`.
    Array,
}

/// The body's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptPlan {
    pub galvana: PathBuf,
    pub launcher: Launcher,
    /// `srun --mpi=` plugin.
    pub srun_mpi: String,
    /// Extra `mpirun` options (the local backend passes `--oversubscribe --bind-to none`).
    pub mpirun_opts: Vec<String>,
    pub runs: Runs,
    /// The deck's `[checkpoint] directory`, resolved; `None`: `OUT/checkpoints`.
    pub checkpoint_dir: Option<PathBuf>,
    pub max_segments: u32,
    pub max_failures: u32,
    /// Shown in the header comment.
    pub source: String,
}

/// Single-quote `s` for bash.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:=,@%".contains(&b))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r#"'\''"#))
}

fn path_q(p: &std::path::Path) -> String {
    sh_quote(&p.display().to_string())
}

const BODY: &str = r#"
unset SLURM_JWT  # a REST token in the submit environment would make srun skip munge
cd "$JOBDIR" || exit 1
FAILS="$LOG.failures"
START=$(date +%s)
got=""
usr1=""
child=""

record() {  # ACTION EXIT_CODE REASON: one JSON line per segment outcome
  printf '{"job_id":"%s","task":%s,"segment":%d,"restarts":%d,"start":%d,"end":%d,"exit_code":%d,"action":"%s","reason":"%s","signal":"%s","host":"%s"}\n' \
    "$JOB_ID" "${TASK:-null}" "$SEGMENT" "$RESTARTS" "$START" "$(date +%s)" "$2" "$1" "$3" "$got" "$(hostname -s)" >> "$LOG"
  echo "galvana-job: segment $SEGMENT: $1 (exit $2): $3"
}
requeue() {
  if [ -n "${GALVANA_LOCAL_REQUEUE:-}" ]; then : > "$GALVANA_LOCAL_REQUEUE"; return 0; fi
  scontrol requeue "$JOB_ID"
}
forward() {  # USR1: the run checkpoints and exits 75. TERM/INT reach the run from the scheduler.
  got=$1
  [ "$1" = USR1 ] && usr1=1
  if [ "$1" = USR1 ] && [ -n "$child" ]; then
    echo "galvana-job: SIGUSR1 received, forwarding it to the run"
    kill -s USR1 "$child" 2>/dev/null
  else
    echo "galvana-job: SIG$1 received"
  fi
}
trap 'forward USR1' USR1
trap 'forward TERM' TERM
trap 'forward INT' INT

ARGS=(run "$DECK" --output "$OUT")
if [ -s "$CKPT/latest" ]; then
  mkdir -p "$OUT"  # a run seeded with another run's checkpoint has no output directory yet
  ARGS+=(--restart latest)
elif [ -d "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then
  ARGS+=(--overwrite)  # an earlier segment failed before its first checkpoint
fi
echo "galvana-job: segment $SEGMENT of job $JOB_ID${TASK:+ task $TASK} on $(hostname) at $(date '+%F %T'): galvana ${ARGS[*]}"
"#;

const DECIDE: &str = r#"child=$!
if [ "$got" = USR1 ]; then kill -s USR1 "$child" 2>/dev/null; fi
while :; do  # `wait` returns early when a trap runs; wait again until the run has exited
  wait "$child"; rc=$?
  kill -0 "$child" 2>/dev/null || break
done

fails=$(cat "$FAILS" 2>/dev/null || echo 0)
case "$rc" in
  0)
    rm -f "$FAILS"
    record done 0 "run completed"
    exit 0 ;;
  75)
    rm -f "$FAILS"
    if [ -z "$usr1" ] && { [ "$got" = TERM ] || [ "$got" = INT ]; }; then
      record stop 75 "checkpointed on SIG$got (cancelled or at the time limit); resume the campaign to continue"
      exit 75
    fi
    if [ "$SEGMENT" -ge "$MAX_SEGMENTS" ]; then
      record stop 75 "checkpointed, but the campaign reached max_segments = $MAX_SEGMENTS"
      exit 75
    fi
    record requeue 75 "checkpointed; requeued to continue with --restart latest"
    requeue || { record stop 75 "checkpointed, but the requeue failed"; exit 75; }
    exit 0 ;;
  2|3)
    record stop "$rc" "galvana rejected the deck or its arguments (exit $rc); see the job output"
    exit "$rc" ;;
  *)
    fails=$((fails + 1)); echo "$fails" > "$FAILS"
    if [ "$got" = TERM ] || [ "$got" = INT ]; then
      record stop "$rc" "ended by SIG$got without a checkpoint (exit $rc)"
      exit "$rc"
    fi
    if [ "$fails" -ge "$MAX_FAILURES" ]; then
      record stop "$rc" "failed without checkpointing $fails times in a row (last exit $rc); see the job output"
      exit "$rc"
    fi
    record retry "$rc" "failed without checkpointing (exit $rc); requeued to retry from the last checkpoint"
    requeue || { record stop "$rc" "failed (exit $rc) and the requeue failed"; exit "$rc"; }
    exit 0 ;;
esac
"#;

/// The whole batch script.
pub fn render(spec: &JobSpec, plan: &ScriptPlan) -> String {
    let mut s = String::from("#!/bin/bash\n");
    let _ = writeln!(
        s,
        "# Galvana batch job, generated by galvana-scheduler {} from {}",
        env!("CARGO_PKG_VERSION"),
        plan.source
    );
    for o in spec.sbatch_options() {
        let _ = writeln!(s, "#SBATCH {o}");
    }
    s.push_str(
        "#\n# Restart campaign: USR1 (from Slurm before the time limit, or `scancel --signal=USR1 --batch ID`)\n\
         # is forwarded to the run, which checkpoints and exits 75; the job then requeues itself and the\n\
         # next segment continues with --restart latest until the deck's end time.\n\n",
    );
    let _ = writeln!(s, "GALVANA={}", path_q(&plan.galvana));
    let _ = writeln!(s, "JOBDIR={}", path_q(&spec.workdir));
    let _ = writeln!(s, "MAX_SEGMENTS={}", plan.max_segments);
    let _ = writeln!(s, "MAX_FAILURES={}", plan.max_failures);
    s.push_str("JOB_ID=${SLURM_JOB_ID:-${GALVANA_JOB_ID:-0}}\n");
    s.push_str("RESTARTS=${SLURM_RESTART_COUNT:-${GALVANA_RESTART_COUNT:-0}}\n");
    s.push_str("SEGMENT=$((RESTARTS + 1))\n");
    s.push_str("TASK=${SLURM_ARRAY_TASK_ID:-${GALVANA_ARRAY_TASK_ID:-}}\n");
    match &plan.runs {
        Runs::Single { deck } => {
            let _ = writeln!(s, "DECK={}", path_q(deck));
            s.push_str("OUT=\"$JOBDIR/run\"\nLOG=\"$JOBDIR/segments.jsonl\"\n");
        }
        Runs::Array => {
            s.push_str("printf -v T '%03d' \"$TASK\"\n");
            s.push_str("DECK=\"$JOBDIR/decks/task-$T.toml\"\nOUT=\"$JOBDIR/task-$T\"\n");
            s.push_str("LOG=\"$JOBDIR/segments-$T.jsonl\"\n");
        }
    }
    match &plan.checkpoint_dir {
        Some(d) => {
            let _ = writeln!(s, "CKPT={}", path_q(d));
        }
        None => s.push_str("CKPT=\"$OUT/checkpoints\"\n"),
    }
    for (k, v) in &spec.env {
        let _ = writeln!(s, "export {k}={}", sh_quote(v));
    }
    s.push_str(BODY);
    match plan.launcher {
        Launcher::Srun => {
            let _ = writeln!(
                s,
                "srun --mpi={} --kill-on-bad-exit=1 \"$GALVANA\" \"${{ARGS[@]}}\" &",
                plan.srun_mpi
            );
        }
        Launcher::Mpirun => {
            let mut opts = plan.mpirun_opts.join(" ");
            if !opts.is_empty() {
                opts.push(' ');
            }
            let _ = writeln!(
                s,
                "mpirun {opts}-np {} \"$GALVANA\" \"${{ARGS[@]}}\" &",
                spec.ntasks
            );
        }
    }
    s.push_str(DECIDE);
    s
}

#[cfg(test)]
mod tests {
    use super::sh_quote;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("/a/b-c.toml"), "/a/b-c.toml");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r#"'it'\''s'"#);
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("$HOME"), "'$HOME'");
    }
}
