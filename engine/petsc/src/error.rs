//! Error type and the helpers that turn PETSc return codes into `Result`s.

use std::ffi::{c_char, CStr};
use std::fmt;
use std::ptr;

use crate::sys;

/// A failed PETSc call (or input rejected before reaching PETSc).
///
/// `code` is PETSc's error code (`PETSC_ERR_*`); `message` names the failing call and
/// carries PETSc's own description, e.g. "KSPSetFromOptions: Unable to find requested
/// PC type nosuchpc".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetscError {
    /// PETSc error code (`PETSC_ERR_*` from `petscerror.h`).
    pub code: i32,
    /// Human-readable description, prefixed with the operation that failed.
    pub message: String,
}

impl PetscError {
    pub(crate) fn new(code: u32, message: impl Into<String>) -> Self {
        PetscError {
            code: code as i32,
            message: message.into(),
        }
    }

    /// Describes a nonzero return code from the PETSc call named by `context`.
    fn from_code(code: sys::PetscErrorCode, context: &str) -> Self {
        let mut generic: *const c_char = ptr::null();
        let mut specific: *mut c_char = ptr::null_mut();
        // `specific` is PETSc's copy of the message given where the error was first raised,
        // which is what names the bad option/argument; `generic` is the error class text.
        let rc = unsafe { sys::PetscErrorMessage(code, &mut generic, &mut specific) };
        let text = |p: *const c_char| {
            (rc == 0 && !p.is_null())
                .then(|| {
                    unsafe { CStr::from_ptr(p) }
                        .to_string_lossy()
                        .trim()
                        .to_string()
                })
                .filter(|s| !s.is_empty())
        };
        let mut message = context.to_string();
        match (text(specific), text(generic)) {
            (Some(s), Some(g)) => message += &format!(": {s} [{g}]"),
            (Some(s), None) | (None, Some(s)) => message += &format!(": {s}"),
            (None, None) => message += ": unknown PETSc error",
        }
        PetscError { code, message }
    }
}

impl fmt::Display for PetscError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (PETSc error {})", self.message, self.code)
    }
}

impl std::error::Error for PetscError {}

/// Maps a PETSc return code to `Ok(())` or a [`PetscError`] mentioning `context`.
pub(crate) fn check(code: sys::PetscErrorCode, context: &str) -> Result<(), PetscError> {
    if code == 0 {
        Ok(())
    } else {
        Err(PetscError::from_code(code, context))
    }
}

/// Makes a locally detected input error collective: every rank learns whether any rank
/// failed, so no rank proceeds into a collective PETSc call that the others skip (which
/// would deadlock). Ranks with a local error return it; the others get a generic error.
pub(crate) fn collective(local: Result<(), PetscError>, context: &str) -> Result<(), PetscError> {
    let (all_ok, _) = global_min_max(local.is_ok().into())?;
    local?;
    if all_ok == 0 {
        return Err(PetscError::new(
            sys::PETSC_ERR_ARG_WRONG,
            format!("{context}: invalid input on another rank"),
        ));
    }
    Ok(())
}

/// Minimum and maximum of `v` over all ranks of `PETSC_COMM_WORLD` (collective).
pub(crate) fn global_min_max(
    v: sys::PetscInt,
) -> Result<(sys::PetscInt, sys::PetscInt), PetscError> {
    let mut global: [sys::PetscInt; 2] = [0; 2];
    check(
        unsafe {
            sys::PetscGlobalMinMaxInt(sys::PETSC_COMM_WORLD, [v, v].as_ptr(), global.as_mut_ptr())
        },
        "PetscGlobalMinMaxInt",
    )?;
    Ok((global[0], global[1]))
}
