//! Checking a whole deck: its sections, registry-driven objects, and cross-section rules.

use crate::canonical::toml_key;
use crate::check::Checker;
use crate::diag::{suggest, suggest_or_list, Span};
use crate::schema::{ParamKind, Registry, SectionKind};
use crate::sections::{self, checkpoint, job, solver, time};
use crate::value::{Object, Value};
use std::collections::BTreeMap;

/// Everything the checker produced; objects that failed their checks are missing.
pub(crate) struct Checked {
    pub mesh: Option<Object>,
    pub physics: Option<Object>,
    pub named: BTreeMap<SectionKind, Vec<(String, Object)>>,
    pub fixed: BTreeMap<&'static str, Object>,
}

/// The word used for objects of `kind` in messages.
pub(crate) fn kind_word(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Mesh => "mesh",
        SectionKind::Material => "material",
        SectionKind::Physics => "physics",
        SectionKind::Bc => "boundary condition",
        SectionKind::Source => "source",
        SectionKind::Postprocessor => "postprocessor",
    }
}

/// Check the parsed deck `root` against the registry and the fixed sections.
pub(crate) fn check_deck(
    ck: &mut Checker,
    root: &BTreeMap<String, Value>,
    registry: &Registry,
) -> Checked {
    let mut known: Vec<&str> = SectionKind::ALL.iter().map(|k| k.name()).collect();
    known.extend(sections::top_level_names());
    known.extend(registry.sections.iter().map(|(_, s)| s.path));
    for (key, v) in root {
        if !known.contains(&key.as_str()) {
            let help = suggest(key, &known)
                .or_else(|| Some(format!("sections are: {}", known.join(", "))));
            ck.error(
                v.key_span.unwrap_or(v.span),
                format!("unknown section `{key}`"),
                help,
            );
        }
    }

    let single = |kind: SectionKind, ck: &mut Checker| match root.get(kind.name()) {
        Some(v) => check_object(ck, kind, kind.name().to_string(), None, v, registry),
        None => {
            let types = registry.types(kind);
            let help = match types.first() {
                Some(t) => format!(
                    "add a `[{}]` section with `type = \"{t}\"` (types: {})",
                    kind.name(),
                    types.join(", ")
                ),
                None => format!("add a `[{}]` section", kind.name()),
            };
            ck.error(
                Span::START,
                format!("missing required section [{}]", kind.name()),
                Some(help),
            );
            None
        }
    };
    let physics = single(SectionKind::Physics, ck);
    let meshless = physics
        .as_ref()
        .is_some_and(|p| registry.meshless.contains(&p.type_name.as_str()));
    let mesh = if meshless {
        match root.get(SectionKind::Mesh.name()) {
            Some(v) => {
                let t = physics
                    .as_ref()
                    .map(|p| p.type_name.clone())
                    .unwrap_or_default();
                ck.error(
                    v.key_span.unwrap_or(v.span),
                    format!("a `{t}` deck has no [mesh]: the model makes its own"),
                    Some("remove the [mesh] section (set mesh points in [physics] instead)".into()),
                );
                None
            }
            None => Some(crate::value::Object {
                type_name: "none".into(),
                section: "mesh".into(),
                name: None,
                header: Span::START,
                type_span: None,
                params: BTreeMap::new(),
            }),
        }
    } else {
        single(SectionKind::Mesh, ck)
    };

    let mut named = BTreeMap::new();
    for kind in SectionKind::ALL.into_iter().filter(|k| k.is_named()) {
        named.insert(kind, check_named(ck, kind, root.get(kind.name()), registry));
    }

    let mut fixed = sections::check_fixed(ck, root);
    let physics_type = physics.as_ref().map(|p| p.type_name.as_str());
    sections::check_physics_sections(ck, root, registry, physics_type, &mut fixed);
    if let Some(o) = fixed.get("solver") {
        solver::check(ck, o);
    }
    if let Some(o) = fixed.get("time") {
        time::check(ck, o);
    }
    if let Some(o) = fixed.get("job") {
        job::check(ck, o);
    }
    if let Some(o) = fixed.get("checkpoint") {
        checkpoint::check(ck, o);
    }

    if let (Some(p), Some(bcs)) = (&physics, named.get(&SectionKind::Bc)) {
        check_compatibility(ck, registry, p, bcs);
    }
    if let Some(materials) = named.get(&SectionKind::Material) {
        check_region_overlap(ck, registry, materials);
    }
    Checked {
        mesh,
        physics,
        named,
        fixed,
    }
}

/// `[materials.a]`, `[materials.b]`, ...: each entry an object; returned in deck order.
fn check_named(
    ck: &mut Checker,
    kind: SectionKind,
    v: Option<&Value>,
    registry: &Registry,
) -> Vec<(String, Object)> {
    let Some(v) = v else { return Vec::new() };
    let section = kind.name();
    let Some(table) = v.as_table() else {
        let help = format!(
            "write each {} as a `[{section}.<name>]` section",
            kind_word(kind)
        );
        ck.error(
            v.span,
            format!("[{section}] must be a table, found {}", v.a_type_name()),
            Some(help),
        );
        return Vec::new();
    };
    let mut entries: Vec<(&String, &Value)> = table.iter().collect();
    entries.sort_by_key(|(_, v)| v.span.start);
    entries
        .into_iter()
        .filter_map(|(name, v)| {
            let label = format!("{section}.{}", toml_key(name));
            check_object(ck, kind, label, Some(name.clone()), v, registry)
                .map(|o| (name.clone(), o))
        })
        .collect()
}

/// One object: pick its spec by `type`, then check its parameters.
fn check_object(
    ck: &mut Checker,
    kind: SectionKind,
    label: String,
    name: Option<String>,
    v: &Value,
    registry: &Registry,
) -> Option<Object> {
    let Some(table) = v.as_table() else {
        let help = if kind.is_named() {
            Some(format!(
                "write it as a section headed `[{label}]`, with a `type`"
            ))
        } else {
            Some(format!("write it as a section headed `[{label}]`"))
        };
        ck.error(
            v.span,
            format!("[{label}] must be a table, found {}", v.a_type_name()),
            help,
        );
        return None;
    };
    let types = registry.types(kind);
    let word = kind_word(kind);
    let Some(tv) = table.get("type") else {
        // A misspelt `type` key is the likeliest cause; point at it rather than the header.
        let typo = table.iter().find(|(k, _)| suggest(k, &["type"]).is_some());
        if let Some((key, kv)) = typo {
            let msg = format!("unknown key `{key}` in [{label}] (and `type` is missing)");
            ck.error(
                kv.key_span.unwrap_or(kv.span),
                msg,
                Some("did you mean `type`?".into()),
            );
            return None;
        }
        let help = (!types.is_empty())
            .then(|| format!("add `type = \"...\"`, one of: {}", types.join(", ")));
        ck.error(v.span, format!("missing `type` in [{label}]"), help);
        return None;
    };
    let Some(type_name) = tv.as_str() else {
        let msg = format!(
            "wrong type for `type`: expected a string (the {word} type), found {}",
            tv.a_type_name()
        );
        ck.error(tv.span, msg, None);
        return None;
    };
    let Some(spec) = registry.get(kind, type_name) else {
        let help = if types.is_empty() {
            Some(format!("this build of Galvana has no {word} types"))
        } else {
            suggest_or_list(type_name, &types, "known types")
        };
        ck.error(
            tv.span,
            format!("unknown {word} type `{type_name}` in [{label}]"),
            help,
        );
        return None;
    };
    let params = ck.check_params(&label, v.span, table, &spec.params, &["type"]);
    Some(Object {
        type_name: type_name.to_string(),
        section: label,
        name,
        header: v.span,
        type_span: Some(tv.span),
        params,
    })
}

/// Every bc type must be one the physics accepts (`Registry::compatible_bcs`).
fn check_compatibility(
    ck: &mut Checker,
    registry: &Registry,
    physics: &Object,
    bcs: &[(String, Object)],
) {
    let Some(allowed) = registry.compatible_bcs_for(&physics.type_name) else {
        return;
    };
    for (_, bc) in bcs {
        if !allowed.contains(&bc.type_name.as_str()) {
            ck.error(
                bc.type_span.unwrap_or(bc.header),
                format!(
                    "boundary condition type `{}` in [{}] cannot be used with physics `{}`",
                    bc.type_name, bc.section, physics.type_name
                ),
                Some(format!(
                    "`{}` accepts: {}",
                    physics.type_name,
                    allowed.join(", ")
                )),
            );
        }
    }
}

/// A region may be made of only one material.
fn check_region_overlap(ck: &mut Checker, registry: &Registry, materials: &[(String, Object)]) {
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, m) in materials {
        let Some(spec) = registry.get(SectionKind::Material, &m.type_name) else {
            continue;
        };
        for p in spec
            .params
            .iter()
            .filter(|p| p.kind == ParamKind::RegionNames)
        {
            let Some(items) = m.get(p.name).and_then(Value::as_array) else {
                continue;
            };
            for item in items {
                let Some(region) = item.as_str() else {
                    continue;
                };
                match owner.get(region) {
                    Some(first) if *first != name.as_str() => ck.error(
                        item.span,
                        format!("region `{region}` is already assigned to material `{first}`"),
                        None,
                    ),
                    Some(_) => {}
                    None => {
                        owner.insert(region, name);
                    }
                }
            }
        }
    }
}
