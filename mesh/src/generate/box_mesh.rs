//! Structured hexahedral and tetrahedral meshes of an axis-aligned box.

use super::{check_divisions, finish, graded_coords, grid_points, Side};
use crate::cell::CellType;
use crate::mesh::{Mesh, MeshError};

/// Kuhn (Freudenthal) split of the unit cube into 6 tetrahedra. Cube corners are numbered by
/// bits (x = 1, y = 2, z = 4); every tetrahedron walks from corner 0 to corner 7 along the axes
/// in one order. Because every cube face is cut along the diagonal through its lowest and highest
/// corner, the split is conforming between neighbouring cubes. Odd axis orders are listed with
/// two vertices swapped so that all tetrahedra are positively oriented.
const KUHN: [[usize; 4]; 6] = [
    [0, 1, 3, 7], // x, y, z
    [0, 3, 2, 7], // y, x, z (swapped)
    [0, 2, 6, 7], // y, z, x
    [0, 6, 4, 7], // z, y, x (swapped)
    [0, 4, 5, 7], // z, x, y
    [0, 5, 1, 7], // x, z, y (swapped)
];

/// Cube corners (bit numbering) in Hexahedron order: bottom face counter-clockwise, then top.
const HEX: [usize; 8] = [0, 1, 3, 2, 4, 5, 7, 6];

/// `nx` × `ny` × `nz` cells on `[x0,x1]×[y0,y1]×[z0,z1]`: Hexahedra, or (with `simplex`) 6
/// Tetrahedra per hexahedron (Kuhn split, conforming). All cells are positively oriented.
/// Boundaries "left"/"right" (x-min/x-max), "bottom"/"top" (y-min/y-max) and "back"/"front"
/// (z-min/z-max) with outward-oriented Quad or Triangle facets that are faces of the cells.
pub fn box_mesh(
    nx: usize,
    ny: usize,
    nz: usize,
    x: [f64; 2],
    y: [f64; 2],
    z: [f64; 2],
    simplex: bool,
) -> Result<Mesh, MeshError> {
    box_graded([nx, ny, nz], [x, y, z], [1.0; 3], simplex)
}

/// Like [`box_mesh`] with the divisions, ranges and geometric grading ratios given per axis
/// (see [`graded_coords`](super::graded_coords)).
pub fn box_graded(
    n: [usize; 3],
    range: [[f64; 2]; 3],
    ratio: [f64; 3],
    simplex: bool,
) -> Result<Mesh, MeshError> {
    for (axis, &na) in ["nx", "ny", "nz"].iter().zip(&n) {
        check_divisions(na, &format!("box: {axis}"))?;
    }
    let npoints = grid_points(&n)?;
    let [nx, ny, nz] = n;
    let xs = graded_coords(nx, range[0][0], range[0][1], ratio[0])?;
    let ys = graded_coords(ny, range[1][0], range[1][1], ratio[1])?;
    let zs = graded_coords(nz, range[2][0], range[2][1], ratio[2])?;
    let mut coords = Vec::with_capacity(npoints);
    for &zk in &zs {
        for &yj in &ys {
            for &xi in &xs {
                coords.push([xi, yj, zk]);
            }
        }
    }
    let v = |i: usize, j: usize, k: usize| (k * (ny + 1) + j) * (nx + 1) + i;
    let (cell_type, per_cube) = if simplex {
        (CellType::Tetrahedron, 24)
    } else {
        (CellType::Hexahedron, 8)
    };
    let mut cells = Vec::with_capacity(nx * ny * nz * per_cube);
    for k in 0..nz {
        for j in 0..ny {
            for i in 0..nx {
                let corner = |b: usize| v(i + (b & 1), j + ((b >> 1) & 1), k + ((b >> 2) & 1));
                if simplex {
                    for tet in KUHN {
                        cells.extend(tet.map(corner));
                    }
                } else {
                    cells.extend(HEX.map(corner));
                }
            }
        }
    }
    let sides = [
        Side {
            name: "left",
            axis: 0,
            index: 0,
        },
        Side {
            name: "right",
            axis: 0,
            index: nx,
        },
        Side {
            name: "bottom",
            axis: 1,
            index: 0,
        },
        Side {
            name: "top",
            axis: 1,
            index: ny,
        },
        Side {
            name: "back",
            axis: 2,
            index: 0,
        },
        Side {
            name: "front",
            axis: 2,
            index: nz,
        },
    ];
    let index = |v: usize| {
        let (i, rest) = (v % (nx + 1), v / (nx + 1));
        [i, rest % (ny + 1), rest / (ny + 1)]
    };
    Ok(finish(3, coords, cell_type, cells, &sides, index))
}
