//! The memory-traffic model of one iteration of the engine's native CG + Jacobi
//! (`galvana_engine::linalg::krylov`, CG branch), counted from the actual matrix.
//!
//! Conventions (the same as STREAM's, so the implied bandwidth compares with the triad):
//! every array element that a pass reads or writes is counted once, at its storage size; the
//! hardware's write-allocate read of a written line is not counted; the gathered vector `p` in the
//! SpMV is counted once per entry (owned and ghost), i.e. perfect cache reuse of `p` across rows
//! (the Q1 stencil touches three neighbouring planes, about 400 kB at 128³, which fits in L2).
//!
//! Passes per iteration, with `n` owned rows, `g` ghost slots, `nnz` stored entries (explicit
//! zeros of constrained rows and columns included, as the kernel touches them):
//!
//! | pass | reads | writes | bytes |
//! |---|---|---|---|
//! | halo update of `p` | `g` sent entries | `g` ghost slots | 16 g |
//! | SpMV `q = A p` fused with `(p, q)` | `vals` 8 nnz, `cols` 4 nnz, `row_ptr` 8 (n+1), `p` 8 (n+g) | `q` 8 n | 12 nnz + 8 (n+1) + 8 (n+g) + 8 n |
//! | `x += αp`, `r -= αq`, `‖r‖²` (one pass) | `x p r q` 32 n | `x r` 16 n | 48 n |
//! | Jacobi `z = D⁻¹ r` | `r`, `D⁻¹` 16 n | `z` 8 n | 24 n |
//! | `(r, z)` | `r z` 16 n | | 16 n |
//! | `p = z + βp` | `z p` 16 n | `p` 8 n | 24 n |
//!
//! Total: `12 nnz + 8 (n+1) + 128 n + 24 g` bytes. The unfused loop that preceded it (separate
//! `(p,q)` dot, two AXPYs, two dots) moved `152 n` instead of `128 n` of vector traffic; see
//! [`CgTraffic::unfused`].

use serde::{Deserialize, Serialize};

/// Bytes moved by one CG + Jacobi iteration on one rank, by term.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CgTraffic {
    /// `vals` + `cols`: 12 bytes per stored entry.
    pub matrix_entries: f64,
    /// `row_ptr` (usize).
    pub row_ptr: f64,
    /// Vector reads and writes of all passes (owned entries).
    pub vectors: f64,
    /// Halo exchange and ghost reads.
    pub ghosts: f64,
}

impl CgTraffic {
    /// The model of the fused loop (see the module docs).
    pub fn fused(n: usize, nnz: usize, ghosts: usize) -> Self {
        Self::with_vector_bytes(n, nnz, ghosts, 128.0)
    }

    /// The same count for the loop before fusion: SpMV, then `(p,q)`, two AXPYs, Jacobi, two
    /// dots and the `p` update as separate passes (`8+8 + 16 + 24+24 + 24 + 8+16 + 24` = 152 n).
    pub fn unfused(n: usize, nnz: usize, ghosts: usize) -> Self {
        Self::with_vector_bytes(n, nnz, ghosts, 152.0)
    }

    fn with_vector_bytes(n: usize, nnz: usize, ghosts: usize, per_row: f64) -> Self {
        Self {
            matrix_entries: 12.0 * nnz as f64,
            row_ptr: 8.0 * (n + 1) as f64,
            vectors: per_row * n as f64,
            ghosts: 24.0 * ghosts as f64,
        }
    }

    pub fn total(&self) -> f64 {
        self.matrix_entries + self.row_ptr + self.vectors + self.ghosts
    }

    /// Element-wise sum (over ranks).
    pub fn add(&self, o: &Self) -> Self {
        Self {
            matrix_entries: self.matrix_entries + o.matrix_entries,
            row_ptr: self.row_ptr + o.row_ptr,
            vectors: self.vectors + o.vectors,
            ghosts: self.ghosts + o.ghosts,
        }
    }
}

/// Bytes of a [`galvana_engine::linalg::DistCsr`]'s arrays (`vals` f64, `cols` u32,
/// `row_ptr` usize).
pub fn csr_bytes(n: usize, nnz: usize) -> f64 {
    12.0 * nnz as f64 + 8.0 * (n + 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up() {
        let t = CgTraffic::fused(10, 100, 2);
        assert_eq!(t.total(), 1200.0 + 88.0 + 1280.0 + 48.0);
        let u = CgTraffic::unfused(10, 100, 2);
        assert_eq!(u.total() - t.total(), 240.0);
        assert_eq!(t.add(&t).total(), 2.0 * t.total());
        assert_eq!(csr_bytes(10, 100), 1288.0);
    }
}
