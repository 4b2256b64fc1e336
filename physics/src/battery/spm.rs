//! The single particle model (SPM), as PyBaMM's `lithium_ion.SPM()`: one particle per
//! electrode carrying the electrode's average interfacial current, electrolyte at its initial
//! concentration, symmetric Butler–Volmer kinetics, isothermal.
//!
//! Time stepping: variable-step BDF of order up to 3 ([`super::bdf`]: BDF1 on the first step
//! after a restart, BDF2 on the second), one tridiagonal solve per particle per step; a
//! concentration-dependent diffusivity is evaluated on the edges at the profile extrapolated to
//! the end of the step, which keeps the solve linear.

use super::bdf::Bdf;
use super::params::{Electrode, ParameterSet, F, R_GAS};
use super::sphere::Sphere;
use super::tridiag::with_scratch;
use super::{Cell, Fields};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Spm {
    /// Shared: the models clone themselves every step, the parameters never change.
    pub p: Arc<ParameterSet>,
    sn: Sphere,
    sp: Sphere,
    /// Particle concentrations now (shared with the next states' history).
    pub cn: Arc<[f64]>,
    pub cp: Arc<[f64]>,
    /// The states one and two steps back (the BDF history), if any.
    prev: Option<Past>,
    prev2: Option<Past>,
}

/// Particle profiles at an earlier time, shared by the states that keep them as history, and
/// the length of the step that followed.
#[derive(Clone, Debug)]
struct Past {
    cn: Arc<[f64]>,
    cp: Arc<[f64]>,
    h: f64,
}

impl Spm {
    /// A cell at stoichiometries `x` (negative) and `y` (positive), `n_r` cells per particle.
    pub fn new(p: ParameterSet, x: f64, y: f64, n_r: usize) -> Spm {
        let sn = Sphere::new(p.neg.particle_radius, n_r);
        let sp = Sphere::new(p.pos.particle_radius, n_r);
        let cn = vec![x * p.neg.c_max; n_r].into();
        let cp = vec![y * p.pos.c_max; n_r].into();
        Spm {
            p: Arc::new(p),
            sn,
            sp,
            cn,
            cp,
            prev: None,
            prev2: None,
        }
    }

    /// Interfacial current densities j_n, j_p [A/m²] for cell current `i` [A].
    pub fn interfacial(&self, i: f64) -> (f64, f64) {
        let ic = i / self.p.area;
        (
            ic / (self.p.neg.a() * self.p.neg.thickness),
            -ic / (self.p.pos.a() * self.p.pos.thickness),
        )
    }

    /// The particle grids and profiles (`r_n`, `r_p`; `c_s_n`, `c_s_p` and their surface values).
    pub fn particle_fields(&self, f: &mut Fields) {
        f.grid("r_n", self.sn.centres());
        f.grid("r_p", self.sp.centres());
        f.push("c_s_n", "mol/m3", &["r_n"], self.cn.to_vec());
        f.push("c_s_p", "mol/m3", &["r_p"], self.cp.to_vec());
        f.push("c_s_surf_n", "mol/m3", &[], vec![self.sn.surface(&self.cn)]);
        f.push("c_s_surf_p", "mol/m3", &[], vec![self.sp.surface(&self.cp)]);
    }

    pub fn surface_stoichiometries(&self) -> (f64, f64) {
        (
            self.sn.surface(&self.cn) / self.p.neg.c_max,
            self.sp.surface(&self.cp) / self.p.pos.c_max,
        )
    }
}

fn eta(j: f64, j0: f64, t: f64) -> f64 {
    2.0 * R_GAS * t / F * asinh(j / (2.0 * j0))
}

/// asinh(x) as ln(1 + |x| + x²/(1 + √(1 + x²))) with x's sign: as accurate as the standard
/// library's, which goes through `hypot` and costs twice as much (the inverse Butler–Volmer
/// overpotential takes one per electrode cell and voltage).
#[inline]
pub(crate) fn asinh(x: f64) -> f64 {
    let ax = x.abs();
    if ax > 1e150 {
        // x² would overflow; asinh(x) = ln 2|x| to within 1/(4x²).
        return (ax.ln() + std::f64::consts::LN_2).copysign(x);
    }
    let x2 = ax * ax;
    (ax + x2 / (1.0 + (1.0 + x2).sqrt())).ln_1p().copysign(x)
}

impl Cell for Spm {
    fn advanced(&self, h: f64, i: f64) -> Self {
        let (jn, jp) = self.interfacial(i);
        let p = &self.p;
        let t = p.temperature;
        let bdf = Bdf::after(
            h,
            self.prev.as_ref().map(|q| q.h),
            self.prev2.as_ref().map(|q| q.h),
        );
        // Particle `k`'s profile in history `q`; the present one `c` stands in for a missing
        // one (the formula gives it weight 0).
        fn past<'a>(k: usize, q: &'a Option<Past>, c: &'a [f64]) -> &'a [f64] {
            q.as_ref().map_or(c, |q| if k == 0 { &q.cn } else { &q.cp })
        }
        // One particle: the diffusivity on the edges, a0 c − h f(c) = Σ b_k c_{n−k} solved on
        // the stack, and the new profile in one allocation (shared later as history).
        let particle = |k: usize, s: &Sphere, c: &[f64], e: &Electrode, flux: f64| {
            let n = s.n;
            let (cm, cmm) = (past(k, &self.prev, c), past(k, &self.prev2, c));
            with_scratch(3 * n + 1, |buf| {
                let (d, rest) = buf.split_at_mut(n + 1);
                let (rhs, out) = rest.split_at_mut(n);
                let at = |q: usize| bdf.extrapolate(c[q], cm[q]);
                s.edge_diffusivity(at, e.c_max, &e.diffusivity, t, d);
                for q in 0..n {
                    rhs[q] = bdf.rhs(c[q], cm[q], cmm[q]);
                }
                s.implicit_solve(bdf.a0, h, d, flux, rhs, out);
                Arc::<[f64]>::from(&*out)
            })
        };
        Spm {
            p: self.p.clone(),
            sn: self.sn.clone(),
            sp: self.sp.clone(),
            cn: particle(0, &self.sn, &self.cn, &p.neg, jn / F),
            cp: particle(1, &self.sp, &self.cp, &p.pos, jp / F),
            prev: Some(Past {
                cn: self.cn.clone(),
                cp: self.cp.clone(),
                h,
            }),
            prev2: self.prev.clone(),
        }
    }

    fn voltage(&self, i: f64) -> f64 {
        let p = &self.p;
        let t = p.temperature;
        let (jn, jp) = self.interfacial(i);
        let csn = self.sn.surface(&self.cn);
        let csp = self.sp.surface(&self.cp);
        let j0n = p.neg.j0.eval(p.c_e0, csn, p.neg.c_max, t);
        let j0p = p.pos.j0.eval(p.c_e0, csp, p.pos.c_max, t);
        p.pos.u(csp / p.pos.c_max) - p.neg.u(csn / p.neg.c_max) + eta(jp, j0p, t) - eta(jn, j0n, t)
    }

    fn restart_history(&mut self) {
        self.prev = None;
        self.prev2 = None;
    }

    fn step_order(&self) -> usize {
        (1 + self.prev.is_some() as usize + self.prev2.is_some() as usize)
            .min(super::bdf::MAX_ORDER)
    }

    fn nominal_capacity_ah(&self) -> f64 {
        self.p.nominal_capacity_ah
    }

    fn limits(&self) -> (f64, f64) {
        (self.p.v_min, self.p.v_max)
    }

    fn fields(&self) -> Fields {
        let mut f = Fields::default();
        self.particle_fields(&mut f);
        f
    }
}

#[cfg(test)]
mod tests {
    /// The fast asinh agrees with the standard library's to a few ulp over the whole range,
    /// odd, and exact at 0.
    #[test]
    fn asinh_matches_std() {
        assert_eq!(super::asinh(0.0), 0.0);
        let mut x = 1e-300;
        while x < 1e300 {
            for v in [x, -x, 1.37 * x] {
                let (a, b) = (super::asinh(v), v.asinh());
                assert!(
                    (a - b).abs() <= 4.0 * f64::EPSILON * b.abs(),
                    "{v}: {a} vs {b}"
                );
            }
            x *= 3.7;
        }
    }
}
