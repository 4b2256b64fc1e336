//! Native Krylov solvers: CG, restarted GMRES(m) and BiCGStab, right-preconditioned so that the
//! monitored norm is the true residual norm. Convergence as PETSc's default test:
//! ‖r_k‖ ≤ max(rtol ‖r_0‖, atol).

use super::csr::DistCsr;
use super::pc::Preconditioner;
use super::vector::{axpy, cg_update, dot, local_dot, norm2, xpby};
use crate::comm::Comm;

/// Krylov method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KspType {
    Cg,
    Gmres,
    BiCgStab,
}

impl KspType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cg" => Some(Self::Cg),
            "gmres" => Some(Self::Gmres),
            "bicgstab" | "bcgs" => Some(Self::BiCgStab),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Cg => "cg",
            Self::Gmres => "gmres",
            Self::BiCgStab => "bicgstab",
        }
    }
}

#[derive(Clone, Debug)]
pub struct KrylovOptions {
    pub kind: KspType,
    pub rtol: f64,
    pub atol: f64,
    pub max_it: usize,
    pub restart: usize,
}

impl Default for KrylovOptions {
    fn default() -> Self {
        Self {
            kind: KspType::Gmres,
            rtol: 1e-10,
            atol: 1e-50,
            max_it: 1000,
            restart: 30,
        }
    }
}

#[derive(Clone, Debug)]
pub struct KrylovResult {
    pub iterations: usize,
    pub residual_norm: f64,
    pub converged: bool,
    pub reason: &'static str,
}

/// Solve A x = b. `x` (length n_local) holds the initial guess; `monitor(it, ‖r‖)` is called for
/// iteration 0 and every iteration after.
pub fn solve(
    comm: &Comm,
    a: &DistCsr,
    pc: &dyn Preconditioner,
    b: &[f64],
    x: &mut [f64],
    opts: &KrylovOptions,
    monitor: &mut dyn FnMut(usize, f64),
) -> KrylovResult {
    match opts.kind {
        KspType::Cg => cg(comm, a, pc, b, x, opts, monitor),
        KspType::Gmres => gmres(comm, a, pc, b, x, opts, monitor),
        KspType::BiCgStab => bicgstab(comm, a, pc, b, x, opts, monitor),
    }
}

fn done(it: usize, rn: f64, r0: f64, o: &KrylovOptions) -> Option<KrylovResult> {
    if !rn.is_finite() {
        return Some(KrylovResult {
            iterations: it,
            residual_norm: rn,
            converged: false,
            reason: "DIVERGED_NANORINF",
        });
    }
    if rn <= o.atol {
        return Some(KrylovResult {
            iterations: it,
            residual_norm: rn,
            converged: true,
            reason: "CONVERGED_ATOL",
        });
    }
    if rn <= o.rtol * r0 {
        return Some(KrylovResult {
            iterations: it,
            residual_norm: rn,
            converged: true,
            reason: "CONVERGED_RTOL",
        });
    }
    if it >= o.max_it {
        return Some(KrylovResult {
            iterations: it,
            residual_norm: rn,
            converged: false,
            reason: "DIVERGED_ITS",
        });
    }
    None
}

fn residual(comm: &Comm, a: &DistCsr, b: &[f64], x: &mut [f64], r: &mut [f64]) {
    let n = a.n_owned();
    a.spmv(comm, x, r);
    for i in 0..n {
        r[i] = b[i] - r[i];
    }
}

fn cg(
    comm: &Comm,
    a: &DistCsr,
    pc: &dyn Preconditioner,
    b: &[f64],
    x: &mut [f64],
    o: &KrylovOptions,
    monitor: &mut dyn FnMut(usize, f64),
) -> KrylovResult {
    let n = a.n_owned();
    let nl = a.layout.n_local();
    let mut r = vec![0.0; nl];
    let mut z = vec![0.0; nl];
    let mut p = vec![0.0; nl];
    let mut q = vec![0.0; nl];
    residual(comm, a, b, x, &mut r);
    let r0 = norm2(comm, &r, n);
    monitor(0, r0);
    if let Some(res) = done(0, r0, r0, o) {
        return res;
    }
    pc.apply(&r[..n], &mut z[..n]);
    p[..n].copy_from_slice(&z[..n]);
    let mut rz = dot(comm, &r, &z, n);
    let mut it = 0;
    // Per iteration: halo update, SpMV fused with (p, q); one pass for x, r and ‖r‖²; the
    // preconditioner; (r, z); p = z + βp. The matrix structure is checked once, here, so the
    // SpMV needs no bounds check per entry. No vector is allocated in the loop (the halo
    // exchange and the 2-value reduction still allocate their small message buffers).
    let op = a.validated();
    loop {
        a.layout.update_ghosts(comm, &mut p);
        let pq = comm.sum(op.spmv_local_dot(&p, &mut q));
        if pq <= 0.0 || !pq.is_finite() {
            let rn = norm2(comm, &r, n);
            return KrylovResult {
                iterations: it,
                residual_norm: rn,
                converged: false,
                reason: "DIVERGED_INDEFINITE_MAT",
            };
        }
        let alpha = rz / pq;
        let rr = cg_update(alpha, &p, &q, x, &mut r, n);
        it += 1;
        // One fused reduction for ‖r‖² and (r,z) keeps CG at two allreduces per iteration.
        pc.apply(&r[..n], &mut z[..n]);
        let mut sums = [rr, local_dot(&r[..n], &z[..n])];
        comm.sum_in_place(&mut sums);
        let rn = sums[0].sqrt();
        monitor(it, rn);
        if let Some(res) = done(it, rn, r0, o) {
            return res;
        }
        let rz_new = sums[1];
        let beta = rz_new / rz;
        rz = rz_new;
        xpby(&z, beta, &mut p, n);
    }
}

fn gmres(
    comm: &Comm,
    a: &DistCsr,
    pc: &dyn Preconditioner,
    b: &[f64],
    x: &mut [f64],
    o: &KrylovOptions,
    monitor: &mut dyn FnMut(usize, f64),
) -> KrylovResult {
    let n = a.n_owned();
    let nl = a.layout.n_local();
    let m = o.restart.max(1);
    let mut r = vec![0.0; nl];
    let mut w = vec![0.0; nl];
    let mut zbuf = vec![0.0; nl];
    residual(comm, a, b, x, &mut r);
    let r0 = norm2(comm, &r, n);
    monitor(0, r0);
    if let Some(res) = done(0, r0, r0, o) {
        return res;
    }
    let mut it = 0;
    let mut beta = r0;
    loop {
        // Arnoldi with modified Gram–Schmidt; V holds the basis, Z the preconditioned directions.
        let mut v: Vec<Vec<f64>> = Vec::with_capacity(m + 1);
        let mut zs: Vec<Vec<f64>> = Vec::with_capacity(m);
        v.push(r[..n].iter().map(|ri| ri / beta).collect());
        let mut h = vec![vec![0.0; m]; m + 1];
        let (mut cs, mut sn) = (vec![0.0; m], vec![0.0; m]);
        let mut g = vec![0.0; m + 1];
        g[0] = beta;
        let mut k_used = 0;
        let mut rn = beta;
        for k in 0..m {
            let mut z = vec![0.0; n];
            pc.apply(&v[k], &mut z);
            zbuf[..n].copy_from_slice(&z);
            a.spmv(comm, &mut zbuf, &mut w);
            for j in 0..=k {
                let hjk = dot(comm, &w, &v[j], n);
                h[j][k] = hjk;
                axpy(-hjk, &v[j], &mut w, n);
            }
            let hk1 = norm2(comm, &w, n);
            h[k + 1][k] = hk1;
            for j in 0..k {
                let t = cs[j] * h[j][k] + sn[j] * h[j + 1][k];
                h[j + 1][k] = -sn[j] * h[j][k] + cs[j] * h[j + 1][k];
                h[j][k] = t;
            }
            let d = (h[k][k] * h[k][k] + h[k + 1][k] * h[k + 1][k]).sqrt();
            if d == 0.0 {
                k_used = k;
                break;
            }
            cs[k] = h[k][k] / d;
            sn[k] = h[k + 1][k] / d;
            h[k][k] = d;
            h[k + 1][k] = 0.0;
            g[k + 1] = -sn[k] * g[k];
            g[k] *= cs[k];
            rn = g[k + 1].abs();
            it += 1;
            k_used = k + 1;
            zs.push(z);
            monitor(it, rn);
            if done(it, rn, r0, o).is_some() || hk1 == 0.0 {
                break;
            }
            v.push(w[..n].iter().map(|wi| wi / hk1).collect());
        }
        // Back-substitute for the update y and apply x += Z y.
        let mut y = vec![0.0; k_used];
        for i in (0..k_used).rev() {
            let mut s = g[i];
            for j in i + 1..k_used {
                s -= h[i][j] * y[j];
            }
            y[i] = s / h[i][i];
        }
        for (j, yj) in y.iter().enumerate() {
            axpy(*yj, &zs[j], x, n);
        }
        if let Some(res) = done(it, rn, r0, o) {
            // Report the true residual, not the recurrence estimate.
            residual(comm, a, b, x, &mut r);
            let true_rn = norm2(comm, &r, n);
            return KrylovResult {
                residual_norm: true_rn,
                ..res
            };
        }
        residual(comm, a, b, x, &mut r);
        beta = norm2(comm, &r, n);
        if let Some(res) = done(it, beta, r0, o) {
            return res;
        }
    }
}

fn bicgstab(
    comm: &Comm,
    a: &DistCsr,
    pc: &dyn Preconditioner,
    b: &[f64],
    x: &mut [f64],
    o: &KrylovOptions,
    monitor: &mut dyn FnMut(usize, f64),
) -> KrylovResult {
    let n = a.n_owned();
    let nl = a.layout.n_local();
    let mut r = vec![0.0; nl];
    residual(comm, a, b, x, &mut r);
    let r0 = norm2(comm, &r, n);
    monitor(0, r0);
    if let Some(res) = done(0, r0, r0, o) {
        return res;
    }
    let rhat = r.clone();
    let (mut rho, mut alpha, mut omega) = (1.0, 1.0, 1.0);
    let mut v = vec![0.0; nl];
    let mut p = vec![0.0; nl];
    let mut phat = vec![0.0; nl];
    let mut s = vec![0.0; nl];
    let mut shat = vec![0.0; nl];
    let mut t = vec![0.0; nl];
    let mut it = 0;
    loop {
        let rho_new = dot(comm, &rhat, &r, n);
        if rho_new == 0.0 {
            let rn = norm2(comm, &r, n);
            return KrylovResult {
                iterations: it,
                residual_norm: rn,
                converged: false,
                reason: "DIVERGED_BREAKDOWN",
            };
        }
        let beta = (rho_new / rho) * (alpha / omega);
        rho = rho_new;
        for i in 0..n {
            p[i] = r[i] + beta * (p[i] - omega * v[i]);
        }
        pc.apply(&p[..n], &mut phat[..n]);
        a.spmv(comm, &mut phat, &mut v);
        alpha = rho / dot(comm, &rhat, &v, n);
        for i in 0..n {
            s[i] = r[i] - alpha * v[i];
        }
        pc.apply(&s[..n], &mut shat[..n]);
        a.spmv(comm, &mut shat, &mut t);
        let tt = dot(comm, &t, &t, n);
        omega = if tt > 0.0 {
            dot(comm, &t, &s, n) / tt
        } else {
            0.0
        };
        for i in 0..n {
            x[i] += alpha * phat[i] + omega * shat[i];
            r[i] = s[i] - omega * t[i];
        }
        it += 1;
        let rn = norm2(comm, &r, n);
        monitor(it, rn);
        if let Some(res) = done(it, rn, r0, o) {
            return res;
        }
        if omega == 0.0 {
            return KrylovResult {
                iterations: it,
                residual_norm: rn,
                converged: false,
                reason: "DIVERGED_BREAKDOWN",
            };
        }
    }
}
