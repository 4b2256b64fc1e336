//! Small-signal impedance of the SPMe (physics/src/battery/spme.rs) about a rest state: the
//! SPM's particles and kinetics ([`super::impedance`]) plus the electrolyte.
//!
//! At rest c_e = c_e0 everywhere, so the linearised electrolyte is `diag(ε) ẋ = A_e x + b_e I`
//! with A_e the FV diffusion operator of `electrolyte.rs` at D_e(c_e0) (the ∂D/∂c term
//! vanishes on a flat profile) and b_e the migration divergence and reaction source per amp.
//! The voltage adds the concentration overpotential, linearised
//! δη_c = χ RT/(F c_e0) (⟨δc_e⟩_p − ⟨δc_e⟩_n), χ = 2(1 − t₊) (the whole-cell mean in
//! ln(c_e/c̄_e) cancels between the two averages), and the ohmic drops of electrolyte (κ at
//! c_e0) and solid, which are linear in I with no dynamics. The kinetics keep the SPM's form:
//! i0 follows c_e, but at j = 0 that does not change η. Same sign convention: Z = −δV/δI.

use super::electrolyte::Electrolyte;
use super::impedance::{Linearised, SpmImpedance};
use super::params::{stoichiometries_at_soc, ParameterSet, F, R_GAS};
use super::spme::Points;
use crate::calibration::eis::C64;

/// The SPMe linearised about rest; [`Linearised::z`] evaluates Z(ω).
#[derive(Clone, Debug)]
pub struct SpmeImpedance {
    pub particles: SpmImpedance,
    el: Electrolyte,
    /// Edge conductances D_edge/Δx on the internal edges 1..n (0 and n unused: no flux).
    g: Vec<f64>,
    /// b_e: ∂(ε dc_e/dt)/∂I per cell [mol/(m³ s A)].
    b: Vec<f64>,
    /// χ RT/(F c_e0) [V m³/mol].
    conc: f64,
    /// Electrolyte and solid ohmic resistance [Ω].
    pub r_ohm: f64,
}

impl SpmeImpedance {
    /// Linearise at `soc` with the mesh `pts` (r_n = r_p).
    pub fn at_soc(p: &ParameterSet, soc: f64, pts: Points) -> Result<SpmeImpedance, String> {
        if !(0.0..=1.0).contains(&soc) {
            return Err(format!("soc {soc} is outside [0, 1]"));
        }
        let (x, y) = stoichiometries_at_soc(p, soc);
        SpmeImpedance::at_stoichiometries(p, x, y, pts)
    }

    /// Linearise at stoichiometries `x` (negative) and `y` (positive).
    pub fn at_stoichiometries(
        p: &ParameterSet,
        x: f64,
        y: f64,
        pts: Points,
    ) -> Result<SpmeImpedance, String> {
        if pts.r_n != pts.r_p {
            return Err("r_n and r_p must be equal (one particle mesh)".into());
        }
        if pts.x_n < 2 || pts.x_s < 1 || pts.x_p < 2 {
            return Err("the electrolyte needs x_n, x_p ≥ 2 and x_s ≥ 1 cells".into());
        }
        let particles = SpmImpedance::at_stoichiometries(p, x, y, pts.r_n)?;
        let el = Electrolyte::new(p, pts.x_n, pts.x_s, pts.x_p);
        let n = el.len();
        let t = p.temperature;
        // The same edge values as `Electrolyte::implicit_solve`, at c_e0 and for I = 1 A.
        let dn: Vec<f64> = (0..n).map(|k| el.tor[k] * p.d_e.eval(p.c_e0, t)).collect();
        let ic = 1.0 / p.area;
        let ie = el.i_e(p, ic);
        let mut g = vec![0.0; n + 1];
        let mut mig = vec![0.0; n + 1];
        for e in 1..n {
            let beta = el.w[e - 1] / (el.w[e] + el.w[e - 1]);
            let (d1, d2) = (dn[e - 1], dn[e]);
            g[e] = d1 * d2 / (d2 * beta + d1 * (1.0 - beta)) / (el.x[e] - el.x[e - 1]);
            mig[e] = p.t_plus * 0.5 * (ie[e - 1] + ie[e]) / F;
        }
        mig[0] = p.t_plus * (1.5 * ie[0] - 0.5 * ie[1]) / F;
        mig[n] = p.t_plus * (1.5 * ie[n - 1] - 0.5 * ie[n - 2]) / F;
        let b = (0..n)
            .map(|k| {
                let src = if k < el.nn {
                    ic / p.neg.thickness
                } else if k < el.nn + el.ns {
                    0.0
                } else {
                    -ic / p.pos.thickness
                };
                -(mig[k + 1] - mig[k]) / el.w[k] + src / F
            })
            .collect();
        let kappa = p.kappa_e.eval(p.c_e0, t);
        let (epn, eps, epp) = (el.tor[0], el.tor[el.nn], el.tor[n - 1]);
        let r_e = (p.neg.thickness / (3.0 * kappa * epn)
            + p.sep_thickness / (kappa * eps)
            + p.pos.thickness / (3.0 * kappa * epp))
            / p.area;
        let r_s = (p.neg.thickness / (3.0 * p.neg.sigma_eff())
            + p.pos.thickness / (3.0 * p.pos.sigma_eff()))
            / p.area;
        let conc = 2.0 * (1.0 - p.t_plus) * R_GAS * t / (F * p.c_e0);
        Ok(SpmeImpedance {
            particles,
            el,
            g,
            b,
            conc,
            r_ohm: r_e + r_s,
        })
    }
}

impl Linearised for SpmeImpedance {
    /// −(C (sM − A)⁻¹ B + D) at complex `s` (see [`Linearised::transfer_at`]).
    fn transfer_at(&self, s: C64) -> C64 {
        let el = &self.el;
        let n = el.len();
        // (s ε_k − A_e) x = b_e, row k divided through by nothing: A_e's rows carry 1/w_k.
        let mut upper = vec![C64::default(); n];
        let mut x = vec![C64::default(); n];
        for k in 0..n {
            let hw = 1.0 / el.w[k];
            let mut diag = s.scale(el.eps[k]) + C64::real(hw * (self.g[k] + self.g[k + 1]));
            let lower = -hw * self.g[k];
            let up = if k + 1 < n { -hw * self.g[k + 1] } else { 0.0 };
            let mut rhs = C64::real(self.b[k]);
            if k > 0 {
                diag = diag - upper[k - 1].scale(lower);
                rhs = rhs - x[k - 1].scale(lower);
            }
            upper[k] = C64::real(up) / diag;
            x[k] = rhs / diag;
        }
        for k in (0..n - 1).rev() {
            x[k] = x[k] - upper[k] * x[k + 1];
        }
        let avg = |r: std::ops::Range<usize>| {
            let (mut s, mut l) = (C64::default(), 0.0);
            for k in r {
                s += x[k].scale(el.w[k]);
                l += el.w[k];
            }
            s.scale(1.0 / l)
        };
        let dv_conc = (avg(el.pos()) - avg(el.neg())).scale(self.conc);
        self.particles.transfer_at(s) - dv_conc + C64::real(self.r_ohm)
    }

    /// Z(ω → ∞): charge-transfer plus ohmic resistances (no double layer in the model).
    fn high_frequency_limit(&self) -> f64 {
        self.particles.high_frequency_limit() + self.r_ohm
    }
}
