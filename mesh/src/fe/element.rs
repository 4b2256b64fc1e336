//! Lagrange reference elements of order 1 and 2 on every [`CellType`].
//!
//! Reference cells: Line `[0,1]`; Triangle `(0,0),(1,0),(0,1)`; Tetrahedron the unit simplex;
//! Quad `[-1,1]^2`; Hexahedron `[-1,1]^3`. Local DOF order: vertices (CellType order), then one
//! DOF per edge in [`CellType::edges`] order (order 2), then for Q2 the face DOFs (Hex, in
//! [`HEX_FACES_VTK`] order) and the cell centre. This is the VTK/XDMF node order of the quadratic
//! (bi-/tri-quadratic) cells, so DOF connectivity can be written out unchanged.

use crate::cell::CellType;
use crate::mesh::MeshError;

/// Hexahedron faces in VTK_TRIQUADRATIC_HEXAHEDRON order (x=-1, x=+1, y=-1, y=+1, z=-1, z=+1):
/// the order of the Q2 face DOFs.
pub const HEX_FACES_VTK: [[usize; 4]; 6] = [
    [0, 3, 7, 4],
    [1, 2, 6, 5],
    [0, 1, 5, 4],
    [3, 2, 6, 7],
    [0, 1, 2, 3],
    [4, 5, 6, 7],
];

/// Vertex coordinates of the reference cell, in CellType order.
pub fn reference_vertices(cell: CellType) -> &'static [[f64; 3]] {
    match cell {
        CellType::Point => &[[0.0; 3]],
        CellType::Line => &[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]],
        CellType::Triangle => &[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        CellType::Tetrahedron => &[
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
        ],
        CellType::Quad => &[
            [-1.0, -1.0, 0.0],
            [1.0, -1.0, 0.0],
            [1.0, 1.0, 0.0],
            [-1.0, 1.0, 0.0],
        ],
        CellType::Hexahedron => &[
            [-1.0, -1.0, -1.0],
            [1.0, -1.0, -1.0],
            [1.0, 1.0, -1.0],
            [-1.0, 1.0, -1.0],
            [-1.0, -1.0, 1.0],
            [1.0, -1.0, 1.0],
            [1.0, 1.0, 1.0],
            [-1.0, 1.0, 1.0],
        ],
    }
}

/// Measure (length, area, volume) of the reference cell; 1 for a Point.
pub fn reference_measure(cell: CellType) -> f64 {
    match cell {
        CellType::Point | CellType::Line => 1.0,
        CellType::Triangle => 0.5,
        CellType::Tetrahedron => 1.0 / 6.0,
        CellType::Quad => 4.0,
        CellType::Hexahedron => 8.0,
    }
}

/// How a basis function is built from the cell's coordinate functions.
#[derive(Clone, Debug, PartialEq)]
enum Basis {
    /// The single constant function of a Point.
    Constant,
    /// Simplex: per DOF the barycentric pair `[i, j]`; `i == j` is a vertex function, `i != j`
    /// the edge bubble `4 λi λj`.
    Simplex(Vec<[usize; 2]>),
    /// Tensor cell: per DOF the 1D node index along each axis (nodes `-1, 1` or `-1, 0, 1`).
    Tensor(Vec<[usize; 3]>),
}

/// A Lagrange finite element on a reference cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub cell: CellType,
    pub order: usize,
    coords: Vec<[f64; 3]>,
    basis: Basis,
}

fn mean(points: &[[f64; 3]], idx: &[usize]) -> [f64; 3] {
    let mut c = [0.0; 3];
    for &i in idx {
        for a in 0..3 {
            c[a] += points[i][a];
        }
    }
    c.map(|v| v / idx.len() as f64)
}

impl Element {
    /// Lagrange element of `order` 1 or 2 on `cell`. A Point has one DOF whatever the order.
    pub fn lagrange(cell: CellType, order: usize) -> Result<Element, MeshError> {
        if !(order == 1 || order == 2) {
            return Err(MeshError::Invalid(format!(
                "Lagrange elements of order {order} are not supported (use 1 or 2)"
            )));
        }
        let verts = reference_vertices(cell);
        if cell == CellType::Point {
            return Ok(Element {
                cell,
                order,
                coords: verts.to_vec(),
                basis: Basis::Constant,
            });
        }
        let mut coords = verts.to_vec();
        if order == 2 {
            for e in cell.edges() {
                coords.push(mean(verts, e));
            }
            match cell {
                CellType::Quad => coords.push([0.0; 3]),
                CellType::Hexahedron => {
                    for f in &HEX_FACES_VTK {
                        coords.push(mean(verts, f));
                    }
                    coords.push([0.0; 3]);
                }
                _ => {}
            }
        }
        let basis = if cell.is_simplex() {
            let mut pairs: Vec<[usize; 2]> = (0..cell.num_vertices()).map(|i| [i, i]).collect();
            if order == 2 {
                pairs.extend_from_slice(cell.edges());
            }
            Basis::Simplex(pairs)
        } else {
            // Reference coordinates are exactly -1, 0 or 1, so the node index is recovered from
            // them: with order 1 the nodes are {-1, 1}, with order 2 {-1, 0, 1}.
            let idx = coords
                .iter()
                .map(|x| {
                    x.map(|v| match order {
                        1 => usize::from(v > 0.0),
                        _ => (v.round() + 1.0) as usize,
                    })
                })
                .collect();
            Basis::Tensor(idx)
        };
        Ok(Element {
            cell,
            order,
            coords,
            basis,
        })
    }

    /// Number of basis functions.
    pub fn num_dofs(&self) -> usize {
        self.coords.len()
    }

    /// Reference coordinates of the DOF nodes, in local DOF order.
    pub fn ref_dof_coords(&self) -> &[[f64; 3]] {
        &self.coords
    }

    /// Values and reference-coordinate gradients of all basis functions at reference point `xi`.
    /// `phi` and `dphi` must hold at least [`num_dofs`](Self::num_dofs) entries; gradient
    /// components beyond the cell dimension are zero.
    pub fn tabulate(&self, xi: [f64; 3], phi: &mut [f64], dphi: &mut [[f64; 3]]) {
        let n = self.num_dofs();
        assert!(
            phi.len() >= n && dphi.len() >= n,
            "tabulate: output slices too short"
        );
        match &self.basis {
            Basis::Constant => {
                phi[0] = 1.0;
                dphi[0] = [0.0; 3];
            }
            Basis::Simplex(pairs) => {
                let d = self.cell.dim();
                // Barycentric coordinates: λ0 = 1 - Σ xi, λk = xi[k-1].
                let mut lam = [0.0; 4];
                let mut dlam = [[0.0; 3]; 4];
                lam[0] = 1.0 - xi[..d].iter().sum::<f64>();
                for k in 0..d {
                    lam[k + 1] = xi[k];
                    dlam[0][k] = -1.0;
                    dlam[k + 1][k] = 1.0;
                }
                for (q, &[i, j]) in pairs.iter().enumerate() {
                    if self.order == 1 {
                        phi[q] = lam[i];
                        dphi[q] = dlam[i];
                    } else if i == j {
                        phi[q] = lam[i] * (2.0 * lam[i] - 1.0);
                        dphi[q] = dlam[i].map(|g| (4.0 * lam[i] - 1.0) * g);
                    } else {
                        phi[q] = 4.0 * lam[i] * lam[j];
                        for a in 0..3 {
                            dphi[q][a] = 4.0 * (lam[j] * dlam[i][a] + lam[i] * dlam[j][a]);
                        }
                    }
                }
            }
            Basis::Tensor(idx) => {
                let d = self.cell.dim();
                // 1D Lagrange values/derivatives per axis at each node.
                let mut l = [[0.0; 3]; 3];
                let mut dl = [[0.0; 3]; 3];
                for a in 0..d {
                    let x = xi[a];
                    if self.order == 1 {
                        l[a] = [0.5 * (1.0 - x), 0.5 * (1.0 + x), 0.0];
                        dl[a] = [-0.5, 0.5, 0.0];
                    } else {
                        l[a] = [0.5 * x * (x - 1.0), 1.0 - x * x, 0.5 * x * (x + 1.0)];
                        dl[a] = [x - 0.5, -2.0 * x, x + 0.5];
                    }
                }
                for (q, id) in idx.iter().enumerate() {
                    let mut v = 1.0;
                    for a in 0..d {
                        v *= l[a][id[a]];
                    }
                    phi[q] = v;
                    let mut g = [0.0; 3];
                    for (a, ga) in g.iter_mut().enumerate().take(d) {
                        let mut p = dl[a][id[a]];
                        for b in (0..d).filter(|&b| b != a) {
                            p *= l[b][id[b]];
                        }
                        *ga = p;
                    }
                    dphi[q] = g;
                }
            }
        }
    }
}
