//! Sections a physics type adds to its decks (`Registry::sections`, e.g. `[sweep]` of battery
//! decks): checked like fixed sections where written, absent otherwise, an error in a deck of
//! another physics, listed in the reference, kept by the canonical form.
mod common;
use common::*;
use galvana_decks::schema::{ParamKind, ParamSpec, Registry};
use galvana_decks::{lint_registry, reference_markdown, Deck, FixedSection};

fn with_section() -> Registry {
    let mut r = registry();
    r.sections.push((
        "heat_conduction",
        FixedSection {
            path: "scan",
            description: "A test section of heat_conduction decks.",
            params: vec![
                ParamSpec::maybe(
                    "conductivity",
                    ParamKind::FloatArray { len: None },
                    "W/(m K)",
                    "Values to scan.",
                ),
                ParamSpec::optional(
                    "threads",
                    ParamKind::Int {
                        min: Some(0),
                        max: None,
                    },
                    "",
                    "0",
                    "Threads.",
                ),
            ],
        },
    ));
    r
}

fn parse_with(text: &str) -> Result<Deck, Vec<String>> {
    Deck::parse("deck.toml", text, &with_section())
        .map_err(|d| d.iter().map(ToString::to_string).collect())
}

#[test]
fn a_written_section_is_checked_and_kept() {
    let deck = parse_with(&with_extra("\n[scan]\nconductivity = [300.0, 400.0]\n")).unwrap();
    let scan = deck.fixed.get("scan").expect("[scan] in the deck");
    assert_eq!(scan.opt_f64_array("conductivity"), Some(vec![300.0, 400.0]));
    assert_eq!(scan.opt_i64("threads"), Some(0), "defaults applied");
    // The canonical form is a deck that reads back to the same section.
    let again = parse_with(&deck.canonical_toml()).unwrap();
    assert_eq!(
        again
            .fixed
            .get("scan")
            .unwrap()
            .opt_f64_array("conductivity"),
        Some(vec![300.0, 400.0])
    );
    assert_eq!(again.canonical_hash(), deck.canonical_hash());
    // Absent: not there at all (no defaults-only object).
    assert!(!parse_with(BASE).unwrap().fixed.contains_key("scan"));
}

#[test]
fn mistakes_in_it_point_at_their_line() {
    let text = with_extra("\n[scan]\nconductivty = [300.0]\n");
    let line = text
        .lines()
        .position(|l| l.starts_with("conductivty"))
        .unwrap()
        + 1;
    let errs = parse_with(&text).unwrap_err();
    assert!(
        errs.iter().any(|e| e.starts_with(&format!(
            "deck.toml:{line}:1: error: unknown key `conductivty` in [scan]"
        )) && e.contains("did you mean `conductivity`")),
        "{errs:?}"
    );
    // Without the registration the section is unknown, as before.
    let errs: Vec<String> = errors(&with_extra("\n[scan]\nconductivity = [300.0]\n"));
    assert!(
        errs.iter().any(|e| e.contains("unknown section `scan`")),
        "{errs:?}"
    );
}

#[test]
fn it_belongs_to_its_physics_only() {
    let text = with_extra("\n[scan]\nconductivity = [300.0]\n").replace(
        "type = \"heat_conduction\"\norder = 2",
        "type = \"diffusion\"",
    );
    let errs = parse_with(&text).unwrap_err();
    assert!(
        errs.iter().any(|e| e.contains(
            "[scan] belongs to `heat_conduction` decks, and this deck's physics is `diffusion`"
        )),
        "{errs:?}"
    );
}

#[test]
fn the_reference_lists_it_and_the_lint_checks_it() {
    let r = with_section();
    let md = reference_markdown(&r);
    assert!(md.contains("## `[scan]` (`heat_conduction` decks only)"));
    assert!(md.contains("| `conductivity` | float[] | W/(m K) |"));
    assert_eq!(lint_registry(&r), Vec::<String>::new());
    let mut bad = r.clone();
    bad.sections.push((
        "nonexistent",
        FixedSection {
            path: "time",
            description: "",
            params: vec![],
        },
    ));
    let problems = lint_registry(&bad);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("no physics type `nonexistent`")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("name of a fixed section")),
        "{problems:?}"
    );
}
