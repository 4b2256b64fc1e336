//! Magnetostatic FEM: the linear and nonlinear sphere in a uniform field (convergence tables),
//! the thick air-core coil against the closed-form axis field and Biot–Savart, and the thin
//! coil's inductance against Nagaoka. The mesh generators and the solve helper are shared with
//! `engine/tests/magnetostatic_fem` (included from there, so the two cannot drift apart).

#[allow(dead_code)]
#[path = "../../../engine/tests/magnetostatic_fem/meshes.rs"]
mod meshes;
#[allow(dead_code)]
#[path = "../../../engine/tests/magnetostatic_fem/solve.rs"]
mod solve;

use crate::report::{e3, ord, Section, Table};
use galvana_engine::comm::Comm;
use galvana_engine::fem::assemble::Bc;
use galvana_physics::magnetics::inductance::nagaoka;
use galvana_physics::magnetics::{CircularLoop, FieldSource, ThickSolenoid};
use galvana_physics::magnetostatic::{
    BhCurve, FixedPotential, Geometry, MagneticMaterial, Magnetostatic, MU0,
};
use galvana_physics::thermal::Value;
use meshes::{grid, join, lin, quarter_disc};
use solve::{integrate, nodal, orders, solve, Solved};
use std::sync::Arc;

const A: f64 = 0.05;

fn steel() -> BhCurve {
    let t: Vec<(f64, f64)> = [
        100.0, 200.0, 400.0, 700.0, 1000.0, 1500.0, 2000.0, 3000.0, 5000.0, 7000.0, 1e4, 2e4, 5e4,
        1e5,
    ]
    .iter()
    .map(|&h| (h, MU0 * h + 2.1 * h / (h + 1000.0)))
    .collect();
    BhCurve::new(&t).expect("steel table")
}

fn sphere(comm: &Comm, n: usize, mat: MagneticMaterial, b0: f64, d: f64) -> Solved {
    let k = Magnetostatic::new(
        Geometry::Axisymmetric,
        vec![
            (0, Arc::new(mat)),
            (1, Arc::new(MagneticMaterial::Linear { mu_r: 1.0 })),
        ],
        vec![],
    )
    .expect("kernel");
    let exact = move |x: [f64; 3], _t: f64| {
        let r2 = x[0] * x[0];
        0.5 * b0 * r2 + d * A.powi(3) * r2 / (r2 + x[1] * x[1]).sqrt().powi(3)
    };
    let bcs = vec![
        Bc {
            name: "outer".into(),
            boundaries: vec!["outer".into()],
            kernel: Box::new(FixedPotential::new(Value::function(exact))),
        },
        Bc {
            name: "axis".into(),
            boundaries: vec!["axis".into()],
            kernel: Box::new(FixedPotential::new(0.0)),
        },
    ];
    solve(comm, quarter_disc(A, 3.0 * A, n), 1, Box::new(k), bcs)
}

/// (relative L2 error of B in the sphere, relative error of its mean B_z).
fn b_errors(s: &Solved, b_in: f64) -> (f64, f64) {
    let inside = |reg: u32, x: [f64; 3], v: f64| if reg == 0 { x[0] * v } else { 0.0 };
    let e2 = integrate(s, &mut |x, reg, _, g| {
        inside(reg, x, (g[1] / x[0]).powi(2) + (g[0] / x[0] - b_in).powi(2))
    });
    let vol = integrate(s, &mut |x, reg, _, _| inside(reg, x, 1.0));
    let bz = integrate(s, &mut |x, reg, _, g| inside(reg, x, g[0] / x[0]));
    ((e2 / vol).sqrt() / b_in, (bz / vol - b_in).abs() / b_in)
}

fn sphere_table(
    s: &mut Section,
    comm: &Comm,
    label: &str,
    mat: MagneticMaterial,
    b0: f64,
    d: f64,
    b_in: f64,
) {
    let mut t = Table::new(
        format!("{label}: B inside vs exact B_in = {b_in:.6} T"),
        &[
            "h/a",
            "L2 error of B",
            "order",
            "mean B_z error",
            "order",
            "Newton steps",
        ],
    );
    let (mut hs, mut es, mut ms) = (vec![], vec![], vec![]);
    for n in [6, 12, 24] {
        let sol = sphere(comm, n, mat.clone(), b0, d);
        let (e, m) = b_errors(&sol, b_in);
        hs.push(1.0 / n as f64);
        es.push(e);
        ms.push(m);
        let (pe, pm) = (
            orders(&hs, &es).last().copied(),
            orders(&hs, &ms).last().copied(),
        );
        t.row(vec![
            format!("1/{n}"),
            e3(e),
            ord(pe),
            e3(m),
            ord(pm),
            (sol.norms.len() - 1).to_string(),
        ]);
    }
    s.tables.push(t);
    let (pe, pm) = (orders(&hs, &es), orders(&hs, &ms));
    s.check(
        format!("{label}: order of the L2 error of B"),
        format!("{:.2}", pe[1]),
        "≥ 0.85 (P1: 1)".into(),
        pe[1] >= 0.85,
    );
    s.check(
        format!("{label}: order of the mean B_z error"),
        format!("{:.2}", pm[1]),
        "≥ 1.8".into(),
        pm[1] >= 1.8,
    );
    s.check(
        format!("{label}: mean B_z error at h = a/24"),
        e3(ms[2]),
        "< 2e-3".into(),
        ms[2] < 2e-3,
    );
}

const L: f64 = 0.1;
const NI: f64 = 1000.0;

fn psi_exact(r_in: f64, r_out: f64, nr: usize, nz: usize) -> Value {
    let g = 0.5 / 3f64.sqrt();
    let (hr, hz) = ((r_out - r_in) / nr as f64, L / nz as f64);
    let i_loop = NI / (4 * nr * nz) as f64;
    let mut loops = Vec::new();
    for a in 0..nr {
        for b in 0..nz {
            for (sa, sb) in [(-g, -g), (-g, g), (g, -g), (g, g)] {
                let r = r_in + hr * (a as f64 + 0.5 + sa);
                let z = -0.5 * L + hz * (b as f64 + 0.5 + sb);
                loops.push((
                    CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], r, i_loop).expect("loop"),
                    z,
                ));
            }
        }
    }
    Value::function(move |x, _| {
        loops
            .iter()
            .map(|(lp, z)| x[0] * lp.vector_potential(MU0, x[0], x[1] - z))
            .sum()
    })
}

fn coil(comm: &Comm, xs: Vec<f64>, ys: Vec<f64>, r_in: f64, r_out: f64, exact: Value) -> Solved {
    let mesh = grid(&xs, &ys, &["air", "coil"], &|x, y| {
        u32::from(x > r_in && x < r_out && y < 0.5 * L)
    });
    let air = || Arc::new(MagneticMaterial::Linear { mu_r: 1.0 });
    let k = Magnetostatic::new(
        Geometry::Axisymmetric,
        vec![(0, air()), (1, air())],
        vec![(1, NI / ((r_out - r_in) * L))],
    )
    .expect("kernel");
    let bcs = vec![
        Bc {
            name: "axis".into(),
            boundaries: vec!["left".into()],
            kernel: Box::new(FixedPotential::new(0.0)),
        },
        Bc {
            name: "far".into(),
            boundaries: vec!["right".into(), "top".into()],
            kernel: Box::new(FixedPotential::new(exact)),
        },
    ];
    solve(comm, mesh, 1, Box::new(k), bcs)
}

fn coils(s: &mut Section, comm: &Comm) {
    let (r_in, r_out) = (0.05, 0.07);
    let sol = ThickSolenoid::new(
        [0.0; 3],
        [0.0, 0.0, 1.0],
        r_in,
        r_out,
        L,
        NI,
        1.0,
        (8, 8, 16),
    )
    .expect("solenoid");
    let exact = psi_exact(r_in, r_out, 8, 40);
    let b0 = sol.axial_field(MU0, 0.0);
    let mut t = Table::new(
        format!("Thick coil r = 50–70 mm, ℓ = 100 mm, NI = {NI} A (B_z(0) = {b0:.4e} T): max errors / B_z(0)"),
        &["h (mm)", "axis (closed form)", "order", "bore and outside (Biot–Savart)", "order"],
    );
    let (mut hs, mut ea, mut eb) = (vec![], vec![], vec![]);
    for m in [2usize, 4, 8] {
        let h = 0.01 / m as f64;
        let fem = coil(
            comm,
            lin(0.0, 0.2, 20 * m),
            lin(0.0, 0.2, 20 * m),
            r_in,
            r_out,
            exact.clone(),
        );
        // Axis: 2ψ(r0)/r0² = B_z − B_z'' r0²/8 + B_z'''' r0⁴/192 (read 20 mm out; P1 cannot
        // hold ψ ∝ r² in the cells on the axis).
        let r0 = 0.02;
        let mut a: f64 = 0.0;
        for z in [0.0, 0.03, 0.05, 0.08, 0.12] {
            let dz = 1e-3;
            let f = |k: f64| sol.axial_field(MU0, z + k * dz);
            let b2 = (f(1.0) - 2.0 * f(0.0) + f(-1.0)) / (dz * dz);
            let b4 = (f(2.0) - 4.0 * f(1.0) + 6.0 * f(0.0) - 4.0 * f(-1.0) + f(-2.0)) / dz.powi(4);
            let want = f(0.0) - b2 * r0 * r0 / 8.0 + b4 * r0.powi(4) / 192.0;
            a = a.max((2.0 * nodal(&fem, [r0, z]) / (r0 * r0) - want).abs() / b0);
        }
        let mut b: f64 = 0.0;
        for (x0, z0) in [
            (0.02, 0.02),
            (0.04, 0.04),
            (0.03, 0.06),
            (0.1, 0.03),
            (0.06, 0.09),
        ] {
            let p = |dx: f64, dz: f64| nodal(&fem, [x0 + dx, z0 + dz]);
            let rc = x0 + 0.5 * h;
            let dr = (p(h, 0.0) - p(0.0, 0.0) + p(h, h) - p(0.0, h)) / (2.0 * h);
            let dzz = (p(0.0, h) - p(0.0, 0.0) + p(h, h) - p(h, 0.0)) / (2.0 * h);
            let (mut bx, mut by, mut bz) = ([0.0], [0.0], [0.0]);
            sol.add_field(
                MU0,
                &[rc],
                &[0.0],
                &[z0 + 0.5 * h],
                &mut bx,
                &mut by,
                &mut bz,
            );
            b = b.max((-dzz / rc - bx[0]).hypot(dr / rc - bz[0]) / b0);
        }
        hs.push(h);
        ea.push(a);
        eb.push(b);
        t.row(vec![
            format!("{:.2}", h * 1e3),
            e3(a),
            ord(orders(&hs, &ea).last().copied()),
            e3(b),
            ord(orders(&hs, &eb).last().copied()),
        ]);
    }
    s.tables.push(t);
    let (pa, pb) = (orders(&hs, &ea), orders(&hs, &eb));
    s.check(
        "thick coil: axis field order",
        format!("{:.2}", pa[1]),
        "≥ 1.5".into(),
        pa[1] >= 1.5,
    );
    s.check(
        "thick coil: axis field error at h = 1.25 mm",
        e3(ea[2]),
        "< 1e-2 of B_z(0)".into(),
        ea[2] < 1e-2,
    );
    s.check(
        "thick coil: bore field order",
        format!("{:.2}", pb[1]),
        "≥ 1.8".into(),
        pb[1] >= 1.8,
    );
    s.check(
        "thick coil: bore field error at h = 1.25 mm",
        e3(eb[2]),
        "< 1e-3 of B_z(0)".into(),
        eb[2] < 1e-3,
    );

    // Thin coil vs Nagaoka at the winding's effective radius √(R² + 2Rt/3) (docs/magnetics.md).
    let (r, t_w, n) = (0.05, 1e-4, 100.0);
    let xs = join(&[
        lin(0.0, r, 50),
        lin(r, r + t_w, 2),
        lin(r + t_w, 0.051, 9),
        lin(0.051, 0.2, 149),
    ]);
    let ys = join(&[lin(0.0, 0.05, 50), lin(0.05, 0.2, 150)]);
    let fem = coil(comm, xs, ys, r, r + t_w, psi_exact(r, r + t_w, 1, 200));
    let lam = integrate(&fem, &mut |_, reg, u, _| {
        if reg == 1 {
            2.0 * std::f64::consts::PI * u
        } else {
            0.0
        }
    });
    // Λ = (N/S) ∫ 2πψ over the whole winding (twice the half section).
    let l_fem = n / (t_w * L) * 2.0 * lam / (NI / n);
    let l_ref = nagaoka(MU0, (r * r + 2.0 * r * t_w / 3.0).sqrt(), L, n).expect("nagaoka");
    let d = l_fem / l_ref - 1.0;
    s.check(
        "thin coil (t/R = 0.002, N = 100): inductance from flux linkage vs Nagaoka",
        format!("{l_fem:.5e} H vs {l_ref:.5e} H ({d:+.2e})"),
        "within 0.2 %".into(),
        d.abs() < 2e-3,
    );
}

pub fn run(comm: &Comm, _quick: bool, log: &dyn Fn(&str)) -> Result<Section, String> {
    if comm.size() > 1 {
        // The solves put every cell on rank 0 and read nodal values there.
        return Err(
            "not run: this case runs on one rank (this process was started by mpirun)".into(),
        );
    }
    let mut s = Section::new(
        "magnetostatic",
        "magnetostatic",
        "Magnetostatic FEM: spheres in a uniform field, air-core coils",
    );
    s.intro = "Axisymmetric magnetostatic FEM (flux function ψ = r A_φ, P1). A sphere (radius a) in a uniform field \
               B0 ẑ with the exact exterior solution imposed on ρ = 3a: linear μr = 100 against Jackson's \
               B_in = 3μr/(μr + 2) B0; nonlinear steel (Fröhlich–Kennelly, Js = 2.1 T, Hk = 1000 A/m) at B0 = 0.5 T \
               against the uniform-magnetisation root (2/3)H_in + B(H_in)/(3μ0) = H0 (derivation in docs/magnetics.md). \
               Air-core coils on a half domain with the exact Biot–Savart ψ on the far sides: the thick coil against \
               the closed-form axis field and the Biot–Savart field, the thin coil's flux-linkage inductance against \
               Nagaoka. Quick and full modes run the same levels (about 10 s)."
        .into();
    log("  linear sphere");
    let (mu_r, b0) = (100.0, 0.1);
    sphere_table(
        &mut s,
        comm,
        "linear sphere μr = 100",
        MagneticMaterial::Linear { mu_r },
        b0,
        (mu_r - 1.0) / (mu_r + 2.0) * b0,
        3.0 * mu_r / (mu_r + 2.0) * b0,
    );
    log("  nonlinear sphere");
    let curve = steel();
    let h0 = 0.5 / MU0;
    let (mut lo, mut hi) = (0.0, h0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if 2.0 / 3.0 * mid + curve.b_of_h(mid) / (3.0 * MU0) < h0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let h_in = 0.5 * (lo + hi);
    let b_in = curve.b_of_h(h_in);
    let m = b_in / MU0 - h_in;
    sphere_table(
        &mut s,
        comm,
        "nonlinear steel sphere, B0 = 0.5 T",
        MagneticMaterial::Nonlinear(curve),
        0.5,
        MU0 * m / 3.0,
        b_in,
    );
    log("  coils");
    coils(&mut s, comm);
    Ok(s)
}
