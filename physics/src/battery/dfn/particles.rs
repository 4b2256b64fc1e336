//! The particles' part of one DFN step: each node's particle is a linear (tridiagonal) system
//! whose surface concentration is affine in the node's interfacial current j, so it is
//! eliminated before Newton (`alpha + beta·j`) and its profile rebuilt after (`free + j·unit`).
//! Profiles are stored flat, node after node, so a step allocates a few arrays, not one per
//! node.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::Dfn;
use crate::battery::bdf::Bdf;
use crate::battery::params::{Electrode, F};
use crate::battery::sphere::Sphere;

/// The response of the particles to unit interfacial current: one per electrode when the
/// diffusivity is uniform (every node shares it), otherwise one per node (flat).
pub(super) enum Unit {
    Shared { n: Vec<f64>, p: Vec<f64> },
    PerNode { n: Vec<f64>, p: Vec<f64> },
}

/// A step's particle elimination.
pub(super) struct Parts {
    /// Surface concentration of node k's particle = alpha[k] + beta[k]·j_k (0 in the separator).
    pub alpha: Vec<f64>,
    pub beta: Vec<f64>,
    /// The profiles at zero interfacial current, flat.
    pub free_n: Vec<f64>,
    pub free_p: Vec<f64>,
    pub unit: Unit,
}

/// The unit response of sphere `s` for a step (a0, h) with edge diffusivities `d`.
fn unit_response(s: &Sphere, a0: f64, h: f64, d: &[f64], out: &mut [f64]) {
    let zero = [0.0f64; 64];
    let mut heap = Vec::new();
    let rhs: &[f64] = if s.n <= zero.len() {
        &zero[..s.n]
    } else {
        heap.resize(s.n, 0.0);
        &heap
    };
    s.implicit_solve(a0, h, d, 1.0 / F, rhs, out);
}

/// Eliminate the particles of state `d` for a step of length `h` by formula `bdf` (h = 0: the
/// present profiles, nothing moves).
pub(super) fn eliminate(d: &Dfn, bdf: &Bdf, h: f64) -> Parts {
    let a0 = bdf.a0;
    let p = &d.p;
    let el = &d.el;
    let nx = el.len();
    let t = p.temperature;
    let mut alpha = vec![0.0; nx];
    let mut beta = vec![0.0; nx];
    let mut free_n = vec![0.0; d.cs_n.len()];
    let mut free_p = vec![0.0; d.cs_p.len()];
    let uniform = |e: &Electrode, s: &Sphere| {
        e.diffusivity
            .is_constant_in_x()
            .then(|| vec![e.diffusivity.eval(0.0, t); s.n + 1])
    };
    let (dn_uni, dp_uni) = (uniform(&p.neg, &d.sn), uniform(&p.pos, &d.sp));
    let shared = dn_uni.is_some() && dp_uni.is_some();
    let mut unit = if shared {
        let (mut un, mut up) = (vec![0.0; d.sn.n], vec![0.0; d.sp.n]);
        unit_response(&d.sn, a0, h, dn_uni.as_deref().unwrap(), &mut un);
        unit_response(&d.sp, a0, h, dp_uni.as_deref().unwrap(), &mut up);
        Unit::Shared { n: un, p: up }
    } else {
        Unit::PerNode {
            n: vec![0.0; d.cs_n.len()],
            p: vec![0.0; d.cs_p.len()],
        }
    };
    let hist = d.prev.as_ref().filter(|_| h > 0.0);
    let mut rhs = vec![0.0; d.sn.n.max(d.sp.n)];
    let mut d_edges = vec![0.0; d.sn.n.max(d.sp.n) + 1];
    for (neg, s, e, first) in [
        (true, &d.sn, &p.neg, 0),
        (false, &d.sp, &p.pos, el.nn + el.ns),
    ] {
        // The states one and two steps back (the present one stands in for missing ones:
        // their weights are 0).
        let older = hist.and_then(|hh| hh.older.as_ref());
        let (cs, cs_prev, cs_older, d_uni, free) = if neg {
            (
                &d.cs_n,
                hist.map_or(&d.cs_n, |hh| &hh.last.cs_n),
                older.map_or(&d.cs_n, |o| &o.cs_n),
                &dn_uni,
                &mut free_n,
            )
        } else {
            (
                &d.cs_p,
                hist.map_or(&d.cs_p, |hh| &hh.last.cs_p),
                older.map_or(&d.cs_p, |o| &o.cs_p),
                &dp_uni,
                &mut free_p,
            )
        };
        // One elimination serves every node of the electrode when D is uniform.
        let fac = d_uni.as_deref().map(|dd| s.factor(a0, h, dd));
        let r = s.n;
        for m in 0..cs.len() / r {
            let k = first + m;
            let c = &cs[m * r..(m + 1) * r];
            let cm = &cs_prev[m * r..(m + 1) * r];
            let cmm = &cs_older[m * r..(m + 1) * r];
            let out = &mut free[m * r..(m + 1) * r];
            let rhs = &mut rhs[..r];
            for q in 0..r {
                rhs[q] = bdf.rhs(c[q], cm[q], cmm[q]);
            }
            let dd: &[f64] = match d_uni {
                Some(dd) => dd,
                None => {
                    let dd = &mut d_edges[..r + 1];
                    let at = |q: usize| bdf.extrapolate(c[q], cm[q]);
                    s.edge_diffusivity(at, e.c_max, &e.diffusivity, t, dd);
                    dd
                }
            };
            match &fac {
                Some(f) => s.solve_factored(f, 0.0, rhs, out),
                None => s.implicit_solve(a0, h, dd, 0.0, rhs, out),
            }
            alpha[k] = s.surface(out);
            beta[k] = match &mut unit {
                Unit::Shared { n, p } => s.surface(if neg { n } else { p }),
                Unit::PerNode { n, p } => {
                    let own = if neg { n } else { p };
                    let own = &mut own[m * r..(m + 1) * r];
                    unit_response(s, a0, h, dd, own);
                    s.surface(own)
                }
            };
        }
    }
    Parts {
        alpha,
        beta,
        free_n,
        free_p,
        unit,
    }
}

impl Unit {
    /// Add each node's interfacial current (from Newton's solution `u`) times its unit response
    /// to the zero-current profiles.
    pub fn add_flux(&self, d: &Dfn, u: &[f64], new_n: &mut [f64], new_p: &mut [f64]) {
        let el = &d.el;
        for (neg, prof, first) in [(true, new_n, 0), (false, new_p, el.nn + el.ns)] {
            let r = if neg { d.sn.n } else { d.sp.n };
            for m in 0..prof.len() / r {
                let j = u[d.lay.off[first + m] + 3];
                let resp = match self {
                    Unit::Shared { n, p } => &(if neg { n } else { p })[..],
                    Unit::PerNode { n, p } => &(if neg { n } else { p })[m * r..(m + 1) * r],
                };
                for (c, dr) in prof[m * r..(m + 1) * r].iter_mut().zip(resp) {
                    *c += j * dr;
                }
            }
        }
    }
}
