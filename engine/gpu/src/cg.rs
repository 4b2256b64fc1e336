//! Preconditioned CG on the device, the same iteration as the CPU's (engine/src/linalg/
//! krylov.rs): right-preconditioned, PETSc's convergence test ‖r_k‖ ≤ max(rtol ‖r_0‖, atol),
//! two global reductions per iteration. Vectors live on the device; only the halo (through
//! the host) and the reduction scalars cross the bus.

use crate::device::Gpu;
use crate::error::GpuError;
use crate::linalg::{self, DeviceCsr, DeviceVec, DotScratch, SpmvKind};

/// What the device CG needs from the distributed runtime (the engine implements it over MPI).
pub trait HostComm {
    /// Element-wise sum over ranks, in place.
    fn sum_in_place(&self, v: &mut [f64]);
    /// Fill the ghost entries (after the owned ones) of `x` from their owners.
    fn update_ghosts(&self, x: &mut [f64]);
    /// Whether any rank exchanges ghosts (false: skip the host staging).
    fn has_ghosts(&self) -> bool;
}

/// A single process: no ghosts, sums are the identity.
pub struct Serial;

impl HostComm for Serial {
    fn sum_in_place(&self, _: &mut [f64]) {}
    fn update_ghosts(&self, _: &mut [f64]) {}
    fn has_ghosts(&self) -> bool {
        false
    }
}

/// Tolerances (as `[solver.linear]`).
#[derive(Clone, Debug)]
pub struct CgOptions {
    pub rtol: f64,
    pub atol: f64,
    pub max_it: usize,
}

/// How the solve ended; `reason` uses PETSc's names, as the CPU solver does.
#[derive(Clone, Debug, PartialEq)]
pub struct CgOutcome {
    pub iterations: usize,
    pub residual_norm: f64,
    pub converged: bool,
    pub reason: &'static str,
}

fn done(it: usize, rn: f64, r0: f64, o: &CgOptions) -> Option<CgOutcome> {
    let end = |converged, reason| {
        Some(CgOutcome {
            iterations: it,
            residual_norm: rn,
            converged,
            reason,
        })
    };
    if !rn.is_finite() {
        end(false, "DIVERGED_NANORINF")
    } else if rn <= o.atol {
        end(true, "CONVERGED_ATOL")
    } else if rn <= o.rtol * r0 {
        end(true, "CONVERGED_RTOL")
    } else if it >= o.max_it {
        end(false, "DIVERGED_ITS")
    } else {
        None
    }
}

/// The system A x = b on the device: the matrix and the vectors' sizes.
pub struct System<'a> {
    pub a: &'a DeviceCsr,
    /// Owned entries (rows of A).
    pub n_owned: usize,
    /// Owned plus ghost entries (length of x).
    pub n_local: usize,
    /// Inverse diagonal for Jacobi, or `None` for no preconditioner.
    pub inv_diag: Option<&'a [f64]>,
}

/// Solves A x = b; `x` (length n_local, host) holds the initial guess and receives the
/// solution's owned part. `monitor(it, ‖r‖)` as in the CPU solver.
pub fn solve(
    gpu: &Gpu,
    comm: &dyn HostComm,
    sys: &System,
    b: &[f64],
    x: &mut [f64],
    o: &CgOptions,
    monitor: &mut dyn FnMut(usize, f64),
) -> Result<CgOutcome, GpuError> {
    let (n, nl) = (sys.n_owned, sys.n_local);
    if b.len() < n || x.len() < nl {
        return Err(GpuError::Input(format!(
            "CG: b has {} and x {} entries, expected {n} and {nl}",
            b.len(),
            x.len()
        )));
    }
    let ones;
    let inv = match sys.inv_diag {
        Some(d) => d,
        None => {
            ones = vec![1.0; n];
            &ones
        }
    };
    let dinv = DeviceVec::from_host(gpu, &inv[..n])?;
    let db = DeviceVec::from_host(gpu, &b[..n])?;
    let mut host = x[..nl].to_vec();
    comm.update_ghosts(&mut host);
    let mut dx = DeviceVec::from_host(gpu, &host)?;
    let mut r = DeviceVec::zeros(gpu, nl)?;
    let mut z = DeviceVec::zeros(gpu, nl)?;
    let mut p = DeviceVec::zeros(gpu, nl)?;
    let mut q = DeviceVec::zeros(gpu, nl)?;
    let mut dot = DotScratch::new(gpu)?;
    let kind = SpmvKind::Auto;

    sys.a.spmv(gpu, kind, &dx, &mut r)?;
    linalg::residual_from(gpu, n, &db, &mut r)?;
    let mut s = [dot.dot(gpu, n, &r, &r)?];
    comm.sum_in_place(&mut s);
    let r0 = s[0].sqrt();
    monitor(0, r0);
    let finish = |dx: &DeviceVec, x: &mut [f64], res: CgOutcome| -> Result<CgOutcome, GpuError> {
        dx.download(gpu, &mut x[..n], 0)?;
        Ok(res)
    };
    if let Some(res) = done(0, r0, r0, o) {
        return finish(&dx, x, res);
    }
    linalg::jacobi(gpu, n, &dinv, &r, &mut z)?;
    linalg::axpby(gpu, n, 1.0, &z, 0.0, &mut p)?;
    let mut s = [dot.dot(gpu, n, &r, &z)?];
    comm.sum_in_place(&mut s);
    let mut rz = s[0];
    let mut it = 0;
    loop {
        if comm.has_ghosts() {
            // Halo through the host: owned part down, ghosts filled over MPI, ghosts up.
            p.download(gpu, &mut host[..n], 0)?;
            comm.update_ghosts(&mut host);
            p.upload(gpu, &host[n..nl], n)?;
        }
        sys.a.spmv(gpu, kind, &p, &mut q)?;
        let mut s = [dot.dot(gpu, n, &p, &q)?];
        comm.sum_in_place(&mut s);
        let pq = s[0];
        if pq <= 0.0 || !pq.is_finite() {
            let mut s = [dot.dot(gpu, n, &r, &r)?];
            comm.sum_in_place(&mut s);
            let res = CgOutcome {
                iterations: it,
                residual_norm: s[0].sqrt(),
                converged: false,
                reason: "DIVERGED_INDEFINITE_MAT",
            };
            return finish(&dx, x, res);
        }
        let alpha = rz / pq;
        linalg::axpy(gpu, n, alpha, &p, &mut dx)?;
        linalg::axpy(gpu, n, -alpha, &q, &mut r)?;
        it += 1;
        linalg::jacobi(gpu, n, &dinv, &r, &mut z)?;
        let mut sums = [dot.dot(gpu, n, &r, &r)?, dot.dot(gpu, n, &r, &z)?];
        comm.sum_in_place(&mut sums);
        let rn = sums[0].sqrt();
        monitor(it, rn);
        if let Some(res) = done(it, rn, r0, o) {
            return finish(&dx, x, res);
        }
        let beta = sums[1] / rz;
        rz = sums[1];
        linalg::axpby(gpu, n, 1.0, &z, beta, &mut p)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn termination_follows_petsc_order() {
        let o = CgOptions {
            rtol: 1e-6,
            atol: 1e-12,
            max_it: 10,
        };
        assert_eq!(
            done(3, f64::NAN, 1.0, &o).unwrap().reason,
            "DIVERGED_NANORINF"
        );
        assert_eq!(done(3, 1e-13, 1.0, &o).unwrap().reason, "CONVERGED_ATOL");
        assert_eq!(done(3, 1e-7, 1.0, &o).unwrap().reason, "CONVERGED_RTOL");
        assert_eq!(done(10, 1e-3, 1.0, &o).unwrap().reason, "DIVERGED_ITS");
        assert_eq!(done(9, 1e-3, 1.0, &o), None);
    }
}
