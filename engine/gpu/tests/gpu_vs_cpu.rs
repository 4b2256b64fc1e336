//! GPU results against the CPU (same algorithm: ≤ 1e-12 relative) and against exact answers.
//! Each test prints "skipped: <reason>" to stderr and returns when no device is present;
//! GALVANA_REQUIRE_GPU=1 (the GPU machine's check) turns that into a failure.

use galvana_gpu::biot_savart::{self, SegmentParams};
use galvana_gpu::cg::{self, CgOptions, Serial, System};
use galvana_gpu::gpu_or_skip;
use galvana_gpu::linalg::{DeviceCsr, DeviceVec, DotScratch, SpmvKind};
use galvana_physics::magnetics::{segment::Segment, FieldSource};

/// 2D 5-point Laplacian on an m×m grid (Dirichlet), plus `shift` on the diagonal.
fn laplacian(m: usize, shift: f64) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    let (mut rp, mut cols, mut vals) = (vec![0], vec![], vec![]);
    for i in 0..m {
        for j in 0..m {
            let mut row = vec![((i * m + j) as u32, 4.0 + shift)];
            if i > 0 {
                row.push((((i - 1) * m + j) as u32, -1.0));
            }
            if i + 1 < m {
                row.push((((i + 1) * m + j) as u32, -1.0));
            }
            if j > 0 {
                row.push(((i * m + j - 1) as u32, -1.0));
            }
            if j + 1 < m {
                row.push(((i * m + j + 1) as u32, -1.0));
            }
            row.sort_by_key(|e| e.0);
            for (c, v) in row {
                cols.push(c);
                vals.push(v);
            }
            rp.push(cols.len());
        }
    }
    (rp, cols, vals)
}

fn spmv_cpu(rp: &[usize], cols: &[u32], vals: &[f64], x: &[f64]) -> Vec<f64> {
    (0..rp.len() - 1)
        .map(|r| {
            (rp[r]..rp[r + 1])
                .map(|k| vals[k] * x[cols[k] as usize])
                .sum()
        })
        .collect()
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let num = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt();
    let den = b.iter().map(|y| y * y).sum::<f64>().sqrt();
    num / den.max(f64::MIN_POSITIVE)
}

#[test]
fn gpu_spmv_matches_cpu_or_skips() {
    let Some(gpu) = gpu_or_skip("gpu_spmv_matches_cpu") else {
        return;
    };
    let (rp, cols, vals) = laplacian(64, 0.5);
    // Values that are not exactly representable sums, so rounding differences would show.
    let vals: Vec<f64> = vals
        .iter()
        .enumerate()
        .map(|(k, v)| v * (1.0 + 1e-3 * (k % 7) as f64))
        .collect();
    let x: Vec<f64> = (0..rp.len() - 1).map(|i| (0.37 * i as f64).sin()).collect();
    let want = spmv_cpu(&rp, &cols, &vals, &x);
    let a = DeviceCsr::new(&gpu, &rp, &cols, &vals).unwrap();
    let dx = DeviceVec::from_host(&gpu, &x).unwrap();
    for kind in [SpmvKind::Scalar, SpmvKind::Vector, SpmvKind::Lanes4] {
        let mut dy = DeviceVec::zeros(&gpu, x.len()).unwrap();
        a.spmv(&gpu, kind, &dx, &mut dy).unwrap();
        let mut got = vec![0.0; x.len()];
        dy.download(&gpu, &mut got, 0).unwrap();
        let e = rel_err(&got, &want);
        assert!(e <= 1e-12, "{kind:?}: relative error {e:e}");
    }
}

#[test]
fn gpu_dot_matches_cpu_and_is_deterministic_or_skips() {
    let Some(gpu) = gpu_or_skip("gpu_dot_matches_cpu") else {
        return;
    };
    let mut dot = DotScratch::new(&gpu).unwrap();
    for n in [1usize, 255, 256, 257, 100_003] {
        let x: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let y: Vec<f64> = (0..n).map(|i| (i as f64).cos()).collect();
        let want: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
        let (dx, dy) = (
            DeviceVec::from_host(&gpu, &x).unwrap(),
            DeviceVec::from_host(&gpu, &y).unwrap(),
        );
        let got = dot.dot(&gpu, n, &dx, &dy).unwrap();
        let scale: f64 = x.iter().zip(&y).map(|(a, b)| (a * b).abs()).sum();
        assert!(
            (got - want).abs() <= 1e-12 * scale,
            "n {n}: {got} vs {want}"
        );
        // A fixed grid and a fixed reduction tree: bit-identical on repetition.
        assert_eq!(
            got.to_bits(),
            dot.dot(&gpu, n, &dx, &dy).unwrap().to_bits(),
            "n {n}"
        );
    }
}

/// Plain Jacobi-preconditioned CG on the CPU, the same iteration as the device's.
fn cg_cpu(
    rp: &[usize],
    cols: &[u32],
    vals: &[f64],
    inv: &[f64],
    b: &[f64],
    rtol: f64,
) -> (Vec<f64>, usize) {
    let n = b.len();
    let dot = |a: &[f64], c: &[f64]| a.iter().zip(c).map(|(x, y)| x * y).sum::<f64>();
    let mut x = vec![0.0; n];
    let mut r = b.to_vec();
    let r0 = dot(&r, &r).sqrt();
    let mut z: Vec<f64> = r.iter().zip(inv).map(|(a, d)| a * d).collect();
    let mut p = z.clone();
    let mut rz = dot(&r, &z);
    for it in 1..=10 * n {
        let q = spmv_cpu(rp, cols, vals, &p);
        let alpha = rz / dot(&p, &q);
        for i in 0..n {
            x[i] += alpha * p[i];
            r[i] -= alpha * q[i];
        }
        z = r.iter().zip(inv).map(|(a, d)| a * d).collect();
        if dot(&r, &r).sqrt() <= rtol * r0 {
            return (x, it);
        }
        let rz_new = dot(&r, &z);
        let beta = rz_new / rz;
        rz = rz_new;
        for i in 0..n {
            p[i] = z[i] + beta * p[i];
        }
    }
    (x, usize::MAX)
}

#[test]
fn gpu_cg_jacobi_solves_poisson_like_the_cpu_or_skips() {
    let Some(gpu) = gpu_or_skip("gpu_cg_jacobi_solves_poisson") else {
        return;
    };
    let m = 48;
    let (rp, cols, vals) = laplacian(m, 0.0);
    let n = m * m;
    // Manufactured solution: b = A x*.
    let exact: Vec<f64> = (0..n)
        .map(|k| ((k / m) as f64 * 0.1).sin() + ((k % m) as f64 * 0.07).cos())
        .collect();
    let b = spmv_cpu(&rp, &cols, &vals, &exact);
    let inv = vec![0.25; n];
    let a = DeviceCsr::new(&gpu, &rp, &cols, &vals).unwrap();
    let sys = System {
        a: &a,
        n_owned: n,
        n_local: n,
        inv_diag: Some(&inv),
    };
    let mut x = vec![0.0; n];
    let o = CgOptions {
        rtol: 1e-13,
        atol: 0.0,
        max_it: 10 * n,
    };
    let res = cg::solve(&gpu, &Serial, &sys, &b, &mut x, &o, &mut |_, _| {}).unwrap();
    assert!(res.converged, "{res:?}");
    let (xc, itc) = cg_cpu(&rp, &cols, &vals, &inv, &b, 1e-13);
    assert!(
        rel_err(&x, &exact) <= 1e-10,
        "vs exact: {:e}",
        rel_err(&x, &exact)
    );
    assert!(
        rel_err(&x, &xc) <= 1e-11,
        "vs CPU CG: {:e}",
        rel_err(&x, &xc)
    );
    // Rounding may move the stopping test by an iteration, not more.
    assert!(
        res.iterations.abs_diff(itc) <= 1,
        "GPU {} vs CPU {itc} iterations",
        res.iterations
    );
}

#[test]
fn gpu_biot_savart_matches_the_cpu_segment_kernel_or_skips() {
    let Some(gpu) = gpu_or_skip("gpu_biot_savart_matches_cpu") else {
        return;
    };
    let mu0 = 4e-7 * std::f64::consts::PI;
    // A square loop of four segments and a skew one, one with a wire radius.
    let ends = [
        ([0.0, 0.0, 0.0], [1.0, 0.0, 0.0], None),
        ([1.0, 0.0, 0.0], [1.0, 1.0, 0.0], None),
        ([1.0, 1.0, 0.0], [0.0, 1.0, 0.0], Some(0.01)),
        ([0.0, 1.0, 0.0], [0.0, 0.0, 0.0], None),
        ([0.2, -0.3, 0.5], [0.7, 0.4, -0.2], None),
    ];
    let n = 4000;
    let x: Vec<f64> = (0..n)
        .map(|i| -0.5 + 2.0 * ((i * 37) % n) as f64 / n as f64)
        .collect();
    let y: Vec<f64> = (0..n)
        .map(|i| -0.5 + 2.0 * ((i * 101) % n) as f64 / n as f64)
        .collect();
    let z: Vec<f64> = (0..n).map(|i| 0.3 * ((i as f64) * 0.01).sin()).collect();
    let (mut cx, mut cy, mut cz) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut params = Vec::new();
    for (a, b, wire) in ends {
        let mut s = Segment::new(a, b, 250.0).unwrap();
        if let Some(r) = wire {
            s = s.with_wire_radius(r).unwrap();
        }
        s.add_field(mu0, &x, &y, &z, &mut cx, &mut cy, &mut cz);
        params.push(SegmentParams::new(a, b, 250.0, s.core, mu0));
    }
    let (mut gx, mut gy, mut gz) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    biot_savart::add_field(&gpu, &params, [&x, &y, &z], [&mut gx, &mut gy, &mut gz]).unwrap();
    for (g, c) in [(&gx, &cx), (&gy, &cy), (&gz, &cz)] {
        let e = rel_err(g, c);
        assert!(e <= 1e-12, "relative error {e:e}");
    }
}
