//! Local physics for Galvana: pointwise kernels, materials and their parameter declarations.
//! No MPI, no mesh traversal: the engine calls these at quadrature points.

pub mod kernel;
