//! Device vectors and CSR matrices, and the kernels on them. Vectors are `owned ++ ghosts` as
//! on the CPU (engine/src/linalg/layout.rs); reductions run over the owned part.

use crate::device::{blocks, Gpu};
use crate::error::GpuError;
use crate::kernels::{DOT_BLOCKS, DOT_THREADS};
use cudarc::driver::{CudaSlice, LaunchConfig, PushKernelArg};

const THREADS: u32 = 256;

fn cfg(n: usize) -> LaunchConfig {
    LaunchConfig {
        grid_dim: (blocks(n, THREADS), 1, 1),
        block_dim: (THREADS, 1, 1),
        shared_mem_bytes: 0,
    }
}

fn u32_len(n: usize, what: &str) -> Result<u32, GpuError> {
    u32::try_from(n).map_err(|_| {
        GpuError::Input(format!(
            "{what} = {n} exceeds the 32-bit indices of the kernels"
        ))
    })
}

/// A vector in device memory.
pub struct DeviceVec {
    pub(crate) data: CudaSlice<f64>,
}

impl DeviceVec {
    pub fn zeros(gpu: &Gpu, n: usize) -> Result<Self, GpuError> {
        Ok(Self {
            data: gpu.stream.alloc_zeros::<f64>(n.max(1))?,
        })
    }
    pub fn from_host(gpu: &Gpu, x: &[f64]) -> Result<Self, GpuError> {
        let mut v = Self::zeros(gpu, x.len())?;
        v.upload(gpu, x, 0)?;
        Ok(v)
    }
    /// Copies `x` into entries `at..at + x.len()`.
    pub fn upload(&mut self, gpu: &Gpu, x: &[f64], at: usize) -> Result<(), GpuError> {
        if x.is_empty() {
            return Ok(());
        }
        let mut view = self.data.slice_mut(at..at + x.len());
        Ok(gpu.stream.memcpy_htod(x, &mut view)?)
    }
    /// Copies entries `at..at + out.len()` to `out` (waits for the stream).
    pub fn download(&self, gpu: &Gpu, out: &mut [f64], at: usize) -> Result<(), GpuError> {
        if out.is_empty() {
            return Ok(());
        }
        let view = self.data.slice(at..at + out.len());
        Ok(gpu.stream.memcpy_dtoh(&view, out)?)
    }
}

/// The owned rows of a CSR matrix in device memory (32-bit row pointers and columns).
pub struct DeviceCsr {
    pub n_rows: usize,
    pub nnz: usize,
    row_ptr: CudaSlice<u32>,
    cols: CudaSlice<u32>,
    vals: CudaSlice<f64>,
    /// Mean entries per row: the warp-per-row kernel pays off from about a warp's width.
    mean_row: f64,
}

/// SpMV variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpmvKind {
    /// One thread per row.
    Scalar,
    /// One warp per row.
    Vector,
    /// Four lanes per row.
    Lanes4,
    /// Vector when rows average 16 or more entries, else scalar.
    Auto,
}

impl DeviceCsr {
    /// Uploads CSR arrays (`row_ptr` of length n + 1, local column indices).
    pub fn new(gpu: &Gpu, row_ptr: &[usize], cols: &[u32], vals: &[f64]) -> Result<Self, GpuError> {
        let n = row_ptr.len().saturating_sub(1);
        let nnz = row_ptr.last().copied().unwrap_or(0);
        if nnz > cols.len() || nnz > vals.len() || row_ptr.windows(2).any(|w| w[0] > w[1]) {
            return Err(GpuError::Input(
                "CSR row_ptr is not a non-decreasing index into cols/vals".into(),
            ));
        }
        u32_len(nnz, "nonzeros on one rank")?;
        let rp: Vec<u32> = row_ptr.iter().map(|&r| r as u32).collect();
        let upload_u32 = |v: &[u32]| -> Result<CudaSlice<u32>, GpuError> {
            let mut d = gpu.stream.alloc_zeros::<u32>(v.len().max(1))?;
            if !v.is_empty() {
                gpu.stream.memcpy_htod(v, &mut d.slice_mut(..v.len()))?;
            }
            Ok(d)
        };
        let mut dv = gpu.stream.alloc_zeros::<f64>(nnz.max(1))?;
        if nnz > 0 {
            gpu.stream
                .memcpy_htod(&vals[..nnz], &mut dv.slice_mut(..nnz))?;
        }
        Ok(Self {
            n_rows: n,
            nnz,
            row_ptr: upload_u32(&rp)?,
            cols: upload_u32(&cols[..nnz])?,
            vals: dv,
            mean_row: nnz as f64 / n.max(1) as f64,
        })
    }

    /// y[..n] = A x (x must hold owned and ghost entries, ghosts current).
    pub fn spmv(
        &self,
        gpu: &Gpu,
        kind: SpmvKind,
        x: &DeviceVec,
        y: &mut DeviceVec,
    ) -> Result<(), GpuError> {
        if self.n_rows == 0 {
            return Ok(());
        }
        let kind = match kind {
            SpmvKind::Auto if self.mean_row >= 16.0 => SpmvKind::Vector,
            SpmvKind::Auto => SpmvKind::Scalar,
            k => k,
        };
        let n = self.n_rows as u32;
        let (name, cfg) = match kind {
            SpmvKind::Vector => ("spmv_csr_vector", cfg(self.n_rows * 32)),
            SpmvKind::Lanes4 => ("spmv_csr_lanes4", cfg(self.n_rows * 4)),
            _ => ("spmv_csr_scalar", cfg(self.n_rows)),
        };
        let f = gpu.function(name);
        let mut b = gpu.stream.launch_builder(f);
        b.arg(&n)
            .arg(&self.row_ptr)
            .arg(&self.cols)
            .arg(&self.vals)
            .arg(&x.data)
            .arg(&mut y.data);
        // SAFETY: argument types and order match the kernel's signature in linalg.cu; the
        // arrays hold n + 1 row pointers, nnz columns/values, and x covers every column index
        // (checked by the caller's layout), y at least n entries.
        unsafe { b.launch(cfg) }?;
        Ok(())
    }
}

/// Scratch for the deterministic two-stage dot product.
pub struct DotScratch {
    partial: CudaSlice<f64>,
    out: CudaSlice<f64>,
}

impl DotScratch {
    pub fn new(gpu: &Gpu) -> Result<Self, GpuError> {
        Ok(Self {
            partial: gpu.stream.alloc_zeros::<f64>(DOT_BLOCKS as usize)?,
            out: gpu.stream.alloc_zeros::<f64>(1)?,
        })
    }

    /// Σ x_i y_i over the first n entries (this device's part; the caller sums over ranks).
    pub fn dot(
        &mut self,
        gpu: &Gpu,
        n: usize,
        x: &DeviceVec,
        y: &DeviceVec,
    ) -> Result<f64, GpuError> {
        let n32 = u32_len(n, "vector length")?;
        let m = DOT_BLOCKS;
        let c1 = LaunchConfig {
            grid_dim: (m, 1, 1),
            block_dim: (DOT_THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut b = gpu.stream.launch_builder(gpu.function("dot_partial"));
        b.arg(&n32).arg(&x.data).arg(&y.data).arg(&mut self.partial);
        // SAFETY: matches dot_partial(n, x, y, partial[DOT_BLOCKS]).
        unsafe { b.launch(c1) }?;
        let c2 = LaunchConfig {
            grid_dim: (1, 1, 1),
            ..c1
        };
        let mut b = gpu.stream.launch_builder(gpu.function("dot_final"));
        b.arg(&m).arg(&self.partial).arg(&mut self.out);
        // SAFETY: matches dot_final(m <= DOT_THREADS, partial, out[1]).
        unsafe { b.launch(c2) }?;
        let mut r = [0.0];
        gpu.stream.memcpy_dtoh(&self.out, &mut r)?;
        Ok(r[0])
    }
}

/// y[..n] += a x
pub fn axpy(gpu: &Gpu, n: usize, a: f64, x: &DeviceVec, y: &mut DeviceVec) -> Result<(), GpuError> {
    let n32 = u32_len(n, "vector length")?;
    let mut b = gpu.stream.launch_builder(gpu.function("axpy"));
    b.arg(&n32).arg(&a).arg(&x.data).arg(&mut y.data);
    // SAFETY: matches axpy(n, a, x, y); both hold at least n entries.
    unsafe { b.launch(cfg(n)) }?;
    Ok(())
}

/// y[..n] = a x + b y
pub fn axpby(
    gpu: &Gpu,
    n: usize,
    a: f64,
    x: &DeviceVec,
    bb: f64,
    y: &mut DeviceVec,
) -> Result<(), GpuError> {
    let n32 = u32_len(n, "vector length")?;
    let mut b = gpu.stream.launch_builder(gpu.function("axpby"));
    b.arg(&n32).arg(&a).arg(&x.data).arg(&bb).arg(&mut y.data);
    // SAFETY: matches axpby(n, a, x, b, y).
    unsafe { b.launch(cfg(n)) }?;
    Ok(())
}

/// z[..n] = inv_diag r
pub fn jacobi(
    gpu: &Gpu,
    n: usize,
    inv_diag: &DeviceVec,
    r: &DeviceVec,
    z: &mut DeviceVec,
) -> Result<(), GpuError> {
    let n32 = u32_len(n, "vector length")?;
    let mut b = gpu.stream.launch_builder(gpu.function("jacobi_apply"));
    b.arg(&n32)
        .arg(&inv_diag.data)
        .arg(&r.data)
        .arg(&mut z.data);
    // SAFETY: matches jacobi_apply(n, inv_diag, r, z).
    unsafe { b.launch(cfg(n)) }?;
    Ok(())
}

/// r[..n] = b - r
pub fn residual_from(
    gpu: &Gpu,
    n: usize,
    b_vec: &DeviceVec,
    r: &mut DeviceVec,
) -> Result<(), GpuError> {
    let n32 = u32_len(n, "vector length")?;
    let mut b = gpu.stream.launch_builder(gpu.function("residual_from"));
    b.arg(&n32).arg(&b_vec.data).arg(&mut r.data);
    // SAFETY: matches residual_from(n, b, r).
    unsafe { b.launch(cfg(n)) }?;
    Ok(())
}
