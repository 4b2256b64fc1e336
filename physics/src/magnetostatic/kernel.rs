//! The magnetostatic volume kernel and its pointwise postprocessing (B, H, energy, stress).
//!
//! With g = ∇u and c = 1 (planar) or 1/r (axisymmetric): |B|² = c²|g|² and
//! f1 = c ν(|B|²) g − ν Bᵣ⊥, f0 = −J, g3 = c (ν I + 2 c² ν'(|B|²) g⊗g), where Bᵣ⊥ is the
//! remanence turned by a quarter turn (planar (−Br_y, Br_x), axisymmetric (Br_z, −Br_r)) so
//! that the magnet term is ∫ H·δB for H = ν(B − Br).

use super::MagneticMaterial;
use crate::kernel::{BalanceColumns, Jacobian, Point, Residual, VolumeKernel};
use std::sync::Arc;

/// Planar (A_z) or axisymmetric (ψ = r A_φ, coordinates (r, z) = (x, y)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Geometry {
    Planar,
    Axisymmetric,
}

impl Geometry {
    /// Measure factor from the mesh's dx dy to physical volume: 1 (per metre of depth) or 2πr.
    pub fn measure(self, x: [f64; 3]) -> f64 {
        match self {
            Geometry::Planar => 1.0,
            Geometry::Axisymmetric => 2.0 * std::f64::consts::PI * x[0],
        }
    }
}

/// The magnetostatic kernel: one component, the potential.
#[derive(Clone, Debug)]
pub struct Magnetostatic {
    pub geometry: Geometry,
    /// (region, material), sorted by region.
    materials: Vec<(u32, Arc<MagneticMaterial>)>,
    /// (region, current density J in A/m²), sorted by region, summed over sources.
    currents: Vec<(u32, f64)>,
}

impl Magnetostatic {
    /// Materials and current densities per region. Every region of the mesh needs a material
    /// (see [`Magnetostatic::check_regions`]).
    pub fn new(
        geometry: Geometry,
        materials: Vec<(u32, Arc<MagneticMaterial>)>,
        currents: Vec<(u32, f64)>,
    ) -> Result<Self, String> {
        let mut m = materials;
        m.sort_by_key(|e| e.0);
        if let Some(w) = m.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(format!("region {} is given more than one material", w[0].0));
        }
        let mut j: Vec<(u32, f64)> = Vec::new();
        for (r, v) in currents {
            match j.binary_search_by_key(&r, |e| e.0) {
                Ok(i) => j[i].1 += v,
                Err(i) => j.insert(i, (r, v)),
            }
        }
        Ok(Self {
            geometry,
            materials: m,
            currents: j,
        })
    }

    /// Every region in `used` has a material.
    pub fn check_regions(&self, used: &[u32]) -> Result<(), String> {
        let missing: Vec<u32> = used
            .iter()
            .copied()
            .filter(|r| self.material(*r).is_none())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "magnetostatic: no material for region(s) {missing:?}"
            ))
        }
    }

    /// The material of a region.
    pub fn material(&self, region: u32) -> Option<&Arc<MagneticMaterial>> {
        self.materials
            .binary_search_by_key(&region, |e| e.0)
            .ok()
            .map(|i| &self.materials[i].1)
    }

    fn mat(&self, region: u32) -> &MagneticMaterial {
        self.material(region).unwrap_or_else(|| {
            panic!("magnetostatic: no material for region {region} (the engine calls check_regions first)")
        })
    }

    /// Current density (A/m²) in a region.
    pub fn current_density(&self, region: u32) -> f64 {
        self.currents
            .binary_search_by_key(&region, |e| e.0)
            .map_or(0.0, |i| self.currents[i].1)
    }

    /// Whether any material is nonlinear.
    pub fn is_nonlinear(&self) -> bool {
        self.materials.iter().any(|(_, m)| m.is_nonlinear())
    }

    /// c = 1 (planar) or 1/r (axisymmetric).
    #[inline]
    fn scale(&self, x: [f64; 3]) -> f64 {
        match self.geometry {
            Geometry::Planar => 1.0,
            Geometry::Axisymmetric => 1.0 / x[0],
        }
    }

    /// B (T) in the plane, (Bx, By) or (Br, Bz), from the potential's gradient at x.
    pub fn b_field(&self, x: [f64; 3], g: [f64; 3]) -> [f64; 2] {
        match self.geometry {
            Geometry::Planar => [g[1], -g[0]],
            Geometry::Axisymmetric => [-g[1] / x[0], g[0] / x[0]],
        }
    }

    /// H (A/m) at a point of `region` with flux density b.
    pub fn h_field(&self, region: u32, b: [f64; 2]) -> [f64; 2] {
        self.mat(region).h(b)
    }

    /// (energy density, co-energy density) in J/m³ at flux density b.
    pub fn energy_densities(&self, region: u32, b: [f64; 2]) -> (f64, f64) {
        let m = self.mat(region);
        (m.energy_density(b), m.coenergy_density(b))
    }

    /// Remanence turned a quarter turn, so the magnet term is −ν·(this)·∇v.
    fn br_perp(&self, m: &MagneticMaterial) -> [f64; 2] {
        let br = m.br();
        match self.geometry {
            Geometry::Planar => [-br[1], br[0]],
            Geometry::Axisymmetric => [br[1], -br[0]],
        }
    }
}

impl VolumeKernel for Magnetostatic {
    fn ncomp(&self) -> usize {
        1
    }

    fn field_names(&self) -> Vec<String> {
        vec![match self.geometry {
            Geometry::Planar => "a_z".into(),
            Geometry::Axisymmetric => "psi".into(),
        }]
    }

    fn field_units(&self) -> Vec<&'static str> {
        vec![match self.geometry {
            Geometry::Planar => "Wb_m",
            Geometry::Axisymmetric => "Wb_rad",
        }]
    }

    fn mass(&self, _p: &Point, m: &mut [f64], dm_du: &mut [f64]) {
        // Magnetostatics has no time derivative (eddy currents are not modelled).
        m[0] = 0.0;
        dm_du[0] = 0.0;
    }

    fn residual(&self, p: &Point, r: &mut Residual) {
        let m = self.mat(p.region);
        let c = self.scale(p.x);
        let g = p.grad_u[0];
        let b2 = c * c * (g[0] * g[0] + g[1] * g[1]);
        let (nu, _) = m.nu(b2);
        let bp = self.br_perp(m);
        r.f0[0] = -self.current_density(p.region);
        r.f1[0] = [c * nu * g[0] - nu * bp[0], c * nu * g[1] - nu * bp[1], 0.0];
    }

    fn jacobian(&self, p: &Point, j: &mut Jacobian) {
        let m = self.mat(p.region);
        let c = self.scale(p.x);
        let g = p.grad_u[0];
        let b2 = c * c * (g[0] * g[0] + g[1] * g[1]);
        let (nu, dnu) = m.nu(b2);
        let k = 2.0 * c * c * dnu;
        j.g0[0] = 0.0;
        j.g1[0] = [0.0; 3];
        j.g2[0] = [0.0; 3];
        j.g3[0] = [
            [c * (nu + k * g[0] * g[0]), c * k * g[0] * g[1], 0.0],
            [c * k * g[1] * g[0], c * (nu + k * g[1] * g[1]), 0.0],
            [0.0, 0.0, c * nu],
        ];
    }

    fn algebraic(&self) -> Vec<bool> {
        vec![true]
    }

    /// B (T), |B| (T) and H (A/m); vectors are (x, y, 0) or (r, z, 0).
    fn cell_fields(&self) -> Vec<(String, usize)> {
        vec![("B".into(), 3), ("B_magnitude".into(), 1), ("H".into(), 3)]
    }

    fn cell_values(&self, p: &Point, out: &mut [f64]) {
        let b = self.b_field(p.x, p.grad_u[0]);
        let h = self.h_field(p.region, b);
        out[..7].copy_from_slice(&[b[0], b[1], 0.0, b[0].hypot(b[1]), h[0], h[1], 0.0]);
    }

    /// The steady "balance" is Ampère's law: the current in the sources equals the
    /// circulation ∮ H·dl through the fixed-potential boundaries (their reactions).
    fn balance_columns(&self) -> BalanceColumns {
        BalanceColumns {
            total: "time_term_none",
            source: "source_current_A",
            flow_unit: "A",
            steady_error: "ampere_balance_error_A",
            transient_error: "ampere_balance_error_A",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::magnetostatic::BhCurve;

    fn kernel(geometry: Geometry) -> Magnetostatic {
        let curve =
            BhCurve::new(&[(200.0, 0.8), (800.0, 1.4), (8000.0, 1.8), (80000.0, 2.05)]).unwrap();
        Magnetostatic::new(
            geometry,
            vec![
                (0, Arc::new(MagneticMaterial::Nonlinear(curve))),
                (
                    1,
                    Arc::new(MagneticMaterial::Magnet {
                        mu_r: 1.05,
                        br: [0.3, 1.1],
                    }),
                ),
            ],
            vec![(0, 2.0e6), (0, 1.0e6)],
        )
        .unwrap()
    }

    /// g3 (the exact Newton Jacobian, with the 2ν' g⊗g term) against central differences of f1.
    #[test]
    fn jacobian_matches_finite_differences() {
        for geometry in [Geometry::Planar, Geometry::Axisymmetric] {
            let k = kernel(geometry);
            for region in [0, 1] {
                // |B| of about 0.5, 1.6 and 2.5 T: the knee, saturation and beyond the table.
                for scale in [0.02, 0.065, 0.1] {
                    let x = [0.04, 0.01, 0.0];
                    let g0 = [scale * 0.6, -scale * 0.8, 0.0];
                    let f1 = |g: [f64; 3]| {
                        let mut r = Residual::zeros(1);
                        let p = Point {
                            x,
                            t: 0.0,
                            u: &[0.0],
                            grad_u: &[g],
                            region,
                        };
                        k.residual(&p, &mut r);
                        r.f1[0]
                    };
                    let mut j = Jacobian::zeros(1);
                    let p = Point {
                        x,
                        t: 0.0,
                        u: &[0.0],
                        grad_u: &[g0],
                        region,
                    };
                    k.jacobian(&p, &mut j);
                    for d in 0..2 {
                        let h = 1e-6 * scale;
                        let (mut gp, mut gm) = (g0, g0);
                        gp[d] += h;
                        gm[d] -= h;
                        let (fp, fm) = (f1(gp), f1(gm));
                        for i in 0..2 {
                            let fd = (fp[i] - fm[i]) / (2.0 * h);
                            let an = j.g3[0][i][d];
                            let tol = 1e-6 * j.g3[0][0][0].abs().max(j.g3[0][1][1].abs());
                            assert!(
                                (fd - an).abs() <= tol,
                                "{geometry:?} region {region} |g| {scale}: d f1_{i}/d g_{d}: fd {fd} vs {an}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn sources_add_up_and_b_follows_the_conventions() {
        let k = kernel(Geometry::Axisymmetric);
        assert_eq!(k.current_density(0), 3.0e6);
        assert_eq!(k.current_density(1), 0.0);
        // ψ = B0 r²/2 is a uniform axial field B0.
        let (r, b0) = (0.3, 1.7);
        let b = k.b_field([r, 0.0, 0.0], [b0 * r, 0.0, 0.0]);
        assert!((b[0]).abs() < 1e-15 && (b[1] - b0).abs() < 1e-15);
        // Planar: A = B0 x gives B = (0, −B0).
        let p = kernel(Geometry::Planar);
        assert_eq!(p.b_field([0.0; 3], [b0, 0.0, 0.0]), [0.0, -b0]);
    }
}
