//! The Galvana input-deck language: TOML decks checked against parameter declarations.
//!
//! ```text
//! deck text ──parse (spans)──▶ value tree ──check against Registry + fixed sections──▶ Deck
//!                                           └─▶ Vec<Diagnostic>  (`path:line:col: error: ...`)
//! ```
//! The engine builds a [`Registry`] from the physics crate, calls [`Deck::load`], and reads
//! objects through typed getters with defaults already applied. [`reference_markdown`]
//! renders the deck reference from the same declarations.

mod build;
mod canonical;
mod check;
mod deck;
pub mod diag;
mod docs;
pub mod mesh_types;
mod parse;
pub mod schema;
pub mod sections;
pub mod value;

pub use deck::{check, Deck};
pub use diag::{did_you_mean, Diagnostic, LineIndex, Severity, Span};
pub use docs::reference_markdown;
pub use schema::{ObjectSpec, ParamKind, ParamSpec, Registry, SectionKind};
pub use sections::{
    Backend, CheckpointOptions, ComputeOptions, Device, FixedSection, InitialOptions, JobOptions,
    KspType, LineSearch, LinearOptions, NonlinearOptions, OutputOptions, PcType, SolverOptions,
    TimeKind, TimeOptions, TimeScheme,
};
pub use value::{Object, Value, ValueKind};

/// Parse a TOML file other than a deck (e.g. a battery parameter file) into a table of
/// [`Value`]s that keep their positions, so its reader can report `path:line:col` for any key.
/// No schema is applied. On invalid TOML, or literals that cannot be represented, returns the
/// diagnostics instead.
pub fn parse_toml_file(path: &str, text: &str) -> Result<Value, Vec<Diagnostic>> {
    let (root, literal_errors) = parse::parse_toml(path, text)?;
    if literal_errors.is_empty() {
        Ok(root)
    } else {
        Err(literal_errors)
    }
}

/// Programming errors in a registry's declarations (duplicate parameter names, defaults that
/// fail their own kind, duplicate types). Empty when all is well; meant for the engine's tests.
pub fn lint_registry(registry: &Registry) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, (kind, spec)) in registry.objects.iter().enumerate() {
        let label = format!("[{}] type `{}`", kind.name(), spec.type_name);
        if registry.objects[..i]
            .iter()
            .any(|(k, s)| k == kind && s.type_name == spec.type_name)
        {
            problems.push(format!("{label} registered twice"));
        }
        if spec.params.iter().any(|p| p.name == "type") {
            problems.push(format!(
                "{label} declares a parameter named `type`, which selects the type"
            ));
        }
        problems.extend(check::lint_specs(&label, &spec.params));
    }
    for (physics, sec) in &registry.sections {
        let label = format!("[{}] of `{physics}`", sec.path);
        if registry.get(SectionKind::Physics, physics).is_none() {
            problems.push(format!("{label}: no physics type `{physics}`"));
        }
        if sections::fixed_sections()
            .iter()
            .any(|s| s.path == sec.path)
        {
            problems.push(format!("{label} has the name of a fixed section"));
        }
        problems.extend(check::lint_specs(&label, &sec.params));
    }
    for (physics, bcs) in &registry.compatible_bcs {
        for bc in bcs {
            if registry.get(SectionKind::Bc, bc).is_none() {
                problems.push(format!(
                    "physics `{physics}` lists unknown bc type `{bc}` as compatible"
                ));
            }
        }
    }
    problems
}
