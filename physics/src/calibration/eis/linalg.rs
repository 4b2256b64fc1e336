//! Small dense least squares (Householder QR) for the fits; matrices are row-major.

/// Solves min ‖A x − b‖₂ for `A` with `rows ≥ cols` (row-major, `rows × cols`) by Householder
/// QR. Returns `x` and the upper-triangular factor `R` (row-major `cols × cols`), or `None`
/// if `A` is rank deficient (a zero pivot).
pub fn lstsq(a: &[f64], b: &[f64], rows: usize, cols: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    debug_assert!(rows >= cols && a.len() == rows * cols && b.len() == rows);
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    let mut v = vec![0.0; rows];
    // Rank test per column, relative to the column's own norm: fitted parameters can differ
    // by many orders of magnitude in scale.
    let col_norm: Vec<f64> = (0..cols)
        .map(|j| norm2((0..rows).map(|i| a[i * cols + j])))
        .collect();
    for k in 0..cols {
        let norm = norm2((k..rows).map(|i| a[i * cols + k]));
        if norm == 0.0 || norm <= 1e-13 * col_norm[k] || !norm.is_finite() {
            return None;
        }
        let alpha = if a[k * cols + k] > 0.0 { -norm } else { norm };
        for i in k..rows {
            v[i] = a[i * cols + k];
        }
        v[k] -= alpha;
        let vnorm2: f64 = (k..rows).map(|i| v[i] * v[i]).sum();
        if vnorm2 > 0.0 {
            for j in k..cols {
                let s: f64 = (k..rows).map(|i| v[i] * a[i * cols + j]).sum::<f64>() * 2.0 / vnorm2;
                for i in k..rows {
                    a[i * cols + j] -= s * v[i];
                }
            }
            let s: f64 = (k..rows).map(|i| v[i] * b[i]).sum::<f64>() * 2.0 / vnorm2;
            for i in k..rows {
                b[i] -= s * v[i];
            }
        }
    }
    let mut r = vec![0.0; cols * cols];
    for i in 0..cols {
        for j in i..cols {
            r[i * cols + j] = a[i * cols + j];
        }
    }
    let x = back_substitute(&r, &b[..cols], cols)?;
    Some((x, r))
}

/// Euclidean norm without overflow or underflow (scaled by the largest magnitude; much
/// cheaper than chained `hypot`).
fn norm2(x: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = x.clone().fold(0.0f64, |m, v| m.max(v.abs()));
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    m * x.map(|v| (v / m) * (v / m)).sum::<f64>().sqrt()
}

/// Solves R x = y for upper-triangular `R` (`n × n`, row-major).
fn back_substitute(r: &[f64], y: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let d = r[i * n + i];
        if d == 0.0 || !d.is_finite() {
            return None;
        }
        let s: f64 = ((i + 1)..n).map(|j| r[i * n + j] * x[j]).sum();
        x[i] = (y[i] - s) / d;
    }
    Some(x)
}

/// (RᵀR)⁻¹ = R⁻¹R⁻ᵀ from the QR factor `R` of A, i.e. (AᵀA)⁻¹.
pub fn inverse_normal(r: &[f64], n: usize) -> Option<Vec<f64>> {
    // Columns of R⁻¹ by back substitution.
    let mut rinv = vec![0.0; n * n];
    for c in 0..n {
        let mut e = vec![0.0; n];
        e[c] = 1.0;
        let col = back_substitute(r, &e, n)?;
        for i in 0..n {
            rinv[i * n + c] = col[i];
        }
    }
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = (0..n).map(|k| rinv[i * n + k] * rinv[j * n + k]).sum();
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_overdetermined_system_and_inverts_normal_matrix() {
        // Fit y = 1 + 2x − 0.5x² exactly through 5 points.
        let xs = [-1.0, 0.0, 0.5, 1.0, 2.0];
        let mut a = Vec::new();
        let mut b = Vec::new();
        for &x in &xs {
            a.extend_from_slice(&[1.0, x, x * x]);
            b.push(1.0 + 2.0 * x - 0.5 * x * x);
        }
        let (sol, r) = lstsq(&a, &b, 5, 3).unwrap();
        for (s, t) in sol.iter().zip([1.0, 2.0, -0.5]) {
            assert!((s - t).abs() < 1e-13);
        }
        let inv = inverse_normal(&r, 3).unwrap();
        // (AᵀA) · inv = I
        for i in 0..3 {
            for j in 0..3 {
                let ata_row: Vec<f64> = (0..3)
                    .map(|k| (0..5).map(|m| a[m * 3 + i] * a[m * 3 + k]).sum())
                    .collect();
                let v: f64 = (0..3).map(|k| ata_row[k] * inv[k * 3 + j]).sum();
                assert!((v - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        assert!(lstsq(&[1.0, 2.0, 2.0, 4.0], &[1.0, 2.0], 2, 2).is_none());
    }
}
