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

    /// Checks the structure once (row pointers within bounds and non-decreasing, the largest
    /// column index) so that repeated products in a Krylov loop can skip the per-entry bounds
    /// checks. The borrow keeps the matrix unchanged for as long as the result lives.
    ///
    /// Panics on a malformed structure (the plain [`DistCsr::spmv_local`] would panic on it too).
    pub fn validated(&self) -> ValidatedCsr<'_> {
        let n = self.n_owned();
        let rp = &self.row_ptr;
        let nnz = rp[n];
        assert!(
            nnz <= self.cols.len() && nnz <= self.vals.len() && rp.windows(2).all(|w| w[0] <= w[1]),
            "DistCsr: row_ptr is not a non-decreasing index into cols/vals"
        );
        let cols = &self.cols[rp[0]..nnz];
        let x_len = cols.iter().max().map_or(0, |&m| m as usize + 1);
        ValidatedCsr { a: self, x_len }
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

/// A [`DistCsr`] borrowed after [`DistCsr::validated`]: products without per-entry bounds checks.
#[derive(Clone, Copy, Debug)]
pub struct ValidatedCsr<'a> {
    a: &'a DistCsr,
    /// Smallest admissible length of `x`: largest column index + 1.
    x_len: usize,
}

impl ValidatedCsr<'_> {
    /// Same as [`DistCsr::spmv_local_dot`].
    pub fn spmv_local_dot(&self, x: &[f64], y: &mut [f64]) -> f64 {
        let a = self.a;
        let n = a.n_owned();
        assert!(
            x.len() >= self.x_len && x.len() >= n && y.len() >= n,
            "spmv: vector too short for the matrix"
        );
        let rp = &a.row_ptr[..=n];
        let mut dot = 0.0;
        for ((r, yr), xr) in y[..n].iter_mut().enumerate().zip(&x[..n]) {
            // SAFETY: `validated` checked rp[r] <= rp[r+1] <= rp[n] <= len(cols), len(vals) and
            // cols[k] < x_len <= x.len() for k < rp[n]; the shared borrow in `self` keeps the
            // matrix unchanged since.
            *yr = unsafe {
                let (s, e) = (*rp.get_unchecked(r), *rp.get_unchecked(r + 1));
                row_dot_unchecked(a.vals.get_unchecked(s..e), a.cols.get_unchecked(s..e), x)
            };
            dot += xr * *yr;
        }
        dot
    }
}

/// [`row_dot`] without bounds checks on `x`.
///
/// # Safety
/// Every entry of `cols` is below `x.len()`.
#[inline(always)]
unsafe fn row_dot_unchecked(vals: &[f64], cols: &[u32], x: &[f64]) -> f64 {
    let vc = vals.chunks_exact(4);
    let cc = cols.chunks_exact(4);
    let (vr, cr) = (vc.remainder(), cc.remainder());
    let (mut a0, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
    let g = |c: u32| unsafe { *x.get_unchecked(c as usize) };
    for (v, c) in vc.zip(cc) {
        a0 += v[0] * g(c[0]);
        a1 += v[1] * g(c[1]);
        a2 += v[2] * g(c[2]);
        a3 += v[3] * g(c[3]);
    }
    for (v, &c) in vr.iter().zip(cr) {
        a0 += v * g(c);
    }
    (a0 + a1) + (a2 + a3)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_dot_matches_a_plain_sum_for_every_remainder() {
        let x: Vec<f64> = (0..40).map(|i| 1.0 + 0.5 * i as f64).collect();
        for len in 0..30 {
            let cols: Vec<u32> = (0..len as u32).map(|k| (7 * k + 3) % 40).collect();
            // Small multiples of 0.5: every summation order gives the same exact result.
            let vals: Vec<f64> = (0..len).map(|k| (k % 5) as f64 - 2.0).collect();
            let plain: f64 = vals
                .iter()
                .zip(&cols)
                .map(|(v, &c)| v * x[c as usize])
                .sum();
            assert_eq!(row_dot(&vals, &cols, &x), plain, "len {len}");
            assert_eq!(unsafe { row_dot_unchecked(&vals, &cols, &x) }, plain);
        }
    }
}
