//! `[physics] type = "biot_savart"`: Biot–Savart field maps from a deck. No `[mesh]`.
//!
//! Coils are `[sources.<name>]` objects (types `loop`, `solenoid`, `polyline`, `racetrack`,
//! `helix`) and evaluation targets are `[postprocessors.<name>]` objects (types `line`, `plane`,
//! `points`, `mesh`; see [`super::targets`]): the deck's existing named sections, so every key
//! is declared, checked and reported at its line like any other.

use super::helix::helix_in;
use super::inductance::{self, WireCurrent};
use super::racetrack::racetrack_in;
pub use super::targets::{target_specs, NodeMesh, Target, Topology, TARGET_TYPES};
use super::{
    CircularLoop, Collection, Frame, Polyline, ThickSolenoid, MU0_CODATA2018, MU0_CODATA2022,
};
use crate::battery::deck::DeckError;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use galvana_decks::Object;

pub const MU0_CHOICES: &[&str] = &["codata2018", "codata2022"];
pub const COIL_TYPES: &[&str] = &["loop", "solenoid", "polyline", "racetrack", "helix"];
pub const QUADRATURE_KEYS: &[&str] = &["nr", "nz", "panels"];

const POS: ParamKind = ParamKind::Float {
    min: Some(0.0),
    max: None,
};
const ANY: ParamKind = ParamKind::Float {
    min: None,
    max: None,
};
const V3K: ParamKind = ParamKind::FloatArray { len: Some(3) };

pub fn physics_spec() -> ObjectSpec {
    ObjectSpec {
        type_name: "biot_savart",
        description: "Magnetic field of prescribed currents (Biot–Savart) from the coils in [sources.<name>] \
                      (types loop, solenoid, polyline, racetrack, helix), evaluated on the targets in [postprocessors.<name>] \
                      (types line, plane, points, mesh); writes <type>_<name>.csv per target, field_map.h5/.xdmf (planes and meshes) and summary.json. \
                      No [mesh]; under mpirun/srun the points of every target are split over the ranks.",
        params: vec![
            ParamSpec::optional("mu0", ParamKind::Choice(MU0_CHOICES), "", "\"codata2018\"",
                "Vacuum permeability: CODATA 2018 (1.25663706212e-6 H/m) or CODATA 2022 (1.25663706127e-6 H/m, scipy's and magpylib's)."),
            ParamSpec::optional("threads", ParamKind::Int { min: Some(0), max: Some(4096) }, "", "0",
                "Threads for field evaluation (0: all available)."),
        ],
    }
}

pub fn coil_specs() -> Vec<ObjectSpec> {
    let centre =
        || ParamSpec::optional("centre", V3K, "m", "[0.0, 0.0, 0.0]", "Centre of the coil.");
    let axis = || {
        ParamSpec::optional(
            "axis",
            V3K,
            "",
            "[0.0, 0.0, 1.0]",
            "Axis direction (normalised; current turns right-handed about it).",
        )
    };
    let current = || ParamSpec::required("current", ANY, "A", "Current in each turn.");
    let direction =
        |what: &'static str| ParamSpec::optional("direction", V3K, "", "[1.0, 0.0, 0.0]", what);
    let wire = || {
        ParamSpec::maybe(
            "wire_radius",
            POS,
            "m",
            "Round wire radius (field inside falls to zero on the filament).",
        )
    };
    vec![
        ObjectSpec {
            type_name: "loop",
            description: "biot_savart coil: a circular filament loop (exact, elliptic integrals) of `turns` coincident turns.",
            params: vec![
                centre(),
                axis(),
                ParamSpec::required("radius", POS, "m", "Loop radius (> 0)."),
                current(),
                ParamSpec::optional("turns", POS, "", "1.0", "Number of turns (multiplies the current)."),
                ParamSpec::maybe("wire_radius", POS, "m", "Round wire radius: the field inside the wire falls to zero on the filament; with it, coaxial loops get an inductance in summary.json."),
            ],
        },
        ObjectSpec {
            type_name: "solenoid",
            description: "biot_savart coil: a thick solenoid of rectangular winding cross-section (uniform current density), Gauss–Legendre over loops.",
            params: vec![
                centre(),
                axis(),
                ParamSpec::required("r_in", POS, "m", "Inner winding radius (> 0)."),
                ParamSpec::required("r_out", POS, "m", "Outer winding radius (≥ r_in)."),
                ParamSpec::required("length", POS, "m", "Winding length (> 0)."),
                ParamSpec::required("turns", POS, "", "Number of turns (> 0)."),
                current(),
                ParamSpec::optional("quadrature", ParamKind::IntMap { keys: QUADRATURE_KEYS, min: 1 }, "",
                    "{ nr = 4, nz = 8, panels = 8 }",
                    "Gauss–Legendre nodes over the radius (`nr`) and per axial panel (`nz`), and axial panels."),
            ],
        },
        ObjectSpec {
            type_name: "polyline",
            description: "biot_savart coil: a filament through the given vertices (straight segments).",
            params: vec![
                ParamSpec::required("points", ParamKind::FloatArray { len: None }, "m",
                    "Vertices as a flat list x0, y0, z0, x1, y1, z1, ... (at least two; repeat the first to close it)."),
                current(),
                wire(),
            ],
        },
        ObjectSpec {
            type_name: "racetrack",
            description: "biot_savart coil: a filament racetrack (two straight sides joined by half circles, each cut into `arc_segments` chords with vertices on the arc) of `turns` coincident turns.",
            params: vec![
                centre(),
                axis(),
                direction("Direction of the straight sides (its part normal to the axis is used)."),
                ParamSpec::required("straight", POS, "m", "Length of each straight side (≥ 0; 0 gives a polygon inscribed in a circle)."),
                ParamSpec::required("radius", POS, "m", "Radius of the ends (> 0); the sides are 2·radius apart."),
                current(),
                ParamSpec::optional("turns", POS, "", "1.0", "Number of turns (multiplies the current)."),
                ParamSpec::optional("arc_segments", ParamKind::Int { min: Some(2), max: Some(1_000_000) }, "", "64",
                    "Chords per half circle (field error O((π/n)²) relative near the ends)."),
                wire(),
            ],
        },
        ObjectSpec {
            type_name: "helix",
            description: "biot_savart coil: a helical filament of `turns` turns advancing `pitch` per turn along the axis (centred on `centre`), cut into `segments_per_turn` chords per turn; the current runs in the wire, from the end at −pitch·turns/2.",
            params: vec![
                centre(),
                axis(),
                direction("Direction from the axis to the first vertex (its part normal to the axis is used)."),
                ParamSpec::required("radius", POS, "m", "Helix radius (> 0)."),
                ParamSpec::required("pitch", POS, "m", "Axial advance per turn (> 0)."),
                ParamSpec::required("turns", POS, "", "Number of turns (> 0, may be fractional)."),
                current(),
                ParamSpec::optional("segments_per_turn", ParamKind::Int { min: Some(3), max: Some(1_000_000) }, "", "64",
                    "Chords per turn (field error O((2π/n)²) relative near the wire)."),
                wire(),
            ],
        },
    ]
}

/// One coil as built, with what the summary needs.
pub struct Coil {
    pub name: String,
    pub kind: String,
    /// (radius, axial position, turns, wire radius) of a loop on the z axis with axis ±z.
    pub coaxial: Option<(f64, f64, f64, Option<f64>)>,
}

/// A checked biot_savart model.
pub struct Model {
    pub mu0: f64,
    pub threads: usize,
    pub sources: Collection,
    pub coils: Vec<Coil>,
    pub targets: Vec<Target>,
}

fn e(section: &str, name: &str, key: &str, msg: impl Into<String>) -> DeckError {
    DeckError {
        key: [section, name, key]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect(),
        message: msg.into(),
        help: None,
    }
}

fn v3(o: &Object, k: &str) -> [f64; 3] {
    let a = o.get_f64_array(k);
    [a[0], a[1], a[2]]
}

fn pos(o: &Object, name: &str, k: &str) -> Result<f64, DeckError> {
    let x = o.get_f64(k);
    if x > 0.0 && x.is_finite() {
        Ok(x)
    } else {
        Err(e(
            "sources",
            name,
            k,
            format!("`{k}` of coil `{name}` must be > 0, got {x}"),
        ))
    }
}

impl Model {
    /// The model of a checked deck: files named by targets are relative to `dir`, meshes are
    /// read by `read_mesh`.
    pub fn from_deck(
        dir: &std::path::Path,
        physics: &Object,
        sources: &[(String, Object)],
        targets: &[(String, Object)],
        read_mesh: &dyn Fn(&std::path::Path) -> Result<NodeMesh, String>,
    ) -> Result<Model, DeckError> {
        let mu0 = match physics.get_str("mu0") {
            "codata2022" => MU0_CODATA2022,
            _ => MU0_CODATA2018,
        };
        let threads = physics.get_i64("threads") as usize;
        if sources.is_empty() {
            return Err(DeckError {
                key: vec!["physics".into()],
                message: "a biot_savart deck needs at least one coil".into(),
                help: Some(format!(
                    "add a `[sources.<name>]` section with `type = \"loop\"` (types: {})",
                    COIL_TYPES.join(", ")
                )),
            });
        }
        if targets.is_empty() {
            return Err(DeckError {
                key: vec!["physics".into()],
                message: "a biot_savart deck needs at least one evaluation target".into(),
                help: Some(format!(
                    "add a `[postprocessors.<name>]` section with `type = \"line\"` (types: {})",
                    TARGET_TYPES.join(", ")
                )),
            });
        }
        let mut coll = Collection::default();
        let mut coils = Vec::new();
        for (name, o) in sources {
            let t = o.type_name.as_str();
            let se = |k: &str, m: String| e("sources", name, k, m);
            let mut coaxial = None;
            match t {
                "loop" => {
                    let r = pos(o, name, "radius")?;
                    let turns = pos(o, name, "turns")?;
                    let (c, ax) = (v3(o, "centre"), v3(o, "axis"));
                    let mut l = CircularLoop::new(c, ax, r, o.get_f64("current") * turns)
                        .map_err(|m| se("", m))?;
                    let wire = o.opt_f64("wire_radius");
                    if let Some(a) = wire {
                        l = l.with_wire_radius(a).map_err(|m| se("wire_radius", m))?;
                    }
                    if c[0] == 0.0 && c[1] == 0.0 && ax[0] == 0.0 && ax[1] == 0.0 {
                        coaxial = Some((r, c[2], turns * ax[2].signum(), wire));
                    }
                    coll.sources.push(Box::new(l));
                }
                "solenoid" => {
                    let q = o.get("quadrature").and_then(|v| v.as_table());
                    let qn = |k: &str, d: usize| {
                        q.and_then(|t| t.get(k))
                            .and_then(|v| v.as_i64())
                            .map_or(d, |n| n as usize)
                    };
                    let r_in = pos(o, name, "r_in")?;
                    let r_out = o.get_f64("r_out");
                    if r_out < r_in {
                        return Err(se("r_out", format!("`r_out` of coil `{name}` ({r_out}) is smaller than `r_in` ({r_in})")));
                    }
                    let s = ThickSolenoid::new(
                        v3(o, "centre"),
                        v3(o, "axis"),
                        r_in,
                        r_out,
                        pos(o, name, "length")?,
                        pos(o, name, "turns")?,
                        o.get_f64("current"),
                        (qn("nr", 4), qn("nz", 8), qn("panels", 8)),
                    )
                    .map_err(|m| se("", m))?;
                    coll.sources.push(Box::new(s));
                }
                "polyline" => {
                    let p = o.get_f64_array("points");
                    if p.len() < 6 || p.len() % 3 != 0 {
                        return Err(se("points", format!(
                            "`points` of coil `{name}` must hold x, y, z of at least two vertices (a multiple of 3 numbers), got {} number(s)",
                            p.len()
                        )));
                    }
                    let verts: Vec<[f64; 3]> = p.chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
                    let mut pl =
                        Polyline::new(&verts, o.get_f64("current")).map_err(|m| se("points", m))?;
                    if let Some(a) = o.opt_f64("wire_radius") {
                        pl = pl.with_wire_radius(a).map_err(|m| se("wire_radius", m))?;
                    }
                    coll.sources.push(Box::new(pl));
                }
                "racetrack" | "helix" => {
                    let frame = Frame::new(v3(o, "centre"), v3(o, "axis"), v3(o, "direction"))
                        .map_err(|m| {
                            let direction = m.starts_with("direction");
                            DeckError {
                                key: ["sources", name, match m.split(' ').next() {
                                    Some("direction") => "direction",
                                    Some("frame") => "centre",
                                    _ => "axis",
                                }]
                                    .map(String::from)
                                    .to_vec(),
                                help: direction.then(|| {
                                    "`direction` (default [1.0, 0.0, 0.0]) must have a part normal to `axis`".into()
                                }),
                                message: m,
                            }
                        })?;
                    let r = pos(o, name, "radius")?;
                    let mut pl = if t == "racetrack" {
                        let n = o.get_i64("arc_segments") as usize;
                        racetrack_in(
                            &frame,
                            o.get_f64("straight"),
                            r,
                            n,
                            o.get_f64("current"),
                            pos(o, name, "turns")?,
                        )
                        .map_err(|m| se("", m))?
                    } else {
                        let turns = pos(o, name, "turns")?;
                        let length = pos(o, name, "pitch")? * turns;
                        let n = o.get_i64("segments_per_turn") as usize;
                        helix_in(&frame, r, length, turns, n, o.get_f64("current"))
                            .map_err(|m| se("", m))?
                    };
                    if let Some(a) = o.opt_f64("wire_radius") {
                        pl = pl.with_wire_radius(a).map_err(|m| se("wire_radius", m))?;
                    }
                    coll.sources.push(Box::new(pl));
                }
                other => {
                    return Err(DeckError {
                        key: vec!["sources".into(), name.clone(), "type".into()],
                        message: format!(
                            "source type `{other}` in [sources.{name}] is not a biot_savart coil"
                        ),
                        help: Some(format!("coil types: {}", COIL_TYPES.join(", "))),
                    })
                }
            }
            coils.push(Coil {
                name: name.clone(),
                kind: t.to_string(),
                coaxial,
            });
        }
        let mut tg = Vec::new();
        for (name, o) in targets {
            tg.push(super::targets::build_target(name, o, dir, read_mesh)?);
        }
        Ok(Model {
            mu0,
            threads,
            sources: coll,
            coils,
            targets: tg,
        })
    }

    /// Self-inductance (H) of all coils in series, when every coil is a loop on the z axis
    /// with a wire radius (coaxial loops: Σ N_i² L_i + Σ_{i≠j} N_i N_j M_ij); otherwise why not.
    pub fn inductance(&self) -> Result<f64, String> {
        let mut loops = Vec::new();
        for c in &self.coils {
            match c.coaxial {
                Some((r, z, n, Some(a))) => loops.push((r, z, n, a)),
                Some((_, _, _, None)) => {
                    return Err(format!("loop `{}` has no wire_radius", c.name))
                }
                None => return Err(format!("coil `{}` is not a loop on the z axis", c.name)),
            }
        }
        let mut l = 0.0;
        for (i, &(ri, zi, ni, ai)) in loops.iter().enumerate() {
            l += ni * ni * inductance::loop_self(self.mu0, ri, ai, WireCurrent::Uniform)?;
            for &(rj, zj, nj, _) in &loops[i + 1..] {
                l += 2.0 * ni * nj * inductance::mutual_coaxial(self.mu0, ri, rj, zi - zj)?;
            }
        }
        Ok(l)
    }
}
