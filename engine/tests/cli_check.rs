//! `galvana check`: valid decks pass; every kind of mistake is exit 3 with a
//! `path:line:col: error:` line at the exact position (and a suggestion where one exists);
//! garbage never panics.
mod common;
use common::*;
use std::path::PathBuf;
use std::process::Output;

/// A small valid transient deck exercising every section the checker knows.
const BASE: &str = r#"# check-test deck
[mesh]
type = "box"
nx = 4
ny = 2
nz = 2
x = [0.0, 0.1]
y = [0.0, 0.01]
z = [0.0, 0.01]
regions = ["strut", "link"]
region_breaks = [0.05]

[materials.steel]
type = "nist"
material = "ss304"
regions = ["strut"]

[materials.copper]
type = "constant"
k = 400.0
rho = 8960.0
cp = 385.0
regions = ["link"]

[physics]
type = "heat_conduction"
order = 1

[bcs.warm]
type = "temperature"
boundary = ["left"]
value = 300.0

[bcs.cold]
type = "convection"
boundary = ["right", "top"]
h = 50.0
t_inf = 77.0

[initial]
value = 300.0

[solver.nonlinear]
rtol = 1e-8

[solver.linear]
type = "gmres"
rtol = 1e-10

[time]
type = "transient"
scheme = "bdf2"
end = 10.0
dt = 1.0
"#;

/// `galvana check deck.toml` on `text` (bytes) in a fresh directory named after the case.
fn check_bytes(case: &str, text: &[u8]) -> (Output, PathBuf) {
    let dir = tempdir(&format!("check-{case}"));
    write_deck(&dir, "deck.toml", text);
    (galvana_in(&dir, &["check", "deck.toml"]), dir)
}

fn check_text(case: &str, text: &str) -> Output {
    check_bytes(case, text.as_bytes()).0
}

/// Replace exactly one occurrence of `from` in BASE.
fn base_with(from: &str, to: &str) -> String {
    assert_eq!(
        BASE.matches(from).count(),
        1,
        "`{from}` must occur once in BASE"
    );
    BASE.replacen(from, to, 1)
}

/// (line, column) of `token` inside the first line of `text` that contains `line_has`.
fn pos_in_line(text: &str, line_has: &str, token: &str) -> (usize, usize) {
    let (n, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(line_has))
        .unwrap_or_else(|| panic!("no line containing `{line_has}`"));
    let col = line
        .find(token)
        .unwrap_or_else(|| panic!("no `{token}` in `{line}`"));
    (n + 1, line[..col].chars().count() + 1)
}

/// Exit 3, no panic, and an error line at (line, col) containing every string in `wants`;
/// any `help:` wanted must be the line right after that error.
fn expect_error(case: &str, out: &Output, at: (usize, usize), wants: &[&str], help: Option<&str>) {
    let err = stderr(out);
    assert_code(out, 3, case);
    assert!(!err.contains("panicked"), "{case}: panic\n{err}");
    let prefix = format!("deck.toml:{}:{}: error: ", at.0, at.1);
    let lines: Vec<&str> = err.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(&prefix) && wants.iter().all(|w| l.contains(w)))
        .unwrap_or_else(|| {
            panic!("{case}: no line starting `{prefix}` containing {wants:?} in stderr:\n{err}")
        });
    if let Some(h) = help {
        let next = lines.get(i + 1).copied().unwrap_or("");
        assert!(
            next.trim_start().starts_with("help:") && next.contains(h),
            "{case}: expected `help: ... {h}` after `{}`, got `{next}`\n{err}",
            lines[i]
        );
    }
}

#[test]
fn valid_decks_pass() {
    let out = check_text("base", BASE);
    assert_code(&out, 0, "BASE deck");
    assert!(stdout(&out).contains("deck.toml: ok"), "{}", describe(&out));
    assert!(
        stderr(&out).is_empty(),
        "a clean deck prints no warnings\n{}",
        describe(&out)
    );

    let dir = copy_examples(&tempdir("check-examples"));
    let decks = example_decks();
    assert!(decks.len() >= 2, "examples: {decks:?}");
    for name in decks {
        let file = format!("{name}.toml");
        let out = galvana_in(&dir, &["check", &file]);
        assert_code(&out, 0, &file);
        assert!(
            stdout(&out).contains(&format!("{file}: ok")),
            "{}",
            describe(&out)
        );
    }
}

#[test]
fn misspelled_key_gets_position_and_suggestion() {
    let text = base_with("rtol = 1e-10", "rtoll = 1e-10");
    let out = check_text("rtoll", &text);
    expect_error(
        "rtoll",
        &out,
        position_of(&text, "rtoll"),
        &["unknown key `rtoll`", "[solver.linear]"],
        Some("did you mean `rtol`?"),
    );
}

#[test]
fn wrong_type_is_reported_at_the_value() {
    let text = base_with("nx = 4", "nx = \"ten\"");
    let out = check_text("nx-string", &text);
    expect_error(
        "nx = \"ten\"",
        &out,
        pos_in_line(&text, "nx = ", "\"ten\""),
        &["`nx`", "expected", "integer"],
        None,
    );

    let text = base_with("boundary = [\"left\"]", "boundary = \"left\"");
    let out = check_text("boundary-string", &text);
    expect_error(
        "boundary = \"left\"",
        &out,
        pos_in_line(&text, "boundary = \"left\"", "\"left\""),
        &["`boundary`", "expected"],
        None,
    );
}

#[test]
fn unknown_boundary_points_at_the_array_element() {
    let text = base_with("boundary = [\"left\"]", "boundary = [\"lft\"]");
    let out = check_text("lft", &text);
    expect_error(
        "lft",
        &out,
        pos_in_line(&text, "\"lft\"", "\"lft\""),
        &["unknown boundary `lft`"],
        Some("did you mean `left`?"),
    );
    // The second element of an array.
    let text = base_with("[\"right\", \"top\"]", "[\"right\", \"tpo\"]");
    let out = check_text("tpo", &text);
    expect_error(
        "tpo",
        &out,
        pos_in_line(&text, "\"tpo\"", "\"tpo\""),
        &["unknown boundary `tpo`"],
        Some("did you mean `top`?"),
    );
}

#[test]
fn region_and_material_mistakes() {
    // A material naming a region the mesh lacks.
    let text = base_with("regions = [\"link\"]", "regions = [\"lnk\"]");
    let out = check_text("region-typo", &text);
    expect_error(
        "lnk",
        &out,
        pos_in_line(&text, "\"lnk\"", "\"lnk\""),
        &["unknown region `lnk`"],
        Some("did you mean `link`?"),
    );
    // A region that no material covers: drop the copper material.
    let start = BASE.find("[materials.copper]").unwrap();
    let end = BASE.find("[physics]").unwrap();
    let text = format!("{}{}", &BASE[..start], &BASE[end..]);
    let out = check_text("no-material", &text);
    expect_error(
        "region without material",
        &out,
        pos_in_line(&text, "[materials.steel]", "materials"),
        &["region `link`", "no material"],
        None,
    );
}

#[test]
fn missing_mesh_file_is_reported_at_the_file_key() {
    let text = BASE.replace(
        &BASE[BASE.find("[mesh]").unwrap()..BASE.find("[materials.steel]").unwrap()],
        "[mesh]\ntype = \"gmsh\"\nfile = \"meshes/nothere.msh\"\n\n",
    );
    let out = check_text("nomesh", &text);
    expect_error(
        "missing gmsh file",
        &out,
        pos_in_line(&text, "file = ", "\"meshes"),
        &["nothere.msh"],
        None,
    );
}

#[test]
fn missing_required_key_names_it_at_its_section() {
    let text = base_with("nz = 2\n", "");
    let out = check_text("no-nz", &text);
    expect_error(
        "missing nz",
        &out,
        position_of(&text, "[mesh]"),
        &["missing required parameter `nz`", "[mesh]"],
        Some("nz = "),
    );
    let text = base_with("material = \"ss304\"\n", "");
    let out = check_text("no-material-key", &text);
    expect_error(
        "missing material",
        &out,
        position_of(&text, "[materials.steel]"),
        &["missing required parameter `material`"],
        Some("material = "),
    );
}

#[test]
fn out_of_range_values() {
    for (case, from, to, token, wants) in [
        (
            "order",
            "order = 1",
            "order = 3",
            "3",
            vec!["`order`", "out of range"],
        ),
        ("nx0", "nx = 4", "nx = 0", "0", vec!["`nx`", "out of range"]),
        (
            "h",
            "h = 50.0",
            "h = -5.0",
            "-5.0",
            vec!["`h`", "out of range"],
        ),
        (
            "twall",
            "value = 300.0\n\n[bcs.cold]",
            "value = -4.2\n\n[bcs.cold]",
            "-4.2",
            vec!["`value`", "out of range"],
        ),
        (
            "end-before-start",
            "end = 10.0",
            "end = -5.0",
            "-5.0",
            vec!["`end`", "start"],
        ),
    ] {
        let text = base_with(from, to);
        let line_has = to.lines().next().unwrap();
        let out = check_text(case, &text);
        expect_error(
            case,
            &out,
            pos_in_line(&text, line_has, token),
            &wants,
            None,
        );
    }
}

#[test]
fn unknown_sections_and_types_get_suggestions() {
    let text = format!("{BASE}\n[bogus]\nx = 1\n");
    let out = check_text("bogus", &text);
    expect_error(
        "[bogus]",
        &out,
        pos_in_line(&text, "[bogus]", "bogus"),
        &["unknown section `bogus`"],
        Some("sections are"),
    );
    let text = base_with("[solver.linear]", "[solver.lienar]");
    let out = check_text("lienar", &text);
    expect_error(
        "[solver.lienar]",
        &out,
        pos_in_line(&text, "[solver.lienar]", "lienar"),
        &["unknown key `lienar`"],
        Some("did you mean `linear`?"),
    );
    for (case, from, to, bad, want) in [
        (
            "mesh-type",
            "type = \"box\"",
            "type = \"boxx\"",
            "\"boxx\"",
            "box",
        ),
        (
            "bc-type",
            "type = \"convection\"",
            "type = \"convektion\"",
            "\"convektion\"",
            "convection",
        ),
        (
            "material-type",
            "type = \"nist\"",
            "type = \"nits\"",
            "\"nits\"",
            "nist",
        ),
        (
            "physics-type",
            "type = \"heat_conduction\"",
            "type = \"heat_conductoin\"",
            "\"heat_conductoin\"",
            "heat_conduction",
        ),
        (
            "scheme",
            "scheme = \"bdf2\"",
            "scheme = \"bdf3\"",
            "\"bdf3\"",
            "bdf",
        ),
    ] {
        let text = base_with(from, to);
        let out = check_text(case, &text);
        let unknown = bad.trim_matches('"');
        expect_error(
            case,
            &out,
            pos_in_line(&text, to, bad),
            &[unknown],
            Some(&format!("did you mean `{want}")),
        );
    }
}

#[test]
fn transient_deck_needs_an_initial_value() {
    let start = BASE.find("[initial]").unwrap();
    let end = BASE.find("[solver.nonlinear]").unwrap();
    let text = format!("{}{}", &BASE[..start], &BASE[end..]);
    let out = check_text("no-initial", &text);
    assert_code(&out, 3, "transient without [initial]");
    let err = stderr(&out);
    assert!(
        err.lines().any(|l| l.starts_with("deck.toml:")
            && l.contains(": error: ")
            && l.contains("initial")),
        "{err}"
    );
    // A steady deck does not need it.
    let steady = text.replace("type = \"transient\"", "type = \"steady\"");
    let out = check_text("steady-no-initial", &steady);
    assert_code(&out, 0, "steady without [initial]");
}

#[test]
fn all_errors_are_reported_at_once() {
    let text = base_with("nx = 4", "nx = \"ten\"").replace("rtol = 1e-10", "rtoll = 1e-10");
    let out = check_text("two-errors", &text);
    expect_error(
        "two errors (1)",
        &out,
        pos_in_line(&text, "nx = ", "\"ten\""),
        &["`nx`"],
        None,
    );
    expect_error(
        "two errors (2)",
        &out,
        position_of(&text, "rtoll"),
        &["rtoll"],
        None,
    );
    assert!(stderr(&out).contains("2 error(s)"), "{}", describe(&out));
}

#[test]
fn garbage_never_panics() {
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("whitespace".into(), b"\n\n   \n".to_vec()),
        ("noise".into(), noise(400, 0x9e37_79b9)),
        ("nul bytes".into(), vec![0; 64]),
        ("brackets".into(), b"[[[".to_vec()),
        ("unclosed header".into(), b"[mesh\n".to_vec()),
        (
            "unterminated string".into(),
            b"a = \"unterminated\n".to_vec(),
        ),
        ("mesh is an array".into(), b"mesh = [1, 2]\n".to_vec()),
        (
            "array of tables".into(),
            b"[[mesh]]\ntype = \"box\"\n".to_vec(),
        ),
        ("type is a number".into(), b"[mesh]\ntype = 5\n".to_vec()),
        (
            "deep inline tables".into(),
            format!("a = {}1{}\n", "{b = ".repeat(300), "}".repeat(300)).into_bytes(),
        ),
        (
            "deep arrays".into(),
            format!("a = {}{}\n", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        ),
        (
            "deep header".into(),
            format!("[{}]\n", vec!["a"; 3000].join(".")).into_bytes(),
        ),
        (
            "non-UTF-8 string".into(),
            b"[mesh]\ntype = \"box\xff\xfe\"\n".to_vec(),
        ),
        (
            "latin-1 comment".into(),
            [BASE.as_bytes(), b"# caf\xe9\n"].concat(),
        ),
        (
            "huge integer".into(),
            base_with("nx = 4", "nx = 99999999999999999999999").into_bytes(),
        ),
        (
            "i64 max".into(),
            base_with("nx = 4", "nx = 9223372036854775807").into_bytes(),
        ),
        (
            "i64 min".into(),
            base_with("nx = 4", "nx = -9223372036854775808").into_bytes(),
        ),
        (
            "float overflow".into(),
            base_with("end = 10.0", "end = 1e400").into_bytes(),
        ),
        ("nan".into(), base_with("dt = 1.0", "dt = nan").into_bytes()),
        ("inf".into(), base_with("h = 50.0", "h = inf").into_bytes()),
        (
            "huge extent".into(),
            base_with("x = [0.0, 0.1]", "x = [-1e308, 1e308]").into_bytes(),
        ),
        (
            "reversed extent".into(),
            base_with("x = [0.0, 0.1]", "x = [0.1, 0.0]").into_bytes(),
        ),
        (
            "duplicate key".into(),
            base_with("nx = 4", "nx = 4\nnx = 5").into_bytes(),
        ),
        (
            "empty region list".into(),
            base_with("regions = [\"link\"]", "regions = []").into_bytes(),
        ),
        (
            "region break outside".into(),
            base_with("region_breaks = [0.05]", "region_breaks = [5.0]").into_bytes(),
        ),
        (
            "bcs is a number".into(),
            format!("{BASE}\n[bcs]\nleft = 3\n").into_bytes(),
        ),
        (
            "directory as mesh file".into(),
            b"[mesh]\ntype = \"gmsh\"\nfile = \".\"\n[physics]\ntype = \"heat_conduction\"\n"
                .to_vec(),
        ),
    ];
    // Truncated and corrupted Gmsh files (ASCII and binary).
    for mesh in ["heat_sink.msh", "heat_sink_binary.msh"] {
        let bytes = std::fs::read(examples_dir().join("meshes").join(mesh)).unwrap();
        for frac in [0.0, 0.05, 0.5, 0.97] {
            let cut = (bytes.len() as f64 * frac) as usize;
            cases.push((format!("{mesh} cut at {frac}"), bytes[..cut].to_vec()));
        }
        let mut garbled = bytes.clone();
        let n = garbled.len();
        for (k, b) in noise(64, 7).into_iter().enumerate() {
            garbled[(k * 7919 + 1000) % n] = b;
        }
        cases.push((format!("{mesh} garbled"), garbled));
    }
    for (i, (case, bytes)) in cases.iter().enumerate() {
        // Garbled coordinates can still make a valid mesh: those must only not panic.
        let must_fail = !case.ends_with("garbled");
        // Mesh bytes become the mesh file of a gmsh deck; everything else is the deck itself.
        let (out, dir) = if case.contains(".msh") {
            let dir = tempdir(&format!("garbage-{i}"));
            write_deck(&dir, "m.msh", bytes);
            write_deck(&dir, "deck.toml", "[mesh]\ntype = \"gmsh\"\nfile = \"m.msh\"\n\n[materials.al]\ntype = \"nist\"\nmaterial = \"al6061_t6\"\nregions = [\"base\", \"fin\"]\n\n[physics]\ntype = \"heat_conduction\"\n");
            (galvana_in(&dir, &["check", "deck.toml"]), dir)
        } else {
            check_bytes(&format!("garbage-{i}"), bytes)
        };
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "`{case}` panicked:\n{err}");
        if !must_fail && out.status.code() == Some(0) {
            continue;
        }
        assert_code(&out, 3, &format!("garbage case `{case}`"));
        let nlines = std::fs::read(dir.join("deck.toml"))
            .unwrap()
            .split(|b| *b == b'\n')
            .count();
        let ok = err.lines().any(|l| {
            let Some(rest) = l.strip_prefix("deck.toml:") else {
                return false;
            };
            let mut it = rest.splitn(3, ':');
            let line = it.next().and_then(|s| s.parse::<usize>().ok());
            let col = it.next().and_then(|s| s.parse::<usize>().ok());
            let msg = it.next().unwrap_or("");
            matches!((line, col), (Some(l), Some(c)) if l >= 1 && l <= nlines.max(1) && c >= 1)
                && msg.starts_with(" error: ")
        });
        assert!(
            ok,
            "`{case}`: no `deck.toml:LINE:COL: error:` line within the file:\n{err}"
        );
    }
}

/// Values the schema accepts but the physics refuses when the run starts must be caught by
/// `check` (exit 3 at the value), not fail the run later with exit 1.
#[test]
fn values_the_physics_rejects_fail_the_check() {
    for (case, from, to, token) in [
        ("k = 0", "k = 400.0", "k = 0.0", "0.0"),
        ("rho = 0", "rho = 8960.0", "rho = 0.0", "0.0"),
        (
            "T = 0 K",
            "value = 300.0\n\n[bcs.cold]",
            "value = 0.0\n\n[bcs.cold]",
            "0.0",
        ),
    ] {
        let text = base_with(from, to);
        let out = check_text(&format!("physics-{}", case.replace([' ', '='], "")), &text);
        let line_has = to.lines().next().unwrap();
        expect_error(case, &out, pos_in_line(&text, line_has, token), &[], None);
    }
}

/// A box mesh of 10^15 cells (each count within its documented range) must be refused with
/// a diagnostic, not abort the checker on a failed allocation.
#[test]
fn absurd_mesh_size_is_a_diagnostic_not_an_abort() {
    let text = base_with("nx = 4", "nx = 100000")
        .replace("ny = 2", "ny = 100000")
        .replace("nz = 2", "nz = 100000");
    let (out, _) = check_bytes("absurd-mesh", text.as_bytes());
    let err = stderr(&out);
    assert_code(&out, 3, "10^15-cell box");
    assert!(
        err.contains("deck.toml:") && err.contains(": error: "),
        "{err}"
    );
}
