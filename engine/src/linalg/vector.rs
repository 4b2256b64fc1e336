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
