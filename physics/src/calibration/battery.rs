//! Battery-cell residuals: a cell of the deck's `[physics]` (SPM, SPMe, DFN) driven by the
//! measured current of a dataset, its terminal voltage compared with the measured one at the
//! data times. The parameters a calibration can fit are the [`KNOBS`].
//!
//! Sign convention: the normalised dataset keeps the instrument's sign (`current_A` > 0 charges
//! the cell); the models take discharge as positive, so the cell is driven by −`current_A`.
//! The current is linear between the data rows (a cycler's step change becomes a ramp over
//! one sampling interval). The fitted voltage is V_model(t) − R_contact · I_discharge(t): a
//! series contact resistance under current control changes the voltage, not the state.
//!
//! The cell is stepped on a grid made from the data alone ([`crate::battery::fixed_grid`]), not by the
//! adaptive experiment runner, so the residuals are smooth in θ: finite-difference Jacobians
//! and MCMC see the model, not its step-size decisions.

use super::problem::{Model, Scale};
use crate::battery::deck::Battery;
use crate::battery::dfn::{newton, Dfn};
use crate::battery::experiment::{Drive, Profile, Step, Until};
use crate::battery::fixed_grid::Plan;
use crate::battery::params;
use crate::battery::spm::Spm;
use crate::battery::spme::Spme;
use std::sync::Arc;

/// What a fitted parameter acts on.
pub struct Target<'a> {
    pub cell: &'a mut Battery,
    /// Series contact resistance [Ω].
    pub r_contact: &'a mut f64,
}

/// A fittable parameter of a battery calibration.
pub struct Knob {
    pub name: &'static str,
    pub unit: &'static str,
    /// The scale a deck gets unless it says otherwise.
    pub scale: Scale,
    pub description: &'static str,
    pub apply: fn(&mut Target, f64),
}

/// Every battery parameter a `[calibration]` can fit.
pub const KNOBS: &[Knob] = &[
    Knob {
        name: "diffusivity_n_factor",
        unit: "",
        scale: Scale::Log,
        description: "Factor on the negative particle diffusivity D_n(sto, T) of the parameter set.",
        apply: |t, v| t.cell.params.neg.diffusivity = t.cell.params.neg.diffusivity.clone().scaled(v),
    },
    Knob {
        name: "diffusivity_p_factor",
        unit: "",
        scale: Scale::Log,
        description: "Factor on the positive particle diffusivity D_p(sto, T).",
        apply: |t, v| t.cell.params.pos.diffusivity = t.cell.params.pos.diffusivity.clone().scaled(v),
    },
    Knob {
        name: "exchange_current_n_factor",
        unit: "",
        scale: Scale::Log,
        description: "Factor on the negative exchange-current density j0_n (the reaction rate constant).",
        apply: |t, v| {
            let inner = Arc::new(t.cell.params.neg.j0.clone());
            t.cell.params.neg.j0 = params::ExchangeCurrent::Scaled { inner, factor: v };
        },
    },
    Knob {
        name: "exchange_current_p_factor",
        unit: "",
        scale: Scale::Log,
        description: "Factor on the positive exchange-current density j0_p.",
        apply: |t, v| {
            let inner = Arc::new(t.cell.params.pos.j0.clone());
            t.cell.params.pos.j0 = params::ExchangeCurrent::Scaled { inner, factor: v };
        },
    },
    Knob {
        name: "contact_resistance",
        unit: "Ohm",
        scale: Scale::Linear,
        description: "Series contact resistance R: the fitted voltage is V_model − R I (I > 0 on discharge).",
        apply: |t, v| *t.r_contact = v,
    },
    Knob {
        name: "initial_sto_n",
        unit: "",
        scale: Scale::Linear,
        description: "Initial stoichiometry of the negative particles (0..1), replacing the deck's initial state.",
        apply: |t, v| t.cell.initial.0 = v,
    },
    Knob {
        name: "initial_sto_p",
        unit: "",
        scale: Scale::Linear,
        description: "Initial stoichiometry of the positive particles (0..1).",
        apply: |t, v| t.cell.initial.1 = v,
    },
    Knob {
        name: "initial_soc",
        unit: "",
        scale: Scale::Linear,
        description: "State of charge to start from (0..1), within the parameter set's stoichiometry window.",
        apply: |t, v| t.cell.initial = params::stoichiometries_at_soc(&t.cell.params, v),
    },
    Knob {
        name: "electrode_area",
        unit: "m2",
        scale: Scale::Log,
        description: "Electrode area (scales the cell's capacity and currents per area; fits a cell of another size).",
        apply: |t, v| t.cell.params.area = v,
    },
    Knob {
        name: "particle_radius_n",
        unit: "m",
        scale: Scale::Log,
        description: "Negative particle radius.",
        apply: |t, v| t.cell.params.neg.particle_radius = v,
    },
    Knob {
        name: "particle_radius_p",
        unit: "m",
        scale: Scale::Log,
        description: "Positive particle radius.",
        apply: |t, v| t.cell.params.pos.particle_radius = v,
    },
    Knob {
        name: "temperature",
        unit: "K",
        scale: Scale::Linear,
        description: "Cell temperature (isothermal).",
        apply: |t, v| t.cell.params.temperature = v,
    },
];

/// The index of knob `name`.
pub fn knob(name: &str) -> Option<usize> {
    KNOBS.iter().position(|k| k.name == name)
}

/// A measured time series: times [s], current [A] in the dataset's sign (> 0 charging), the
/// measured terminal voltage [V].
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub time_s: Vec<f64>,
    pub current_a: Vec<f64>,
    pub potential_v: Vec<f64>,
}

impl Series {
    /// The rows with time in [t0, t1] (either bound optional).
    pub fn window(&self, t0: Option<f64>, t1: Option<f64>) -> Series {
        let keep: Vec<usize> = (0..self.time_s.len())
            .filter(|&k| {
                let t = self.time_s[k];
                t0.is_none_or(|a| t >= a) && t1.is_none_or(|b| t <= b)
            })
            .collect();
        Series {
            time_s: keep.iter().map(|&k| self.time_s[k]).collect(),
            current_a: keep.iter().map(|&k| self.current_a[k]).collect(),
            potential_v: keep.iter().map(|&k| self.potential_v[k]).collect(),
        }
    }

    /// Why the series cannot drive a cell, if it cannot: too short, non-finite values, time
    /// going back, more than two rows at one time.
    pub fn check(&self) -> Result<(), String> {
        let n = self.time_s.len();
        if n < 3 {
            return Err(format!("{n} data rows: at least 3 are needed"));
        }
        for k in 0..n {
            let (t, i, v) = (self.time_s[k], self.current_a[k], self.potential_v[k]);
            if !(t.is_finite() && i.is_finite() && v.is_finite()) {
                return Err(format!(
                    "row {k}: time_s, current_A and potential_V must be finite numbers, found {t}, {i}, {v}"
                ));
            }
            if k > 0 && t < self.time_s[k - 1] {
                return Err(format!(
                    "row {k}: time_s = {t} s goes back from {} s",
                    self.time_s[k - 1]
                ));
            }
            if k > 1 && t == self.time_s[k - 2] {
                return Err(format!("row {k}: three rows at time {t} s"));
            }
        }
        if self.time_s[n - 1] <= self.time_s[0] {
            return Err("the data span no time".into());
        }
        Ok(())
    }
}

/// A battery calibration: the cell, the data and the fitted knobs (in θ order).
pub struct BatteryFit {
    pub cell: Battery,
    pub data: Series,
    /// Indices into [`KNOBS`].
    pub knobs: Vec<usize>,
    /// Longest model time step [s] (the data times are always steps' ends).
    pub period: f64,
    profile: Arc<Profile>,
    plan: Plan,
}

/// `cell` with the fitted knobs (indices into [`KNOBS`]) set to θ, and the contact resistance
/// they give (0 if not fitted).
pub fn apply_knobs(cell: &Battery, knobs: &[usize], theta: &[f64]) -> (Battery, f64) {
    let mut cell = cell.clone();
    let mut r = 0.0;
    {
        let mut t = Target {
            cell: &mut cell,
            r_contact: &mut r,
        };
        for (&k, &v) in knobs.iter().zip(theta) {
            (KNOBS[k].apply)(&mut t, v);
        }
    }
    (cell, r)
}

impl BatteryFit {
    /// `data` must pass [`Series::check`]. The cell's voltage limits are widened to 0.2 V
    /// beyond the measured range, so a cut-off near the data's own end cannot stop the model.
    pub fn new(mut cell: Battery, data: Series, knobs: Vec<usize>, period: Option<f64>) -> Self {
        let t0 = data.time_s[0];
        let profile = Arc::new(Profile {
            source: "the calibration dataset".into(),
            t: data.time_s.iter().map(|t| t - t0).collect(),
            i: data.current_a.iter().map(|i| -i).collect(),
        });
        let vmin = data
            .potential_v
            .iter()
            .cloned()
            .fold(f64::INFINITY, f64::min);
        let vmax = data
            .potential_v
            .iter()
            .cloned()
            .fold(f64::NEG_INFINITY, f64::max);
        cell.params.v_min = cell.params.v_min.min(vmin - 0.2);
        cell.params.v_max = cell.params.v_max.max(vmax + 0.2);
        let span = profile.duration();
        let period = period.unwrap_or_else(|| {
            let gap = profile
                .t
                .windows(2)
                .map(|w| w[1] - w[0])
                .filter(|g| *g > 0.0)
                .fold(f64::INFINITY, f64::min);
            gap.max(span / 20_000.0).max(1e-3)
        });
        // A whole number of periods in the span, so the run's last output row is its end.
        let period = span / (span / period).ceil().max(1.0);
        cell.steps = vec![Step {
            text: "Run the calibration dataset".into(),
            drive: Drive::Profile(profile.clone()),
            until: vec![Until::Duration(span)],
        }];
        let plan = Plan::new(&profile.t, &profile.i, period);
        BatteryFit {
            cell,
            data,
            knobs,
            period,
            profile,
            plan,
        }
    }

    /// The cell and contact resistance at θ.
    pub fn cell_at(&self, theta: &[f64]) -> (Battery, f64) {
        let (mut cell, r) = apply_knobs(&self.cell, &self.knobs, theta);
        cell.period = self.period;
        (cell, r)
    }

    /// The model's terminal voltage at the data times for θ, stepped on the data's fixed grid
    /// (smooth in θ).
    pub fn curve(&self, theta: &[f64]) -> Result<Vec<f64>, String> {
        let (cell, r) = self.cell_at(theta);
        let (x, y) = cell.initial;
        let p = cell.params.clone();
        let t0 = self.data.time_s[0];
        let v = match cell.model.as_str() {
            "dfn" => self.plan.run(
                Dfn::new(p, x, y, cell.points).with_newton_tolerance(newton::TOL_SMOOTH),
                t0,
            ),
            "spm" => self.plan.run(Spm::new(p, x, y, cell.points.r_n), t0),
            _ => self.plan.run(Spme::new(p, x, y, cell.points), t0),
        }?;
        Ok(v.iter()
            .zip(&self.data.current_a)
            // I on discharge = −current_A.
            .map(|(vm, i)| vm + r * i)
            .collect())
    }

    /// The number of model time steps of one [`BatteryFit::curve`].
    pub fn steps(&self) -> usize {
        self.plan.steps()
    }

    /// As [`BatteryFit::curve`], from the adaptive experiment runner (output every `period`
    /// s, interpolated linearly to the data times). Accurate, but not smooth in θ: kept to
    /// check the fixed grid against.
    pub fn curve_adaptive(&self, theta: &[f64]) -> Result<Vec<f64>, String> {
        let (cell, r) = self.cell_at(theta);
        let out = cell.run()?;
        let rows = &out.rows;
        let t0 = self.data.time_s[0];
        let t_end = rows.last().map_or(0.0, |r| r.time_s);
        if t_end < self.profile.duration() - 1e-6 * self.period.max(1.0) {
            return Err(format!(
                "the model stopped at {t_end:.3} s of {:.3} s ({})",
                self.profile.duration(),
                out.reasons.join("; ")
            ));
        }
        let mut v = Vec::with_capacity(self.data.time_s.len());
        let mut k = 0;
        for (&t, &i) in self.data.time_s.iter().zip(&self.data.current_a) {
            let tau = t - t0;
            while k + 2 < rows.len() && rows[k + 1].time_s <= tau {
                k += 1;
            }
            let (a, b) = (&rows[k], &rows[(k + 1).min(rows.len() - 1)]);
            let vm = if b.time_s > a.time_s {
                let s = ((tau - a.time_s) / (b.time_s - a.time_s)).clamp(0.0, 1.0);
                a.voltage_v + s * (b.voltage_v - a.voltage_v)
            } else {
                b.voltage_v
            };
            // I on discharge = −current_A.
            v.push(vm + r * i);
        }
        if let Some(j) = v.iter().position(|x| !x.is_finite()) {
            return Err(format!(
                "the model voltage is not finite at t = {} s",
                self.data.time_s[j]
            ));
        }
        Ok(v)
    }
}

impl Model for BatteryFit {
    fn residuals(&self, theta: &[f64]) -> Result<Vec<f64>, String> {
        let run = || self.curve(theta);
        let v = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
            Ok(v) => v?,
            Err(_) => return Err("the model panicked".into()),
        };
        Ok(v.iter()
            .zip(&self.data.potential_v)
            .map(|(m, d)| m - d)
            .collect())
    }
}
