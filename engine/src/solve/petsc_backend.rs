//! The PETSc linear-solver backend (cargo feature `petsc`): the engine's CSR rows go into an
//! MPIAIJ matrix and PETSc's KSP solves, configured by the user's PETSc options string.

use crate::comm::Comm;
use crate::linalg::krylov::KrylovResult;
use crate::linalg::DistCsr;
use galvana_petsc::{DistMatrix, KspSolver, Petsc};

/// PETSc session plus the matrix and KSP, created at the first solve and reused after (values
/// updated in place, so PETSc rebuilds only the preconditioner).
pub struct PetscSolver {
    // Field order matters: the KSP and matrix must be destroyed before PETSc finalises.
    ksp: Option<KspSolver>,
    mat: Option<DistMatrix>,
    _petsc: Petsc,
    options: String,
    rtol: f64,
    atol: f64,
    max_it: usize,
}

impl PetscSolver {
    /// Initialise PETSc with the options string (e.g. `-ksp_type cg -pc_type gamg`). Tolerances
    /// come from the deck's `[solver.linear]`.
    pub fn new(options: &str, rtol: f64, atol: f64, max_it: usize) -> Result<Self, String> {
        let petsc = Petsc::init(options).map_err(|e| format!("PETSc: {e}"))?;
        Ok(Self {
            ksp: None,
            mat: None,
            _petsc: petsc,
            options: options.to_string(),
            rtol,
            atol,
            max_it,
        })
    }

    pub fn options(&self) -> &str {
        &self.options
    }

    pub fn solve(
        &mut self,
        _comm: &Comm,
        a: &DistCsr,
        b: &[f64],
        x: &mut [f64],
        monitor: &mut dyn FnMut(usize, f64),
    ) -> Result<KrylovResult, String> {
        let n = a.n_owned();
        let pe = |e: galvana_petsc::PetscError| format!("PETSc: {e}");
        match self.mat.as_mut() {
            Some(m) => m.update_values(&a.vals).map_err(pe)?,
            None => {
                let cols = a.global_columns();
                let m = DistMatrix::from_csr(
                    a.layout.n_global(),
                    a.layout.lo(),
                    &a.row_ptr,
                    &cols,
                    &a.vals,
                )
                .map_err(pe)?;
                let mut ksp = KspSolver::new(&m, None).map_err(pe)?;
                ksp.set_tolerances(self.rtol, self.atol, self.max_it)
                    .map_err(pe)?;
                self.mat = Some(m);
                self.ksp = Some(ksp);
            }
        }
        let ksp = self.ksp.as_mut().expect("created above");
        let info = ksp.solve(&b[..n], &mut x[..n], monitor).map_err(pe)?;
        let reason: &'static str = if info.converged {
            "CONVERGED (PETSc)"
        } else if info.reason.contains("ITS") {
            "DIVERGED_ITS"
        } else {
            "DIVERGED (PETSc)"
        };
        if !info.converged && x.iter().any(|v| !v.is_finite()) {
            return Err(format!("PETSc solve failed: {}", info.reason));
        }
        Ok(KrylovResult {
            iterations: info.iterations,
            residual_norm: info.residual_norm,
            converged: info.converged,
            reason,
        })
    }
}
