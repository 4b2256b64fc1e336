//! Gauss–Legendre rules (nodes and weights on [−1, 1]), by Newton's method on Pₙ.

/// Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1] (n ≥ 1), exact for
/// polynomials of degree 2n − 1; accurate to a few ulps for n up to several hundred.
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let n = n.max(1);
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        // Tricomi's initial guess, then Newton on P_n.
        let mut t = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0f64, t);
            for k in 2..=n {
                let p2 = ((2 * k - 1) as f64 * t * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            let p = if n == 1 { t } else { p1 };
            let pm1 = if n == 1 { 1.0 } else { p0 };
            dp = n as f64 * (t * p - pm1) / (t * t - 1.0);
            let dt = p / dp;
            t -= dt;
            if dt.abs() <= 1e-15 {
                break;
            }
        }
        x[i] = -t;
        x[n - 1 - i] = t;
        let wi = 2.0 / ((1.0 - t * t) * dp * dp);
        w[i] = wi;
        w[n - 1 - i] = wi;
    }
    if n % 2 == 1 {
        x[n / 2] = 0.0;
    }
    (x, w)
}

/// Nodes and weights of `panels` equal panels of an n-point rule on [a, b].
pub fn composite(a: f64, b: f64, n: usize, panels: usize) -> (Vec<f64>, Vec<f64>) {
    let (x, w) = gauss_legendre(n);
    let panels = panels.max(1);
    let h = (b - a) / panels as f64;
    let mut xs = Vec::with_capacity(n * panels);
    let mut ws = Vec::with_capacity(n * panels);
    for p in 0..panels {
        let lo = a + p as f64 * h;
        for (&xi, &wi) in x.iter().zip(&w) {
            xs.push(lo + 0.5 * h * (xi + 1.0));
            ws.push(0.5 * h * wi);
        }
    }
    (xs, ws)
}
