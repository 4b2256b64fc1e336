//! Test 4: planar A_z. A manufactured solution with the nonlinear steel (P1 and P2 orders),
//! and a long straight round conductor (B = μ0 I/(2πρ) outside).

use super::meshes::{grid, lin, quarter_disc};
use super::solve::{integrate, orders, solve};
use galvana_engine::comm::Comm;
use galvana_engine::fem::assemble::Bc;
use galvana_physics::kernel::{Jacobian, Point, Residual, VolumeKernel};
use galvana_physics::magnetostatic::{
    FixedPotential, Geometry, MagneticMaterial, Magnetostatic, MU0,
};
use std::f64::consts::PI;
use std::sync::Arc;

const SIDE: f64 = 0.1;
const A0: f64 = 0.006;

fn exact(x: [f64; 3]) -> f64 {
    A0 * (PI * x[0] / SIDE).sin() * (PI * x[1] / SIDE).sin()
}

/// The magnetostatic kernel plus a manufactured source f = −∇·(ν(|∇u|²)∇u) of `exact`,
/// differentiated numerically (central differences of the exact flux; error ≪ the FEM's).
struct Manufactured {
    inner: Magnetostatic,
}

impl Manufactured {
    fn flux(&self, x: [f64; 3]) -> [f64; 2] {
        let k = PI / SIDE;
        let g = [
            A0 * k * (k * x[0]).cos() * (k * x[1]).sin(),
            A0 * k * (k * x[0]).sin() * (k * x[1]).cos(),
        ];
        let mut r = Residual::zeros(1);
        let p = Point {
            x,
            t: 0.0,
            u: &[0.0],
            grad_u: &[[g[0], g[1], 0.0]],
            region: 0,
        };
        self.inner.residual(&p, &mut r);
        [r.f1[0][0], r.f1[0][1]]
    }
    fn source(&self, x: [f64; 3]) -> f64 {
        let h = 1e-6 * SIDE;
        let dx =
            (self.flux([x[0] + h, x[1], 0.0])[0] - self.flux([x[0] - h, x[1], 0.0])[0]) / (2.0 * h);
        let dy =
            (self.flux([x[0], x[1] + h, 0.0])[1] - self.flux([x[0], x[1] - h, 0.0])[1]) / (2.0 * h);
        -(dx + dy)
    }
}

impl VolumeKernel for Manufactured {
    fn ncomp(&self) -> usize {
        1
    }
    fn field_names(&self) -> Vec<String> {
        self.inner.field_names()
    }
    fn mass(&self, p: &Point, m: &mut [f64], dm: &mut [f64]) {
        self.inner.mass(p, m, dm)
    }
    fn residual(&self, p: &Point, r: &mut Residual) {
        self.inner.residual(p, r);
        r.f0[0] -= self.source(p.x);
    }
    fn jacobian(&self, p: &Point, j: &mut Jacobian) {
        self.inner.jacobian(p, j)
    }
}

/// Manufactured nonlinear solution: |B| up to 0.38 T·… (A0 π/side ≈ 0.19 T·π), in the
/// steel's steep initial part, where ν varies by a factor of two.
pub fn manufactured(comm: &Comm) -> Result<(), String> {
    let mut failures = Vec::new();
    for order in [1usize, 2] {
        println!("planar manufactured solution, nonlinear steel, P{order}:");
        println!("  {:>6} {:>12}", "h/side", "L2 err A");
        let (mut hs, mut es) = (vec![], vec![]);
        for n in [8usize, 16, 32] {
            let mesh = grid(&lin(0.0, SIDE, n), &lin(0.0, SIDE, n), &["iron"], &|_, _| 0);
            let inner = Magnetostatic::new(
                Geometry::Planar,
                vec![(
                    0,
                    Arc::new(MagneticMaterial::Nonlinear(super::sphere::steel())),
                )],
                vec![],
            )
            .unwrap();
            let bcs = vec![Bc {
                name: "zero".into(),
                boundaries: vec!["left".into(), "right".into(), "top".into(), "bottom".into()],
                kernel: Box::new(FixedPotential::new(0.0)),
            }];
            let s = solve(comm, mesh, order, Box::new(Manufactured { inner }), bcs);
            let e = rel_l2(&s, &exact);
            println!("  {:>6.4} {:>12.3e}", 1.0 / n as f64, e);
            hs.push(1.0 / n as f64);
            es.push(e);
        }
        let p = orders(&hs, &es);
        println!("  observed orders: {p:.2?} (expected {})", order + 1);
        if p.iter().any(|&q| q < order as f64 + 0.8) {
            failures.push(format!("P{order}: orders {p:?}, errors {es:?}"));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

fn rel_l2(s: &super::solve::Solved, f: &dyn Fn([f64; 3]) -> f64) -> f64 {
    let e = integrate(s, &mut |x, _, u, _| (u - f(x)).powi(2));
    let n = integrate(s, &mut |x, _, _, _| f(x).powi(2));
    (e / n).sqrt()
}

/// A round conductor of radius a carrying I (quarter model: the symmetry planes x = 0 and
/// y = 0 are natural boundaries, A_z = 0 on ρ = 3a): B outside vs μ0 I/(2πρ).
pub fn conductor(comm: &Comm) -> Result<(), String> {
    let (a, i) = (0.01, 1000.0);
    println!("planar round conductor a = 10 mm, I = {i} A: B = mu0 I/(2 pi rho) outside");
    let mut errs = vec![];
    for n in [8usize, 16, 32] {
        let mesh = quarter_disc(a, 3.0 * a, n);
        // The polygonal conductor's area, so that the quarter carries exactly I/4.
        let area = galvana_engine::magnetostatic::region_area(&mesh, &[0]);
        let k = Magnetostatic::new(
            Geometry::Planar,
            vec![
                (0, Arc::new(MagneticMaterial::Linear { mu_r: 1.0 })),
                (1, Arc::new(MagneticMaterial::Linear { mu_r: 1.0 })),
            ],
            vec![(0, 0.25 * i / area)],
        )
        .unwrap();
        let bcs = vec![Bc {
            name: "outer".into(),
            boundaries: vec!["outer".into()],
            kernel: Box::new(FixedPotential::new(0.0)),
        }];
        let s = solve(comm, mesh, 1, Box::new(k), bcs);
        let c = MU0 * i / (2.0 * PI);
        let e = integrate(&s, &mut |x, reg, _, g| {
            if reg != 1 {
                return 0.0;
            }
            let r2 = x[0] * x[0] + x[1] * x[1];
            let ex = [-c * x[1] / r2, c * x[0] / r2];
            (g[1] - ex[0]).powi(2) + (-g[0] - ex[1]).powi(2)
        });
        let nrm = integrate(&s, &mut |x, reg, _, _| {
            if reg == 1 {
                c * c / (x[0] * x[0] + x[1] * x[1])
            } else {
                0.0
            }
        });
        let rel = (e / nrm).sqrt();
        println!("  n = {n:3}: relative L2 error of B outside the conductor {rel:.3e}");
        errs.push(rel);
    }
    if errs[2] > 0.01 || errs[2] >= errs[1] || errs[1] >= errs[0] {
        return Err(format!("round conductor: errors {errs:?}"));
    }
    Ok(())
}
