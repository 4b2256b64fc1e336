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
    /// Unit of each field, as used in monitor column names.
    fn field_units(&self) -> Vec<&'static str> {
        vec!["1"; self.ncomp()]
    }
    /// Names of the conserved quantity's monitor columns.
    fn balance_columns(&self) -> BalanceColumns {
        BalanceColumns::ENERGY
    }
    /// Components without a time derivative (a potential under electroneutrality or Poisson):
    /// the step-size controller leaves them out of its error estimate, as DAE integrators do,
    /// since they jump with the boundary data however small the step.
    fn algebraic(&self) -> Vec<bool> {
        vec![false; self.ncomp()]
    }
    /// Weight of each component's mass and boundary flow in the conservation balance (0 for
    /// components without a conserved quantity, such as a potential).
    fn balance_weights(&self) -> Vec<f64> {
        vec![1.0; self.ncomp()]
    }
    /// Derived fields written per cell next to the solution (name, components; 3 components
    /// make a vector for ParaView), e.g. the flux density B of a magnetostatic potential.
    fn cell_fields(&self) -> Vec<(String, usize)> {
        Vec::new()
    }
    /// Values of [`VolumeKernel::cell_fields`] at a point, concatenated; the engine averages
    /// them over each cell's quadrature points.
    fn cell_values(&self, _p: &Point, _out: &mut [f64]) {}
}

/// Monitor column names of a physics' conservation balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BalanceColumns {
    /// The conserved quantity, ∫ Σ w_c m_c dx.
    pub total: &'static str,
    /// Its volumetric source, −∫ Σ w_c f0_c dx.
    pub source: &'static str,
    /// Unit suffix of each bc's outflow column (`outflow_<bc>_<unit>`).
    pub flow_unit: &'static str,
    /// Sources minus outflows of a steady solve.
    pub steady_error: &'static str,
    /// Running balance error of a transient.
    pub transient_error: &'static str,
}

impl BalanceColumns {
    /// Heat: energy in J, flows in W.
    pub const ENERGY: Self = Self {
        total: "energy_J",
        source: "source_power_W",
        flow_unit: "W",
        steady_error: "power_balance_error_W",
        transient_error: "energy_balance_error_J",
    };
    /// Species: amount in mol, flows in mol/s.
    pub const AMOUNT: Self = Self {
        total: "amount_mol",
        source: "source_mol_s",
        flow_unit: "mol_s",
        steady_error: "amount_rate_balance_error_mol_s",
        transient_error: "amount_balance_error_mol",
    };
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
