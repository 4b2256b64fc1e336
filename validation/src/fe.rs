//! Shared finite-element plumbing for the validation cases: building a distributed problem,
//! running the engine's driver, and measuring the FE solution against an exact one with our own
//! (higher-degree) quadrature, independent of the engine's assembly.

use galvana_engine::comm::Comm;
use galvana_engine::fem::assemble::{Assembler, Bc, TimeTerms};
use galvana_engine::fem::space::Space;
use galvana_engine::linalg::krylov::{KrylovOptions, KspType};
use galvana_engine::monitor::Monitor;
use galvana_engine::solve::bdf::Scheme;
use galvana_engine::solve::driver::{Driver, OutputSink, PostRow, RunResult, TimeConfig};
use galvana_engine::solve::linear::{LinearSolver, PcType};
use galvana_engine::solve::newton::NewtonOptions;
use galvana_engine::timing::Timings;
use galvana_mesh::fe::{map_cell, push_gradient, Quadrature};
use galvana_mesh::Mesh;
use galvana_physics::kernel::{BoundaryKernel, VolumeKernel};
use galvana_physics::materials::ThermalMaterial;
use std::sync::Arc;
use std::time::Instant;

/// Exact solution: value and gradient at a point.
pub type ExactFn<'a> = &'a dyn Fn([f64; 3]) -> (f64, [f64; 3]);

/// Distribute `mesh` over the ranks of `comm` (METIS for more than one rank) and build an
/// order-`order` scalar Lagrange space on it.
pub fn space(comm: &Comm, mesh: Mesh, order: usize) -> Result<Space, String> {
    let cell_part = if comm.size() == 1 {
        vec![0; mesh.num_cells()]
    } else {
        galvana_mesh::partition::metis(&mesh, comm.size())
            .map_err(|e| e.to_string())?
            .cell_part
    };
    Space::new(comm, Arc::new(mesh), order, 1, cell_part)
}

/// A boundary condition on the named boundaries.
pub fn bc(name: &str, boundaries: &[&str], kernel: impl BoundaryKernel + 'static) -> Bc {
    Bc {
        name: name.into(),
        boundaries: boundaries.iter().map(|s| s.to_string()).collect(),
        kernel: Box::new(kernel),
    }
}

/// Build the assembler for a heat-conduction problem (one material on region 0).
pub fn assembler(
    space: Space,
    kernel: impl VolumeKernel + 'static,
    bcs: Vec<Bc>,
) -> Result<Assembler, String> {
    Assembler::new(space, Box::new(kernel), bcs, None, false)
}

/// Tight solver settings: validation measures discretisation error, so algebraic error must be
/// orders of magnitude below it. [`run_from`] raises `atol` to [`ATOL_FACTOR`] times the
/// residual's roundoff floor, so that a solve that has reached roundoff is not reported as a
/// failed line search.
pub fn newton_tight() -> NewtonOptions {
    NewtonOptions {
        rtol: 1e-11,
        atol: 0.0,
        max_it: 30,
        line_search: true,
        stol: 0.0,
    }
}

/// Newton's absolute tolerance in units of the residual's roundoff floor ε‖|J||u|‖.
pub const ATOL_FACTOR: f64 = 10.0;

/// Roundoff floor of the residual at `u` (ghosts current): ε ‖ |J| |u| ‖₂ over owned rows, with
/// the mass term weighted by `a0` (1/dt; 0 for steady problems).
pub fn roundoff_floor(comm: &Comm, asm: &Assembler, u: &[f64], t: f64, a0: f64) -> f64 {
    let mut jac = asm.space.new_matrix();
    let mut r = vec![0.0; asm.space.n_local()];
    let old = u.to_vec();
    let tt = TimeTerms {
        a: [a0, -a0, 0.0],
        old: if a0 != 0.0 { vec![&old] } else { vec![] },
    };
    asm.assemble(u, t, &tt, &mut r, Some(&mut jac));
    let mut s = 0.0;
    for row in 0..asm.space.n_owned() {
        let mut acc = 0.0;
        for k in jac.row_ptr[row]..jac.row_ptr[row + 1] {
            acc += (jac.vals[k] * u[jac.cols[k] as usize]).abs();
        }
        s += acc * acc;
    }
    f64::EPSILON * comm.sum(s).sqrt()
}

pub fn linear_solver() -> LinearSolver {
    LinearSolver::Native {
        opts: KrylovOptions {
            kind: KspType::Gmres,
            rtol: 1e-13,
            atol: 1e-300,
            max_it: 20_000,
            restart: 200,
        },
        pc: PcType::BlockJacobiIlu0,
    }
}

/// Steady configuration.
pub fn steady() -> TimeConfig {
    TimeConfig::default()
}

/// Fixed-step transient configuration.
pub fn transient(scheme: Scheme, end: f64, steps: usize) -> TimeConfig {
    TimeConfig {
        steady: false,
        scheme,
        start: 0.0,
        end,
        dt: end / steps as f64,
        dt_min: 0.0,
        dt_max: f64::INFINITY,
        adaptive: false,
        target_error: 1e-3,
        growth: 1.5,
        max_steps: 10 * steps as u64 + 10,
    }
}

/// What a run produced: every postprocessor row (the initial state and each step) and the
/// final solution (ghosts current).
pub struct RunOut {
    pub columns: Vec<String>,
    pub rows: Vec<PostRow>,
    pub u: Vec<f64>,
    pub result: RunResult,
    pub seconds: f64,
}

impl RunOut {
    /// Column index by name.
    pub fn col(&self, name: &str) -> Result<usize, String> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| format!("no postprocessor column '{name}' in {:?}", self.columns))
    }
    /// Last row value of a column.
    pub fn last(&self, name: &str) -> Result<f64, String> {
        let k = self.col(name)?;
        Ok(self.rows.last().ok_or("no output rows")?.values[k])
    }
}

struct Collect {
    rows: Vec<PostRow>,
}

impl OutputSink for Collect {
    fn begin(&mut self, _: &Comm, _: &Assembler, _: &[String]) -> Result<(), String> {
        Ok(())
    }
    fn write(
        &mut self,
        _: &Comm,
        _: &Assembler,
        _: &[f64],
        _: u64,
        row: &PostRow,
    ) -> Result<(), String> {
        self.rows.push(row.clone());
        Ok(())
    }
}

/// Run the engine's driver from the initial state `u0` (a constant).
pub fn run(
    comm: &Comm,
    asm: &Assembler,
    u0: f64,
    time: TimeConfig,
    newton: NewtonOptions,
) -> Result<RunOut, String> {
    let mut u = vec![u0; asm.space.n_local()];
    run_from(comm, asm, &mut u, time, newton)
}

/// Run the engine's driver from the local vector `u` (initial state, overwritten).
pub fn run_from(
    comm: &Comm,
    asm: &Assembler,
    u: &mut Vec<f64>,
    time: TimeConfig,
    newton: NewtonOptions,
) -> Result<RunOut, String> {
    let mut probe = u.clone();
    asm.apply_dirichlet(&mut probe, time.start);
    let a0 = if time.steady { 0.0 } else { 1.0 / time.dt };
    let floor = roundoff_floor(comm, asm, &probe, time.start, a0);
    let newton = NewtonOptions {
        atol: newton.atol.max(ATOL_FACTOR * floor),
        ..newton
    };
    let mut linear = linear_solver();
    let mut monitor = Monitor::new(comm.is_root(), None).map_err(|e| e.to_string())?;
    monitor.console = false;
    let mut timings = Timings::default();
    let mut sink = Collect { rows: Vec::new() };
    let t0 = Instant::now();
    let result = {
        let mut driver = Driver {
            comm,
            asm,
            linear: &mut linear,
            monitor: &mut monitor,
            timings: &mut timings,
            newton,
            time,
            output_interval: 1,
            resume: None,
            hook: None,
            extra: None,
            control: None,
        };
        driver.run(u, &mut sink)?
    };
    asm.space.layout.update_ghosts(comm, u);
    Ok(RunOut {
        columns: result.columns.clone(),
        rows: sink.rows,
        u: u.clone(),
        result,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Integrated norms of the error e = u − u_h and of u_h itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct Norms {
    /// ‖u − u_h‖_L2
    pub l2: f64,
    /// |u − u_h|_H1 = ‖∇(u − u_h)‖_L2
    pub h1: f64,
    /// ‖u_h‖_L2 (a rank-count independent fingerprint of the solution).
    pub uh_l2: f64,
}

/// Error norms of the FE function `u` (local vector, ghosts current) against `exact`, with a
/// quadrature of degree `2·order + extra`. Each cell is counted once across ranks (by the owner
/// of its first DOF).
pub fn error_norms(comm: &Comm, space: &Space, u: &[f64], exact: ExactFn, extra: usize) -> Norms {
    let mesh = &space.mesh;
    let el = &space.dofmap.element;
    let nd = el.num_dofs();
    let q = Quadrature::new(mesh.cell_type, 2 * space.dofmap.order + extra);
    // Tabulate once on the reference cell.
    let mut phi = vec![0.0; q.weights.len() * nd];
    let mut dphi = vec![[0.0; 3]; q.weights.len() * nd];
    for (k, xi) in q.points.iter().enumerate() {
        el.tabulate(
            *xi,
            &mut phi[k * nd..(k + 1) * nd],
            &mut dphi[k * nd..(k + 1) * nd],
        );
    }
    let (lo, hi) = (space.dof_lo(), space.dof_hi());
    let mut verts = vec![[0.0; 3]; mesh.cell_type.num_vertices()];
    let mut acc = [0.0; 3];
    for (k, &c) in space.local_cells.iter().enumerate() {
        let first = space.dofmap.cell(c)[0];
        if first < lo || first >= hi {
            continue;
        }
        let slots = space.slots(k);
        for (v, &vi) in verts.iter_mut().zip(mesh.cell(c)) {
            *v = mesh.coords[vi];
        }
        for (iq, xi) in q.points.iter().enumerate() {
            let map = map_cell(mesh.cell_type, &verts, *xi);
            let w = q.weights[iq] * map.det.abs();
            let (mut uh, mut guh) = (0.0, [0.0; 3]);
            for i in 0..nd {
                let ui = u[slots[i] as usize];
                uh += phi[iq * nd + i] * ui;
                let g = push_gradient(&map, mesh.dim, dphi[iq * nd + i]);
                for a in 0..3 {
                    guh[a] += g[a] * ui;
                }
            }
            let (ue, gue) = exact(map.x);
            let ge: f64 = (0..mesh.dim).map(|a| (gue[a] - guh[a]).powi(2)).sum();
            acc[0] += w * (ue - uh).powi(2);
            acc[1] += w * ge;
            acc[2] += w * uh * uh;
        }
    }
    comm.sum_in_place(&mut acc);
    Norms {
        l2: acc[0].sqrt(),
        h1: acc[1].sqrt(),
        uh_l2: acc[2].sqrt(),
    }
}

/// The global solution on every rank, indexed by the rank-count independent original DOF id.
pub fn gather_original(comm: &Comm, space: &Space, u: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; space.n_global()];
    let lo = space.dof_lo();
    for l in 0..space.n_owned() {
        out[space.original_dof[lo + l]] = u[l];
    }
    comm.sum_in_place(&mut out);
    out
}

/// (x, u) at every DOF on every rank, sorted by x (for 1D profiles).
pub fn profile_1d(comm: &Comm, space: &Space, u: &[f64]) -> Vec<(f64, f64)> {
    let mut vals = vec![0.0; space.n_global()];
    let lo = space.dof_lo();
    let n = space.n_owned();
    vals[lo..lo + n].copy_from_slice(&u[..n]);
    comm.sum_in_place(&mut vals);
    let mut p: Vec<(f64, f64)> = vals
        .iter()
        .enumerate()
        .map(|(d, &v)| (space.dofmap.dof_coords[d][0], v))
        .collect();
    p.sort_by(|a, b| a.0.total_cmp(&b.0));
    p
}

/// Observed convergence orders between successive levels: log(e_i−1/e_i)/log(h_i−1/h_i).
pub fn orders(h: &[f64], e: &[f64]) -> Vec<Option<f64>> {
    (0..h.len())
        .map(|i| {
            (i > 0 && e[i] > 0.0 && e[i - 1] > 0.0)
                .then(|| (e[i - 1] / e[i]).ln() / (h[i - 1] / h[i]).ln())
        })
        .collect()
}

/// k(T) = k0 (1 + β T) with constant ρ and cp: closed-form Kirchhoff transform
/// Φ(T) = ∫₀ᵀ k = k0 (T + β T²/2).
#[derive(Clone, Debug)]
pub struct LinearK {
    pub k0: f64,
    pub beta: f64,
    pub rho: f64,
    pub cp: f64,
}

impl LinearK {
    pub fn kirchhoff(&self, t: f64) -> f64 {
        self.k0 * (t + 0.5 * self.beta * t * t)
    }
    /// Inverse of [`LinearK::kirchhoff`] on the branch where k > 0.
    pub fn inverse_kirchhoff(&self, phi: f64) -> f64 {
        if self.beta == 0.0 {
            return phi / self.k0;
        }
        let disc = 1.0 + 2.0 * self.beta * phi / self.k0;
        // (−1 + √disc)/β written without cancellation.
        2.0 * phi / self.k0 / (1.0 + disc.sqrt())
    }
}

impl ThermalMaterial for LinearK {
    fn conductivity(&self, t: f64) -> f64 {
        self.k0 * (1.0 + self.beta * t)
    }
    fn dconductivity(&self, _t: f64) -> f64 {
        self.k0 * self.beta
    }
    fn density(&self) -> f64 {
        self.rho
    }
    fn specific_heat(&self, _t: f64) -> f64 {
        self.cp
    }
    fn enthalpy(&self, t: f64) -> f64 {
        self.cp * t
    }
    fn valid_range(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }
    fn name(&self) -> &str {
        "linear_k"
    }
}

/// ∫_a^b f by composite 8-point Gauss–Legendre on `panels` equal panels.
pub fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, panels: usize) -> f64 {
    // The mesh crate's rule on [0, 1].
    let (x, w) = galvana_mesh::fe::quadrature::gauss_jacobi01(8, 0);
    let h = (b - a) / panels as f64;
    let mut s = 0.0;
    for p in 0..panels {
        let a0 = a + p as f64 * h;
        for (xi, wi) in x.iter().zip(&w) {
            s += wi * f(a0 + xi * h);
        }
    }
    s * h
}

/// Scalar Newton for g(x) = 0 with derivative dg, from x0; panics never, errors on failure.
pub fn scalar_newton(
    g: &dyn Fn(f64) -> f64,
    dg: &dyn Fn(f64) -> f64,
    x0: f64,
    what: &str,
) -> Result<f64, String> {
    let mut x = x0;
    for _ in 0..100 {
        let (gx, d) = (g(x), dg(x));
        let dx = -gx / d;
        x += dx;
        if !x.is_finite() {
            break;
        }
        if dx.abs() <= 1e-15 * x.abs().max(1e-300) {
            return Ok(x);
        }
    }
    Err(format!("{what}: scalar Newton did not converge (x = {x})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_of_exact_power_law() {
        let h = [0.4, 0.2, 0.1];
        let e: Vec<f64> = h.iter().map(|h| 3.0 * h * h * h).collect();
        let p = orders(&h, &e);
        assert!(p[0].is_none());
        assert!((p[1].unwrap() - 3.0).abs() < 1e-12 && (p[2].unwrap() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn linear_k_kirchhoff_round_trip() {
        let m = LinearK {
            k0: 10.0,
            beta: 0.01,
            rho: 1.0,
            cp: 1.0,
        };
        for t in [0.0, 4.0, 300.0, 600.0] {
            let back = m.inverse_kirchhoff(m.kirchhoff(t));
            assert!((back - t).abs() < 1e-12 * t.max(1.0), "{t} -> {back}");
        }
        // Φ' = k
        let (t, d) = (350.0, 1e-4);
        let num = (m.kirchhoff(t + d) - m.kirchhoff(t - d)) / (2.0 * d);
        assert!((num - m.conductivity(t)).abs() < 1e-8);
    }

    #[test]
    fn integrate_and_newton() {
        let v = integrate(&|x| x.powi(7), 0.0, 2.0, 3);
        assert!((v - 32.0).abs() < 1e-12);
        let r = scalar_newton(&|x| x * x - 2.0, &|x| 2.0 * x, 1.0, "sqrt2").unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-15);
    }
}
