//! Solving a magnetostatic problem through the engine's own assembler and Newton solver on
//! one rank, and integrating the solution for error norms.

use galvana_engine::comm::Comm;
use galvana_engine::fem::assemble::{Assembler, Bc, TimeTerms};
use galvana_engine::fem::space::Space;
use galvana_engine::linalg::krylov::{KrylovOptions, KspType};
use galvana_engine::monitor::Monitor;
use galvana_engine::solve::linear::{LinearSolver, PcType};
use galvana_engine::solve::newton::{self, NewtonContext, NewtonOptions, NewtonWork};
use galvana_engine::timing::Timings;
use galvana_mesh::fe::{map_cell, push_gradient, Quadrature};
use galvana_mesh::Mesh;
use galvana_physics::kernel::VolumeKernel;
use std::sync::Arc;

/// A solved problem: the assembler (space, kernel) and the local solution vector.
pub struct Solved {
    pub asm: Assembler,
    pub u: Vec<f64>,
    /// Newton residual norms, first to last.
    pub norms: Vec<f64>,
}

/// Assembles and solves with Newton (exact Jacobian) to a tight tolerance.
pub fn solve(
    comm: &Comm,
    mesh: Mesh,
    order: usize,
    kernel: Box<dyn VolumeKernel>,
    bcs: Vec<Bc>,
) -> Solved {
    let n = mesh.num_cells();
    let space = Space::new(comm, Arc::new(mesh), order, 1, vec![0; n]).expect("space");
    let asm = Assembler::new(space, kernel, bcs, None, false).expect("assembler");
    let mut linear = LinearSolver::Native {
        opts: KrylovOptions {
            kind: KspType::Cg,
            rtol: 1e-13,
            atol: 1e-300,
            max_it: 20000,
            restart: 30,
        },
        pc: PcType::BlockJacobiIlu0,
    };
    // The residual stream records the Newton history (read back below).
    let dir = std::env::temp_dir().join(format!("galvana-magfem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let _ = std::fs::remove_file(dir.join("residuals.jsonl"));
    let mut monitor = Monitor::new(true, Some(&dir)).expect("monitor");
    monitor.console = false;
    let mut timings = Timings::default();
    let mut u = vec![0.0; asm.space.n_local()];
    asm.apply_dirichlet(&mut u, 0.0);
    let mut work = NewtonWork::new(&asm);
    let opts = NewtonOptions {
        rtol: 1e-11,
        atol: 1e-300,
        max_it: 40,
        line_search: true,
        stol: 0.0,
    };
    let mut norms = Vec::new();
    let res = {
        let mut ctx = NewtonContext {
            comm,
            asm: &asm,
            linear: &mut linear,
            monitor: &mut monitor,
            timings: &mut timings,
            step: 0,
        };
        newton::solve(
            &mut ctx,
            &mut work,
            &mut u,
            0.0,
            &TimeTerms::default(),
            &opts,
        )
        .expect("newton")
    };
    drop(monitor);
    let text = std::fs::read_to_string(dir.join("residuals.jsonl")).expect("residual stream");
    let _ = std::fs::remove_dir_all(&dir);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        if v["kind"] == "nonlinear" {
            norms.push(v["norm"].as_f64().expect("norm"));
        }
    }
    assert!(
        res.converged,
        "Newton did not converge: {} (|R| = {:e})",
        res.reason, res.norm
    );
    asm.space.layout.update_ghosts(comm, &mut u);
    Solved { asm, u, norms }
}

/// Integrates `f(x, region, u, ∇u)` over the mesh (dx dy, no 2πr) with the assembler's rule.
pub fn integrate(s: &Solved, f: &mut dyn FnMut([f64; 3], u32, f64, [f64; 3]) -> f64) -> f64 {
    let sp = &s.asm.space;
    let mesh = &sp.mesh;
    let el = &sp.dofmap.element;
    let nd = el.num_dofs();
    // The assembler's own rule: in axisymmetric runs the discrete B ~ 1/r in the cells on the
    // axis, and only the same rule makes energy and flux linkage agree exactly (Galerkin).
    let q = Quadrature::new(mesh.cell_type, s.asm.quad_degree);
    let (mut phi, mut dphi) = (vec![0.0; nd], vec![[0.0; 3]; nd]);
    let mut verts = vec![[0.0; 3]; mesh.cell_type.num_vertices()];
    let mut sum = 0.0;
    for (k, &c) in sp.local_cells.iter().enumerate() {
        let slots = sp.slots(k);
        for (v, &vi) in verts.iter_mut().zip(mesh.cell(c)) {
            *v = mesh.coords[vi];
        }
        for (xi, w) in q.points.iter().zip(&q.weights) {
            el.tabulate(*xi, &mut phi, &mut dphi);
            let map = map_cell(mesh.cell_type, &verts, *xi);
            let (mut uq, mut g) = (0.0, [0.0; 3]);
            for i in 0..nd {
                let ui = s.u[slots[i] as usize];
                uq += phi[i] * ui;
                let gi = push_gradient(&map, 2, dphi[i]);
                g[0] += gi[0] * ui;
                g[1] += gi[1] * ui;
            }
            sum += w * map.det.abs() * f(map.x, mesh.cell_region[c], uq, g);
        }
    }
    sum
}

/// Nodal value of the solution at the mesh vertex closest to `x` (P1: the DOF there).
pub fn nodal(s: &Solved, x: [f64; 2]) -> f64 {
    let sp = &s.asm.space;
    let (mut best, mut d) = (0usize, f64::INFINITY);
    for (i, c) in sp.dofmap.dof_coords.iter().enumerate() {
        let dd = (c[0] - x[0]).powi(2) + (c[1] - x[1]).powi(2);
        if dd < d {
            best = i;
            d = dd;
        }
    }
    let l = sp
        .layout
        .local_of(best)
        .expect("serial: every DOF is local");
    s.u[l]
}

/// Observed orders log(e_k/e_{k+1}) / log(h_k/h_{k+1}).
pub fn orders(h: &[f64], e: &[f64]) -> Vec<f64> {
    (1..e.len())
        .map(|k| (e[k - 1] / e[k]).ln() / (h[k - 1] / h[k]).ln())
        .collect()
}
