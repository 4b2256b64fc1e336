//! Building physics objects from deck values (after the checker has validated the deck).
//!
//! The engine adapts each deck object to [`ParamGetter`] and calls the builders here. Region
//! and boundary names (`regions`, `boundary`) are resolved by the engine, not here. Builders
//! re-check values (positivity, ranges) so that programmatic callers get the same guarantees.

use crate::kernel::BoundaryKernel;
use crate::materials::{nist_names, Constant, NistMaterial, Tabulated, ThermalMaterial};
use crate::thermal::bcs::{Convection, Cryocooler, FixedTemperature, HeatFlux, Mli, Radiation};
use crate::thermal::Source;
use std::sync::Arc;

/// Read access to one deck object's parameters; `None` = absent (or of another type).
pub trait ParamGetter {
    fn f64(&self, name: &str) -> Option<f64>;
    fn str(&self, name: &str) -> Option<String>;
    /// A `[[x, y], ...]` table.
    fn table(&self, name: &str) -> Option<Vec<(f64, f64)>>;
    fn i64(&self, name: &str) -> Option<i64>;
    /// An array of reals.
    fn f64_array(&self, _name: &str) -> Option<Vec<f64>> {
        None
    }
    /// An array of strings.
    fn str_array(&self, _name: &str) -> Option<Vec<String>> {
        None
    }
    /// Whether the object sets `name` at all (to report keys a choice makes unused).
    fn has(&self, _name: &str) -> bool {
        false
    }
}

fn req_f64(get: &dyn ParamGetter, ty: &str, name: &str) -> Result<f64, String> {
    get.f64(name)
        .ok_or_else(|| format!("{ty}: missing required parameter `{name}`"))
}

/// Builds a `[materials.X]` object of type `type_name` (`constant`, `tabulated`, `nist`).
pub fn build_material(
    type_name: &str,
    get: &dyn ParamGetter,
) -> Result<Arc<dyn ThermalMaterial>, String> {
    match type_name {
        "constant" => {
            let k = req_f64(get, type_name, "k")?;
            let rho = req_f64(get, type_name, "rho")?;
            let cp = req_f64(get, type_name, "cp")?;
            Ok(Arc::new(Constant::new(k, rho, cp)?))
        }
        "tabulated" => {
            let k = get
                .table("conductivity")
                .ok_or("tabulated: missing required parameter `conductivity`")?;
            let cp = get
                .table("specific_heat")
                .ok_or("tabulated: missing required parameter `specific_heat`")?;
            let rho = req_f64(get, type_name, "rho")?;
            Ok(Arc::new(Tabulated::new(&k, &cp, rho)?))
        }
        "nist" => {
            let name = get
                .str("material")
                .ok_or("nist: missing required parameter `material`")?;
            let mut m = NistMaterial::new(&name).ok_or_else(|| {
                format!(
                    "nist: unknown material `{name}` (expected one of: {})",
                    nist_names().join(", ")
                )
            })?;
            if let Some(rho) = get.f64("rho") {
                m = m.with_density(rho)?;
            }
            Ok(Arc::new(m))
        }
        other => Err(format!(
            "unknown material type `{other}` (expected constant, tabulated or nist)"
        )),
    }
}

/// Builds a `[bcs.X]` object for `heat_conduction` (`temperature`, `heat_flux`, `convection`,
/// `radiation`, `mli`, `cryocooler`).
pub fn build_thermal_bc(
    type_name: &str,
    get: &dyn ParamGetter,
) -> Result<Box<dyn BoundaryKernel>, String> {
    let t = type_name;
    Ok(match type_name {
        "temperature" => Box::new(FixedTemperature::new(req_f64(get, t, "value")?)?),
        "heat_flux" => Box::new(HeatFlux::new(req_f64(get, t, "q")?)?),
        "convection" => Box::new(Convection::new(req_f64(get, t, "h")?, req_f64(get, t, "t_inf")?)?),
        "radiation" => Box::new(Radiation::new(req_f64(get, t, "emissivity")?, req_f64(get, t, "t_inf")?)?),
        "mli" => {
            let n = get.i64("layers").ok_or("mli: missing required parameter `layers`")?;
            let layers = u32::try_from(n).ok().filter(|&n| n >= 1).ok_or(format!("mli: `layers` must be >= 1, got {n}"))?;
            Box::new(Mli::new(layers, req_f64(get, t, "emissivity")?, req_f64(get, t, "t_inf")?)?)
        }
        "cryocooler" => {
            let cap = get.table("capacity").ok_or("cryocooler: missing required parameter `capacity`")?;
            Box::new(Cryocooler::new(&cap, req_f64(get, t, "area")?)?)
        }
        other => {
            return Err(format!(
                "unknown thermal bc type `{other}` (expected temperature, heat_flux, convection, radiation, mli or cryocooler)"
            ))
        }
    })
}

/// Builds a `[sources.X]` object (`volumetric`) acting on the engine-resolved `regions`.
pub fn build_source(
    type_name: &str,
    get: &dyn ParamGetter,
    regions: Vec<u32>,
) -> Result<Source, String> {
    match type_name {
        "volumetric" => {
            let q = req_f64(get, type_name, "value")?;
            if !q.is_finite() {
                return Err(format!("volumetric: `value` must be finite, got {q}"));
            }
            Ok(Source::constant(regions, q))
        }
        other => Err(format!(
            "unknown source type `{other}` (expected volumetric)"
        )),
    }
}
