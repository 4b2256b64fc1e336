//! A valid deck: typed getters, defaults, later diagnostics, hashes, canonical form, loading.

mod common;
use common::{parse, registry, with_line, BASE};
use galvana_decks::{
    did_you_mean, Backend, Deck, KspType, LineSearch, PcType, Severity, TimeKind, TimeScheme,
};

#[test]
fn getters_return_deck_values_and_defaults() {
    let deck = parse(BASE).unwrap();
    assert_eq!(deck.mesh.type_name, "box");
    assert_eq!(deck.mesh.get_i64("nx"), 20);
    assert_eq!(deck.mesh.get_i64("ny"), 10); // default
    assert!(deck.mesh.is_set("nx") && !deck.mesh.is_set("ny"));
    assert_eq!(deck.mesh.get_f64_array("length"), vec![0.1, 0.01, 0.01]);

    assert_eq!(deck.materials.len(), 1);
    let (name, copper) = &deck.materials[0];
    assert_eq!(name, "copper");
    assert_eq!(copper.get_f64("k"), 400.0); // integer literal, read as a float
    assert_eq!(copper.get_f64("rho"), 8960.0);
    assert_eq!(copper.get_str_array("regions"), vec!["bar".to_string()]);

    assert_eq!(deck.physics.type_name, "heat_conduction");
    assert_eq!(deck.physics.get_i64("order"), 2);
    assert_eq!(deck.physics.get_str("formulation"), "temperature"); // default

    let names: Vec<&str> = deck.bcs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["cold_end", "side"]); // deck order, not alphabetical
    let side = deck.bc("side").unwrap();
    assert_eq!(side.type_name, "convection");
    assert_eq!(
        side.get_str_array("boundary"),
        vec!["top".to_string(), "bottom".to_string()]
    );
    assert_eq!((side.get_f64("h"), side.get_f64("t_inf")), (10.0, 300.0));
    assert_eq!(side.opt_f64("nothing"), None);
    assert_eq!(deck.bc("cold_end").unwrap().get_f64("value"), 4.2);
    assert!(deck.sources.is_empty() && deck.postprocessors.is_empty());

    let t = &deck.time;
    assert_eq!((t.kind, t.scheme), (TimeKind::Transient, TimeScheme::Bdf2));
    assert_eq!((t.start, t.end, t.dt), (0.0, Some(10.0), Some(0.1)));
    assert_eq!((t.dt_min, t.dt_max, t.adaptive), (None, None, false));
    assert_eq!(
        (t.target_error, t.growth, t.max_steps),
        (1e-3, 1.5, 1_000_000)
    );
    assert!(t.is_transient());

    let s = &deck.solver;
    assert_eq!(
        (s.backend, s.petsc_options.as_deref()),
        (Backend::Native, None)
    );
    assert_eq!(
        (s.nonlinear.rtol, s.nonlinear.atol, s.nonlinear.max_it),
        (1e-8, 1e-10, 25)
    );
    assert_eq!(
        (s.nonlinear.line_search, s.nonlinear.stol),
        (LineSearch::Backtracking, 0.0)
    );
    assert_eq!(
        (s.linear.ksp_type, s.linear.pc),
        (KspType::Cg, PcType::Jacobi)
    );
    assert_eq!(
        (
            s.linear.rtol,
            s.linear.atol,
            s.linear.max_it,
            s.linear.restart
        ),
        (1e-10, 1e-50, 1000, 30)
    );
    assert_eq!(
        (s.linear.ksp_type.as_str(), PcType::BlockJacobi.as_str()),
        ("cg", "bjacobi")
    );

    let j = &deck.job;
    assert_eq!((j.ranks, j.nodes, j.gpus_per_rank), (4, 1, 0));
    assert_eq!(
        (j.walltime.as_str(), j.walltime_seconds),
        ("0-02:00:00", 7200)
    );
    assert!(j.partition.is_none() && j.extra_sbatch.is_empty());

    assert_eq!(
        (
            deck.output.interval,
            deck.output.fields,
            deck.output.monitors
        ),
        (1, true, true)
    );
    assert_eq!(deck.output.directory, None);
    assert_eq!(
        (deck.checkpoint.keep, deck.checkpoint.is_periodic()),
        (2, false)
    );
    assert_eq!(
        (deck.initial.value, deck.initial.field.as_deref()),
        (None, None)
    );

    // The fixed sections are objects too, with their defaults.
    assert_eq!(deck.fixed["solver.linear"].get_i64("restart"), 30);
}

#[test]
fn minimal_deck_gets_every_default() {
    let deck =
        parse("[mesh]\ntype = \"interval\"\nn = 4\nlength = 1\n[physics]\ntype = \"diffusion\"\n")
            .unwrap();
    assert_eq!(deck.mesh.get_f64("length"), 1.0);
    assert_eq!(deck.time.kind, TimeKind::Steady);
    assert_eq!(deck.solver.linear.ksp_type, KspType::Gmres);
    assert_eq!(deck.solver.linear.pc, PcType::BlockJacobi);
    assert_eq!(deck.job.walltime_seconds, 3600);
    assert!(deck.materials.is_empty() && deck.bcs.is_empty());
}

#[test]
fn later_diagnostics_point_into_the_deck() {
    let deck = parse(BASE).unwrap();
    let cands = ["left", "right", "top", "front"];
    let d = deck.diag_at(
        &["bcs", "side", "boundary", "1"],
        "unknown boundary `bottom` (the mesh has left, right, top, front)",
        did_you_mean("bottom", &cands).map(|c| format!("did you mean `{c}`?")),
    );
    assert_eq!(
        d.to_string(),
        "deck.toml:25:20: error: unknown boundary `bottom` (the mesh has left, right, top, front)"
    );
    assert_eq!(d.severity, Severity::Error);
    let d = deck.diag_at(
        &["bcs", "cold_end", "boundary"],
        "m",
        Some("did you mean `left`?".into()),
    );
    assert_eq!(
        d.to_string(),
        "deck.toml:20:12: error: m\n  help: did you mean `left`?"
    );
    // A defaulted key points at its section header; an unknown path at the nearest ancestor.
    assert_eq!(
        (
            deck.span_of(&["mesh", "ny"]).line,
            deck.span_of(&["mesh", "ny"]).col
        ),
        (2, 1)
    );
    assert_eq!(deck.span_of(&["output", "interval"]).line, 1);
    let o = deck
        .bc("side")
        .unwrap()
        .diag_at(&deck.path, "h", "too hot", None);
    assert_eq!(o.to_string(), "deck.toml:26:5: error: too hot");
    assert_eq!(did_you_mean("lft", &cands).as_deref(), Some("left"));
}

#[test]
fn hashes_and_canonical_form() {
    let deck = parse(BASE).unwrap();
    let h = deck.hash();
    assert_eq!(h.len(), 64);
    assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(h, parse(BASE).unwrap().hash());

    // Comments, layout, key order, `300` vs `300.0` and spelled-out defaults do not change
    // the meaning, so they do not change the canonical form; they do change the text hash.
    let reworded = BASE
        .replace("# A copper bar cooled at one end.", "# another comment")
        .replace(
            "h = 10\nt_inf = 300",
            "t_inf = 300.0   # ambient\nh    = 10",
        )
        .replace("order = 2", "order = 2\nformulation = \"temperature\"");
    let other = parse(&reworded).unwrap();
    assert_ne!(other.hash(), h);
    assert_eq!(other.canonical_toml(), deck.canonical_toml());
    assert_eq!(other.canonical_hash(), deck.canonical_hash());
    assert_ne!(
        parse(&with_line(26, "h = 11")).unwrap().canonical_hash(),
        deck.canonical_hash()
    );

    // The canonical form is a valid deck with the same canonical form.
    let canon = deck.canonical_toml();
    let again = Deck::parse("canon.toml", &canon, &registry())
        .unwrap_or_else(|e| panic!("{e:#?}\n{canon}"));
    assert_eq!(again.canonical_toml(), canon);
    assert!(canon.contains("[bcs.side]\ntype = \"convection\"\nboundary = [\"top\", \"bottom\"]\nh = 10.0\nt_inf = 300.0\n"));
    assert!(canon.contains("[solver.linear]\natol = 1e-50\nmax_it = 1000\npc = \"jacobi\"\nrestart = 30\nrtol = 1e-10\ntype = \"cg\"\n"));
}

#[test]
fn load_reads_files_and_reports_io_problems() {
    let dir = std::env::temp_dir().join(format!("galvana-decks-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("deck.toml");
    std::fs::write(&good, BASE).unwrap();
    let deck = Deck::load(&good, &registry()).unwrap();
    assert_eq!(deck.text, BASE);
    assert_eq!(deck.dir(), dir);
    assert_eq!(deck.resolve_path("mesh.msh"), dir.join("mesh.msh"));

    let missing = dir.join("missing.toml");
    let errs = Deck::load(&missing, &registry()).unwrap_err();
    assert!(errs[0].to_string().starts_with(&format!(
        "{}:1:1: error: cannot read deck:",
        missing.display()
    )));

    let binary = dir.join("binary.toml");
    std::fs::write(&binary, b"[mesh]\ntype = \"b\xffox\"\n").unwrap();
    let errs = Deck::load(&binary, &registry()).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        format!(
            "{}:2:10: error: the deck is not valid UTF-8 text",
            binary.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_returns_warnings_for_a_valid_deck() {
    let diags = galvana_decks::check("d.toml", &with_line(30, ""), &registry());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].severity, Severity::Warning);
}
