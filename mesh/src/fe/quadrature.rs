//! Quadrature rules on the reference cells.
//!
//! Tensor cells use Gauss–Legendre products. Simplices use collapsed (Duffy) product rules:
//! Gauss–Legendre in the first direction and Gauss–Jacobi with weight `(1-v)^α` in the collapsed
//! ones, so the Duffy Jacobian is absorbed exactly and `n = degree/2 + 1` points per direction
//! suffice. All 1D rules come from the Golub–Welsch eigenproblem, so any degree is available.

use super::element::reference_measure;
use crate::cell::CellType;

/// Points (reference coordinates) and weights of a quadrature rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Quadrature {
    pub points: Vec<[f64; 3]>,
    pub weights: Vec<f64>,
}

impl Quadrature {
    /// Rule on the reference cell exact for polynomials of total degree `degree` (simplices) or
    /// of degree `degree` in each variable (tensor cells). Weights sum to the reference measure.
    pub fn new(cell: CellType, degree: usize) -> Quadrature {
        let n = degree / 2 + 1;
        let (mut points, mut weights) = (Vec::new(), Vec::new());
        match cell {
            CellType::Point => {
                points.push([0.0; 3]);
                weights.push(1.0);
            }
            CellType::Line => {
                let (x, w) = gauss_jacobi01(n, 0);
                for i in 0..n {
                    points.push([x[i], 0.0, 0.0]);
                    weights.push(w[i]);
                }
            }
            CellType::Quad | CellType::Hexahedron => {
                let (x, w) = gauss_legendre(n);
                let d = cell.dim();
                let nz = if d == 3 { n } else { 1 };
                for k in 0..nz {
                    for j in 0..n {
                        for i in 0..n {
                            if d == 3 {
                                points.push([x[i], x[j], x[k]]);
                                weights.push(w[i] * w[j] * w[k]);
                            } else {
                                points.push([x[i], x[j], 0.0]);
                                weights.push(w[i] * w[j]);
                            }
                        }
                    }
                }
            }
            CellType::Triangle => {
                // x = u (1 - v), y = v; dx dy = (1 - v) du dv.
                let (u, wu) = gauss_jacobi01(n, 0);
                let (v, wv) = gauss_jacobi01(n, 1);
                for j in 0..n {
                    for i in 0..n {
                        points.push([u[i] * (1.0 - v[j]), v[j], 0.0]);
                        weights.push(wu[i] * wv[j]);
                    }
                }
            }
            CellType::Tetrahedron => {
                // x = u (1-v)(1-w), y = v (1-w), z = w; dx dy dz = (1-v)(1-w)^2 du dv dw.
                let (u, wu) = gauss_jacobi01(n, 0);
                let (v, wv) = gauss_jacobi01(n, 1);
                let (w, ww) = gauss_jacobi01(n, 2);
                for k in 0..n {
                    for j in 0..n {
                        for i in 0..n {
                            let s = 1.0 - w[k];
                            points.push([u[i] * (1.0 - v[j]) * s, v[j] * s, w[k]]);
                            weights.push(wu[i] * wv[j] * ww[k]);
                        }
                    }
                }
            }
        }
        debug_assert!(
            (weights.iter().sum::<f64>() - reference_measure(cell)).abs() < 1e-12,
            "quadrature weights must sum to the reference measure"
        );
        Quadrature { points, weights }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

/// `n`-point Gauss–Legendre rule on `[-1, 1]` (nodes ascending); exact for degree `2n - 1`.
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    gauss_jacobi(n, 0.0, 0.0)
}

/// `n`-point Gauss rule on `[0, 1]` for the weight `(1 - v)^alpha` (nodes ascending).
pub fn gauss_jacobi01(n: usize, alpha: u32) -> (Vec<f64>, Vec<f64>) {
    let (t, w) = gauss_jacobi(n, alpha as f64, 0.0);
    // v = (1 + t)/2: (1 - t)^α dt = 2^(α+1) (1 - v)^α dv.
    let scale = 0.5f64.powi(alpha as i32 + 1);
    (
        t.iter().map(|t| 0.5 * (1.0 + t)).collect(),
        w.iter().map(|w| w * scale).collect(),
    )
}

/// `n`-point Gauss–Jacobi rule on `[-1, 1]` for the weight `(1-t)^α (1+t)^β` (Golub–Welsch).
pub fn gauss_jacobi(n: usize, alpha: f64, beta: f64) -> (Vec<f64>, Vec<f64>) {
    assert!(n >= 1, "a quadrature rule needs at least one point");
    let (a, b) = (alpha, beta);
    // Three-term recurrence coefficients of the orthonormal Jacobi polynomials form the
    // symmetric tridiagonal Jacobi matrix; its eigenvalues are the nodes.
    let mut m = vec![vec![0.0; n]; n];
    for k in 0..n {
        let s = 2.0 * k as f64 + a + b;
        m[k][k] = if (b * b - a * a) == 0.0 {
            0.0
        } else if k == 0 {
            (b - a) / (a + b + 2.0)
        } else {
            (b * b - a * a) / (s * (s + 2.0))
        };
        if k > 0 {
            let kf = k as f64;
            let num = 4.0 * kf * (kf + a) * (kf + b) * (kf + a + b);
            let off = (num / (s * s * (s + 1.0) * (s - 1.0))).sqrt();
            m[k - 1][k] = off;
            m[k][k - 1] = off;
        }
    }
    let mu0 = 2f64.powf(a + b + 1.0) * gamma_int_like(a) * gamma_int_like(b)
        / gamma_int_like(a + b + 1.0);
    let (vals, vecs) = symmetric_eigen(m);
    let mut pairs: Vec<(f64, f64)> = (0..n)
        .map(|i| (vals[i], mu0 * vecs[0][i] * vecs[0][i]))
        .collect();
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    if a == b {
        // Symmetric weight: make the rule exactly symmetric so odd monomials integrate to 0.
        for i in 0..n / 2 {
            let j = n - 1 - i;
            let (x, w) = (
                0.5 * (pairs[j].0 - pairs[i].0),
                0.5 * (pairs[i].1 + pairs[j].1),
            );
            pairs[i] = (-x, w);
            pairs[j] = (x, w);
        }
        if n % 2 == 1 {
            pairs[n / 2].0 = 0.0;
        }
    }
    pairs.into_iter().unzip()
}

/// Γ(x + 1) for the non-negative integer exponents used here.
fn gamma_int_like(x: f64) -> f64 {
    assert!(
        x >= 0.0 && x.fract() == 0.0,
        "only integer Jacobi exponents are supported"
    );
    (1..=x as u64).map(|k| k as f64).product()
}

/// Eigenvalues and eigenvectors (columns) of a small symmetric matrix by cyclic Jacobi rotations,
/// which are accurate to rounding for the well-conditioned Jacobi matrices used here.
fn symmetric_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let diag: f64 = (0..n).map(|i| a[i][i] * a[i][i]).sum();
        if off <= 1e-32 * diag.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = if theta.abs() > 1e150 {
                    0.5 / theta
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in a.iter_mut() {
                    let (x, y) = (row[p], row[q]);
                    row[p] = c * x - s * y;
                    row[q] = s * x + c * y;
                }
                let (rp, rq) = (a[p].clone(), a[q].clone());
                for k in 0..n {
                    a[p][k] = c * rp[k] - s * rq[k];
                    a[q][k] = s * rp[k] + c * rq[k];
                }
                for row in v.iter_mut() {
                    let (x, y) = (row[p], row[q]);
                    row[p] = c * x - s * y;
                    row[q] = s * x + c * y;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}
