//! Cell and facet maps: Jacobians, volumes, gradient push-forward, facet measures and normals.

use galvana_mesh::fe::geometry::push_gradient;
use galvana_mesh::fe::{map_cell, map_facet, Element, Quadrature};
use galvana_mesh::CellType;

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12 * (1.0 + b.abs())
}

/// ∫ 1 over the physical cell by quadrature.
fn volume(cell: CellType, v: &[[f64; 3]]) -> f64 {
    let q = Quadrature::new(cell, 4);
    q.points
        .iter()
        .zip(&q.weights)
        .map(|(&xi, w)| w * map_cell(cell, v, xi).det)
        .sum()
}

/// Affine cells: x = A + J xi with a known J. Reference simplices have a vertex at the origin
/// and unit edges; tensor cells are [-1,1]^d, so a physical edge e maps to half of it.
#[test]
fn fe_geometry_affine_jacobians() {
    let a = [0.5, -1.0, 2.0];
    let (e1, e2, e3) = ([2.0, 0.5, 0.1], [-0.3, 1.5, 0.2], [0.4, -0.2, 3.0]);
    let add =
        |p: [f64; 3], q: [f64; 3], s: f64| [p[0] + s * q[0], p[1] + s * q[1], p[2] + s * q[2]];
    let det3 = dot(e1, cross(e2, e3));
    let tet = [a, add(a, e1, 1.0), add(a, e2, 1.0), add(a, e3, 1.0)];
    let m = map_cell(CellType::Tetrahedron, &tet, [0.2, 0.3, 0.1]);
    for i in 0..3 {
        assert!(
            close(m.jac[i][0], e1[i]) && close(m.jac[i][1], e2[i]) && close(m.jac[i][2], e3[i])
        );
        assert!(close(
            m.x[i],
            a[i] + 0.2 * e1[i] + 0.3 * e2[i] + 0.1 * e3[i]
        ));
    }
    assert!(close(m.det, det3));
    assert!(close(volume(CellType::Tetrahedron, &tet), det3 / 6.0));
    // Swapping two vertices flips the sign.
    let flipped = [tet[0], tet[2], tet[1], tet[3]];
    assert!(close(
        map_cell(CellType::Tetrahedron, &flipped, [0.1; 3]).det,
        -det3
    ));

    // Parallelepiped hexahedron: vertices at a + (s_x e1 + s_y e2 + s_z e3), s in {0,1}.
    let corner = |sx: f64, sy: f64, sz: f64| add(add(add(a, e1, sx), e2, sy), e3, sz);
    let hex = [
        corner(0., 0., 0.),
        corner(1., 0., 0.),
        corner(1., 1., 0.),
        corner(0., 1., 0.),
        corner(0., 0., 1.),
        corner(1., 0., 1.),
        corner(1., 1., 1.),
        corner(0., 1., 1.),
    ];
    let m = map_cell(CellType::Hexahedron, &hex, [0.3, -0.7, 0.2]);
    assert!(close(m.det, det3 / 8.0));
    assert!(close(m.jac[1][2], e3[1] / 2.0));
    assert!(close(volume(CellType::Hexahedron, &hex), det3));

    // 2D: triangle and parallelogram quad (z components ignored).
    let (f1, f2) = ([2.0, 0.5, 0.0], [-0.3, 1.5, 0.0]);
    let det2 = f1[0] * f2[1] - f1[1] * f2[0];
    let tri = [a, add(a, f1, 1.0), add(a, f2, 1.0)];
    let m = map_cell(CellType::Triangle, &tri, [0.25, 0.25, 0.0]);
    assert!(close(m.det, det2) && close(m.jac[0][1], f2[0]) && m.jac[2][2] == 1.0);
    assert!(close(volume(CellType::Triangle, &tri), det2 / 2.0));
    let quad = [
        a,
        add(a, f1, 1.0),
        add(add(a, f1, 1.0), f2, 1.0),
        add(a, f2, 1.0),
    ];
    assert!(close(
        map_cell(CellType::Quad, &quad, [0.5, 0.1, 0.0]).det,
        det2 / 4.0
    ));
    assert!(close(volume(CellType::Quad, &quad), det2));

    // 1D.
    let m = map_cell(
        CellType::Line,
        &[[1.0, 0.0, 0.0], [4.0, 0.0, 0.0]],
        [0.5, 0.0, 0.0],
    );
    assert!(close(m.det, 3.0) && close(m.x[0], 2.5) && close(m.inv[0][0], 1.0 / 3.0));
}

#[test]
fn fe_geometry_non_affine_volumes() {
    // Quad: area by the shoelace formula.
    let q = [
        [0.0, 0.0, 0.0],
        [2.0, 0.2, 0.0],
        [1.7, 1.9, 0.0],
        [-0.4, 1.0, 0.0],
    ];
    let shoelace: f64 = (0..4)
        .map(|i| q[i][0] * q[(i + 1) % 4][1] - q[(i + 1) % 4][0] * q[i][1])
        .sum::<f64>()
        / 2.0;
    assert!(close(volume(CellType::Quad, &q), shoelace));
    // Hex over the unit square with a bilinear top surface: volume = mean corner height.
    let h = [1.0, 1.5, 2.0, 0.8];
    let base = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
    let mut hex = Vec::new();
    for b in base {
        hex.push([b[0], b[1], 0.0]);
    }
    for (b, h) in base.iter().zip(h) {
        hex.push([b[0], b[1], h]);
    }
    assert!(close(
        volume(CellType::Hexahedron, &hex),
        h.iter().sum::<f64>() / 4.0
    ));
}

#[test]
fn fe_geometry_inverse_and_gradient_push() {
    let hex = [
        [0.0, 0.0, 0.0],
        [2.0, 0.1, 0.0],
        [2.2, 1.3, 0.1],
        [0.1, 1.0, 0.0],
        [0.0, 0.2, 1.1],
        [2.1, 0.0, 1.0],
        [2.0, 1.2, 1.3],
        [0.0, 1.1, 0.9],
    ];
    let cases: [(CellType, &[[f64; 3]]); 3] = [
        (CellType::Hexahedron, &hex),
        (
            CellType::Triangle,
            &[[0.0, 0.0, 0.0], [1.0, 0.3, 0.0], [0.2, 2.0, 0.0]],
        ),
        (
            CellType::Tetrahedron,
            &[
                [0.0, 0.0, 0.0],
                [1.0, 0.3, 0.0],
                [0.2, 2.0, 0.0],
                [0.1, 0.2, 0.7],
            ],
        ),
    ];
    for (cell, v) in cases {
        let d = cell.dim();
        let xi = [0.2, 0.3, if d == 3 { 0.1 } else { 0.0 }];
        let m = map_cell(cell, v, xi);
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| m.inv[i][k] * m.jac[k][j]).sum();
                assert!((p - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        // u(x) = g·x is in the P1/Q1 space: interpolate, take reference gradients, push forward.
        let g = [0.7, -1.2, if d == 3 { 2.5 } else { 0.0 }];
        let el = Element::lagrange(cell, 1).unwrap();
        let mut phi = vec![0.0; el.num_dofs()];
        let mut dphi = vec![[0.0; 3]; el.num_dofs()];
        el.tabulate(xi, &mut phi, &mut dphi);
        let mut grad = [0.0; 3];
        for (k, vk) in v.iter().enumerate() {
            let pk = push_gradient(&m, d, dphi[k]);
            for a in 0..3 {
                grad[a] += dot(g, *vk) * pk[a];
            }
        }
        for a in 0..3 {
            assert!(
                (grad[a] - g[a]).abs() < 1e-12,
                "{cell:?}: {grad:?} vs {g:?}"
            );
        }
    }
}

/// Every facet of a positively oriented cell gets an outward unit normal orthogonal to the facet,
/// and scale × Σ weights is the facet's measure.
#[test]
fn fe_geometry_facets_of_cells() {
    let hex = [
        [0.0, 0.0, 0.0],
        [2.0, 0.0, 0.0],
        [2.0, 1.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 3.0],
        [2.0, 0.0, 3.0],
        [2.0, 1.0, 3.0],
        [0.0, 1.0, 3.0],
    ];
    let cases: [(CellType, &[[f64; 3]]); 4] = [
        (
            CellType::Triangle,
            &[[0.0, 0.0, 0.0], [2.0, 0.3, 0.0], [0.4, 1.5, 0.0]],
        ),
        (
            CellType::Quad,
            &[
                [0.0, 0.0, 0.0],
                [2.0, 0.0, 0.0],
                [2.0, 1.0, 0.0],
                [0.0, 1.0, 0.0],
            ],
        ),
        (
            CellType::Tetrahedron,
            &[
                [0.1, 0.0, 0.0],
                [1.0, 0.2, 0.0],
                [0.0, 1.3, 0.1],
                [0.2, 0.1, 0.9],
            ],
        ),
        (CellType::Hexahedron, &hex),
    ];
    for (cell, v) in cases {
        let d = cell.dim();
        let centre: Vec<f64> = (0..3)
            .map(|a| v.iter().map(|p| p[a]).sum::<f64>() / v.len() as f64)
            .collect();
        let ft = cell.facet_type();
        let q = Quadrature::new(ft, 3);
        for f in cell.facets() {
            let fv: Vec<[f64; 3]> = f.iter().map(|&i| v[i]).collect();
            let fc: Vec<f64> = (0..3)
                .map(|a| fv.iter().map(|p| p[a]).sum::<f64>() / fv.len() as f64)
                .collect();
            let mut measure = 0.0;
            for (&xi, w) in q.points.iter().zip(&q.weights) {
                let m = map_facet(ft, &fv, xi, d);
                measure += w * m.scale;
                assert!((dot(m.normal, m.normal) - 1.0).abs() < 1e-12);
                for k in 1..fv.len() {
                    assert!(
                        dot(m.normal, sub(fv[k], fv[0])).abs() < 1e-12,
                        "{cell:?}: normal not orthogonal"
                    );
                }
                let out = sub([fc[0], fc[1], fc[2]], [centre[0], centre[1], centre[2]]);
                assert!(
                    dot(m.normal, out) > 0.0,
                    "{cell:?} facet {f:?}: normal points inward"
                );
            }
            let want = match ft {
                CellType::Line => dot(sub(fv[1], fv[0]), sub(fv[1], fv[0])).sqrt(),
                CellType::Triangle => {
                    0.5 * dot(
                        cross(sub(fv[1], fv[0]), sub(fv[2], fv[0])),
                        cross(sub(fv[1], fv[0]), sub(fv[2], fv[0])),
                    )
                    .sqrt()
                }
                _ => {
                    // Rectangle faces of the box: product of two adjacent side lengths.
                    let (s1, s2) = (sub(fv[1], fv[0]), sub(fv[3], fv[0]));
                    dot(s1, s1).sqrt() * dot(s2, s2).sqrt()
                }
            };
            assert!(
                close(measure, want),
                "{cell:?} facet {f:?}: {measure} vs {want}"
            );
        }
    }
}

#[test]
fn fe_geometry_tilted_facets_and_points() {
    // A planar parallelogram in a tilted plane: area |a × b|, normal along a × b.
    let (o, a, b) = ([1.0, 2.0, 3.0], [1.0, 1.0, 0.5], [-0.5, 0.3, 1.2]);
    let p = |s: f64, t: f64| {
        [
            o[0] + s * a[0] + t * b[0],
            o[1] + s * a[1] + t * b[1],
            o[2] + s * a[2] + t * b[2],
        ]
    };
    let quad = [p(0., 0.), p(1., 0.), p(1., 1.), p(0., 1.)];
    let n = cross(a, b);
    let area = dot(n, n).sqrt();
    let q = Quadrature::new(CellType::Quad, 2);
    let mut s = 0.0;
    for (&xi, w) in q.points.iter().zip(&q.weights) {
        let m = map_facet(CellType::Quad, &quad, xi, 3);
        s += w * m.scale;
        assert!(close(dot(m.normal, n), area));
    }
    assert!(close(s, area));
    // Line facet in 2D: normal to the right of v0 -> v1.
    let m = map_facet(
        CellType::Line,
        &[[0.0, 0.0, 0.0], [0.0, 2.0, 0.0]],
        [0.5, 0.0, 0.0],
        2,
    );
    assert_eq!(
        (m.normal, m.scale, m.x),
        ([1.0, 0.0, 0.0], 2.0, [0.0, 1.0, 0.0])
    );
    let m = map_facet(CellType::Point, &[[3.0, 0.0, 0.0]], [0.0; 3], 1);
    assert_eq!((m.normal, m.scale, m.x), ([0.0; 3], 1.0, [3.0, 0.0, 0.0]));
}
