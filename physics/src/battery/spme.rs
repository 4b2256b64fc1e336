//! The single particle model with electrolyte (SPMe), as PyBaMM's `lithium_ion.SPMe()`
//! (Marquis et al. 2019; composite electrolyte conductivity and solid-phase ohmic terms): the
//! SPM's two particles, lithium transport in the electrolyte across the cell, and a terminal
//! voltage with the electrolyte's concentration overpotential and the averaged ohmic losses of
//! electrolyte and electrodes.

use super::bdf::Bdf;
use super::electrolyte::Electrolyte;
use super::params::{ParameterSet, F, R_GAS};
use super::spm::Spm;
use super::tridiag::with_scratch;
use super::{Cell, Fields};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Spme {
    pub particles: Spm,
    /// Shared: the model makes a new state every step, the mesh never changes.
    pub el: Arc<Electrolyte>,
    /// Electrolyte concentration now (shared with the next states' history).
    pub ce: Arc<[f64]>,
    /// The electrolyte one and two steps back, each with the step that followed (the BDF
    /// history; the particles keep their own, of the same steps).
    prev: Option<Past>,
    prev2: Option<Past>,
}

/// An earlier electrolyte profile (shared by the states that keep it) and the step after it.
#[derive(Clone, Debug)]
struct Past {
    ce: Arc<[f64]>,
    h: f64,
}

/// Mesh points per domain (PyBaMM's `var_pts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Points {
    pub x_n: usize,
    pub x_s: usize,
    pub x_p: usize,
    pub r_n: usize,
    pub r_p: usize,
}

impl Default for Points {
    fn default() -> Self {
        Points {
            x_n: 20,
            x_s: 20,
            x_p: 20,
            r_n: 20,
            r_p: 20,
        }
    }
}

impl Spme {
    pub fn new(p: ParameterSet, x: f64, y: f64, pts: Points) -> Spme {
        let el = Arc::new(Electrolyte::new(&p, pts.x_n, pts.x_s, pts.x_p));
        let ce = vec![p.c_e0; el.len()].into();
        assert_eq!(
            pts.r_n, pts.r_p,
            "one particle mesh size for both electrodes"
        );
        Spme {
            particles: Spm::new(p, x, y, pts.r_n),
            el,
            ce,
            prev: None,
            prev2: None,
        }
    }

    fn p(&self) -> &ParameterSet {
        &self.particles.p
    }
}

/// The mean of ln c over `c` (cells of one width: one electrode's): one logarithm of the
/// product instead of one per cell, the product taken in pieces that stay far from overflow.
fn log_mean(c: &[f64]) -> f64 {
    let (mut prod, mut logs) = (1.0f64, 0.0);
    for &v in c {
        prod *= v.max(1e-6);
        if !(1e-200..=1e200).contains(&prod) {
            logs += prod.ln();
            prod = 1.0;
        }
    }
    (logs + prod.ln()) / c.len() as f64
}

impl Cell for Spme {
    fn advanced(&self, h: f64, i: f64) -> Self {
        let p = self.p();
        let ic = i / p.area;
        let n = self.el.len();
        let bdf = Bdf::after(
            h,
            self.prev.as_ref().map(|q| q.h),
            self.prev2.as_ref().map(|q| q.h),
        );
        let c = &self.ce[..];
        let (cm, cmm) = (
            self.prev.as_ref().map_or(c, |q| &q.ce[..]),
            self.prev2.as_ref().map_or(c, |q| &q.ce[..]),
        );
        let ce = with_scratch(3 * n, |buf| {
            let (rhs, rest) = buf.split_at_mut(n);
            let (lin, out) = rest.split_at_mut(n);
            for k in 0..n {
                rhs[k] = self.el.eps[k] * bdf.rhs(c[k], cm[k], cmm[k]);
                lin[k] = bdf.extrapolate(c[k], cm[k]);
            }
            // One Newton step from the linear extrapolation (the present profile after a
            // restart): of its O(h²) error what is left is far below BDF3's own (docs/battery.md,
            // "Time stepping").
            self.el.implicit_solve(p, bdf.a0, h, ic, lin, rhs, out);
            Arc::<[f64]>::from(&*out)
        });
        Spme {
            particles: self.particles.advanced(h, i),
            el: self.el.clone(),
            ce,
            prev: Some(Past {
                ce: self.ce.clone(),
                h,
            }),
            prev2: self.prev.clone(),
        }
    }

    fn voltage(&self, i: f64) -> f64 {
        let p = self.p();
        let t = p.temperature;
        let ic = i / p.area;
        let el = &self.el;
        let (jn, jp) = self.particles.interfacial(i);
        let (xs, ys) = self.particles.surface_stoichiometries();
        let (csn, csp) = (xs * p.neg.c_max, ys * p.pos.c_max);
        let ce_av = el.average(&self.ce, 0..el.len());
        let rtf = R_GAS * t / F;
        // Reaction overpotentials: the x-average of the local inverse Butler–Volmer
        // overpotential, j0 following the local electrolyte concentration (PyBaMM's
        // inverse kinetics with an x-averaged particle).
        let eta_av =
            |r: std::ops::Range<usize>, j: f64, cs: f64, e: &crate::battery::params::Electrode| {
                // Cells of one width and one sign of j: the mean of asinh(x_k) =
                // ln(|x_k| + √(x_k² + 1)) sgn j is the logarithm of the product over the cells,
                // taken once (the logarithms were most of the cost of a voltage).
                let (mut prod, mut logs) = (1.0f64, 0.0);
                let len = r.len() as f64;
                // j0 ∝ √c_e (all built-in and rate-constant forms): x_k = a/√c_e,k, one j0.
                let sqrt_form = e.j0.is_sqrt_in_ce();
                let a = if sqrt_form {
                    let c_ref = p.c_e0.max(1e-9);
                    (j / (2.0 * e.j0.eval(c_ref, cs, e.c_max, t))).abs() * c_ref.sqrt()
                } else {
                    0.0
                };
                for k in r {
                    let ce = self.ce[k].max(1e-9);
                    let x = if sqrt_form {
                        a / ce.sqrt()
                    } else {
                        (j / (2.0 * e.j0.eval(ce, cs, e.c_max, t))).abs()
                    };
                    // (asinh x = ln 2x to within 1/(4x²) where x² would overflow.)
                    prod *= if x < 1e100 {
                        x + (x * x + 1.0).sqrt()
                    } else {
                        2.0 * x
                    };
                    if prod > 1e200 {
                        logs += prod.ln();
                        prod = 1.0;
                    }
                }
                2.0 * rtf * ((logs + prod.ln()) / len).copysign(j)
            };
        let eta_n = eta_av(el.neg(), jn, csn, &p.neg);
        let eta_p = eta_av(el.pos(), jp, csp, &p.pos);
        // Concentration overpotential: χ RT/F (⟨ln c_e/c̄_e⟩_p − ⟨ln c_e/c̄_e⟩_n), χ = 2(1 − t₊);
        // c̄_e cancels from the difference.
        let chi = 2.0 * (1.0 - p.t_plus);
        let eta_c = chi * rtf * (log_mean(&self.ce[el.pos()]) - log_mean(&self.ce[el.neg()]));
        let kappa = p.kappa_e.eval(ce_av, t);
        let (epn, eps, epp) = (el.tor[0], el.tor[el.nn], el.tor[el.len() - 1]);
        let dphi_e = -ic
            * (p.neg.thickness / (3.0 * kappa * epn)
                + p.sep_thickness / (kappa * eps)
                + p.pos.thickness / (3.0 * kappa * epp));
        let dphi_s = -ic
            * (p.neg.thickness / (3.0 * p.neg.sigma_eff())
                + p.pos.thickness / (3.0 * p.pos.sigma_eff()));
        p.pos.u(ys) - p.neg.u(xs) + eta_p - eta_n + eta_c + dphi_e + dphi_s
    }

    fn restart_history(&mut self) {
        self.prev = None;
        self.prev2 = None;
        self.particles.restart_history();
    }

    fn step_order(&self) -> usize {
        self.particles.step_order()
    }

    fn nominal_capacity_ah(&self) -> f64 {
        self.p().nominal_capacity_ah
    }

    fn limits(&self) -> (f64, f64) {
        (self.p().v_min, self.p().v_max)
    }

    fn fields(&self) -> Fields {
        let mut f = Fields::default();
        f.grid("x", self.el.x.to_vec());
        self.el.grids(&mut f);
        self.particles.particle_fields(&mut f);
        f.push("c_e", "mol/m3", &["x"], self.ce.to_vec());
        f.push("porosity", "1", &["x"], self.el.eps.to_vec());
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::battery::params::chen2020;

    /// The log-mean by products equals the plain mean of logarithms, also where the product
    /// of many large or small values would overflow.
    #[test]
    fn log_mean_matches_sum_of_logs() {
        for (n, scale) in [(20, 1000.0), (300, 1e4), (300, 1e-3), (7, 1e-9)] {
            let c: Vec<f64> = (0..n)
                .map(|k| scale * (1.0 + 0.37 * (k % 11) as f64))
                .collect();
            let direct = c.iter().map(|v| v.max(1e-6).ln()).sum::<f64>() / n as f64;
            let fast = log_mean(&c);
            assert!(
                (fast - direct).abs() < 1e-13 * direct.abs().max(1.0),
                "{n}: {fast} vs {direct}"
            );
        }
    }

    /// Every built-in exchange current is proportional to √c_e (the voltage relies on it).
    #[test]
    fn builtin_exchange_currents_scale_with_sqrt_ce() {
        use crate::battery::params::{builtin_j0, chen2020, marquis2019};
        for (name, _) in chen2020::J0.iter().chain(marquis2019::J0) {
            let j = builtin_j0(name).unwrap();
            assert!(j.is_sqrt_in_ce());
            for (cs, cmax, t) in [(1e4, 3e4, 298.15), (2.5e4, 5e4, 318.0)] {
                let r = j.eval(4000.0, cs, cmax, t) / j.eval(1000.0, cs, cmax, t);
                assert!((r - 2.0).abs() < 1e-12, "{name}: {r}");
            }
        }
    }

    /// The voltage's reaction and concentration overpotentials (logarithms of products, one
    /// j0 per electrode) equal their definitions cell by cell, on a non-uniform c_e.
    #[test]
    fn voltage_matches_cell_by_cell_definition() {
        let p = chen2020();
        let mut c = Spme::new(p, 0.8, 0.35, Points::default());
        for _ in 0..150 {
            c = c.advanced(2.0, 5.0);
        }
        assert!(c.ce.iter().all(|&v| v > 100.0), "{:?}", c.ce);
        let i = 5.0;
        let p = c.p().clone();
        let t = p.temperature;
        let rtf = R_GAS * t / F;
        let el = &c.el;
        let (jn, jp) = c.particles.interfacial(i);
        let (xs, ys) = c.particles.surface_stoichiometries();
        let mean = |r: std::ops::Range<usize>, f: &dyn Fn(usize) -> f64| {
            let n = r.len() as f64;
            r.map(f).sum::<f64>() / n
        };
        let eta = |k: usize, j: f64, cs: f64, e: &crate::battery::params::Electrode| {
            2.0 * rtf * (j / (2.0 * e.j0.eval(c.ce[k], cs, e.c_max, t))).asinh()
        };
        let eta_n = mean(el.neg(), &|k| eta(k, jn, xs * p.neg.c_max, &p.neg));
        let eta_p = mean(el.pos(), &|k| eta(k, jp, ys * p.pos.c_max, &p.pos));
        let chi = 2.0 * (1.0 - p.t_plus);
        let eta_c =
            chi * rtf * (mean(el.pos(), &|k| c.ce[k].ln()) - mean(el.neg(), &|k| c.ce[k].ln()));
        let ic = i / p.area;
        let ce_av = el.average(&c.ce, 0..el.len());
        let kappa = p.kappa_e.eval(ce_av, t);
        let (epn, eps, epp) = (el.tor[0], el.tor[el.nn], el.tor[el.len() - 1]);
        let ohmic = -ic
            * (p.neg.thickness / (3.0 * kappa * epn)
                + p.sep_thickness / (kappa * eps)
                + p.pos.thickness / (3.0 * kappa * epp))
            - ic * (p.neg.thickness / (3.0 * p.neg.sigma_eff())
                + p.pos.thickness / (3.0 * p.pos.sigma_eff()));
        let expect = p.pos.u(ys) - p.neg.u(xs) + eta_p - eta_n + eta_c + ohmic;
        let got = c.voltage(i);
        assert!(
            eta_c.abs() > 1e-3,
            "c_e is not uniform enough to test: {eta_c}"
        );
        assert!((got - expect).abs() < 1e-12, "{got} vs {expect}");
    }

    /// Lithium in the electrolyte is conserved: the reaction sources cancel over the cell.
    #[test]
    fn electrolyte_lithium_is_conserved() {
        let p = chen2020();
        let mut c = Spme::new(p, 0.9, 0.27, Points::default());
        let total = |c: &Spme| -> f64 {
            (0..c.el.len())
                .map(|k| c.el.w[k] * c.el.eps[k] * c.ce[k])
                .sum()
        };
        let t0 = total(&c);
        for _ in 0..300 {
            c = c.advanced(1.0, 10.0);
        }
        let t1 = total(&c);
        assert!(((t1 - t0) / t0).abs() < 1e-12, "{t0} -> {t1}");
        // Depleted near the positive current collector on discharge, enriched at the negative.
        assert!(c.ce[0] > 1000.0 && *c.ce.last().unwrap() < 1000.0);
    }
}
