//! Finite-element machinery on top of the mesh crate: the distributed space, assembly and
//! postprocessing.

pub mod assemble;
pub mod postprocess;
pub mod space;
