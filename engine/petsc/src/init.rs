//! Process-wide PETSc initialisation and finalisation.

use std::ffi::CString;
use std::marker::PhantomData;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::check;
use crate::{sys, PetscError};

/// PETSc cannot be re-initialised after `PetscFinalize` (MPI may be gone), so allow one init.
static INIT_CALLED: AtomicBool = AtomicBool::new(false);

/// RAII handle for the PETSc library: created once per process by [`Petsc::init`],
/// calls `PetscFinalize` on drop.
///
/// Initialise MPI first (rsmpi) and drop this handle before the MPI universe: PETSc then
/// sees `MPI_Initialized` and leaves MPI finalisation to rsmpi. If MPI is not initialised,
/// PETSc initialises it and also finalises it on drop.
pub struct Petsc {
    // PETSc is not thread-safe; keep the handle on the thread that created it.
    _not_send: PhantomData<*const ()>,
}

impl Petsc {
    /// Initialises PETSc and inserts `options` (command-line syntax, e.g.
    /// `"-ksp_type cg -pc_type gamg -ksp_rtol 1e-10"`) into the global options database.
    ///
    /// Besides `options`, PETSc also reads `PETSC_OPTIONS` and `~/.petscrc`/`./.petscrc`.
    /// PETSc's signal handlers are disabled so Rust keeps its own (stack-overflow reports,
    /// panics), and its error handler is set to return codes instead of printing/aborting.
    pub fn init(options: &str) -> Result<Petsc, PetscError> {
        let options = CString::new(options).map_err(|_| {
            PetscError::new(
                sys::PETSC_ERR_ARG_WRONG,
                "Petsc::init: options contain a NUL byte",
            )
        })?;
        if INIT_CALLED.swap(true, Ordering::SeqCst) {
            return Err(PetscError::new(
                sys::PETSC_ERR_ARG_WRONGSTATE,
                "Petsc::init: PETSc can be initialised only once per process",
            ));
        }
        unsafe {
            // Documented as valid before PetscInitialize; must precede it to take effect.
            check(
                sys::PetscOptionsSetValue(
                    ptr::null_mut(),
                    c"-no_signal_handler".as_ptr(),
                    ptr::null(),
                ),
                "PetscOptionsSetValue(-no_signal_handler)",
            )?;
            check(sys::PetscInitializeNoArguments(), "PetscInitialize")?;
            let handle = Petsc {
                _not_send: PhantomData,
            };
            check(
                sys::PetscPushErrorHandler(Some(sys::PetscReturnErrorHandler), ptr::null_mut()),
                "PetscPushErrorHandler",
            )?;
            handle.insert_options_cstr(&options)?;
            Ok(handle)
        }
    }

    /// Adds more options to the global database (same syntax as in [`Petsc::init`]). They
    /// affect objects configured afterwards, e.g. a later [`crate::KspSolver::new`].
    pub fn insert_options(&self, options: &str) -> Result<(), PetscError> {
        let options = CString::new(options).map_err(|_| {
            PetscError::new(
                sys::PETSC_ERR_ARG_WRONG,
                "insert_options: options contain a NUL byte",
            )
        })?;
        self.insert_options_cstr(&options)
    }

    fn insert_options_cstr(&self, options: &CString) -> Result<(), PetscError> {
        check(
            unsafe { sys::PetscOptionsInsertString(ptr::null_mut(), options.as_ptr()) },
            "PetscOptionsInsertString",
        )
    }

    /// True between a successful [`Petsc::init`] and the handle's drop.
    pub fn is_active() -> bool {
        let (mut init, mut fin) = (sys::PETSC_FALSE, sys::PETSC_FALSE);
        unsafe {
            sys::PetscInitialized(&mut init) == 0
                && sys::PetscFinalized(&mut fin) == 0
                && init == sys::PETSC_TRUE
                && fin == sys::PETSC_FALSE
        }
    }
}

impl Drop for Petsc {
    fn drop(&mut self) {
        let mut mpi_finalized = 0;
        unsafe {
            // If rsmpi already finalised MPI (wrong drop order), PetscFinalize would call MPI
            // after MPI_Finalize and abort; leaking PETSc's state at exit is the lesser evil.
            if sys::MPI_Finalized(&mut mpi_finalized) == 0 && mpi_finalized == 0 {
                let _ = sys::PetscFinalize();
            }
        }
    }
}

/// Error unless PETSc is initialised; constructors call this before touching PETSc.
pub(crate) fn ensure_active(context: &str) -> Result<(), PetscError> {
    if Petsc::is_active() {
        Ok(())
    } else {
        Err(PetscError::new(
            sys::PETSC_ERR_ARG_WRONGSTATE,
            format!("{context}: PETSc is not initialised (call Petsc::init first)"),
        ))
    }
}
