//! The engine's native CG + SpMV as they were before the benchmark-driven optimisation
//! (engine commit 8e83746, `engine/src/linalg/{csr,krylov}.rs`), reproduced here so that the
//! before/after effect can be measured in the same process, interleaved with the current code,
//! on the same matrix. Only the public engine API is used; nothing here is used by the engine.
//!
//! Differences from the current loop: one sequential sum per SpMV row with bounds checks on every
//! entry; `(p, q)` as a separate pass; two AXPYs; `‖r‖²` and `(r, z)` as two passes; the `p`
//! update as its own loop.

#![allow(clippy::needless_range_loop)]

use galvana_engine::comm::Comm;
use galvana_engine::linalg::pc::Preconditioner;
use galvana_engine::linalg::vector::{axpy, dot, local_dot, norm2};
use galvana_engine::linalg::DistCsr;

/// The original `DistCsr::spmv_local`.
pub fn spmv_local(a: &DistCsr, x: &[f64], y: &mut [f64]) {
    for (r, yr) in y[..a.n_owned()].iter_mut().enumerate() {
        let (s, e) = (a.row_ptr[r], a.row_ptr[r + 1]);
        let mut acc = 0.0;
        for k in s..e {
            acc += a.vals[k] * x[a.cols[k] as usize];
        }
        *yr = acc;
    }
}

fn spmv(comm: &Comm, a: &DistCsr, x: &mut [f64], y: &mut [f64]) {
    a.layout.update_ghosts(comm, x);
    spmv_local(a, x, y);
}

/// The original CG loop with the stopping test ‖r_k‖ ≤ rtol ‖r_0‖ (atol 0). Returns
/// (iterations, converged).
pub fn cg(
    comm: &Comm,
    a: &DistCsr,
    pc: &dyn Preconditioner,
    b: &[f64],
    x: &mut [f64],
    rtol: f64,
    max_it: usize,
) -> (usize, bool) {
    let n = a.n_owned();
    let nl = a.layout.n_local();
    let mut r = vec![0.0; nl];
    let mut z = vec![0.0; nl];
    let mut p = vec![0.0; nl];
    let mut q = vec![0.0; nl];
    spmv(comm, a, x, &mut r);
    for i in 0..n {
        r[i] = b[i] - r[i];
    }
    let r0 = norm2(comm, &r, n);
    if r0 == 0.0 {
        return (0, true);
    }
    pc.apply(&r[..n], &mut z[..n]);
    p[..n].copy_from_slice(&z[..n]);
    let mut rz = dot(comm, &r, &z, n);
    let mut it = 0;
    loop {
        spmv(comm, a, &mut p, &mut q);
        let pq = dot(comm, &p, &q, n);
        if pq <= 0.0 || !pq.is_finite() {
            return (it, false);
        }
        let alpha = rz / pq;
        axpy(alpha, &p, x, n);
        axpy(-alpha, &q, &mut r, n);
        it += 1;
        pc.apply(&r[..n], &mut z[..n]);
        let mut sums = [local_dot(&r[..n], &r[..n]), local_dot(&r[..n], &z[..n])];
        comm.sum_in_place(&mut sums);
        let rn = sums[0].sqrt();
        if !rn.is_finite() {
            return (it, false);
        }
        if rn <= rtol * r0 {
            return (it, true);
        }
        if it >= max_it {
            return (it, false);
        }
        let rz_new = sums[1];
        let beta = rz_new / rz;
        rz = rz_new;
        for i in 0..n {
            p[i] = z[i] + beta * p[i];
        }
    }
}
