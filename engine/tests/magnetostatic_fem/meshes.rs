//! Meshes built in the test (no Gmsh at test time): a quarter disc whose rings follow a
//! circle exactly at its nodes, and tensor-product grids of triangles with regions by cell.

use galvana_mesh::{Boundary, CellType, Mesh};
use std::collections::BTreeMap;

/// Quarter disc ρ ≤ `outer` in (x, y) = (r, z), x, y ≥ 0, with a ring of nodes at ρ = `a`.
/// Ring i has k·i segments, so the triangles stay close to equilateral. Regions "sphere"
/// (ρ < a) and "air"; boundaries "outer" (ρ = outer), "axis" (x = 0), "equator" (y = 0).
pub fn quarter_disc(a: f64, outer: f64, n_in: usize) -> Mesh {
    let h = a / n_in as f64;
    let n_out = ((outer - a) / h).round() as usize;
    let rings = n_in + n_out;
    let k = 2;
    let mut coords = vec![[0.0; 3]];
    let mut ring_start = vec![0usize];
    let mut radius = vec![0.0];
    for i in 1..=rings {
        let rho = if i <= n_in {
            a * i as f64 / n_in as f64
        } else {
            a + (outer - a) * (i - n_in) as f64 / n_out as f64
        };
        ring_start.push(coords.len());
        radius.push(rho);
        let m = k * i;
        for j in 0..=m {
            let t = std::f64::consts::FRAC_PI_2 * j as f64 / m as f64;
            // Exact zeros on the axis and the equator.
            let (c, s) = if j == m {
                (0.0, 1.0)
            } else if j == 0 {
                (1.0, 0.0)
            } else {
                (t.cos(), t.sin())
            };
            coords.push([rho * c, rho * s, 0.0]);
        }
    }
    let mut cells = Vec::new();
    let mut region = Vec::new();
    for i in 0..rings {
        let reg = u32::from(i >= n_in);
        if i == 0 {
            for j in 0..k {
                cells.extend_from_slice(&[0, ring_start[1] + j, ring_start[1] + j + 1]);
                region.push(reg);
            }
            continue;
        }
        // Merge ring i (k·i + 1 nodes) and ring i + 1 (k·(i+1) + 1 nodes) by angle.
        let (m0, m1) = (k * i, k * (i + 1));
        let (s0, s1) = (ring_start[i], ring_start[i + 1]);
        let (mut p, mut q) = (0usize, 0usize);
        while p < m0 || q < m1 {
            let ta = if p < m0 {
                (p + 1) as f64 / m0 as f64
            } else {
                f64::INFINITY
            };
            let tb = if q < m1 {
                (q + 1) as f64 / m1 as f64
            } else {
                f64::INFINITY
            };
            if tb <= ta {
                cells.extend_from_slice(&[s0 + p, s1 + q, s1 + q + 1]);
                q += 1;
            } else {
                cells.extend_from_slice(&[s0 + p, s1 + q, s0 + p + 1]);
                p += 1;
            }
            region.push(reg);
        }
    }
    let last = ring_start[rings];
    let outer_facets: Vec<usize> = (0..k * rings)
        .flat_map(|j| [last + j, last + j + 1])
        .collect();
    let mut axis = Vec::new();
    let mut equator = Vec::new();
    for i in 0..rings {
        let (a0, a1) = (
            if i == 0 { 0 } else { ring_start[i] + k * i },
            ring_start[i + 1] + k * (i + 1),
        );
        axis.extend_from_slice(&[a0, a1]);
        let (e0, e1) = (if i == 0 { 0 } else { ring_start[i] }, ring_start[i + 1]);
        equator.extend_from_slice(&[e0, e1]);
    }
    let line = |f: Vec<usize>| Boundary {
        facet_type: Some(CellType::Line),
        facets: f,
    };
    let mesh = Mesh {
        dim: 2,
        coords,
        cell_type: CellType::Triangle,
        cells,
        cell_region: region,
        region_names: BTreeMap::from([(0, "sphere".to_string()), (1, "air".to_string())]),
        boundaries: BTreeMap::from([
            ("outer".to_string(), line(outer_facets)),
            ("axis".to_string(), line(axis)),
            ("equator".to_string(), line(equator)),
        ]),
    };
    mesh.validate().expect("valid quarter-disc mesh");
    mesh
}

/// A tensor grid of triangles on the lines `xs` × `ys`; `region(xc, yc)` names each cell by its
/// centroid (index into `names`). Boundaries "left", "right", "bottom", "top".
pub fn grid(xs: &[f64], ys: &[f64], names: &[&str], region: &dyn Fn(f64, f64) -> u32) -> Mesh {
    let (nx, ny) = (xs.len(), ys.len());
    let id = |i: usize, j: usize| j * nx + i;
    let mut coords = Vec::with_capacity(nx * ny);
    for &y in ys {
        for &x in xs {
            coords.push([x, y, 0.0]);
        }
    }
    let mut cells = Vec::new();
    let mut cell_region = Vec::new();
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            let r = region(0.5 * (xs[i] + xs[i + 1]), 0.5 * (ys[j] + ys[j + 1]));
            // Alternate diagonals so the mesh has no preferred direction.
            if (i + j) % 2 == 0 {
                cells.extend_from_slice(&[id(i, j), id(i + 1, j), id(i + 1, j + 1)]);
                cells.extend_from_slice(&[id(i, j), id(i + 1, j + 1), id(i, j + 1)]);
            } else {
                cells.extend_from_slice(&[id(i, j), id(i + 1, j), id(i, j + 1)]);
                cells.extend_from_slice(&[id(i + 1, j), id(i + 1, j + 1), id(i, j + 1)]);
            }
            cell_region.extend_from_slice(&[r, r]);
        }
    }
    let line = |f: Vec<usize>| Boundary {
        facet_type: Some(CellType::Line),
        facets: f,
    };
    let boundaries = BTreeMap::from([
        (
            "left".to_string(),
            line((0..ny - 1).flat_map(|j| [id(0, j), id(0, j + 1)]).collect()),
        ),
        (
            "right".to_string(),
            line(
                (0..ny - 1)
                    .flat_map(|j| [id(nx - 1, j), id(nx - 1, j + 1)])
                    .collect(),
            ),
        ),
        (
            "bottom".to_string(),
            line((0..nx - 1).flat_map(|i| [id(i, 0), id(i + 1, 0)]).collect()),
        ),
        (
            "top".to_string(),
            line(
                (0..nx - 1)
                    .flat_map(|i| [id(i, ny - 1), id(i + 1, ny - 1)])
                    .collect(),
            ),
        ),
    ]);
    let mesh = Mesh {
        dim: 2,
        coords,
        cell_type: CellType::Triangle,
        cells,
        cell_region,
        region_names: names
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u32, n.to_string()))
            .collect(),
        boundaries,
    };
    mesh.validate().expect("valid grid mesh");
    mesh
}

/// `n` equal intervals from a to b (n + 1 points, a first).
pub fn lin(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..=n).map(|i| a + (b - a) * i as f64 / n as f64).collect()
}

/// Concatenates breakpoint lists, dropping repeated joints.
pub fn join(parts: &[Vec<f64>]) -> Vec<f64> {
    let mut v: Vec<f64> = Vec::new();
    for p in parts {
        for &x in p {
            if v.last().is_none_or(|&l| (x - l).abs() > 1e-15) {
                v.push(x);
            }
        }
    }
    v
}
