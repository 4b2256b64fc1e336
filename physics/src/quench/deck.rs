//! `[physics] type = "quench"`: a magnet's load line and a protected quench from a deck. No
//! `[mesh]`. The peak field per ampere comes from `peak_field_per_amp` or, when the deck has a
//! `[sources.<name>]` coil of type `solenoid`, from Biot–Savart on its inner winding surface;
//! that solenoid also gives the inductance when the deck has no `inductance`.

use super::circuit::Circuit;
use super::conductor::Conductor;
use super::copper::Copper;
use super::solver::{Heater, Mesh, Settings};
use crate::battery::deck::DeckError;
use crate::magnetics::{CircularLoop, ThickSolenoid, MU0_CODATA2018};
use crate::superconductor::nb3sn::Iter2008;
use crate::superconductor::nbti::Bottura;
use crate::superconductor::rebco::Wolf;
use crate::superconductor::CriticalSurface;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use galvana_decks::Object;

pub const SUPERCONDUCTORS: &[&str] = &["nbti", "nb3sn_eutf4", "nb3sn_wst", "rebco"];
pub const HEATER_KEYS: &[&str] = &["center", "length", "power", "duration"];

const POS: ParamKind = ParamKind::Float {
    min: Some(0.0),
    max: None,
};

pub fn spec() -> ObjectSpec {
    let f = |name, unit, desc| ParamSpec::required(name, POS, unit, desc);
    let o = |name, unit, default, desc| ParamSpec::optional(name, POS, unit, default, desc);
    ObjectSpec {
        type_name: "quench",
        description: "Load line, margins and a protected quench of a superconducting magnet: 1D normal-zone \
                      propagation along the conductor (NIST copper, linear current sharing) coupled to the \
                      circuit (inductance, detection, delay, dump resistor). Writes quench.csv, load_line.csv \
                      and summary.json. No [mesh]; an optional [sources.<name>] solenoid gives the peak field.",
        params: vec![
            ParamSpec::required("superconductor", ParamKind::Choice(SUPERCONDUCTORS), "",
                "Critical surface: nbti (Bottura 2000), nb3sn_eutf4 / nb3sn_wst (ITER-2008 strand fits), rebco (Wolf form)."),
            ParamSpec::optional("applied_strain", ParamKind::Float { min: Some(-0.02), max: Some(0.02) }, "", "0.0",
                "Nb3Sn only: applied strain (the intrinsic strain is this minus the strand's εm)."),
            f("operating_temperature", "K", "Bath / operating temperature."),
            f("operating_current", "A", "Magnet current before the quench."),
            f("copper_area", "m^2", "Copper stabiliser cross-section of the conductor."),
            f("superconductor_area", "m^2", "Superconductor (non-copper) cross-section Jc refers to."),
            o("rrr", "", "100.0", "Residual resistivity ratio of the copper."),
            ParamSpec::maybe("peak_field_per_amp", POS, "T/A",
                "Peak field on the conductor per ampere; without it, a [sources.<name>] solenoid gives it by Biot–Savart."),
            ParamSpec::maybe("inductance", POS, "H",
                "Magnet self-inductance; without it, the [sources.<name>] solenoid's inductance from its geometry (uniform current density over the winding)."),
            f("dump_resistance", "ohm", "Dump resistor."),
            f("detection_threshold", "V", "Resistive voltage that triggers detection."),
            o("validation_time", "s", "0.0", "Time the voltage must stay above the threshold."),
            o("detection_delay", "s", "0.0", "Delay from detection to opening the switch."),
            ParamSpec::required("heater", ParamKind::FloatMap { keys: HEATER_KEYS, min: Some(0.0) },
                "m, m, W/m, s", "Quench trigger: { center = m, length = m, power = W/m, duration = s }."),
            f("model_length", "m", "Length of conductor modelled around the heater."),
            ParamSpec::optional("elements", ParamKind::Int { min: Some(2), max: Some(1_000_000) }, "", "400",
                "Linear elements along the modelled length."),
            f("end_time", "s", "End time (the run also stops when the current has decayed to 1e-4 of its start)."),
            o("max_step", "s", "1e-3", "Largest time step."),
            o("max_step_change", "", "0.05", "Largest relative temperature change of a node per step."),
        ],
    }
}

/// A checked quench deck.
pub struct Model {
    pub conductor: Conductor,
    pub circuit: Circuit,
    pub settings: Settings,
    /// Where the peak field per ampere came from.
    pub field_source: String,
    /// Where the inductance came from (the deck, or the solenoid's geometry).
    pub inductance_source: String,
}

fn err(key: &str, msg: impl Into<String>) -> DeckError {
    DeckError {
        key: vec!["physics".into(), key.into()],
        message: msg.into(),
        help: None,
    }
}

/// |B| per ampere of magnet current at the midplane of a solenoid's inner
/// winding surface (where a solenoid without iron has its peak field on the conductor).
///
/// The point lies on the winding, where the loop kernel is log-singular, so Gauss–Legendre
/// sums converge slowly there; a midpoint sum of exact loops over the cross-section converges
/// at first order (the error halves with the cell size), so two sums are Richardson-extrapolated.
pub fn solenoid_peak_field_per_amp(s: &ThickSolenoid) -> f64 {
    midpoint_sum(s, 200, 800).mul_add(2.0, -midpoint_sum(s, 100, 400))
}

/// |B| at the inner surface's midplane from `nr` × `nz` loops at the cell centres.
pub fn midpoint_sum(s: &ThickSolenoid, nr: usize, nz: usize) -> f64 {
    let per_loop = s.turns / (nr * nz) as f64;
    // Any unit vector normal to the axis.
    let a = s.axis;
    let t = if a[0].abs() < 0.9 {
        [1.0, 0.0, 0.0]
    } else {
        [0.0, 1.0, 0.0]
    };
    let d = a[0] * t[0] + a[1] * t[1] + a[2] * t[2];
    let mut n = [t[0] - d * a[0], t[1] - d * a[1], t[2] - d * a[2]];
    let nn = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
    n.iter_mut().for_each(|c| *c /= nn);
    let p = [0, 1, 2].map(|c| s.centre[c] + n[c] * s.r_in);
    let mut b = [0.0; 3];
    for i in 0..nr {
        let r = s.r_in + (i as f64 + 0.5) * (s.r_out - s.r_in) / nr as f64;
        for j in 0..nz {
            let z = (j as f64 + 0.5) / nz as f64 - 0.5;
            let c = [0, 1, 2].map(|k| s.centre[k] + a[k] * z * s.length);
            let f = CircularLoop::new(c, a, r, per_loop)
                .expect("checked geometry")
                .field_at(MU0_CODATA2018, p);
            (0..3).for_each(|k| b[k] += f[k]);
        }
    }
    (b[0] * b[0] + b[1] * b[1] + b[2] * b[2]).sqrt()
}

impl Model {
    pub fn from_deck(p: &Object, sources: &[(String, Object)]) -> Result<Model, DeckError> {
        let surface: Box<dyn CriticalSurface + Send + Sync> = match p.get_str("superconductor") {
            "nbti" => Box::new(Bottura::default()),
            "rebco" => Box::new(Wolf::default()),
            kind => {
                let area = p.get_f64("superconductor_area");
                let strand = if kind == "nb3sn_wst" {
                    Iter2008::wst(area)
                } else {
                    Iter2008::eutf4(area)
                };
                Box::new(strand.with_applied_strain(p.get_f64("applied_strain")))
            }
        };
        let mut geometric_l = None;
        let (k, field_source) = match (p.opt_f64("peak_field_per_amp"), sources) {
            (Some(k), []) => (k, "peak_field_per_amp".to_string()),
            (Some(_), _) => {
                return Err(err("peak_field_per_amp",
                    "give either `peak_field_per_amp` or a [sources.<name>] solenoid, not both"))
            }
            (None, [(name, o)]) if o.type_name == "solenoid" => {
                let s = ThickSolenoid::new(
                    { let a = o.get_f64_array("centre"); [a[0], a[1], a[2]] },
                    { let a = o.get_f64_array("axis"); [a[0], a[1], a[2]] },
                    o.get_f64("r_in"),
                    o.get_f64("r_out"),
                    o.get_f64("length"),
                    o.get_f64("turns"),
                    1.0,
                    (4, 8, 8),
                )
                .map_err(|m| DeckError { key: vec!["sources".into(), name.clone()], message: m, help: None })?;
                let k = solenoid_peak_field_per_amp(&s);
                if p.opt_f64("inductance").is_none() {
                    let l = s.inductance(MU0_CODATA2018).map_err(|m| DeckError {
                        key: vec!["sources".into(), name.clone()],
                        message: m,
                        help: None,
                    })?;
                    geometric_l = Some((l, format!("geometry of solenoid `{name}` (uniform current density over the winding)")));
                }
                (k, format!("Biot–Savart at the midplane of the inner winding surface of solenoid `{name}` ({} turns)", s.turns))
            }
            (None, _) => {
                return Err(DeckError {
                    key: vec!["physics".into()],
                    message: "a quench deck needs `peak_field_per_amp` or exactly one [sources.<name>] coil of type solenoid".into(),
                    help: Some("add `peak_field_per_amp = 0.01` (T/A) to [physics]".into()),
                })
            }
        };
        let conductor = Conductor {
            a_cu: p.get_f64("copper_area"),
            a_sc: p.get_f64("superconductor_area"),
            stabiliser: Box::new(Copper::new(p.get_f64("rrr")).map_err(|m| err("rrr", m))?),
            surface,
            field_per_amp: k,
        };
        conductor.validate().map_err(|m| err("copper_area", m))?;
        let circuit = Circuit {
            inductance: match (p.opt_f64("inductance"), &geometric_l) {
                (Some(l), _) => l,
                (None, Some((l, _))) => *l,
                (None, None) => {
                    return Err(DeckError {
                        key: vec!["physics".into()],
                        message: "a quench deck needs `inductance` unless a [sources.<name>] solenoid gives it".into(),
                        help: Some("add `inductance = 0.2` (H) to [physics]".into()),
                    })
                }
            },
            dump_resistance: p.get_f64("dump_resistance"),
            threshold: p.get_f64("detection_threshold"),
            validation_time: p.get_f64("validation_time"),
            delay: p.get_f64("detection_delay"),
        };
        circuit.validate().map_err(|m| err("inductance", m))?;
        let heater = p.get("heater").and_then(|v| v.as_table());
        let hv = |k: &str| {
            heater
                .and_then(|t| t.get(k))
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0)
        };
        let settings = Settings {
            mesh: Mesh {
                length: p.get_f64("model_length"),
                elements: p.get_i64("elements") as usize,
            },
            heater: Heater {
                center: hv("center"),
                length: hv("length"),
                power: hv("power"),
                duration: hv("duration"),
            },
            t_op: p.get_f64("operating_temperature"),
            i_op: p.get_f64("operating_current"),
            t_end: p.get_f64("end_time"),
            dt_initial: (p.get_f64("max_step") * 1e-3).min(1e-5),
            dt_max: p.get_f64("max_step"),
            max_rel_change: p.get_f64("max_step_change"),
            adiabatic: false,
        };
        let h = &settings.heater;
        if h.length <= 0.0
            || h.center - 0.5 * h.length >= settings.mesh.length
            || h.center + 0.5 * h.length <= 0.0
        {
            return Err(err("heater", format!(
                "the heater (center {} m, length {} m) must have a length > 0 and overlap the modelled length 0..{} m",
                h.center, h.length, settings.mesh.length)));
        }
        if conductor.surface.bc2(settings.t_op) <= 0.0 {
            return Err(err(
                "operating_temperature",
                format!(
                    "{} is not superconducting at {} K",
                    conductor.surface.name(),
                    settings.t_op
                ),
            ));
        }
        Ok(Model {
            conductor,
            circuit,
            settings,
            field_source,
            inductance_source: geometric_l.map_or_else(|| "inductance".to_string(), |(_, s)| s),
        })
    }
}
