//! Case 3: steady 1D conduction with k(T) between two fixed temperatures, against the exact
//! profile from the Kirchhoff transform Φ(T) = ∫ k dT, which is linear in x.

use crate::fe::{self, orders, LinearK};
use crate::report::{e3, ord, Csv, Plot, Section, Series, Table};
use galvana_engine::comm::Comm;
use galvana_mesh::generate::interval;
use galvana_physics::materials::{NistMaterial, ThermalMaterial};
use galvana_physics::thermal::bcs::FixedTemperature;
use galvana_physics::thermal::HeatConduction;
use std::sync::Arc;

/// Φ(T) = ∫_{t_ref}^{T} k(s) ds for any material, tabulated at `STEP` K nodes with 8-point
/// Gauss–Legendre per interval and completed by the same rule over the last partial interval
/// (≈ machine precision), with its inverse by scalar Newton (Φ' = k > 0).
pub struct Kirchhoff {
    mat: Arc<dyn ThermalMaterial>,
    t_ref: f64,
    nodes: Vec<f64>,
    /// k = k0(1 + βT): Φ and its inverse in closed form instead.
    closed: Option<LinearK>,
}

const STEP: f64 = 0.25;

impl Kirchhoff {
    pub fn new(mat: Arc<dyn ThermalMaterial>, t_ref: f64, t_max: f64) -> Self {
        let n = ((t_max - t_ref) / STEP).ceil() as usize + 1;
        let mut nodes = vec![0.0];
        for i in 0..n {
            let a = t_ref + i as f64 * STEP;
            let k = |s: f64| mat.conductivity(s);
            nodes.push(nodes[i] + fe::integrate(&k, a, a + STEP, 1));
        }
        Self {
            mat,
            t_ref,
            nodes,
            closed: None,
        }
    }
    /// The closed-form transform of k = k0(1 + βT).
    pub fn closed(lin: &LinearK) -> Self {
        Self {
            mat: Arc::new(lin.clone()),
            t_ref: 0.0,
            nodes: vec![0.0],
            closed: Some(lin.clone()),
        }
    }
    pub fn phi(&self, t: f64) -> f64 {
        if let Some(l) = &self.closed {
            return l.kirchhoff(t);
        }
        let i = (((t - self.t_ref) / STEP).floor().max(0.0) as usize).min(self.nodes.len() - 1);
        let a = self.t_ref + i as f64 * STEP;
        self.nodes[i] + fe::integrate(&|s| self.mat.conductivity(s), a, t, 1)
    }
    pub fn k(&self, t: f64) -> f64 {
        self.mat.conductivity(t)
    }
    /// T with Φ(T) = phi, Newton from `guess`.
    pub fn inverse(&self, phi: f64, guess: f64) -> Result<f64, String> {
        if let Some(l) = &self.closed {
            return Ok(l.inverse_kirchhoff(phi));
        }
        fe::scalar_newton(
            &|t| self.phi(t) - phi,
            &|t| self.k(t),
            guess,
            "Kirchhoff inverse",
        )
    }
}

struct Variant {
    id: &'static str,
    label: &'static str,
    mat: Arc<dyn ThermalMaterial>,
    t_left: f64,
    t_right: f64,
    length: f64,
    order: usize,
    /// Vertex values must be exact to solver tolerance (k polynomial: Φ(u_h) integrates exactly).
    nodally_exact: bool,
    /// Closed-form Kirchhoff transform, when k = k0(1 + βT).
    closed: Option<LinearK>,
}

/// Tolerances: exact-quadrature variants (relative to ΔT and to the heat flow) and the others.
const EXACT_NODAL_TOL: f64 = 1e-8;
const NODAL_TOL: f64 = 1e-5;
const FLUX_EXACT_TOL: f64 = 1e-8;
const FLUX_TOL: f64 = 1e-5;
const ORDER_TOL: f64 = 0.2;

fn variants() -> Result<Vec<Variant>, String> {
    let lin_k = LinearK {
        k0: 10.0,
        beta: 0.01,
        rho: 1.0,
        cp: 1.0,
    };
    let lin: Arc<dyn ThermalMaterial> = Arc::new(lin_k.clone());
    let cu: Arc<dyn ThermalMaterial> =
        Arc::new(NistMaterial::new("copper_rrr100").ok_or("no NIST copper_rrr100")?);
    let v = |id, label, mat: &Arc<dyn ThermalMaterial>, tl, tr, len, order, exact| Variant {
        id,
        label,
        mat: mat.clone(),
        t_left: tl,
        t_right: tr,
        length: len,
        order,
        nodally_exact: exact,
        closed: exact.then(|| lin_k.clone()),
    };
    Ok(vec![
        v(
            "lin-p1",
            "k = 10(1 + 0.01 T), P1",
            &lin,
            300.0,
            600.0,
            0.1,
            1,
            true,
        ),
        v(
            "lin-p2",
            "k = 10(1 + 0.01 T), P2",
            &lin,
            300.0,
            600.0,
            0.1,
            2,
            true,
        ),
        v(
            "cu-p1",
            "NIST Cu RRR100, P1",
            &cu,
            10.0,
            80.0,
            0.05,
            1,
            false,
        ),
        v(
            "cu-p2",
            "NIST Cu RRR100, P2",
            &cu,
            10.0,
            80.0,
            0.05,
            2,
            false,
        ),
    ])
}

pub fn run(comm: &Comm, quick: bool, log: &dyn Fn(&str)) -> Result<Section, String> {
    let ns: &[usize] = if quick {
        &[4, 8, 16, 32]
    } else {
        &[4, 8, 16, 32, 64, 128]
    };
    let mut s = Section::new(
        "kirchhoff",
        "3. k(T) Kirchhoff",
        "3. Steady 1D conduction with k(T) vs Kirchhoff",
    );
    s.intro = format!(
        "Steady −(k(T) T')' = 0 on 0 ≤ x ≤ L with T(0) = T_L, T(L) = T_R. With Φ(T) = ∫ k dT the \
         equation is Φ'' = 0, so Φ(T(x)) = Φ(T_L) + (Φ(T_R) − Φ(T_L)) x/L and the heat flow is \
         (Φ(T_R) − Φ(T_L))/L per unit area. For k = k0(1 + βT), Φ = k0(T + βT²/2) is inverted in \
         closed form; for the NIST copper fit Φ is integrated numerically (8-point Gauss per \
         0.25 K) and inverted by scalar Newton. Errors: max over vertices, max over all DOFs, \
         L2 (quadrature of degree 2p+4); heat flow from the engine's Dirichlet reactions \
         (`outflow_<bc>_W`).\n\n**Criteria:** L2 order at the finest pair within (p+1)±{ORDER_TOL}; \
         for polynomial k the vertex values are exact (the quadrature integrates Φ(u_h) exactly, \
         and in 1D that makes the jumps of Φ across elements equal), so max vertex error ≤ \
         {EXACT_NODAL_TOL:.0e}·ΔT and heat-flow error ≤ {FLUX_EXACT_TOL:.0e} (relative); for the \
         NIST fit max vertex error ≤ {NODAL_TOL:.0e}·ΔT and heat-flow error ≤ {FLUX_TOL:.0e} at \
         the finest level."
    );
    let mut t = Table::new(
        "Errors per mesh",
        &[
            "variant",
            "cells",
            "DOFs",
            "max vertex err (K)",
            "max DOF err (K)",
            "L2 err",
            "p_L2",
            "heat flow (W/m²)",
            "exact (W/m²)",
            "rel. flow err",
            "Newton its",
        ],
    );
    let mut plot_err = Plot::new(
        "kirchhoff_convergence.png",
        "k(T) slab: L2 error vs h",
        "h (m)",
        "L2 error (K·m^0.5)",
        true,
        true,
    );
    let mut plot_prof = Plot::new(
        "kirchhoff_profile.png",
        "k(T) slab: FE vertex values vs Kirchhoff solution (coarsest mesh)",
        "x / L",
        "T (K)",
        false,
        false,
    );
    for v in variants()? {
        let tmax = v.t_left.max(v.t_right) + 1.0;
        let kf = match &v.closed {
            Some(l) => Kirchhoff::closed(l),
            None => Kirchhoff::new(v.mat.clone(), v.t_left.min(v.t_right) - 1.0, tmax),
        };
        let (pl, pr) = (kf.phi(v.t_left), kf.phi(v.t_right));
        let len = v.length;
        let t_of = |x: f64| -> Result<f64, String> {
            let phi = pl + (pr - pl) * x / len;
            kf.inverse(phi, v.t_left + (v.t_right - v.t_left) * x / len)
        };
        let flow = (pr - pl) / len; // outward through x = 0 (positive when T_R > T_L)
        let dt = (v.t_right - v.t_left).abs();
        let mut csv = Csv::new(format!("kirchhoff_{}", v.id), &["h", "l2", "max_dof_err"]);
        let (mut hs, mut l2s, mut last) = (Vec::new(), Vec::new(), (0.0, 0.0, 0.0));
        for (li, &n) in ns.iter().enumerate() {
            let space = fe::space(
                comm,
                interval(n, 0.0, len).map_err(|e| e.to_string())?,
                v.order,
            )?;
            let kernel = HeatConduction::new(vec![(0, v.mat.clone())], vec![]);
            let bcs = vec![
                fe::bc("left", &["left"], FixedTemperature::new(v.t_left)?),
                fe::bc("right", &["right"], FixedTemperature::new(v.t_right)?),
            ];
            let asm = fe::assembler(space, kernel, bcs)?;
            let u0 = 0.5 * (v.t_left + v.t_right);
            let out = fe::run(comm, &asm, u0, fe::steady(), fe::newton_tight())?;
            let prof = fe::profile_1d(comm, &asm.space, &out.u);
            let h = len / n as f64;
            let (mut ev, mut ed) = (0.0f64, 0.0f64);
            let mut pc = Csv::new(
                format!("kirchhoff_profile_{}", v.id),
                &["xi", "T_fe", "T_exact"],
            );
            for &(x, val) in &prof {
                let e = (val - t_of(x)?).abs();
                ed = ed.max(e);
                let at_vertex = ((x / h).round() * h - x).abs() < 1e-9 * h;
                if at_vertex {
                    ev = ev.max(e);
                    pc.row(vec![x / len, val, t_of(x)?]);
                }
            }
            let exact = |x: [f64; 3]| -> (f64, [f64; 3]) {
                let tt = t_of(x[0]).unwrap_or(f64::NAN);
                (tt, [(pr - pl) / len / kf.k(tt), 0.0, 0.0])
            };
            let norms = fe::error_norms(comm, &asm.space, &out.u, &exact, 4);
            let q_left = out.last("outflow_left_W")?;
            let q_right = out.last("outflow_right_W")?;
            let rel = ((q_left - flow).abs()).max((q_right + flow).abs()) / flow.abs();
            hs.push(h);
            l2s.push(norms.l2);
            csv.row(vec![h, norms.l2, ed]);
            t.row(vec![
                v.label.into(),
                n.to_string(),
                asm.space.n_global().to_string(),
                e3(ev),
                e3(ed),
                e3(norms.l2),
                String::new(),
                format!("{q_left:.8e}"),
                format!("{flow:.8e}"),
                e3(rel),
                out.result.state.total_newton_its.to_string(),
            ]);
            if li == 0 && v.order == 1 {
                // The exact curve on a fine grid, the FE vertex values of the coarsest mesh.
                let eid = format!("kirchhoff_exact_{}", v.id);
                let mut ec = Csv::new(eid.clone(), &["xi", "T_exact"]);
                for i in 0..=200 {
                    let xi = i as f64 / 200.0;
                    ec.row(vec![xi, t_of(xi * len)?]);
                }
                s.csvs.push(ec);
                s.csvs.push(pc);
                let pid = format!("kirchhoff_profile_{}", v.id);
                plot_prof.add(Series::new(
                    format!("{} exact", v.label),
                    &eid,
                    "xi",
                    "T_exact",
                    "line",
                ));
                plot_prof.add(Series::new(
                    format!("{} FE, {n} cells", v.label),
                    &pid,
                    "xi",
                    "T_fe",
                    "marker",
                ));
            }
            log(&format!(
                "  kirchhoff {:<7} n={n:<4} vertex err={ev:.3e} L2={:.3e} flow rel err={rel:.3e}",
                v.id, norms.l2
            ));
            last = (ev, rel, dt);
        }
        let p = orders(&hs, &l2s);
        let nrows = t.rows.len();
        for (i, o) in p.iter().enumerate() {
            t.rows[nrows - ns.len() + i][6] = ord(*o);
        }
        let cid = format!("kirchhoff_{}", v.id);
        plot_err.add(
            Series::new(format!("{} L2", v.label), &cid, "h", "l2", "both")
                .slope((v.order + 1) as f64),
        );
        s.csvs.push(csv);
        let want = (v.order + 1) as f64;
        let lp = p.last().copied().flatten().unwrap_or(f64::NAN);
        s.check(
            format!("{} L2 order", v.label),
            format!("{lp:.2}"),
            format!("{want}±{ORDER_TOL}"),
            (lp - want).abs() <= ORDER_TOL,
        );
        let (ev, rel, dt) = last;
        let (ntol, ftol) = if v.nodally_exact {
            (EXACT_NODAL_TOL, FLUX_EXACT_TOL)
        } else {
            (NODAL_TOL, FLUX_TOL)
        };
        s.check(
            format!("{} vertex error / heat flow (finest)", v.label),
            format!("{} K / {}", e3(ev), e3(rel)),
            format!("≤ {:.1e} K / ≤ {ftol:.0e}", ntol * dt),
            ev <= ntol * dt && rel <= ftol,
        );
    }
    s.tables.push(t);
    s.plots.push(plot_err);
    s.plots.push(plot_prof);
    Ok(s)
}
