//! Cycling analysis of a normalised dataset: steps, cycles, capacities, coulombic and energy
//! efficiency, and DC resistance from current steps (docs/instruments.md, "Cycling analysis").
//!
//! Works on the columns `time_s`, `current_A` (positive = charging), `potential_V`, and uses
//! the instrument's `step`, `cycle` and `charge_Ah` columns when the file has them. Charges
//! are integrated from the logged samples (trapezoid), so every file is analysed the same
//! way whatever counters its instrument keeps; the instrument's own counter is reported
//! beside it per step as a cross-check.

mod cycles;
mod output;
mod pulses;
mod steps;

pub use cycles::{group_cycles, Cycle, CycleSource};
pub use output::{cycles_csv, steps_csv, to_json};
pub use pulses::{resistances, Pulse};
pub use steps::{segment, Kind, Mode, Step};

use crate::dataset::{Col, Dataset};

/// The columns the analysis reads, borrowed from a dataset or built in memory.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub time: &'a [f64],
    pub current: &'a [f64],
    pub potential: &'a [f64],
    pub step: Option<&'a [f64]>,
    pub cycle: Option<&'a [f64]>,
    /// The instrument's charge counter (A h), only compared against, never used.
    pub charge: Option<&'a [f64]>,
}

impl<'a> Record<'a> {
    /// The columns of `ds`; an error names what is missing.
    pub fn from_dataset(ds: &'a Dataset) -> Result<Self, String> {
        let need = |c: Col| {
            ds.column(c).ok_or_else(|| {
                format!(
                    "cycling analysis needs a `{}` column; this dataset has {}",
                    c.name(),
                    ds.columns()
                        .map(|c| c.0.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        };
        Ok(Record {
            time: need(Col::Time)?,
            current: need(Col::Current)?,
            potential: need(Col::Potential)?,
            step: ds.column(Col::Step),
            cycle: ds.column(Col::Cycle),
            charge: ds.column(Col::Charge),
        })
    }

    fn len(&self) -> usize {
        self.time.len()
    }

    /// Equal lengths, finite time/current/potential, time not decreasing.
    fn check(&self) -> Result<(), String> {
        let n = self.len();
        if n < 2 {
            return Err(format!("cycling analysis needs at least 2 rows, got {n}"));
        }
        let lens = [
            Some(self.current.len()),
            Some(self.potential.len()),
            self.step.map(<[f64]>::len),
            self.cycle.map(<[f64]>::len),
            self.charge.map(<[f64]>::len),
        ];
        if lens.iter().flatten().any(|&l| l != n) {
            return Err("columns of different lengths".into());
        }
        for (name, col) in [
            ("time_s", self.time),
            ("current_A", self.current),
            ("potential_V", self.potential),
        ] {
            if let Some(i) = col.iter().position(|v| !v.is_finite()) {
                return Err(format!("row {}: {name} is not a number", i + 1));
            }
        }
        if let Some(i) = self.time.windows(2).position(|w| w[1] < w[0]) {
            return Err(format!(
                "row {}: time_s goes back from {} to {} s (rows must be in measurement order)",
                i + 2,
                self.time[i],
                self.time[i + 1]
            ));
        }
        Ok(())
    }
}

/// Settings of the analysis.
#[derive(Clone, Debug)]
pub struct Options {
    /// |I| at or below this is rest (A); `None`: 0.2 % of the largest |I| in the file.
    pub rest_current: Option<f64>,
    /// Split steps by the sign of the current even when the file has a step column.
    pub ignore_instrument_steps: bool,
    /// Number cycles by charge/discharge alternation even when the file has a cycle column.
    pub ignore_instrument_cycles: bool,
    /// Time after a current step at which the "long" resistance is read (s).
    pub resistance_delay_s: f64,
    /// Smallest |ΔI| across a step boundary that counts as a pulse, relative to the largest |I|.
    pub pulse_fraction: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rest_current: None,
            ignore_instrument_steps: false,
            ignore_instrument_cycles: false,
            resistance_delay_s: 10.0,
            pulse_fraction: 0.05,
        }
    }
}

/// Everything the analysis found.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub steps: Vec<Step>,
    pub cycles: Vec<Cycle>,
    pub pulses: Vec<Pulse>,
    /// The rest-current threshold used (A).
    pub rest_current: f64,
    pub cycle_source: CycleSource,
    /// Facts the user should know (fallbacks taken).
    pub notes: Vec<String>,
}

/// Analyse a record.
pub fn analyse(r: &Record, o: &Options) -> Result<Analysis, String> {
    r.check()?;
    let imax = r.current.iter().fold(0.0f64, |m, i| m.max(i.abs()));
    let rest = match o.rest_current {
        Some(v) if v.is_finite() && v >= 0.0 => v,
        Some(v) => return Err(format!("rest current {v}: expected a finite value >= 0")),
        None => 2e-3 * imax,
    };
    let mut notes = Vec::new();
    let step_col = if o.ignore_instrument_steps {
        None
    } else {
        r.step
    };
    let mut steps = segment(r, step_col, rest);
    let (cycles, cycle_source) = group_cycles(
        &mut steps,
        if o.ignore_instrument_cycles {
            None
        } else {
            r.cycle
        },
        &mut notes,
    );
    let pulses = resistances(r, &steps, o.pulse_fraction * imax, o.resistance_delay_s);
    Ok(Analysis {
        steps,
        cycles,
        pulses,
        rest_current: rest,
        cycle_source,
        notes,
    })
}
