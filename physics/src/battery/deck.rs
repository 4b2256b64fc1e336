//! `[physics] type = "battery"`: a lithium-ion cell (SPM, SPMe, DFN) run through an experiment.
//! Battery decks have no `[mesh]`: the model meshes its domains itself (`points`).

use super::dfn::Dfn;
use super::experiment::{self, Step};
use super::params::file;
use super::params::{self, ParameterSet};
use super::runner::{self, Outcome};
use super::spm::Spm;
use super::spme::{Points, Spme};
use super::Fields;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use galvana_decks::{did_you_mean, Object};
use std::path::Path;

pub const MODELS: &[&str] = &["spm", "spme", "dfn"];
pub const POINT_KEYS: &[&str] = &["x_n", "x_s", "x_p", "r_n", "r_p"];
pub const INITIAL_KEYS: &[&str] = &["c_n", "c_p"];

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
                ParamKind::NameOrPath(params::BUILTIN),
                "",
                "\"Chen2020\"",
                "A built-in parameter set (`Chen2020`, `Marquis2019`, as PyBaMM ships them) or a parameter file (TOML, relative to the deck; the form is in docs/battery.md).",
            ),
            ParamSpec::maybe(
                "initial_soc",
                ParamKind::Float { min: Some(0.0), max: Some(1.0) },
                "",
                "State of charge to start from, as PyBaMM's `set_initial_state` (stoichiometries where the OCV equals the set's voltages at 0 % and 100 % SOC, with the set's cyclable lithium). Give this or `initial_concentrations`.",
            ),
            ParamSpec::maybe(
                "initial_concentrations",
                ParamKind::FloatMap { keys: INITIAL_KEYS, min: Some(0.0) },
                "mol/m3",
                "Uniform particle concentrations to start from, negative (`c_n`) and positive (`c_p`), each below the electrode's maximum. Give this or `initial_soc`.",
            ),
            ParamSpec::maybe(
                "experiment",
                ParamKind::StringArray,
                "",
                "Required unless the deck has a [calibration] (whose dataset drives the cell instead). Steps as PyBaMM writes them, e.g. [\"Discharge at 1C until 2.5 V\", \"Rest for 1 hour\", \"Charge at 0.5C until 4.2 V\", \"Hold at 4.2 V until C/50\"]; currents in C, A or mA, power in W; a drive cycle as \"Run drive_cycle.csv\" (time_s,current_A rows, linear between rows, relative to the deck; docs/battery.md).",
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
            ParamSpec::maybe(
                "field_times",
                ParamKind::FloatArray { len: None },
                "s",
                "Experiment times at which to write the model's internal state (c_e(x), φ_e(x), φ_s(x), c_s(x, r), as the model has them) to battery_fields.h5; each >= 0, strictly increasing. The time stepping lands on each exactly; times after the end of the run are skipped (listed in summary.json). No file without this key.",
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
    /// `field_times` (empty: no battery_fields.h5).
    pub field_times: Vec<f64>,
}

/// An error with the deck key it is about (for `path:line:col` messages).
#[derive(Debug)]
pub struct DeckError {
    pub key: Vec<String>,
    pub message: String,
    pub help: Option<String>,
}

fn err(key: &[&str], message: impl Into<String>) -> DeckError {
    DeckError {
        key: key.iter().map(|s| s.to_string()).collect(),
        message: message.into(),
        help: None,
    }
}

impl DeckError {
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> DeckError {
        self.help = Some(help.into());
        self
    }
}

/// The parameter set `set`: a built-in name, else a file relative to `deck_dir` (`None`: no
/// directory to read from, so only built-in sets are accepted).
fn parameter_set(set: &str, deck_dir: Option<&Path>) -> Result<ParameterSet, DeckError> {
    const KEY: &[&str] = &["physics", "parameter_set"];
    if let Some(p) = params::builtin(set) {
        return Ok(p);
    }
    let looks_like_file = set.ends_with(".toml") || set.contains('/') || set.contains('\\');
    if !looks_like_file {
        let help = match did_you_mean(set, params::BUILTIN) {
            Some(c) => format!("did you mean `{c}`?"),
            None => "a parameter file is named by its path, ending in `.toml`".into(),
        };
        return Err(err(
            KEY,
            format!(
                "unknown parameter set `{set}`; built-in: {}",
                params::BUILTIN.join(", ")
            ),
        )
        .with_help(help));
    }
    let Some(dir) = deck_dir else {
        return Err(err(
            KEY,
            format!("parameter set `{set}` is a file, and only the deck itself is available here"),
        )
        .with_help(format!(
            "use a built-in set ({})",
            params::BUILTIN.join(", ")
        )));
    };
    file::load(&dir.join(set)).map_err(|errors| {
        let first = &errors[0];
        let mut message = format!("in the parameter file: {}", first.located());
        for e in &errors[1..] {
            message.push_str(&format!("\n  {e}"));
        }
        DeckError {
            key: KEY.iter().map(|s| s.to_string()).collect(),
            message,
            help: first.help.clone(),
        }
    })
}

impl Battery {
    /// A battery from a `[physics]` section held without its directory (a deck sent as text):
    /// only built-in parameter sets are accepted.
    pub fn from_object(o: &Object) -> Result<Battery, DeckError> {
        Battery::from_object_at(o, None)
    }

    /// A battery from its checked `[physics]` section, parameter files read relative to
    /// `deck_dir` (`None`: only built-in sets).
    pub fn from_object_at(o: &Object, deck_dir: Option<&Path>) -> Result<Battery, DeckError> {
        if o.get("experiment").is_none() {
            return Err(err(&["physics"], "missing required parameter `experiment` in [physics]")
                .with_help("add `experiment = [\"Discharge at 1C until 2.5 V\"]` (steps as PyBaMM writes them), or a [calibration] section whose dataset drives the cell"));
        }
        Battery::build(o, deck_dir, true)
    }

    /// The cell of a `[calibration]` deck: everything but the experiment, which the calibration
    /// replaces by its dataset (a deck that gives one anyway is refused).
    pub fn cell_from_object_at(o: &Object, deck_dir: Option<&Path>) -> Result<Battery, DeckError> {
        if o.get("experiment").is_some() {
            return Err(err(
                &["physics", "experiment"],
                "a [calibration] deck's cell is driven by the dataset's measured current; it has no `experiment`",
            )
            .with_help("remove `experiment` from [physics]"));
        }
        Battery::build(o, deck_dir, false)
    }

    fn build(
        o: &Object,
        deck_dir: Option<&Path>,
        with_experiment: bool,
    ) -> Result<Battery, DeckError> {
        let model = o.opt_str("model").unwrap_or("spme").to_string();
        let set = o.opt_str("parameter_set").unwrap_or("Chen2020");
        let mut p = parameter_set(set, deck_dir)?;
        if let Some(t) = o.opt_f64("temperature") {
            p.temperature = t;
        }
        let initial = initial_state(o, &p)?;
        let text = o.opt_str_array("experiment").unwrap_or_default();
        if text.is_empty() && with_experiment {
            return Err(err(
                &["physics", "experiment"],
                "the experiment has no steps",
            ));
        }
        let cycles = o.opt_i64("cycles").unwrap_or(1).max(1) as usize;
        let mut steps = Vec::new();
        for (k, s) in text.iter().enumerate() {
            let st = experiment::parse_step_at(s, p.nominal_capacity_ah, deck_dir)
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
        let field_times = field_times(o)?;
        Ok(Battery {
            model,
            params: p,
            initial,
            steps,
            points,
            period: o.opt_f64("period").unwrap_or(1.0),
            field_times,
        })
    }

    /// Run the experiment.
    pub fn run(&self) -> Result<Outcome, String> {
        self.run_recording(&[]).into_result().map(|(o, _)| o)
    }

    /// Run the experiment, keeping the model's internal state at `field_times`.
    pub fn run_with_fields(&self) -> Result<(Outcome, Vec<(f64, Fields)>), String> {
        self.run_partial().into_result()
    }

    /// As [`Battery::run_with_fields`], keeping the rows and fields computed before a failure.
    pub fn run_partial(&self) -> runner::Partial {
        self.run_recording(&self.field_times)
    }

    /// The experiment on this deck's model, with the state kept at `ft` (steps land on them).
    fn run_recording(&self, ft: &[f64]) -> runner::Partial {
        let (x, y) = self.initial;
        match self.model.as_str() {
            "dfn" => runner::run_partial(
                Dfn::new(self.params.clone(), x, y, self.points),
                &self.steps,
                self.period,
                ft,
            ),
            "spm" => runner::run_partial(
                Spm::new(self.params.clone(), x, y, self.points.r_n),
                &self.steps,
                self.period,
                ft,
            ),
            _ => runner::run_partial(
                Spme::new(self.params.clone(), x, y, self.points),
                &self.steps,
                self.period,
                ft,
            ),
        }
    }
}

/// `field_times`: each finite and >= 0, strictly increasing.
fn field_times(o: &Object) -> Result<Vec<f64>, DeckError> {
    const KEY: &[&str] = &["physics", "field_times"];
    if o.get("field_times").is_none() {
        return Ok(Vec::new());
    }
    let Some(t) = o.opt_f64_array("field_times") else {
        return Err(err(
            KEY,
            "`field_times` must be an array of times in seconds",
        ));
    };
    for (k, v) in t.iter().enumerate() {
        if !(v.is_finite() && *v >= 0.0) {
            return Err(err(
                &["physics", "field_times", &k.to_string()],
                format!("`field_times[{k}]` = {v} s must be >= 0"),
            ));
        }
        if k > 0 && *v <= t[k - 1] {
            return Err(err(
                &["physics", "field_times", &k.to_string()],
                format!(
                    "`field_times` must be strictly increasing: `field_times[{k}]` = {v} s follows {} s",
                    t[k - 1]
                ),
            )
            .with_help("list the times in increasing order, each once"));
        }
    }
    Ok(t)
}

/// Stoichiometries to start from: `initial_soc` or `initial_concentrations`, exactly one.
fn initial_state(o: &Object, p: &ParameterSet) -> Result<(f64, f64), DeckError> {
    let soc = o.opt_f64("initial_soc");
    let conc = o.get("initial_concentrations").and_then(|v| v.as_table());
    let own = format!(
        "`initial_soc = 1.0` (full charge) or `initial_concentrations = {{ c_n = {}, c_p = {} }}` ({}'s own initial state)",
        p.c_n0, p.c_p0, p.name
    );
    match (soc, conc) {
        (Some(_), Some(_)) => Err(err(
            &["physics", "initial_concentrations"],
            "give `initial_soc` or `initial_concentrations`, not both",
        )),
        (None, None) => Err(err(
            &["physics"],
            "the initial state is missing: give `initial_soc` or `initial_concentrations`",
        )
        .with_help(format!("e.g. {own}"))),
        (Some(soc), None) => {
            params::soc_window(p).map_err(|m| err(&["physics", "initial_soc"], m))?;
            Ok(params::stoichiometries_at_soc(p, soc))
        }
        (None, Some(t)) => {
            let mut sto = [0.0; 2];
            for (k, (name, e)) in [("c_n", &p.neg), ("c_p", &p.pos)].into_iter().enumerate() {
                let c = t.get(name).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
                if !(c > 0.0 && c < e.c_max) {
                    return Err(err(
                        &["physics", "initial_concentrations", name],
                        format!(
                            "`initial_concentrations.{name}` = {c} mol/m3 must lie strictly between 0 and the electrode's maximum concentration {} mol/m3 ({})",
                            e.c_max, p.name
                        ),
                    ));
                }
                sto[k] = c / e.c_max;
            }
            Ok((sto[0], sto[1]))
        }
    }
}

/// `battery.csv`.
pub fn csv(out: &Outcome) -> String {
    use std::fmt::Write;
    // Formatted straight into one buffer (no string per row), written out once by the caller.
    let mut s = String::with_capacity(64 * (out.rows.len() + 1));
    s.push_str("time_s,voltage_V,current_A,discharge_capacity_Ah,step\n");
    for r in &out.rows {
        let _ = writeln!(
            s,
            "{:.6},{:.9},{:.9},{:.9},{}",
            r.time_s, r.voltage_v, r.current_a, r.discharge_capacity_ah, r.step
        );
    }
    s
}
