//! The DFN's discrete equations at one time step: electrolyte mass and charge balance, solid
//! charge balance and Butler–Volmer kinetics at every node, with the particles eliminated.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::Layout;
use crate::battery::electrolyte::{Electrolyte, CE_MACINNES, CE_TRANSPORT};
use crate::battery::params::{ParameterSet, F, R_GAS};

/// Everything fixed during one step's Newton solve.
pub(super) struct StepData<'a> {
    pub p: &'a ParameterSet,
    pub el: &'a Electrolyte,
    pub lay: &'a Layout,
    /// a0 ε c − h·(…) = rhs for the electrolyte.
    pub a0: f64,
    pub h: f64,
    pub rhs_e: Vec<f64>,
    /// Surface concentration of node k's particle = alpha[k] + beta[k] · j_k.
    pub alpha: Vec<f64>,
    pub beta: Vec<f64>,
    /// Cell current density [A/m²].
    pub i: f64,
    /// Effective solid conductivities ε_s^b σ [S/m].
    pub sigma_n: f64,
    pub sigma_p: f64,
}

/// sinh from one `exp` (libm's sinh costs several times that); near 0 the absolute error is
/// still ~1e-16, all the kinetics need. Overflows to ±inf where sinh does.
#[inline]
fn sinh(x: f64) -> f64 {
    let e = x.exp();
    0.5 * (e - 1.0 / e)
}

pub(super) fn residual(sd: &StepData, u: &[f64], out: &mut [f64]) {
    let p = sd.p;
    let el = sd.el;
    let nx = el.len();
    let t = p.temperature;
    let rtf = R_GAS * t / F;
    let chi = 2.0 * (1.0 - p.t_plus);
    let off = &sd.lay.off;
    let ce = |k: usize| u[off[k]];
    let pe = |k: usize| u[off[k] + 1];
    // Edge fluxes N (lithium) and i_e (current), zero on the boundaries, made edge by edge as
    // the nodes are visited (no arrays per call: this runs several times a step).
    let dnode = |k: usize| el.tor[k] * p.d_e.eval(ce(k).max(CE_TRANSPORT), t);
    let knode = |k: usize| el.tor[k] * p.kappa_e.eval(ce(k).max(CE_TRANSPORT), t);
    let (mut d_r, mut k_r) = (dnode(0), knode(0));
    let (mut n_l, mut i_l) = (0.0f64, 0.0f64);
    let mut edge = |e: usize| -> (f64, f64) {
        if e == nx {
            return (0.0, 0.0);
        }
        let dx = el.x[e] - el.x[e - 1];
        let beta = el.w[e - 1] / (el.w[e] + el.w[e - 1]);
        let (d1, k1) = (d_r, k_r);
        (d_r, k_r) = (dnode(e), knode(e));
        let d2 = d_r;
        let d = d1 * d2 / (d2 * beta + d1 * (1.0 - beta));
        let kap = 0.5 * (k1 + k_r);
        let c_edge = (0.5 * (ce(e - 1) + ce(e))).max(CE_MACINNES);
        let gc = (ce(e) - ce(e - 1)) / dx;
        let gp = (pe(e) - pe(e - 1)) / dx;
        let i_e = kap * (chi * rtf * gc / c_edge - gp);
        (-d * gc + p.t_plus * i_e / F, i_e)
    };
    for k in 0..nx {
        let o = off[k];
        let w = el.w[k];
        let (aj, elec) = if k < el.nn {
            (p.neg.a() * u[o + 3], Some((&p.neg, sd.beta[k], true)))
        } else if k >= el.nn + el.ns {
            (p.pos.a() * u[o + 3], Some((&p.pos, sd.beta[k], false)))
        } else {
            (0.0, None)
        };
        let (n_r, i_r) = edge(k + 1);
        out[o] = sd.a0 * el.eps[k] * ce(k) + sd.h * ((n_r - n_l) / w - aj / F) - sd.rhs_e[k];
        out[o + 1] = (i_r - i_l) / w - aj;
        (n_l, i_l) = (n_r, i_r);
        if let Some((e, beta, neg)) = elec {
            let (sigma, first, last) = if neg {
                (sd.sigma_n, 0, el.nn - 1)
            } else {
                (sd.sigma_p, el.nn + el.ns, nx - 1)
            };
            let ps = |m: usize| u[off[m] + 2];
            let left = if k == first {
                if neg {
                    -sigma * ps(k) / (0.5 * w)
                } else {
                    0.0
                }
            } else {
                -sigma * (ps(k) - ps(k - 1)) / (el.x[k] - el.x[k - 1])
            };
            let right = if k == last {
                if neg {
                    0.0
                } else {
                    sd.i
                }
            } else {
                -sigma * (ps(k + 1) - ps(k)) / (el.x[k + 1] - el.x[k])
            };
            out[o + 2] = (right - left) / w + aj;
            let j = u[o + 3];
            let cs = (sd.alpha[k] + beta * j).clamp(1e-9 * e.c_max, (1.0 - 1e-9) * e.c_max);
            let j0 = e.j0.eval(ce(k).max(1e-6), cs, e.c_max, t);
            let eta = ps(k) - pe(k) - e.u(cs / e.c_max);
            out[o + 3] = j - 2.0 * j0 * sinh(eta / (2.0 * rtf));
        }
    }
}
