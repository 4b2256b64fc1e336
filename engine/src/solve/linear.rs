//! Linear solver backends: the native Krylov solvers or PETSc's KSP (cargo feature `petsc`).

use crate::comm::Comm;
use crate::linalg::krylov::{self, KrylovOptions, KrylovResult};
use crate::linalg::pc::{BlockIlu0, Identity, Jacobi, Preconditioner};
use crate::linalg::DistCsr;

/// Native preconditioner choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PcType {
    None,
    Jacobi,
    BlockJacobiIlu0,
}

impl PcType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "jacobi" => Some(Self::Jacobi),
            "bjacobi" | "ilu0" | "ilu" => Some(Self::BlockJacobiIlu0),
            _ => None,
        }
    }
}

/// Which backend solves the Newton systems.
pub enum LinearSolver {
    Native {
        opts: KrylovOptions,
        pc: PcType,
    },
    /// Native CG on a CUDA device (`[compute] device`).
    Cuda(crate::solve::gpu_linear::GpuCg),
    #[cfg(feature = "petsc")]
    Petsc(crate::solve::petsc_backend::PetscSolver),
}

impl LinearSolver {
    pub fn describe(&self) -> String {
        match self {
            LinearSolver::Native { opts, pc } => format!("native {} + {:?}", opts.kind.name(), pc),
            LinearSolver::Cuda(g) => g.describe(),
            #[cfg(feature = "petsc")]
            LinearSolver::Petsc(p) => format!("PETSc ({})", p.options()),
        }
    }

    /// Solve A x = b; x holds the initial guess (length n_local).
    pub fn solve(
        &mut self,
        comm: &Comm,
        a: &DistCsr,
        b: &[f64],
        x: &mut [f64],
        monitor: &mut dyn FnMut(usize, f64),
    ) -> Result<KrylovResult, String> {
        match self {
            LinearSolver::Native { opts, pc } => {
                // A preconditioner failure on one rank must fail every rank together.
                let built: Result<Box<dyn Preconditioner>, String> = match pc {
                    PcType::None => Ok(Box::new(Identity)),
                    PcType::Jacobi => {
                        Jacobi::new(a).map(|p| Box::new(p) as Box<dyn Preconditioner>)
                    }
                    PcType::BlockJacobiIlu0 => {
                        BlockIlu0::new(a).map(|p| Box::new(p) as Box<dyn Preconditioner>)
                    }
                };
                if comm.any(built.is_err()) {
                    return Err(built
                        .err()
                        .unwrap_or_else(|| "preconditioner set-up failed on another rank".into()));
                }
                Ok(krylov::solve(
                    comm,
                    a,
                    built.unwrap().as_ref(),
                    b,
                    x,
                    opts,
                    monitor,
                ))
            }
            LinearSolver::Cuda(g) => g.solve(comm, a, b, x, monitor),
            #[cfg(feature = "petsc")]
            LinearSolver::Petsc(p) => p.solve(comm, a, b, x, monitor),
        }
    }

    /// Moves the solve onto `gpu` where a device path exists (native CG with Jacobi or no
    /// preconditioner); otherwise keeps it and returns a notice saying what stays on the CPU.
    pub fn on_device(self, gpu: std::sync::Arc<galvana_gpu::Gpu>) -> (Self, Option<String>) {
        use crate::solve::gpu_linear::GpuCg;
        match self {
            LinearSolver::Native { opts, pc } if GpuCg::supports(&opts, pc) => {
                (LinearSolver::Cuda(GpuCg { opts, pc, gpu }), None)
            }
            other => {
                let why = format!(
                    "linear solver {} has no GPU path yet (CUDA runs native cg with pc jacobi or none); it runs on the CPU",
                    other.describe()
                );
                (other, Some(why))
            }
        }
    }
}
