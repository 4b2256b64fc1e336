//! Safe wrapper over the slice of PETSc that Galvana's optional PETSc backend needs:
//! a distributed AIJ matrix built from a local CSR block, and a KSP solver configured
//! from PETSc's options database.
//!
//! Lifecycle: initialise MPI first (rsmpi's `mpi::initialize()`), then [`Petsc::init`];
//! drop the [`Petsc`] handle before the MPI universe. PETSc then leaves MPI alone.
//! All objects live on `PETSC_COMM_WORLD` (= `MPI_COMM_WORLD`), and every constructor
//! and solve is collective: call them on all ranks in the same order.
//!
//! Errors never abort the process: PETSc's error handler is switched to "return the
//! code", and every call's code becomes a [`PetscError`].

mod error;
mod init;
mod ksp;
mod mat;

/// Raw bindgen output for the allowlisted PETSc API (see `build.rs`). Prefer the safe types.
#[allow(
    non_upper_case_globals,
    non_camel_case_types,
    non_snake_case,
    dead_code,
    clippy::all,
    clippy::pedantic
)]
pub mod sys {
    include!(concat!(env!("OUT_DIR"), "/petsc_bindings.rs"));
}

pub use error::PetscError;
pub use init::Petsc;
pub use ksp::{KspSolver, SolveInfo};
pub use mat::DistMatrix;

/// Whether the linked PETSc was configured with hypre (`-pc_type hypre`, BoomerAMG).
pub const HAVE_HYPRE: bool = cfg!(petsc_have_hypre);

/// Version `(major, minor, subminor)` of the PETSc headers the bindings were generated from.
pub const VERSION: (u32, u32, u32) = (
    sys::PETSC_VERSION_MAJOR,
    sys::PETSC_VERSION_MINOR,
    sys::PETSC_VERSION_SUBMINOR,
);
