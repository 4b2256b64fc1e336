//! Distributed CSR matrix: each rank stores its owned rows with columns in local numbering
//! (owned columns first, then ghost slots of the row layout).

use super::layout::Layout;
use crate::comm::Comm;
use std::sync::Arc;

/// Owned rows of a distributed sparse matrix.
#[derive(Clone, Debug)]
pub struct DistCsr {
    pub layout: Arc<Layout>,
    pub row_ptr: Vec<usize>,
    /// Local column indices (see [`Layout::local_of`]), sorted within each row.
    pub cols: Vec<u32>,
    pub vals: Vec<f64>,
}

impl DistCsr {
    /// A matrix with the given pattern and zero values.
    pub fn with_pattern(layout: Arc<Layout>, row_ptr: Vec<usize>, cols: Vec<u32>) -> Self {
        let nnz = cols.len();
        Self {
            layout,
            row_ptr,
            cols,
            vals: vec![0.0; nnz],
        }
    }

    pub fn n_owned(&self) -> usize {
        self.row_ptr.len() - 1
    }

    /// Global number of nonzeros.
    pub fn nnz_global(&self, comm: &Comm) -> u64 {
        comm.sum_u64(self.cols.len() as u64)
    }

    pub fn zero(&mut self) {
        self.vals.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Position of local column `c` in local row `r`.
    #[inline]
    pub fn find(&self, r: usize, c: u32) -> Option<usize> {
        let (s, e) = (self.row_ptr[r], self.row_ptr[r + 1]);
        self.cols[s..e].binary_search(&c).ok().map(|k| s + k)
    }

    /// y = A x; `x` has `n_local` entries and its ghosts are refreshed here.
    pub fn spmv(&self, comm: &Comm, x: &mut [f64], y: &mut [f64]) {
        self.layout.update_ghosts(comm, x);
        self.spmv_local(x, y);
    }

    /// y = A x with ghosts already current.
    pub fn spmv_local(&self, x: &[f64], y: &mut [f64]) {
        let n = self.n_owned();
        let rp = &self.row_ptr[..=n];
        for (r, yr) in y[..n].iter_mut().enumerate() {
            let (s, e) = (rp[r], rp[r + 1]);
            *yr = row_dot(&self.vals[s..e], &self.cols[s..e], x);
        }
    }

    /// y = A x with ghosts already current, returning the local part of (x, y) over the owned
    /// rows (the CG's (p, Ap) without a second pass over both vectors).
    pub fn spmv_local_dot(&self, x: &[f64], y: &mut [f64]) -> f64 {
        let n = self.n_owned();
        let rp = &self.row_ptr[..=n];
        let mut dot = 0.0;
        for ((r, yr), xr) in y[..n].iter_mut().enumerate().zip(&x[..n]) {
            let (s, e) = (rp[r], rp[r + 1]);
            *yr = row_dot(&self.vals[s..e], &self.cols[s..e], x);
            dot += xr * *yr;
        }
        dot
    }

    /// Diagonal entries of the owned rows (0 where structurally absent).
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.n_owned())
            .map(|r| self.find(r, r as u32).map(|k| self.vals[k]).unwrap_or(0.0))
            .collect()
    }

    /// Owned rows in CSR with *global* column indices (for PETSc).
    pub fn global_columns(&self) -> Vec<usize> {
        self.cols
            .iter()
            .map(|&c| self.layout.global_of(c as usize))
            .collect()
    }
}

/// Σ vals[k] x[cols[k]] with four partial sums: a row of a 3D stencil has 7 to 27 entries, and
/// one sequential sum would make every row wait on a chain of dependent additions.
#[inline(always)]
fn row_dot(vals: &[f64], cols: &[u32], x: &[f64]) -> f64 {
    let vc = vals.chunks_exact(4);
    let cc = cols.chunks_exact(4);
    let (vr, cr) = (vc.remainder(), cc.remainder());
    let (mut a0, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
    for (v, c) in vc.zip(cc) {
        a0 += v[0] * x[c[0] as usize];
        a1 += v[1] * x[c[1] as usize];
        a2 += v[2] * x[c[2] as usize];
        a3 += v[3] * x[c[3] as usize];
    }
    for (v, &c) in vr.iter().zip(cr) {
        a0 += v * x[c as usize];
    }
    (a0 + a1) + (a2 + a3)
}
