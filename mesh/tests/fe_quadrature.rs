//! Quadrature rules against analytic monomial integrals over the reference cells.

use galvana_mesh::fe::Quadrature;
use galvana_mesh::CellType;

fn fact(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// ∫ x^a y^b z^c over the reference cell.
fn exact(cell: CellType, [a, b, c]: [u32; 3]) -> f64 {
    // ∫_{-1}^{1} t^k dt
    let sym = |k: u32| {
        if k % 2 == 1 {
            0.0
        } else {
            2.0 / f64::from(k + 1)
        }
    };
    match cell {
        CellType::Point => 1.0,
        CellType::Line => 1.0 / f64::from(a + 1),
        CellType::Triangle => fact(a) * fact(b) / fact(a + b + 2),
        CellType::Tetrahedron => fact(a) * fact(b) * fact(c) / fact(a + b + c + 3),
        CellType::Quad => sym(a) * sym(b),
        CellType::Hexahedron => sym(a) * sym(b) * sym(c),
    }
}

fn integrate(q: &Quadrature, [a, b, c]: [u32; 3]) -> f64 {
    q.points
        .iter()
        .zip(&q.weights)
        .map(|(x, w)| w * x[0].powi(a as i32) * x[1].powi(b as i32) * x[2].powi(c as i32))
        .sum()
}

/// Exponents of all monomials the rule must integrate exactly at `degree`.
fn monomials(cell: CellType, degree: u32) -> Vec<[u32; 3]> {
    let d = cell.dim();
    let r = |k: usize| if k < d { 0..=degree } else { 0..=0 };
    let mut out = Vec::new();
    for a in r(0) {
        for b in r(1) {
            for c in r(2) {
                if !cell.is_simplex() || a + b + c <= degree {
                    out.push([a, b, c]);
                }
            }
        }
    }
    out
}

#[test]
fn fe_quadrature_exact_up_to_degree() {
    for cell in [
        CellType::Line,
        CellType::Triangle,
        CellType::Quad,
        CellType::Tetrahedron,
        CellType::Hexahedron,
    ] {
        for degree in 0..=12u32 {
            let q = Quadrature::new(cell, degree as usize);
            assert_eq!(q.points.len(), q.weights.len());
            for m in monomials(cell, degree) {
                let (got, want) = (integrate(&q, m), exact(cell, m));
                assert!(
                    (got - want).abs() < 1e-12 * want.abs() + 1e-14,
                    "{cell:?} degree {degree} monomial {m:?}: {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn fe_quadrature_points_inside_and_positive_weights() {
    for cell in [
        CellType::Line,
        CellType::Triangle,
        CellType::Quad,
        CellType::Tetrahedron,
        CellType::Hexahedron,
    ] {
        for degree in [1, 5, 9] {
            let q = Quadrature::new(cell, degree);
            for (x, &w) in q.points.iter().zip(&q.weights) {
                assert!(w > 0.0);
                let d = cell.dim();
                assert!(x[d..].iter().all(|&v| v == 0.0));
                if cell.is_simplex() {
                    assert!(
                        x[..d].iter().all(|&v| v > 0.0) && x[..d].iter().sum::<f64>() < 1.0,
                        "{cell:?} {x:?}"
                    );
                } else {
                    assert!(x[..d].iter().all(|&v| v.abs() < 1.0));
                }
            }
        }
    }
}

#[test]
fn fe_quadrature_gauss_legendre_fails_one_degree_above() {
    // An n-point Gauss rule is exact to degree 2n-1 and no further: t^(2n) must be wrong, which
    // shows the exactness test above can fail.
    for degree in [1usize, 3, 5, 7, 9] {
        let line = Quadrature::new(CellType::Line, degree);
        assert_eq!(line.points.len(), degree.div_ceil(2));
        let k = degree as u32 + 1;
        let err = (integrate(&line, [k, 0, 0]) - exact(CellType::Line, [k, 0, 0])).abs();
        assert!(
            err > 1e-6,
            "degree {degree}: x^{k} unexpectedly exact (error {err})"
        );
        let quad = Quadrature::new(CellType::Quad, degree);
        let err = (integrate(&quad, [k, 0, 0]) - exact(CellType::Quad, [k, 0, 0])).abs();
        assert!(err > 1e-6, "quad degree {degree}: x^{k} unexpectedly exact");
    }
}

#[test]
fn fe_quadrature_point_rule() {
    let q = Quadrature::new(CellType::Point, 7);
    assert_eq!(q.points, vec![[0.0; 3]]);
    assert_eq!(q.weights, vec![1.0]);
}
