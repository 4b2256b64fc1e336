//! Small-signal impedance of the single particle model by linearisation about a rest state.
//!
//! At rest (zero current, uniform particle concentrations c̄ at the stoichiometries of a given
//! SOC) the discretised SPM of [`super::spm`] is written as `M ẋ = f(x, I)`, `V = g(x, I)` with
//! x the finite-volume concentrations of both particles (`n_r` each) and I the cell current
//! (positive on discharge). Linearised: `M = 1`, `A = ∂f/∂x` the FV spherical-diffusion operator
//! with D(c̄) on every edge (the D(c) term drops out: the rest profile has no gradient),
//! `B = ∂f/∂I` the surface flux entering the last cell, `C = ∂g/∂x` the OCP slopes dU/dc times
//! the surface extrapolation weights (1.5, −0.5), `D = ∂g/∂I` the linearised Butler–Volmer
//! overpotentials (dη/dj = RT/(F i0) at j = 0; i0's dependence on c_s drops out at j = 0).
//!
//! Sign convention: δV/δI with I positive on discharge is negative, so the returned impedance
//! is the one a potentiostat reports, `Z(ω) = −δV/δI = −(C (jωM − A)⁻¹ B + D)`: positive real
//! part, negative imaginary part for the diffusive/capacitive response (as `z_imag_ohm` in
//! docs/instruments.md). The particles do not couple, so each electrode's block is one complex
//! tridiagonal solve per frequency.

use super::impedance_dfn::DfnImpedance;
use super::impedance_spme::SpmeImpedance;
use super::params::{stoichiometries_at_soc, Electrode, ParameterSet, F, R_GAS};
use super::sphere::Sphere;
use super::spme::Points;
use crate::calibration::eis::C64;

/// A cell model linearised about a rest state (SPM, SPMe or DFN): its transfer function and
/// the impedance Z(ω) = transfer_at(jω) in the potentiostat convention (Re Z > 0).
pub trait Linearised {
    /// −δV/δI for δI ∝ e^{st} at any complex `s` off the system's spectrum (s = jω: the
    /// impedance; s = 1/h real: minus the voltage change per amp after one backward-Euler step
    /// of length h from rest, which ties the linearisation to the time-stepped model).
    fn transfer_at(&self, s: C64) -> C64;

    /// Z(ω → ∞) [Ω]: what is left when the concentrations cannot follow (no double layer in
    /// the models).
    fn high_frequency_limit(&self) -> f64;

    /// Z(ω) [Ω] at frequency `f_hz` [Hz].
    fn z(&self, f_hz: f64) -> C64 {
        self.transfer_at(C64::new(0.0, 2.0 * std::f64::consts::PI * f_hz))
    }

    /// Z at every frequency of `f_hz`.
    fn spectrum(&self, f_hz: &[f64]) -> Vec<C64> {
        f_hz.iter().map(|&f| self.z(f)).collect()
    }
}

/// The `model` (`spm`, `spme` or `dfn`) with parameters `p` linearised at rest at the
/// stoichiometries (x, y), on the mesh `pts` (the SPM uses `pts.r_n` cells per particle).
pub fn linearise(
    model: &str,
    p: &ParameterSet,
    x: f64,
    y: f64,
    pts: Points,
) -> Result<Box<dyn Linearised>, String> {
    Ok(match model {
        "spm" => Box::new(SpmImpedance::at_stoichiometries(p, x, y, pts.r_n)?),
        "spme" => Box::new(SpmeImpedance::at_stoichiometries(p, x, y, pts)?),
        "dfn" => Box::new(DfnImpedance::at_stoichiometries(p, x, y, pts)?),
        m => return Err(format!("model \"{m}\" has no linearised impedance")),
    })
}

#[derive(Clone, Debug)]
/// One electrode's linearised particle: `dc/dt = A c + b I`, `δV_k = s (cᵀ c + d I)`.
struct Block {
    sphere: Sphere,
    /// Diffusivity at the rest concentration [m²/s].
    d: f64,
    /// ∂(dc_last/dt)/∂I [mol/(m³ s A)].
    b_last: f64,
    /// ∂V/∂c_surf [V m³/mol] (sign of the electrode in V = U_p − U_n + η_p − η_n included).
    c_surf: f64,
    /// ∂V/∂I through the kinetics [Ω].
    d_kin: f64,
}

#[derive(Clone, Debug)]
/// The SPM linearised about rest at one SOC; [`Linearised::z`] evaluates Z(ω).
pub struct SpmImpedance {
    blocks: [Block; 2],
    /// Stoichiometries (x, y) of the rest state.
    pub stoichiometries: (f64, f64),
}

/// dU/dc [V m³/mol] by a central difference of the OCP in stoichiometry (the OCPs are given
/// as functions or tables, not with their derivatives).
pub fn ocp_slope(e: &Electrode, sto: f64) -> f64 {
    let h = 1e-6_f64.min(0.5 * sto).min(0.5 * (1.0 - sto));
    (e.u(sto + h) - e.u(sto - h)) / (2.0 * h) / e.c_max
}

/// The kinetic (charge-transfer) resistance of electrode `e` per unit interfacial area,
/// RT/(F i0) [Ω m²], at stoichiometry `sto` and the initial electrolyte concentration.
pub fn charge_transfer_area_resistance(p: &ParameterSet, e: &Electrode, sto: f64) -> f64 {
    let t = p.temperature;
    let i0 = e.j0.eval(p.c_e0, sto * e.c_max, e.c_max, t);
    R_GAS * t / (F * i0)
}

impl SpmImpedance {
    /// Linearise at `soc` (PyBaMM's electrode-SOH stoichiometries) with `n_r` cells per particle.
    pub fn at_soc(p: &ParameterSet, soc: f64, n_r: usize) -> Result<SpmImpedance, String> {
        if !(0.0..=1.0).contains(&soc) {
            return Err(format!("soc {soc} is outside [0, 1]"));
        }
        let (x, y) = stoichiometries_at_soc(p, soc);
        SpmImpedance::at_stoichiometries(p, x, y, n_r)
    }

    /// Linearise at stoichiometries `x` (negative) and `y` (positive).
    pub fn at_stoichiometries(
        p: &ParameterSet,
        x: f64,
        y: f64,
        n_r: usize,
    ) -> Result<SpmImpedance, String> {
        if n_r < 2 {
            return Err(format!("n_r = {n_r}: the particle needs at least 2 cells"));
        }
        for (what, s) in [("negative", x), ("positive", y)] {
            if !(s > 0.0 && s < 1.0) {
                return Err(format!("{what} stoichiometry {s} is outside (0, 1)"));
            }
        }
        let t = p.temperature;
        // The same current-to-flux map as `Spm::interfacial`: j_n = I/(A a_n L_n),
        // j_p = −I/(A a_p L_p) [A/m²].
        let block = |e: &Electrode, sto: f64, sign: f64| {
            let sphere = Sphere::new(e.particle_radius, n_r);
            let dj_di = sign / (p.area * e.a() * e.thickness);
            // Outward molar flux j/F leaves the last cell through r = R (implicit_solve's last
            // row): dc_last/dt ∋ −r²(R) (j/F) / vol_last.
            let vol_last = sphere.volumes()[n_r - 1];
            let b_last = -(e.particle_radius.powi(2)) / vol_last * dj_di / F;
            // V = U_p − U_n + η_p − η_n: the negative electrode enters with −1. `sign` is +1
            // for the negative (j_n ∝ +I) and −1 for the positive, so the electrode's sign in
            // V is −sign.
            let s = -sign;
            Block {
                d: e.diffusivity.eval(sto, t),
                b_last,
                c_surf: s * ocp_slope(e, sto),
                d_kin: s * charge_transfer_area_resistance(p, e, sto) * dj_di,
                sphere,
            }
        };
        Ok(SpmImpedance {
            blocks: [block(&p.neg, x, 1.0), block(&p.pos, y, -1.0)],
            stoichiometries: (x, y),
        })
    }
}

impl Linearised for SpmImpedance {
    /// −(C (sM − A)⁻¹ B + D) at any complex `s` off A's spectrum (s = jω: the impedance;
    /// s = 1/h real: minus the voltage change per amp after one backward-Euler step of length
    /// h from rest, which ties this linearisation to the time-stepped [`super::spm::Spm`]).
    fn transfer_at(&self, jw: C64) -> C64 {
        let mut dv_di = C64::default();
        for b in &self.blocks {
            let x = b.sphere.transfer(b.d, jw, b.b_last);
            let n = x.len();
            let surf = x[n - 1].scale(1.5) - x[n - 2].scale(0.5);
            dv_di += surf.scale(b.c_surf) + C64::real(b.d_kin);
        }
        -dv_di
    }

    /// Z(ω → ∞): the charge-transfer resistances alone (the SPM has no ohmic or electrolyte
    /// resistance and no double layer).
    fn high_frequency_limit(&self) -> f64 {
        -self.blocks.iter().map(|b| b.d_kin).sum::<f64>()
    }
}

impl Sphere {
    /// Solve `(jω − A) x = e_last b_last` for the FV diffusion operator A with uniform
    /// diffusivity `d`: the particle's response to a unit current at angular frequency ω
    /// (complex Thomas algorithm; the matrix is diagonally dominant for ω > 0).
    pub fn transfer(&self, d: f64, jw: C64, b_last: f64) -> Vec<C64> {
        let n = self.n;
        let vol = self.volumes();
        let g = |edge: usize| d * (edge as f64 * self.dr).powi(2) / self.dr;
        let mut upper = vec![C64::default(); n];
        let mut x = vec![C64::default(); n];
        let mut prev_upper = C64::default();
        let mut prev_x = C64::default();
        for i in 0..n {
            let w = 1.0 / vol[i];
            let (mut diag, mut lower, mut up) = (jw, 0.0, 0.0);
            if i > 0 {
                diag.re += w * g(i);
                lower = -w * g(i);
            }
            if i + 1 < n {
                diag.re += w * g(i + 1);
                up = -w * g(i + 1);
            }
            let mut rhs = C64::real(if i + 1 == n { b_last } else { 0.0 });
            if i > 0 {
                diag = diag - prev_upper.scale(lower);
                rhs = rhs - prev_x.scale(lower);
            }
            upper[i] = C64::real(up) / diag;
            x[i] = rhs / diag;
            prev_upper = upper[i];
            prev_x = x[i];
        }
        for i in (0..n - 1).rev() {
            x[i] = x[i] - upper[i] * x[i + 1];
        }
        x
    }
}
