//! Which device a rank drives: pure functions over the request, the node-local rank and the
//! environment, so that the policy is unit-tested without a GPU.
//!
//! Policy: rank k on a node takes visible device `k mod n_visible` (the driver numbers the
//! devices left by `CUDA_VISIBLE_DEVICES` from 0). With Slurm's `--gpus-per-task=1
//! --gpu-bind=closest` each rank sees one device and takes it.

use crate::error::GpuError;

/// `[compute] device` in the deck (or `--device` on the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// CUDA when a device is usable, else the CPU (with a one-line notice).
    Auto,
    Cpu,
    /// CUDA or a clear error.
    Cuda,
}

impl Request {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(Self::Auto),
            "cpu" => Some(Self::Cpu),
            "cuda" => Some(Self::Cuda),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        }
    }
}

/// What `CUDA_VISIBLE_DEVICES` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visible {
    /// Unset: every device of the node is visible.
    All,
    /// Set to hide every device (empty, `NoDevFiles` as Slurm writes without a GPU
    /// allocation, or a list starting with an invalid entry such as `-1`).
    None,
    /// The visible devices as written (indices or `GPU-<uuid>`/`MIG-...` names), in order.
    List(Vec<String>),
}

/// Parses a `CUDA_VISIBLE_DEVICES` value. As the driver does, the list ends at the first
/// entry that is not a device (a negative number or an empty item).
pub fn parse_visible(value: Option<&str>) -> Visible {
    let Some(v) = value else {
        return Visible::All;
    };
    let v = v.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("nodevfiles") {
        return Visible::None;
    }
    let list: Vec<String> = v
        .split(',')
        .map(str::trim)
        .take_while(|e| !e.is_empty() && !e.starts_with('-'))
        .map(str::to_string)
        .collect();
    if list.is_empty() {
        Visible::None
    } else {
        Visible::List(list)
    }
}

/// A reason when `CUDA_VISIBLE_DEVICES` hides every device (checked before loading libcuda).
pub fn hidden_by_env() -> Option<String> {
    let v = std::env::var("CUDA_VISIBLE_DEVICES").ok();
    match parse_visible(v.as_deref()) {
        Visible::None => Some(format!(
            "CUDA_VISIBLE_DEVICES={:?} hides every device",
            v.unwrap_or_default()
        )),
        _ => None,
    }
}

/// Node-local rank from the launcher's environment, as a hint when MPI cannot split by node:
/// Open MPI, Slurm, MPICH/Hydra, MVAPICH, PMI.
pub fn local_rank_hint(env: impl Fn(&str) -> Option<String>) -> Option<usize> {
    [
        "OMPI_COMM_WORLD_LOCAL_RANK",
        "SLURM_LOCALID",
        "MPI_LOCALRANKID",
        "MV2_COMM_WORLD_LOCAL_RANK",
        "PMI_LOCAL_RANK",
    ]
    .iter()
    .find_map(|k| env(k).and_then(|v| v.trim().parse().ok()))
}

/// Device ordinal (as the driver numbers the visible devices) for a node-local rank.
pub fn ordinal_for(local_rank: usize, device_count: usize) -> Option<usize> {
    (device_count > 0).then(|| local_rank % device_count)
}

/// The decision for one rank.
#[derive(Clone, Debug, PartialEq)]
pub enum Choice {
    /// Run on the CPU; `notice` says why when CUDA was possible in principle (`auto`).
    Cpu { notice: Option<String> },
    /// Drive visible device `ordinal`; `shared` when more ranks than devices share the node.
    Cuda { ordinal: usize, shared: bool },
}

/// Decides from the request, the node-local rank and size, and the driver probe.
/// `cuda` without a usable device is an error (the caller adds where the request came from).
pub fn decide(
    request: Request,
    local_rank: usize,
    local_size: usize,
    probe: Result<usize, GpuError>,
) -> Result<Choice, GpuError> {
    match (request, probe) {
        (Request::Cpu, _) => Ok(Choice::Cpu { notice: None }),
        (Request::Auto, Err(e)) => Ok(Choice::Cpu {
            notice: Some(format!("device = \"auto\": running on the CPU ({e})")),
        }),
        (Request::Cuda, Err(e)) => Err(e),
        (_, Ok(count)) => match ordinal_for(local_rank, count) {
            Some(ordinal) => Ok(Choice::Cuda {
                ordinal,
                shared: local_size > count,
            }),
            None => match request {
                Request::Cuda => Err(GpuError::NoDevice("0 devices".into())),
                _ => Ok(Choice::Cpu {
                    notice: Some("device = \"auto\": no CUDA device, running on the CPU".into()),
                }),
            },
        },
    }
}

/// How a rank's device is named in logs: the ordinal and, when `CUDA_VISIBLE_DEVICES` lists
/// devices, the entry it maps to (the physical index or UUID).
pub fn describe(ordinal: usize, visible: &Visible) -> String {
    match visible {
        Visible::List(l) if ordinal < l.len() => {
            format!("cuda:{ordinal} (CUDA_VISIBLE_DEVICES entry {})", l[ordinal])
        }
        _ => format!("cuda:{ordinal}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_devices_follow_the_driver_rules() {
        assert_eq!(parse_visible(None), Visible::All);
        assert_eq!(parse_visible(Some("")), Visible::None);
        assert_eq!(parse_visible(Some("NoDevFiles")), Visible::None);
        assert_eq!(parse_visible(Some("-1")), Visible::None);
        assert_eq!(
            parse_visible(Some("2, 3")),
            Visible::List(vec!["2".into(), "3".into()])
        );
        // The list ends at the first invalid entry.
        assert_eq!(
            parse_visible(Some("1,-1,0")),
            Visible::List(vec!["1".into()])
        );
        assert_eq!(
            parse_visible(Some("GPU-8f2e")),
            Visible::List(vec!["GPU-8f2e".into()])
        );
    }

    #[test]
    fn ranks_take_devices_round_robin_per_node() {
        let got: Vec<_> = (0..6).map(|r| ordinal_for(r, 4)).collect();
        assert_eq!(got, [0, 1, 2, 3, 0, 1].map(Some));
        assert_eq!(ordinal_for(3, 0), None);
        assert_eq!(ordinal_for(0, 1), Some(0));
    }

    #[test]
    fn local_rank_hint_prefers_open_mpi_then_slurm() {
        let env = |k: &str| match k {
            "OMPI_COMM_WORLD_LOCAL_RANK" => Some("3".to_string()),
            "SLURM_LOCALID" => Some("1".to_string()),
            _ => None,
        };
        assert_eq!(local_rank_hint(env), Some(3));
        let slurm = |k: &str| (k == "SLURM_LOCALID").then(|| "2".to_string());
        assert_eq!(local_rank_hint(slurm), Some(2));
        assert_eq!(local_rank_hint(|_| Some("x".into())), None);
    }

    #[test]
    fn decisions_per_request() {
        let missing = || Err(GpuError::DriverMissing("not found".into()));
        assert_eq!(
            decide(Request::Cpu, 0, 1, Ok(2)),
            Ok(Choice::Cpu { notice: None })
        );
        assert!(matches!(
            decide(Request::Auto, 0, 1, missing()),
            Ok(Choice::Cpu { notice: Some(n) }) if n.contains("not found")
        ));
        assert_eq!(
            decide(Request::Cuda, 0, 1, missing()),
            Err(GpuError::DriverMissing("not found".into()))
        );
        assert_eq!(
            decide(Request::Auto, 5, 8, Ok(4)),
            Ok(Choice::Cuda {
                ordinal: 1,
                shared: true
            })
        );
        assert_eq!(
            decide(Request::Cuda, 1, 2, Ok(2)),
            Ok(Choice::Cuda {
                ordinal: 1,
                shared: false
            })
        );
        assert_eq!(Request::parse("gpu"), None);
        for r in [Request::Auto, Request::Cpu, Request::Cuda] {
            assert_eq!(Request::parse(r.name()), Some(r));
        }
    }

    #[test]
    fn descriptions_name_the_physical_device() {
        let v = parse_visible(Some("4,5"));
        assert_eq!(describe(1, &v), "cuda:1 (CUDA_VISIBLE_DEVICES entry 5)");
        assert_eq!(describe(0, &Visible::All), "cuda:0");
    }
}
