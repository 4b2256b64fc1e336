//! Magnetostatics in 2D (`[physics] type = "magnetostatic"`): planar with the unknown A_z, or
//! axisymmetric in (r, z) = (x, y) with the flux function ψ = r·A_φ.
//!
//! Planar: B = (∂A/∂y, −∂A/∂x), weak form ∫ ν(|B|²) ∇A·∇v − ∫ J v = 0.
//! Axisymmetric: B_r = −(1/r)∂ψ/∂z, B_z = (1/r)∂ψ/∂r and −∇·((ν/r)∇ψ) = J_φ with the plain
//! dr dz measure (the engine's Cartesian quadrature; its points are interior, so 1/r is finite);
//! ψ = 0 on the axis. Physical integrals (energy, force) carry 2πr.
//!
//! Directions: J is along +z (planar, out of the x–y plane) or +φ (axisymmetric,
//! right-handed about +z). See docs/magnetics.md, "Magnetostatic FEM".

mod bc;
mod bh_curve;
pub mod deck;
mod kernel;
mod material;

pub use bc::FixedPotential;
pub use bh_curve::BhCurve;
pub use kernel::{Geometry, Magnetostatic};
pub use material::MagneticMaterial;

/// Vacuum permeability μ0 (H/m), CODATA 2018 (the engine's Biot–Savart default).
pub const MU0: f64 = crate::magnetics::MU0_CODATA2018;
