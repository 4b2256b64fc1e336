//! One CUDA device driven by this process: context, stream and the loaded kernels.

use crate::compile;
use crate::error::GpuError;
use crate::kernels::{self, Module};
use cudarc::driver::{CudaContext, CudaFunction, CudaModule, CudaStream};
use std::collections::HashMap;
use std::sync::Arc;

/// A device with every kernel module compiled (NVRTC, cached) and loaded.
pub struct Gpu {
    pub ordinal: usize,
    pub name: String,
    /// Compute capability (major, minor).
    pub cc: (i32, i32),
    /// Global memory (bytes).
    pub memory: usize,
    ctx: Arc<CudaContext>,
    pub(crate) stream: Arc<CudaStream>,
    functions: HashMap<&'static str, CudaFunction>,
    _modules: Vec<Arc<CudaModule>>,
}

impl Gpu {
    /// Opens visible device `ordinal`. The driver and NVRTC are probed first, so a node without
    /// them gets a [`GpuError`] rather than a panic inside cudarc.
    pub fn open(ordinal: usize) -> Result<Self, GpuError> {
        let info = crate::probe::driver()?;
        if ordinal >= info.device_count {
            return Err(GpuError::NoDevice(format!(
                "device {ordinal} requested but {} visible",
                info.device_count
            )));
        }
        crate::probe::nvrtc()?;
        let ctx = CudaContext::new(ordinal)?;
        let cc = ctx.compute_capability()?;
        let name = ctx.name()?;
        let memory = ctx.total_mem()?;
        let stream = ctx.default_stream();
        let arch = compile::arch_for(cc);
        let mut functions = HashMap::new();
        let mut modules = Vec::new();
        for m in kernels::ALL {
            let module = load(&ctx, m, &arch)?;
            for &e in m.entries {
                functions.insert(e, module.load_function(e)?);
            }
            modules.push(module);
        }
        Ok(Self {
            ordinal,
            name,
            cc,
            memory,
            ctx,
            stream,
            functions,
            _modules: modules,
        })
    }

    /// A loaded kernel by entry name (the names are fixed in [`kernels`]).
    pub(crate) fn function(&self, name: &str) -> &CudaFunction {
        self.functions
            .get(name)
            .unwrap_or_else(|| panic!("kernel {name} is not in kernels::ALL"))
    }

    /// Waits for every queued kernel and copy.
    pub fn synchronize(&self) -> Result<(), GpuError> {
        Ok(self.stream.synchronize()?)
    }

    /// Theoretical memory bandwidth (bytes/s) from the driver's memory clock and bus width
    /// (double data rate), for reporting achieved bandwidth as a fraction of it.
    pub fn peak_bandwidth(&self) -> Option<f64> {
        use cudarc::driver::sys::CUdevice_attribute as A;
        let clock_khz = self
            .ctx
            .attribute(A::CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE)
            .ok()?;
        let bus_bits = self
            .ctx
            .attribute(A::CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH)
            .ok()?;
        (clock_khz > 0 && bus_bits > 0)
            .then(|| 2.0 * clock_khz as f64 * 1e3 * bus_bits as f64 / 8.0)
    }

    /// "NVIDIA H200 (cuda:0, sm_90, 141 GB)".
    pub fn describe(&self) -> String {
        format!(
            "{} (cuda:{}, sm_{}{}, {:.0} GB)",
            self.name,
            self.ordinal,
            self.cc.0,
            self.cc.1,
            self.memory as f64 / 1e9
        )
    }
}

fn load(ctx: &Arc<CudaContext>, m: &Module, arch: &str) -> Result<Arc<CudaModule>, GpuError> {
    let ptx = compile::ptx(m, arch)?;
    Ok(ctx.load_module(cudarc::nvrtc::Ptx::from_src(ptx))?)
}

/// Blocks of `threads` covering `n` items.
pub(crate) fn blocks(n: usize, threads: u32) -> u32 {
    (n as u64).div_ceil(threads as u64).max(1) as u32
}
