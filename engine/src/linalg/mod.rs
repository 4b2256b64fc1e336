//! Distributed linear algebra: layouts and halo exchange, CSR matrices, preconditioners and
//! Krylov solvers.

pub mod csr;
pub mod krylov;
pub mod layout;
pub mod pc;
pub mod vector;

pub use csr::DistCsr;
pub use krylov::{KrylovOptions, KrylovResult, KspType};
pub use layout::Layout;
