//! Each kind of deck error, with its exact position and wording.

mod common;
use common::{assert_diag, errors, parse, with_extra, with_line, BASE};

#[test]
fn base_deck_is_valid() {
    let deck = parse(BASE).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);
}

#[test]
fn misspelled_key_points_at_the_key_and_suggests() {
    let text = with_line(21, "vlaue = 4.2");
    assert_diag(&text, "deck.toml:21:1: error: unknown key `vlaue` in [bcs.cold_end]\n  help: did you mean `value`?");
    // The now-missing `value` is reported too, at the section header: all errors, not the first.
    let errs = errors(&text);
    assert!(errs.iter().any(|e| e.starts_with(
        "deck.toml:18:1: error: missing required parameter `value` in [bcs.cold_end]"
    )));
}

#[test]
fn unknown_key_far_from_everything_lists_the_keys() {
    assert_diag(
        &with_line(21, "colour = 4.2"),
        "deck.toml:21:1: error: unknown key `colour` in [bcs.cold_end]\n  help: [bcs.cold_end] accepts: `boundary`, `value`, `type`",
    );
}

#[test]
fn misspelled_key_in_a_fixed_section() {
    assert_diag(
        &with_line(32, "  dtt = 0.1"),
        "deck.toml:32:3: error: unknown key `dtt` in [time]\n  help: did you mean `dt`?",
    );
}

#[test]
fn wrong_type() {
    assert_diag(
        &with_line(26, "h = \"10\""),
        "deck.toml:26:5: error: wrong type for `h`: expected a number (float), found a string\n  help: remove the quotes: `h = 10`",
    );
    assert_diag(
        &with_line(4, "nx = 2.5"),
        "deck.toml:4:6: error: wrong type for `nx`: expected an integer, found a float",
    );
    assert_diag(
        &with_line(20, "boundary = \"left\""),
        "deck.toml:20:12: error: wrong type for `boundary`: expected an array of boundary names (strings), found a string\n  help: write `boundary = [\"left\"]`",
    );
    assert_diag(
        &with_line(25, "boundary = [\"top\", 3]"),
        "deck.toml:25:20: error: wrong type for `boundary[1]`: expected a string, found an integer",
    );
    assert_diag(
        &with_line(31, "end = 1979-05-27"),
        "deck.toml:31:7: error: wrong type for `end`: expected a number (float), found a datetime",
    );
}

#[test]
fn integer_literal_is_accepted_for_a_float() {
    let deck = parse(&with_line(21, "value = 4")).unwrap();
    assert_eq!(deck.bc("cold_end").unwrap().get_f64("value"), 4.0);
}

#[test]
fn out_of_range_says_range_and_unit() {
    assert_diag(
        &with_line(4, "nx = 0"),
        "deck.toml:4:6: error: `nx` = 0 is out of range: must be >= 1",
    );
    assert_diag(
        &with_line(26, "h = -5"),
        "deck.toml:26:5: error: `h` = -5 W/(m^2 K) is out of range: must be >= 0 W/(m^2 K)",
    );
    assert_diag(
        &with_line(16, "order = 3"),
        "deck.toml:16:9: error: `order` = 3 is out of range: must be between 1 and 2",
    );
    assert_diag(
        &with_line(21, "value = inf"),
        "deck.toml:21:9: error: `value` must be a finite number, found inf",
    );
    assert_diag(
        &with_line(21, "value = 1e999"),
        "deck.toml:21:9: error: `value` must be a finite number, found inf",
    );
}

#[test]
fn unknown_type_suggests_a_registered_one() {
    assert_diag(
        &with_line(24, "type = \"convecton\""),
        "deck.toml:24:8: error: unknown boundary condition type `convecton` in [bcs.side]\n  help: did you mean `convection`?",
    );
    assert_diag(
        &with_line(3, "type = \"sphere\""),
        "deck.toml:3:8: error: unknown mesh type `sphere` in [mesh]\n  help: known types: `box`, `interval`",
    );
}

#[test]
fn missing_type_and_missing_required() {
    assert_diag(
        &with_line(19, ""),
        "deck.toml:18:1: error: missing `type` in [bcs.cold_end]\n  help: add `type = \"...\"`, one of: temperature, convection, flux",
    );
    assert_diag(
        &with_line(21, ""),
        "deck.toml:18:1: error: missing required parameter `value` in [bcs.cold_end]\n  help: add `value = ...` (float in K): Fixed temperature.",
    );
    assert_diag(
        &with_line(19, "tpye = \"temperature\""),
        "deck.toml:19:1: error: unknown key `tpye` in [bcs.cold_end] (and `type` is missing)\n  help: did you mean `type`?",
    );
    let errs = errors("[physics]\ntype = \"diffusion\"\n");
    assert_eq!(
        errs,
        vec!["deck.toml:1:1: error: missing required section [mesh]\n  help: add a `[mesh]` section with `type = \"box\"` (types: box, interval)"]
    );
}

#[test]
fn invalid_choice_lists_the_choices() {
    assert_diag(
        &with_line(36, "pc = \"ilu\""),
        "deck.toml:36:6: error: invalid value `ilu` for `pc`: expected one of `none`, `jacobi`, `bjacobi`, `ilu0`\n  help: did you mean `ilu0`?",
    );
    assert_diag(
        &with_extra("\n[solver]\nbackend = \"cuda\"\n"),
        "deck.toml:43:11: error: invalid value `cuda` for `backend`: expected one of `native`, `petsc`",
    );
}

#[test]
fn array_length() {
    assert_diag(
        &with_line(5, "length = [0.1, 0.01]"),
        "deck.toml:5:10: error: `length` needs 3 values, found 2",
    );
}

#[test]
fn walltime_format() {
    assert_diag(
        &with_line(40, "walltime = \"2h\""),
        "deck.toml:40:12: error: invalid walltime \"2h\": expected \"HH:MM:SS\" or \"D-HH:MM:SS\" (longer than zero)\n  help: e.g. walltime = \"02:30:00\" or \"1-12:00:00\"",
    );
    assert!(errors(&with_line(40, "walltime = \"01:75:00\""))[0]
        .starts_with("deck.toml:40:12: error: invalid walltime"));
}

#[test]
fn transient_needs_dt_and_end_after_start() {
    assert_diag(
        &with_line(32, ""),
        "deck.toml:29:1: error: missing required parameter `dt` in [time]: a transient run needs `dt` and `end`\n  help: add `dt = ...` (s)",
    );
    assert_diag(
        &with_line(31, "end = -1"),
        "deck.toml:31:7: error: `end` = -1 s must be after `start` = 0 s",
    );
    assert_diag(
        &with_line(32, "dt = 0"),
        "deck.toml:32:6: error: `dt` must be > 0, found 0",
    );
}

#[test]
fn dt_between_dt_min_and_dt_max() {
    assert_diag(
        &with_line(31, "end = 10.0\ndt_max = 0.01"),
        "deck.toml:33:6: error: `dt` = 0.1 s is above `dt_max` = 0.01 s",
    );
    assert_diag(
        &with_line(31, "end = 10.0\ndt_min = 1"),
        "deck.toml:33:6: error: `dt` = 0.1 s is below `dt_min` = 1 s",
    );
    assert_diag(
        &with_line(31, "end = 10.0\ndt_min = 1\ndt_max = 0.5"),
        "deck.toml:32:10: error: `dt_min` = 1 s exceeds `dt_max` = 0.5 s",
    );
}

#[test]
fn physics_bc_compatibility() {
    assert_diag(
        &with_line(15, "type = \"diffusion\"").replace("order = 2", ""),
        "deck.toml:24:8: error: boundary condition type `convection` in [bcs.side] cannot be used with physics `diffusion`\n  help: `diffusion` accepts: temperature, flux",
    );
}

#[test]
fn unknown_section_and_non_table_sections() {
    assert_diag(
        &with_extra("[solvr]\n"),
        "deck.toml:41:2: error: unknown section `solvr`\n  help: did you mean `solver`?",
    );
    let errs = errors(
        "[mesh]\ntype = \"box\"\n[physics]\ntype = \"diffusion\"\n[[bcs]]\ntype = \"flux\"\n",
    );
    assert_eq!(
        errs,
        ["deck.toml:5:1: error: [bcs] must be a table, found an array\n  help: write each boundary condition as a `[bcs.<name>]` section"]
    );
    let errs = errors("mesh = 3\n[physics]\ntype = \"diffusion\"\n");
    assert_eq!(errs, vec!["deck.toml:1:8: error: [mesh] must be a table, found an integer\n  help: write it as a section headed `[mesh]`"]);
}

#[test]
fn toml_syntax_error_has_a_position() {
    let errs = errors(&with_line(26, "h = = 10"));
    assert_eq!(
        errs,
        vec!["deck.toml:26:5: error: invalid TOML: extra `=`, expected nothing"]
    );
    let errs = errors(&with_line(9, "k = 400\nk = 401"));
    assert_eq!(
        errs[0],
        "deck.toml:10:1: error: invalid TOML: duplicate key"
    );
}

#[test]
fn all_errors_are_collected_in_order() {
    let text = with_line(4, "nx = 0")
        .replace("vlaue", "x")
        .replace("value = 4.2", "vlaue = 4.2")
        .replace("h = 10", "h = \"hot\"");
    let errs = errors(&text);
    let positions: Vec<&str> = errs
        .iter()
        .map(|e| e.split(": error").next().unwrap())
        .collect();
    assert_eq!(
        positions,
        [
            "deck.toml:4:6",
            "deck.toml:18:1",
            "deck.toml:21:1",
            "deck.toml:26:5"
        ],
        "{errs:#?}"
    );
}

#[test]
fn two_materials_cannot_share_a_region() {
    let extra = "\n[materials.steel]\ntype = \"constant\"\nk = 16\nrho = 8000\ncp = 500\nregions = [\"bar\"]\n";
    assert_diag(
        &with_extra(extra),
        "deck.toml:47:12: error: region `bar` is already assigned to material `copper`",
    );
}

#[test]
fn tables_must_be_pairs_with_increasing_x() {
    let table = |k: &str| {
        with_line(8, "type = \"tabulated\"")
            .replace("k = 400\n", &format!("{k}\n"))
            .replace("rho = 8960.0\ncp = 385\n", "")
    };
    let deck = parse(&table("k = [[4, 300], [300.0, 400]]")).unwrap();
    assert_eq!(
        deck.material("copper").unwrap().get_table("k"),
        vec![(4.0, 300.0), (300.0, 400.0)]
    );
    assert_diag(
        &table("k = [[4, 300], [3, 400]]"),
        "deck.toml:9:17: error: the x values of `k` must increase strictly (row 2)",
    );
    assert_diag(
        &table("k = [[4, 300, 1]]"),
        "deck.toml:9:6: error: row 1 of `k` must be an [x, y] pair, found 3 values",
    );
}

#[test]
fn warnings_do_not_fail_the_deck() {
    let deck = parse(&with_extra(
        "\n[solver]\npetsc_options = \"-ksp_monitor\"\n",
    ))
    .unwrap();
    let w: Vec<String> = deck.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        ["deck.toml:43:17: warning: `petsc_options` is ignored by the native backend\n  help: set `backend = \"petsc\"` to use them"]
    );
    let deck = parse(&with_line(30, "")).unwrap(); // steady with dt and end
    assert_eq!(deck.warnings.len(), 1);
    assert!(deck.warnings[0]
        .to_string()
        .starts_with("deck.toml:31:7: warning: `end`, `dt` is ignored by a steady solve"));
}

#[test]
fn job_nodes_cannot_exceed_ranks() {
    assert_diag(
        &with_extra("nodes = 8\n"),
        "deck.toml:41:9: error: `nodes` = 8 exceeds `ranks` = 4: every node needs a rank",
    );
}

#[test]
fn huge_integer_is_reported_and_checking_goes_on() {
    let errs =
        errors(&with_line(4, "nx = 123456789012345678901234567890").replace("h = 10", "h = -1"));
    assert_eq!(
        errs[0],
        "deck.toml:4:6: error: integer out of range: integers must fit in 64 bits"
    );
    assert!(
        errs[1].starts_with("deck.toml:26:5: error: `h` = -1"),
        "{errs:#?}"
    );
}
