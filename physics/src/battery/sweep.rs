//! `[sweep]` of battery decks: many cells that differ from the deck's `[physics]` cell in a
//! few design parameters (electrode thickness, C-rate, temperature, ...), as a Cartesian grid
//! or as explicit lists. Every sweepable name is in [`KNOBS`], with its unit and what it sets;
//! the deck declaration (`galvana check`, `galvana docs`) is made from that one table.
//! The engine runs the cells (`engine/src/battery_sweep.rs`); this module only says what
//! they are.

use super::deck::{Battery, DeckError};
use super::experiment::{Drive, Step};
use super::params::{self, ParameterSet};
use galvana_decks::schema::{ParamKind, ParamSpec};
use galvana_decks::{FixedSection, Object};

/// What one sweep value acts on.
pub struct Target<'a> {
    pub params: &'a mut ParameterSet,
    pub steps: &'a mut [Step],
    /// The state of charge to start from (`None`: the deck's `initial_concentrations`).
    pub soc: &'a mut Option<f64>,
}

/// A sweepable parameter: its deck name, unit, admissible range and what it sets.
pub struct Knob {
    pub name: &'static str,
    /// SI unit ("" for none); also the suffix of its `sweep.csv` column.
    pub unit: &'static str,
    /// Values must be > `above` (or >= when `inclusive`) and <= `max`.
    pub above: f64,
    pub inclusive: bool,
    pub max: Option<f64>,
    pub description: &'static str,
    pub apply: fn(&mut Target, f64),
}

/// Every parameter a sweep can vary: the one table the deck declaration, the checks and the
/// cells are made from.
pub const KNOBS: &[Knob] = &[
    Knob {
        name: "thickness_n",
        unit: "m",
        above: 0.0,
        inclusive: false,
        max: None,
        description: "Negative electrode thickness, each > 0 (a parameter file's `[negative_electrode] thickness`).",
        apply: |t, v| t.params.neg.thickness = v,
    },
    Knob {
        name: "thickness_s",
        unit: "m",
        above: 0.0,
        inclusive: false,
        max: None,
        description: "Separator thickness, each > 0 (`[separator] thickness`).",
        apply: |t, v| t.params.sep_thickness = v,
    },
    Knob {
        name: "thickness_p",
        unit: "m",
        above: 0.0,
        inclusive: false,
        max: None,
        description: "Positive electrode thickness, each > 0 (`[positive_electrode] thickness`).",
        apply: |t, v| t.params.pos.thickness = v,
    },
    Knob {
        name: "particle_radius_n",
        unit: "m",
        above: 0.0,
        inclusive: false,
        max: None,
        description: "Negative particle radius, each > 0 (`[negative_electrode] particle_radius`).",
        apply: |t, v| t.params.neg.particle_radius = v,
    },
    Knob {
        name: "particle_radius_p",
        unit: "m",
        above: 0.0,
        inclusive: false,
        max: None,
        description: "Positive particle radius, each > 0 (`[positive_electrode] particle_radius`).",
        apply: |t, v| t.params.pos.particle_radius = v,
    },
    Knob {
        name: "c_rate",
        unit: "",
        above: 0.0,
        inclusive: false,
        max: None,
        description: "C-rate of every constant-current discharge step of the experiment, each > 0: the current is c_rate × the parameter set's nominal capacity (which thickness does not change), as `Discharge at <c_rate>C` would set it. Charge steps keep theirs.",
        apply: |t, v| set_discharge_current(t.steps, v * t.params.nominal_capacity_ah),
    },
    Knob {
        name: "current",
        unit: "A",
        above: 0.0,
        inclusive: false,
        max: None,
        description: "Current of every constant-current discharge step of the experiment, each > 0 (instead of `c_rate`).",
        apply: |t, v| set_discharge_current(t.steps, v),
    },
    Knob {
        name: "temperature",
        unit: "K",
        above: 1.0,
        inclusive: true,
        max: None,
        description: "Cell temperature (isothermal), each >= 1, as `[physics] temperature`.",
        apply: |t, v| t.params.temperature = v,
    },
    Knob {
        name: "initial_soc",
        unit: "",
        above: 0.0,
        inclusive: true,
        max: Some(1.0),
        description: "State of charge to start from, each in [0, 1], as `[physics] initial_soc` (replacing `initial_concentrations`). Without it, a deck's `initial_soc` is applied to each cell's own parameters (thickness moves the stoichiometry window's lithium inventory).",
        apply: |t, v| *t.soc = Some(v),
    },
];

/// How lists combine into cells.
pub const COMBINE: &[&str] = &["grid", "zip"];

/// At most this many cells in one sweep (a typo like `[1e6 values]` should not fill a disk).
pub const MAX_CELLS: usize = 1_000_000;

/// The declaration of `[sweep]`, made from [`KNOBS`].
pub fn section() -> FixedSection {
    let mut params = vec![
        ParamSpec::optional(
            "combine",
            ParamKind::Choice(COMBINE),
            "",
            "\"grid\"",
            "`grid`: every combination of the lists (Cartesian product; the first key written varies slowest). `zip`: the lists have one length n and cell k takes the k-th entry of each.",
        ),
        ParamSpec::optional(
            "threads",
            ParamKind::Int { min: Some(0), max: Some(4096) },
            "",
            "0",
            "Threads per MPI rank; 0: `SLURM_CPUS_PER_TASK` if set, else the cores this process may use divided by the ranks on its node.",
        ),
    ];
    for k in KNOBS {
        params.push(ParamSpec::maybe(
            k.name,
            ParamKind::FloatArray { len: None },
            k.unit,
            k.description,
        ));
    }
    FixedSection {
        path: "sweep",
        description: "A design sweep of battery decks: the [physics] cell run once for each combination of the values listed here (cells spread over MPI ranks and threads); writes sweep.csv, one row per cell, instead of battery.csv. See docs/battery.md, \"Design sweeps\".",
        params,
    }
}

/// Set every constant-current discharge step to `i` [A].
fn set_discharge_current(steps: &mut [Step], i: f64) {
    for s in steps {
        if matches!(s.drive, Drive::Current(c) if c > 0.0) {
            s.drive = Drive::Current(i);
        }
    }
}

/// A checked sweep: the swept knobs (deck order) and each cell's values.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Indices into [`KNOBS`], in the order written.
    pub knobs: Vec<usize>,
    /// One entry per cell, values in the order of `knobs`.
    pub cells: Vec<Vec<f64>>,
    /// `threads` (0: automatic).
    pub threads: usize,
    /// `initial_soc` of the deck's `[physics]`, if it gives one.
    deck_soc: Option<f64>,
}

fn err(key: &[&str], message: impl Into<String>) -> DeckError {
    DeckError {
        key: key.iter().map(|s| s.to_string()).collect(),
        message: message.into(),
        help: None,
    }
}

impl Sweep {
    /// The sweep of the checked `[sweep]` object `o`, for the deck's `physics` and its cell
    /// `base`. Errors name the key (and array index) they are about.
    pub fn from_object(o: &Object, physics: &Object, base: &Battery) -> Result<Sweep, DeckError> {
        let mut written: Vec<(usize, &str)> = o
            .params
            .iter()
            .filter(|(_, v)| !v.defaulted)
            .map(|(k, v)| (v.key_span.unwrap_or(v.span).start, k.as_str()))
            .collect();
        written.sort();
        let grid = o.opt_str("combine").unwrap_or("grid") == "grid";
        let mut knobs = Vec::new();
        let mut lists = Vec::new();
        for (_, name) in written {
            let Some(ki) = KNOBS.iter().position(|k| k.name == name) else {
                continue;
            };
            let values = o.opt_f64_array(name).unwrap_or_default();
            check_list(&KNOBS[ki], &values, grid)?;
            knobs.push(ki);
            lists.push(values);
        }
        if knobs.is_empty() {
            let names: Vec<&str> = KNOBS.iter().map(|k| k.name).collect();
            return Err(
                err(&["sweep"], "the sweep lists no parameter").with_help(format!(
                    "list values of one or more of: {}",
                    names.join(", ")
                )),
            );
        }
        let has = |n: &str| knobs.iter().any(|&k| KNOBS[k].name == n);
        if has("c_rate") && has("current") {
            return Err(err(
                &["sweep", "current"],
                "sweep `c_rate` or `current`, not both: both set the discharge current",
            ));
        }
        for name in ["c_rate", "current"] {
            let cc = base
                .steps
                .iter()
                .any(|s| matches!(s.drive, Drive::Current(c) if c > 0.0));
            if has(name) && !cc {
                return Err(err(
                    &["sweep", name],
                    format!("`{name}` sets the current of constant-current discharge steps, and the experiment has none"),
                )
                .with_help("add a step like \"Discharge at 1C until 2.5 V\" to `experiment`"));
            }
        }
        let cells = combine(o, &knobs, &lists)?;
        let threads = o.opt_i64("threads").unwrap_or(0).max(0) as usize;
        Ok(Sweep {
            knobs,
            cells,
            threads,
            deck_soc: physics.opt_f64("initial_soc"),
        })
    }

    /// The swept names, in column order.
    pub fn names(&self) -> Vec<&'static str> {
        self.knobs.iter().map(|&k| KNOBS[k].name).collect()
    }

    /// `sweep.csv` column names of the swept values (`thickness_n_m`, `c_rate`, ...).
    pub fn columns(&self) -> Vec<String> {
        self.knobs
            .iter()
            .map(|&k| match KNOBS[k].unit {
                "" => KNOBS[k].name.to_string(),
                u => format!("{}_{}", KNOBS[k].name, u),
            })
            .collect()
    }

    /// The cell `k`: `base` with the sweep's values set, its initial state recomputed from
    /// the state of charge (swept or the deck's) with the changed parameters, exactly as a
    /// deck giving these values itself would be read. `Err` when no initial state exists
    /// (the cell fails; the sweep goes on).
    pub fn battery(&self, base: &Battery, k: usize) -> Result<Battery, String> {
        let mut b = base.clone();
        let mut soc = self.deck_soc;
        {
            let mut t = Target {
                params: &mut b.params,
                steps: &mut b.steps,
                soc: &mut soc,
            };
            for (&ki, &v) in self.knobs.iter().zip(&self.cells[k]) {
                (KNOBS[ki].apply)(&mut t, v);
            }
        }
        if let Some(s) = soc {
            params::soc_window(&b.params)?;
            b.initial = params::stoichiometries_at_soc(&b.params, s);
        }
        Ok(b)
    }
}

/// Each value in the knob's range; in a grid, none twice (a zip may repeat values).
fn check_list(k: &Knob, values: &[f64], grid: bool) -> Result<(), DeckError> {
    if values.is_empty() {
        return Err(err(
            &["sweep", k.name],
            format!("`{}` lists no values", k.name),
        ));
    }
    for (i, &v) in values.iter().enumerate() {
        let low = if k.inclusive {
            v >= k.above
        } else {
            v > k.above
        };
        let high = k.max.is_none_or(|m| v <= m);
        if !(v.is_finite() && low && high) {
            let range = match (k.inclusive, k.max) {
                (true, Some(m)) => format!("between {} and {m}", k.above),
                (true, None) => format!(">= {}", k.above),
                (false, Some(m)) => format!("> {} and <= {m}", k.above),
                (false, None) => format!("> {}", k.above),
            };
            let value = match k.unit {
                "" => v.to_string(),
                u => format!("{v} {u}"),
            };
            return Err(err(
                &["sweep", k.name, &i.to_string()],
                format!("`{}[{i}]` = {value} must be {range}", k.name),
            ));
        }
        if let Some(j) = values[..i].iter().position(|&w| w == v).filter(|_| grid) {
            return Err(err(
                &["sweep", k.name, &i.to_string()],
                format!("`{}[{i}]` = {v} repeats `{}[{j}]`", k.name, k.name),
            )
            .with_help("list each value once"));
        }
    }
    Ok(())
}

/// The cells of `lists` as `combine` says.
fn combine(o: &Object, knobs: &[usize], lists: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, DeckError> {
    let mode = o.opt_str("combine").unwrap_or("grid");
    if mode == "zip" {
        let n = lists[0].len();
        if let Some(j) = lists.iter().position(|l| l.len() != n) {
            let (a, b) = (KNOBS[knobs[0]].name, KNOBS[knobs[j]].name);
            return Err(err(
                &["sweep", b],
                format!(
                    "with `combine = \"zip\"` every list has the same length: `{b}` has {}, `{a}` has {n}",
                    lists[j].len()
                ),
            )
            .with_help("or use `combine = \"grid\"` for every combination"));
        }
        return Ok((0..n)
            .map(|k| lists.iter().map(|l| l[k]).collect())
            .collect());
    }
    let total = lists
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))
        .filter(|&n| n <= MAX_CELLS);
    let Some(total) = total else {
        return Err(err(
            &["sweep"],
            format!("the grid has more than {MAX_CELLS} cells"),
        ));
    };
    // The first list varies slowest, as nested loops in deck order.
    let mut cells = Vec::with_capacity(total);
    for mut k in 0..total {
        let mut cell = vec![0.0; lists.len()];
        for (j, l) in lists.iter().enumerate().rev() {
            cell[j] = l[k % l.len()];
            k /= l.len();
        }
        cells.push(cell);
    }
    Ok(cells)
}
