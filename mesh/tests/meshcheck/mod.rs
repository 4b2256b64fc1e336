//! Independent geometric and topological checks on meshes, shared by the integration tests.
//! Measures are computed here from scratch (not with library code) so tests check the library.
#![allow(dead_code)]

use galvana_mesh::{CellType, Mesh};
use std::collections::HashMap;

pub fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

pub fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

fn det3(a: [f64; 3], b: [f64; 3], c: [f64; 3]) -> f64 {
    dot(a, cross(b, c))
}

/// Reference coordinates of the Hexahedron vertices (Gmsh/VTK order).
const HEX_REF: [[f64; 3]; 8] = [
    [0., 0., 0.],
    [1., 0., 0.],
    [1., 1., 0.],
    [0., 1., 0.],
    [0., 0., 1.],
    [1., 0., 1.],
    [1., 1., 1.],
    [0., 1., 1.],
];

/// Jacobian determinant of the trilinear hexahedron map at reference point `p` in [0,1]^3.
fn hex_jac(x: &[[f64; 3]], p: [f64; 3]) -> f64 {
    let mut j = [[0.0; 3]; 3]; // j[d] = d x / d xi_d
    for (v, r) in HEX_REF.iter().enumerate() {
        let w = |d: usize| if r[d] == 1.0 { p[d] } else { 1.0 - p[d] };
        let dw = |d: usize| if r[d] == 1.0 { 1.0 } else { -1.0 };
        let grads = [
            dw(0) * w(1) * w(2),
            w(0) * dw(1) * w(2),
            w(0) * w(1) * dw(2),
        ];
        for d in 0..3 {
            for c in 0..3 {
                j[d][c] += grads[d] * x[v][c];
            }
        }
    }
    det3(j[0], j[1], j[2])
}

/// Signed measure of cell `c` (length, area, volume); positive for positive orientation.
pub fn cell_measure(mesh: &Mesh, c: usize) -> f64 {
    let x: Vec<[f64; 3]> = mesh.cell(c).iter().map(|&v| mesh.coords[v]).collect();
    match mesh.cell_type {
        CellType::Point => 1.0,
        CellType::Line => x[1][0] - x[0][0],
        CellType::Triangle => 0.5 * cross(sub(x[1], x[0]), sub(x[2], x[0]))[2],
        CellType::Quad => {
            // Shoelace formula, exact for a planar bilinear quadrilateral.
            (0..4)
                .map(|i| {
                    let (a, b) = (x[i], x[(i + 1) % 4]);
                    a[0] * b[1] - b[0] * a[1]
                })
                .sum::<f64>()
                * 0.5
        }
        CellType::Tetrahedron => det3(sub(x[1], x[0]), sub(x[2], x[0]), sub(x[3], x[0])) / 6.0,
        CellType::Hexahedron => {
            // 2x2x2 Gauss is exact for the trilinear Jacobian determinant.
            let g = [0.5 - 0.5 / 3f64.sqrt(), 0.5 + 0.5 / 3f64.sqrt()];
            let mut vol = 0.0;
            for a in g {
                for b in g {
                    for cc in g {
                        vol += hex_jac(&x, [a, b, cc]) / 8.0;
                    }
                }
            }
            vol
        }
    }
}

/// Whether cell `c` is positively oriented everywhere (all corner Jacobians positive).
pub fn positively_oriented(mesh: &Mesh, c: usize) -> bool {
    let x: Vec<[f64; 3]> = mesh.cell(c).iter().map(|&v| mesh.coords[v]).collect();
    match mesh.cell_type {
        CellType::Quad => (0..4).all(|i| {
            let prev = x[(i + 3) % 4];
            let next = x[(i + 1) % 4];
            cross(sub(next, x[i]), sub(prev, x[i]))[2] > 0.0
        }),
        CellType::Hexahedron => HEX_REF.iter().all(|&r| hex_jac(&x, r) > 0.0),
        _ => cell_measure(mesh, c) > 0.0,
    }
}

/// Unsigned measure of a facet (count for points, length, area).
pub fn facet_measure(coords: &[[f64; 3]], t: CellType, f: &[usize]) -> f64 {
    let x: Vec<[f64; 3]> = f.iter().map(|&v| coords[v]).collect();
    match t {
        CellType::Point => 1.0,
        CellType::Line => norm(sub(x[1], x[0])),
        CellType::Triangle => 0.5 * norm(cross(sub(x[1], x[0]), sub(x[2], x[0]))),
        // Half the cross product of the diagonals: exact for planar quads.
        CellType::Quad => 0.5 * norm(cross(sub(x[2], x[0]), sub(x[3], x[1]))),
        _ => panic!("not a facet type: {t:?}"),
    }
}

/// Outward-ish normal of a facet (unnormalised) for Line/Triangle/Quad facets; for Line facets
/// in 2D the normal is the tangent rotated clockwise.
pub fn facet_normal(coords: &[[f64; 3]], t: CellType, f: &[usize]) -> [f64; 3] {
    let x: Vec<[f64; 3]> = f.iter().map(|&v| coords[v]).collect();
    match t {
        CellType::Line => {
            let d = sub(x[1], x[0]);
            [d[1], -d[0], 0.0]
        }
        CellType::Triangle => cross(sub(x[1], x[0]), sub(x[2], x[0])),
        CellType::Quad => cross(sub(x[2], x[0]), sub(x[3], x[1])),
        _ => panic!("no normal for {t:?}"),
    }
}

pub fn sorted(f: &[usize]) -> Vec<usize> {
    let mut k = f.to_vec();
    k.sort_unstable();
    k
}

/// Whether `a` and `b` list the same cyclic vertex sequence (same facet, same orientation).
pub fn same_orientation(a: &[usize], b: &[usize]) -> bool {
    a.len() == b.len() && (0..a.len()).any(|s| (0..a.len()).all(|i| a[(i + s) % a.len()] == b[i]))
}

/// All cell facets: sorted vertex key → list of (cell, facet vertices in the cell's outward order).
pub fn facet_map(mesh: &Mesh) -> HashMap<Vec<usize>, Vec<(usize, Vec<usize>)>> {
    let mut map: HashMap<Vec<usize>, Vec<(usize, Vec<usize>)>> = HashMap::new();
    for c in 0..mesh.num_cells() {
        let cell = mesh.cell(c);
        for local in mesh.cell_type.facets() {
            let f: Vec<usize> = local.iter().map(|&l| cell[l]).collect();
            map.entry(sorted(&f)).or_default().push((c, f));
        }
    }
    map
}

/// Conformity checks: every facet is shared by one or two cells, interior facets are seen with
/// opposite orientations from their two cells, and every facet of a codimension-1 boundary is a
/// cell facet. Returns the number of facets that belong to exactly one cell.
pub fn check_conforming(mesh: &Mesh) -> usize {
    let map = facet_map(mesh);
    let mut exterior = 0;
    for (key, cells) in &map {
        assert!(
            cells.len() <= 2,
            "facet {key:?} shared by {} cells",
            cells.len()
        );
        if cells.len() == 1 {
            exterior += 1;
        } else if mesh.cell_type.facet_type() != CellType::Point {
            let (a, b) = (&cells[0].1, &cells[1].1);
            let mut rb = b.clone();
            rb.reverse();
            assert!(
                same_orientation(a, &rb),
                "facet {key:?} seen with the same orientation twice"
            );
        }
    }
    exterior
}

/// Total positive measure of all cells, asserting every cell is positively oriented.
pub fn total_measure(mesh: &Mesh) -> f64 {
    (0..mesh.num_cells())
        .map(|c| {
            assert!(
                positively_oriented(mesh, c),
                "cell {c} is not positively oriented: {:?}",
                mesh.cell(c)
            );
            cell_measure(mesh, c)
        })
        .sum()
}

/// Total measure of a named boundary's facets.
pub fn boundary_measure(mesh: &Mesh, name: &str) -> f64 {
    let b = &mesh.boundaries[name];
    let t = b.facet_type.expect("boundary has facets");
    b.iter().map(|f| facet_measure(&mesh.coords, t, f)).sum()
}

pub fn assert_close(a: f64, b: f64, rel: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * b.abs().max(1e-300),
        "{what}: {a} vs {b}"
    );
}
