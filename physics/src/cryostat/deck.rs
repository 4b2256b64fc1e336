//! `[physics] type = "cryostat"`: a lumped cryostat from a deck. No `[mesh]`. Bodies are
//! `[materials.<name>] type = "body"`, links and cooler stages `[bcs.<name>]` (types
//! `conductance`, `radiation_link`, `mli_link`, `support`, `cryocooler_stage`), fixed loads
//! `[sources.<name>] type = "heat_load"`. Link ends name a body or `ambient`.

use super::body::Body;
use super::capacity::stage_from;
use super::link::{Link, LinkKind};
use super::mli::{LockheedCoefficients, MliBlanket, MliModel};
use super::network::{Load, Network};
use super::radiation::{Geometry, RadiationLink};
use super::solver::Settings;
use super::support::Support;
use super::AMBIENT;
use crate::battery::deck::DeckError;
use crate::materials::{Constant, NistMaterial, ThermalMaterial, NIST_NAMES};
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use galvana_decks::{did_you_mean, Deck, Object};
use std::sync::Arc;

/// Link and stage types (`[bcs.<name>]`) of cryostat decks.
pub const BC_TYPES: &[&str] = &[
    "conductance",
    "radiation_link",
    "mli_link",
    "support",
    "cryocooler_stage",
];
/// Materials a body can be made of: the NIST fits, or `constant` cp.
pub const BODY_MATERIALS: &[&str] = &[
    "copper_rrr50",
    "copper_rrr100",
    "al6061_t6",
    "ss304",
    "g10_normal",
    "g10_warp",
    "constant",
];

const POS: ParamKind = ParamKind::Float {
    min: Some(0.0),
    max: None,
};
const UNIT: ParamKind = ParamKind::Float {
    min: Some(0.0),
    max: Some(1.0),
};

fn ends() -> [ParamSpec; 2] {
    [
        ParamSpec::required(
            "from",
            ParamKind::String,
            "",
            "Body (or `ambient`) at one end; positive heat flows from it.",
        ),
        ParamSpec::required(
            "to",
            ParamKind::String,
            "",
            "Body (or `ambient`) at the other end.",
        ),
    ]
}

/// `[physics] type = "cryostat"`.
pub fn physics_spec() -> ObjectSpec {
    ObjectSpec {
        type_name: "cryostat",
        description: "Lumped cryostat: bodies ([materials.<name>] type = \"body\") joined by radiation, MLI and \
                      supports, with heat loads ([sources.<name>] type = \"heat_load\") and cryocooler stages \
                      ([bcs.<name>] type = \"cryocooler_stage\"). Cooldown (backward Euler on enthalpy) or steady \
                      state; writes cryostat.csv and summary.json. No [mesh].",
        params: vec![
            ParamSpec::optional("mode", ParamKind::Choice(&["transient", "steady"]), "", "\"transient\"",
                "`transient`: cooldown from the initial temperatures (the steady state is also reported); `steady`: the steady state only."),
            ParamSpec::optional("ambient_temperature", POS, "K", "300.0",
                "Temperature of the surroundings (vacuum vessel), the node called `ambient`."),
            ParamSpec::maybe("end_time", POS, "s", "Transient: end time (required there)."),
            ParamSpec::maybe("max_step", POS, "s", "Largest time step (default end_time/200)."),
            ParamSpec::optional("initial_step", POS, "s", "1.0", "First time step."),
            ParamSpec::optional("max_temperature_change", POS, "K", "2.0",
                "Step-size control: largest temperature change of any node in one step."),
            ParamSpec::optional("tolerance", POS, "K", "1e-9",
                "Newton stops when no temperature moves by more than this."),
        ],
    }
}

/// `[materials.<name>] type = "body"`.
pub fn body_spec() -> ObjectSpec {
    ObjectSpec {
        type_name: "body",
        description: "Cryostat deck: a lumped body (cold mass, shield) of one material at one temperature; its heat \
                      capacity is m cp(T), integrated exactly through the enthalpy.",
        params: vec![
            ParamSpec::required("material", ParamKind::Choice(BODY_MATERIALS), "",
                "A NIST cryogenic fit, or `constant` (then give `specific_heat`)."),
            ParamSpec::required("mass", POS, "kg", "Mass (> 0)."),
            ParamSpec::maybe("specific_heat", POS, "J/(kg K)", "cp of a `constant` material."),
            ParamSpec::maybe("initial_temperature", POS, "K", "Temperature at t = 0 (default: ambient_temperature)."),
            ParamSpec::maybe("target_temperature", POS, "K", "Cooldown target: the time it is first reached is reported."),
        ],
    }
}

/// Link, stage and load types.
pub fn bc_specs() -> Vec<ObjectSpec> {
    let [from, to] = ends();
    let with_ends = |mut v: Vec<ParamSpec>| {
        v.insert(0, to.clone());
        v.insert(0, from.clone());
        v
    };
    vec![
        ObjectSpec {
            type_name: "conductance",
            description: "Cryostat deck: a fixed thermal conductance, Q = G (T_from - T_to).",
            params: with_ends(vec![ParamSpec::required("conductance", POS, "W/K", "G (> 0).")]),
        },
        ObjectSpec {
            type_name: "radiation_link",
            description: "Cryostat deck: grey diffuse radiation between two surfaces that see only each other \
                          (parallel plates, or `from` enclosed by `to`: concentric cylinders or spheres).",
            params: with_ends(vec![
                ParamSpec::optional("geometry", ParamKind::Choice(&["parallel_plates", "enclosed"]), "", "\"enclosed\"",
                    "`parallel_plates` (equal areas) or `enclosed` (`from` inside `to`)."),
                ParamSpec::required("area", POS, "m^2", "Area of the `from` surface."),
                ParamSpec::maybe("to_area", POS, "m^2", "`enclosed`: area of the enclosing `to` surface (>= area)."),
                ParamSpec::required("from_emissivity", UNIT, "", "Emissivity of the `from` surface, in (0, 1]."),
                ParamSpec::required("to_emissivity", UNIT, "", "Emissivity of the `to` surface, in (0, 1]."),
            ]),
        },
        ObjectSpec {
            type_name: "mli_link",
            description: "Cryostat deck: a multilayer-insulation blanket between `from` and `to`: the Lockheed \
                          equation (Keller et al. 1974) or the ideal radiative shield model.",
            params: with_ends(vec![
                ParamSpec::required("area", POS, "m^2", "Blanket area."),
                ParamSpec::required("layers", ParamKind::Int { min: Some(1), max: None }, "", "Number of reflective layers."),
                ParamSpec::optional("model", ParamKind::Choice(&["lockheed", "ideal"]), "", "\"lockheed\"",
                    "`lockheed` (semi-empirical, conduction + radiation) or `ideal` (radiation between floating shields)."),
                ParamSpec::optional("layer_density", POS, "1/cm", "20.0", "`lockheed`: layers per cm of blanket thickness."),
                ParamSpec::optional("lockheed_cs", POS, "W/(m^2 K^2)", "8.95e-8",
                    "`lockheed`: solid-conduction constant C_s (default: double-aluminised Mylar / silk net, Keller et al. 1974)."),
                ParamSpec::optional("lockheed_density_exponent", POS, "", "2.63",
                    "`lockheed`: exponent of the layer density in the solid-conduction term."),
                ParamSpec::optional("lockheed_cr", POS, "W/(m^2 K^4.67)", "5.39e-10",
                    "`lockheed`: radiation constant C_r."),
                ParamSpec::optional("emissivity", UNIT, "", "0.031", "Layer emissivity, in (0, 1] (aluminised Mylar 0.03)."),
            ]),
        },
        ObjectSpec {
            type_name: "support",
            description: "Cryostat deck: conduction through supports, Q = count (area/length) \
                          integral of k(T) dT from T_to to T_from (NIST k(T)).",
            params: with_ends(vec![
                ParamSpec::required("material", ParamKind::Choice(NIST_NAMES), "", "NIST material of the supports."),
                ParamSpec::required("area", POS, "m^2", "Cross-section of one support."),
                ParamSpec::required("length", POS, "m", "Length of one support."),
                ParamSpec::optional("count", ParamKind::Int { min: Some(1), max: None }, "", "1", "Number of identical supports."),
            ]),
        },
        ObjectSpec {
            type_name: "cryocooler_stage",
            description: "Cryostat deck: a cryocooler stage on a body, cooling power from a capacity table \
                          (temperature vs power, monotone cubic interpolation).",
            params: vec![
                ParamSpec::required("node", ParamKind::String, "", "The body the stage cools."),
                ParamSpec::maybe("temperature", ParamKind::FloatArray { len: None }, "K",
                    "Capacity table: stage temperatures, strictly increasing."),
                ParamSpec::maybe("power", ParamKind::FloatArray { len: None }, "W",
                    "Capacity table: cooling power at each temperature, non-decreasing."),
                ParamSpec::maybe("capacity_file", ParamKind::Path, "",
                    "Or a CSV file (relative to the deck) with columns temperature_K, power_W."),
                ParamSpec::maybe("contact_conductance", POS, "W/K",
                    "Conductance between the body and the cold head (absent: the stage is at the body temperature)."),
            ],
        },
    ]
}

/// `[sources.<name>] type = "heat_load"`.
pub fn load_spec() -> ObjectSpec {
    ObjectSpec {
        type_name: "heat_load",
        description:
            "Cryostat deck: a fixed heat load on a body (current leads, wiring, instrumentation).",
        params: vec![
            ParamSpec::required("node", ParamKind::String, "", "The body the load heats."),
            ParamSpec::required("power", POS, "W", "Heat load."),
        ],
    }
}

/// Whether a run integrates in time or solves the steady balance only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Transient,
    Steady,
}

/// A checked cryostat deck.
pub struct Model {
    pub network: Network,
    pub mode: Mode,
    pub settings: Settings,
}

fn at(path: &[&str], message: impl Into<String>, help: Option<String>) -> DeckError {
    DeckError {
        key: path.iter().map(|s| s.to_string()).collect(),
        message: message.into(),
        help,
    }
}

fn body_material(name: &str, o: &Object) -> Result<Arc<dyn ThermalMaterial>, DeckError> {
    match o.get_str("material") {
        "constant" => {
            let cp = o.opt_f64("specific_heat").ok_or_else(|| {
                at(
                    &["materials", name, "material"],
                    "a `constant` body needs `specific_heat`",
                    Some("add `specific_heat = 385.0` (J/(kg K))".into()),
                )
            })?;
            // k and ρ never enter a lumped body.
            Constant::new(1.0, 1.0, cp)
                .map(|c| Arc::new(c) as Arc<dyn ThermalMaterial>)
                .map_err(|m| at(&["materials", name, "specific_heat"], m, None))
        }
        nist => {
            if o.is_set("specific_heat") {
                return Err(at(&["materials", name, "specific_heat"],
                    format!("`specific_heat` is for `constant` bodies; `{nist}` takes cp(T) from its NIST fit"), None));
            }
            Ok(Arc::new(NistMaterial::new(nist).expect("checked choice")))
        }
    }
}

impl Model {
    pub fn from_deck(deck: &Deck) -> Result<Model, DeckError> {
        let p = &deck.physics;
        let ambient = p.get_f64("ambient_temperature");
        if ambient <= 0.0 {
            return Err(at(
                &["physics", "ambient_temperature"],
                "must be > 0 K",
                None,
            ));
        }
        let mut net = Network::new(ambient);
        let mut names = vec![AMBIENT.to_string()];
        for (name, o) in &deck.materials {
            if o.type_name != "body" {
                return Err(at(
                    &["materials", name, "type"],
                    format!(
                        "a cryostat deck's [materials.<name>] are bodies, found type `{}`",
                        o.type_name
                    ),
                    Some("write `type = \"body\"`".into()),
                ));
            }
            if name == AMBIENT {
                return Err(at(
                    &["materials", name],
                    "`ambient` is the surroundings; name the body otherwise",
                    None,
                ));
            }
            let mass = o.get_f64("mass");
            if mass <= 0.0 {
                return Err(at(
                    &["materials", name, "mass"],
                    format!("mass must be > 0 kg, got {mass}"),
                    None,
                ));
            }
            let t0 = o.opt_f64("initial_temperature").unwrap_or(ambient);
            if t0 <= 0.0 {
                return Err(at(
                    &["materials", name, "initial_temperature"],
                    "must be > 0 K",
                    None,
                ));
            }
            net.add_body(Body {
                name: name.clone(),
                mass,
                material: body_material(name, o)?,
                initial_temperature: t0,
                target_temperature: o.opt_f64("target_temperature"),
            });
            names.push(name.clone());
        }
        if names.len() == 1 {
            return Err(at(
                &["physics"],
                "a cryostat deck needs at least one body",
                Some(
                    "add `[materials.cold_mass]` with `type = \"body\"`, `material` and `mass`"
                        .into(),
                ),
            ));
        }
        let node = |sec: &str, name: &str, key: &str, o: &Object| -> Result<usize, DeckError> {
            let v = o.get_str(key);
            names.iter().position(|n| n == v).ok_or_else(|| {
                at(
                    &[sec, name, key],
                    format!("unknown node `{v}` (bodies: {})", names[1..].join(", ")),
                    did_you_mean(v, &names).map(|m| format!("did you mean `{m}`?")),
                )
            })
        };
        let mut stages = Vec::new();
        for (name, o) in &deck.bcs {
            let e = |key: &str, m: String| at(&["bcs", name, key], m, None);
            // Constructor messages name the offending key in backticks: point at it.
            let named = |m: String| {
                let key = m
                    .split('`')
                    .nth(1)
                    .filter(|k| o.is_set(k))
                    .unwrap_or("type");
                at(&["bcs", name, key], m.clone(), None)
            };
            let kind = match o.type_name.as_str() {
                "cryocooler_stage" => {
                    let body = node("bcs", name, "node", o)?;
                    if body == 0 {
                        return Err(e(
                            "node",
                            "a cooler stage cools a body, not `ambient`".into(),
                        ));
                    }
                    stages.push((body, stage_from(deck, name, o)?));
                    continue;
                }
                "conductance" => LinkKind::Conductance(o.get_f64("conductance")),
                "radiation_link" => {
                    let geometry = match (o.get_str("geometry"), o.opt_f64("to_area")) {
                        ("enclosed", Some(a)) => Geometry::Enclosed { outer_area: a },
                        ("enclosed", None) => return Err(at(&["bcs", name, "geometry"],
                            "`enclosed` radiation needs `to_area`, the enclosing surface's area",
                            Some("add `to_area` (m^2), or set `geometry = \"parallel_plates\"`".into()))),
                        (_, Some(_)) => return Err(e("to_area", "`to_area` is for `enclosed` geometry; parallel plates have equal areas".into())),
                        (_, None) => Geometry::ParallelPlates,
                    };
                    LinkKind::Radiation(
                        RadiationLink::new(
                            geometry,
                            o.get_f64("area"),
                            o.get_f64("from_emissivity"),
                            o.get_f64("to_emissivity"),
                        )
                        .map_err(named)?,
                    )
                }
                "mli_link" => {
                    let emissivity = o.get_f64("emissivity");
                    let model = match o.get_str("model") {
                        "ideal" => MliModel::Ideal { emissivity },
                        _ => MliModel::Lockheed {
                            layer_density: o.get_f64("layer_density"),
                            emissivity,
                            coefficients: LockheedCoefficients {
                                cs: o.get_f64("lockheed_cs"),
                                density_exponent: o.get_f64("lockheed_density_exponent"),
                                cr: o.get_f64("lockheed_cr"),
                            },
                        },
                    };
                    let layers = u32::try_from(o.get_i64("layers"))
                        .map_err(|_| e("layers", "too many layers".into()))?;
                    LinkKind::Mli(MliBlanket::new(model, layers, o.get_f64("area")).map_err(named)?)
                }
                "support" => {
                    let mat =
                        Arc::new(NistMaterial::new(o.get_str("material")).expect("checked choice"));
                    let count = u32::try_from(o.get_i64("count"))
                        .map_err(|_| e("count", "too many supports".into()))?;
                    LinkKind::Support(
                        Support::new(mat, o.get_f64("area"), o.get_f64("length"), count)
                            .map_err(named)?,
                    )
                }
                other => {
                    return Err(at(
                        &["bcs", name, "type"],
                        format!(
                            "`{other}` is not a cryostat link (expected one of: {})",
                            BC_TYPES.join(", ")
                        ),
                        None,
                    ))
                }
            };
            if let LinkKind::Conductance(g) = kind {
                if g <= 0.0 {
                    return Err(e("conductance", format!("must be > 0 W/K, got {g}")));
                }
            }
            let (from, to) = (node("bcs", name, "from", o)?, node("bcs", name, "to", o)?);
            if from == to {
                return Err(e(
                    "to",
                    format!(
                        "a link joins two different nodes; both ends are `{}`",
                        names[from]
                    ),
                ));
            }
            net.links.push(Link {
                name: name.clone(),
                from,
                to,
                kind,
            });
        }
        for (body, stage) in stages {
            net.add_stage(stage, body);
        }
        for (name, o) in &deck.sources {
            if o.type_name != "heat_load" {
                return Err(at(
                    &["sources", name, "type"],
                    format!(
                        "a cryostat deck's sources are heat loads, found type `{}`",
                        o.type_name
                    ),
                    Some("write `type = \"heat_load\"`".into()),
                ));
            }
            let n = node("sources", name, "node", o)?;
            if n == 0 {
                return Err(at(
                    &["sources", name, "node"],
                    "a heat load heats a body, not `ambient`",
                    None,
                ));
            }
            net.loads.push(Load {
                name: name.clone(),
                node: n,
                power: o.get_f64("power"),
            });
        }
        let mode = if p.get_str("mode") == "steady" {
            Mode::Steady
        } else {
            Mode::Transient
        };
        let end_time = match (mode, p.opt_f64("end_time")) {
            (Mode::Transient, None) => {
                return Err(at(
                    &["physics", "mode"],
                    "a transient cryostat run needs `end_time`",
                    Some("add `end_time = 864000.0` (s), or set `mode = \"steady\"`".into()),
                ))
            }
            (Mode::Transient, Some(t)) if t <= 0.0 => {
                return Err(at(&["physics", "end_time"], "must be > 0 s", None))
            }
            (_, t) => t.unwrap_or(0.0),
        };
        let max_step = p.opt_f64("max_step").unwrap_or(end_time / 200.0);
        let settings = Settings {
            end_time,
            max_step,
            initial_step: p.get_f64("initial_step"),
            max_change: p.get_f64("max_temperature_change"),
            tolerance: p.get_f64("tolerance"),
        };
        for (key, v) in [
            ("max_step", max_step),
            ("initial_step", settings.initial_step),
            ("max_temperature_change", settings.max_change),
            ("tolerance", settings.tolerance),
        ] {
            if mode == Mode::Transient && v <= 0.0 {
                return Err(at(&["physics", key], format!("must be > 0, got {v}"), None));
            }
        }
        Ok(Model {
            network: net,
            mode,
            settings,
        })
    }
}
