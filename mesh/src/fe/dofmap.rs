//! Global DOF numbering for continuous Lagrange elements.

use super::element::{Element, HEX_FACES_VTK};
use crate::cell::CellType;
use crate::mesh::{Mesh, MeshError};

/// Global DOFs of a continuous Lagrange space of order 1 or 2 on a mesh.
#[derive(Clone, Debug, PartialEq)]
pub struct DofMap {
    pub order: usize,
    /// The cell element, whose local DOF order `cell_dofs` follows.
    pub element: Element,
    pub num_dofs: usize,
    pub dofs_per_cell: usize,
    /// Flat cell → DOF table, `dofs_per_cell` per cell, element local order.
    pub cell_dofs: Vec<usize>,
    /// Physical coordinates of every DOF node.
    pub dof_coords: Vec<[f64; 3]>,
    cell_type: CellType,
    /// Copy of the mesh connectivity: facet lookups work on vertices, which renumbering the DOFs
    /// must not disturb.
    cells: Vec<usize>,
    /// DOF of each vertex (also for vertices used by no cell).
    vertex_dof: Vec<usize>,
    /// Vertex → cells incidence (CSR), to find a cell containing a given facet.
    v2c_offsets: Vec<usize>,
    v2c: Vec<usize>,
}

fn sorted<const N: usize>(mut a: [usize; N]) -> [usize; N] {
    a.sort_unstable();
    a
}

fn centroid(coords: &[[f64; 3]], idx: &[usize]) -> [f64; 3] {
    let mut c = [0.0; 3];
    for &i in idx {
        for a in 0..3 {
            c[a] += coords[i][a];
        }
    }
    c.map(|v| v / idx.len() as f64)
}

impl DofMap {
    /// Order 1: DOF i is vertex i. Order 2: vertex DOFs first (numbered as the vertices), then
    /// edge DOFs (edges sorted by their vertex pair), then for Q2 hexahedra the face DOFs (faces
    /// sorted by their vertex set), then for Q2 the cell-centre DOFs in cell order.
    pub fn new(mesh: &Mesh, order: usize) -> Result<DofMap, MeshError> {
        let ct = mesh.cell_type;
        let element = Element::lagrange(ct, order)?;
        let nv = mesh.num_vertices();
        let npc = ct.num_vertices();
        if !mesh.cells.len().is_multiple_of(npc) {
            return Err(MeshError::Invalid(
                "cell connectivity length is not a multiple of the vertices per cell".into(),
            ));
        }
        if let Some(&v) = mesh.cells.iter().find(|&&v| v >= nv) {
            return Err(MeshError::Invalid(format!(
                "cell refers to vertex {v}, but the mesh has {nv}"
            )));
        }
        let ncells = mesh.num_cells();
        let dofs_per_cell = element.num_dofs();
        let mut dof_coords = mesh.coords.clone();
        let cell_dofs = if order == 1 || ct == CellType::Point {
            mesh.cells.clone()
        } else {
            // Sorted entity lists give a deterministic numbering independent of cell order and
            // keep DOFs of nearby vertices close together.
            let mut edges: Vec<[usize; 2]> = (0..ncells)
                .flat_map(|c| {
                    let v = mesh.cell(c);
                    ct.edges().iter().map(move |e| sorted([v[e[0]], v[e[1]]]))
                })
                .collect();
            edges.sort_unstable();
            edges.dedup();
            let mut faces: Vec<[usize; 4]> = Vec::new();
            if ct == CellType::Hexahedron {
                faces = (0..ncells)
                    .flat_map(|c| {
                        let v = mesh.cell(c);
                        HEX_FACES_VTK.iter().map(move |f| sorted(f.map(|i| v[i])))
                    })
                    .collect();
                faces.sort_unstable();
                faces.dedup();
            }
            let has_centre = !ct.is_simplex();
            let (e0, f0) = (nv, nv + edges.len());
            let c0 = f0 + faces.len();
            dof_coords.extend(edges.iter().map(|e| centroid(&mesh.coords, e)));
            dof_coords.extend(faces.iter().map(|f| centroid(&mesh.coords, f)));
            if has_centre {
                dof_coords.extend((0..ncells).map(|c| centroid(&mesh.coords, mesh.cell(c))));
            }
            let mut cd = Vec::with_capacity(ncells * dofs_per_cell);
            for c in 0..ncells {
                let v = mesh.cell(c);
                cd.extend_from_slice(v);
                for e in ct.edges() {
                    let key = sorted([v[e[0]], v[e[1]]]);
                    cd.push(e0 + edges.binary_search(&key).expect("edge was collected"));
                }
                if ct == CellType::Hexahedron {
                    for f in &HEX_FACES_VTK {
                        let key = sorted(f.map(|i| v[i]));
                        cd.push(f0 + faces.binary_search(&key).expect("face was collected"));
                    }
                }
                if has_centre {
                    cd.push(c0 + c);
                }
            }
            cd
        };
        let mut v2c_offsets = vec![0usize; nv + 1];
        for &v in &mesh.cells {
            v2c_offsets[v + 1] += 1;
        }
        for i in 0..nv {
            v2c_offsets[i + 1] += v2c_offsets[i];
        }
        let mut fill = v2c_offsets.clone();
        let mut v2c = vec![0usize; mesh.cells.len()];
        for c in 0..ncells {
            for &v in mesh.cell(c) {
                v2c[fill[v]] = c;
                fill[v] += 1;
            }
        }
        Ok(DofMap {
            order,
            element,
            num_dofs: dof_coords.len(),
            dofs_per_cell,
            cell_dofs,
            dof_coords,
            cell_type: ct,
            cells: mesh.cells.clone(),
            vertex_dof: (0..nv).collect(),
            v2c_offsets,
            v2c,
        })
    }

    /// DOFs of cell `c` in element local order.
    pub fn cell(&self, c: usize) -> &[usize] {
        &self.cell_dofs[c * self.dofs_per_cell..(c + 1) * self.dofs_per_cell]
    }

    /// Number of cells.
    pub fn num_cells(&self) -> usize {
        self.cell_dofs.len() / self.dofs_per_cell.max(1)
    }

    /// DOF at mesh vertex `v`.
    pub fn vertex_dof(&self, v: usize) -> usize {
        self.vertex_dof[v]
    }

    /// DOFs on a facet given by its vertex list (as stored in a mesh `Boundary`, any rotation or
    /// orientation), ordered as the local DOFs of `Element::lagrange(facet_type, order)` for that
    /// vertex order. `None` if the facet is not an entity of the mesh. The facet may have any
    /// dimension up to the cell's (Point, Line, Triangle/Quad face, or a whole cell).
    pub fn facet_dofs(&self, facet_type: CellType, facet_vertices: &[usize]) -> Option<Vec<usize>> {
        let n = facet_type.num_vertices();
        let nv = self.vertex_dof.len();
        if facet_vertices.len() != n || facet_vertices.iter().any(|&v| v >= nv) {
            return None;
        }
        if (1..n).any(|i| facet_vertices[..i].contains(&facet_vertices[i])) {
            return None;
        }
        if facet_type == CellType::Point {
            return Some(vec![self.vertex_dof[facet_vertices[0]]]);
        }
        let ct = self.cell_type;
        let npc = ct.num_vertices();
        let v0 = facet_vertices[0];
        for &c in &self.v2c[self.v2c_offsets[v0]..self.v2c_offsets[v0 + 1]] {
            let cv = &self.cells[c * npc..(c + 1) * npc];
            let mut lv = [0usize; 8];
            let all = facet_vertices
                .iter()
                .zip(lv.iter_mut())
                .all(|(v, l)| cv.iter().position(|w| w == v).map(|p| *l = p).is_some());
            if all && self.is_local_entity(facet_type, &lv[..n]) {
                return Some(self.entity_dofs(c, facet_type, &lv[..n]));
            }
        }
        None
    }

    /// Whether the local vertices `lv` of a cell form one of its entities of type `facet_type`.
    fn is_local_entity(&self, facet_type: CellType, lv: &[usize]) -> bool {
        let ct = self.cell_type;
        let same =
            |e: &[usize], set: &[usize]| e.len() == set.len() && e.iter().all(|i| set.contains(i));
        let found = match facet_type.dim() {
            d if d == ct.dim() => facet_type == ct,
            1 => ct.edges().iter().any(|e| same(e, lv)),
            2 if ct.dim() == 3 => ct.facets().iter().any(|f| same(f, lv)),
            _ => false,
        };
        // The vertex order must also be a valid order of the entity (e.g. no crossed quad), so
        // every edge of the facet element is an edge of the cell.
        found
            && facet_type
                .edges()
                .iter()
                .all(|fe| ct.edges().iter().any(|e| same(e, &[lv[fe[0]], lv[fe[1]]])))
    }

    /// DOFs of the entity with local vertices `lv` (in the facet's vertex order) of cell `c`.
    fn entity_dofs(&self, c: usize, facet_type: CellType, lv: &[usize]) -> Vec<usize> {
        let ct = self.cell_type;
        let cd = self.cell(c);
        let mut out: Vec<usize> = lv.iter().map(|&l| cd[l]).collect();
        if self.order < 2 {
            return out;
        }
        let same =
            |e: &[usize], set: &[usize]| e.len() == set.len() && e.iter().all(|i| set.contains(i));
        let nvc = ct.num_vertices();
        for fe in facet_type.edges() {
            let pair = [lv[fe[0]], lv[fe[1]]];
            let e = ct
                .edges()
                .iter()
                .position(|e| same(e, &pair))
                .expect("edge of a cell entity");
            out.push(cd[nvc + e]);
        }
        if facet_type == CellType::Quad {
            // The Q2 face DOF: a hexahedron face, or the centre of a quad cell itself.
            out.push(match ct {
                CellType::Hexahedron => {
                    let f = HEX_FACES_VTK
                        .iter()
                        .position(|f| same(f, lv))
                        .expect("face of a hexahedron");
                    cd[nvc + ct.edges().len() + f]
                }
                _ => cd[cd.len() - 1],
            });
        } else if facet_type == CellType::Hexahedron {
            // A whole cell given in some other vertex order: its faces follow that order.
            for f in &HEX_FACES_VTK {
                let set = f.map(|i| lv[i]);
                let k = HEX_FACES_VTK
                    .iter()
                    .position(|g| same(g, &set))
                    .expect("face of a hexahedron");
                out.push(cd[nvc + ct.edges().len() + k]);
            }
            out.push(cd[cd.len() - 1]);
        }
        out
    }

    /// All DOFs on the named boundary (sorted, unique); empty for an unknown name. Works for
    /// boundaries of any entity type; for entities that are not part of the mesh only the vertex
    /// DOFs are taken.
    pub fn boundary_dofs(&self, mesh: &Mesh, name: &str) -> Vec<usize> {
        let Some(b) = mesh.boundaries.get(name) else {
            return Vec::new();
        };
        let Some(ft) = b.facet_type else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for f in b.iter() {
            match self.facet_dofs(ft, f) {
                Some(d) => out.extend(d),
                None => out.extend(
                    f.iter()
                        .filter(|&&v| v < self.vertex_dof.len())
                        .map(|&v| self.vertex_dof[v]),
                ),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Renumber DOFs: DOF `d` becomes `new_of_old[d]` (must be a permutation of `0..num_dofs`).
    pub fn renumber(&mut self, new_of_old: &[usize]) {
        assert_eq!(
            new_of_old.len(),
            self.num_dofs,
            "renumber: permutation has the wrong length"
        );
        let mut coords = vec![[f64::NAN; 3]; self.num_dofs];
        let mut seen = vec![false; self.num_dofs];
        for (old, &new) in new_of_old.iter().enumerate() {
            assert!(
                new < self.num_dofs && !seen[new],
                "renumber: not a permutation"
            );
            seen[new] = true;
            coords[new] = self.dof_coords[old];
        }
        self.dof_coords = coords;
        for d in self.cell_dofs.iter_mut().chain(self.vertex_dof.iter_mut()) {
            *d = new_of_old[*d];
        }
    }
}
