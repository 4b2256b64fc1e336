//! Gauss–Legendre quadrature, used to integrate cp(T) into H(T).

use std::sync::OnceLock;

/// Nodes and weights of the n-point Gauss–Legendre rule on [-1, 1], by Newton iteration on
/// P_n from the Chebyshev-like initial guess (converges to machine precision in a few steps).
pub(crate) fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 0.0;
        for _ in 0..100 {
            // Three-term recurrence for P_n(z) and P_{n-1}(z).
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=n {
                let p2 = ((2 * k - 1) as f64 * z * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            dp = n as f64 * (z * p1 - p0) / (z * z - 1.0);
            let dz = p1 / dp;
            z -= dz;
            if dz.abs() < 1e-16 {
                break;
            }
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

/// The 8-point rule (exact for degree 15), shared by all enthalpy integrations.
fn gl8() -> &'static (Vec<f64>, Vec<f64>) {
    static RULE: OnceLock<(Vec<f64>, Vec<f64>)> = OnceLock::new();
    RULE.get_or_init(|| gauss_legendre(8))
}

/// ∫ₐᵇ f with the 8-point Gauss–Legendre rule.
pub(crate) fn integrate8(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let (x, w) = gl8();
    let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
    let mut s = 0.0;
    for (xi, wi) in x.iter().zip(w) {
        s += wi * f(mid + half * xi);
    }
    s * half
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_for_degree_15() {
        // ∫₀² x^15 dx = 2^16 / 16 = 4096.
        let v = integrate8(|x| x.powi(15), 0.0, 2.0);
        assert!((v - 4096.0).abs() < 1e-10, "{v}");
        let (_, w) = gauss_legendre(8);
        assert!((w.iter().sum::<f64>() - 2.0).abs() < 1e-14);
    }

    #[test]
    fn odd_and_small_rules() {
        for n in 1..=9 {
            let (x, w) = gauss_legendre(n);
            // Exact for x^(2n-2) on [-1, 1]: 2/(2n-1).
            let s: f64 = x
                .iter()
                .zip(&w)
                .map(|(x, w)| w * x.powi(2 * n as i32 - 2))
                .sum();
            assert!((s - 2.0 / (2 * n - 1) as f64).abs() < 1e-13, "n={n}: {s}");
        }
    }
}
