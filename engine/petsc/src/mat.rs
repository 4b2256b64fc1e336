//! Distributed sparse matrix (PETSc AIJ: MPIAIJ on several ranks, SeqAIJ on one).

use std::ops::Range;
use std::ptr;

use crate::error::{check, collective, global_min_max};
use crate::init::ensure_active;
use crate::{sys, Petsc, PetscError};

/// Square sparse matrix distributed by contiguous row blocks over `PETSC_COMM_WORLD`.
///
/// Keeps the local sparsity pattern so [`DistMatrix::update_values`] can refill values
/// (Newton iterations) without re-preallocating.
pub struct DistMatrix {
    mat: sys::Mat,
    n_global: usize,
    rows: Range<usize>,
    row_ptr: Vec<usize>,
    cols: Vec<sys::PetscInt>,
}

fn to_int(v: usize, what: &str) -> Result<sys::PetscInt, PetscError> {
    sys::PetscInt::try_from(v).map_err(|_| {
        PetscError::new(
            sys::PETSC_ERR_ARG_OUTOFRANGE,
            format!(
                "DistMatrix: {what} = {v} exceeds PetscInt (PETSc built without 64-bit indices?)"
            ),
        )
    })
}

/// Local structural checks on the CSR block (no communication).
fn validate_csr(
    n_global: usize,
    row_start: usize,
    row_ptr: &[usize],
    cols: &[usize],
    nvals: usize,
) -> Result<(), PetscError> {
    let bad = |msg: String| {
        Err(PetscError::new(
            sys::PETSC_ERR_ARG_WRONG,
            format!("DistMatrix::from_csr: {msg}"),
        ))
    };
    to_int(n_global, "n_global")?;
    let Some((&first, _)) = row_ptr.split_first() else {
        return bad("row_ptr is empty (needs nlocal + 1 entries)".into());
    };
    let nnz = *row_ptr.last().unwrap();
    if first != 0 || row_ptr.windows(2).any(|w| w[0] > w[1]) {
        return bad("row_ptr must start at 0 and be non-decreasing".into());
    }
    if cols.len() != nnz || nvals != nnz {
        return bad(format!(
            "row_ptr ends at {nnz} but cols/vals have {}/{nvals} entries",
            cols.len()
        ));
    }
    let nlocal = row_ptr.len() - 1;
    if row_start + nlocal > n_global {
        return bad(format!(
            "rows {row_start}..{} exceed n_global = {n_global}",
            row_start + nlocal
        ));
    }
    if let Some(c) = cols.iter().find(|&&c| c >= n_global) {
        return bad(format!("column index {c} >= n_global = {n_global}"));
    }
    Ok(())
}

impl DistMatrix {
    /// Builds and assembles the matrix from this rank's CSR rows (collective).
    ///
    /// This rank owns global rows `row_start .. row_start + nlocal` where
    /// `nlocal = row_ptr.len() - 1`; ranks must own consecutive blocks in rank order
    /// (PETSc's layout), which is verified. `cols` holds GLOBAL column indices; columns in
    /// the owned range form PETSc's diagonal block, which drives exact preallocation.
    /// Duplicate column indices within a row are not summed (INSERT_VALUES: last wins).
    pub fn from_csr(
        n_global: usize,
        row_start: usize,
        row_ptr: &[usize],
        cols: &[usize],
        vals: &[f64],
    ) -> Result<Self, PetscError> {
        ensure_active("DistMatrix::from_csr")?;
        collective(
            validate_csr(n_global, row_start, row_ptr, cols, vals.len()),
            "DistMatrix::from_csr",
        )?;
        let nlocal = row_ptr.len() - 1;
        let rows = row_start..row_start + nlocal;
        // Release builds of PETSc do not check that the global sizes agree; do it here.
        let (ng_min, ng_max) = global_min_max(n_global as sys::PetscInt)?;
        if ng_min != ng_max {
            return Err(PetscError::new(
                sys::PETSC_ERR_ARG_SIZ,
                format!("DistMatrix::from_csr: ranks disagree on n_global ({ng_min} vs {ng_max})"),
            ));
        }
        let layout_rows = ownership_range(nlocal, n_global)?;
        let (_, end) = global_min_max(layout_rows.end as sys::PetscInt)?;
        if end as usize != n_global {
            return Err(PetscError::new(
                sys::PETSC_ERR_ARG_SIZ,
                format!("DistMatrix::from_csr: local row counts sum to {end}, but n_global = {n_global}"),
            ));
        }
        collective(
            if layout_rows == rows {
                Ok(())
            } else {
                Err(PetscError::new(
                    sys::PETSC_ERR_ARG_WRONG,
                    format!("DistMatrix::from_csr: row_start {row_start} with {nlocal} local rows, but PETSc's layout gives rows {layout_rows:?} (ranks must own consecutive blocks in rank order)"),
                ))
            },
            "DistMatrix::from_csr",
        )?;

        let mut d_nnz = Vec::with_capacity(nlocal);
        let mut o_nnz = Vec::with_capacity(nlocal);
        for w in row_ptr.windows(2) {
            let row = &cols[w[0]..w[1]];
            let d = row.iter().filter(|c| rows.contains(c)).count();
            d_nnz.push(to_int(d, "row length")?);
            o_nnz.push(to_int(row.len() - d, "row length")?);
        }
        let cols: Vec<sys::PetscInt> = cols.iter().map(|&c| c as sys::PetscInt).collect(); // < n_global, checked

        let mut mat: sys::Mat = ptr::null_mut();
        check(
            unsafe { sys::MatCreate(sys::PETSC_COMM_WORLD, &mut mat) },
            "MatCreate",
        )?;
        // Owned from here on, so every early return below destroys the Mat.
        let matrix = DistMatrix {
            mat,
            n_global,
            rows,
            row_ptr: row_ptr.to_vec(),
            cols,
        };
        let (nl, ng) = (nlocal as sys::PetscInt, n_global as sys::PetscInt);
        unsafe {
            check(sys::MatSetSizes(mat, nl, nl, ng, ng), "MatSetSizes")?;
            check(
                sys::MatSetType(mat, sys::MATAIJ.as_ptr().cast()),
                "MatSetType(aij)",
            )?;
            // Only the call matching the actual type (Seq on 1 rank, MPI otherwise) takes effect.
            check(
                sys::MatSeqAIJSetPreallocation(mat, 0, d_nnz.as_ptr()),
                "MatSeqAIJSetPreallocation",
            )?;
            check(
                sys::MatMPIAIJSetPreallocation(mat, 0, d_nnz.as_ptr(), 0, o_nnz.as_ptr()),
                "MatMPIAIJSetPreallocation",
            )?;
            // Rows are always local, so assembly can skip the off-process stash exchange.
            check(
                sys::MatSetOption(mat, sys::MAT_NO_OFF_PROC_ENTRIES, sys::PETSC_TRUE),
                "MatSetOption(MAT_NO_OFF_PROC_ENTRIES)",
            )?;
        }
        matrix.insert_and_assemble(vals)?;
        Ok(matrix)
    }

    /// Replaces all values, keeping the sparsity pattern given to [`DistMatrix::from_csr`]
    /// (`vals` in the same order as the original `cols`). Collective. Solvers built on
    /// this matrix notice the change and rebuild their preconditioner on the next solve.
    pub fn update_values(&mut self, vals: &[f64]) -> Result<(), PetscError> {
        ensure_active("DistMatrix::update_values")?;
        let local = if vals.len() == self.cols.len() {
            Ok(())
        } else {
            Err(PetscError::new(
                sys::PETSC_ERR_ARG_SIZ,
                format!(
                    "DistMatrix::update_values: got {} values, pattern has {}",
                    vals.len(),
                    self.cols.len()
                ),
            ))
        };
        collective(local, "DistMatrix::update_values")?;
        self.insert_and_assemble(vals)
    }

    fn insert_and_assemble(&self, vals: &[f64]) -> Result<(), PetscError> {
        for (i, w) in self.row_ptr.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            if a == b {
                continue;
            }
            let row = (self.rows.start + i) as sys::PetscInt;
            check(
                unsafe {
                    sys::MatSetValues(
                        self.mat,
                        1,
                        &row,
                        (b - a) as sys::PetscInt,
                        self.cols[a..b].as_ptr(),
                        vals[a..b].as_ptr(),
                        sys::INSERT_VALUES,
                    )
                },
                "MatSetValues",
            )?;
        }
        unsafe {
            check(
                sys::MatAssemblyBegin(self.mat, sys::MAT_FINAL_ASSEMBLY),
                "MatAssemblyBegin",
            )?;
            check(
                sys::MatAssemblyEnd(self.mat, sys::MAT_FINAL_ASSEMBLY),
                "MatAssemblyEnd",
            )
        }
    }

    /// Global number of rows (= columns).
    pub fn n_global(&self) -> usize {
        self.n_global
    }

    /// Global indices of the rows owned by this rank.
    pub fn local_rows(&self) -> Range<usize> {
        self.rows.clone()
    }

    /// Raw PETSc handle, for calls this wrapper does not cover. Do not destroy it.
    pub fn as_raw(&self) -> sys::Mat {
        self.mat
    }
}

impl Drop for DistMatrix {
    fn drop(&mut self) {
        // After PetscFinalize every object is already freed; touching it would crash.
        if Petsc::is_active() {
            unsafe { sys::MatDestroy(&mut self.mat) };
        }
    }
}

/// Rows PETSc assigns to this rank when each rank declares `nlocal` rows (collective).
fn ownership_range(nlocal: usize, n_global: usize) -> Result<Range<usize>, PetscError> {
    let mut layout: sys::PetscLayout = ptr::null_mut();
    unsafe {
        check(
            sys::PetscLayoutCreate(sys::PETSC_COMM_WORLD, &mut layout),
            "PetscLayoutCreate",
        )?;
        let result = (|| {
            check(
                sys::PetscLayoutSetLocalSize(layout, nlocal as sys::PetscInt),
                "PetscLayoutSetLocalSize",
            )?;
            check(
                sys::PetscLayoutSetSize(layout, n_global as sys::PetscInt),
                "PetscLayoutSetSize",
            )?;
            check(sys::PetscLayoutSetUp(layout), "PetscLayoutSetUp")?;
            let (mut lo, mut hi) = (0, 0);
            check(
                sys::PetscLayoutGetRange(layout, &mut lo, &mut hi),
                "PetscLayoutGetRange",
            )?;
            Ok(lo as usize..hi as usize)
        })();
        sys::PetscLayoutDestroy(&mut layout);
        result
    }
}
