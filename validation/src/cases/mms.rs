//! Case 1: method of manufactured solutions for steady heat conduction, constant and
//! temperature-dependent conductivity, P1/P2 on triangles, quads, tetrahedra and hexahedra.
//!
//! Exact solution u = 1 + A sin(a x + φ1) cos(b y + φ2) e^{g z} (g = 0 in 2D) on the unit
//! square / cube; the source is Q = −∇·(k(u)∇u) = −k(u) Δu − k'(u) |∇u|². Dirichlet data on
//! every side but x = 1, which gets the exact inward flux q = k(u) ∂u/∂x (HeatFlux).

use crate::fe::{self, orders, LinearK};
use crate::report::{e3, ord, Csv, Plot, Section, Series, Table};
use galvana_engine::comm::Comm;
use galvana_mesh::generate::{box_mesh, rectangle};
use galvana_physics::materials::{Constant, ThermalMaterial};
use galvana_physics::thermal::bcs::{FixedTemperature, HeatFlux};
use galvana_physics::thermal::{HeatConduction, Source};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

const A: f64 = 0.5;
const KX: f64 = 2.1;
const KY: f64 = 1.7;
const KZ: f64 = 0.6;
const PHI1: f64 = 0.3;
const PHI2: f64 = 0.2;
/// Constant conductivity of the linear cases, W/(m K).
const K_CONST: f64 = 2.5;
/// k(T) = K0 (1 + BETA T) for the nonlinear cases.
const K0: f64 = 1.0;
const BETA: f64 = 0.5;
/// Tolerance on the measured order (finest pair) against the theoretical one.
pub const ORDER_TOL: f64 = 0.2;
/// Serial and parallel nodal values must agree to this (max-norm, relative).
pub const PARALLEL_TOL: f64 = 1e-10;

/// One mesh family / element / material combination.
#[derive(Clone, Debug)]
pub struct Config {
    pub id: &'static str,
    pub label: &'static str,
    pub dim: usize,
    pub simplex: bool,
    pub order: usize,
    pub nonlinear: bool,
    /// Cells per side of each refinement level.
    pub ns: Vec<usize>,
}

pub fn configs(quick: bool) -> Vec<Config> {
    let c = |id, label, dim, simplex, order, nonlinear, q: &[usize], f: &[usize]| Config {
        id,
        label,
        dim,
        simplex,
        order,
        nonlinear,
        ns: if quick { q.to_vec() } else { f.to_vec() },
    };
    let (p1_2d, p2_2d) = (&[8, 16, 32, 64][..], &[4, 8, 16, 32][..]);
    let (p1_2d_f, p2_2d_f) = (&[8, 16, 32, 64, 128][..], &[4, 8, 16, 32, 64][..]);
    let (p1_3d, p2_3d) = (&[4, 8, 16][..], &[2, 4, 8][..]);
    let (p1_3d_f, p2_3d_f) = (&[4, 8, 16, 32][..], &[2, 4, 8, 16][..]);
    let mut v = vec![
        c(
            "2d-tri-p1",
            "2D triangles P1",
            2,
            true,
            1,
            false,
            p1_2d,
            p1_2d_f,
        ),
        c(
            "2d-quad-p1",
            "2D quads Q1",
            2,
            false,
            1,
            false,
            p1_2d,
            p1_2d_f,
        ),
        c(
            "2d-tri-p2",
            "2D triangles P2",
            2,
            true,
            2,
            false,
            p2_2d,
            p2_2d_f,
        ),
        c(
            "2d-quad-p2",
            "2D quads Q2",
            2,
            false,
            2,
            false,
            p2_2d,
            p2_2d_f,
        ),
        c(
            "3d-tet-p1",
            "3D tetrahedra P1",
            3,
            true,
            1,
            false,
            p1_3d,
            p1_3d_f,
        ),
        c(
            "3d-hex-p1",
            "3D hexahedra Q1",
            3,
            false,
            1,
            false,
            p1_3d,
            p1_3d_f,
        ),
        c(
            "3d-tet-p2",
            "3D tetrahedra P2",
            3,
            true,
            2,
            false,
            p2_3d,
            p2_3d_f,
        ),
        c(
            "3d-hex-p2",
            "3D hexahedra Q2",
            3,
            false,
            2,
            false,
            p2_3d,
            p2_3d_f,
        ),
        c(
            "2d-tri-p1-kT",
            "2D triangles P1, k(T)",
            2,
            true,
            1,
            true,
            p1_2d,
            p1_2d_f,
        ),
        c(
            "2d-quad-p2-kT",
            "2D quads Q2, k(T)",
            2,
            false,
            2,
            true,
            p2_2d,
            p2_2d_f,
        ),
    ];
    if !quick {
        v.push(c(
            "3d-tet-p1-kT",
            "3D tetrahedra P1, k(T)",
            3,
            true,
            1,
            true,
            p1_3d,
            p1_3d_f,
        ));
        v.push(c(
            "3d-hex-p2-kT",
            "3D hexahedra Q2, k(T)",
            3,
            false,
            2,
            true,
            p2_3d,
            p2_3d_f,
        ));
    }
    v
}

/// Results of one refinement level.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Level {
    pub n: usize,
    pub h: f64,
    pub dofs: usize,
    pub l2: f64,
    pub h1: f64,
    pub uh_l2: f64,
    pub newton_its: u64,
    pub linear_its: u64,
    pub seconds: f64,
    /// Nodal values by original DOF id (for the serial/parallel comparison).
    pub solution: Vec<f64>,
}

/// All levels of one configuration at one rank count.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub ranks: usize,
    pub levels: Vec<Level>,
}

/// Exact solution and gradient.
fn exact(dim: usize, x: [f64; 3]) -> (f64, [f64; 3]) {
    let g = if dim == 3 { KZ } else { 0.0 };
    let (s, c) = ((KX * x[0] + PHI1).sin(), (KY * x[1] + PHI2).cos());
    let (ds, dc) = (
        KX * (KX * x[0] + PHI1).cos(),
        -KY * (KY * x[1] + PHI2).sin(),
    );
    let e = (g * x[2]).exp();
    (
        1.0 + A * s * c * e,
        [A * ds * c * e, A * s * dc * e, A * g * s * c * e],
    )
}

fn conductivity(nonlinear: bool, u: f64) -> (f64, f64) {
    if nonlinear {
        (K0 * (1.0 + BETA * u), K0 * BETA)
    } else {
        (K_CONST, 0.0)
    }
}

/// Q = −k(u) Δu − k'(u) |∇u|².
fn source(dim: usize, nonlinear: bool, x: [f64; 3]) -> f64 {
    let g = if dim == 3 { KZ } else { 0.0 };
    let (u, grad) = exact(dim, x);
    let lap = (u - 1.0) * (g * g - KX * KX - KY * KY);
    let (k, dk) = conductivity(nonlinear, u);
    -k * lap - dk * (grad[0] * grad[0] + grad[1] * grad[1] + grad[2] * grad[2])
}

fn solve_level(comm: &Comm, c: &Config, n: usize) -> Result<Level, String> {
    let mesh = if c.dim == 2 {
        rectangle(n, n, [0.0, 1.0], [0.0, 1.0], c.simplex)
    } else {
        box_mesh(n, n, n, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], c.simplex)
    }
    .map_err(|e| e.to_string())?;
    let space = fe::space(comm, mesh, c.order)?;
    let dofs = space.n_global();
    let material: Arc<dyn ThermalMaterial> = if c.nonlinear {
        Arc::new(LinearK {
            k0: K0,
            beta: BETA,
            rho: 1.0,
            cp: 1.0,
        })
    } else {
        Arc::new(Constant::new(K_CONST, 1.0, 1.0)?)
    };
    let (dim, nl) = (c.dim, c.nonlinear);
    let kernel = HeatConduction::new(
        vec![(0, material)],
        vec![Source::function(vec![], move |x, _| source(dim, nl, x))],
    );
    let walls: &[&str] = if dim == 2 {
        &["left", "bottom", "top"]
    } else {
        &["left", "bottom", "top", "back", "front"]
    };
    let bcs = vec![
        fe::bc(
            "exact_temperature",
            walls,
            FixedTemperature::function(move |x, _| exact(dim, x).0),
        ),
        fe::bc(
            "exact_flux",
            &["right"],
            HeatFlux::function(move |x, _| {
                let (u, g) = exact(dim, x);
                conductivity(nl, u).0 * g[0]
            }),
        ),
    ];
    let asm = fe::assembler(space, kernel, bcs)?;
    let out = fe::run(comm, &asm, 1.0, fe::steady(), fe::newton_tight())?;
    let norms = fe::error_norms(comm, &asm.space, &out.u, &|x| exact(dim, x), 4);
    Ok(Level {
        n,
        h: 1.0 / n as f64,
        dofs,
        l2: norms.l2,
        h1: norms.h1,
        uh_l2: norms.uh_l2,
        newton_its: out.result.state.total_newton_its,
        linear_its: out.result.state.total_linear_its,
        seconds: out.seconds,
        solution: fe::gather_original(comm, &asm.space, &out.u),
    })
}

/// Run every configuration on the ranks of `comm`.
pub fn compute(comm: &Comm, quick: bool, log: &dyn Fn(&str)) -> Result<Vec<Run>, String> {
    let mut runs = Vec::new();
    for c in configs(quick) {
        let mut levels = Vec::new();
        for &n in &c.ns {
            let l = solve_level(comm, &c, n).map_err(|e| format!("MMS {} n={n}: {e}", c.id))?;
            log(&format!(
                "  mms {:<14} ranks={} n={:<4} dofs={:<7} L2={:.3e} H1={:.3e} ({:.2} s)",
                c.id,
                comm.size(),
                n,
                l.dofs,
                l.l2,
                l.h1,
                l.seconds
            ));
            levels.push(l);
        }
        runs.push(Run {
            id: c.id.into(),
            ranks: comm.size(),
            levels,
        });
    }
    Ok(runs)
}

/// Max-norm difference of two nodal vectors relative to the max norm of the first.
fn rel_diff(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let d = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    d / scale
}

/// Build the report section from the runs of every rank count (`runs[ranks]`); `failures`
/// lists rank counts whose child run failed, with the reason.
pub fn section(
    quick: bool,
    runs: &BTreeMap<usize, Vec<Run>>,
    failures: &[(usize, String)],
) -> Section {
    let mut s = Section::new(
        "mms",
        "1. MMS",
        "1. Manufactured solutions (steady, 2D/3D, P1/P2)",
    );
    s.intro = format!(
        "Steady heat conduction −∇·(k∇u) = Q on the unit square/cube with the manufactured \
         solution u = 1 + {A} sin({KX}x + {PHI1}) cos({KY}y + {PHI2}) e^({KZ}z) (no z factor in 2D). \
         Q is computed analytically, including the k'(u)|∇u|² term for k(T) = {K0}(1 + {BETA}T); \
         constant-k cases use k = {K_CONST}. Exact temperature on every side except x = 1, which \
         gets the exact inward heat flux k ∂u/∂x (`HeatFlux`). Errors are integrated with a \
         quadrature of degree 2p+4 by the validation code (not the engine's postprocessors): \
         L2 = ‖u − u_h‖, H1 = ‖∇(u − u_h)‖. Order p_i = log(e_(i−1)/e_i)/log(h_(i−1)/h_i).\n\n\
         **Criteria:** at the finest pair, |p_L2 − (p+1)| ≤ {ORDER_TOL} and |p_H1 − p| ≤ {ORDER_TOL}; \
         nodal values of every parallel run agree with the serial run to ≤ {PARALLEL_TOL:.0e} \
         (max-norm relative, same mesh; DOFs matched by their rank-independent ids)."
    );
    let Some((&base_ranks, base)) = runs.iter().next() else {
        s.check("MMS runs", "none".into(), "runs complete".into(), false);
        return s;
    };
    let mut t = Table::new(
        format!("Errors and observed orders ({base_ranks} rank(s))"),
        &[
            "case",
            "n",
            "h",
            "DOFs",
            "L2 error",
            "p_L2",
            "H1 error",
            "p_H1",
            "Newton/Krylov its",
            "time (s)",
        ],
    );
    let cfgs = configs(quick);
    for c in &cfgs {
        let Some(run) = base.iter().find(|r| r.id == c.id) else {
            s.check(c.label, "missing".into(), "run completed".into(), false);
            continue;
        };
        let h: Vec<f64> = run.levels.iter().map(|l| l.h).collect();
        let e2: Vec<f64> = run.levels.iter().map(|l| l.l2).collect();
        let e1: Vec<f64> = run.levels.iter().map(|l| l.h1).collect();
        let (p2, p1) = (orders(&h, &e2), orders(&h, &e1));
        let mut csv = Csv::new(format!("mms_{}", c.id), &["h", "dofs", "l2", "h1"]);
        for (i, l) in run.levels.iter().enumerate() {
            t.row(vec![
                c.label.into(),
                l.n.to_string(),
                format!("{:.4}", l.h),
                l.dofs.to_string(),
                e3(l.l2),
                ord(p2[i]),
                e3(l.h1),
                ord(p1[i]),
                format!("{}/{}", l.newton_its, l.linear_its),
                format!("{:.2}", l.seconds),
            ]);
            csv.row(vec![l.h, l.dofs as f64, l.l2, l.h1]);
        }
        s.csvs.push(csv);
        let (want2, want1) = ((c.order + 1) as f64, c.order as f64);
        let last2 = p2.last().copied().flatten().unwrap_or(f64::NAN);
        let last1 = p1.last().copied().flatten().unwrap_or(f64::NAN);
        let pass = (last2 - want2).abs() <= ORDER_TOL && (last1 - want1).abs() <= ORDER_TOL;
        s.check(
            format!("{} orders L2 / H1", c.label),
            format!("{last2:.2} / {last1:.2}"),
            format!("{want2}±{ORDER_TOL} / {want1}±{ORDER_TOL}"),
            pass,
        );
    }
    s.tables.push(t);
    // Plots: one per (dimension, order).
    for dim in [2, 3] {
        for order in [1, 2] {
            let mut p = Plot::new(
                &format!("mms_{dim}d_p{order}.png"),
                &format!("MMS {dim}D, order {order}: error vs h"),
                "h",
                "error",
                true,
                true,
            );
            for (i, c) in cfgs
                .iter()
                .filter(|c| c.dim == dim && c.order == order)
                .enumerate()
            {
                let csv = format!("mms_{}", c.id);
                let mut a = Series::new(format!("{} L2", c.label), &csv, "h", "l2", "both");
                let mut b = Series::new(format!("{} H1", c.label), &csv, "h", "h1", "both");
                if i == 0 {
                    a = a.slope((order + 1) as f64);
                    b = b.slope(order as f64);
                }
                p.add(a);
                p.add(b);
            }
            s.plots.push(p);
        }
    }
    // Serial vs parallel.
    let others: Vec<usize> = runs.keys().copied().filter(|&r| r != base_ranks).collect();
    let mut headers: Vec<String> = vec!["case".into(), "n".into(), "DOFs".into()];
    for r in runs.keys() {
        headers.push(format!("L2 error ({r} rk)"));
    }
    for r in &others {
        headers.push(format!("max rel. nodal diff {base_ranks} vs {r} rk"));
    }
    let mut tp = Table {
        caption: "Serial vs parallel at the same mesh (every level)".into(),
        headers,
        rows: Vec::new(),
    };
    let mut worst: BTreeMap<usize, f64> = others.iter().map(|&r| (r, 0.0)).collect();
    for c in &cfgs {
        let Some(b) = base.iter().find(|r| r.id == c.id) else {
            continue;
        };
        for (i, lb) in b.levels.iter().enumerate() {
            let mut row = vec![c.label.to_string(), lb.n.to_string(), lb.dofs.to_string()];
            let mut diffs = Vec::new();
            for (&r, rr) in runs {
                let l = rr
                    .iter()
                    .find(|x| x.id == c.id)
                    .and_then(|x| x.levels.get(i));
                row.push(l.map_or("missing".into(), |l| e3(l.l2)));
                if r != base_ranks {
                    let d = l.map_or(f64::INFINITY, |l| rel_diff(&lb.solution, &l.solution));
                    let w = worst.get_mut(&r).expect("rank registered");
                    *w = w.max(d);
                    diffs.push(e3(d));
                }
            }
            row.extend(diffs);
            tp.rows.push(row);
        }
    }
    if !others.is_empty() {
        s.tables.push(tp);
    }
    for (&r, &w) in &worst {
        s.check(
            format!("MMS serial vs {r} ranks (all cases, all levels)"),
            format!("max rel. nodal diff {}", e3(w)),
            format!("≤ {PARALLEL_TOL:.0e}"),
            w <= PARALLEL_TOL,
        );
    }
    for (r, why) in failures {
        s.check(
            format!("MMS on {r} ranks"),
            why.clone(),
            "mpirun child run completes".into(),
            false,
        );
    }
    if others.is_empty() && failures.is_empty() {
        s.notes.push(format!(
            "Only {base_ranks} rank(s) ran: use `--ranks 1,2` (or run under mpirun) for the \
             serial/parallel comparison."
        ));
    }
    s
}
