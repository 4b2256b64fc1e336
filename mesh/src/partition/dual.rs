//! Facet dual graph of a mesh (cells adjacent through a shared facet).

use crate::mesh::Mesh;
use std::collections::HashMap;

/// Compressed adjacency of the cells: the neighbours of cell `c` are
/// `adjncy[xadj[c]..xadj[c + 1]]`, sorted ascending. Cells are neighbours when they share a
/// whole facet (a vertex for Line cells, an edge in 2D, a face in 3D); cells touching only at a
/// vertex or edge in 3D are not, as that is what couples unknowns across a cut in FV/DG and what
/// ghost exchange volume follows most closely.
pub fn dual_graph(mesh: &Mesh) -> (Vec<usize>, Vec<usize>) {
    let n = mesh.num_cells();
    let mut first_owner: HashMap<[usize; 4], usize> = HashMap::with_capacity(2 * n);
    let mut edges: Vec<(usize, usize)> = Vec::with_capacity(4 * n);
    for c in 0..n {
        let cell = mesh.cell(c);
        for local in mesh.cell_type.facets() {
            let mut key = [usize::MAX; 4];
            for (k, &i) in local.iter().enumerate() {
                key[k] = cell[i];
            }
            key.sort_unstable();
            match first_owner.get(&key) {
                Some(&d) if d != c => {
                    edges.push((c, d));
                    edges.push((d, c));
                }
                Some(_) => {}
                None => {
                    first_owner.insert(key, c);
                }
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    let mut xadj = vec![0usize; n + 1];
    for &(a, _) in &edges {
        xadj[a + 1] += 1;
    }
    for c in 0..n {
        xadj[c + 1] += xadj[c];
    }
    let adjncy = edges.into_iter().map(|(_, b)| b).collect();
    (xadj, adjncy)
}
