//! A small registry and a valid deck shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different part

use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec, Registry, SectionKind};
use galvana_decks::{Deck, Diagnostic};

fn float(min: Option<f64>) -> ParamKind {
    ParamKind::Float { min, max: None }
}

fn boundary() -> ParamSpec {
    ParamSpec::required(
        "boundary",
        ParamKind::BoundaryNames,
        "",
        "Boundaries it applies to.",
    )
}

fn regions() -> ParamSpec {
    ParamSpec::required("regions", ParamKind::RegionNames, "", "Regions made of it.")
}

fn obj(type_name: &'static str, params: Vec<ParamSpec>) -> ObjectSpec {
    ObjectSpec {
        type_name,
        description: "test object",
        params,
    }
}

/// Mesh `box`/`interval`, material `constant`/`tabulated`, physics `heat_conduction`/`diffusion`,
/// bcs `temperature`/`convection`/`flux`, source `volumetric`, postprocessor `max`.
pub fn registry() -> Registry {
    let mut r = Registry::default();
    let cells = ParamKind::Int {
        min: Some(1),
        max: None,
    };
    r.add(
        SectionKind::Mesh,
        obj(
            "box",
            vec![
                ParamSpec::optional("nx", cells.clone(), "", "10", "Cells along x."),
                ParamSpec::optional("ny", cells.clone(), "", "10", "Cells along y."),
                ParamSpec::optional("nz", cells.clone(), "", "10", "Cells along z."),
                ParamSpec::optional(
                    "length",
                    ParamKind::FloatArray { len: Some(3) },
                    "m",
                    "[1, 1, 1]",
                    "Edge lengths.",
                ),
            ],
        ),
    );
    r.add(
        SectionKind::Mesh,
        obj(
            "interval",
            vec![
                ParamSpec::required("n", cells, "", "Cells."),
                ParamSpec::required("length", float(Some(0.0)), "m", "Length."),
            ],
        ),
    );
    r.add(
        SectionKind::Material,
        obj(
            "constant",
            vec![
                ParamSpec::required("k", float(Some(0.0)), "W/(m K)", "Conductivity."),
                ParamSpec::required("rho", float(Some(0.0)), "kg/m^3", "Density."),
                ParamSpec::required("cp", float(Some(0.0)), "J/(kg K)", "Specific heat."),
                regions(),
            ],
        ),
    );
    r.add(
        SectionKind::Material,
        obj(
            "tabulated",
            vec![
                ParamSpec::required("k", ParamKind::Table, "W/(m K)", "k(T) table."),
                regions(),
            ],
        ),
    );
    r.add(
        SectionKind::Physics,
        obj(
            "heat_conduction",
            vec![
                ParamSpec::optional(
                    "order",
                    ParamKind::Int {
                        min: Some(1),
                        max: Some(2),
                    },
                    "",
                    "1",
                    "Element order.",
                ),
                ParamSpec::optional(
                    "formulation",
                    ParamKind::Choice(&["temperature", "enthalpy"]),
                    "",
                    "\"temperature\"",
                    "Primary variable.",
                ),
            ],
        ),
    );
    r.add(SectionKind::Physics, obj("diffusion", vec![]));
    r.add(
        SectionKind::Bc,
        obj(
            "temperature",
            vec![
                boundary(),
                ParamSpec::required("value", float(Some(0.0)), "K", "Fixed temperature."),
            ],
        ),
    );
    r.add(
        SectionKind::Bc,
        obj(
            "convection",
            vec![
                boundary(),
                ParamSpec::required(
                    "h",
                    float(Some(0.0)),
                    "W/(m^2 K)",
                    "Heat transfer coefficient.",
                ),
                ParamSpec::required("t_inf", float(Some(0.0)), "K", "Ambient temperature."),
            ],
        ),
    );
    r.add(
        SectionKind::Bc,
        obj(
            "flux",
            vec![
                boundary(),
                ParamSpec::required("q", float(None), "W/m^2", "Heat flux."),
            ],
        ),
    );
    r.add(
        SectionKind::Source,
        obj(
            "volumetric",
            vec![
                ParamSpec::required("q", float(None), "W/m^3", "Power density."),
                regions(),
            ],
        ),
    );
    r.add(
        SectionKind::Postprocessor,
        obj(
            "max",
            vec![ParamSpec::optional(
                "field",
                ParamKind::String,
                "",
                "\"T\"",
                "Field.",
            )],
        ),
    );
    r.compatible_bcs
        .push(("heat_conduction", vec!["temperature", "convection", "flux"]));
    r.compatible_bcs
        .push(("diffusion", vec!["temperature", "flux"]));
    r
}

/// A valid deck. Line numbers are asserted by the tests: edit with care.
pub const BASE: &str = r#"# A copper bar cooled at one end.
[mesh]
type = "box"
nx = 20
length = [0.1, 0.01, 0.01]

[materials.copper]
type = "constant"
k = 400
rho = 8960.0
cp = 385
regions = ["bar"]

[physics]
type = "heat_conduction"
order = 2

[bcs.cold_end]
type = "temperature"
boundary = ["left"]
value = 4.2

[bcs.side]
type = "convection"
boundary = ["top", "bottom"]
h = 10
t_inf = 300

[time]
type = "transient"
end = 10.0
dt = 0.1

[solver.linear]
type = "cg"
pc = "jacobi"

[job]
ranks = 4
walltime = "0-02:00:00"
"#;

/// `BASE` with 1-based line `line` replaced by `new` (an empty `new` blanks the line).
pub fn with_line(line: usize, new: &str) -> String {
    let mut lines: Vec<&str> = BASE.lines().collect();
    lines[line - 1] = new;
    lines.join("\n") + "\n"
}

/// `BASE` with `extra` appended.
pub fn with_extra(extra: &str) -> String {
    format!("{BASE}{extra}")
}

pub fn parse(text: &str) -> Result<Deck, Vec<Diagnostic>> {
    Deck::parse("deck.toml", text, &registry())
}

/// All diagnostics as printed, for a deck that must fail.
pub fn errors(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(_) => panic!("deck unexpectedly valid:\n{text}"),
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

/// Assert `expected` is one of the printed diagnostics of `text`.
pub fn assert_diag(text: &str, expected: &str) {
    let errs = errors(text);
    assert!(
        errs.iter().any(|e| e == expected),
        "expected:\n{expected}\n\ngot:\n{}",
        errs.join("\n")
    );
}
