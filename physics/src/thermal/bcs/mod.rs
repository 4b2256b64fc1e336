//! Thermal boundary conditions, one per file.
//!
//! Sign convention (from `kernel::BoundaryKernel`): the natural term b0 is the heat flux
//! **leaving** the body through the boundary, W/m², so b0 > 0 cools the body.

mod convection;
mod cryocooler;
mod fixed_temperature;
mod heat_flux;
mod mli;
mod radiation;

pub use convection::Convection;
pub use cryocooler::Cryocooler;
pub use fixed_temperature::FixedTemperature;
pub use heat_flux::HeatFlux;
pub use mli::Mli;
pub use radiation::Radiation;

use galvana_decks::schema::{ParamKind, ParamSpec};

/// Stefan–Boltzmann constant, W/(m² K⁴) (CODATA 2018, exact in the 2019 SI).
pub const STEFAN_BOLTZMANN: f64 = 5.670374419e-8;

/// The `boundary` parameter every BC declares.
pub(crate) fn boundary_param() -> ParamSpec {
    ParamSpec::required(
        "boundary",
        ParamKind::BoundaryNames,
        "",
        "Mesh boundaries (facet sets) it applies to.",
    )
}

/// `t_inf`: ambient / sink temperature.
pub(crate) fn t_inf_param(what: &'static str) -> ParamSpec {
    ParamSpec::required(
        "t_inf",
        ParamKind::Float {
            min: Some(0.0),
            max: None,
        },
        "K",
        what,
    )
}

/// `emissivity` in [0, 1].
pub(crate) fn emissivity_param(what: &'static str) -> ParamSpec {
    ParamSpec::required(
        "emissivity",
        ParamKind::Float {
            min: Some(0.0),
            max: Some(1.0),
        },
        "",
        what,
    )
}

/// A finite value, else an error naming the BC and parameter.
pub(crate) fn finite(bc: &str, name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{bc}: `{name}` must be finite, got {v}"))
    }
}

/// A sink temperature: finite and > 0 K.
pub(crate) fn sink_temperature(bc: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!(
            "{bc}: `t_inf` must be a finite temperature > 0 K, got {v}"
        ))
    }
}

/// An emissivity in (0, 1].
pub(crate) fn emissivity(bc: &str, v: f64) -> Result<f64, String> {
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(format!("{bc}: `emissivity` must be in (0, 1], got {v}"))
    }
}
