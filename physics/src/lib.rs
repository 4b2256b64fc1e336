//! Local physics for Galvana: pointwise kernels, materials and their parameter declarations.
//! No MPI, no mesh traversal: the engine calls these at quadrature points.

pub mod battery;
mod build;
pub mod calibration;
pub mod cryostat;
pub mod electrochem;
pub mod kernel;
pub mod magnetics;
pub mod magnetostatic;
pub mod materials;
pub mod quench;
pub mod superconductor;
pub mod thermal;

pub use build::{build_material, build_source, build_thermal_bc, ParamGetter};

use galvana_decks::schema::{Registry, SectionKind};
use materials::{Constant, NistMaterial, Tabulated};
use thermal::bcs::{Convection, Cryocooler, FixedTemperature, HeatFlux, Mli, Radiation};
use thermal::{HeatConduction, Source};

/// Bc types accepted by `heat_conduction`.
pub const THERMAL_BC_TYPES: &[&str] = &[
    "temperature",
    "heat_flux",
    "convection",
    "radiation",
    "mli",
    "cryocooler",
];

/// Registers every material, physics, bc and source type of this crate (mesh types are the
/// engine's) and the physics/bc compatibility.
pub fn register(reg: &mut Registry) {
    reg.add(SectionKind::Material, Constant::spec());
    reg.add(SectionKind::Material, Tabulated::spec());
    reg.add(SectionKind::Material, NistMaterial::spec());
    reg.add(SectionKind::Physics, HeatConduction::spec());
    reg.add(SectionKind::Bc, FixedTemperature::spec());
    reg.add(SectionKind::Bc, HeatFlux::spec());
    reg.add(SectionKind::Bc, Convection::spec());
    reg.add(SectionKind::Bc, Radiation::spec());
    reg.add(SectionKind::Bc, Mli::spec());
    reg.add(SectionKind::Bc, Cryocooler::spec());
    reg.add(SectionKind::Source, Source::spec());
    reg.compatible_bcs
        .push(("heat_conduction", THERMAL_BC_TYPES.to_vec()));
    reg.add(SectionKind::Physics, electrochem::NernstPlanck::spec());
    reg.add(SectionKind::Bc, electrochem::Bulk::spec());
    reg.add(SectionKind::Bc, electrochem::ButlerVolmer::spec());
    reg.compatible_bcs
        .push(("nernst_planck", electrochem::BC_TYPES.to_vec()));
    reg.add(SectionKind::Physics, battery::deck::spec());
    reg.sections.push(("battery", battery::sweep::section()));
    reg.sections.push(("battery", calibration::deck::section()));
    reg.meshless.push("battery");
    reg.add(SectionKind::Physics, magnetics::deck::physics_spec());
    for s in magnetics::deck::coil_specs() {
        reg.add(SectionKind::Source, s);
    }
    for s in magnetics::deck::target_specs() {
        reg.add(SectionKind::Postprocessor, s);
    }
    reg.meshless.push("biot_savart");
    reg.add(SectionKind::Physics, quench::deck::spec());
    reg.meshless.push("quench");
    reg.add(SectionKind::Physics, magnetostatic::deck::physics_spec());
    for s in magnetostatic::deck::material_specs() {
        reg.add(SectionKind::Material, s);
    }
    reg.add(SectionKind::Source, magnetostatic::deck::coil_spec());
    reg.add(SectionKind::Bc, magnetostatic::FixedPotential::spec());
    reg.compatible_bcs
        .push(("magnetostatic", magnetostatic::deck::BC_TYPES.to_vec()));
    reg.add(SectionKind::Physics, cryostat::deck::physics_spec());
    reg.add(SectionKind::Material, cryostat::deck::body_spec());
    for s in cryostat::deck::bc_specs() {
        reg.add(SectionKind::Bc, s);
    }
    reg.add(SectionKind::Source, cryostat::deck::load_spec());
    reg.compatible_bcs
        .push(("cryostat", cryostat::deck::BC_TYPES.to_vec()));
    reg.meshless.push("cryostat");
}
