//! Tridiagonal solves for the models' implicit steps, eliminating from both ends at once.
//!
//! A one-ended sweep (Thomas) is one chain of dependent divisions and multiplications down the
//! whole system; at the sizes here (20–60 rows, thousands of solves a discharge) its latency,
//! not its arithmetic, is the cost. Eliminating the sub-diagonal from the top and the
//! super-diagonal from the bottom, meeting at the middle row, gives two independent chains of
//! half the length that the processor runs side by side (the "twisted" factorisation of
//! tridiagonal systems), for the same arithmetic. No pivoting: the systems here are
//! diagonally dominant.

/// Solve the system with rows `lower[k]·x[k−1] + diag[k]·x[k] + upper[k]·x[k+1] = b[k]` in
/// place: `x` holds b on entry and the solution on return (`lower[0]` and `upper[n−1]` must be
/// finite; they are not used). `work` is scratch of the same length.
pub fn solve(lower: &[f64], diag: &[f64], upper: &[f64], x: &mut [f64], work: &mut [f64]) {
    let n = diag.len();
    assert!(
        lower.len() >= n && upper.len() >= n && x.len() >= n && work.len() >= n,
        "tridiagonal solve: slices shorter than the diagonal"
    );
    if n == 0 {
        return;
    }
    let m = n / 2;
    // Top rows 0..m: x[k] = x̃[k] − w[k]·x[k+1]. Bottom rows n−1 down to m+1 (never more than
    // the top's): x[k] = x̃[k] − w[k]·x[k−1].
    let (mut wt, mut xt) = (0.0, 0.0);
    let (mut wb, mut xb) = (0.0f64, 0.0f64);
    for j in 0..m {
        let r = 1.0 / (diag[j] - lower[j] * wt);
        wt = upper[j] * r;
        xt = (x[j] - lower[j] * xt) * r;
        work[j] = wt;
        x[j] = xt;
        let k = n - 1 - j;
        if k > m {
            let r = 1.0 / (diag[k] - upper[k] * wb);
            wb = lower[k] * r;
            xb = (x[k] - upper[k] * xb) * r;
            work[k] = wb;
            x[k] = xb;
        }
    }
    // The middle row, with its neighbours in terms of itself (nothing below it when n ≤ 2:
    // then wb = xb = 0).
    let up_m = if m + 1 < n { upper[m] } else { 0.0 };
    let lo_m = if m > 0 { lower[m] } else { 0.0 };
    x[m] = (x[m] - lo_m * xt - up_m * xb) / (diag[m] - lo_m * wt - up_m * wb);
    for s in 1..=m {
        let k = m - s;
        x[k] -= work[k] * x[k + 1];
        let k = m + s;
        if k < n {
            x[k] -= work[k] * x[k - 1];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the dense solution by Gaussian elimination with pivoting, for every size from 1
    /// (odd and even: the middle row falls differently) on a diagonally dominant system.
    #[test]
    fn matches_dense_elimination() {
        for n in 1..=13usize {
            let f = |k: usize, s: f64| ((k as f64 + 1.0) * s).sin();
            let lower: Vec<f64> = (0..n)
                .map(|k| if k == 0 { 0.0 } else { f(k, 0.7) })
                .collect();
            let upper: Vec<f64> = (0..n)
                .map(|k| if k + 1 == n { 0.0 } else { f(k, 1.3) })
                .collect();
            let diag: Vec<f64> = (0..n).map(|k| 3.0 + f(k, 0.4)).collect();
            let rhs: Vec<f64> = (0..n).map(|k| f(k, 2.1) * 10.0).collect();
            let mut a = vec![vec![0.0; n + 1]; n];
            for k in 0..n {
                a[k][k] = diag[k];
                if k > 0 {
                    a[k][k - 1] = lower[k];
                }
                if k + 1 < n {
                    a[k][k + 1] = upper[k];
                }
                a[k][n] = rhs[k];
            }
            for c in 0..n {
                let p = (c..n)
                    .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
                    .unwrap();
                a.swap(c, p);
                let pivot = a[c].clone();
                for (r, row) in a.iter_mut().enumerate() {
                    if r != c {
                        let m = row[c] / pivot[c];
                        for (v, pv) in row.iter_mut().zip(&pivot).skip(c) {
                            *v -= m * pv;
                        }
                    }
                }
            }
            let (mut x, mut w) = (rhs.clone(), vec![0.0; n]);
            solve(&lower, &diag, &upper, &mut x, &mut w);
            for k in 0..n {
                let exact = a[k][n] / a[k][k];
                assert!(
                    (x[k] - exact).abs() < 1e-12 * exact.abs().max(1.0),
                    "n {n} row {k}: {} vs {exact}",
                    x[k]
                );
            }
        }
    }
}
