//! Cycles: groups of steps, with capacities and efficiencies.

use super::steps::{Kind, Step};

/// Where the cycle numbers came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleSource {
    /// The file's cycle column.
    Instrument,
    /// Counted here: a new cycle starts when the record's first direction (charge or
    /// discharge) comes back after the other one.
    Alternation,
}

impl CycleSource {
    pub fn name(self) -> &'static str {
        match self {
            CycleSource::Instrument => "instrument",
            CycleSource::Alternation => "alternation",
        }
    }
}

/// One cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct Cycle {
    pub number: i64,
    /// Indices into the step list (inclusive).
    pub first_step: usize,
    pub last_step: usize,
    pub t_start: f64,
    pub t_end: f64,
    /// Charge passed in charge steps and out in discharge steps (A h, both ≥ 0).
    pub charge_ah: f64,
    pub discharge_ah: f64,
    /// Energy in charge steps and out in discharge steps (W h, both ≥ 0).
    pub charge_wh: f64,
    pub discharge_wh: f64,
    /// The cycle's first active direction (`None` for a cycle of rests only).
    pub first_direction: Option<Kind>,
    /// False when the record ends inside one of the cycle's charge or discharge steps.
    pub complete: bool,
}

impl Cycle {
    /// Charge out over charge in, with "in" the cycle's first direction: discharge/charge
    /// for a cell charged first, charge/discharge for one discharged (lithiated) first.
    pub fn coulombic_efficiency(&self) -> Option<f64> {
        ratio(self.first_direction, self.charge_ah, self.discharge_ah)
    }
    /// Energy delivered by the cell (discharge) over energy put in (charge), whichever came
    /// first: a graphite/lithium half cell delivers energy while it lithiates.
    pub fn energy_efficiency(&self) -> Option<f64> {
        (self.charge_wh > 0.0 && self.discharge_wh > 0.0)
            .then(|| self.discharge_wh / self.charge_wh)
    }
    /// The capacity delivered in the direction opposite to the first one (A h).
    pub fn capacity_out(&self) -> f64 {
        match self.first_direction {
            Some(Kind::Discharge) => self.charge_ah,
            _ => self.discharge_ah,
        }
    }
    /// Mean charge and discharge potentials (V), energy over charge.
    pub fn mean_potentials(&self) -> (Option<f64>, Option<f64>) {
        let m = |e: f64, q: f64| (q > 0.0).then(|| e / q);
        (
            m(self.charge_wh, self.charge_ah),
            m(self.discharge_wh, self.discharge_ah),
        )
    }
}

fn ratio(first: Option<Kind>, ch: f64, dis: f64) -> Option<f64> {
    let (inn, out) = match first? {
        Kind::Charge => (ch, dis),
        Kind::Discharge => (dis, ch),
        Kind::Rest => return None,
    };
    (inn > 0.0 && out > 0.0).then(|| out / inn)
}

/// Number the steps' cycles and sum them. The file's cycle column is used unless it is
/// absent, or constant while the record alternates direction more than once (a note says so).
pub fn group_cycles(
    steps: &mut [Step],
    cycle_col: Option<&[f64]>,
    notes: &mut Vec<String>,
) -> (Vec<Cycle>, CycleSource) {
    let alternations = steps
        .iter()
        .filter(|s| s.kind != Kind::Rest)
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0].kind != w[1].kind)
        .count();
    let source = match cycle_col {
        Some(c) => {
            let constant = c.iter().all(|&x| x == c[0]);
            if constant && alternations >= 2 {
                notes.push(format!(
                    "the file's cycle column is {} throughout while the current changes direction {alternations} times: cycles counted by alternation",
                    c[0]
                ));
                None
            } else {
                Some(c)
            }
        }
        None => None,
    };
    match source {
        Some(c) => {
            for s in steps.iter_mut() {
                s.cycle = c[s.first_row] as i64;
            }
        }
        None => {
            let first = steps.iter().map(|s| s.kind).find(|&k| k != Kind::Rest);
            let (mut n, mut last) = (1, None);
            for s in steps.iter_mut() {
                if s.kind != Kind::Rest {
                    if Some(s.kind) == first && last.is_some_and(|l| l != s.kind) {
                        n += 1;
                    }
                    last = Some(s.kind);
                }
                s.cycle = n;
            }
        }
    }
    let mut out: Vec<Cycle> = Vec::new();
    for (k, s) in steps.iter().enumerate() {
        let new = out.last().is_none_or(|c| c.number != s.cycle);
        if new {
            out.push(Cycle {
                number: s.cycle,
                first_step: k,
                last_step: k,
                t_start: s.t_start,
                t_end: s.t_end,
                charge_ah: 0.0,
                discharge_ah: 0.0,
                charge_wh: 0.0,
                discharge_wh: 0.0,
                first_direction: None,
                complete: true,
            });
        }
        let c = out.last_mut().expect("pushed above");
        c.last_step = k;
        c.t_end = s.t_end;
        match s.kind {
            Kind::Charge => {
                c.charge_ah += s.charge_ah;
                c.charge_wh += s.energy_wh;
            }
            Kind::Discharge => {
                c.discharge_ah -= s.charge_ah;
                c.discharge_wh -= s.energy_wh;
            }
            Kind::Rest => {}
        }
        if c.first_direction.is_none() && s.kind != Kind::Rest {
            c.first_direction = Some(s.kind);
        }
    }
    if let (Some(c), Some(s)) = (out.last_mut(), steps.last()) {
        c.complete = s.kind == Kind::Rest;
    }
    let source = if source.is_some() {
        CycleSource::Instrument
    } else {
        CycleSource::Alternation
    };
    (out, source)
}
