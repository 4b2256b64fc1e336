//! Lithium-ion transport in the electrolyte across negative electrode, separator and positive
//! electrode, by finite volumes as PyBaMM discretises it: uniform cells in each domain, node
//! values at cell centres, the effective diffusivity `ε^b·D_e(c)` moved to cell edges by the
//! control-volume-weighted harmonic mean, the migration flux `t₊ i_e / F` by the arithmetic
//! mean (extrapolated at the ends), no flux through the current collectors.

use super::params::{ParameterSet, F};
use super::tridiag::{self, with_scratch};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Electrolyte {
    /// Cells per domain.
    pub nn: usize,
    pub ns: usize,
    pub np: usize,
    /// Cell widths and centres (shared: the models clone themselves every step).
    pub w: Arc<[f64]>,
    pub x: Arc<[f64]>,
    /// Porosity and transport efficiency ε^b per cell.
    pub eps: Arc<[f64]>,
    pub tor: Arc<[f64]>,
    pub lx: f64,
    /// Per-cell constants of [`Electrolyte::implicit_solve`], made once.
    solve: Arc<SolveGeometry>,
}

/// What the implicit solve needs per cell and edge that never changes: reciprocal widths,
/// the harmonic-mean weights and reciprocal centre distances of the internal edges, and the
/// migration and reaction forcing per unit cell current density.
#[derive(Debug)]
struct SolveGeometry {
    inv_w: Vec<f64>,
    /// Edge e (1..n): the weight β of the left cell in the harmonic mean, and 1/Δx.
    beta: Vec<f64>,
    inv_dx: Vec<f64>,
    /// −div(t₊ i_e / F) + s/F for a cell current density of 1 A/m².
    forcing: Vec<f64>,
}

/// The electrolyte concentration [mol/m³] below which D_e and κ_e are taken at this value, as
/// PyBaMM does (`settings.tolerances["D_e__c_e"]`, `["kappa_e__c_e"]`): where the electrolyte
/// empties at high rates a region still diffuses and conducts, and a discharge goes on to its
/// voltage cut-off as PyBaMM's does (with a floor near zero, the DFN at 4C stopped at 106 s
/// with no solution, PyBaMM reaching 2.5 V at 145 s).
pub const CE_TRANSPORT: f64 = 10.0;
/// The same for the 1/c_e of the DFN's MacInnes term ∇ln c_e (`["chi__c_e"]`).
pub const CE_MACINNES: f64 = 1e-2;

impl Electrolyte {
    pub fn new(p: &ParameterSet, nn: usize, ns: usize, np: usize) -> Electrolyte {
        let mut w = Vec::new();
        let mut eps = Vec::new();
        let mut tor = Vec::new();
        for (n, l, e, b) in [
            (nn, p.neg.thickness, p.neg.porosity, p.neg.bruggeman),
            (ns, p.sep_thickness, p.sep_porosity, p.sep_bruggeman),
            (np, p.pos.thickness, p.pos.porosity, p.pos.bruggeman),
        ] {
            for _ in 0..n {
                w.push(l / n as f64);
                eps.push(e);
                tor.push(e.powf(b));
            }
        }
        let mut x = Vec::with_capacity(w.len());
        let mut edge = 0.0;
        for wi in &w {
            x.push(edge + 0.5 * wi);
            edge += wi;
        }
        let mut el = Electrolyte {
            nn,
            ns,
            np,
            w: w.into(),
            x: x.into(),
            eps: eps.into(),
            tor: tor.into(),
            lx: edge,
            solve: Arc::new(SolveGeometry {
                inv_w: Vec::new(),
                beta: Vec::new(),
                inv_dx: Vec::new(),
                forcing: Vec::new(),
            }),
        };
        el.solve = Arc::new(el.solve_geometry(p));
        el
    }

    fn solve_geometry(&self, p: &ParameterSet) -> SolveGeometry {
        let n = self.len();
        let (mut beta, mut inv_dx) = (vec![0.0; n + 1], vec![0.0; n + 1]);
        for e in 1..n {
            beta[e] = self.w[e - 1] / (self.w[e] + self.w[e - 1]);
            inv_dx[e] = 1.0 / (self.x[e] - self.x[e - 1]);
        }
        // Migration on the edges: the arithmetic mean inside, extrapolated at the ends.
        let ie = self.i_e(p, 1.0);
        let mut mig = vec![0.0; n + 1];
        for e in 1..n {
            mig[e] = p.t_plus * 0.5 * (ie[e - 1] + ie[e]) / F;
        }
        if n >= 2 {
            mig[0] = p.t_plus * (1.5 * ie[0] - 0.5 * ie[1]) / F;
            mig[n] = p.t_plus * (1.5 * ie[n - 1] - 0.5 * ie[n - 2]) / F;
        }
        let forcing = (0..n)
            .map(|k| {
                let src = if k < self.nn {
                    1.0 / p.neg.thickness
                } else if k < self.nn + self.ns {
                    0.0
                } else {
                    -1.0 / p.pos.thickness
                };
                -(mig[k + 1] - mig[k]) / self.w[k] + src / F
            })
            .collect();
        SolveGeometry {
            inv_w: self.w.iter().map(|w| 1.0 / w).collect(),
            beta,
            inv_dx,
            forcing,
        }
    }

    pub fn len(&self) -> usize {
        self.w.len()
    }

    pub fn is_empty(&self) -> bool {
        self.w.is_empty()
    }

    /// Spatial average over cells `range` (PyBaMM's x-average).
    pub fn average(&self, c: &[f64], range: std::ops::Range<usize>) -> f64 {
        let (mut s, mut l) = (0.0, 0.0);
        for k in range {
            s += self.w[k] * c[k];
            l += self.w[k];
        }
        s / l
    }

    /// Cell-centre coordinates of the three domains (x from the negative current collector).
    pub fn grids(&self, f: &mut super::Fields) {
        f.grid("x_n", self.x[self.neg()].to_vec());
        f.grid("x_s", self.x[self.sep()].to_vec());
        f.grid("x_p", self.x[self.pos()].to_vec());
    }

    pub fn neg(&self) -> std::ops::Range<usize> {
        0..self.nn
    }
    pub fn sep(&self) -> std::ops::Range<usize> {
        self.nn..self.nn + self.ns
    }
    pub fn pos(&self) -> std::ops::Range<usize> {
        self.nn + self.ns..self.len()
    }

    /// Electrolyte current density at the cell centres for cell current density `i` [A/m²]
    /// (uniform reaction in each electrode: linear there, constant in the separator).
    pub(crate) fn i_e(&self, p: &ParameterSet, i: f64) -> Vec<f64> {
        let ln = p.neg.thickness;
        let lp = p.pos.thickness;
        (0..self.len())
            .map(|k| {
                if k < self.nn {
                    i * self.x[k] / ln
                } else if k < self.nn + self.ns {
                    i
                } else {
                    i * (self.lx - self.x[k]) / lp
                }
            })
            .collect()
    }

    /// One Newton step for `a0·ε·c − h·(−div N(c) + s/F) = rhs` from `c_lin`: the diffusive
    /// fluxes linearised about `c_lin` in both the concentrations and the diffusivity D_e(c),
    /// where the reaction source `s` is `i/L_n` in the negative electrode and `−i/L_p` in the
    /// positive one, for cell current density `i`. From a guess that is off by δ the result is
    /// off by O(δ²) and δ times the secant's relative error in D_e's slope (below); a solve with
    /// D_e frozen at the guess is off by O(δ) itself. The linearised
    /// edge fluxes are still shared by the two cells of an edge, so lithium is conserved
    /// exactly. `p` is the parameter set the electrolyte was made with (its migration and
    /// sources are precomputed).
    #[allow(clippy::too_many_arguments)]
    pub fn implicit_solve(
        &self,
        p: &ParameterSet,
        a0: f64,
        h: f64,
        i: f64,
        c_lin: &[f64],
        rhs: &[f64],
        out: &mut [f64],
    ) {
        let n = self.len();
        let t = p.temperature;
        let g = &*self.solve;
        // Every slice cut to its length here: the loops below then carry no bounds checks.
        let (tor, eps, c_lin, rhs, out) = (
            &self.tor[..n],
            &self.eps[..n],
            &c_lin[..n],
            &rhs[..n],
            &mut out[..n],
        );
        let (beta, inv_dx, inv_w, forcing) =
            (&g.beta[..n], &g.inv_dx[..n], &g.inv_w[..n], &g.forcing[..n]);
        // The rows first, edge by edge (no chain of dependencies), then the tridiagonal solve.
        // Edge e's flux G·(c_R − c_L), G the weighted harmonic mean of the cells' ε^b·D_e over
        // Δx, is linearised as `lo·c_L + up·c_R + kk`. Its D_e'(c)·(c_R − c_L) terms are taken
        // as D_e(c_R) − D_e(c_L): the same to first order in the jump, with no second
        // evaluation of D_e per cell.
        with_scratch(4 * n, |buf| {
            let (lower, rest) = buf.split_at_mut(n);
            let (diag, rest) = rest.split_at_mut(n);
            let (upper, work) = rest.split_at_mut(n);
            // D_e at the cells, in `work` until the solve needs it.
            let d = &mut work[..n];
            for (dk, c) in d.iter_mut().zip(c_lin) {
                *dk = c.max(CE_TRANSPORT);
            }
            p.d_e.eval_in_place(d, t);
            let hi = h * i;
            for k in 0..n {
                out[k] = rhs[k] + hi * forcing[k];
                diag[k] = a0 * eps[k];
            }
            for e in 1..n {
                let (d_left, d_right) = (d[e - 1], d[e]);
                let (tl, tr) = (tor[e - 1], tor[e]);
                let (dl, dr) = (tl * d_left, tr * d_right);
                let b = beta[e];
                let inv = 1.0 / (dr * b + dl * (1.0 - b));
                let cond = dl * dr * inv * inv_dx[e];
                // ∂G/∂c on either side, times the jump c_R − c_L.
                let w = inv * inv * inv_dx[e] * (d_right - d_left);
                let gl = dr * dr * b * w * tl;
                let gr = dl * dl * (1.0 - b) * w * tr;
                let (lo, up) = (gl - cond, gr + cond);
                let kk = -(gl * c_lin[e - 1] + gr * c_lin[e]);
                // The edge's flux leaves cell e−1 and enters cell e, each over its width.
                let (hl, hr) = (h * inv_w[e - 1], h * inv_w[e]);
                diag[e - 1] -= hl * lo;
                upper[e - 1] = -hl * up;
                out[e - 1] += hl * kk;
                diag[e] += hr * up;
                lower[e] = hr * lo;
                out[e] -= hr * kk;
            }
            tridiag::solve(lower, diag, upper, out, work);
        });
    }
}
