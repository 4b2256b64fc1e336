//! Small-signal impedance of the DFN (physics/src/battery/dfn/) about a rest state.
//!
//! At rest c_e = c_e0, j = 0, η = 0 and every particle is uniform, so the discretised DFN's
//! equations (dfn/residual.rs: per x node c_e, φ_e and in the electrodes φ_s and j) linearise
//! to constant coefficients. Written per unit area with i = I/A, in the Laplace variable s:
//!
//! - electrolyte mass:   s ε δc_k + (δN_{k+½} − δN_{k−½})/w_k − a δj_k/F = 0,
//!   δN = −D_edge ∂δc + t₊ δi_e/F;
//! - electrolyte charge: (δi_e,{k+½} − δi_e,{k−½})/w_k − a δj_k = 0,
//!   δi_e = κ_edge (χ RT/(F c_e0) ∂δc − ∂δφ_e) (the gradient terms of the rest state vanish);
//! - solid charge:       as the DFN's, with φ_s = 0 at x = 0 and δi entering at x = L;
//! - kinetics:           δj = (i0/(RT/F)) (δφ_s − δφ_e − U′ δc_surf), δc_surf = β(s) δj,
//!   the particle eliminated per frequency by one complex tridiagonal solve: β(s) is the
//!   surface response of the particle to a unit interfacial current (∂i0 terms multiply
//!   sinh(0) = 0 and drop out).
//!
//! Edge values are the DFN's: ε^b D_e by the weighted harmonic mean, ε^b κ_e by the arithmetic
//! mean, both at c_e0. The system is solved per frequency with a complex banded LU; the
//! voltage is the DFN's, the φ_s extrapolated to x = L. Same sign convention as the SPM and
//! SPMe: Z = −δV/δI. With s = 1/h real this is minus the voltage change per amp of one
//! backward-Euler step of length h from rest, which ties it to the time-stepped DFN.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use super::banded_c64::BandedC64;
use super::electrolyte::Electrolyte;
use super::impedance::{charge_transfer_area_resistance, ocp_slope, Linearised};
use super::params::{stoichiometries_at_soc, Electrode, ParameterSet, F, R_GAS};
use super::sphere::Sphere;
use super::spme::Points;
use crate::calibration::eis::C64;

/// Bandwidth of the linearised system (the DFN Jacobian's).
const BAND: usize = 5;

/// One electrode's linearised interface and particle.
#[derive(Clone, Debug)]
struct Interface {
    sphere: Sphere,
    /// Particle diffusivity at the rest concentration [m²/s].
    d: f64,
    /// ∂(dc_last/dt)/∂j for a unit interfacial current density [mol/(m³ s) per A/m²].
    b_last: f64,
    /// dU/dc_s [V m³/mol].
    du_dc: f64,
    /// i0/(RT/F) = 1/(charge-transfer area resistance) [S/m²].
    g: f64,
    /// Specific interfacial area a [1/m].
    a: f64,
    /// Effective solid conductivity [S/m].
    sigma: f64,
}

impl Interface {
    fn new(p: &ParameterSet, e: &Electrode, sto: f64, n_r: usize) -> Interface {
        let sphere = Sphere::new(e.particle_radius, n_r);
        let b_last = -(e.particle_radius.powi(2)) / sphere.volumes()[n_r - 1] / F;
        Interface {
            d: e.diffusivity.eval(sto, p.temperature),
            b_last,
            du_dc: ocp_slope(e, sto),
            g: 1.0 / charge_transfer_area_resistance(p, e, sto),
            a: e.a(),
            sigma: e.sigma_eff(),
            sphere,
        }
    }

    /// δj/(δφ_s − δφ_e) at s [S/m²]; `None` is ω → ∞ (the particle surface does not move).
    fn admittance(&self, s: Option<C64>) -> C64 {
        let beta = match s {
            None => C64::default(),
            Some(s) => {
                let x = self.sphere.transfer(self.d, s, self.b_last);
                let n = x.len();
                x[n - 1].scale(1.5) - x[n - 2].scale(0.5)
            }
        };
        // δj (1 + g U′ β) = g (δφ_s − δφ_e).
        C64::real(self.g) / (C64::real(1.0) + beta.scale(self.g * self.du_dc))
    }
}

/// The DFN linearised about rest; [`Linearised::z`] evaluates Z(ω).
#[derive(Clone, Debug)]
pub struct DfnImpedance {
    el: Electrolyte,
    /// Offset of node k's unknowns (c_e, φ_e[, φ_s, δj]).
    off: Vec<usize>,
    n: usize,
    neg: Interface,
    pos: Interface,
    /// D_edge/Δx and κ_edge/Δx on the internal edges 1..n_x (0 and n_x unused).
    gd: Vec<f64>,
    gk: Vec<f64>,
    /// χ RT/(F c_e0) [V m³/mol].
    conc: f64,
    t_plus: f64,
    area: f64,
    /// Stoichiometries (x, y) of the rest state.
    pub stoichiometries: (f64, f64),
}

impl DfnImpedance {
    /// Linearise at `soc` (the parameter set's stoichiometry window) on the mesh `pts`.
    pub fn at_soc(p: &ParameterSet, soc: f64, pts: Points) -> Result<DfnImpedance, String> {
        if !(0.0..=1.0).contains(&soc) {
            return Err(format!("soc {soc} is outside [0, 1]"));
        }
        let (x, y) = stoichiometries_at_soc(p, soc);
        DfnImpedance::at_stoichiometries(p, x, y, pts)
    }

    /// Linearise at stoichiometries `x` (negative) and `y` (positive).
    pub fn at_stoichiometries(
        p: &ParameterSet,
        x: f64,
        y: f64,
        pts: Points,
    ) -> Result<DfnImpedance, String> {
        if pts.r_n != pts.r_p {
            return Err("r_n and r_p must be equal (one particle mesh)".into());
        }
        if pts.r_n < 2 {
            return Err(format!(
                "r_n = {}: the particle needs at least 2 cells",
                pts.r_n
            ));
        }
        if pts.x_n < 2 || pts.x_s < 1 || pts.x_p < 2 {
            return Err("the electrolyte needs x_n, x_p ≥ 2 and x_s ≥ 1 cells".into());
        }
        for (what, s) in [("negative", x), ("positive", y)] {
            if !(s > 0.0 && s < 1.0) {
                return Err(format!("{what} stoichiometry {s} is outside (0, 1)"));
            }
        }
        let el = Electrolyte::new(p, pts.x_n, pts.x_s, pts.x_p);
        let nx = el.len();
        let mut off = Vec::with_capacity(nx);
        let mut n = 0;
        for k in 0..nx {
            off.push(n);
            n += if k < el.nn || k >= el.nn + el.ns {
                4
            } else {
                2
            };
        }
        let t = p.temperature;
        let dnode: Vec<f64> = (0..nx).map(|k| el.tor[k] * p.d_e.eval(p.c_e0, t)).collect();
        let knode: Vec<f64> = (0..nx)
            .map(|k| el.tor[k] * p.kappa_e.eval(p.c_e0, t))
            .collect();
        let mut gd = vec![0.0; nx + 1];
        let mut gk = vec![0.0; nx + 1];
        for e in 1..nx {
            let dx = el.x[e] - el.x[e - 1];
            let beta = el.w[e - 1] / (el.w[e] + el.w[e - 1]);
            let (d1, d2) = (dnode[e - 1], dnode[e]);
            gd[e] = d1 * d2 / (d2 * beta + d1 * (1.0 - beta)) / dx;
            gk[e] = 0.5 * (knode[e - 1] + knode[e]) / dx;
        }
        let z = DfnImpedance {
            neg: Interface::new(p, &p.neg, x, pts.r_n),
            pos: Interface::new(p, &p.pos, y, pts.r_p),
            el,
            off,
            n,
            gd,
            gk,
            conc: 2.0 * (1.0 - p.t_plus) * R_GAS * t / (F * p.c_e0),
            t_plus: p.t_plus,
            area: p.area,
            stoichiometries: (x, y),
        };
        if !z.neg.g.is_finite() || !z.pos.g.is_finite() || z.neg.g <= 0.0 || z.pos.g <= 0.0 {
            return Err("the exchange-current density is not positive at the rest state".into());
        }
        Ok(z)
    }

    /// Assemble and solve the linear system for a unit cell current; `None`: ω → ∞.
    fn solve(&self, s: Option<C64>) -> C64 {
        let el = &self.el;
        let nx = el.len();
        let off = &self.off;
        let mut m = BandedC64::new(self.n, BAND, BAND);
        let r = |v: f64| C64::real(v);
        let (tf, conc) = (self.t_plus / F, self.conc);
        // Electrolyte fluxes across internal edges: row k gets +flux(e = k+1) − flux(e = k).
        for e in 1..nx {
            let (ol, or) = (off[e - 1], off[e]);
            // δi_e = gk (conc (δc_r − δc_l) − (δφ_r − δφ_l)); δN = −gd (δc_r − δc_l) + tf δi_e.
            let (gk, gd) = (self.gk[e], self.gd[e]);
            let di = [
                (ol, -gk * conc),
                (or, gk * conc),
                (ol + 1, gk),
                (or + 1, -gk),
            ];
            for (k, sign) in [(e - 1, 1.0), (e, -1.0)] {
                let o = off[k];
                let sw = sign / el.w[k];
                for &(col, v) in &di {
                    m.add(o + 1, col, r(sw * v));
                    if s.is_some() {
                        m.add(o, col, r(sw * tf * v));
                    }
                }
                if s.is_some() {
                    m.add(o, ol, r(sw * gd));
                    m.add(o, or, r(-sw * gd));
                }
            }
        }
        let mut b = vec![C64::default(); self.n];
        let first_p = el.nn + el.ns;
        let (yn, yp) = (self.neg.admittance(s), self.pos.admittance(s));
        for k in 0..nx {
            let o = off[k];
            match s {
                Some(s) => m.add(o, o, s.scale(el.eps[k])),
                // ω → ∞: δc_e = 0 (the row is scaled by 1/s).
                None => m.add(o, o, r(1.0)),
            }
            let (it, y, neg, first, last) = if k < el.nn {
                (&self.neg, yn, true, 0, el.nn - 1)
            } else if k >= first_p {
                (&self.pos, yp, false, first_p, nx - 1)
            } else {
                continue;
            };
            let w = el.w[k];
            if s.is_some() {
                m.add(o, o + 3, r(-it.a / F));
            }
            m.add(o + 1, o + 3, r(-it.a));
            // Solid charge balance (dfn/residual.rs): (right − left)/w + a δj = 0.
            if k == first {
                if neg {
                    m.add(o + 2, o + 2, r(it.sigma / (0.5 * w) / w));
                }
            } else {
                let g = it.sigma / (el.x[k] - el.x[k - 1]) / w;
                m.add(o + 2, o + 2, r(g));
                m.add(o + 2, off[k - 1] + 2, r(-g));
            }
            if k != last {
                let g = it.sigma / (el.x[k + 1] - el.x[k]) / w;
                m.add(o + 2, o + 2, r(g));
                m.add(o + 2, off[k + 1] + 2, r(-g));
            } else if !neg {
                // right = δi = δI/A enters at x = L.
                b[o + 2] = r(-1.0 / (self.area * w));
            }
            m.add(o + 2, o + 3, r(it.a));
            // Kinetics: δj − Y (δφ_s − δφ_e) = 0.
            m.add(o + 3, o + 3, r(1.0));
            m.add(o + 3, o + 2, -y);
            m.add(o + 3, o + 1, y);
        }
        if !m.factor() {
            return C64::new(f64::NAN, f64::NAN);
        }
        m.solve(&mut b);
        let (last, before) = (off[nx - 1] + 2, off[nx - 2] + 2);
        -(b[last].scale(1.5) - b[before].scale(0.5))
    }
}

impl Linearised for DfnImpedance {
    /// −δV/δI for δI ∝ e^{st} at any complex `s` off the system's spectrum (s = jω: the
    /// impedance; s = 1/h real: one backward-Euler step of length h from rest).
    fn transfer_at(&self, s: C64) -> C64 {
        self.solve(Some(s))
    }

    /// Z(ω → ∞): the resistive network left when the concentrations cannot follow (δc_e = 0,
    /// particle surfaces fixed): the porous electrodes' transmission lines of ionic, electronic
    /// and charge-transfer resistance in series with the separator (no double layer).
    fn high_frequency_limit(&self) -> f64 {
        self.solve(None).re
    }
}
