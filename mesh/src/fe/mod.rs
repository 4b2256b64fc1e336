//! Finite-element building blocks: Lagrange reference elements, quadrature rules, the
//! reference-to-physical cell and facet maps, and global DOF numbering.

pub mod dofmap;
pub mod element;
pub mod geometry;
pub mod quadrature;

pub use dofmap::DofMap;
pub use element::Element;
pub use geometry::{map_cell, map_facet, push_gradient, CellMap, FacetMap};
pub use quadrature::Quadrature;
