//! Lagrange reference elements: counts, DOF node layout, Kronecker property, partition of unity,
//! gradients against finite differences and polynomial reproduction.

use galvana_mesh::fe::Element;
use galvana_mesh::CellType;

const CELLS: [CellType; 5] = [
    CellType::Line,
    CellType::Triangle,
    CellType::Quad,
    CellType::Tetrahedron,
    CellType::Hexahedron,
];

/// Small deterministic generator (tests must not depend on external crates or seeds).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A random point strictly inside the reference cell.
fn random_point(cell: CellType, rng: &mut Lcg) -> [f64; 3] {
    let d = cell.dim();
    loop {
        let mut x = [0.0; 3];
        for v in x.iter_mut().take(d) {
            *v = if cell.is_simplex() {
                rng.next()
            } else {
                2.0 * rng.next() - 1.0
            };
        }
        if !cell.is_simplex() || x.iter().sum::<f64>() < 1.0 {
            return x;
        }
    }
}

fn tab(el: &Element, xi: [f64; 3]) -> (Vec<f64>, Vec<[f64; 3]>) {
    let mut phi = vec![0.0; el.num_dofs()];
    let mut dphi = vec![[0.0; 3]; el.num_dofs()];
    el.tabulate(xi, &mut phi, &mut dphi);
    (phi, dphi)
}

#[test]
fn fe_element_dof_counts() {
    let expect = [
        (CellType::Line, 2, 3),
        (CellType::Triangle, 3, 6),
        (CellType::Quad, 4, 9),
        (CellType::Tetrahedron, 4, 10),
        (CellType::Hexahedron, 8, 27),
    ];
    for (cell, p1, p2) in expect {
        assert_eq!(
            Element::lagrange(cell, 1).unwrap().num_dofs(),
            p1,
            "{cell:?} P1"
        );
        assert_eq!(
            Element::lagrange(cell, 2).unwrap().num_dofs(),
            p2,
            "{cell:?} P2"
        );
        assert!(Element::lagrange(cell, 0).is_err());
        assert!(Element::lagrange(cell, 3).is_err());
    }
    for order in [1, 2] {
        let el = Element::lagrange(CellType::Point, order).unwrap();
        assert_eq!(el.num_dofs(), 1);
        let (phi, dphi) = tab(&el, [0.0; 3]);
        assert_eq!((phi[0], dphi[0]), (1.0, [0.0; 3]));
    }
}

#[test]
fn fe_element_node_layout_matches_vtk() {
    // Vertices first, then edge midpoints in CellType::edges() order.
    for cell in CELLS {
        let el = Element::lagrange(cell, 2).unwrap();
        let x = el.ref_dof_coords();
        let nv = cell.num_vertices();
        for (k, e) in cell.edges().iter().enumerate() {
            let mid: Vec<f64> = (0..3).map(|a| 0.5 * (x[e[0]][a] + x[e[1]][a])).collect();
            assert_eq!(x[nv + k].to_vec(), mid, "{cell:?} edge {k}");
        }
    }
    let line = Element::lagrange(CellType::Line, 2).unwrap();
    assert_eq!(
        line.ref_dof_coords(),
        &[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, 0.0, 0.0]]
    );
    let q = Element::lagrange(CellType::Quad, 2).unwrap();
    assert_eq!(q.ref_dof_coords()[8], [0.0; 3]);
    assert_eq!(q.ref_dof_coords()[4], [0.0, -1.0, 0.0]);
    let h = Element::lagrange(CellType::Hexahedron, 2).unwrap();
    let x = h.ref_dof_coords();
    // VTK_TRIQUADRATIC_HEXAHEDRON: faces x-, x+, y-, y+, z-, z+, then the centre.
    let faces = [
        [-1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, -1.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, -1.0],
        [0.0, 0.0, 1.0],
    ];
    assert_eq!(&x[20..26], &faces);
    assert_eq!(x[26], [0.0; 3]);
    assert_eq!(x[16], [-1.0, -1.0, 0.0]); // edge (0,4)
}

#[test]
fn fe_element_kronecker() {
    for cell in CELLS {
        for order in [1, 2] {
            let el = Element::lagrange(cell, order).unwrap();
            for (j, &xj) in el.ref_dof_coords().iter().enumerate() {
                let (phi, _) = tab(&el, xj);
                for (i, &p) in phi.iter().enumerate() {
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!(
                        (p - want).abs() < 1e-14,
                        "{cell:?} P{order}: phi_{i}(x_{j}) = {p}"
                    );
                }
            }
        }
    }
}

#[test]
fn fe_element_partition_of_unity_and_fd_gradients() {
    let mut rng = Lcg(7);
    let h = 1e-6;
    for cell in CELLS {
        for order in [1, 2] {
            let el = Element::lagrange(cell, order).unwrap();
            for _ in 0..20 {
                let xi = random_point(cell, &mut rng);
                let (phi, dphi) = tab(&el, xi);
                assert!((phi.iter().sum::<f64>() - 1.0).abs() < 1e-13);
                for a in 0..3 {
                    let s: f64 = dphi.iter().map(|g| g[a]).sum();
                    assert!(s.abs() < 1e-12, "{cell:?} P{order}: sum of d/dxi_{a} = {s}");
                }
                for a in 0..3 {
                    let (mut xp, mut xm) = (xi, xi);
                    xp[a] += h;
                    xm[a] -= h;
                    let (pp, _) = tab(&el, xp);
                    let (pm, _) = tab(&el, xm);
                    for i in 0..el.num_dofs() {
                        let fd = if a < cell.dim() {
                            (pp[i] - pm[i]) / (2.0 * h)
                        } else {
                            0.0
                        };
                        assert!(
                            (fd - dphi[i][a]).abs() < 1e-7,
                            "{cell:?} P{order} dof {i} axis {a}: fd {fd} vs {}",
                            dphi[i][a]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn fe_element_reproduces_its_polynomial_space() {
    // P2 reproduces total-degree-2 polynomials; Q2 also reproduces x^2 y^2 (z^2) products.
    let mut rng = Lcg(11);
    for cell in CELLS {
        let el = Element::lagrange(cell, 2).unwrap();
        let f = |x: [f64; 3]| {
            let mut v = 0.3 + x[0] - 2.0 * x[1] + 0.5 * x[2] + x[0] * x[0] - 0.7 * x[0] * x[1]
                + 1.3 * x[1] * x[2]
                - x[2] * x[2];
            if !cell.is_simplex() {
                v += 0.9 * x[0] * x[0] * x[1] * x[1] * (1.0 + x[2] * x[2]);
            }
            v
        };
        let nodal: Vec<f64> = el.ref_dof_coords().iter().map(|&x| f(x)).collect();
        for _ in 0..20 {
            let xi = random_point(cell, &mut rng);
            let (phi, _) = tab(&el, xi);
            let u: f64 = phi.iter().zip(&nodal).map(|(p, n)| p * n).sum();
            assert!((u - f(xi)).abs() < 1e-12, "{cell:?}: {u} vs {}", f(xi));
        }
    }
}
