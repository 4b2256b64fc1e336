//! Reader for Gmsh MSH 4.1 files (ASCII and binary).
//!
//! How the file maps onto a [`Mesh`]:
//! - The mesh dimension is the highest dimension of any element in the file. Volume cells are
//!   the elements of that dimension that belong to a physical group; if the file defines no
//!   physical group of that dimension, all of them are taken as one region "domain".
//! - Each physical group of the top dimension becomes a region whose id is the physical tag and
//!   whose name comes from `$PhysicalNames` (or `region_<tag>`). A cell whose entity is in
//!   several physical groups goes to the first one listed for that entity.
//! - Each lower-dimensional physical group (surfaces, curves and points alike) becomes a named
//!   [`Boundary`](crate::Boundary) holding that group's elements, even those inside the domain
//!   (material interfaces). Unnamed groups are called `boundary_<tag>` (codimension 1) or
//!   `boundary_<dim>d_<tag>`. Facets on the outer boundary are reordered to match the outward
//!   orientation of their cell's face.
//! - Only nodes used by kept elements are kept, renumbered compactly in file order.
//! - Only linear elements are read (points, lines, triangles, quadrangles, tetrahedra,
//!   hexahedra); higher-order elements, prisms and pyramids are rejected, as are volumes mixing
//!   cell types and partitioned files. Unknown sections (`$Periodic`, `$NodeData`, ...) are
//!   skipped. 2D meshes must lie in the plane z = 0 and 1D meshes on the x axis.
//!
//! Malformed input of any kind gives [`MeshError::Parse`] with a line (ASCII) or byte offset
//! (binary), never a panic.

mod assemble;
mod cursor;
mod sections;

use crate::mesh::{Mesh, MeshError};
use std::path::Path;

/// Read a Gmsh MSH 4.1 file (ASCII or binary) from disk.
pub fn read_msh(path: &Path) -> Result<Mesh, MeshError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| MeshError::Io {
        file: file.clone(),
        source,
    })?;
    parse_msh(&bytes, &file)
}

/// Parse the bytes of an MSH 4.1 file; `file_name` is only used in error messages.
pub fn parse_msh(bytes: &[u8], file_name: &str) -> Result<Mesh, MeshError> {
    let mut cur = cursor::Cursor::new(bytes, file_name);
    let raw = sections::parse(&mut cur)?;
    assemble::assemble(raw, file_name)
}
