//! Shared test helpers: a tiny RNG and a 1D P1 steady solver that uses the kernels exactly as
//! the engine's assembler is specified to (kernel.rs conventions), so sign or placement errors
//! in g0..g3 / b0 show up as wrong physics or failed Newton convergence.
#![allow(dead_code)]

use galvana_physics::kernel::{BoundaryKernel, Jacobian, Point, Residual, VolumeKernel};

/// xorshift64*: deterministic, dependency-free.
pub struct Rng(pub u64);

impl Rng {
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * r
    }
}

/// Residual (without Dirichlet replacement) and tridiagonal-as-dense Jacobian of a 1D P1
/// discretisation on `x` nodes (all cells in `region`), with natural BCs applied at the ends.
pub fn assemble_1d(
    k: &dyn VolumeKernel,
    x: &[f64],
    u: &[f64],
    region: u32,
    ends: [&dyn BoundaryKernel; 2],
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = x.len();
    let mut r = vec![0.0; n];
    let mut j = vec![vec![0.0; n]; n];
    let gp = [-(1.0f64 / 3.0).sqrt(), (1.0f64 / 3.0).sqrt()];
    let mut res = Residual::zeros(1);
    let mut jac = Jacobian::zeros(1);
    for e in 0..n - 1 {
        let h = x[e + 1] - x[e];
        let dphi = [-1.0 / h, 1.0 / h];
        for s in gp {
            let xi = 0.5 * (s + 1.0);
            let phi = [1.0 - xi, xi];
            let uq = phi[0] * u[e] + phi[1] * u[e + 1];
            let gq = dphi[0] * u[e] + dphi[1] * u[e + 1];
            let uu = [uq];
            let gg = [[gq, 0.0, 0.0]];
            let p = Point {
                x: [x[e] + xi * h, 0.0, 0.0],
                t: 0.0,
                u: &uu,
                grad_u: &gg,
                region,
            };
            res.clear();
            jac.clear();
            k.residual(&p, &mut res);
            k.jacobian(&p, &mut jac);
            let w = 0.5 * h;
            for a in 0..2 {
                r[e + a] += w * (res.f0[0] * phi[a] + res.f1[0][0] * dphi[a]);
                for b in 0..2 {
                    j[e + a][e + b] += w
                        * (jac.g0[0] * phi[a] * phi[b]
                            + phi[a] * jac.g1[0][0] * dphi[b]
                            + jac.g2[0][0] * dphi[a] * phi[b]
                            + dphi[a] * jac.g3[0][0][0] * dphi[b]);
                }
            }
        }
    }
    for (node, bc, nx) in [(0, ends[0], -1.0), (n - 1, ends[1], 1.0)] {
        let (uu, gg) = ([u[node]], [[0.0; 3]]);
        let p = Point {
            x: [x[node], 0.0, 0.0],
            t: 0.0,
            u: &uu,
            grad_u: &gg,
            region,
        };
        let (mut b0, mut db0) = ([0.0], [0.0]);
        bc.flux(&p, [nx, 0.0, 0.0], &mut b0, &mut db0);
        r[node] += b0[0];
        j[node][node] += db0[0];
    }
    (r, j)
}

/// Dense Gaussian elimination with partial pivoting.
pub fn solve_dense(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &k| a[i][c].abs().total_cmp(&a[k][c].abs()))
            .unwrap();
        a.swap(c, p);
        b.swap(c, p);
        let (top, bottom) = a.split_at_mut(c + 1);
        let pivot = &top[c];
        let bc = b[c];
        for (row, bi) in bottom.iter_mut().zip(b[c + 1..].iter_mut()) {
            let f = row[c] / pivot[c];
            if f != 0.0 {
                row[c..]
                    .iter_mut()
                    .zip(&pivot[c..])
                    .for_each(|(v, p)| *v -= f * p);
                *bi -= f * bc;
            }
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| a[i][k] * x[k]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    x
}

/// Steady Newton solve on a uniform mesh of `ncell` cells over [0, len]; Dirichlet ends
/// replace their rows. Returns (nodes, solution, Newton iterations). Panics if Newton fails.
pub fn solve_steady_1d(
    k: &dyn VolumeKernel,
    ncell: usize,
    len: f64,
    ends: [&dyn BoundaryKernel; 2],
    guess: f64,
) -> (Vec<f64>, Vec<f64>, usize) {
    let x: Vec<f64> = (0..=ncell).map(|i| len * i as f64 / ncell as f64).collect();
    let mut u = vec![guess; x.len()];
    let dirichlet =
        |node: usize, bc: &dyn BoundaryKernel| bc.dirichlet([x[node], 0.0, 0.0], 0.0, 0);
    for it in 0..60 {
        let (mut r, mut j) = assemble_1d(k, &x, &u, 1, ends);
        for (node, bc) in [(0, ends[0]), (x.len() - 1, ends[1])] {
            if let Some(g) = dirichlet(node, bc) {
                r[node] = u[node] - g;
                j[node].iter_mut().for_each(|v| *v = 0.0);
                j[node][node] = 1.0;
            }
        }
        let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        let du = solve_dense(j, r.iter().map(|v| -v).collect());
        let step = du.iter().map(|v| v.abs()).fold(0.0, f64::max);
        u.iter_mut().zip(&du).for_each(|(a, d)| *a += d);
        if step < 1e-11 * u.iter().map(|v| v.abs()).fold(1.0, f64::max) && norm.is_finite() {
            return (x, u, it + 1);
        }
    }
    panic!("Newton did not converge");
}
