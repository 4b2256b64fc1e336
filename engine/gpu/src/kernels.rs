//! The CUDA C sources, one file per role under `kernels/`, and the entry points each defines.

/// A kernel source file and its `extern "C"` entry points.
#[derive(Clone, Copy, Debug)]
pub struct Module {
    pub name: &'static str,
    pub source: &'static str,
    pub entries: &'static [&'static str],
}

/// SpMV, dot, vector updates, Jacobi.
pub const LINALG: Module = Module {
    name: "linalg.cu",
    source: include_str!("../kernels/linalg.cu"),
    entries: &[
        "spmv_csr_scalar",
        "spmv_csr_vector",
        "spmv_csr_lanes4",
        "dot_partial",
        "dot_final",
        "axpy",
        "axpby",
        "jacobi_apply",
        "residual_from",
    ],
};

/// Biot–Savart of straight segments at points.
pub const BIOT_SAVART: Module = Module {
    name: "biot_savart.cu",
    source: include_str!("../kernels/biot_savart.cu"),
    entries: &["biot_savart_segments"],
};

/// Every module, in load order.
pub const ALL: &[Module] = &[LINALG, BIOT_SAVART];

/// Threads per block of the dot product (`DOT_THREADS` in linalg.cu) and its fixed grid: the
/// number of partial sums does not depend on the device, so neither does the result.
pub const DOT_THREADS: u32 = 256;
pub const DOT_BLOCKS: u32 = 256;
