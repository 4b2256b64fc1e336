//! Preconditioners for the native Krylov solvers.

use super::csr::DistCsr;

/// A preconditioner applies z = M⁻¹ r on owned entries (no communication).
pub trait Preconditioner {
    fn apply(&self, r: &[f64], z: &mut [f64]);
    fn name(&self) -> &'static str;
}

/// No preconditioning.
pub struct Identity;
impl Preconditioner for Identity {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        let n = z.len().min(r.len());
        z[..n].copy_from_slice(&r[..n]);
    }
    fn name(&self) -> &'static str {
        "none"
    }
}

/// Point Jacobi: z = r / diag(A).
pub struct Jacobi {
    inv_diag: Vec<f64>,
}

impl Jacobi {
    pub fn new(a: &DistCsr) -> Result<Self, String> {
        let d = a.diagonal();
        if let Some(i) = d.iter().position(|&v| v == 0.0 || !v.is_finite()) {
            return Err(format!(
                "Jacobi preconditioner: zero or non-finite diagonal in local row {i}"
            ));
        }
        Ok(Self {
            inv_diag: d.iter().map(|v| 1.0 / v).collect(),
        })
    }
}

impl Preconditioner for Jacobi {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        for ((zi, ri), di) in z.iter_mut().zip(r).zip(&self.inv_diag) {
            *zi = ri * di;
        }
    }
    fn name(&self) -> &'static str {
        "jacobi"
    }
}

/// Block Jacobi with one block per rank, each factorised by ILU(0) (PETSc's default `bjacobi`
/// with `sub_pc_type ilu`). Only owned-column entries take part.
pub struct BlockIlu0 {
    row_ptr: Vec<usize>,
    cols: Vec<u32>,
    lu: Vec<f64>,
    diag_pos: Vec<usize>,
}

impl BlockIlu0 {
    pub fn new(a: &DistCsr) -> Result<Self, String> {
        let n = a.n_owned();
        let mut row_ptr = vec![0usize; n + 1];
        let mut cols = Vec::with_capacity(a.cols.len());
        let mut lu = Vec::with_capacity(a.cols.len());
        for r in 0..n {
            for k in a.row_ptr[r]..a.row_ptr[r + 1] {
                if (a.cols[k] as usize) < n {
                    cols.push(a.cols[k]);
                    lu.push(a.vals[k]);
                }
            }
            row_ptr[r + 1] = cols.len();
        }
        let mut diag_pos = vec![usize::MAX; n];
        for r in 0..n {
            for k in row_ptr[r]..row_ptr[r + 1] {
                if cols[k] as usize == r {
                    diag_pos[r] = k;
                }
            }
            if diag_pos[r] == usize::MAX {
                return Err(format!("ILU(0): missing diagonal in local row {r}"));
            }
        }
        // IKJ variant restricted to the pattern.
        let mut pos_in_row = vec![usize::MAX; n];
        for i in 0..n {
            for k in row_ptr[i]..row_ptr[i + 1] {
                pos_in_row[cols[k] as usize] = k;
            }
            for kk in row_ptr[i]..row_ptr[i + 1] {
                let k = cols[kk] as usize;
                if k >= i {
                    break;
                }
                let pivot = lu[diag_pos[k]];
                let lik = lu[kk] / pivot;
                lu[kk] = lik;
                for jj in diag_pos[k] + 1..row_ptr[k + 1] {
                    let p = pos_in_row[cols[jj] as usize];
                    if p != usize::MAX {
                        lu[p] -= lik * lu[jj];
                    }
                }
            }
            for k in row_ptr[i]..row_ptr[i + 1] {
                pos_in_row[cols[k] as usize] = usize::MAX;
            }
            let d = lu[diag_pos[i]];
            if d == 0.0 || !d.is_finite() {
                return Err(format!("ILU(0): zero pivot in local row {i}"));
            }
        }
        Ok(Self {
            row_ptr,
            cols,
            lu,
            diag_pos,
        })
    }
}

impl Preconditioner for BlockIlu0 {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        let n = self.diag_pos.len();
        for i in 0..n {
            let mut s = r[i];
            for k in self.row_ptr[i]..self.diag_pos[i] {
                s -= self.lu[k] * z[self.cols[k] as usize];
            }
            z[i] = s;
        }
        for i in (0..n).rev() {
            let mut s = z[i];
            for k in self.diag_pos[i] + 1..self.row_ptr[i + 1] {
                s -= self.lu[k] * z[self.cols[k] as usize];
            }
            z[i] = s / self.lu[self.diag_pos[i]];
        }
    }
    fn name(&self) -> &'static str {
        "bjacobi+ilu0"
    }
}
