//! Reference-to-physical maps of cells and facets: the affine (simplex) or multilinear (tensor)
//! map defined by the cell's vertices, i.e. the P1/Q1 element of the cell.

use crate::cell::CellType;

/// The map of a cell at one reference point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellMap {
    /// Physical point.
    pub x: [f64; 3],
    /// `jac[i][j] = dx_i/dxi_j` for `i, j < dim`; the unused diagonal entries are 1 so that the
    /// full 3×3 matrix is invertible and `det`/`inv` agree with the `dim`×`dim` block.
    pub jac: [[f64; 3]; 3],
    /// Signed determinant of the Jacobian (positive for positively oriented cells).
    pub det: f64,
    /// Inverse of `jac`.
    pub inv: [[f64; 3]; 3],
}

/// The map of a facet at one reference point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FacetMap {
    /// Physical point.
    pub x: [f64; 3],
    /// Surface measure factor: `ds = scale * dxi`.
    pub scale: f64,
    /// Unit normal from the vertex order: right-hand rule for Triangle/Quad facets; for a Line
    /// facet in 2D `(dy, -dx)/len` (right of the direction v0 -> v1). Zero for Point facets and
    /// for Line facets in 3D, which have no unique normal.
    pub normal: [f64; 3],
}

/// Value and reference gradients of the vertex (P1/Q1) shape functions at `xi`, with the point
/// and the tangent vectors `t[j] = dx/dxi_j`.
fn vertex_map(cell: CellType, vertices: &[[f64; 3]], xi: [f64; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let nv = cell.num_vertices();
    assert!(
        vertices.len() >= nv,
        "{} map needs {nv} vertices, got {}",
        cell.name(),
        vertices.len()
    );
    let mut phi = [0.0; 8];
    let mut dphi = [[0.0; 3]; 8];
    // Written out rather than via `Element` so the per-quadrature-point map never allocates.
    vertex_shape(cell, xi, &mut phi, &mut dphi);
    let mut x = [0.0; 3];
    let mut t = [[0.0; 3]; 3];
    for k in 0..nv {
        for i in 0..3 {
            x[i] += phi[k] * vertices[k][i];
            for j in 0..3 {
                t[j][i] += dphi[k][j] * vertices[k][i];
            }
        }
    }
    (x, t)
}

/// P1/Q1 shape functions of the reference cell (same as `Element::lagrange(cell, 1)`).
fn vertex_shape(cell: CellType, xi: [f64; 3], phi: &mut [f64; 8], dphi: &mut [[f64; 3]; 8]) {
    match cell {
        CellType::Point => phi[0] = 1.0,
        CellType::Line | CellType::Triangle | CellType::Tetrahedron => {
            let d = cell.dim();
            phi[0] = 1.0 - xi[..d].iter().sum::<f64>();
            for k in 0..d {
                phi[k + 1] = xi[k];
                dphi[0][k] = -1.0;
                dphi[k + 1][k] = 1.0;
            }
        }
        CellType::Quad | CellType::Hexahedron => {
            let refv = super::element::reference_vertices(cell);
            let d = cell.dim();
            for (k, r) in refv.iter().enumerate() {
                let f: [f64; 3] = std::array::from_fn(|a| {
                    if a < d {
                        0.5 * (1.0 + r[a] * xi[a])
                    } else {
                        1.0
                    }
                });
                phi[k] = f[0] * f[1] * f[2];
                for a in 0..d {
                    let mut g = 0.5 * r[a];
                    for b in (0..d).filter(|&b| b != a) {
                        g *= f[b];
                    }
                    dphi[k][a] = g;
                }
            }
        }
    }
}

/// Map of a `cell` with `vertices` (CellType order) at reference point `xi`; `dim = cell.dim()`.
pub fn map_cell(cell: CellType, vertices: &[[f64; 3]], xi: [f64; 3]) -> CellMap {
    let d = cell.dim();
    let (x, t) = vertex_map(cell, vertices, xi);
    let mut jac = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            jac[i][j] = if i < d && j < d {
                t[j][i]
            } else {
                f64::from(u8::from(i == j))
            };
        }
    }
    let (det, inv) = invert3(&jac);
    CellMap { x, jac, det, inv }
}

/// Determinant and inverse of a 3×3 matrix (the inverse is non-finite for a singular matrix).
fn invert3(m: &[[f64; 3]; 3]) -> (f64, [[f64; 3]; 3]) {
    let c = |i: usize, j: usize| {
        let (i1, i2) = ((i + 1) % 3, (i + 2) % 3);
        let (j1, j2) = ((j + 1) % 3, (j + 2) % 3);
        m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]
    };
    let det = m[0][0] * c(0, 0) + m[0][1] * c(0, 1) + m[0][2] * c(0, 2);
    let mut inv = [[0.0; 3]; 3];
    for (i, row) in inv.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            // inverse = adjugate / det; the cyclic cofactor already carries the sign.
            *v = c(j, i) / det;
        }
    }
    (det, inv)
}

/// Physical gradient from a reference gradient: `grad = inv^T * dref`; components `>= dim` are 0.
pub fn push_gradient(map: &CellMap, dim: usize, dref: [f64; 3]) -> [f64; 3] {
    let mut g = [0.0; 3];
    for (i, gi) in g.iter_mut().enumerate().take(dim) {
        for (j, dj) in dref.iter().enumerate().take(dim) {
            *gi += map.inv[j][i] * dj;
        }
    }
    g
}

/// Map of a facet (a lower-dimensional entity of type `facet`) with `vertices` at reference
/// point `xi`, embedded in `space_dim` dimensions.
pub fn map_facet(
    facet: CellType,
    vertices: &[[f64; 3]],
    xi: [f64; 3],
    space_dim: usize,
) -> FacetMap {
    let (x, t) = vertex_map(facet, vertices, xi);
    let norm = |v: [f64; 3]| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    let (scale, normal) = match facet.dim() {
        0 => (1.0, [0.0; 3]),
        1 => {
            let len = norm(t[0]);
            if space_dim == 2 {
                (len, [t[0][1] / len, -t[0][0] / len, 0.0])
            } else {
                (len, [0.0; 3])
            }
        }
        2 => {
            let (a, b) = (t[0], t[1]);
            let n = [
                a[1] * b[2] - a[2] * b[1],
                a[2] * b[0] - a[0] * b[2],
                a[0] * b[1] - a[1] * b[0],
            ];
            let area = norm(n);
            (area, n.map(|v| v / area))
        }
        _ => {
            // A volume "facet" only occurs when a cell is integrated as its own facet.
            let m = map_cell(facet, vertices, xi);
            (m.det.abs(), [0.0; 3])
        }
    };
    FacetMap { x, scale, normal }
}
