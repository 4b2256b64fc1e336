//! `[checkpoint]`: periodic restart files.

use super::{require_positive, uint, FixedSection};
use crate::check::Checker;
use crate::schema::{ParamKind, ParamSpec};
use crate::value::Object;

/// Declaration of `[checkpoint]`.
pub fn spec() -> FixedSection {
    FixedSection {
        path: "checkpoint",
        description: "Periodic checkpoints (a checkpoint is also written when the run is signalled to stop).",
        params: vec![
            ParamSpec::maybe(
                "interval_steps",
                ParamKind::Int { min: Some(1), max: None },
                "",
                "Checkpoint every this many time steps.",
            ),
            ParamSpec::maybe(
                "interval_seconds",
                ParamKind::Float { min: Some(0.0), max: None },
                "s",
                "Checkpoint when this much wall-clock time has passed since the last one.",
            ),
            ParamSpec::optional(
                "keep",
                ParamKind::Int { min: Some(1), max: None },
                "",
                "2",
                "How many checkpoints to keep; older ones are deleted.",
            ),
            ParamSpec::maybe(
                "directory",
                ParamKind::Path,
                "",
                "Checkpoint directory, relative to the deck (default: `checkpoints/` in the output directory).",
            ),
        ],
    }
}

/// `[checkpoint]`, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckpointOptions {
    pub interval_steps: Option<u64>,
    /// Wall-clock seconds between checkpoints.
    pub interval_seconds: Option<f64>,
    pub keep: u64,
    /// As written (relative to the deck's directory).
    pub directory: Option<String>,
}

impl CheckpointOptions {
    pub(crate) fn from_object(o: &Object) -> Self {
        Self {
            interval_steps: o
                .opt_i64("interval_steps")
                .and_then(|i| u64::try_from(i).ok()),
            interval_seconds: o.opt_f64("interval_seconds"),
            keep: uint(o, "keep"),
            directory: o.opt_str("directory").map(str::to_string),
        }
    }

    /// Whether periodic checkpoints are requested.
    pub fn is_periodic(&self) -> bool {
        self.interval_steps.is_some() || self.interval_seconds.is_some()
    }
}

/// Cross-parameter checks of `[checkpoint]`.
pub(crate) fn check(ck: &mut Checker, o: &Object) {
    require_positive(ck, o, &["interval_seconds"]);
}
