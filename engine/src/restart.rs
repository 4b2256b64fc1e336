//! Checkpoint triggers (step and wall-clock intervals, signals) and restart policy (which
//! deck changes a restart accepts).

use crate::comm::Comm;
use crate::fem::assemble::Assembler;
use crate::io::checkpoint::{self, RunExtras};
use crate::monitor::Monitor;
use crate::solve::driver::{HookAction, OutputSink, StepHook, TransientState};
use galvana_decks::{CheckpointOptions, Deck};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Exit code of a run that wrote a checkpoint because it was signalled (sysexits EX_TEMPFAIL).
pub const EXIT_CHECKPOINTED: i32 = 75;

/// Deck keys a restart may change without `--force`: the end of the run, output and checkpoint
/// cadence, solver tolerances and iteration limits, and scheduler resources.
const SAFE: &[&str] = &[
    "time.end",
    "time.max_steps",
    "output.",
    "checkpoint.",
    "job.",
    // CPU or GPU: the same algorithms, so a run may move between them.
    "compute.",
    "solver.nonlinear.rtol",
    "solver.nonlinear.atol",
    "solver.nonlinear.max_it",
    "solver.linear.rtol",
    "solver.linear.atol",
    "solver.linear.max_it",
];

fn flatten(prefix: &str, v: &toml::Value, out: &mut std::collections::BTreeMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// Keys whose values differ between the checkpointed deck and the current one (canonical
/// forms, so comments, layout and spelled-out defaults do not count), split into safe and
/// unsafe changes.
pub fn deck_changes(old: &Deck, new: &Deck) -> (Vec<String>, Vec<String>) {
    let parse = |d: &Deck| {
        let mut m = Default::default();
        // A whole document parses as a table (a `toml::Value` parse expects a single value).
        match d.canonical_toml().parse::<toml::Table>() {
            Ok(t) => flatten("", &toml::Value::Table(t), &mut m),
            Err(e) => {
                m.insert(
                    "(deck)".to_string(),
                    format!("unreadable canonical form: {e}"),
                );
            }
        }
        m
    };
    let (a, b) = (parse(old), parse(new));
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let (mut safe, mut unsafe_) = (Vec::new(), Vec::new());
    for k in keys {
        if a.get(k) != b.get(k) {
            let desc = format!(
                "{k}: {} -> {}",
                a.get(k).map(String::as_str).unwrap_or("(absent)"),
                b.get(k).map(String::as_str).unwrap_or("(absent)")
            );
            if SAFE.iter().any(|s| {
                if s.ends_with('.') {
                    k.starts_with(s)
                } else {
                    k == s
                }
            }) {
                safe.push(desc);
            } else {
                unsafe_.push(desc);
            }
        }
    }
    (safe, unsafe_)
}

/// Register SIGTERM, SIGUSR1 and SIGINT: the first sets a flag the time loop polls (finish the
/// step, checkpoint, exit 75); a second SIGINT or SIGTERM ends the process at once.
pub fn install_signal_flag() -> Arc<AtomicBool> {
    use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM] {
        let _ = signal_hook::flag::register_conditional_shutdown(sig, 1, flag.clone());
    }
    for sig in [SIGINT, SIGTERM, SIGUSR1] {
        let _ = signal_hook::flag::register(sig, flag.clone());
    }
    flag
}

/// Writes checkpoints on the deck's cadence and on signals.
pub struct CheckpointHook<'a> {
    pub opts: CheckpointOptions,
    pub dir: PathBuf,
    pub deck: &'a Deck,
    pub signal: Arc<AtomicBool>,
    pub last_wall: Instant,
    pub last_path: Option<PathBuf>,
}

impl StepHook for CheckpointHook<'_> {
    fn after_step(
        &mut self,
        comm: &Comm,
        asm: &Assembler,
        ts: &TransientState,
        out: &dyn OutputSink,
        monitor: &mut Monitor,
        finished: bool,
    ) -> Result<HookAction, String> {
        // Every rank must take the same decision: signals and clocks are agreed on collectively.
        let signalled = comm.any(self.signal.load(Ordering::SeqCst));
        let by_steps = self
            .opts
            .interval_steps
            .is_some_and(|n| ts.st.step.is_multiple_of(n.max(1)));
        let by_wall = comm.any(
            self.opts
                .interval_seconds
                .is_some_and(|s| self.last_wall.elapsed().as_secs_f64() >= s),
        );
        // At the end of the run a wall-clock checkpoint is pointless; step-cadence ones are kept.
        if !(signalled || by_steps || (by_wall && !finished)) {
            return Ok(HookAction::Continue);
        }
        let extras = RunExtras {
            output_times: out.output_times(),
            monitor_seq: monitor.seq() + 1,
        };
        let sha = self.deck.hash();
        let deck = checkpoint::DeckInfo {
            text: &self.deck.text,
            sha256: &sha,
        };
        let path = checkpoint::write(
            comm,
            asm,
            &deck,
            ts,
            &extras,
            &self.dir,
            self.opts.keep as usize,
        )?;
        monitor.checkpoint(ts.st.step, &path.display().to_string());
        if comm.is_root() && monitor.console {
            crate::say!(
                "Checkpoint written: {} (step {}, t = {:.6e} s)",
                path.display(),
                ts.st.step,
                ts.st.time
            );
        }
        self.last_wall = Instant::now();
        self.last_path = Some(path);
        Ok(if signalled && !finished {
            HookAction::Stop
        } else {
            HookAction::Continue
        })
    }
}
