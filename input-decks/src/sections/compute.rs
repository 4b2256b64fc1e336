//! `[compute]`: where the run computes (CPU or a CUDA device per MPI rank).

use super::{choice, FixedSection};
use crate::schema::{ParamKind, ParamSpec};
use crate::value::Object;

/// `[compute] device`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// A CUDA device when one is usable, else the CPU (with a one-line notice).
    Auto,
    Cpu,
    /// A CUDA device, or the run fails (exit 1) with the reason.
    Cuda,
}

const DEVICES: &[(&str, Device)] = &[
    ("auto", Device::Auto),
    ("cpu", Device::Cpu),
    ("cuda", Device::Cuda),
];

impl Device {
    pub fn name(self) -> &'static str {
        DEVICES
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("cpu", |(n, _)| n)
    }
}

/// Declaration of `[compute]`.
pub fn spec() -> FixedSection {
    FixedSection {
        path: "compute",
        description: "Compute device. Each MPI rank drives at most one GPU: the node-local rank k takes visible device k mod (number visible), honouring CUDA_VISIBLE_DEVICES (see docs/gpu.md). `galvana run --device` overrides it.",
        params: vec![ParamSpec::optional(
            "device",
            ParamKind::Choice(&["auto", "cpu", "cuda"]),
            "",
            "\"cpu\"",
            "`cpu`; `cuda` (a CUDA device per rank; without a driver or device the run fails with exit code 1 and says why); `auto` (CUDA when a device is usable, else the CPU with a one-line notice). On CUDA, native CG with `pc = \"jacobi\"` or `\"none\"` runs on the device; other solvers and deck kinds stay on the CPU (with a notice).",
        )],
    }
}

/// `[compute]`, defaults applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComputeOptions {
    pub device: Device,
}

impl ComputeOptions {
    pub(crate) fn from_object(o: &Object) -> Self {
        Self {
            device: choice(o, "device", DEVICES, Device::Cpu),
        }
    }
}

/// Whether `word` is a valid choice of `[compute] name` (for the enum-coverage test).
#[cfg(test)]
pub(crate) fn parse_choice(path: &str, name: &str, word: &str) -> bool {
    (path, name) == ("compute", "device") && DEVICES.iter().any(|(k, _)| *k == word)
}
