//! Uniform and graded 1D interval meshes.

use super::{check_divisions, finish, graded_coords, Side};
use crate::cell::CellType;
use crate::mesh::{Mesh, MeshError};

/// `n` equal Line cells on `[x0, x1]`; boundaries "left" (x0) and "right" (x1) as Point facets.
pub fn interval(n: usize, x0: f64, x1: f64) -> Result<Mesh, MeshError> {
    interval_graded(n, x0, x1, 1.0)
}

/// Like [`interval`], with cell widths growing by the factor `ratio` from `x0` to `x1`
/// (see [`graded_coords`](super::graded_coords)).
pub fn interval_graded(n: usize, x0: f64, x1: f64, ratio: f64) -> Result<Mesh, MeshError> {
    check_divisions(n, "interval: number of cells")?;
    let xs = graded_coords(n, x0, x1, ratio)?;
    let coords = xs.iter().map(|&x| [x, 0.0, 0.0]).collect();
    let cells = (0..n).flat_map(|i| [i, i + 1]).collect();
    let sides = [
        Side {
            name: "left",
            axis: 0,
            index: 0,
        },
        Side {
            name: "right",
            axis: 0,
            index: n,
        },
    ];
    Ok(finish(1, coords, CellType::Line, cells, &sides, |v| {
        [v, 0, 0]
    }))
}
