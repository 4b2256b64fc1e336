//! `[physics] type = "battery"`: a lithium-ion cell (SPM, SPMe, DFN) run through an experiment.
//! Battery decks have no `[mesh]`: the model meshes its domains itself (`points`).

use super::dfn::Dfn;
use super::experiment::{self, Step};
use super::params::{self, ParameterSet};
use super::runner::{self, Outcome};
use super::spm::Spm;
use super::spme::{Points, Spme};
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use galvana_decks::Object;

pub const MODELS: &[&str] = &["spm", "spme", "dfn"];
pub const POINT_KEYS: &[&str] = &["x_n", "x_s", "x_p", "r_n", "r_p"];

pub fn spec() -> ObjectSpec {
    ObjectSpec {
        type_name: "battery",
        description: "A lithium-ion cell (PyBaMM's model family) driven through an experiment; writes \
                      battery.csv (time_s, voltage_V, current_A, discharge_capacity_Ah). No [mesh]: \
                      the model meshes itself.",
        params: vec![
            ParamSpec::optional(
                "model",
                ParamKind::Choice(MODELS),
                "",
                "\"spme\"",
                "Single particle model (`spm`), with electrolyte (`spme`), or Doyle–Fuller–Newman (`dfn`), as PyBaMM's models of those names.",
            ),
            ParamSpec::optional(
                "parameter_set",
                ParamKind::String,
                "",
                "\"Chen2020\"",
                "A built-in parameter set (`Chen2020`, as PyBaMM ships it).",
            ),
            ParamSpec::maybe(
                "initial_soc",
                ParamKind::Float { min: Some(0.0), max: Some(1.0) },
                "",
                "State of charge to start from, as PyBaMM's `set_initial_state` (default: the parameter set's initial concentrations).",
            ),
            ParamSpec::required(
                "experiment",
                ParamKind::StringArray,
                "",
                "Steps as PyBaMM writes them, e.g. [\"Discharge at 1C until 2.5 V\", \"Rest for 1 hour\", \"Charge at 0.5C until 4.2 V\", \"Hold at 4.2 V until C/50\"]; currents in C, A or mA, power in W.",
            ),
            ParamSpec::optional(
                "cycles",
                ParamKind::Int { min: Some(1), max: Some(100_000) },
                "",
                "1",
                "Repeat the experiment this many times.",
            ),
            ParamSpec::maybe(
                "temperature",
                ParamKind::Float { min: Some(1.0), max: None },
                "K",
                "Cell temperature (isothermal; default: the parameter set's).",
            ),
            ParamSpec::optional(
                "points",
                ParamKind::IntMap { keys: POINT_KEYS, min: 2 },
                "",
                "{ x_n = 20, x_s = 20, x_p = 20, r_n = 20, r_p = 20 }",
                "Finite-volume cells per domain (electrodes, separator, particles); r_n and r_p must be equal.",
            ),
            ParamSpec::optional(
                "period",
                ParamKind::Float { min: Some(1e-3), max: None },
                "s",
                "1.0",
                "Output interval of battery.csv (event points are added).",
            ),
        ],
    }
}

/// A checked battery configuration.
#[derive(Clone, Debug)]
pub struct Battery {
    pub model: String,
    pub params: ParameterSet,
    pub initial: (f64, f64),
    pub steps: Vec<Step>,
    pub points: Points,
    pub period: f64,
}

/// An error with the deck key it is about (for `path:line:col` messages).
#[derive(Debug)]
pub struct DeckError {
    pub key: Vec<String>,
    pub message: String,
}

fn err(key: &[&str], message: impl Into<String>) -> DeckError {
    DeckError {
        key: key.iter().map(|s| s.to_string()).collect(),
        message: message.into(),
    }
}

impl Battery {
    pub fn from_object(o: &Object) -> Result<Battery, DeckError> {
        let model = o.opt_str("model").unwrap_or("spme").to_string();
        let set = o.opt_str("parameter_set").unwrap_or("Chen2020");
        let mut p = params::builtin(set).ok_or_else(|| {
            err(
                &["physics", "parameter_set"],
                format!(
                    "unknown parameter set `{set}`; built-in: {}",
                    params::BUILTIN.join(", ")
                ),
            )
        })?;
        if let Some(t) = o.opt_f64("temperature") {
            p.temperature = t;
        }
        let initial = match o.opt_f64("initial_soc") {
            Some(soc) => params::stoichiometries_at_soc(&p, soc),
            None => (p.c_n0 / p.neg.c_max, p.c_p0 / p.pos.c_max),
        };
        let text = o.opt_str_array("experiment").unwrap_or_default();
        if text.is_empty() {
            return Err(err(
                &["physics", "experiment"],
                "the experiment has no steps",
            ));
        }
        let cycles = o.opt_i64("cycles").unwrap_or(1).max(1) as usize;
        let mut steps = Vec::new();
        for (k, s) in text.iter().enumerate() {
            let st = experiment::parse_step(s, p.nominal_capacity_ah)
                .map_err(|e| err(&["physics", "experiment", &k.to_string()], e.0))?;
            steps.push(st);
        }
        let one = steps.clone();
        for _ in 1..cycles {
            steps.extend(one.iter().cloned());
        }
        let mut points = Points::default();
        if let Some(t) = o.get("points").and_then(|v| v.as_table()) {
            for (k, v) in t {
                let n = v.as_i64().unwrap_or(20).max(2) as usize;
                match k.as_str() {
                    "x_n" => points.x_n = n,
                    "x_s" => points.x_s = n,
                    "x_p" => points.x_p = n,
                    "r_n" => points.r_n = n,
                    "r_p" => points.r_p = n,
                    _ => {}
                }
            }
        }
        if points.r_n != points.r_p {
            return Err(err(
                &["physics", "points"],
                "r_n and r_p must be equal (one particle mesh)",
            ));
        }
        Ok(Battery {
            model,
            params: p,
            initial,
            steps,
            points,
            period: o.opt_f64("period").unwrap_or(1.0),
        })
    }

    /// Run the experiment.
    pub fn run(&self) -> Result<Outcome, String> {
        let (x, y) = self.initial;
        match self.model.as_str() {
            "dfn" => runner::run(
                Dfn::new(self.params.clone(), x, y, self.points),
                &self.steps,
                self.period,
            ),
            "spm" => runner::run(
                Spm::new(self.params.clone(), x, y, self.points.r_n),
                &self.steps,
                self.period,
            ),
            _ => runner::run(
                Spme::new(self.params.clone(), x, y, self.points),
                &self.steps,
                self.period,
            ),
        }
    }
}

/// `battery.csv`.
pub fn csv(out: &Outcome) -> String {
    let mut s = String::from("time_s,voltage_V,current_A,discharge_capacity_Ah,step\n");
    for r in &out.rows {
        s.push_str(&format!(
            "{:.6},{:.9},{:.9},{:.9},{}\n",
            r.time_s, r.voltage_v, r.current_a, r.discharge_capacity_ah, r.step
        ));
    }
    s
}
