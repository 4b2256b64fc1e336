//! `[output]`: what is written and how often.

use super::{uint, FixedSection};
use crate::schema::{ParamKind, ParamSpec};
use crate::value::Object;

/// Declaration of `[output]`.
pub fn spec() -> FixedSection {
    FixedSection {
        path: "output",
        description: "Field and monitor output.",
        params: vec![
            ParamSpec::optional(
                "interval",
                ParamKind::Int {
                    min: Some(1),
                    max: None,
                },
                "",
                "1",
                "Write output every this many time steps (the final state is always written).",
            ),
            ParamSpec::optional(
                "fields",
                ParamKind::Bool,
                "",
                "true",
                "Write fields.xdmf/fields.h5.",
            ),
            ParamSpec::maybe(
                "directory",
                ParamKind::Path,
                "",
                "Output directory, relative to the deck; `galvana run --output` overrides it.",
            ),
            ParamSpec::optional(
                "monitors",
                ParamKind::Bool,
                "",
                "true",
                "Write postprocessor values to monitors.csv.",
            ),
        ],
    }
}

/// `[output]`, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputOptions {
    pub interval: u64,
    pub fields: bool,
    /// As written (relative to the deck's directory); see [`crate::Deck::resolve_path`].
    pub directory: Option<String>,
    pub monitors: bool,
}

impl OutputOptions {
    pub(crate) fn from_object(o: &Object) -> Self {
        Self {
            interval: uint(o, "interval"),
            fields: o.get_bool("fields"),
            directory: o.opt_str("directory").map(str::to_string),
            monitors: o.get_bool("monitors"),
        }
    }
}
