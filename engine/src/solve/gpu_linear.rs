//! The linear solve on a CUDA device: native CG with Jacobi (or no) preconditioning, the
//! matrix uploaded per solve, the halo exchanged through the host over MPI. Chosen by
//! [`crate::solve::linear::LinearSolver::on_device`]; everything else stays on the CPU.

use crate::comm::Comm;
use crate::linalg::krylov::{KrylovOptions, KrylovResult};
use crate::linalg::{DistCsr, Layout};
use crate::solve::linear::PcType;
use galvana_gpu::cg::{self, CgOptions, HostComm, System};
use galvana_gpu::linalg::DeviceCsr;
use galvana_gpu::Gpu;
use std::sync::Arc;

/// CG on a device.
pub struct GpuCg {
    pub opts: KrylovOptions,
    pub pc: PcType,
    pub gpu: Arc<Gpu>,
}

/// The engine's MPI runtime as the device CG sees it.
struct Mpi<'a> {
    comm: &'a Comm,
    layout: &'a Layout,
}

impl HostComm for Mpi<'_> {
    fn sum_in_place(&self, v: &mut [f64]) {
        self.comm.sum_in_place(v);
    }
    fn update_ghosts(&self, x: &mut [f64]) {
        self.layout.update_ghosts(self.comm, x);
    }
    fn has_ghosts(&self) -> bool {
        self.comm.size() > 1
    }
}

impl GpuCg {
    /// Whether the device path covers this Krylov method and preconditioner.
    pub fn supports(opts: &KrylovOptions, pc: PcType) -> bool {
        opts.kind == crate::linalg::KspType::Cg && matches!(pc, PcType::Jacobi | PcType::None)
    }

    pub fn describe(&self) -> String {
        format!("cuda cg + {:?} on {}", self.pc, self.gpu.describe())
    }

    pub fn solve(
        &self,
        comm: &Comm,
        a: &DistCsr,
        b: &[f64],
        x: &mut [f64],
        monitor: &mut dyn FnMut(usize, f64),
    ) -> Result<KrylovResult, String> {
        let inv_diag = match self.pc {
            PcType::Jacobi => {
                let d = a.diagonal();
                let bad = d.iter().position(|&v| v == 0.0 || !v.is_finite());
                if comm.any(bad.is_some()) {
                    return Err(bad.map_or("Jacobi preconditioner failed on another rank".into(), |i| {
                        format!("Jacobi preconditioner: zero or non-finite diagonal in local row {i}")
                    }));
                }
                Some(d.iter().map(|v| 1.0 / v).collect::<Vec<_>>())
            }
            _ => None,
        };
        let gpu = &self.gpu;
        let dev = DeviceCsr::new(gpu, &a.row_ptr, &a.cols, &a.vals).map_err(|e| e.to_string())?;
        let sys = System {
            a: &dev,
            n_owned: a.n_owned(),
            n_local: a.layout.n_local(),
            inv_diag: inv_diag.as_deref(),
        };
        let o = CgOptions {
            rtol: self.opts.rtol,
            atol: self.opts.atol,
            max_it: self.opts.max_it,
        };
        let mpi = Mpi {
            comm,
            layout: &a.layout,
        };
        let r = cg::solve(gpu, &mpi, &sys, b, x, &o, monitor).map_err(|e| e.to_string())?;
        Ok(KrylovResult {
            iterations: r.iterations,
            residual_norm: r.residual_norm,
            converged: r.converged,
            reason: r.reason,
        })
    }
}
