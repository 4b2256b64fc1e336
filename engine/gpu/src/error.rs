//! Typed failures of the device layer. Every path that could reach a cudarc panic (missing
//! library, missing symbol) is turned into one of these first, by [`crate::probe`].

/// Why the GPU path cannot run (or failed while running).
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum GpuError {
    /// `libcuda.so.1` could not be opened (no NVIDIA driver on this node).
    #[error("libcuda.so.1 could not be loaded: {0}")]
    DriverMissing(String),
    /// The driver library is there but `cuInit` failed.
    #[error("the CUDA driver failed to initialise (cuInit returned {code}: {name})")]
    DriverInit { code: i32, name: String },
    /// The driver works but no device is visible to this process.
    #[error("no CUDA device is visible ({0})")]
    NoDevice(String),
    /// `libnvrtc` (the run-time kernel compiler) could not be opened.
    #[error("libnvrtc could not be loaded: {0} (install the CUDA toolkit's NVRTC, e.g. `pip install nvidia-cuda-nvrtc-cu12`, and put its lib/ on LD_LIBRARY_PATH)")]
    NvrtcMissing(String),
    /// NVRTC rejected a kernel source (a bug in a `.cu` file, or an unsupported architecture).
    #[error("NVRTC failed to compile {module} for {arch}: {log}")]
    Compile {
        module: String,
        arch: String,
        log: String,
    },
    /// A CUDA driver call failed after start-up (allocation, copy, launch).
    #[error("CUDA driver call failed: {0}")]
    Driver(String),
    /// Inputs that cannot go to the device (sizes beyond 32-bit indices, mismatched lengths).
    #[error("invalid input for the GPU path: {0}")]
    Input(String),
}

impl From<cudarc::driver::DriverError> for GpuError {
    fn from(e: cudarc::driver::DriverError) -> Self {
        GpuError::Driver(format!("{e:?}"))
    }
}
