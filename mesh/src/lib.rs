//! Meshes for Galvana: the mesh data model, generators, Gmsh import, partitioning and the
//! finite-element building blocks (reference elements, quadrature, DOF maps). No MPI here:
//! the engine replicates the mesh on every rank and distributes the algebra.

pub mod cell;
pub mod fe;
pub mod generate;
pub mod gmsh;
pub mod mesh;
pub mod partition;

pub use cell::CellType;
pub use mesh::{Boundary, Mesh, MeshError};
