//! Small numerical helpers of the fits: dense symmetric solves, quantiles and percentiles.

/// Cholesky factor L (row-major n × n, lower) of the symmetric positive definite `a`; `None`
/// when `a` is not (numerically) positive definite.
pub fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solve L Lᵀ x = b.
pub fn cholesky_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[i * n + k] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[k * n + i] * y[k];
        }
        y[i] /= l[i * n + i];
    }
    y
}

/// The inverse of the symmetric positive definite `a` (row-major), `None` if it is singular.
pub fn spd_inverse(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let l = cholesky(a, n)?;
    let mut inv = vec![0.0; n * n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let x = cholesky_solve(&l, n, &e);
        for i in 0..n {
            inv[i * n + j] = x[i];
        }
    }
    Some(inv)
}

/// The standard normal quantile Φ⁻¹(p), 0 < p < 1 (Acklam's rational approximation relative
/// error below 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let q = p.min(1.0 - p);
    let x = if q < 0.02425 {
        let r = (-2.0 * q.ln()).sqrt();
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    } else {
        let u = q - 0.5;
        let r = u * u;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * u
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // x is the quantile of q <= 0.5 (negative).
    if p < 0.5 {
        x
    } else {
        -x
    }
}

/// Student's t quantile with `nu` degrees of freedom (Cornish–Fisher expansion about the
/// normal quantile; within 1e-3 of the exact value for nu >= 3 at the 97.5 % point).
pub fn t_quantile(p: f64, nu: f64) -> f64 {
    let z = normal_quantile(p);
    if !nu.is_finite() {
        return z;
    }
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    let z9 = z.powi(9);
    z + (z3 + z) / (4.0 * nu)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * nu * nu)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * nu.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * nu.powi(4))
}

/// The `q` percentile (0..100) of `x` by linear interpolation between order statistics
/// (numpy's default); NaN for no data.
pub fn percentile(x: &[f64], q: f64) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let mut s = x.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let pos = q / 100.0 * (s.len() - 1) as f64;
    let k = pos.floor() as usize;
    let f = pos - k as f64;
    if k + 1 < s.len() {
        s[k] + f * (s[k + 1] - s[k])
    } else {
        s[k]
    }
}

pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance (n − 1).
pub fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() as f64 - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quantiles against tabulated values (Abramowitz & Stegun tables 26.1 and 26.10).
    #[test]
    fn quantiles_match_tables() {
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-8);
        assert!((normal_quantile(0.025) + 1.959963984540054).abs() < 1e-8);
        assert!((normal_quantile(0.5)).abs() < 1e-12);
        assert!((normal_quantile(0.999) - 3.090232306167814).abs() < 1e-8);
        // t(0.975): nu = 5: 2.5706, 10: 2.2281, 30: 2.0423.
        assert!((t_quantile(0.975, 5.0) - 2.5706).abs() < 2e-3);
        assert!((t_quantile(0.975, 10.0) - 2.2281).abs() < 2e-4);
        assert!((t_quantile(0.975, 30.0) - 2.0423).abs() < 1e-4);
    }

    /// A known SPD matrix: inverse times matrix is the identity.
    #[test]
    fn spd_inverse_is_inverse() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let inv = spd_inverse(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((s - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        assert!(spd_inverse(&[1.0, 2.0, 2.0, 4.0], 2).is_none());
        assert_eq!(percentile(&[3.0, 1.0, 2.0, 4.0], 50.0), 2.5);
    }
}
