//! The Doyle–Fuller–Newman (pseudo-two-dimensional) model, as PyBaMM's `lithium_ion.DFN()`:
//! electrolyte concentration and potential across the cell (concentrated-solution theory with
//! Bruggeman transport), solid potential in each electrode, a spherical particle at every
//! electrode node, symmetric Butler–Volmer kinetics; isothermal.
//!
//! Discretisation as PyBaMM's finite volumes (node values at cell centres; `ε^b D_e` moved to
//! edges by the weighted harmonic mean, `ε^b κ_e` and `c_e` in the `∇ln c_e` term by the
//! arithmetic mean). Time stepping: BDF2 (BDF1 after a restart) for the concentrations; at each
//! step the particles are eliminated (their surface concentration is affine in the node's
//! interfacial current) and Newton solves for c_e, φ_e, φ_s and j with a banded LU.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

mod jacobian;
pub mod newton;
mod particles;
mod residual;

use super::bdf::Bdf;
use super::electrolyte::Electrolyte;
use super::params::{ParameterSet, F, R_GAS};
use super::sphere::Sphere;
use super::spme::Points;
use super::{Cell, Fields};
use newton::{newton, Workspace};
use residual::StepData;
use std::sync::{Arc, Mutex};

/// A state's arrays, shared (not copied) by the states after it that keep it as history.
type Shared = Arc<Vec<f64>>;

#[derive(Clone, Debug)]
struct History {
    /// The concentrations a step back, and a step further back (the third state of BDF3).
    last: Past,
    older: Option<Past>,
    /// The algebraic unknowns a step back (for the predictor of Newton's first guess) and the
    /// cell current they hold for (NaN: none yet).
    u: Shared,
    ui: f64,
    /// The algebraic unknowns a step further back, their current, and the length of the step
    /// after them.
    um: Option<(Shared, f64, f64)>,
}

/// The concentrations at an earlier time and the length of the step that followed.
#[derive(Clone, Debug)]
struct Past {
    cs_n: Shared,
    cs_p: Shared,
    ce: Shared,
    h: f64,
}

impl History {
    /// The BDF formula of a step of length `h` after this history.
    fn bdf(&self, h: f64) -> Bdf {
        Bdf::after(h, Some(self.last.h), self.older.as_ref().map(|o| o.h))
    }
}

#[derive(Clone, Debug)]
pub struct Dfn {
    /// Shared: the models clone themselves every step, the parameters never change.
    pub p: Arc<ParameterSet>,
    el: Electrolyte,
    sn: Sphere,
    sp: Sphere,
    /// Particle profiles, node after node (`Points::r_n` / `r_p` values each).
    pub cs_n: Shared,
    pub cs_p: Shared,
    pub ce: Shared,
    prev: Option<History>,
    lay: Layout,
    /// The algebraic solution (φ_e, φ_s, j interleaved with c_e, see `Layout`) for current `alg_i`.
    u: Shared,
    alg_i: f64,
    v: f64,
    /// The last step found no solution.
    failed: bool,
    /// Newton's convergence tolerance (scaled update).
    newton_tol: f64,
    /// Newton's kept Jacobian and work arrays, shared by the states of one run.
    ws: Arc<Mutex<Workspace>>,
}

/// Unknowns per x node: c_e, φ_e, and in the electrodes φ_s and j.
#[derive(Clone, Debug)]
struct Layout {
    off: Vec<usize>,
    n: usize,
    /// 1 / the typical size of each unknown (the scale of Newton's convergence test).
    inv_scale: Vec<f64>,
}

impl Layout {
    fn new(el: &Electrolyte) -> Layout {
        let mut off = Vec::with_capacity(el.len());
        let mut n = 0;
        for k in 0..el.len() {
            off.push(n);
            n += if k < el.nn || k >= el.nn + el.ns {
                4
            } else {
                2
            };
        }
        let inv_scale = (0..n).map(|j| 1.0 / newton::scale(j, &off)).collect();
        Layout { off, n, inv_scale }
    }
}

impl Dfn {
    pub fn new(p: ParameterSet, x: f64, y: f64, pts: Points) -> Dfn {
        let el = Electrolyte::new(&p, pts.x_n, pts.x_s, pts.x_p);
        assert_eq!(
            pts.r_n, pts.r_p,
            "one particle mesh size for both electrodes"
        );
        let sn = Sphere::new(p.neg.particle_radius, pts.r_n);
        let sp = Sphere::new(p.pos.particle_radius, pts.r_p);
        let cs_n = Arc::new(vec![x * p.neg.c_max; pts.r_n * el.nn]);
        let cs_p = Arc::new(vec![y * p.pos.c_max; pts.r_p * el.np]);
        let ce = vec![p.c_e0; el.len()];
        let lay = Layout::new(&el);
        let mut u = vec![0.0; lay.n];
        for k in 0..el.len() {
            u[lay.off[k]] = p.c_e0;
        }
        let mut d = Dfn {
            p: Arc::new(p),
            el,
            sn,
            sp,
            cs_n,
            cs_p,
            ce: Arc::new(ce),
            prev: None,
            lay: lay.clone(),
            u: Arc::new(u),
            alg_i: f64::NAN,
            v: f64::NAN,
            failed: false,
            newton_tol: newton::TOL,
            ws: Arc::new(Mutex::new(Workspace::new(lay.n))),
        };
        // A consistent start at rest: φ_s = U in each electrode, φ_e = −U_n.
        let un = d.p.neg.u(x);
        let up = d.p.pos.u(y);
        let (nn, ns) = (d.el.nn, d.el.ns);
        let u = Arc::make_mut(&mut d.u);
        for k in 0..d.el.len() {
            let o = lay.off[k];
            u[o + 1] = -un;
            if k < nn {
                u[o + 2] = 0.0;
            } else if k >= nn + ns {
                u[o + 2] = up - un;
            }
        }
        d
    }

    /// The same cell with Newton converged to `tol` (scaled update; default [`newton::TOL`]):
    /// [`newton::TOL_SMOOTH`] makes the voltages a smooth function of the parameters for
    /// calibration, at about a fifth more work.
    pub fn with_newton_tolerance(mut self, tol: f64) -> Dfn {
        self.newton_tol = tol;
        self
    }

    fn electrode(&self, k: usize) -> Option<(bool, usize)> {
        let el = &self.el;
        if k < el.nn {
            Some((true, k))
        } else if k >= el.nn + el.ns {
            Some((false, k - el.nn - el.ns))
        } else {
            None
        }
    }

    /// Solve the step of length h (h = 0: the algebraic state at fixed concentrations) at cell
    /// current `i` [A]; returns the new state.
    fn solve(&self, h: f64, i: f64) -> Result<Dfn, String> {
        let p = &self.p;
        let el = &self.el;
        let lay = &self.lay;
        let nx = el.len();
        let hp = self.prev.as_ref().filter(|_| h > 0.0);
        let bdf = hp.map_or(Bdf::FIRST, |hist| hist.bdf(h));
        let rhs_e: Vec<f64> = match hp {
            None => (0..nx).map(|k| el.eps[k] * self.ce[k]).collect(),
            Some(hist) => {
                let cmm = hist.older.as_ref().map_or(&hist.last.ce, |o| &o.ce);
                (0..nx)
                    .map(|k| el.eps[k] * bdf.rhs(self.ce[k], hist.last.ce[k], cmm[k]))
                    .collect()
            }
        };
        let parts = particles::eliminate(self, &bdf, h);
        let sd = StepData {
            p,
            el,
            lay,
            a0: bdf.a0,
            h,
            rhs_e,
            alpha: parts.alpha,
            beta: parts.beta,
            i: i / p.area,
            sigma_n: p.neg.sigma_eff(),
            sigma_p: p.pos.sigma_eff(),
        };
        let t = p.temperature;
        let mut u = self.u.to_vec();
        if h == 0.0 {
            for k in 0..nx {
                u[lay.off[k]] = self.ce[k];
            }
        }
        let reinit = jumped(self.alg_i, i);
        if let (Some(hist), false) = (hp, reinit) {
            predict(&mut u, hist, h, i);
        }
        if reinit {
            // A new current (not a secant's small change of the last): start from uniform
            // reaction and the matching overpotentials.
            let ic = i / p.area;
            for k in 0..nx {
                let o = lay.off[k];
                let (e, j) = match self.electrode(k) {
                    Some((true, _)) => (&p.neg, ic / (p.neg.a() * p.neg.thickness)),
                    Some((false, _)) => (&p.pos, -ic / (p.pos.a() * p.pos.thickness)),
                    None => continue,
                };
                let cs = sd.alpha[k].clamp(1e-6 * e.c_max, (1.0 - 1e-6) * e.c_max);
                let j0 = e.j0.eval(u[o].max(1e-6), cs, e.c_max, t);
                let eta = 2.0 * R_GAS * t / F * (j / (2.0 * j0)).asinh();
                u[o + 3] = j;
                u[o + 2] = u[o + 1] + e.u(cs / e.c_max) + eta;
            }
        }
        {
            let mut ws = self.ws.lock().unwrap_or_else(|e| e.into_inner());
            newton(&sd, &mut u, &mut ws, self.newton_tol)?;
        }
        let ce: Vec<f64> = (0..nx).map(|k| u[lay.off[k]]).collect();
        let last = lay.off[nx - 1] + 2;
        let before = lay.off[nx - 2] + 2;
        let v = 1.5 * u[last] - 0.5 * u[before];
        let (cs_n, cs_p, prev) = if h > 0.0 {
            // New particle profiles: the zero-flux part plus j times the unit response.
            let (mut new_n, mut new_p) = (parts.free_n, parts.free_p);
            parts.unit.add_flux(self, &u, &mut new_n, &mut new_p);
            let prev = History {
                last: Past {
                    cs_n: self.cs_n.clone(),
                    cs_p: self.cs_p.clone(),
                    ce: self.ce.clone(),
                    h,
                },
                older: self.prev.as_ref().map(|hh| hh.last.clone()),
                u: self.u.clone(),
                ui: self.alg_i,
                um: self
                    .prev
                    .as_ref()
                    .map(|hh| (hh.u.clone(), hh.ui, hh.last.h)),
            };
            (Arc::new(new_n), Arc::new(new_p), Some(prev))
        } else {
            (self.cs_n.clone(), self.cs_p.clone(), self.prev.clone())
        };
        Ok(Dfn {
            p: self.p.clone(),
            el: self.el.clone(),
            sn: self.sn.clone(),
            sp: self.sp.clone(),
            cs_n,
            cs_p,
            ce: Arc::new(ce),
            prev,
            lay: self.lay.clone(),
            u: Arc::new(u),
            alg_i: i,
            v,
            failed: false,
            newton_tol: self.newton_tol,
            ws: self.ws.clone(),
        })
    }
}

/// The current moved from `from` to `to` by more than a secant's small change (or there was
/// none before): the algebraic state of `from` is no guide to that of `to`.
fn jumped(from: f64, to: f64) -> bool {
    from.is_nan() || (from - to).abs() > 0.25 * from.abs().max(to.abs()) + 1e-12
}

/// Newton's first guess for a step of length `h` at current `i` from the algebraic state `u`:
/// the quadratic through the last three steps' solutions, or the line through the last two
/// (after a restart, or where the one before was at another current: extrapolating across a
/// jump of the current, such as the start of a discharge from rest, throws the guess far off).
/// A cubic through four (BDF3's order) saved 4 % of the linear solves, but more steps then
/// stop after one iteration, and which ones flips with the parameters: the fixed-grid
/// calibration cost was no longer smooth at relative parameter steps of 1e-6.
fn predict(u: &mut [f64], hist: &History, h: f64, i: f64) {
    if jumped(hist.ui, i) {
        return;
    }
    match &hist.um {
        Some((um, umi, hm)) if !jumped(*umi, i) => {
            // Nodes at −(h1 + h2), −h1 and 0 (the present), evaluated at h.
            let (h1, h2) = (hist.last.h, *hm);
            let l0 = h * (h + h1) / ((h1 + h2) * h2);
            let l1 = -h * (h + h1 + h2) / (h1 * h2);
            let l2 = (h + h1) * (h + h1 + h2) / (h1 * (h1 + h2));
            for ((x, xm), xmm) in u.iter_mut().zip(hist.u.iter()).zip(um.iter()) {
                *x = l2 * *x + l1 * xm + l0 * xmm;
            }
        }
        _ => {
            let w = h / hist.last.h;
            for (x, xm) in u.iter_mut().zip(hist.u.iter()) {
                *x += w * (*x - xm);
            }
        }
    }
}

impl Cell for Dfn {
    fn advanced(&self, h: f64, i: f64) -> Self {
        match self.solve(h, i) {
            Ok(s) => s,
            Err(_) => {
                let mut s = self.clone();
                s.v = f64::NAN;
                s.failed = true;
                s
            }
        }
    }

    fn voltage(&self, i: f64) -> f64 {
        if self.failed {
            return f64::NAN;
        }
        if i == self.alg_i && self.v.is_finite() {
            return self.v;
        }
        self.solve(0.0, i).map(|s| s.v).unwrap_or(f64::NAN)
    }

    fn restart_history(&mut self) {
        self.prev = None;
    }

    fn step_order(&self) -> usize {
        self.prev.as_ref().map_or(1, |h| h.bdf(1.0).order)
    }

    fn nominal_capacity_ah(&self) -> f64 {
        self.p.nominal_capacity_ah
    }

    fn limits(&self) -> (f64, f64) {
        (self.p.v_min, self.p.v_max)
    }

    fn fields(&self) -> Fields {
        let el = &self.el;
        let mut f = Fields::default();
        f.grid("x", el.x.to_vec());
        el.grids(&mut f);
        f.grid("r_n", self.sn.centres());
        f.grid("r_p", self.sp.centres());
        let at = |k: usize, q: usize| self.u[self.lay.off[k] + q];
        let nx = el.len();
        f.push("c_e", "mol/m3", &["x"], self.ce.to_vec());
        f.push("phi_e", "V", &["x"], (0..nx).map(|k| at(k, 1)).collect());
        f.push("porosity", "1", &["x"], el.eps.to_vec());
        for (neg, range, sphere, cs) in [
            (true, el.neg(), &self.sn, &self.cs_n),
            (false, el.pos(), &self.sp, &self.cs_p),
        ] {
            let d = if neg { "n" } else { "p" };
            let (xd, rd) = (format!("x_{d}"), format!("r_{d}"));
            let phi_s: Vec<f64> = range.clone().map(|k| at(k, 2)).collect();
            let j: Vec<f64> = range.clone().map(|k| at(k, 3)).collect();
            f.push(&format!("phi_s_{d}"), "V", &[&xd], phi_s);
            f.push(&format!("j_{d}"), "A/m2", &[&xd], j);
            f.push(&format!("c_s_{d}"), "mol/m3", &[&xd, &rd], cs.to_vec());
            f.push(
                &format!("c_s_surf_{d}"),
                "mol/m3",
                &[&xd],
                cs.chunks(sphere.n).map(|c| sphere.surface(c)).collect(),
            );
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::battery::params::chen2020;

    /// The assembled Jacobian agrees with coloured finite differences of the residual, entry by
    /// entry, at a state mid-discharge (an independent check of every derivative).
    #[test]
    fn exact_jacobian_matches_finite_differences() {
        let d = Dfn::new(chen2020(), 0.8, 0.35, Points::default())
            .advanced(5.0, 5.0)
            .advanced(5.0, 5.0);
        let p = &d.p;
        let nx = d.el.len();
        let alpha: Vec<f64> = (0..nx)
            .map(|k| match d.electrode(k) {
                Some((true, m)) => d.sn.surface(&d.cs_n[m * d.sn.n..]),
                Some((false, m)) => d.sp.surface(&d.cs_p[m * d.sp.n..]),
                None => 0.0,
            })
            .collect();
        let sd = StepData {
            p,
            el: &d.el,
            lay: &d.lay,
            a0: 1.5,
            h: 7.0,
            rhs_e: d
                .el
                .eps
                .iter()
                .zip(d.ce.iter())
                .map(|(e, c)| e * c)
                .collect(),
            alpha,
            beta: vec![-3.0; nx],
            i: 5.0 / p.area,
            sigma_n: p.neg.sigma_eff(),
            sigma_p: p.pos.sigma_eff(),
        };
        let n = d.lay.n;
        let mut r = vec![0.0; n];
        residual::residual(&sd, &d.u, &mut r);
        // Every column couples only rows within the band (one column perturbed at a time).
        let band = newton::BAND;
        let mut rp = vec![0.0; n];
        for j in 0..n {
            let mut up = d.u.to_vec();
            up[j] += 1e-6 * (1.0 + up[j].abs());
            residual::residual(&sd, &up, &mut rp);
            for i in 0..n {
                if i + band < j || i > j + band {
                    assert_eq!(
                        rp[i], r[i],
                        "row {i} depends on column {j}, outside the band"
                    );
                }
            }
        }
        let mut fd = newton::Jac::new(n);
        newton::jacobian_fd(&sd, &d.u, &r, &mut fd);
        let mut ex = newton::Jac::new(n);
        jacobian::assemble(&sd, &d.u, &mut ex);
        let mut worst = 0.0f64;
        for i in 0..n {
            let scale = (i.saturating_sub(band)..(i + band + 1).min(n))
                .map(|j| fd.get(i, j).abs())
                .fold(0.0, f64::max);
            for j in i.saturating_sub(band)..(i + band + 1).min(n) {
                worst = worst.max((fd.get(i, j) - ex.get(i, j)).abs() / scale);
            }
        }
        assert!(worst < 1e-4, "largest relative difference {worst:.3e}");
    }

    /// Fine meshes (here 600 electrolyte cells) step like coarse ones.
    #[test]
    fn fine_meshes_step() {
        let pts = Points {
            x_n: 200,
            x_s: 200,
            x_p: 200,
            r_n: 4,
            r_p: 4,
        };
        let d = Dfn::new(chen2020(), 0.9, 0.27, pts);
        let v0 = d.voltage(5.0);
        let d1 = d.advanced(1.0, 5.0);
        let v1 = d1.voltage(5.0);
        assert!(v0.is_finite() && v1.is_finite() && v1 < v0, "{v0} -> {v1}");
    }
}
