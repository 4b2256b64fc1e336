//! Magnetic materials of the magnetostatic FEM: linear (μr), nonlinear (B–H table) and
//! permanent magnets (remanence Br with linear recoil permeability μr).

use super::{BhCurve, MU0};

/// Constitutive law H(B) of one region.
#[derive(Clone, Debug)]
pub enum MagneticMaterial {
    /// B = μ0 μr H.
    Linear { mu_r: f64 },
    /// A tabulated B–H curve.
    Nonlinear(BhCurve),
    /// B = μ0 μr H + Br: `br` in the 2D plane (x, y) or (r, z), in T.
    Magnet { mu_r: f64, br: [f64; 2] },
}

impl MagneticMaterial {
    /// ν(b²) (m/H) and dν/d(b²).
    pub fn nu(&self, b2: f64) -> (f64, f64) {
        match self {
            Self::Linear { mu_r } | Self::Magnet { mu_r, .. } => (1.0 / (MU0 * mu_r), 0.0),
            Self::Nonlinear(c) => c.nu(b2),
        }
    }

    /// Remanent flux density (T), zero except for magnets.
    pub fn br(&self) -> [f64; 2] {
        match self {
            Self::Magnet { br, .. } => *br,
            _ => [0.0; 2],
        }
    }

    /// Whether ν depends on B.
    pub fn is_nonlinear(&self) -> bool {
        matches!(self, Self::Nonlinear(_))
    }

    /// H (A/m) at B (T).
    pub fn h(&self, b: [f64; 2]) -> [f64; 2] {
        let br = self.br();
        let (nu, _) = self.nu(b[0] * b[0] + b[1] * b[1]);
        [nu * (b[0] - br[0]), nu * (b[1] - br[1])]
    }

    /// Stored energy density w = ∫ H·dB (J/m³) from the demagnetised state (B = Br for a
    /// magnet, whose energy is counted relative to its remanent state).
    pub fn energy_density(&self, b: [f64; 2]) -> f64 {
        match self {
            Self::Nonlinear(c) => c.energy_density((b[0] * b[0] + b[1] * b[1]).sqrt()),
            _ => {
                let br = self.br();
                let (d0, d1) = (b[0] - br[0], b[1] - br[1]);
                0.5 * self.nu(0.0).0 * (d0 * d0 + d1 * d1)
            }
        }
    }

    /// Co-energy density w' = B·H − w (J/m³); equals w for a linear material without magnets.
    pub fn coenergy_density(&self, b: [f64; 2]) -> f64 {
        let h = self.h(b);
        b[0] * h[0] + b[1] * h[1] - self.energy_density(b)
    }
}
