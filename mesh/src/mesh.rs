//! The mesh data model shared by every part of Galvana.

use crate::cell::CellType;
use std::collections::BTreeMap;

/// Errors from building, reading or checking meshes.
#[derive(Debug, thiserror::Error)]
pub enum MeshError {
    /// A file could not be read or parsed; `line` is 1-based where known, `offset` a byte offset
    /// for binary files.
    #[error("{file}: {}{msg}", location(*.line, *.offset))]
    Parse {
        file: String,
        line: Option<usize>,
        offset: Option<u64>,
        msg: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

fn location(line: Option<usize>, offset: Option<u64>) -> String {
    match (line, offset) {
        (Some(l), _) => format!("line {l}: "),
        (None, Some(o)) => format!("byte offset {o}: "),
        _ => String::new(),
    }
}

/// A named boundary: a set of facets of the volume cells (or lower-dimensional entities from a
/// Gmsh physical group, kept even if they are not on the outer boundary).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Boundary {
    /// Facet cell type (Point for 1D meshes, Line for 2D, Triangle/Quad for 3D).
    pub facet_type: Option<CellType>,
    /// Flat vertex connectivity of the facets, `facet_type.num_vertices()` per facet.
    pub facets: Vec<usize>,
}

impl Boundary {
    /// Number of facets.
    pub fn len(&self) -> usize {
        match self.facet_type {
            Some(t) => self.facets.len() / t.num_vertices(),
            None => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterator over facets as vertex slices.
    pub fn iter(&self) -> impl Iterator<Item = &[usize]> {
        let n = self.facet_type.map(|t| t.num_vertices()).unwrap_or(1);
        self.facets.chunks_exact(n)
    }
}

/// An unstructured mesh of one cell type (the volume cells), with named regions (cell sets) and
/// named boundaries (facet sets). Coordinates are always stored with 3 components; unused ones
/// are zero.
#[derive(Clone, Debug, PartialEq)]
pub struct Mesh {
    /// Spatial/topological dimension of the volume cells (1, 2 or 3).
    pub dim: usize,
    /// Vertex coordinates in metres.
    pub coords: Vec<[f64; 3]>,
    /// Volume cell type.
    pub cell_type: CellType,
    /// Flat vertex connectivity, `cell_type.num_vertices()` per cell.
    pub cells: Vec<usize>,
    /// Region id of each cell (index into `region_names`).
    pub cell_region: Vec<u32>,
    /// Region names by id. A mesh without named regions has one region named "domain".
    pub region_names: BTreeMap<u32, String>,
    /// Named boundaries.
    pub boundaries: BTreeMap<String, Boundary>,
}

impl Mesh {
    /// Number of vertices.
    pub fn num_vertices(&self) -> usize {
        self.coords.len()
    }

    /// Number of volume cells.
    pub fn num_cells(&self) -> usize {
        self.cells.len() / self.cell_type.num_vertices()
    }

    /// Vertex indices of cell `c`.
    pub fn cell(&self, c: usize) -> &[usize] {
        let n = self.cell_type.num_vertices();
        &self.cells[c * n..(c + 1) * n]
    }

    /// Id of the region called `name`.
    pub fn region_id(&self, name: &str) -> Option<u32> {
        self.region_names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(id, _)| *id)
    }

    /// Names of all boundaries.
    pub fn boundary_names(&self) -> impl Iterator<Item = &str> {
        self.boundaries.keys().map(|s| s.as_str())
    }

    /// Check internal consistency (indices in range, array lengths agree).
    pub fn validate(&self) -> Result<(), MeshError> {
        let nv = self.num_vertices();
        let npc = self.cell_type.num_vertices();
        if self.cell_type.dim() != self.dim {
            return Err(MeshError::Invalid(format!(
                "mesh of dimension {} has {} cells",
                self.dim,
                self.cell_type.name()
            )));
        }
        if !self.cells.len().is_multiple_of(npc) {
            return Err(MeshError::Invalid(
                "cell connectivity length is not a multiple of the vertices per cell".into(),
            ));
        }
        if self.cell_region.len() != self.num_cells() {
            return Err(MeshError::Invalid(
                "cell_region length differs from the number of cells".into(),
            ));
        }
        if let Some(&v) = self.cells.iter().find(|&&v| v >= nv) {
            return Err(MeshError::Invalid(format!(
                "cell refers to vertex {v}, but the mesh has {nv}"
            )));
        }
        for (name, b) in &self.boundaries {
            if let Some(&v) = b.facets.iter().find(|&&v| v >= nv) {
                return Err(MeshError::Invalid(format!(
                    "boundary '{name}' refers to vertex {v}, but the mesh has {nv}"
                )));
            }
        }
        for r in &self.cell_region {
            if !self.region_names.contains_key(r) {
                return Err(MeshError::Invalid(format!(
                    "cell region id {r} has no name"
                )));
            }
        }
        Ok(())
    }
}
