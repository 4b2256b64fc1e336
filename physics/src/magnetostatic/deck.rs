//! Deck objects of `[physics] type = "magnetostatic"`: the physics, its materials
//! (`magnetic_linear`, `magnetic_bh`, `magnet`), coils (`[sources] type = "coil"`) and the
//! `magnetic_potential` bc, with builders that re-check what the schema cannot.

use super::{BhCurve, FixedPotential, Geometry, MagneticMaterial};
use crate::materials::regions_param;
use crate::ParamGetter;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};

/// Material types of the magnetostatic physics.
pub const MATERIAL_TYPES: &[&str] = &["magnetic_linear", "magnetic_bh", "magnet"];
/// Bc types the magnetostatic physics accepts.
pub const BC_TYPES: &[&str] = &["magnetic_potential"];

const ANY: ParamKind = ParamKind::Float {
    min: None,
    max: None,
};

/// `[physics] type = "magnetostatic"`.
pub fn physics_spec() -> ObjectSpec {
    ObjectSpec {
        type_name: "magnetostatic",
        description: "2D magnetostatics: planar (unknown A_z) or axisymmetric in (r, z) = (x, y) (unknown psi = r A_phi), \
                      with coils ([sources] type coil), linear, nonlinear (B-H table, Newton) and permanent-magnet materials. \
                      Writes B, |B| and H fields, and stored energy, co-energy, coil flux linkage and inductance, and Maxwell-stress \
                      forces on `force_regions` to monitors.csv and summary.json.",
        params: vec![
            ParamSpec::required(
                "geometry",
                ParamKind::Choice(&["planar", "axisymmetric"]),
                "",
                "planar: x-y section of a long device, results per metre of depth; axisymmetric: x is the radius r >= 0, y the axis z.",
            ),
            ParamSpec::optional(
                "order",
                ParamKind::Int { min: Some(1), max: Some(2) },
                "",
                "1",
                "Polynomial order of the Lagrange elements for the potential.",
            ),
            ParamSpec::maybe(
                "quadrature_order",
                ParamKind::Int { min: Some(1), max: None },
                "",
                "Exactness degree of the cell quadrature (default: the engine's choice for `order`).",
            ),
            ParamSpec::maybe(
                "force_regions",
                ParamKind::RegionNames,
                "",
                "Bodies whose magnetic force is reported (Maxwell stress on the layer of cells around each; that layer must be a linear material without current, e.g. air).",
            ),
        ],
    }
}

/// Material specs: `magnetic_linear`, `magnetic_bh`, `magnet`.
pub fn material_specs() -> Vec<ObjectSpec> {
    let mu_r = |what: &'static str| {
        ParamSpec::optional(
            "mu_r",
            ParamKind::Float {
                min: Some(1e-3),
                max: None,
            },
            "",
            "1.0",
            what,
        )
    };
    vec![
        ObjectSpec {
            type_name: "magnetic_linear",
            description: "magnetostatic material: B = mu0 mu_r H (air, copper, linear iron).",
            params: vec![regions_param(), mu_r("Relative permeability (1 for air and copper).")],
        },
        ObjectSpec {
            type_name: "magnetic_bh",
            description: "magnetostatic material: a tabulated B-H curve (soft iron), interpolated monotonically as H(B) \
                          and continued beyond the last point with the vacuum slope dB/dH = mu0.",
            params: vec![
                regions_param(),
                ParamSpec::required(
                    "bh",
                    ParamKind::Table,
                    "A/m, T",
                    "[[H, B], ...] pairs, strictly increasing in both; (0, 0) is added when absent.",
                ),
            ],
        },
        ObjectSpec {
            type_name: "magnet",
            description: "magnetostatic material: a permanent magnet, B = mu0 mu_r H + Br (linear recoil).",
            params: vec![
                regions_param(),
                mu_r("Recoil relative permeability (about 1.05 for NdFeB)."),
                ParamSpec::required(
                    "br",
                    ParamKind::FloatArray { len: Some(2) },
                    "T",
                    "Remanence vector in the mesh plane: (Bx, By) planar or (Br, Bz) axisymmetric.",
                ),
            ],
        },
    ]
}

/// `[sources] type = "coil"`.
pub fn coil_spec() -> ObjectSpec {
    ObjectSpec {
        type_name: "coil",
        description: "magnetostatic: a winding filling the listed regions with a uniform current density along +z \
                      (planar) or +phi (axisymmetric, right-handed about +z): `current_density`, or `turns` and \
                      `current` with J = turns current / (area of the regions). Its flux linkage and inductance go to the monitors.",
        params: vec![
            ParamSpec::required("regions", ParamKind::RegionNames, "", "Regions of the winding's cross-section."),
            ParamSpec::maybe("current_density", ANY, "A/m^2", "Uniform current density (instead of `turns` and `current`)."),
            ParamSpec::maybe("turns", ParamKind::Float { min: Some(0.0), max: None }, "", "Number of turns (with `current`)."),
            ParamSpec::maybe("current", ANY, "A", "Current in each turn (with `turns`)."),
        ],
    }
}

/// The geometry of `[physics]`.
pub fn geometry(get: &dyn ParamGetter) -> Result<Geometry, String> {
    match get.str("geometry").as_deref() {
        Some("planar") => Ok(Geometry::Planar),
        Some("axisymmetric") => Ok(Geometry::Axisymmetric),
        Some(o) => Err(format!(
            "magnetostatic: `geometry` must be planar or axisymmetric, got {o}"
        )),
        None => Err("magnetostatic: missing required parameter `geometry`".into()),
    }
}

/// Builds a magnetic material from its deck object.
pub fn build_material(type_name: &str, get: &dyn ParamGetter) -> Result<MagneticMaterial, String> {
    let mu_r = || -> Result<f64, String> {
        let m = get.f64("mu_r").unwrap_or(1.0);
        if m.is_finite() && m > 0.0 {
            Ok(m)
        } else {
            Err(format!("{type_name}: `mu_r` must be positive, got {m}"))
        }
    };
    match type_name {
        "magnetic_linear" => Ok(MagneticMaterial::Linear { mu_r: mu_r()? }),
        "magnetic_bh" => {
            let t = get
                .table("bh")
                .ok_or("magnetic_bh: missing required parameter `bh`")?;
            Ok(MagneticMaterial::Nonlinear(
                BhCurve::new(&t).map_err(|e| format!("magnetic_bh: `bh`: {e}"))?,
            ))
        }
        "magnet" => {
            let br = get
                .f64_array("br")
                .ok_or("magnet: missing required parameter `br`")?;
            if br.len() != 2 || br.iter().any(|v| !v.is_finite()) {
                return Err(format!(
                    "magnet: `br` must be two finite numbers, got {br:?}"
                ));
            }
            Ok(MagneticMaterial::Magnet {
                mu_r: mu_r()?,
                br: [br[0], br[1]],
            })
        }
        other => Err(format!(
            "material type `{other}` is not magnetic (expected {})",
            MATERIAL_TYPES.join(", ")
        )),
    }
}

/// A coil as the deck gives it: a current density, or ampere-turns to spread over its area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CoilDrive {
    CurrentDensity(f64),
    AmpereTurns { turns: f64, current: f64 },
}

impl CoilDrive {
    /// Reads `current_density`, or `turns` and `current` (exactly one of the two ways).
    pub fn from_params(get: &dyn ParamGetter) -> Result<Self, String> {
        let (j, n, i) = (
            get.f64("current_density"),
            get.f64("turns"),
            get.f64("current"),
        );
        match (j, n, i) {
            (Some(j), None, None) if j.is_finite() => Ok(Self::CurrentDensity(j)),
            (None, Some(n), Some(i)) if n.is_finite() && i.is_finite() && n > 0.0 => {
                Ok(Self::AmpereTurns {
                    turns: n,
                    current: i,
                })
            }
            (None, Some(n), Some(_)) => Err(format!("coil: `turns` must be positive, got {n}")),
            (Some(_), _, _) if n.is_some() || i.is_some() => {
                Err("coil: give either `current_density` or `turns` and `current`, not both".into())
            }
            (None, Some(_), None) => Err("coil: `turns` needs `current`".into()),
            (None, None, Some(_)) => Err("coil: `current` needs `turns`".into()),
            _ => Err("coil: give `current_density`, or `turns` and `current`".into()),
        }
    }

    /// The current density (A/m²) over a cross-section of `area` (m²).
    pub fn density(&self, area: f64) -> f64 {
        match *self {
            Self::CurrentDensity(j) => j,
            Self::AmpereTurns { turns, current } => turns * current / area,
        }
    }

    /// (turns, current) for flux linkage and inductance: a current-density coil counts as one
    /// turn carrying J·area.
    pub fn turns_current(&self, area: f64) -> (f64, f64) {
        match *self {
            Self::CurrentDensity(j) => (1.0, j * area),
            Self::AmpereTurns { turns, current } => (turns, current),
        }
    }
}

/// Builds a `magnetic_potential` bc.
pub fn build_bc(type_name: &str, get: &dyn ParamGetter) -> Result<FixedPotential, String> {
    match type_name {
        "magnetic_potential" => {
            let v = get.f64("value").unwrap_or(0.0);
            if !v.is_finite() {
                return Err(format!(
                    "magnetic_potential: `value` must be finite, got {v}"
                ));
            }
            Ok(FixedPotential::new(v))
        }
        other => Err(format!(
            "bc type `{other}` cannot be used with magnetostatic (expected {})",
            BC_TYPES.join(", ")
        )),
    }
}
