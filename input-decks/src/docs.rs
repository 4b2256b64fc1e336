//! The deck reference (`galvana docs`), rendered from the same declarations the checker uses.

use crate::build::kind_word;
use crate::check::fmt_num;
use crate::schema::{ParamKind, ParamSpec, Registry, SectionKind};
use crate::sections::fixed_sections;
use std::fmt::Write;

/// The full deck reference as Markdown: every fixed section and every registered object type.
pub fn reference_markdown(registry: &Registry) -> String {
    let mut out = String::new();
    out.push_str("# Galvana deck reference\n\n");
    out.push_str(
        "A deck is a TOML file. All quantities are in SI units (the unit column gives them). \
         Sections holding one object (`[mesh]`, `[physics]`) or named objects (`[bcs.<name>]`, ...) \
         select the object's type with `type = \"...\"`; each type accepts the parameters listed \
         under it. `galvana check DECK` validates a deck against this reference.\n",
    );
    for kind in SectionKind::ALL {
        let header = if kind.is_named() {
            format!("[{}.<name>]", kind.name())
        } else {
            format!("[{}]", kind.name())
        };
        let _ = write!(out, "\n## `{header}`\n\n");
        let types = registry.types(kind);
        if types.is_empty() {
            let _ = writeln!(
                out,
                "No {} types are registered in this build.",
                kind_word(kind)
            );
            continue;
        }
        let _ = writeln!(
            out,
            "Types: {}.",
            types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if kind == SectionKind::Bc {
            write_compatibility(&mut out, registry);
        }
        for (_, spec) in registry.objects.iter().filter(|(k, _)| *k == kind) {
            let _ = write!(
                out,
                "\n### `{header}` `type = \"{}\"`\n\n{}\n",
                spec.type_name,
                escape(spec.description)
            );
            write_table(&mut out, &spec.params);
        }
    }
    for sec in fixed_sections() {
        let _ = write!(
            out,
            "\n## `[{}]`\n\n{}\n",
            sec.path,
            escape(sec.description)
        );
        write_table(&mut out, &sec.params);
    }
    for (owner, sec) in &registry.sections {
        let _ = write!(
            out,
            "\n## `[{}]` (`{owner}` decks only)\n\n{}\n",
            sec.path,
            escape(sec.description)
        );
        write_table(&mut out, &sec.params);
    }
    out
}

fn write_compatibility(out: &mut String, registry: &Registry) {
    let listed: Vec<_> = registry
        .compatible_bcs
        .iter()
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if listed.is_empty() {
        return;
    }
    out.push_str(
        "\nBoundary condition types each physics accepts:\n\n| physics | bc types |\n|---|---|\n",
    );
    for (physics, bcs) in listed {
        let _ = writeln!(
            out,
            "| `{physics}` | {} |",
            bcs.iter()
                .map(|b| format!("`{b}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

fn write_table(out: &mut String, params: &[ParamSpec]) {
    if params.is_empty() {
        out.push_str("\nNo parameters.\n");
        return;
    }
    out.push_str(
        "\n| name | type | unit | default | required | description |\n|---|---|---|---|---|---|\n",
    );
    for p in params {
        let unit = if p.unit.is_empty() {
            "—".to_string()
        } else {
            escape(p.unit)
        };
        let default = match p.default {
            Some(d) => format!("`{}`", escape(d)),
            None => "—".into(),
        };
        let required = if p.required { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "| `{}` | {} | {unit} | {default} | {required} | {} |",
            p.name,
            type_cell(&p.kind),
            escape(p.description)
        );
    }
}

/// The type with its admissible values: "float ≥ 0", "choice: `cg`, `gmres`", ...
fn type_cell(kind: &ParamKind) -> String {
    let label = kind.label();
    match kind {
        ParamKind::Float { min, max } => with_bounds(label, min.map(fmt_num), max.map(fmt_num)),
        ParamKind::Int { min, max } => with_bounds(
            label,
            min.map(|m| m.to_string()),
            max.map(|m| m.to_string()),
        ),
        ParamKind::Choice(words) => {
            format!(
                "{label}: {}",
                words
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        ParamKind::NameOrPath(words) => format!(
            "{label}: {}, or a file path",
            words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ParamKind::FloatMap { min, .. } => {
            with_bounds(escape(&label), min.map(fmt_num), None::<String>)
        }
        _ => escape(&label),
    }
}

fn with_bounds(label: String, min: Option<String>, max: Option<String>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{label} in [{lo}, {hi}]"),
        (Some(lo), None) => format!("{label} ≥ {lo}"),
        (None, Some(hi)) => format!("{label} ≤ {hi}"),
        (None, None) => label,
    }
}

/// Keep table cells intact: a `|` would end the cell, a newline the row.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
