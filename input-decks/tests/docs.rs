//! The generated deck reference shows every section, type and parameter with its metadata.

mod common;
use galvana_decks::{lint_registry, reference_markdown};

#[test]
fn reference_lists_fixed_sections_and_registered_types() {
    let md = reference_markdown(&common::registry());
    for header in [
        "## `[mesh]`",
        "## `[materials.<name>]`",
        "## `[bcs.<name>]`",
        "### `[bcs.<name>]` `type = \"convection\"`",
        "## `[initial]`",
        "## `[solver]`",
        "## `[solver.nonlinear]`",
        "## `[solver.linear]`",
        "## `[time]`",
        "## `[output]`",
        "## `[job]`",
        "## `[checkpoint]`",
    ] {
        assert!(md.contains(header), "missing {header}\n{md}");
    }
    assert!(md.contains("| name | type | unit | default | required | description |"));
    assert!(
        md.contains("| `h` | float ≥ 0 | W/(m^2 K) | — | yes | Heat transfer coefficient. |"),
        "{md}"
    );
    assert!(
        md.contains("| `order` | int in [1, 2] | — | `1` | no | Element order. |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| `pc` | choice: `none`, `jacobi`, `bjacobi`, `ilu0` | — | `\"bjacobi\"` | no |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| `diffusion` | `temperature`, `flux` |"),
        "{md}"
    );
}

#[test]
fn test_registry_is_lint_free() {
    assert_eq!(lint_registry(&common::registry()), Vec::<String>::new());
    let mut bad = common::registry();
    bad.compatible_bcs.push(("diffusion", vec!["radiation"]));
    assert_eq!(
        lint_registry(&bad),
        ["physics `diffusion` lists unknown bc type `radiation` as compatible"]
    );
}
