//! `[initial]`: the initial state of the solution field.

use super::FixedSection;
use crate::schema::{ParamKind, ParamSpec};
use crate::value::Object;

/// Declaration of `[initial]`.
pub fn spec() -> FixedSection {
    FixedSection {
        path: "initial",
        description: "Uniform initial value of the solution (also the first Newton guess of a steady solve).",
        params: vec![
            ParamSpec::maybe(
                "value",
                ParamKind::Float { min: None, max: None },
                "",
                "Initial value in the field's SI unit (e.g. K for temperature); absent: the physics' own default.",
            ),
            ParamSpec::maybe(
                "field",
                ParamKind::String,
                "",
                "Which field `value` applies to, for physics with several fields (default: the first).",
            ),
        ],
    }
}

/// `[initial]`.
#[derive(Clone, Debug, PartialEq)]
pub struct InitialOptions {
    pub value: Option<f64>,
    pub field: Option<String>,
}

impl InitialOptions {
    pub(crate) fn from_object(o: &Object) -> Self {
        Self {
            value: o.opt_f64("value"),
            field: o.opt_str("field").map(str::to_string),
        }
    }
}
