//! Distributed vector kernels. Vectors are plain slices of length `n_local` (owned ++ ghosts);
//! reductions run over the owned part only.

use crate::comm::Comm;

/// Global dot product over the first `n` (owned) entries.
pub fn dot(comm: &Comm, x: &[f64], y: &[f64], n: usize) -> f64 {
    comm.sum(local_dot(&x[..n], &y[..n]))
}

/// Global 2-norm over the first `n` (owned) entries.
pub fn norm2(comm: &Comm, x: &[f64], n: usize) -> f64 {
    dot(comm, x, x, n).sqrt()
}

/// Unrolled local dot: four partial sums let the compiler vectorise without fast-math.
pub fn local_dot(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let (mut s0, mut s1, mut s2, mut s3) = (0.0, 0.0, 0.0, 0.0);
    let chunks = n / 4;
    for k in 0..chunks {
        let i = 4 * k;
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
        s2 += x[i + 2] * y[i + 2];
        s3 += x[i + 3] * y[i + 3];
    }
    for i in 4 * chunks..n {
        s0 += x[i] * y[i];
    }
    (s0 + s1) + (s2 + s3)
}

/// y += a x over the first n entries.
pub fn axpy(a: f64, x: &[f64], y: &mut [f64], n: usize) {
    for (yi, xi) in y[..n].iter_mut().zip(&x[..n]) {
        *yi += a * xi;
    }
}

/// y = x + b y over the first n entries.
pub fn xpby(x: &[f64], b: f64, y: &mut [f64], n: usize) {
    for (yi, xi) in y[..n].iter_mut().zip(&x[..n]) {
        *yi = xi + b * *yi;
    }
}

/// The CG update in one pass over the first n entries: x += a p, r -= a q. Returns the local
/// Σ r_i² of the updated r (four partial sums, as in [`local_dot`]).
pub fn cg_update(a: f64, p: &[f64], q: &[f64], x: &mut [f64], r: &mut [f64], n: usize) -> f64 {
    let (p, q, x, r) = (&p[..n], &q[..n], &mut x[..n], &mut r[..n]);
    let mut s = [0.0; 4];
    let mut it = x
        .chunks_exact_mut(4)
        .zip(r.chunks_exact_mut(4))
        .zip(p.chunks_exact(4).zip(q.chunks_exact(4)));
    for ((xc, rc), (pc, qc)) in &mut it {
        for k in 0..4 {
            xc[k] += a * pc[k];
            rc[k] -= a * qc[k];
            s[k] += rc[k] * rc[k];
        }
    }
    for i in n - n % 4..n {
        x[i] += a * p[i];
        r[i] -= a * q[i];
        s[0] += r[i] * r[i];
    }
    (s[0] + s[1]) + (s[2] + s[3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cg_update_matches_separate_kernels() {
        for n in [0, 1, 3, 4, 7, 16, 33] {
            let p: Vec<f64> = (0..n).map(|i| 0.5 + i as f64).collect();
            let q: Vec<f64> = (0..n).map(|i| 1.0 - 0.25 * i as f64).collect();
            let (mut x1, mut r1): (Vec<f64>, Vec<f64>) =
                ((0..n).map(|i| i as f64).collect(), vec![2.0; n]);
            let (mut x2, mut r2) = (x1.clone(), r1.clone());
            let rr = cg_update(0.3, &p, &q, &mut x1, &mut r1, n);
            axpy(0.3, &p, &mut x2, n);
            axpy(-0.3, &q, &mut r2, n);
            assert_eq!(x1, x2);
            assert_eq!(r1, r2);
            assert!((rr - local_dot(&r2, &r2)).abs() <= 1e-12 * rr.max(1.0));
        }
    }
}
