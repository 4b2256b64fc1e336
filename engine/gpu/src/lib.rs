//! Galvana's CUDA device layer.
//!
//! - [`probe`]: is there a driver, how many devices, is NVRTC there — without any cudarc call
//!   that could panic (libcuda and libnvrtc are loaded at run time; nothing links CUDA).
//! - [`select`]: which device a rank takes (pure policy, unit-tested).
//! - [`kernels`], [`compile`]: CUDA C sources, compiled by NVRTC at run time, PTX cached.
//! - [`device`]: one opened device; [`linalg`], [`cg`]: device vectors/CSR and CG + Jacobi
//!   with the halo staged through the host; [`biot_savart`]: segments → points.
//!
//! The engine decides CPU or GPU once per run; everything here is used only on the GPU path.

pub mod biot_savart;
pub mod cg;
pub mod compile;
pub mod device;
pub mod error;
pub mod kernels;
pub mod linalg;
pub mod probe;
pub mod select;

pub use device::Gpu;
pub use error::GpuError;
pub use select::{Choice, Request};

/// For tests and checks that need a device: `Some(gpu)`, or `None` after printing why to
/// stderr ("skipped: ..."). With `GALVANA_REQUIRE_GPU=1` a missing device is a panic instead,
/// so that the GPU machine's check cannot pass by skipping.
pub fn gpu_or_skip(test: &str) -> Option<Gpu> {
    let got = probe::driver().and_then(|_| Gpu::open(0));
    match got {
        Ok(g) => Some(g),
        Err(e) => {
            let reason = match e {
                GpuError::DriverMissing(_) => "no CUDA driver (libcuda.so.1 not found)".to_string(),
                e => e.to_string(),
            };
            if require_gpu() {
                panic!("{test}: GALVANA_REQUIRE_GPU=1 but {reason}");
            }
            skip_notice(test, &reason);
            None
        }
    }
}

/// `GALVANA_REQUIRE_GPU=1`: skips become failures.
pub fn require_gpu() -> bool {
    std::env::var("GALVANA_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// Prints "TEST: skipped: REASON" straight to stderr: libtest captures `eprintln!` of passing
/// tests, and a skip must stay visible in `cargo test` output.
pub fn skip_notice(test: &str, reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{test}: skipped: {reason}");
}
