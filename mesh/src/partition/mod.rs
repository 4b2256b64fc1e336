//! Cell partitioning for distributing a replicated mesh over ranks: graph partitioning with
//! METIS on the facet dual graph, and recursive coordinate bisection (RCB) on cell centroids.
//!
//! Both are deterministic: the same mesh and part count always give the same partition, so
//! every rank can compute it independently.

mod dual;
mod metis;
mod rcb;

pub use self::dual::dual_graph;
pub use self::metis::metis;
pub use self::rcb::rcb;

use crate::mesh::{Mesh, MeshError};

/// Owner part of every cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Number of parts; part ids are `0..parts`.
    pub parts: usize,
    /// Part of each cell.
    pub cell_part: Vec<u32>,
}

impl Partition {
    /// Number of cells in each part.
    pub fn part_sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.parts];
        for &p in &self.cell_part {
            sizes[p as usize] += 1;
        }
        sizes
    }
}

/// Load balance and communication volume of a partition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PartitionQuality {
    /// Largest part size divided by the mean part size (1 is perfect balance).
    pub imbalance: f64,
    /// Number of dual-graph edges (pairs of cells sharing a facet) cut between parts.
    pub edge_cut: usize,
}

/// Imbalance and edge cut of `p` on `mesh`.
///
/// # Panics
/// If `p` has a different number of cells than `mesh` or a part id `>= p.parts`.
pub fn quality(mesh: &Mesh, p: &Partition) -> PartitionQuality {
    assert_eq!(
        p.cell_part.len(),
        mesh.num_cells(),
        "partition does not match the mesh"
    );
    let sizes = p.part_sizes();
    let mean = mesh.num_cells() as f64 / p.parts.max(1) as f64;
    let max = sizes.iter().copied().max().unwrap_or(0) as f64;
    let (xadj, adjncy) = dual_graph(mesh);
    let mut edge_cut = 0;
    for c in 0..mesh.num_cells() {
        for &d in &adjncy[xadj[c]..xadj[c + 1]] {
            if c < d && p.cell_part[c] != p.cell_part[d] {
                edge_cut += 1;
            }
        }
    }
    PartitionQuality {
        imbalance: if mean > 0.0 { max / mean } else { 1.0 },
        edge_cut,
    }
}

/// Reject part counts that cannot give every part at least one cell.
fn check_parts(mesh: &Mesh, parts: usize) -> Result<(), MeshError> {
    let cells = mesh.num_cells();
    if parts == 0 {
        return Err(MeshError::Invalid("cannot partition into 0 parts".into()));
    }
    if parts > cells {
        return Err(MeshError::Invalid(format!(
            "cannot partition {cells} cells into {parts} non-empty parts"
        )));
    }
    if u32::try_from(parts).is_err() {
        return Err(MeshError::Invalid(format!("{parts} parts is too many")));
    }
    Ok(())
}
