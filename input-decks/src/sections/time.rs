//! `[time]`: steady or transient, time integration and step control.

use super::{choice, require_positive, uint, FixedSection};
use crate::check::{fmt_num, Checker};
use crate::schema::{ParamKind, ParamSpec};
use crate::value::Object;

const KINDS: &[(&str, TimeKind)] = &[
    ("steady", TimeKind::Steady),
    ("transient", TimeKind::Transient),
];
const SCHEMES: &[(&str, TimeScheme)] = &[("bdf1", TimeScheme::Bdf1), ("bdf2", TimeScheme::Bdf2)];

fn positive() -> ParamKind {
    // Bounds are inclusive; "> 0" is enforced by `check` below.
    ParamKind::Float {
        min: Some(0.0),
        max: None,
    }
}

/// Declaration of `[time]`.
pub fn spec() -> FixedSection {
    FixedSection {
        path: "time",
        description: "Steady solve or time stepping.",
        params: vec![
            ParamSpec::optional(
                "type",
                ParamKind::Choice(&["steady", "transient"]),
                "",
                "\"steady\"",
                "`steady`: one nonlinear solve; `transient`: step from `start` to `end`.",
            ),
            ParamSpec::optional(
                "scheme",
                ParamKind::Choice(&["bdf1", "bdf2"]),
                "",
                "\"bdf2\"",
                "Time integrator: backward Euler (`bdf1`) or second-order BDF (`bdf2`).",
            ),
            ParamSpec::optional(
                "start",
                ParamKind::Float {
                    min: None,
                    max: None,
                },
                "s",
                "0",
                "Start time.",
            ),
            ParamSpec::maybe(
                "end",
                ParamKind::Float {
                    min: None,
                    max: None,
                },
                "s",
                "End time (required when transient).",
            ),
            ParamSpec::maybe(
                "dt",
                positive(),
                "s",
                "Initial time step, > 0 (required when transient).",
            ),
            ParamSpec::maybe(
                "dt_min",
                positive(),
                "s",
                "Smallest step adaptivity or step cutting may take.",
            ),
            ParamSpec::maybe(
                "dt_max",
                positive(),
                "s",
                "Largest step adaptivity may take.",
            ),
            ParamSpec::optional(
                "adaptive",
                ParamKind::Bool,
                "",
                "false",
                "Adapt the step to the local truncation error estimate.",
            ),
            ParamSpec::optional(
                "target_error",
                positive(),
                "",
                "1e-3",
                "Relative local truncation error that adaptive stepping aims for.",
            ),
            ParamSpec::optional(
                "growth",
                ParamKind::Float {
                    min: Some(1.0),
                    max: None,
                },
                "",
                "1.5",
                "Largest factor by which one step may exceed the previous one.",
            ),
            ParamSpec::optional(
                "max_steps",
                ParamKind::Int {
                    min: Some(1),
                    max: None,
                },
                "",
                "1000000",
                "Most time steps before the run gives up.",
            ),
        ],
    }
}

/// Steady or transient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeKind {
    Steady,
    Transient,
}

/// Time integrator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeScheme {
    Bdf1,
    Bdf2,
}

impl TimeKind {
    pub fn as_str(self) -> &'static str {
        KINDS
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(k, _)| *k)
            .unwrap_or("")
    }
}

impl TimeScheme {
    pub fn as_str(self) -> &'static str {
        SCHEMES
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(k, _)| *k)
            .unwrap_or("")
    }
}

/// `[time]`, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeOptions {
    pub kind: TimeKind,
    pub scheme: TimeScheme,
    /// Start time, s.
    pub start: f64,
    /// End time, s; always `Some` for a transient run.
    pub end: Option<f64>,
    /// Initial step, s; always `Some` for a transient run.
    pub dt: Option<f64>,
    pub dt_min: Option<f64>,
    pub dt_max: Option<f64>,
    pub adaptive: bool,
    pub target_error: f64,
    pub growth: f64,
    pub max_steps: u64,
}

impl TimeOptions {
    pub(crate) fn from_object(o: &Object) -> Self {
        Self {
            kind: choice(o, "type", KINDS, TimeKind::Steady),
            scheme: choice(o, "scheme", SCHEMES, TimeScheme::Bdf2),
            start: o.get_f64("start"),
            end: o.opt_f64("end"),
            dt: o.opt_f64("dt"),
            dt_min: o.opt_f64("dt_min"),
            dt_max: o.opt_f64("dt_max"),
            adaptive: o.get_bool("adaptive"),
            target_error: o.get_f64("target_error"),
            growth: o.get_f64("growth"),
            max_steps: uint(o, "max_steps"),
        }
    }

    pub fn is_transient(&self) -> bool {
        self.kind == TimeKind::Transient
    }
}

/// Cross-parameter checks of `[time]`.
pub(crate) fn check(ck: &mut Checker, t: &Object) {
    let written = |name: &str| t.get(name).filter(|v| !v.defaulted);
    require_positive(ck, t, &["dt", "dt_min", "dt_max", "target_error"]);
    if t.opt_str("type") != Some("transient") {
        let ignored: Vec<&str> = ["end", "dt", "dt_min", "dt_max"]
            .into_iter()
            .filter(|n| written(n).is_some())
            .collect();
        if let Some(first) = ignored.first().and_then(|n| written(n)) {
            let help = if t.is_set("type") {
                None
            } else {
                Some("add `type = \"transient\"` to step in time".into())
            };
            ck.warn(
                first.span,
                format!("`{}` is ignored by a steady solve", ignored.join("`, `")),
                help,
            );
        }
        return;
    }
    for name in ["dt", "end"] {
        if t.get(name).is_none() {
            ck.error(
                t.header,
                format!("missing required parameter `{name}` in [time]: a transient run needs `dt` and `end`"),
                Some(format!("add `{name} = ...` (s)")),
            );
        }
    }
    let start = t.opt_f64("start").unwrap_or(0.0);
    if let Some((v, e)) = t.get("end").and_then(|v| Some((v, v.as_f64()?))) {
        if e <= start {
            ck.error(
                v.span,
                format!(
                    "`end` = {} s must be after `start` = {} s",
                    fmt_num(e),
                    fmt_num(start)
                ),
                None,
            );
        }
    }
    let (dt, lo, hi) = (t.opt_f64("dt"), t.opt_f64("dt_min"), t.opt_f64("dt_max"));
    if let (Some(lo), Some(hi)) = (lo, hi) {
        if lo > hi {
            let span = t.get("dt_min").map(|v| v.span).unwrap_or(t.header);
            ck.error(
                span,
                format!(
                    "`dt_min` = {} s exceeds `dt_max` = {} s",
                    fmt_num(lo),
                    fmt_num(hi)
                ),
                None,
            );
            return;
        }
    }
    let dt_span = t.get("dt").map(|v| v.span).unwrap_or(t.header);
    if let (Some(dt), Some(lo)) = (dt, lo) {
        if dt < lo {
            ck.error(
                dt_span,
                format!(
                    "`dt` = {} s is below `dt_min` = {} s",
                    fmt_num(dt),
                    fmt_num(lo)
                ),
                None,
            );
        }
    }
    if let (Some(dt), Some(hi)) = (dt, hi) {
        if dt > hi {
            ck.error(
                dt_span,
                format!(
                    "`dt` = {} s is above `dt_max` = {} s",
                    fmt_num(dt),
                    fmt_num(hi)
                ),
                None,
            );
        }
    }
}

#[cfg(test)]
pub(crate) fn parse_choice(path: &str, name: &str, word: &str) -> bool {
    match (path, name) {
        ("time", "type") => KINDS.iter().any(|(k, _)| *k == word),
        ("time", "scheme") => SCHEMES.iter().any(|(k, _)| *k == word),
        _ => false,
    }
}
