//! Structured quadrilateral and triangle meshes of a rectangle.

use super::{check_divisions, finish, graded_coords, grid_points, Side};
use crate::cell::CellType;
use crate::mesh::{Mesh, MeshError};

/// `nx` × `ny` cells on `[x0,x1]×[y0,y1]`: Quads, or (with `simplex`) Triangles made by
/// splitting every quad along its diagonal from the (x-min, y-min) to the (x-max, y-max) corner.
/// All cells are counter-clockwise. Boundaries "left", "right" (x-min, x-max), "bottom", "top"
/// (y-min, y-max) with outward-oriented Line facets.
pub fn rectangle(
    nx: usize,
    ny: usize,
    x: [f64; 2],
    y: [f64; 2],
    simplex: bool,
) -> Result<Mesh, MeshError> {
    rectangle_graded(nx, ny, x, y, [1.0, 1.0], simplex)
}

/// Like [`rectangle`], with cell sizes growing geometrically by `ratio[0]` along x and
/// `ratio[1]` along y (see [`graded_coords`](super::graded_coords)); useful to refine towards a
/// wall or an electrode surface.
pub fn rectangle_graded(
    nx: usize,
    ny: usize,
    x: [f64; 2],
    y: [f64; 2],
    ratio: [f64; 2],
    simplex: bool,
) -> Result<Mesh, MeshError> {
    check_divisions(nx, "rectangle: nx")?;
    check_divisions(ny, "rectangle: ny")?;
    grid_points(&[nx, ny])?;
    let xs = graded_coords(nx, x[0], x[1], ratio[0])?;
    let ys = graded_coords(ny, y[0], y[1], ratio[1])?;
    let mut coords = Vec::with_capacity((nx + 1) * (ny + 1));
    for &yj in &ys {
        for &xi in &xs {
            coords.push([xi, yj, 0.0]);
        }
    }
    let v = |i: usize, j: usize| j * (nx + 1) + i;
    let (cell_type, per_quad) = if simplex {
        (CellType::Triangle, 6)
    } else {
        (CellType::Quad, 4)
    };
    let mut cells = Vec::with_capacity(nx * ny * per_quad);
    for j in 0..ny {
        for i in 0..nx {
            let (a, b, c, d) = (v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1));
            if simplex {
                cells.extend([a, b, c, a, c, d]);
            } else {
                cells.extend([a, b, c, d]);
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
    ];
    let index = |v: usize| [v % (nx + 1), v / (nx + 1), 0];
    Ok(finish(2, coords, cell_type, cells, &sides, index))
}
