//! Lithium-ion transport in the electrolyte across negative electrode, separator and positive
//! electrode, by finite volumes as PyBaMM discretises it: uniform cells in each domain, node
//! values at cell centres, the effective diffusivity `ε^b·D_e(c)` moved to cell edges by the
//! control-volume-weighted harmonic mean, the migration flux `t₊ i_e / F` by the arithmetic
//! mean (extrapolated at the ends), no flux through the current collectors.

use super::params::{ParameterSet, F};
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
}

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
        Electrolyte {
            nn,
            ns,
            np,
            w: w.into(),
            x: x.into(),
            eps: eps.into(),
            tor: tor.into(),
            lx: edge,
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

    /// Solve `a0·ε·c − h·(−div N(c) + s/F) = rhs` for c (one linearisation about `c_lin` for
    /// the diffusivity), where the reaction source `s` is `i/L_n` in the negative electrode and
    /// `−i/L_p` in the positive one, for cell current density `i`.
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
        let dn: Vec<f64> = (0..n)
            .map(|k| self.tor[k] * p.d_e.eval(c_lin[k], t))
            .collect();
        let ie = self.i_e(p, i);
        // Edge values: diffusivity (harmonic, weighted) and migration (arithmetic).
        let mut g = vec![0.0; n + 1]; // conductance D_edge / Δx at internal edges
        let mut mig = vec![0.0; n + 1];
        for e in 1..n {
            let beta = self.w[e - 1] / (self.w[e] + self.w[e - 1]);
            let (d1, d2) = (dn[e - 1], dn[e]);
            let d = d1 * d2 / (d2 * beta + d1 * (1.0 - beta));
            g[e] = d / (self.x[e] - self.x[e - 1]);
            mig[e] = p.t_plus * 0.5 * (ie[e - 1] + ie[e]) / F;
        }
        mig[0] = p.t_plus * (1.5 * ie[0] - 0.5 * ie[1]) / F;
        mig[n] = p.t_plus * (1.5 * ie[n - 1] - 0.5 * ie[n - 2]) / F;
        let mut lower = vec![0.0; n];
        let mut diag = vec![0.0; n];
        let mut upper = vec![0.0; n];
        let mut b = rhs.to_vec();
        for k in 0..n {
            let src = if k < self.nn {
                i / p.neg.thickness
            } else if k < self.nn + self.ns {
                0.0
            } else {
                -i / p.pos.thickness
            };
            let hw = h / self.w[k];
            diag[k] = a0 * self.eps[k] + hw * (g[k] + g[k + 1]);
            if k > 0 {
                lower[k] = -hw * g[k];
            }
            if k + 1 < n {
                upper[k] = -hw * g[k + 1];
            }
            b[k] += h * (-(mig[k + 1] - mig[k]) / self.w[k] + src / F);
        }
        super::sphere::thomas(&lower, &mut diag, &upper, &mut b, out);
    }
}
