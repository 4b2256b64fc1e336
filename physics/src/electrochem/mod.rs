//! Electrochemical transport on meshes: multi-species Nernst–Planck with migration, closed by
//! electroneutrality or Poisson's equation, with Butler–Volmer electrodes driven by potential
//! steps, sweeps, cyclic voltammetry or a galvanostatic current.
//!
//! Units: concentrations mol/m³, diffusivities m²/s, potentials V, current densities A/m²
//! (positive = anodic, i.e. oxidation at the electrode).

pub mod bulk;
pub mod butler_volmer;
pub mod drive;
mod electrolyte;
mod nernst_planck;

pub use bulk::Bulk;
pub use butler_volmer::{ButlerVolmer, Electrode};
pub use drive::Drive;
pub use electrolyte::{Electrolyte, PotentialModel, Species};
pub use nernst_planck::NernstPlanck;

use crate::kernel::BoundaryKernel;
use crate::ParamGetter;
use std::sync::Arc;

/// Faraday constant, C/mol (exact in the 2019 SI).
pub const FARADAY: f64 = 96_485.332_12;
/// Molar gas constant, J/(mol K) (exact in the 2019 SI).
pub const GAS_CONSTANT: f64 = 8.314_462_618;
/// Vacuum permittivity, F/m (CODATA 2018).
pub const VACUUM_PERMITTIVITY: f64 = 8.854_187_812_8e-12;

/// Bc types accepted by `nernst_planck`.
pub const BC_TYPES: &[&str] = &["butler_volmer", "bulk"];

/// A built electrochemical boundary condition: the kernel, and the electrode behind it when the
/// condition is an electrode (the engine drives and monitors it).
pub struct ElectrochemBc {
    pub kernel: Box<dyn BoundaryKernel>,
    pub electrode: Option<Arc<Electrode>>,
}

/// Builds a `[bcs.X]` object for `nernst_planck`.
pub fn build_bc(
    type_name: &str,
    get: &dyn ParamGetter,
    electrolyte: &Arc<Electrolyte>,
) -> Result<ElectrochemBc, String> {
    match type_name {
        "bulk" => Ok(ElectrochemBc {
            kernel: Box::new(Bulk::from_params(get, electrolyte.clone())?),
            electrode: None,
        }),
        "butler_volmer" => {
            let e = Arc::new(Electrode::from_params(get, electrolyte.clone())?);
            Ok(ElectrochemBc {
                kernel: Box::new(ButlerVolmer(e.clone())),
                electrode: Some(e),
            })
        }
        other => Err(format!(
            "unknown bc type `{other}` for nernst_planck (expected {})",
            BC_TYPES.join(" or ")
        )),
    }
}
