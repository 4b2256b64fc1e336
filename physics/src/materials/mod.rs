//! Thermal materials: conductivity, density, specific heat and enthalpy as functions of T.
//!
//! Conventions shared by every material in this crate:
//! - SI units throughout: T in K, k in W/(m K), ρ in kg/m³, cp in J/(kg K), H in J/kg.
//! - Enthalpy reference: **H(0 K) = 0**, i.e. H(T) = ∫₀ᵀ cp dT using the material's own
//!   (clamped) cp below its valid range. Only enthalpy *differences* enter the conservative
//!   time discretisation, so the reference is immaterial as long as it is the same for all
//!   calls; choosing 0 K for all materials keeps H(T) = cp·T for [`Constant`].
//! - Outside [`ThermalMaterial::valid_range`] properties are clamped to their value at the
//!   nearest end of the range (so cp is continuous and H is linear there), and
//!   `dconductivity` is 0. Finite input never produces NaN.

mod constant;
mod nist;
mod nist_fits;
mod pchip;
pub(crate) mod quadrature;
mod tabulated;

pub use constant::Constant;
pub use nist::NistMaterial;
pub use nist_fits::{Fit, NistFitInfo};
pub use pchip::MonotoneCubic;
pub use tabulated::Tabulated;

/// Temperature-dependent thermal properties of a solid.
pub trait ThermalMaterial: Send + Sync {
    /// Thermal conductivity k(T), W/(m K).
    fn conductivity(&self, t: f64) -> f64;
    /// dk/dT, W/(m K²); 0 outside the valid range (where k is clamped).
    fn dconductivity(&self, t: f64) -> f64;
    /// Mass density ρ, kg/m³ (temperature-independent: thermal contraction is neglected).
    fn density(&self) -> f64;
    /// Specific heat cp(T), J/(kg K).
    fn specific_heat(&self, t: f64) -> f64;
    /// Specific enthalpy H(T) = ∫₀ᵀ cp dT, J/kg (reference H(0 K) = 0; see module docs).
    fn enthalpy(&self, t: f64) -> f64;
    /// Temperature range (K) where the property data are valid; properties are clamped outside.
    fn valid_range(&self) -> (f64, f64);
    /// Human-readable name (for messages and output).
    fn name(&self) -> &str;
}

impl std::fmt::Debug for dyn ThermalMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ThermalMaterial({})", self.name())
    }
}

/// Names accepted by [`nist`], in a fixed order (also used as the deck's `Choice` list).
pub const NIST_NAMES: &[&str] = &[
    "copper_rrr50",
    "copper_rrr100",
    "al6061_t6",
    "ss304",
    "g10_normal",
    "g10_warp",
];

/// The NIST cryogenic material fits available through [`nist`].
pub fn nist_names() -> &'static [&'static str] {
    NIST_NAMES
}

/// A NIST cryogenic-fit material by name (see [`nist_names`]), or `None` if unknown.
pub fn nist(name: &str) -> Option<Box<dyn ThermalMaterial>> {
    NistMaterial::new(name).map(|m| Box::new(m) as Box<dyn ThermalMaterial>)
}

/// Clamp `t` into `[lo, hi]`; NaN stays NaN (we do not hide a diverged solve).
#[inline]
pub(crate) fn clamp_t(t: f64, (lo, hi): (f64, f64)) -> f64 {
    if t < lo {
        lo
    } else if t > hi {
        hi
    } else {
        t
    }
}

/// The `regions` parameter every material type declares.
pub(crate) fn regions_param() -> galvana_decks::schema::ParamSpec {
    galvana_decks::schema::ParamSpec::required(
        "regions",
        galvana_decks::schema::ParamKind::RegionNames,
        "",
        "Mesh regions (cell sets) made of this material.",
    )
}
