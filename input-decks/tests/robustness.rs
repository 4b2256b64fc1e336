//! No input may panic the checker: garbage, edge cases, wrong types everywhere, mutations.

mod common;
use common::{registry, BASE};
use galvana_decks::{check, reference_markdown, Deck};

fn no_panic(text: &str) {
    let r = registry();
    let result = std::panic::catch_unwind(|| {
        let diags = check("fuzz.toml", text, &r);
        for d in &diags {
            assert!(d.line >= 1 && d.col >= 1, "bad position in {d}");
            let _ = d.to_string();
        }
        if let Ok(deck) = Deck::parse("fuzz.toml", text, &r) {
            // Whatever passed must render to a canonical deck that passes again.
            let canon = deck.canonical_toml();
            let again = Deck::parse("canon.toml", &canon, &r);
            assert!(
                again.is_ok(),
                "canonical form rejected: {:?}\n{canon}",
                again.err()
            );
            let _ = deck.diag_at(&["a", "b", "0", "9"], "m", None);
        }
    });
    assert!(result.is_ok(), "panicked on input:\n{text:?}");
}

#[test]
fn garbage_and_edge_cases() {
    let deep_arrays = format!("a = {}{}", "[".repeat(5000), "]".repeat(5000));
    let deep_tables = format!("a = {}1{}", "{b = ".repeat(3000), "}".repeat(3000));
    let deep_dotted = format!("{} = 1", vec!["k"; 3000].join("."));
    let deep_headers = format!("[{}]", vec!["k"; 3000].join("."));
    let long_line = format!("[mesh]\ntype = \"{}\"", "x".repeat(100_000));
    let cases: Vec<String> = [
        "",
        " ",
        "\n\n\n",
        "\u{0}\u{1}\u{2}",
        "\u{feff}[mesh]",
        "\r\n[mesh]\r\ntype = \"box\"\r\n",
        "ÿþ\u{fffd}\u{fffd}",
        "[",
        "]",
        "[[",
        "=",
        "a =",
        "\"",
        "'''",
        "[mesh",
        "[mesh]\ntype",
        "[mesh]\ntype = ",
        "[mesh]\ntype = \"box\"\nnx = 99999999999999999999999999",
        "[mesh]\ntype = \"box\"\nnx = -9223372036854775808",
        "[mesh]\ntype = \"box\"\nnx = 9223372036854775807\n[physics]\ntype = \"diffusion\"",
        "[mesh]\ntype = \"box\"\nlength = [1e308, 1e309, -1e999]",
        "[mesh]\ntype = \"box\"\nlength = [nan, inf, -inf]",
        "[mesh]\ntype = 1\n[physics]\ntype = [\"a\"]\n[bcs]\nx = 1\n[materials.m]\ntype = {}",
        "[time]\ntype = \"transient\"\nstart = nan\nend = nan\ndt = nan\ndt_min = nan\ndt_max = nan",
        "[time]\ntype = \"transient\"\nstart = 1e308\nend = -1e308\ndt = 1e-320\ndt_min = 1e308\ndt_max = 5e-324",
        "[job]\nwalltime = \"99999-99:99:99\"\nranks = -1\nnodes = 0\nextra_sbatch = [1, [2], {a = 3}]",
        "[job]\nwalltime = \"\u{661}\u{662}:00:00\"",
        "[job]\nwalltime = \"1-\"\n[checkpoint]\ninterval_seconds = 0\nkeep = 0",
        "[solver]\nnonlinear = 3\nlinear = \"x\"\n",
        "solver = []\ntime = 1979-05-27T07:32:00Z\noutput = true\njob = 1.5\ncheckpoint = \"x\"\ninitial = [[]]",
        "mesh.type = \"box\"\nphysics.type = \"diffusion\"\nbcs.a.type = \"flux\"\nbcs.a.q = 1\nbcs.a.boundary = [\"\"]",
        "[\"\"]\n[\"\".\"\"]\n\"\" = \"\"",
        "[materials.\"a b\"]\ntype = \"tabulated\"\nk = [[]]\nregions = []",
        "[materials.m]\ntype = \"tabulated\"\nk = [[1, \"a\"], 2, [nan, 1]]\nregions = [\"r\", \"r\"]",
        "[mesh]\ntype = \"box\"\n[physics]\ntype = \"heat_conduction\"\norder = 1.0\nformulation = 2",
        "[[mesh]]\n[[physics]]\n[[solver.linear]]",
        "[bcs.a]\n[bcs.a.b]\n[bcs.a.b.c]\ntype = \"x\"",
        "[postprocessors.p]\ntype = \"max\"\nfield = \"\"\n[sources.s]\ntype = \"volumetric\"",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([deep_arrays, deep_tables, deep_dotted, deep_headers, long_line])
    .collect();
    for c in &cases {
        no_panic(c);
    }
}

#[test]
fn wrong_type_for_every_key() {
    // Every key of the base deck and of every fixed section set to each kind of TOML value.
    let values = [
        "\"s\"",
        "1",
        "-1",
        "0.5",
        "true",
        "[]",
        "[1, \"a\"]",
        "{}",
        "1979-05-27",
        "nan",
    ];
    let fixed = "[initial]\nvalue = 1\nfield = \"T\"\n[solver]\nbackend = \"petsc\"\npetsc_options = \"\"\n\
        [solver.nonlinear]\nrtol = 1\natol = 1\nmax_it = 1\nline_search = \"bt\"\nstol = 1\n\
        [output]\ninterval = 1\nfields = true\ndirectory = \"o\"\nmonitors = true\n\
        [checkpoint]\ninterval_steps = 1\ninterval_seconds = 1\nkeep = 1\ndirectory = \"c\"\n";
    let text = format!("{BASE}{fixed}");
    assert!(Deck::parse("d", &text, &registry()).is_ok());
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some((key, _)) = line.split_once(" = ") else {
            continue;
        };
        for v in values {
            let mut edited = lines.clone();
            let new = format!("{key} = {v}");
            edited[i] = &new;
            no_panic(&edited.join("\n"));
        }
    }
}

#[test]
fn mutated_decks() {
    // A small deterministic generator (no extra dependency): delete, duplicate or replace
    // bytes of the valid deck and make sure every result is handled.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"[]{}=.,\"'#\n 0123456789eE+-_abcxyz\\";
    for _ in 0..3000 {
        let mut bytes = BASE.as_bytes().to_vec();
        for _ in 0..(1 + next() % 4) {
            let pos = (next() as usize) % bytes.len();
            match next() % 3 {
                0 => {
                    bytes.remove(pos);
                }
                1 => bytes.insert(pos, alphabet[(next() as usize) % alphabet.len()]),
                _ => bytes[pos] = alphabet[(next() as usize) % alphabet.len()],
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        no_panic(&text);
    }
}

#[test]
fn docs_render_for_empty_and_full_registries() {
    let _ = reference_markdown(&Default::default());
    let _ = reference_markdown(&registry());
}
