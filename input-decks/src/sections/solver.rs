//! `[solver]`, `[solver.nonlinear]`, `[solver.linear]`: algebraic solver settings.

use super::{choice, uint, FixedSection};
use crate::check::Checker;
use crate::schema::{ParamKind, ParamSpec};
use crate::value::Object;

const BACKENDS: &[(&str, Backend)] = &[("native", Backend::Native), ("petsc", Backend::Petsc)];
const LINE_SEARCHES: &[(&str, LineSearch)] =
    &[("bt", LineSearch::Backtracking), ("none", LineSearch::None)];
const KSP_TYPES: &[(&str, KspType)] = &[
    ("cg", KspType::Cg),
    ("gmres", KspType::Gmres),
    ("bicgstab", KspType::Bicgstab),
];
const PC_TYPES: &[(&str, PcType)] = &[
    ("none", PcType::None),
    ("jacobi", PcType::Jacobi),
    ("bjacobi", PcType::BlockJacobi),
    ("ilu0", PcType::Ilu0),
];

fn nonneg() -> ParamKind {
    ParamKind::Float {
        min: Some(0.0),
        max: None,
    }
}

/// Declaration of `[solver]`.
pub fn spec() -> FixedSection {
    FixedSection {
        path: "solver",
        description: "Which solver backend runs the Newton–Krylov solve.",
        params: vec![
            ParamSpec::optional(
                "backend",
                ParamKind::Choice(&["native", "petsc"]),
                "",
                "\"native\"",
                "`native`: Galvana's own Newton–Krylov solvers; `petsc`: PETSc SNES/KSP.",
            ),
            ParamSpec::maybe(
                "petsc_options",
                ParamKind::String,
                "",
                "Extra PETSc options for the petsc backend, e.g. \"-ksp_type cg -pc_type gamg\"; they override the settings below.",
            ),
        ],
    }
}

/// Declaration of `[solver.nonlinear]`.
pub fn nonlinear_spec() -> FixedSection {
    FixedSection {
        path: "solver.nonlinear",
        description: "Newton iteration.",
        params: vec![
            ParamSpec::optional(
                "rtol",
                nonneg(),
                "",
                "1e-8",
                "Stop when the residual norm falls by this factor.",
            ),
            ParamSpec::optional(
                "atol",
                nonneg(),
                "",
                "1e-10",
                "Stop when the residual norm falls below this.",
            ),
            ParamSpec::optional(
                "max_it",
                ParamKind::Int {
                    min: Some(1),
                    max: None,
                },
                "",
                "25",
                "Most Newton iterations per solve; more is a failed solve.",
            ),
            ParamSpec::optional(
                "line_search",
                ParamKind::Choice(&["bt", "none"]),
                "",
                "\"bt\"",
                "`bt`: backtracking line search; `none`: full Newton steps.",
            ),
            ParamSpec::optional(
                "stol",
                nonneg(),
                "",
                "0",
                "Stop when the update is smaller than this times the solution norm (0: off).",
            ),
        ],
    }
}

/// Declaration of `[solver.linear]`.
pub fn linear_spec() -> FixedSection {
    FixedSection {
        path: "solver.linear",
        description: "Krylov solve of each Newton step.",
        params: vec![
            ParamSpec::optional(
                "type",
                ParamKind::Choice(&["cg", "gmres", "bicgstab"]),
                "",
                "\"gmres\"",
                "Krylov method (`cg` needs a symmetric positive definite Jacobian).",
            ),
            ParamSpec::optional(
                "pc",
                ParamKind::Choice(&["none", "jacobi", "bjacobi", "ilu0"]),
                "",
                "\"bjacobi\"",
                "Preconditioner; `bjacobi` is block Jacobi with ILU(0) on each rank's block.",
            ),
            ParamSpec::optional(
                "rtol",
                nonneg(),
                "",
                "1e-10",
                "Relative residual reduction to stop at.",
            ),
            ParamSpec::optional(
                "atol",
                nonneg(),
                "",
                "1e-50",
                "Absolute residual norm to stop at.",
            ),
            ParamSpec::optional(
                "max_it",
                ParamKind::Int {
                    min: Some(1),
                    max: None,
                },
                "",
                "1000",
                "Most Krylov iterations per linear solve.",
            ),
            ParamSpec::optional(
                "restart",
                ParamKind::Int {
                    min: Some(1),
                    max: None,
                },
                "",
                "30",
                "GMRES restart length.",
            ),
        ],
    }
}

/// Solver backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Native,
    Petsc,
}

/// Newton line search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineSearch {
    Backtracking,
    None,
}

/// Krylov method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KspType {
    Cg,
    Gmres,
    Bicgstab,
}

/// Preconditioner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PcType {
    None,
    Jacobi,
    /// Block Jacobi, one block per rank, ILU(0) inside each block.
    BlockJacobi,
    Ilu0,
}

macro_rules! deck_word {
    ($t:ty, $table:ident) => {
        impl $t {
            /// The deck word for this value (also the PETSc name where one exists).
            pub fn as_str(self) -> &'static str {
                $table
                    .iter()
                    .find(|(_, v)| *v == self)
                    .map(|(k, _)| *k)
                    .unwrap_or("")
            }
        }
    };
}
deck_word!(Backend, BACKENDS);
deck_word!(LineSearch, LINE_SEARCHES);
deck_word!(KspType, KSP_TYPES);
deck_word!(PcType, PC_TYPES);

/// `[solver]` with its sub-sections, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct SolverOptions {
    pub backend: Backend,
    pub petsc_options: Option<String>,
    pub nonlinear: NonlinearOptions,
    pub linear: LinearOptions,
}

/// `[solver.nonlinear]`, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct NonlinearOptions {
    pub rtol: f64,
    pub atol: f64,
    pub max_it: u64,
    pub line_search: LineSearch,
    pub stol: f64,
}

/// `[solver.linear]`, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearOptions {
    pub ksp_type: KspType,
    pub pc: PcType,
    pub rtol: f64,
    pub atol: f64,
    pub max_it: u64,
    pub restart: u64,
}

impl SolverOptions {
    pub(crate) fn from_objects(solver: &Object, nonlinear: &Object, linear: &Object) -> Self {
        Self {
            backend: choice(solver, "backend", BACKENDS, Backend::Native),
            petsc_options: solver.opt_str("petsc_options").map(str::to_string),
            nonlinear: NonlinearOptions {
                rtol: nonlinear.get_f64("rtol"),
                atol: nonlinear.get_f64("atol"),
                max_it: uint(nonlinear, "max_it"),
                line_search: choice(
                    nonlinear,
                    "line_search",
                    LINE_SEARCHES,
                    LineSearch::Backtracking,
                ),
                stol: nonlinear.get_f64("stol"),
            },
            linear: LinearOptions {
                ksp_type: choice(linear, "type", KSP_TYPES, KspType::Gmres),
                pc: choice(linear, "pc", PC_TYPES, PcType::BlockJacobi),
                rtol: linear.get_f64("rtol"),
                atol: linear.get_f64("atol"),
                max_it: uint(linear, "max_it"),
                restart: uint(linear, "restart"),
            },
        }
    }
}

/// Cross-parameter checks of `[solver]`.
pub(crate) fn check(ck: &mut Checker, solver: &Object) {
    if solver.opt_str("backend") == Some("native") {
        if let Some(v) = solver.get("petsc_options").filter(|v| !v.defaulted) {
            ck.warn(
                v.span,
                "`petsc_options` is ignored by the native backend",
                Some("set `backend = \"petsc\"` to use them".into()),
            );
        }
    }
}

/// Whether `word` is a known enum word for choice parameter `name` of section `path`.
#[cfg(test)]
pub(crate) fn parse_choice(path: &str, name: &str, word: &str) -> bool {
    fn has<T>(t: &[(&str, T)], w: &str) -> bool {
        t.iter().any(|(k, _)| *k == w)
    }
    match (path, name) {
        ("solver", "backend") => has(BACKENDS, word),
        ("solver.nonlinear", "line_search") => has(LINE_SEARCHES, word),
        ("solver.linear", "type") => has(KSP_TYPES, word),
        ("solver.linear", "pc") => has(PC_TYPES, word),
        _ => false,
    }
}
