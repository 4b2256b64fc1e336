//! Graph partitioning of the facet dual graph with METIS (system libmetis via the `metis`
//! crate).

use super::{check_parts, dual_graph, Partition};
use crate::mesh::{Mesh, MeshError};
use ::metis::{option, Graph, Idx};
use std::sync::Mutex;

/// Fixed METIS seed: every rank must compute the same partition.
const SEED: Idx = 4242;

/// METIS keeps its random number state in process globals, so concurrent calls (e.g. parallel
/// test threads) disturb each other's sequence and break determinism; calls are serialised.
static METIS_LOCK: Mutex<()> = Mutex::new(());

/// Partition the cells into `parts` parts with METIS k-way on the facet dual graph, minimising
/// the number of cut facets with at most 3% load imbalance (METIS default). Deterministic (fixed
/// seed). Every part gets at least one cell: should METIS leave a part empty (tiny or
/// disconnected meshes), a cell of the largest part is moved into it.
///
/// Errors if `parts` is 0 or exceeds the number of cells, or the mesh is too big for METIS's
/// 32-bit indices.
pub fn metis(mesh: &Mesh, parts: usize) -> Result<Partition, MeshError> {
    check_parts(mesh, parts)?;
    let n = mesh.num_cells();
    if parts == 1 {
        return Ok(Partition {
            parts,
            cell_part: vec![0; n],
        });
    }
    let too_big = |_| MeshError::Invalid("mesh is too large for 32-bit METIS indices".into());
    let (xadj, adjncy) = dual_graph(mesh);
    let xadj: Vec<Idx> = xadj
        .into_iter()
        .map(Idx::try_from)
        .collect::<Result<_, _>>()
        .map_err(too_big)?;
    let adjncy: Vec<Idx> = adjncy
        .into_iter()
        .map(Idx::try_from)
        .collect::<Result<_, _>>()
        .map_err(too_big)?;
    let nparts = Idx::try_from(parts).map_err(too_big)?;

    let mut part: Vec<Idx> = vec![0; n];
    if !adjncy.is_empty() {
        let fail = |e: &dyn std::fmt::Display| MeshError::Invalid(format!("METIS failed: {e}"));
        let _guard = METIS_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Graph::new(1, nparts, &xadj, &adjncy)
            .map_err(|e| fail(&e))?
            .set_option(option::Seed(SEED))
            .part_kway(&mut part)
            .map_err(|e| fail(&e))?;
    }
    // Without any adjacency there is nothing to cut: the repair below deals the cells out.
    let mut cell_part: Vec<u32> = part
        .into_iter()
        .map(|p| p.clamp(0, nparts - 1) as u32)
        .collect();
    fill_empty_parts(&mut cell_part, parts);
    Ok(Partition { parts, cell_part })
}

/// Move single cells from the largest part into empty parts (deterministically: the
/// highest-numbered cell of the largest, lowest-numbered part).
fn fill_empty_parts(cell_part: &mut [u32], parts: usize) {
    let mut sizes = vec![0usize; parts];
    cell_part.iter().for_each(|&p| sizes[p as usize] += 1);
    for empty in 0..parts {
        if sizes[empty] > 0 {
            continue;
        }
        let largest = (0..parts).max_by(|&a, &b| sizes[a].cmp(&sizes[b]).then(b.cmp(&a)));
        let Some(largest) = largest.filter(|&l| sizes[l] > 1) else {
            return;
        };
        if let Some(c) = cell_part.iter().rposition(|&p| p as usize == largest) {
            cell_part[c] = empty as u32;
            sizes[largest] -= 1;
            sizes[empty] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fill_empty_parts;

    #[test]
    fn empty_parts_are_filled() {
        let mut p = vec![0, 0, 0, 2, 2];
        fill_empty_parts(&mut p, 4);
        assert_eq!(p, [0, 3, 1, 2, 2]);
    }
}
