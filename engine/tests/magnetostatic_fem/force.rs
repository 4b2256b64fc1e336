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
use galvana_physics::magnetostatic::deck::CoilDrive;
use galvana_physics::magnetostatic::{FixedPotential, Geometry, MagneticMaterial, Magnetostatic};
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
