//! Nonlinear transient heat conduction (`[physics] type = "heat_conduction"`).
//!
//! Strong form: ∂(ρH(T))/∂t − ∇·(k(T)∇T) = Q. Pointwise (see `kernel`):
//! m = ρH(T), dm/dT = ρcp(T); f0 = −Q, f1 = k(T)∇T;
//! g0 = −dQ/dT, g1 = 0, g2 = k'(T)∇T (multiplies (g2·∇φ_i) φ_j), g3 = k(T) I.

use super::Source;
use crate::kernel::{Jacobian, Point, Residual, VolumeKernel};
use crate::materials::ThermalMaterial;
use crate::ParamGetter;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use std::fmt;
use std::sync::Arc;

/// The heat-conduction volume kernel; one component, "temperature" (K).
pub struct HeatConduction {
    /// (region, material), sorted by region, first occurrence kept.
    materials: Vec<(u32, Arc<dyn ThermalMaterial>)>,
    /// Regions given more than one material (reported by `check_regions`).
    duplicates: Vec<u32>,
    sources: Vec<Source>,
    /// For each entry of `materials`, the indices of the sources acting there.
    region_sources: Vec<Vec<usize>>,
}

impl HeatConduction {
    /// Materials per cell region and volumetric sources. Call [`HeatConduction::check_regions`]
    /// with the mesh's regions before assembling: evaluating at a region without a material
    /// panics rather than silently using zero conductivity.
    pub fn new(
        materials_by_region: Vec<(u32, Arc<dyn ThermalMaterial>)>,
        sources: Vec<Source>,
    ) -> Self {
        let mut materials: Vec<(u32, Arc<dyn ThermalMaterial>)> =
            Vec::with_capacity(materials_by_region.len());
        let mut duplicates = Vec::new();
        for (r, m) in materials_by_region {
            match materials.binary_search_by_key(&r, |e| e.0) {
                Ok(_) => duplicates.push(r),
                Err(pos) => materials.insert(pos, (r, m)),
            }
        }
        let region_sources = materials
            .iter()
            .map(|(r, _)| {
                (0..sources.len())
                    .filter(|&i| sources[i].applies_to(*r))
                    .collect()
            })
            .collect();
        Self {
            materials,
            duplicates,
            sources,
            region_sources,
        }
    }

    /// Verifies that every region in `used` (the mesh's cell regions) has exactly one
    /// material and that every source acts only on regions with a material.
    pub fn check_regions(&self, used: &[u32]) -> Result<(), String> {
        let mut errors = Vec::new();
        for r in &self.duplicates {
            errors.push(format!("region {r} is given more than one material"));
        }
        let mut missing: Vec<u32> = used
            .iter()
            .copied()
            .filter(|r| self.index(*r).is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            errors.push(format!("no material for region(s) {missing:?}"));
        }
        for (i, s) in self.sources.iter().enumerate() {
            let bad: Vec<u32> = s
                .regions
                .iter()
                .copied()
                .filter(|r| self.index(*r).is_none())
                .collect();
            if !bad.is_empty() {
                errors.push(format!(
                    "source {i} acts on region(s) {bad:?} that have no material"
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("heat_conduction: {}", errors.join("; ")))
        }
    }

    fn index(&self, region: u32) -> Option<usize> {
        self.materials.binary_search_by_key(&region, |e| e.0).ok()
    }

    fn index_or_panic(&self, region: u32) -> usize {
        self.index(region).unwrap_or_else(|| {
            panic!("heat_conduction: no material for region {region} (the engine must call check_regions first)")
        })
    }

    /// The material of `region`, if any.
    pub fn material(&self, region: u32) -> Option<&Arc<dyn ThermalMaterial>> {
        self.index(region).map(|i| &self.materials[i].1)
    }

    /// Total source (Q, dQ/dT) at a point.
    pub fn source(&self, p: &Point) -> (f64, f64) {
        self.source_at(self.index_or_panic(p.region), p)
    }

    fn source_at(&self, idx: usize, p: &Point) -> (f64, f64) {
        self.region_sources[idx]
            .iter()
            .fold((0.0, 0.0), |(q, dq), &s| {
                let (a, b) = self.sources[s].eval(p.x, p.t, p.u[0]);
                (q + a, dq + b)
            })
    }

    /// Conductive heat flux q = −k(T)∇T (W/m²) at a point, for postprocessors.
    pub fn heat_flux(&self, p: &Point) -> [f64; 3] {
        let k = self.materials[self.index_or_panic(p.region)]
            .1
            .conductivity(p.u[0]);
        let g = p.grad_u[0];
        [-k * g[0], -k * g[1], -k * g[2]]
    }

    /// Deck parameters of `[physics] type = "heat_conduction"`.
    pub fn spec() -> ObjectSpec {
        ObjectSpec {
            type_name: "heat_conduction",
            description: "Nonlinear transient heat conduction in solids, conservative in enthalpy: \
                          d(rho H(T))/dt - div(k(T) grad T) = Q.",
            params: vec![
                ParamSpec::optional(
                    "order",
                    ParamKind::Int { min: Some(1), max: Some(2) },
                    "",
                    "1",
                    "Polynomial order of the Lagrange elements for temperature.",
                ),
                ParamSpec::optional(
                    "lumped_mass",
                    ParamKind::Bool,
                    "",
                    "false",
                    "Lump the heat-capacity (enthalpy) term onto the nodes (order 1 only): keeps \
                     transients free of over- and undershoots on coarse meshes with steep fronts.",
                ),
                ParamSpec::maybe(
                    "quadrature_order",
                    ParamKind::Int { min: Some(1), max: None },
                    "",
                    "Exactness degree of the cell quadrature (default: the engine's choice for `order`).",
                ),
            ],
        }
    }
}

/// Discretisation options of `heat_conduction` that the engine needs (not used pointwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeatConductionOptions {
    /// Lagrange element order, 1 or 2.
    pub order: u32,
    /// Quadrature exactness degree, or `None` for the engine's default.
    pub quadrature_order: Option<u32>,
}

impl HeatConductionOptions {
    /// Reads `order` (default 1) and `quadrature_order` (optional), with range checks.
    pub fn from_params(get: &dyn ParamGetter) -> Result<Self, String> {
        let order = get.i64("order").unwrap_or(1);
        if !(1..=2).contains(&order) {
            return Err(format!(
                "heat_conduction: `order` must be 1 or 2, got {order}"
            ));
        }
        let quadrature_order = match get.i64("quadrature_order") {
            None => None,
            Some(q) if (1..=i64::from(u32::MAX)).contains(&q) => Some(q as u32),
            Some(q) => {
                return Err(format!(
                    "heat_conduction: `quadrature_order` must be >= 1, got {q}"
                ))
            }
        };
        Ok(Self {
            order: order as u32,
            quadrature_order,
        })
    }
}

impl fmt::Debug for HeatConduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mats: Vec<(u32, &str)> = self.materials.iter().map(|(r, m)| (*r, m.name())).collect();
        f.debug_struct("HeatConduction")
            .field("materials", &mats)
            .field("sources", &self.sources)
            .finish()
    }
}

impl VolumeKernel for HeatConduction {
    fn ncomp(&self) -> usize {
        1
    }

    fn field_names(&self) -> Vec<String> {
        vec!["temperature".into()]
    }

    fn field_units(&self) -> Vec<&'static str> {
        vec!["K"]
    }

    fn mass(&self, p: &Point, m: &mut [f64], dm_du: &mut [f64]) {
        let mat = &self.materials[self.index_or_panic(p.region)].1;
        let (rho, t) = (mat.density(), p.u[0]);
        m[0] = rho * mat.enthalpy(t);
        dm_du[0] = rho * mat.specific_heat(t);
    }

    fn residual(&self, p: &Point, r: &mut Residual) {
        let idx = self.index_or_panic(p.region);
        let k = self.materials[idx].1.conductivity(p.u[0]);
        let g = p.grad_u[0];
        r.f0[0] = -self.source_at(idx, p).0;
        r.f1[0] = [k * g[0], k * g[1], k * g[2]];
    }

    fn jacobian(&self, p: &Point, j: &mut Jacobian) {
        let idx = self.index_or_panic(p.region);
        let mat = &self.materials[idx].1;
        let t = p.u[0];
        let (k, dk) = (mat.conductivity(t), mat.dconductivity(t));
        let g = p.grad_u[0];
        j.g0[0] = -self.source_at(idx, p).1;
        j.g1[0] = [0.0; 3];
        j.g2[0] = [dk * g[0], dk * g[1], dk * g[2]];
        j.g3[0] = [[k, 0.0, 0.0], [0.0, k, 0.0], [0.0, 0.0, k]];
    }
}
