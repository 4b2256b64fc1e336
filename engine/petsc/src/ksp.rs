//! Krylov solver (PETSc KSP + PC) configured from the options database.

use std::any::Any;
use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;

use crate::error::{check, collective};
use crate::init::ensure_active;
use crate::{sys, DistMatrix, Petsc, PetscError};

/// Outcome of [`KspSolver::solve`]. A solve that stops without converging is reported
/// here (`converged == false`), not as an error.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveInfo {
    /// Krylov iterations performed.
    pub iterations: usize,
    /// Last residual norm computed by the KSP (its norm type, usually preconditioned).
    pub residual_norm: f64,
    /// Whether PETSc reports convergence (`KSPConvergedReason > 0`).
    pub converged: bool,
    /// PETSc's name for the reason, e.g. `CONVERGED_RTOL`, `DIVERGED_ITS`.
    pub reason: String,
}

type Monitor = dyn FnMut(usize, f64);

/// Monitor context handed to PETSc; lives at a fixed heap address for the KSP's lifetime.
struct MonitorSlot {
    /// The caller's closure, set only for the duration of one `KSPSolve`.
    callback: Option<*mut Monitor>,
    /// A panic caught in the callback, re-raised once `KSPSolve` has returned.
    panic: Option<Box<dyn Any + Send>>,
}

/// A PETSc KSP bound to one [`DistMatrix`], with work vectors of its layout.
pub struct KspSolver {
    ksp: sys::KSP,
    b: sys::Vec,
    x: sys::Vec,
    nlocal: usize,
    slot: *mut MonitorSlot,
}

/// PETSc-side monitor: forwards to the closure in the slot. Panics must not unwind into
/// C, and returning an error would stop only this rank (the others would hang in the next
/// reduction), so a panic is stored, later callbacks are skipped, and it is resumed after
/// the solve finishes on all ranks.
unsafe extern "C" fn monitor_trampoline(
    _ksp: sys::KSP,
    it: sys::PetscInt,
    rnorm: sys::PetscReal,
    ctx: *mut c_void,
) -> sys::PetscErrorCode {
    let slot = unsafe { &mut *ctx.cast::<MonitorSlot>() };
    if let (Some(cb), None) = (slot.callback, &slot.panic) {
        let cb = unsafe { &mut *cb };
        if let Err(p) = panic::catch_unwind(AssertUnwindSafe(|| cb(it as usize, rnorm))) {
            slot.panic = Some(p);
        }
    }
    0
}

impl KspSolver {
    /// Creates a solver for `a` (collective). `prefix` selects prefixed options, PETSc
    /// style with the trailing underscore: `Some("pressure_")` reads `-pressure_ksp_type`.
    /// `KSPSetFromOptions` runs here, so an invalid `-ksp_type`/`-pc_type` fails now.
    /// The initial guess is taken from `x` in [`KspSolver::solve`] (nonzero guess on).
    pub fn new(a: &DistMatrix, prefix: Option<&str>) -> Result<Self, PetscError> {
        ensure_active("KspSolver::new")?;
        let prefix = prefix.map(CString::new).transpose().map_err(|_| {
            PetscError::new(
                sys::PETSC_ERR_ARG_WRONG,
                "KspSolver::new: prefix contains a NUL byte",
            )
        })?;
        let slot = Box::into_raw(Box::new(MonitorSlot {
            callback: None,
            panic: None,
        }));
        let mut solver = KspSolver {
            ksp: ptr::null_mut(),
            b: ptr::null_mut(),
            x: ptr::null_mut(),
            nlocal: a.local_rows().len(),
            slot,
        };
        unsafe {
            check(
                sys::KSPCreate(sys::PETSC_COMM_WORLD, &mut solver.ksp),
                "KSPCreate",
            )?;
            let ksp = solver.ksp;
            if let Some(p) = &prefix {
                check(
                    sys::KSPSetOptionsPrefix(ksp, p.as_ptr()),
                    "KSPSetOptionsPrefix",
                )?;
            }
            // KSP takes its own reference to the Mat, so `a` may be dropped or updated later.
            check(
                sys::KSPSetOperators(ksp, a.as_raw(), a.as_raw()),
                "KSPSetOperators",
            )?;
            check(
                sys::MatCreateVecs(a.as_raw(), &mut solver.x, &mut solver.b),
                "MatCreateVecs",
            )?;
            // Before SetFromOptions so `-ksp_initial_guess_nonzero false` can still override.
            check(
                sys::KSPSetInitialGuessNonzero(ksp, sys::PETSC_TRUE),
                "KSPSetInitialGuessNonzero",
            )?;
            check(sys::KSPSetFromOptions(ksp), "KSPSetFromOptions")?;
            // After SetFromOptions, so `-ksp_monitor_cancel` cannot remove it.
            check(
                sys::KSPMonitorSet(ksp, Some(monitor_trampoline), slot.cast(), None),
                "KSPMonitorSet",
            )?;
        }
        Ok(solver)
    }

    /// Sets relative/absolute residual tolerances and the iteration cap, overriding any
    /// `-ksp_rtol`/`-ksp_atol`/`-ksp_max_it` from the options database.
    pub fn set_tolerances(
        &mut self,
        rtol: f64,
        atol: f64,
        max_it: usize,
    ) -> Result<(), PetscError> {
        let max_it = sys::PetscInt::try_from(max_it).unwrap_or(sys::PetscInt::MAX);
        check(
            unsafe {
                sys::KSPSetTolerances(
                    self.ksp,
                    rtol,
                    atol,
                    sys::PETSC_DEFAULT as sys::PetscReal,
                    max_it,
                )
            },
            "KSPSetTolerances",
        )
    }

    /// Name of the preconditioner in use (e.g. `"jacobi"`, `"gamg"`, `"hypre"`).
    pub fn pc_type(&self) -> Result<String, PetscError> {
        let mut pc: sys::PC = ptr::null_mut();
        let mut name: *const c_char = ptr::null();
        unsafe {
            check(sys::KSPGetPC(self.ksp, &mut pc), "KSPGetPC")?;
            check(sys::PCGetType(pc, &mut name), "PCGetType")?;
            Ok(cstr_to_string(name))
        }
    }

    /// Changes the preconditioner type (overrides `-pc_type`). Collective.
    pub fn set_pc_type(&mut self, pc_type: &str) -> Result<(), PetscError> {
        let name = CString::new(pc_type).map_err(|_| {
            PetscError::new(
                sys::PETSC_ERR_ARG_WRONG,
                "set_pc_type: name contains a NUL byte",
            )
        })?;
        let mut pc: sys::PC = ptr::null_mut();
        unsafe {
            check(sys::KSPGetPC(self.ksp, &mut pc), "KSPGetPC")?;
            check(sys::PCSetType(pc, name.as_ptr()), "PCSetType")
        }
    }

    /// Solves `A x = b` (collective). `b` and `x` are this rank's owned entries; `x` holds
    /// the initial guess on entry and the solution on return (also when not converged).
    /// `monitor(it, rnorm)` runs on every rank for each KSP monitor event: iteration 0 is
    /// the initial residual, then once per Krylov iteration.
    pub fn solve(
        &mut self,
        b: &[f64],
        x: &mut [f64],
        monitor: &mut dyn FnMut(usize, f64),
    ) -> Result<SolveInfo, PetscError> {
        ensure_active("KspSolver::solve")?;
        let local = if b.len() == self.nlocal && x.len() == self.nlocal {
            Ok(())
        } else {
            Err(PetscError::new(
                sys::PETSC_ERR_ARG_SIZ,
                format!(
                    "KspSolver::solve: b/x have {}/{} entries, this rank owns {}",
                    b.len(),
                    x.len(),
                    self.nlocal
                ),
            ))
        };
        collective(local, "KspSolver::solve")?;
        copy_into_vec(self.b, b)?;
        copy_into_vec(self.x, x)?;

        let callback: *mut (dyn FnMut(usize, f64) + '_) = monitor;
        // SAFETY: lifetime erased only while KSPSolve runs; the slot is cleared right after.
        let callback: *mut Monitor = unsafe { std::mem::transmute(callback) };
        unsafe { (*self.slot).callback = Some(callback) };
        let rc = unsafe { sys::KSPSolve(self.ksp, self.b, self.x) };
        let caught = unsafe {
            (*self.slot).callback = None;
            (*self.slot).panic.take()
        };
        if let Some(p) = caught {
            panic::resume_unwind(p);
        }
        check(rc, "KSPSolve")?;
        copy_from_vec(self.x, x)?;

        let mut its: sys::PetscInt = 0;
        let mut rnorm: sys::PetscReal = 0.0;
        let mut reason: sys::KSPConvergedReason = 0;
        let mut reason_text: *const c_char = ptr::null();
        unsafe {
            check(
                sys::KSPGetIterationNumber(self.ksp, &mut its),
                "KSPGetIterationNumber",
            )?;
            check(
                sys::KSPGetResidualNorm(self.ksp, &mut rnorm),
                "KSPGetResidualNorm",
            )?;
            check(
                sys::KSPGetConvergedReason(self.ksp, &mut reason),
                "KSPGetConvergedReason",
            )?;
            check(
                sys::KSPGetConvergedReasonString(self.ksp, &mut reason_text),
                "KSPGetConvergedReasonString",
            )?;
        }
        Ok(SolveInfo {
            iterations: its.max(0) as usize,
            residual_norm: rnorm,
            converged: reason > 0,
            reason: unsafe { cstr_to_string(reason_text) },
        })
    }

    /// Raw PETSc handle, for calls this wrapper does not cover. Do not destroy it.
    pub fn as_raw(&self) -> sys::KSP {
        self.ksp
    }
}

impl Drop for KspSolver {
    fn drop(&mut self) {
        // After PetscFinalize the objects are gone; only the monitor slot is ours to free.
        if Petsc::is_active() {
            unsafe {
                sys::KSPDestroy(&mut self.ksp);
                sys::VecDestroy(&mut self.b);
                sys::VecDestroy(&mut self.x);
            }
        }
        // Safe to free now: the KSP (the only user of the pointer) is destroyed.
        drop(unsafe { Box::from_raw(self.slot) });
    }
}

/// # Safety
/// `p` is null or a valid NUL-terminated string.
unsafe fn cstr_to_string(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

fn with_local_array(v: sys::Vec, len: usize, f: impl FnOnce(&mut [f64])) -> Result<(), PetscError> {
    let mut data: *mut sys::PetscScalar = ptr::null_mut();
    unsafe {
        check(sys::VecGetArray(v, &mut data), "VecGetArray")?;
        if len > 0 {
            f(std::slice::from_raw_parts_mut(data, len));
        }
        check(sys::VecRestoreArray(v, &mut data), "VecRestoreArray")
    }
}

fn copy_into_vec(v: sys::Vec, src: &[f64]) -> Result<(), PetscError> {
    with_local_array(v, src.len(), |dst| dst.copy_from_slice(src))
}

fn copy_from_vec(v: sys::Vec, dst: &mut [f64]) -> Result<(), PetscError> {
    let len = dst.len();
    with_local_array(v, len, |src| dst.copy_from_slice(src))
}
