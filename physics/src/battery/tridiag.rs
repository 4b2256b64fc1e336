//! Tridiagonal solves for the models' implicit steps, eliminating from both ends at once.
//!
//! A one-ended sweep (Thomas) is one chain of dependent divisions and multiplications down the
//! whole system; at the sizes here (20–60 rows, thousands of solves a discharge) its latency,
//! not its arithmetic, is the cost. Eliminating the sub-diagonal from the top and the
//! super-diagonal from the bottom, meeting at the middle row, gives two independent chains of
//! half the length that the processor runs side by side (the "twisted" factorisation of
//! tridiagonal systems), for the same arithmetic. No pivoting: the systems here are
//! diagonally dominant.

/// Run `f` on a zeroed scratch slice of length `n`: on the stack for the usual mesh sizes, on
/// the heap beyond (the models step thousands of times; no allocation per step).
pub(crate) fn with_scratch<R>(n: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
    // Two stack sizes: zeroing the larger costs more than the small solves themselves.
    if n <= 128 {
        f(&mut [0.0f64; 128][..n])
    } else if n <= 256 {
        f(&mut [0.0f64; 256][..n])
    } else {
        f(&mut vec![0.0; n])
    }
}

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
    // Top rows 0..m: x[k] = x̃[k] − w[k]·x[k+1]. Bottom rows n−1 down to m+1, `nb` of them
    // (m or m − 1): x[k] = x̃[k] − w[k]·x[k−1]. Zipped slices: no bounds checks in the loops.
    let m = n / 2;
    let nb = n - 1 - m;
    let (x_top, x_rest) = x[..n].split_at_mut(m);
    let (x_mid, x_bot) = x_rest.split_first_mut().expect("n > 0");
    let (w_top, w_rest) = work[..n].split_at_mut(m);
    let w_bot = &mut w_rest[1..];
    let rows = |a: usize, b: usize| lower[a..b].iter().zip(&diag[a..b]).zip(&upper[a..b]);
    let (mut wt, mut xt) = (0.0f64, 0.0f64);
    let (mut wb, mut xb) = (0.0f64, 0.0f64);
    let mut top = rows(0, m).zip(x_top.iter_mut().zip(w_top.iter_mut()));
    let bottom = rows(m + 1, n)
        .zip(x_bot.iter_mut().zip(w_bot.iter_mut()))
        .rev();
    for ((((lo, di), up), (xv, wv)), (((lb, db), ub), (xvb, wvb))) in
        top.by_ref().take(nb).zip(bottom)
    {
        let r = 1.0 / (di - lo * wt);
        wt = up * r;
        xt = (*xv - lo * xt) * r;
        (*wv, *xv) = (wt, xt);
        let r = 1.0 / (db - ub * wb);
        wb = lb * r;
        xb = (*xvb - ub * xb) * r;
        (*wvb, *xvb) = (wb, xb);
    }
    for (((lo, di), up), (xv, wv)) in top {
        let r = 1.0 / (di - lo * wt);
        wt = up * r;
        xt = (*xv - lo * xt) * r;
        (*wv, *xv) = (wt, xt);
    }
    // The middle row, with its neighbours in terms of itself.
    let lo_m = if m > 0 { lower[m] } else { 0.0 };
    let up_m = if nb > 0 { upper[m] } else { 0.0 };
    let xm = (*x_mid - lo_m * xt - up_m * xb) / (diag[m] - lo_m * wt - up_m * wb);
    *x_mid = xm;
    let (mut pt, mut pb) = (xm, xm);
    let mut top = x_top.iter_mut().rev().zip(w_top.iter().rev());
    for ((xv, wv), (xvb, wvb)) in top
        .by_ref()
        .take(nb)
        .zip(x_bot.iter_mut().zip(w_bot.iter()))
    {
        *xv -= wv * pt;
        pt = *xv;
        *xvb -= wvb * pb;
        pb = *xvb;
    }
    for (xv, wv) in top {
        *xv -= wv * pt;
        pt = *xv;
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
