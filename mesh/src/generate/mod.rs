//! Structured mesh generators for intervals, rectangles and boxes.
//!
//! All generators produce one region (id 0, "domain") and named boundaries whose facets use the
//! same vertex order as the corresponding cell face in [`CellType::facets`], so boundary facets
//! are outward oriented. Invalid arguments (zero divisions, empty or reversed ranges, non-finite
//! values) are reported as [`MeshError::Invalid`], never as panics.

mod box_mesh;
mod interval;
mod rectangle;

pub use box_mesh::{box_graded, box_mesh};
pub use interval::{interval, interval_graded};
pub use rectangle::{rectangle, rectangle_graded};

use crate::cell::CellType;
use crate::mesh::{Boundary, Mesh, MeshError};
use std::collections::BTreeMap;

/// Vertex coordinates of `n` cells on `[x0, x1]` whose widths grow geometrically: each cell is
/// `ratio` times as wide as the previous one (`ratio = 1` gives a uniform grid, `ratio < 1`
/// refines towards `x1`). The end points are exact.
pub fn graded_coords(n: usize, x0: f64, x1: f64, ratio: f64) -> Result<Vec<f64>, MeshError> {
    check_divisions(n, "number of cells")?;
    check_range(x0, x1, "range")?;
    if !(ratio.is_finite() && ratio > 0.0) {
        return Err(MeshError::Invalid(format!(
            "grading ratio must be a positive finite number, got {ratio}"
        )));
    }
    // Cumulative widths 1, r, r^2, ... normalised to the range length.
    let mut acc = Vec::with_capacity(n + 1);
    let (mut sum, mut w) = (0.0_f64, 1.0_f64);
    acc.push(0.0);
    for _ in 0..n {
        sum += w;
        acc.push(sum);
        w *= ratio;
    }
    if !(sum.is_finite() && sum > 0.0) || acc.windows(2).any(|p| p[1] <= p[0]) {
        return Err(MeshError::Invalid(format!(
            "grading ratio {ratio} over {n} cells gives degenerate cell widths"
        )));
    }
    let len = x1 - x0;
    let mut xs: Vec<f64> = acc.iter().map(|a| x0 + len * (a / sum)).collect();
    xs[n] = x1;
    if xs.windows(2).any(|p| p[1] <= p[0]) {
        return Err(MeshError::Invalid(format!(
            "grading ratio {ratio} over {n} cells gives cells narrower than rounding"
        )));
    }
    Ok(xs)
}

pub(crate) fn check_divisions(n: usize, what: &str) -> Result<(), MeshError> {
    if n == 0 {
        return Err(MeshError::Invalid(format!("{what} must be at least 1")));
    }
    Ok(())
}

pub(crate) fn check_range(x0: f64, x1: f64, what: &str) -> Result<(), MeshError> {
    if !(x0.is_finite() && x1.is_finite()) {
        return Err(MeshError::Invalid(format!(
            "{what} [{x0}, {x1}] must have finite end points"
        )));
    }
    if x1 <= x0 {
        return Err(MeshError::Invalid(format!(
            "{what} [{x0}, {x1}] is empty or reversed (need x0 < x1)"
        )));
    }
    if !(x1 - x0).is_finite() {
        return Err(MeshError::Invalid(format!(
            "{what} [{x0}, {x1}] is too long"
        )));
    }
    Ok(())
}

/// Number of grid points `(n0+1)(n1+1)(n2+1)`, guarding against overflow for absurd inputs.
pub(crate) fn grid_points(ns: &[usize]) -> Result<usize, MeshError> {
    ns.iter()
        .try_fold(1usize, |acc, &n| {
            n.checked_add(1).and_then(|m| acc.checked_mul(m))
        })
        .filter(|&p| p.checked_mul(8).is_some())
        .ok_or_else(|| MeshError::Invalid(format!("grid {ns:?} is too large")))
}

/// One side of a structured grid: facets whose vertices all have grid index `index` along
/// `axis` belong to boundary `name`.
pub(crate) struct Side {
    pub name: &'static str,
    pub axis: usize,
    pub index: usize,
}

/// Assemble the mesh and collect boundary facets from the cells' own (outward) facets, so that
/// boundary facets are exactly cell faces with the cell's orientation, whatever the cell type.
/// `grid_index(v)` gives the structured (i, j, k) index of vertex `v`.
pub(crate) fn finish(
    dim: usize,
    coords: Vec<[f64; 3]>,
    cell_type: CellType,
    cells: Vec<usize>,
    sides: &[Side],
    grid_index: impl Fn(usize) -> [usize; 3],
) -> Mesh {
    let nvc = cell_type.num_vertices();
    let facet_type = cell_type.facet_type();
    let mut boundaries: BTreeMap<String, Boundary> = sides
        .iter()
        .map(|s| {
            let b = Boundary {
                facet_type: Some(facet_type),
                facets: Vec::new(),
            };
            (s.name.to_string(), b)
        })
        .collect();
    for cell in cells.chunks_exact(nvc) {
        for local in cell_type.facets() {
            for side in sides {
                if local
                    .iter()
                    .all(|&l| grid_index(cell[l])[side.axis] == side.index)
                {
                    let b = boundaries
                        .get_mut(side.name)
                        .expect("side registered above");
                    b.facets.extend(local.iter().map(|&l| cell[l]));
                }
            }
        }
    }
    let num_cells = cells.len() / nvc;
    Mesh {
        dim,
        coords,
        cell_type,
        cells,
        cell_region: vec![0; num_cells],
        region_names: BTreeMap::from([(0, "domain".to_string())]),
        boundaries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graded_coords_are_geometric() {
        let xs = graded_coords(3, 0.0, 7.0, 2.0).unwrap();
        let expect = [0.0, 1.0, 3.0, 7.0];
        for (a, b) in xs.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12, "{xs:?}");
        }
        assert!(graded_coords(3, 0.0, 1.0, 0.0).is_err());
        assert!(graded_coords(3, 0.0, 1.0, f64::NAN).is_err());
        assert!(graded_coords(0, 0.0, 1.0, 1.0).is_err());
        assert!(graded_coords(2000, 0.0, 1.0, 1e-3).is_err());
    }
}
