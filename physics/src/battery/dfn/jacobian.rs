//! The exact Jacobian of [`residual`](super::residual::residual), assembled row by row from the
//! structure of the equations (edge fluxes couple neighbouring nodes, the kinetics couple a
//! node's own unknowns). The material functions (D_e, κ_e, j0, U) enter through their scalar
//! derivatives, taken by one-sided differences of each function alone, so a Jacobian costs
//! about two residual evaluations instead of the seventeen of coloured differences.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::newton::Jac;
use super::residual::StepData;
use crate::battery::electrolyte::{CE_MACINNES, CE_TRANSPORT};
use crate::battery::params::{F, R_GAS};

/// f and df/dx by a one-sided difference of relative size 1e-7, towards smaller x when `down`
/// (near the upper end of a function's domain: a stoichiometry near 1).
fn with_slope(f: impl Fn(f64) -> f64, x: f64, down: bool) -> (f64, f64) {
    let fx = f(x);
    let d = 1e-7 * x.abs().max(1e-6) * if down { -1.0 } else { 1.0 };
    (fx, (f(x + d) - fx) / d)
}

/// Fill `jac` (cleared here) with ∂residual/∂u at `u`.
pub(super) fn assemble(sd: &StepData, u: &[f64], jac: &mut Jac) {
    let p = sd.p;
    let el = sd.el;
    let nx = el.len();
    let t = p.temperature;
    let rtf = R_GAS * t / F;
    let chi = 2.0 * (1.0 - p.t_plus);
    let off = &sd.lay.off;
    let ce = |k: usize| u[off[k]];
    let pe = |k: usize| u[off[k] + 1];
    jac.clear();
    // Node values of ε^b D_e, ε^b κ_e and their c_e-derivatives (zero where c_e is clamped).
    let node = |f: &crate::battery::params::Func, k: usize| {
        let c = ce(k);
        let (v, s) = with_slope(|x| f.eval(x, t), c.max(CE_TRANSPORT), false);
        let s = if c > CE_TRANSPORT { s } else { 0.0 };
        (el.tor[k] * v, el.tor[k] * s)
    };
    let mut prev_d = node(&p.d_e, 0);
    let mut prev_k = node(&p.kappa_e, 0);
    for e in 1..nx {
        let (d1, dd1) = prev_d;
        let (k1, dk1) = prev_k;
        let (d2, dd2) = node(&p.d_e, e);
        let (k2, dk2) = node(&p.kappa_e, e);
        prev_d = (d2, dd2);
        prev_k = (k2, dk2);
        let dx = el.x[e] - el.x[e - 1];
        let beta = el.w[e - 1] / (el.w[e] + el.w[e - 1]);
        let den = d2 * beta + d1 * (1.0 - beta);
        let d = d1 * d2 / den;
        let (d_d1, d_d2) = (
            d2 * d2 * beta / (den * den),
            d1 * d1 * (1.0 - beta) / (den * den),
        );
        let kap = 0.5 * (k1 + k2);
        let c_mean = 0.5 * (ce(e - 1) + ce(e));
        let c_edge = c_mean.max(CE_MACINNES);
        // ∂(1/c_edge)/∂c of either node (zero where the floor holds).
        let dinv = if c_mean > CE_MACINNES {
            -0.5 / (c_edge * c_edge)
        } else {
            0.0
        };
        let gc = (ce(e) - ce(e - 1)) / dx;
        let gp = (pe(e) - pe(e - 1)) / dx;
        let bracket = chi * rtf * gc / c_edge - gp;
        // ∂i_e and ∂N on edge e with respect to c and φ_e of the nodes on either side.
        let di_dc_l = 0.5 * dk1 * bracket + kap * chi * rtf * (-1.0 / dx / c_edge + gc * dinv);
        let di_dc_r = 0.5 * dk2 * bracket + kap * chi * rtf * (1.0 / dx / c_edge + gc * dinv);
        let di_dp_l = kap / dx;
        let di_dp_r = -kap / dx;
        let tf = p.t_plus / F;
        let dn_dc_l = -d_d1 * dd1 * gc + d / dx + tf * di_dc_l;
        let dn_dc_r = -d_d2 * dd2 * gc - d / dx + tf * di_dc_r;
        let dn_dp_l = tf * di_dp_l;
        let dn_dp_r = tf * di_dp_r;
        let (ol, or) = (off[e - 1], off[e]);
        // Edge e is the right face of node e−1 (+) and the left face of node e (−).
        for (k, sign) in [(e - 1, 1.0), (e, -1.0)] {
            let o = off[k];
            let hw = sign * sd.h / el.w[k];
            let iw = sign / el.w[k];
            jac.add(o, ol, hw * dn_dc_l);
            jac.add(o, or, hw * dn_dc_r);
            jac.add(o, ol + 1, hw * dn_dp_l);
            jac.add(o, or + 1, hw * dn_dp_r);
            jac.add(o + 1, ol, iw * di_dc_l);
            jac.add(o + 1, or, iw * di_dc_r);
            jac.add(o + 1, ol + 1, iw * di_dp_l);
            jac.add(o + 1, or + 1, iw * di_dp_r);
        }
    }
    for k in 0..nx {
        let o = off[k];
        let w = el.w[k];
        jac.add(o, o, sd.a0 * el.eps[k]);
        let (e, neg) = if k < el.nn {
            (&p.neg, true)
        } else if k >= el.nn + el.ns {
            (&p.pos, false)
        } else {
            continue;
        };
        let a = e.a();
        jac.add(o, o + 3, -sd.h * a / F);
        jac.add(o + 1, o + 3, -a);
        // Solid charge balance.
        let (sigma, first, last) = if neg {
            (sd.sigma_n, 0, el.nn - 1)
        } else {
            (sd.sigma_p, el.nn + el.ns, nx - 1)
        };
        if k == first {
            if neg {
                jac.add(o + 2, o + 2, sigma / (0.5 * w) / w);
            }
        } else {
            let g = sigma / (el.x[k] - el.x[k - 1]) / w;
            jac.add(o + 2, o + 2, g);
            jac.add(o + 2, off[k - 1] + 2, -g);
        }
        if k != last {
            let g = sigma / (el.x[k + 1] - el.x[k]) / w;
            jac.add(o + 2, o + 2, g);
            jac.add(o + 2, off[k + 1] + 2, -g);
        }
        jac.add(o + 2, o + 3, a);
        // Kinetics: j − 2 j0(c_e, c_s) sinh(η / 2RT/F), c_s = α + β j, η = φ_s − φ_e − U.
        let j = u[o + 3];
        let beta = sd.beta[k];
        let raw = sd.alpha[k] + beta * j;
        let (lo, hi) = (1e-9 * e.c_max, (1.0 - 1e-9) * e.c_max);
        let cs = raw.clamp(lo, hi);
        let dcs = if raw > lo && raw < hi { beta } else { 0.0 };
        let c = ce(k).max(1e-6);
        let (j0, dj0_dc) = with_slope(|x| e.j0.eval(x, cs, e.c_max, t), c, false);
        let dj0_dc = if ce(k) > 1e-6 { dj0_dc } else { 0.0 };
        let (_, dj0_dcs) = with_slope(|x| e.j0.eval(c, x, e.c_max, t), cs, cs > 0.5 * e.c_max);
        let (uocp, du) = with_slope(|x| e.u(x), cs / e.c_max, cs > 0.5 * e.c_max);
        let arg = (u[o + 2] - pe(k) - uocp) / (2.0 * rtf);
        let ex = arg.exp();
        let (s, ch) = (0.5 * (ex - 1.0 / ex), 0.5 * (ex + 1.0 / ex));
        jac.add(o + 3, o, -2.0 * s * dj0_dc);
        jac.add(o + 3, o + 2, -j0 * ch / rtf);
        jac.add(o + 3, o + 1, j0 * ch / rtf);
        jac.add(
            o + 3,
            o + 3,
            1.0 - dcs * (2.0 * s * dj0_dcs - j0 * ch * du / (e.c_max * rtf)),
        );
    }
}
