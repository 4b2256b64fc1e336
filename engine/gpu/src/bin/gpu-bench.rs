//! `gpu-bench [--quick] [--out FILE]`: GPU throughput on the device this process takes
//! (CUDA visible device 0), as a Markdown table (stdout, and FILE when given):
//! CSR SpMV bandwidth (scalar and warp-per-row kernels) as a fraction of the device's
//! theoretical memory bandwidth, the dot product's bandwidth, CG + Jacobi on a 3D Poisson
//! problem, and Biot–Savart segment–point pairs/s against the CPU kernel on all cores.
//! Without a usable device it prints why and exits 1: it never reports numbers it did not
//! measure.

use galvana_gpu::biot_savart::{self, SegmentParams};
use galvana_gpu::cg::{self, CgOptions, Serial, System};
use galvana_gpu::linalg::{DeviceCsr, DeviceVec, DotScratch, SpmvKind};
use galvana_gpu::{probe, Gpu};
use galvana_physics::magnetics::{field, segment::Segment, Collection, FieldSource, Points};
use std::time::Instant;

/// 3D 7-point Laplacian on m³ points (Dirichlet), CSR with sorted columns.
fn laplacian3(m: usize) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    let n = m * m * m;
    let mut rp = Vec::with_capacity(n + 1);
    let mut cols = Vec::with_capacity(7 * n);
    let mut vals = Vec::with_capacity(7 * n);
    rp.push(0);
    let id = |i: usize, j: usize, k: usize| ((i * m + j) * m + k) as u32;
    for i in 0..m {
        for j in 0..m {
            for k in 0..m {
                let mut push = |c: u32, v: f64| {
                    cols.push(c);
                    vals.push(v);
                };
                if i > 0 {
                    push(id(i - 1, j, k), -1.0);
                }
                if j > 0 {
                    push(id(i, j - 1, k), -1.0);
                }
                if k > 0 {
                    push(id(i, j, k - 1), -1.0);
                }
                push(id(i, j, k), 6.0);
                if k + 1 < m {
                    push(id(i, j, k + 1), -1.0);
                }
                if j + 1 < m {
                    push(id(i, j + 1, k), -1.0);
                }
                if i + 1 < m {
                    push(id(i + 1, j, k), -1.0);
                }
                rp.push(cols.len());
            }
        }
    }
    (rp, cols, vals)
}

fn timed(gpu: &Gpu, reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    gpu.synchronize().unwrap();
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    gpu.synchronize().unwrap();
    t.elapsed().as_secs_f64() / reps as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1).cloned());
    let info = match probe::driver() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("gpu-bench: no GPU to measure: {e}");
            std::process::exit(1);
        }
    };
    let gpu = match Gpu::open(0) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("gpu-bench: cannot open device 0: {e}");
            std::process::exit(1);
        }
    };
    let peak = gpu.peak_bandwidth();
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut row = |what: &str, value: String, note: String| {
        eprintln!("{what}: {value} {note}");
        rows.push([what.to_string(), value, note]);
    };

    // SpMV bandwidth: bytes a perfect cache would move (matrix once, x once, y once).
    let m = if quick { 64 } else { 192 };
    let (rp, cols, vals) = laplacian3(m);
    let n = rp.len() - 1;
    let nnz = cols.len();
    let a = DeviceCsr::new(&gpu, &rp, &cols, &vals).unwrap();
    let x = DeviceVec::from_host(&gpu, &vec![1.0; n]).unwrap();
    let mut y = DeviceVec::zeros(&gpu, n).unwrap();
    let bytes = (12 * nnz + 4 * (n + 1) + 16 * n) as f64;
    for kind in [SpmvKind::Scalar, SpmvKind::Lanes4, SpmvKind::Vector] {
        let t = timed(&gpu, 50, || a.spmv(&gpu, kind, &x, &mut y).unwrap());
        let bw = bytes / t;
        let frac = peak.map_or("peak unknown".to_string(), |p| {
            format!("{:.0}% of {:.0} GB/s theoretical", 100.0 * bw / p, p / 1e9)
        });
        row(
            &format!("SpMV {kind:?} (7-point, {n} rows, {nnz} nnz)"),
            format!("{:.0} GB/s ({:.3} ms)", bw / 1e9, t * 1e3),
            frac,
        );
    }
    drop((a, x, y));

    // Dot product: 2 vectors read.
    let nd = if quick { 1 << 20 } else { 1 << 26 };
    let (dx, dy) = (
        DeviceVec::from_host(&gpu, &vec![0.5; nd]).unwrap(),
        DeviceVec::from_host(&gpu, &vec![2.0; nd]).unwrap(),
    );
    let mut dot = DotScratch::new(&gpu).unwrap();
    let mut got = 0.0;
    let t = timed(&gpu, 50, || got = dot.dot(&gpu, nd, &dx, &dy).unwrap());
    assert_eq!(got, nd as f64, "dot product of 0.5 and 2.0 vectors");
    row(
        &format!("dot ({nd} entries, incl. result copy)"),
        format!("{:.0} GB/s ({:.3} ms)", 16.0 * nd as f64 / t / 1e9, t * 1e3),
        String::new(),
    );
    drop((dx, dy));

    // CG + Jacobi on 3D Poisson, b = A·1 so the solution is known.
    let mc = if quick { 32 } else { 128 };
    let (rp, cols, vals) = laplacian3(mc);
    let nc = rp.len() - 1;
    let ones = vec![1.0; nc];
    let b: Vec<f64> = (0..nc)
        .map(|r| (rp[r]..rp[r + 1]).map(|k| vals[k]).sum())
        .collect();
    let a = DeviceCsr::new(&gpu, &rp, &cols, &vals).unwrap();
    let inv = vec![1.0 / 6.0; nc];
    let sys = System {
        a: &a,
        n_owned: nc,
        n_local: nc,
        inv_diag: Some(&inv),
    };
    let mut xs = vec![0.0; nc];
    let o = CgOptions {
        rtol: 1e-8,
        atol: 0.0,
        max_it: 5000,
    };
    let t0 = Instant::now();
    let res = cg::solve(&gpu, &Serial, &sys, &b, &mut xs, &o, &mut |_, _| {}).unwrap();
    let t = t0.elapsed().as_secs_f64();
    let err = xs
        .iter()
        .zip(&ones)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    row(
        &format!("CG + Jacobi, 3D Poisson {nc} unknowns, rtol 1e-8"),
        format!(
            "{:.3} s, {} its, {:.3} ms/it",
            t,
            res.iterations,
            1e3 * t / res.iterations.max(1) as f64
        ),
        format!("{} max |x - 1| = {err:.1e}", res.reason),
    );
    drop(a);

    // Biot–Savart: a 1024-sided polygon loop at points in a box.
    let nseg = if quick { 256 } else { 1024 };
    let npts = if quick { 1 << 16 } else { 1 << 20 };
    let mu0 = 4e-7 * std::f64::consts::PI;
    let corner = |k: usize| {
        let t = 2.0 * std::f64::consts::PI * k as f64 / nseg as f64;
        [0.1 * t.cos(), 0.1 * t.sin(), 0.0]
    };
    let segs: Vec<Segment> = (0..nseg)
        .map(|k| Segment::new(corner(k), corner(k + 1), 100.0).unwrap())
        .collect();
    let params: Vec<SegmentParams> = segs
        .iter()
        .map(|s| SegmentParams::new(s.a, s.b, s.current, s.core, mu0))
        .collect();
    let coord = |i: usize, p: usize| -0.2 + 0.4 * ((i * p) % npts) as f64 / npts as f64;
    let pts = Points {
        x: (0..npts).map(|i| coord(i, 7919)).collect(),
        y: (0..npts).map(|i| coord(i, 104_729)).collect(),
        z: (0..npts).map(|i| coord(i, 1_299_709)).collect(),
    };
    let (mut bx, mut by, mut bz) = (vec![0.0; npts], vec![0.0; npts], vec![0.0; npts]);
    let t0 = Instant::now();
    biot_savart::add_field(
        &gpu,
        &params,
        [&pts.x, &pts.y, &pts.z],
        [&mut bx, &mut by, &mut bz],
    )
    .unwrap();
    let tg = t0.elapsed().as_secs_f64();
    let gpu_rate = (nseg * npts) as f64 / tg;
    // CPU on a subset, all cores.
    let ncpu = npts.min(1 << 16);
    let sub = Points {
        x: pts.x[..ncpu].to_vec(),
        y: pts.y[..ncpu].to_vec(),
        z: pts.z[..ncpu].to_vec(),
    };
    let coll = Collection {
        sources: segs
            .into_iter()
            .map(|s| Box::new(s) as Box<dyn FieldSource + Send>)
            .collect(),
    };
    let t0 = Instant::now();
    let cpu = field(&coll, &sub, mu0, 0);
    let tc = t0.elapsed().as_secs_f64();
    let cpu_rate = (nseg * ncpu) as f64 / tc;
    let diff = (0..ncpu)
        .map(|i| {
            let d = ((bx[i] - cpu.bx[i]).powi(2)
                + (by[i] - cpu.by[i]).powi(2)
                + (bz[i] - cpu.bz[i]).powi(2))
            .sqrt();
            d / cpu.magnitude(i).max(1e-300)
        })
        .fold(0.0, f64::max);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    row(
        &format!("Biot–Savart {nseg} segments x {npts} points"),
        format!(
            "{:.2e} pairs/s GPU (incl. copies), {:.2e} pairs/s CPU ({threads} threads)",
            gpu_rate, cpu_rate
        ),
        format!(
            "speed-up {:.0}x; max rel. difference {diff:.1e}",
            gpu_rate / cpu_rate
        ),
    );

    let mut md = format!(
        "Device: {} — driver {}.{}; `gpu-bench{}`\n\n| benchmark | result | note |\n|---|---|---|\n",
        gpu.describe(),
        info.driver_version / 1000,
        (info.driver_version % 1000) / 10,
        if quick { " --quick" } else { "" }
    );
    for [a, b, c] in &rows {
        md.push_str(&format!("| {a} | {b} | {c} |\n"));
    }
    print!("{md}");
    if let Some(p) = out {
        std::fs::write(&p, md).unwrap_or_else(|e| eprintln!("gpu-bench: cannot write {p}: {e}"));
    }
}
