//! Steps: runs of rows with one instrument step index, or (without one) one current sign.

use super::Record;

/// Direction of a step, from its mean current.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Charge,
    Discharge,
    Rest,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Charge => "charge",
            Kind::Discharge => "discharge",
            Kind::Rest => "rest",
        }
    }
}

/// Control mode read off the samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Current within 2 % of its mean.
    ConstantCurrent,
    /// Potential within 0.1 % (at least 1 mV) while the current varies.
    ConstantVoltage,
    Variable,
    Rest,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::ConstantCurrent => "CC",
            Mode::ConstantVoltage => "CV",
            Mode::Variable => "variable",
            Mode::Rest => "rest",
        }
    }
}

/// One step of the record.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The instrument's step index, where the file has one.
    pub instrument_step: Option<f64>,
    /// Cycle number (filled in by the cycle grouping).
    pub cycle: i64,
    pub kind: Kind,
    pub mode: Mode,
    /// First and last row (0-based, inclusive).
    pub first_row: usize,
    pub last_row: usize,
    /// Start: the previous step's last sample (the step began after it), or the first row.
    pub t_start: f64,
    pub t_end: f64,
    /// ∫ I dt over the step (A h), signed; includes the interval from the previous step's
    /// last sample, with this step's first current held over it.
    pub charge_ah: f64,
    /// ∫ V·I dt over the step (W h), signed, same intervals.
    pub energy_wh: f64,
    /// ∫ I dt between the step's own first and last samples (A h), to compare with `counter_ah`.
    pub logged_charge_ah: f64,
    /// The instrument's charge counter, last minus first sample of the step (A h).
    pub counter_ah: Option<f64>,
    pub v_start: f64,
    pub v_end: f64,
}

impl Step {
    pub fn duration(&self) -> f64 {
        self.t_end - self.t_start
    }
    /// Mean current over the step (A).
    pub fn mean_current(&self) -> f64 {
        let d = self.duration();
        if d > 0.0 {
            self.charge_ah * 3600.0 / d
        } else {
            0.0
        }
    }
}

fn class(i: f64, rest: f64) -> i8 {
    if i > rest {
        1
    } else if i < -rest {
        -1
    } else {
        0
    }
}

/// Split the record into steps: where the instrument step or cycle index changes if
/// `step_col` is given, else where the current's class (charge, discharge, rest) changes.
pub fn segment(r: &Record, step_col: Option<&[f64]>, rest: f64) -> Vec<Step> {
    let n = r.time.len();
    let cyc = r.cycle;
    let boundary = |k: usize| match step_col {
        Some(s) => s[k] != s[k - 1] || cyc.is_some_and(|c| c[k] != c[k - 1]),
        None => class(r.current[k], rest) != class(r.current[k - 1], rest),
    };
    let mut out = Vec::new();
    let mut first = 0;
    for k in 1..=n {
        if k == n || boundary(k) {
            out.push(stats(r, step_col, first, k - 1, rest));
            first = k;
        }
    }
    out
}

fn stats(r: &Record, step_col: Option<&[f64]>, a: usize, b: usize, rest: f64) -> Step {
    let (t, i, v) = (r.time, r.current, r.potential);
    let (mut q, mut e) = (0.0, 0.0);
    for k in a + 1..=b {
        let dt = t[k] - t[k - 1];
        q += 0.5 * (i[k] + i[k - 1]) * dt;
        // Exact for V and I both linear between samples (the trapezoid of V·I is not).
        e += dt / 6.0
            * (2.0 * v[k] * i[k] + 2.0 * v[k - 1] * i[k - 1] + v[k] * i[k - 1] + v[k - 1] * i[k]);
    }
    let logged = q / 3600.0;
    let t_start = if a > 0 { t[a - 1] } else { t[a] };
    let gap = t[a] - t_start;
    q += i[a] * gap;
    e += i[a] * v[a] * gap;
    let mut step = Step {
        instrument_step: step_col.map(|s| s[a]),
        cycle: 0,
        kind: Kind::Rest,
        mode: Mode::Rest,
        first_row: a,
        last_row: b,
        t_start,
        t_end: t[b],
        charge_ah: q / 3600.0,
        energy_wh: e / 3600.0,
        logged_charge_ah: logged,
        counter_ah: r.charge.map(|c| c[b] - c[a]),
        v_start: v[a],
        v_end: v[b],
    };
    let mean = if step.duration() > 0.0 {
        step.mean_current()
    } else {
        i[a]
    };
    step.kind = match class(mean, rest) {
        1 => Kind::Charge,
        -1 => Kind::Discharge,
        _ => Kind::Rest,
    };
    step.mode = mode(&i[a..=b], &v[a..=b], mean, step.kind);
    step
}

fn mode(i: &[f64], v: &[f64], mean: f64, kind: Kind) -> Mode {
    if kind == Kind::Rest {
        return Mode::Rest;
    }
    let span = |x: &[f64]| {
        let (lo, hi) = x
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &y| (l.min(y), h.max(y)));
        hi - lo
    };
    let vmean = v.iter().sum::<f64>() / v.len() as f64;
    if span(i) <= 0.02 * mean.abs() {
        Mode::ConstantCurrent
    } else if v.len() >= 3 && span(v) <= (1e-3 * vmean.abs()).max(1e-3) {
        Mode::ConstantVoltage
    } else {
        Mode::Variable
    }
}
