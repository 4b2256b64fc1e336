//! `[calibration]` of battery decks: fit parameters of the deck's `[physics]` cell to a
//! measured dataset (or an equivalent circuit to a measured spectrum), by least squares or
//! ensemble MCMC. This module declares the section and checks it; the engine reads the dataset
//! and runs the fit (`engine/src/calibration_run.rs`). See docs/calibration.md.

use super::battery::{knob, KNOBS};
use super::eis::Circuit;
use super::lsq::LsqOptions;
use super::mcmc::{McmcOptions, Noise};
use super::problem::{Param, Scale};
use crate::battery::deck::DeckError;
use galvana_decks::schema::{ParamKind, ParamSpec};
use galvana_decks::{did_you_mean, FixedSection, Object, Value};

pub const METHODS: &[&str] = &["least_squares", "mcmc"];
pub const MODELS: &[&str] = &["cell", "cell_spectrum", "circuit"];
pub const WEIGHTINGS: &[&str] = &["unit", "modulus"];
/// The keys of one `parameters.<name>` table.
pub const PARAM_KEYS: &[&str] = &["initial", "lower", "upper", "scale"];

/// The declaration of `[calibration]`.
pub fn section() -> FixedSection {
    FixedSection {
        path: "calibration",
        description: "Fit parameters of the [physics] cell (driven by the dataset's measured current) or its small-signal impedance at rest (`model = \"cell_spectrum\"`) or an equivalent circuit (`model = \"circuit\"`) to the dataset's spectrum, by bounded least squares or ensemble MCMC; model evaluations spread over MPI ranks and threads. Writes summary.json (estimates, σ, intervals, diagnostics), fit.csv and, for MCMC, samples.csv and samples.h5. The cell's `experiment` is replaced by the dataset. See docs/calibration.md.",
        params: vec![
            ParamSpec::required(
                "dataset",
                ParamKind::Path,
                "",
                "The measured data, relative to the deck: a normalised dataset (HDF5 written by `galvana import`, or CSV with the normalised column names) or any instrument export `galvana import` reads. A cell needs time_s, current_A (> 0 charging, the instrument's sign) and potential_V; a spectrum fit (cell_spectrum, circuit) needs frequency_Hz, z_real_ohm, z_imag_ohm (potentiostat sign, Im Z < 0 capacitive).",
            ),
            ParamSpec::optional(
                "model",
                ParamKind::Choice(MODELS),
                "",
                "\"cell\"",
                "`cell`: the [physics] cell driven by −current_A, voltage compared with potential_V. `cell_spectrum`: the [physics] cell's model (spm, spme or dfn) linearised at rest at its initial state, Z(f) plus contact_resistance compared with the spectrum. `circuit`: the equivalent circuit `circuit` compared with the spectrum.",
            ),
            ParamSpec::maybe(
                "circuit",
                ParamKind::String,
                "",
                "For `model = \"circuit\"`: the circuit in impedance.py's grammar, e.g. \"R0-p(R1,CPE1)\" (parameters R0, R1, CPE1_0, CPE1_1; docs/eis.md).",
            ),
            ParamSpec::optional(
                "weighting",
                ParamKind::Choice(WEIGHTINGS),
                "",
                "\"unit\"",
                "For spectrum fits (`cell_spectrum`, `circuit`): residuals in ohm (`unit`) or relative to |Z| of the data (`modulus`).",
            ),
            ParamSpec::required(
                "parameters",
                ParamKind::Any,
                "",
                "The fitted parameters, one table each: `parameters.<name> = { initial = ..., lower = ..., upper = ..., scale = \"log\" | \"linear\" }` (scale optional: each name has a default). Cell names: diffusivity_n_factor, diffusivity_p_factor, exchange_current_n_factor, exchange_current_p_factor (factors on the parameter set's functions), contact_resistance [Ohm], initial_sto_n, initial_sto_p, initial_soc, electrode_area [m2], particle_radius_n, particle_radius_p [m], temperature [K]. The same names for `cell_spectrum` (the initial-state names set the rest state the cell is linearised at). Circuit names: the circuit's (R0, CPE1_0, ...).",
            ),
            ParamSpec::optional(
                "method",
                ParamKind::Choice(METHODS),
                "",
                "\"least_squares\"",
                "`least_squares`: bounded Levenberg–Marquardt with covariance, standard errors and 95 % intervals. `mcmc`: least squares first, then an affine-invariant ensemble sampler started around its optimum (credible intervals, autocorrelation time, split-R̂, ESS).",
            ),
            ParamSpec::maybe(
                "window",
                ParamKind::FloatArray { len: Some(2) },
                "s",
                "Fit only the rows with time_s in [start, end] (dataset time); the cell starts at the window's first row in the [physics] initial state.",
            ),
            ParamSpec::maybe(
                "noise_sigma",
                ParamKind::Float { min: Some(0.0), max: None },
                "V",
                "Known standard deviation of the measurement noise (V for a cell, ohm for a circuit: the residual's unit). Without it, least squares estimates it from the residuals and MCMC samples it (log-uniform on `noise_sigma_bounds`).",
            ),
            ParamSpec::optional(
                "noise_sigma_bounds",
                ParamKind::FloatArray { len: Some(2) },
                "V",
                "[1e-6, 1.0]",
                "Prior range of the sampled noise σ (MCMC without `noise_sigma`).",
            ),
            ParamSpec::maybe(
                "period",
                ParamKind::Float { min: Some(1e-3), max: None },
                "s",
                "Longest model time step at rest (under current at most 1 s); the data times are always step ends (default: the smallest data spacing, at least 1/20000 of the span).",
            ),
            ParamSpec::optional(
                "max_iterations",
                ParamKind::Int { min: Some(1), max: Some(10_000) },
                "",
                "50",
                "Most Levenberg–Marquardt iterations.",
            ),
            ParamSpec::optional(
                "fd_step",
                ParamKind::Float { min: Some(1e-10), max: Some(0.1) },
                "1",
                "1e-3",
                "Central-difference step of the Jacobian, as a fraction of each parameter's range in its scale (ln θ for log). Cell models carry the noise of their adaptive time stepping: much smaller steps differentiate that noise (1e-4 stalls the example deck's fit).",
            ),
            ParamSpec::optional(
                "walkers",
                ParamKind::Int { min: Some(2), max: Some(100_000) },
                "",
                "32",
                "MCMC: ensemble size, even and at least twice the sampled dimension.",
            ),
            ParamSpec::optional(
                "steps",
                ParamKind::Int { min: Some(1), max: Some(10_000_000) },
                "",
                "1000",
                "MCMC: steps kept after the burn-in (before thinning).",
            ),
            ParamSpec::optional(
                "burn",
                ParamKind::Int { min: Some(0), max: Some(10_000_000) },
                "",
                "500",
                "MCMC: steps discarded at the start.",
            ),
            ParamSpec::optional(
                "thin",
                ParamKind::Int { min: Some(1), max: Some(1_000_000) },
                "",
                "1",
                "MCMC: keep every thin-th step.",
            ),
            ParamSpec::optional(
                "seed",
                ParamKind::Int { min: Some(0), max: None },
                "",
                "1",
                "MCMC: seed of the random numbers (the chain is the same for any rank or thread count).",
            ),
            ParamSpec::optional(
                "stretch",
                ParamKind::Float { min: Some(1.0001), max: Some(100.0) },
                "1",
                "2.0",
                "MCMC: scale a of the stretch move (Goodman & Weare's 2).",
            ),
            ParamSpec::optional(
                "threads",
                ParamKind::Int { min: Some(0), max: Some(4096) },
                "",
                "0",
                "Threads per MPI rank; 0: `SLURM_CPUS_PER_TASK` if set, else the cores this process may use divided by the ranks on its node.",
            ),
        ],
    }
}

/// Fittable names, their units and default bounds.
type Names = (Vec<String>, Vec<String>, Vec<Option<(f64, f64)>>);

/// What to fit.
#[derive(Clone, Debug)]
pub enum Target {
    /// The [physics] cell; indices into [`KNOBS`] in parameter order.
    Cell { knobs: Vec<usize> },
    /// The [physics] cell's linearised impedance at rest, to a spectrum.
    CellSpectrum { knobs: Vec<usize>, modulus: bool },
    /// An equivalent circuit (every parameter fitted); fitted parameter k is the circuit's
    /// parameter `index[k]`.
    Circuit {
        circuit: Circuit,
        index: Vec<usize>,
        modulus: bool,
    },
}

/// A checked `[calibration]`.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub dataset: String,
    pub target: Target,
    pub params: Vec<Param>,
    pub mcmc: bool,
    pub window: (Option<f64>, Option<f64>),
    pub period: Option<f64>,
    pub lsq: LsqOptions,
    pub sampler: McmcOptions,
    pub threads: usize,
}

fn err(key: &[&str], message: impl Into<String>) -> DeckError {
    DeckError {
        key: key.iter().map(|s| s.to_string()).collect(),
        message: message.into(),
        help: None,
    }
}

fn help(mut e: DeckError, h: impl Into<String>) -> DeckError {
    e.help = Some(h.into());
    e
}

impl Calibration {
    /// The checked `[calibration]` object `o`. Errors name the key they are about.
    pub fn from_object(o: &Object) -> Result<Calibration, DeckError> {
        let dataset = o.opt_str("dataset").unwrap_or_default().to_string();
        let model = o.opt_str("model").unwrap_or("cell");
        let (allowed, units, defaults): Names = if model == "circuit" {
            let text = o.opt_str("circuit").ok_or_else(|| {
                help(
                    err(&["calibration"], "`model = \"circuit\"` needs `circuit`"),
                    "e.g. circuit = \"R0-p(R1,CPE1)\"",
                )
            })?;
            let c = Circuit::parse(text)
                .map_err(|e| err(&["calibration", "circuit"], format!("`circuit`: {e}")))?;
            (
                c.param_names(),
                c.param_units().iter().map(|s| s.to_string()).collect(),
                c.default_bounds().into_iter().map(Some).collect(),
            )
        } else {
            if o.get("circuit").is_some() {
                return Err(err(
                        &["calibration", "circuit"],
                        "`circuit` is for `model = \"circuit\"`; this calibration fits the [physics] cell",
                    ));
            }
            (
                KNOBS.iter().map(|k| k.name.to_string()).collect(),
                KNOBS.iter().map(|k| k.unit.to_string()).collect(),
                vec![None; KNOBS.len()],
            )
        };
        let table = o.get("parameters").and_then(Value::as_table);
        let Some(table) = table.filter(|t| !t.is_empty()) else {
            return Err(help(
                err(
                    &["calibration", "parameters"],
                    "`parameters` must be a table naming at least one fitted parameter",
                ),
                format!(
                    "e.g. parameters.{} = {{ initial = 1.0, lower = 0.1, upper = 10.0 }}",
                    allowed[0]
                ),
            ));
        };
        // Deck order, so θ follows what the user wrote.
        let mut written: Vec<(&String, &Value)> = table.iter().collect();
        written.sort_by_key(|(_, v)| v.key_span.unwrap_or(v.span).start);
        let mut params = Vec::new();
        let mut idx = Vec::new();
        for (name, v) in written {
            let key = ["calibration", "parameters", name.as_str()];
            let Some(k) = allowed.iter().position(|a| a == name) else {
                let h = did_you_mean(name, &allowed)
                    .map(|c| format!("did you mean `{c}`?"))
                    .unwrap_or_else(|| format!("fittable: {}", allowed.join(", ")));
                return Err(help(
                    err(
                        &key,
                        format!("`{name}` is not a parameter this calibration can fit"),
                    ),
                    h,
                ));
            };
            let Some(t) = v.as_table() else {
                return Err(help(
                    err(&key, format!("`parameters.{name}` must be a table")),
                    "{ initial = ..., lower = ..., upper = ..., scale = \"log\" }",
                ));
            };
            for kk in t.keys() {
                if !PARAM_KEYS.contains(&kk.as_str()) {
                    let mut e = err(
                        &[key[0], key[1], key[2], kk],
                        format!("unknown key `{kk}` in `parameters.{name}`"),
                    );
                    e.help = Some(
                        did_you_mean(kk, PARAM_KEYS)
                            .map(|c| format!("did you mean `{c}`?"))
                            .unwrap_or_else(|| format!("keys: {}", PARAM_KEYS.join(", "))),
                    );
                    return Err(e);
                }
            }
            let num = |f: &str, dflt: Option<f64>| -> Result<f64, DeckError> {
                match t.get(f) {
                    Some(x) => x.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                        err(
                            &[key[0], key[1], key[2], f],
                            format!("`parameters.{name}.{f}` must be a number"),
                        )
                    }),
                    // The circuit's defaults may be unbounded above (resistances, capacitances),
                    // and the fit needs a finite box: ask for the bound then.
                    None => dflt.filter(|x| x.is_finite()).ok_or_else(|| {
                        let e = err(&key, format!("`parameters.{name}` needs `{f}`"));
                        match dflt {
                            Some(_) => help(e, format!("the default {f} bound of `{name}` is unbounded; give a finite `{f}` (the fit searches a finite box)")),
                            None => e,
                        }
                    }),
                }
            };
            let (dl, du) = match defaults[k] {
                Some((a, b)) => (Some(a), Some(b)),
                None => (None, None),
            };
            let lower = num("lower", dl)?;
            let upper = num("upper", du)?;
            let initial = num("initial", None)?;
            let scale = match t.get("scale") {
                None => match &KNOBS.get(k) {
                    Some(kn) if model != "circuit" => kn.scale,
                    _ if lower > 0.0 => Scale::Log,
                    _ => Scale::Linear,
                },
                Some(s) => s.as_str().and_then(Scale::parse).ok_or_else(|| {
                    help(
                        err(&[key[0], key[1], key[2], "scale"], format!("`parameters.{name}.scale` must be \"log\" or \"linear\"")),
                        "log for positive scale parameters (diffusivities, rate factors), linear otherwise",
                    )
                })?,
            };
            let p = Param::new(name, &units[k], initial, lower, upper, scale);
            p.check().map_err(|m| err(&key, m))?;
            params.push(p);
            idx.push(k);
        }
        let target = if model == "circuit" {
            let c =
                Circuit::parse(o.opt_str("circuit").unwrap_or_default()).expect("checked above");
            if idx.len() != c.n_params() {
                let missing: Vec<&str> = allowed
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| !idx.contains(k))
                    .map(|(_, a)| a.as_str())
                    .collect();
                return Err(err(
                    &["calibration", "parameters"],
                    format!(
                        "every circuit parameter is fitted; missing: {}",
                        missing.join(", ")
                    ),
                ));
            }
            Target::Circuit {
                circuit: c,
                index: idx,
                modulus: o.opt_str("weighting") == Some("modulus"),
            }
        } else {
            let has = |n: &str| idx.iter().any(|&k| KNOBS[k].name == n);
            if has("initial_soc") && (has("initial_sto_n") || has("initial_sto_p")) {
                return Err(err(
                    &["calibration", "parameters", "initial_soc"],
                    "fit `initial_soc` or the initial stoichiometries, not both",
                ));
            }
            if model == "cell_spectrum" {
                Target::CellSpectrum {
                    knobs: idx,
                    modulus: o.opt_str("weighting") == Some("modulus"),
                }
            } else {
                Target::Cell { knobs: idx }
            }
        };
        if model != "cell" {
            for key in ["window", "period"] {
                if o.get(key).is_some() {
                    return Err(err(
                        &["calibration", key],
                        format!("`{key}` is for time series (`model = \"cell\"`); a spectrum fit has no time"),
                    ));
                }
            }
        }
        let window = match o.opt_f64_array("window") {
            Some(w) if w[0] >= w[1] => {
                return Err(err(
                    &["calibration", "window"],
                    format!(
                        "`window` = [{}, {}] s: the start must precede the end",
                        w[0], w[1]
                    ),
                ))
            }
            Some(w) => (Some(w[0]), Some(w[1])),
            None => (None, None),
        };
        let noise_sigma = o.opt_f64("noise_sigma");
        if noise_sigma == Some(0.0) {
            return Err(err(
                &["calibration", "noise_sigma"],
                "`noise_sigma` must be > 0",
            ));
        }
        let sb = o
            .opt_f64_array("noise_sigma_bounds")
            .unwrap_or(vec![1e-6, 1.0]);
        if !(sb[0] > 0.0 && sb[0] < sb[1]) {
            return Err(err(
                &["calibration", "noise_sigma_bounds"],
                format!(
                    "`noise_sigma_bounds` = [{}, {}] must satisfy 0 < lower < upper",
                    sb[0], sb[1]
                ),
            ));
        }
        let walkers = o.opt_i64("walkers").unwrap_or(32) as usize;
        let dim = params.len() + usize::from(noise_sigma.is_none());
        let mcmc = o.opt_str("method") == Some("mcmc");
        if mcmc && (!walkers.is_multiple_of(2) || walkers < 2 * dim) {
            return Err(help(
                err(
                    &["calibration", "walkers"],
                    format!("{walkers} walkers: the stretch move needs an even number, at least twice the {dim} sampled dimensions"),
                ),
                format!("use walkers = {}", (2 * dim).max(walkers + walkers % 2)),
            ));
        }
        let noise = match noise_sigma {
            Some(s) => Noise::Known(s),
            None => Noise::Fitted {
                initial: (sb[0] * sb[1]).sqrt(),
                lower: sb[0],
                upper: sb[1],
            },
        };
        Ok(Calibration {
            dataset,
            target,
            params,
            mcmc,
            window,
            period: o.opt_f64("period"),
            lsq: LsqOptions {
                max_iter: o.opt_i64("max_iterations").unwrap_or(50) as usize,
                ftol: 1e-10,
                fd_step: o.opt_f64("fd_step").unwrap_or(1e-3),
                noise_sigma,
            },
            sampler: McmcOptions {
                walkers,
                steps: o.opt_i64("steps").unwrap_or(1000) as usize,
                burn: o.opt_i64("burn").unwrap_or(500) as usize,
                thin: o.opt_i64("thin").unwrap_or(1) as usize,
                seed: o.opt_i64("seed").unwrap_or(1) as u64,
                stretch: o.opt_f64("stretch").unwrap_or(2.0),
                noise,
            },
            threads: o.opt_i64("threads").unwrap_or(0) as usize,
        })
    }

    pub fn is_circuit(&self) -> bool {
        matches!(self.target, Target::Circuit { .. })
    }

    /// The deck's `model` name of the target.
    pub fn model_name(&self) -> &'static str {
        match self.target {
            Target::Cell { .. } => "cell",
            Target::CellSpectrum { .. } => "cell_spectrum",
            Target::Circuit { .. } => "circuit",
        }
    }

    /// Whether the dataset is an impedance spectrum (circuit and cell-spectrum fits).
    pub fn is_spectrum(&self) -> bool {
        !matches!(self.target, Target::Cell { .. })
    }

    /// The normalised dataset columns this calibration reads (the engine and the gateway's
    /// check both require them).
    pub fn columns(&self) -> &'static [&'static str] {
        if self.is_spectrum() {
            &["frequency_Hz", "z_real_ohm", "z_imag_ohm"]
        } else {
            &["time_s", "current_A", "potential_V"]
        }
    }
}

/// A knob's index by name, for callers that build calibrations in code.
pub fn cell_knob(name: &str) -> Option<usize> {
    knob(name)
}
