//! The pointwise interface between a physics and the engine's assembler.
//!
//! Modelled on PETSc's PetscDS pointwise functions: at each quadrature point the physics returns
//! the coefficients that multiply the test function (`f0`) and its gradient (`f1`), and the
//! Jacobian blocks `g0..g3`. Time derivatives are written in conservative form: the physics
//! names a *mass density* `m(u)` (for heat, the volumetric enthalpy ρH(T)) and the engine's time
//! integrator forms `∂m/∂t` from `m` evaluated at the old time levels, so the discrete scheme
//! conserves the physics' conserved quantity exactly.
//!
//! Weak residual for test function φ_i and component c:
//!   R_ic = ∫ (ṁ_c + f0_c) φ_i + f1_c · ∇φ_i dx + ∮ b0_c φ_i ds
//! where ṁ is supplied by the engine.

/// State at one quadrature point.
#[derive(Clone, Copy, Debug)]
pub struct Point<'a> {
    /// Physical coordinates (m).
    pub x: [f64; 3],
    /// Time (s).
    pub t: f64,
    /// Field values, one per component.
    pub u: &'a [f64],
    /// Field gradients, one per component.
    pub grad_u: &'a [[f64; 3]],
    /// Region id of the cell (for materials).
    pub region: u32,
}

/// Residual coefficients at a point, for `ncomp` components.
#[derive(Clone, Debug, Default)]
pub struct Residual {
    /// Multiplies φ_i; length ncomp.
    pub f0: Vec<f64>,
    /// Multiplies ∇φ_i; length ncomp.
    pub f1: Vec<[f64; 3]>,
}

impl Residual {
    pub fn zeros(ncomp: usize) -> Self {
        Self {
            f0: vec![0.0; ncomp],
            f1: vec![[0.0; 3]; ncomp],
        }
    }
    pub fn clear(&mut self) {
        self.f0.iter_mut().for_each(|v| *v = 0.0);
        self.f1.iter_mut().for_each(|v| *v = [0.0; 3]);
    }
}

/// Jacobian blocks at a point, for test component c and trial component d
/// (flat index `c * ncomp + d`):
/// - `g0`: φ_i φ_j, - `g1`: φ_i (g1 · ∇φ_j), - `g2`: (g2 · ∇φ_i) φ_j, - `g3`: ∇φ_i · g3 ∇φ_j.
#[derive(Clone, Debug, Default)]
pub struct Jacobian {
    pub g0: Vec<f64>,
    pub g1: Vec<[f64; 3]>,
    pub g2: Vec<[f64; 3]>,
    pub g3: Vec<[[f64; 3]; 3]>,
}

impl Jacobian {
    pub fn zeros(ncomp: usize) -> Self {
        let n = ncomp * ncomp;
        Self {
            g0: vec![0.0; n],
            g1: vec![[0.0; 3]; n],
            g2: vec![[0.0; 3]; n],
            g3: vec![[[0.0; 3]; 3]; n],
        }
    }
    pub fn clear(&mut self) {
        self.g0.iter_mut().for_each(|v| *v = 0.0);
        self.g1.iter_mut().for_each(|v| *v = [0.0; 3]);
        self.g2.iter_mut().for_each(|v| *v = [0.0; 3]);
        self.g3.iter_mut().for_each(|v| *v = [[0.0; 3]; 3]);
    }
}

/// A volume physics evaluated pointwise.
pub trait VolumeKernel: Send + Sync {
    /// Number of field components.
    fn ncomp(&self) -> usize;
    /// Field names, one per component (used for output and residual monitors).
    fn field_names(&self) -> Vec<String>;
    /// Conserved mass density m(u) (e.g. ρH(T) in J/m³) and its derivative dm/du
    /// (flat ncomp×ncomp). Steady problems never call it.
    fn mass(&self, p: &Point, m: &mut [f64], dm_du: &mut [f64]);
    /// Residual coefficients without the time-derivative term.
    fn residual(&self, p: &Point, r: &mut Residual);
    /// Jacobian of [`VolumeKernel::residual`] with respect to u.
    fn jacobian(&self, p: &Point, j: &mut Jacobian);
}

/// A boundary condition evaluated pointwise on boundary facets.
pub trait BoundaryKernel: Send + Sync {
    /// Essential (Dirichlet) value of component `c` at x, t, or `None` for a natural condition.
    fn dirichlet(&self, _x: [f64; 3], _t: f64, _c: usize) -> Option<f64> {
        None
    }
    /// Which components the condition constrains essentially.
    fn is_dirichlet(&self, _c: usize) -> bool {
        false
    }
    /// Natural term b0 multiplying φ_i (outward flux, e.g. W/m² leaving the body), and its
    /// derivative with respect to u (flat ncomp×ncomp) into `db0`.
    fn flux(&self, _p: &Point, _normal: [f64; 3], _b0: &mut [f64], _db0: &mut [f64]) {}
}
