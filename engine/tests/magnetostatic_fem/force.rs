//! Test 5: force on an iron plunger half inside a coil, Maxwell stress (the engine's eggshell
//! postprocessor) against virtual work, F_z = dW'/dz at constant current, from two solves with
//! the plunger moved by ±δ (the mesh nodes of the plunger move rigidly, a band of air cells
//! around it stretches, everything else stays put).

use super::meshes::{grid, lin};
use super::solve::solve;
use galvana_engine::comm::Comm;
use galvana_engine::fem::assemble::Bc;
use galvana_engine::magnetostatic::post::quantities;
use galvana_engine::magnetostatic::{Coil, Setup};
use galvana_physics::magnetics::inductance::mutual_coaxial;
use galvana_physics::magnetics::CircularLoop;
use galvana_physics::magnetostatic::deck::CoilDrive;
use galvana_physics::magnetostatic::{
    FixedPotential, Geometry, MagneticMaterial, Magnetostatic, MU0,
};
use std::sync::Arc;

const R_P: f64 = 0.016; // plunger radius (on a grid line)
const Z_P: [f64; 2] = [0.0, 0.04]; // plunger ends
const NI: f64 = 2000.0;

/// Coenergy (J) and Maxwell-stress F_z (N) with the plunger displaced by `dz`.
fn run(comm: &Comm, dz: f64, order: usize) -> (f64, f64) {
    let xs = lin(0.0, 0.12, 60);
    let ys = lin(-0.1, 0.14, 120);
    let region = |x: f64, y: f64| {
        if x < R_P && y > Z_P[0] && y < Z_P[1] {
            2 // plunger
        } else if x > 0.02 && x < 0.03 && y > -0.02 && y < 0.02 {
            1 // coil
        } else {
            0
        }
    };
    let mut mesh = grid(&xs, &ys, &["air", "coil", "plunger"], &region);
    // Displacement δ·φx(x)·φy(y): 1 on the plunger, tapering to 0 over 4 mm of air outside
    // its radius and 10 mm beyond its ends.
    let taper = |d: f64, w: f64| (1.0 - d / w).clamp(0.0, 1.0);
    for c in &mut mesh.coords {
        let fx = if c[0] <= R_P + 1e-12 {
            1.0
        } else {
            taper(c[0] - R_P, 0.004)
        };
        let fy = if c[1] < Z_P[0] {
            taper(Z_P[0] - c[1], 0.01)
        } else if c[1] > Z_P[1] {
            taper(c[1] - Z_P[1], 0.01)
        } else {
            1.0
        };
        c[1] += dz * fx * fy;
    }
    let kernel = Arc::new(
        Magnetostatic::new(
            Geometry::Axisymmetric,
            vec![
                (0, Arc::new(MagneticMaterial::Linear { mu_r: 1.0 })),
                (1, Arc::new(MagneticMaterial::Linear { mu_r: 1.0 })),
                (
                    2,
                    Arc::new(MagneticMaterial::Nonlinear(super::sphere::steel())),
                ),
            ],
            vec![(1, NI / (0.01 * 0.04))],
        )
        .unwrap(),
    );
    let bcs = vec![Bc {
        name: "zero".into(),
        boundaries: vec!["left".into(), "right".into(), "top".into(), "bottom".into()],
        kernel: Box::new(FixedPotential::new(0.0)),
    }];
    let s = solve(comm, mesh, order, Box::new((*kernel).clone()), bcs);
    let setup = Setup {
        kernel,
        coils: vec![Coil {
            name: "c".into(),
            regions: vec![1],
            area: 0.01 * 0.04,
            drive: CoilDrive::AmpereTurns {
                turns: NI,
                current: 1.0,
            },
        }],
        force_regions: vec![("plunger".into(), 2)],
    };
    let q = quantities(comm, &s.asm, &setup, &s.u);
    (q.coenergy, q.force[0][1])
}

pub fn plunger(comm: &Comm) -> Result<(), String> {
    let d = 2e-4;
    let order: usize = std::env::var("MAG_FORCE_ORDER")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let (w0, f_stress) = run(comm, 0.0, order);
    let (wp, _) = run(comm, d, order);
    let (wm, _) = run(comm, -d, order);
    let f_vw = (wp - wm) / (2.0 * d);
    println!(
        "plunger (steel, r = 16 mm, half inside a coil of {NI} A-turns): W' = {w0:.6e} J, F_z Maxwell stress = {f_stress:.4} N, virtual work dW'/dz = {f_vw:.4} N, rel. diff {:.2e}",
        f_stress / f_vw - 1.0
    );
    if f_vw >= 0.0 || (f_stress / f_vw - 1.0).abs() > 0.02 {
        return Err(format!(
            "plunger force: stress {f_stress} N vs virtual work {f_vw} N"
        ));
    }
    Ok(())
}

/// Gauss–Legendre loops (2 × 2 points on 4 × 4 sub-cells) of a rectangular winding section
/// [r0, r1] × [z0, z1] carrying `ni` ampere-turns.
fn section_loops(
    r0: f64,
    r1: f64,
    z0: f64,
    z1: f64,
    ni: f64,
) -> Vec<(CircularLoop, f64, f64, f64)> {
    let g = 0.5 / 3f64.sqrt();
    let (hr, hz) = ((r1 - r0) / 4.0, (z1 - z0) / 4.0);
    let mut v = Vec::new();
    for a in 0..4 {
        for b in 0..4 {
            for (sa, sb) in [(-g, -g), (-g, g), (g, -g), (g, g)] {
                let r = r0 + hr * (a as f64 + 0.5 + sa);
                let z = z0 + hz * (b as f64 + 0.5 + sb);
                let w = ni / 64.0;
                v.push((
                    CircularLoop::new([0.0, 0.0, z], [0.0, 0.0, 1.0], r, w).unwrap(),
                    r,
                    z,
                    w,
                ));
            }
        }
    }
    v
}

/// Two coaxial coils of small square section, 30 mm apart: the Maxwell-stress force on the
/// upper one against the Lorentz force ∫ J × B₁ dV with B₁ the lower coil's Biot–Savart field
/// (F_z = −∫ J B_r 2πr dA), and against I₁I₂ dM/dd of the centre filaments.
pub fn coaxial_coils(comm: &Comm) -> Result<(), String> {
    let (ni1, ni2) = (1000.0, 1000.0);
    let (r0, r1) = (0.048, 0.052);
    let (lower, upper) = ((-0.002, 0.002), (0.028, 0.032));
    let mut loops = section_loops(r0, r1, lower.0, lower.1, ni1);
    let l2 = section_loops(r0, r1, upper.0, upper.1, ni2);
    // Lorentz force on coil 2 from coil 1's field.
    let area = (r1 - r0) * (upper.1 - upper.0);
    let mut f_lorentz = 0.0;
    for (_, r, z, w) in &l2 {
        let br: f64 = loops
            .iter()
            .map(|(lp, ..)| lp.field_at(MU0, [*r, 0.0, *z])[0])
            .sum();
        // Each loop stands for w ampere-turns: F_z = −w B_r 2πr.
        f_lorentz -= w * br * 2.0 * std::f64::consts::PI * r;
    }
    let d = 0.5 * (upper.0 + upper.1) - 0.5 * (lower.0 + lower.1);
    let dm = |dd: f64| mutual_coaxial(MU0, 0.05, 0.05, dd).unwrap();
    let h = 1e-5;
    let f_filament = ni1 * ni2 * (dm(d + h) - dm(d - h)) / (2.0 * h);
    loops.extend(l2);
    let psi = move |x: [f64; 3], _t: f64| -> f64 {
        loops
            .iter()
            .map(|(lp, _, zc, _)| x[0] * lp.vector_potential(MU0, x[0], x[1] - zc))
            .sum()
    };
    let region = |x: f64, y: f64| {
        if x > r0 && x < r1 && y > lower.0 && y < lower.1 {
            1
        } else if x > r0 && x < r1 && y > upper.0 && y < upper.1 {
            2
        } else {
            0
        }
    };
    let mesh = grid(
        &lin(0.0, 0.15, 75),
        &lin(-0.1, 0.13, 115),
        &["air", "c1", "c2"],
        &region,
    );
    let air = || Arc::new(MagneticMaterial::Linear { mu_r: 1.0 });
    let kernel = Arc::new(
        Magnetostatic::new(
            Geometry::Axisymmetric,
            vec![(0, air()), (1, air()), (2, air())],
            vec![(1, ni1 / area), (2, ni2 / area)],
        )
        .unwrap(),
    );
    let bcs = vec![
        Bc {
            name: "axis".into(),
            boundaries: vec!["left".into()],
            kernel: Box::new(FixedPotential::new(0.0)),
        },
        Bc {
            name: "far".into(),
            boundaries: vec!["right".into(), "top".into(), "bottom".into()],
            kernel: Box::new(FixedPotential::new(
                galvana_physics::thermal::Value::function(psi),
            )),
        },
    ];
    let s = solve(comm, mesh, 2, Box::new((*kernel).clone()), bcs);
    let setup = Setup {
        kernel,
        coils: vec![],
        force_regions: vec![("c2".into(), 2)],
    };
    let f_fem = quantities(comm, &s.asm, &setup, &s.u).force[0][1];
    println!(
        "coaxial coils R = 50 mm, 4 x 4 mm sections, 30 mm apart, 1000 A-turns each: F_z on the upper coil \
         Maxwell stress {f_fem:.5} N, Lorentz (Biot-Savart) {f_lorentz:.5} N, filaments I1 I2 dM/dd {f_filament:.5} N"
    );
    // Filaments stand for the 4 mm sections up to O((4/30)²/12) ≈ 1.5e-3.
    if (f_fem / f_lorentz - 1.0).abs() > 2e-3 || (f_lorentz / f_filament - 1.0).abs() > 2e-3 {
        return Err(format!(
            "coaxial coils: stress {f_fem} vs Lorentz {f_lorentz} vs filaments {f_filament}"
        ));
    }
    Ok(())
}
