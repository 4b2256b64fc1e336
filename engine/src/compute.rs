//! Where a run computes: the CPU, or one CUDA device per MPI rank (`[compute] device`,
//! `galvana run --device`). Decided once per run, before any output is written; the rest of
//! the engine only asks [`Selected::gpu`].
//!
//! `cuda` without a usable device fails the run with exit code 1 (the deck is valid, the node
//! cannot run it; docs/contracts.md), naming the cause and the way out.

use crate::comm::Comm;
use galvana_decks::{Deck, Device};
use galvana_gpu::select::{self, Choice, Request};
use galvana_gpu::Gpu;
use std::sync::Arc;

/// The outcome of device selection on this rank.
pub struct Selected {
    /// The opened device, or `None` for the CPU.
    pub gpu: Option<Arc<Gpu>>,
    /// "cpu" or e.g. "cuda:0 NVIDIA H200 (sm_90, 141 GB)", for the run header and summary.json.
    pub label: String,
    /// A one-line notice for the console (`auto` falling back to the CPU, shared devices).
    pub notice: Option<String>,
}

impl Selected {
    pub fn cpu() -> Self {
        Self {
            gpu: None,
            label: "cpu".into(),
            notice: None,
        }
    }
}

/// The request and where it came from (for messages): the command line wins over the deck.
pub fn request(deck: &Deck, cli: Option<&str>) -> (Request, String) {
    if let Some(r) = cli.and_then(Request::parse) {
        return (r, format!("--device {}", r.name()));
    }
    let r = match deck.compute.device {
        Device::Auto => Request::Auto,
        Device::Cpu => Request::Cpu,
        Device::Cuda => Request::Cuda,
    };
    let file = std::path::Path::new(&deck.path)
        .file_name()
        .map_or(deck.path.clone(), |f| f.to_string_lossy().into_owned());
    (r, format!("[compute] device = \"{}\" in {file}", r.name()))
}

/// Selects this rank's device given its node-local rank and the node's rank count.
pub fn select_local(
    request: Request,
    origin: &str,
    local_rank: usize,
    local_size: usize,
) -> Result<Selected, String> {
    if request == Request::Cpu {
        return Ok(Selected::cpu());
    }
    let probe = galvana_gpu::probe::driver().map(|i| i.device_count);
    let fail = |e: &dyn std::fmt::Display| {
        let fix = if origin.starts_with("--") {
            "use --device auto"
        } else {
            "set device = \"auto\""
        };
        format!("CUDA requested by {origin} but {e}; run on a GPU node or {fix}")
    };
    match select::decide(request, local_rank, local_size, probe).map_err(|e| fail(&e))? {
        Choice::Cpu { notice } => Ok(Selected {
            notice,
            ..Selected::cpu()
        }),
        Choice::Cuda { ordinal, shared } => {
            let gpu = match Gpu::open(ordinal) {
                Ok(g) => g,
                // `auto` falls back on any failure to bring the device up (e.g. no NVRTC).
                Err(e) if request == Request::Auto => {
                    return Ok(Selected {
                        notice: Some(format!("device = \"auto\": running on the CPU ({e})")),
                        ..Selected::cpu()
                    })
                }
                Err(e) => return Err(fail(&e)),
            };
            let visible =
                select::parse_visible(std::env::var("CUDA_VISIBLE_DEVICES").ok().as_deref());
            let label = format!("{} {}", select::describe(ordinal, &visible), gpu.describe());
            let notice = shared.then(|| {
                format!("{local_size} ranks on this node share fewer devices; ranks take them round-robin")
            });
            Ok(Selected {
                gpu: Some(Arc::new(gpu)),
                label,
                notice,
            })
        }
    }
}

/// Selects the device on every rank (collective): node-local rank from an MPI split by
/// shared memory; all ranks fail together if any fails. Each rank on a device logs which.
pub fn select(
    comm: &Comm,
    deck: &Deck,
    cli: Option<&str>,
    quiet: bool,
) -> Result<Selected, String> {
    let (request, origin) = request(deck, cli);
    if request == Request::Cpu {
        return Ok(Selected::cpu());
    }
    let (local_rank, local_size) = comm.node_local();
    let got = select_local(request, &origin, local_rank, local_size);
    if comm.any(got.is_err()) {
        return Err(got.err().unwrap_or_else(|| {
            "CUDA device selection failed on another rank (its message is above)".into()
        }));
    }
    let mut sel = got.unwrap_or_else(|_| Selected::cpu());
    // `auto` may leave some ranks on the CPU (e.g. a node without NVRTC): then all take the
    // CPU, so that every rank runs the same solver.
    if comm.any(sel.gpu.is_none()) && sel.gpu.is_some() {
        sel = Selected {
            notice: Some("device = \"auto\": another rank has no usable CUDA device; all ranks run on the CPU".into()),
            ..Selected::cpu()
        };
    }
    if sel.gpu.is_some() && !quiet {
        crate::say!(
            "Rank {} (node-local {local_rank} of {local_size}): {}",
            comm.rank(),
            sel.label
        );
    }
    if let Some(n) = sel.notice.as_deref().filter(|_| comm.is_root() && !quiet) {
        crate::say!("Notice: {n}");
    }
    Ok(sel)
}

/// For runs on rank 0 alone (battery, Biot–Savart): the launcher's node-local rank if any.
pub fn select_serial(deck: &Deck, cli: Option<&str>) -> Result<Selected, String> {
    let (request, origin) = request(deck, cli);
    let local = select::local_rank_hint(|k| std::env::var(k).ok()).unwrap_or(0);
    select_local(request, &origin, local, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deck(compute: &str) -> Deck {
        let text = format!(
            "[physics]\ntype = \"biot_savart\"\n\n[sources.l]\ntype = \"loop\"\nradius = 0.1\ncurrent = 1.0\n\n\
             [postprocessors.a]\ntype = \"line\"\nstart = [0.0, 0.0, -0.1]\nend = [0.0, 0.0, 0.1]\nn = 3\n{compute}"
        );
        Deck::parse("runs/d.toml", &text, &crate::setup::registry())
            .unwrap_or_else(|d| panic!("{d:?}"))
    }

    #[test]
    fn the_command_line_overrides_the_deck_and_names_the_origin() {
        let d = deck("\n[compute]\ndevice = \"cuda\"\n");
        assert_eq!(
            request(&d, None),
            (
                Request::Cuda,
                "[compute] device = \"cuda\" in d.toml".to_string()
            )
        );
        assert_eq!(
            request(&d, Some("cpu")),
            (Request::Cpu, "--device cpu".to_string())
        );
        // Without [compute] the CPU is the default.
        assert_eq!(request(&deck(""), None).0, Request::Cpu);
    }

    #[test]
    fn cpu_needs_no_driver() {
        let s = select_local(Request::Cpu, "test", 3, 4).unwrap();
        assert!(s.gpu.is_none() && s.notice.is_none());
        assert_eq!(s.label, "cpu");
    }
}
