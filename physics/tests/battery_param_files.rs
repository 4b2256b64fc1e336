//! Battery parameter files: the worked example (input-decks/examples/parameters/chen2020.toml)
//! reproduces the built-in Chen2020 set exactly; the same cell with tabulated functions agrees
//! to within the interpolation error of the tables; bad files are reported with file, line, key
//! and what was expected.

use galvana_physics::battery::dfn::Dfn;
use galvana_physics::battery::experiment::parse;
use galvana_physics::battery::params::file::{self, FileError};
use galvana_physics::battery::params::{
    chen2020, marquis2019, stoichiometries_at_soc, ParameterSet,
};
use galvana_physics::battery::runner::{run, Outcome};
use galvana_physics::battery::spm::Spm;
use galvana_physics::battery::spme::{Points, Spme};
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../input-decks/examples/parameters/chen2020.toml")
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("galvana-params-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn discharge(model: &str, p: ParameterSet, c: f64) -> Outcome {
    let (x, y) = stoichiometries_at_soc(&p, 1.0);
    let steps = parse(
        &[format!("Discharge at {c}C until {} V", p.v_min)],
        1,
        p.nominal_capacity_ah,
    )
    .unwrap();
    match model {
        "spm" => run(Spm::new(p, x, y, 20), &steps, 1.0),
        "spme" => run(Spme::new(p, x, y, Points::default()), &steps, 1.0),
        _ => run(Dfn::new(p, x, y, Points::default()), &steps, 1.0),
    }
    .unwrap()
}

/// The example file names the built-in functions and copies every scalar, so every model gives
/// the built-in set's answer bit for bit (not merely to round-off).
#[test]
fn the_example_file_reproduces_builtin_chen2020_exactly() {
    let p = file::load(&example()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(&*p.name, "Chen2020 (file)");
    let b = chen2020();
    assert_eq!(p.area, b.area);
    assert_eq!(
        stoichiometries_at_soc(&p, 1.0),
        stoichiometries_at_soc(&b, 1.0)
    );
    for model in ["spm", "spme", "dfn"] {
        let (f, r) = (
            discharge(model, p.clone(), 2.0),
            discharge(model, b.clone(), 2.0),
        );
        assert_eq!(f.rows.len(), r.rows.len(), "{model}");
        for (a, b) in f.rows.iter().zip(&r.rows) {
            assert_eq!(a, b, "{model}");
        }
    }
}

/// Rewrite the example with `f(x)` sampled into tables (`n` knots on [lo, hi]).
fn table(f: impl Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|k| {
            let x = lo + (hi - lo) * k as f64 / (n - 1) as f64;
            format!("[{x:e}, {:e}]", f(x))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// Max |table − f| on a fine grid over [lo, hi].
fn table_error(p: &ParameterSet, b: &ParameterSet, neg: bool) -> f64 {
    (0..=20_000)
        .map(|k| {
            let x = 1e-4 + (1.0 - 2e-4) * k as f64 / 20_000.0;
            if neg {
                (p.neg.u(x) - b.neg.u(x)).abs()
            } else {
                (p.pos.u(x) - b.pos.u(x)).abs()
            }
        })
        .fold(0.0, f64::max)
}

/// The same cell with its OCPs given as 401-point tables (monotone cubic) and j0 in the
/// `rate_constant` form. The particles see the same prescribed current whatever the OCP, so
/// under constant current the SPM's concentrations are identical and its voltage differs by
/// exactly U_p,table − U_p − (U_n,table − U_n) at the surface stoichiometries: the bound is the
/// sum of the two tables' maximum interpolation errors (the cut-off time moves by that error
/// over the slope of the curve, so the last 1 % of capacity is left out).
#[test]
fn tabulated_ocps_agree_to_within_their_interpolation_error() {
    let b = chen2020();
    let text = std::fs::read_to_string(example()).unwrap();
    let text = text
        .replace(
            "ocp = \"graphite_LGM50_ocp_Chen2020\"",
            &format!("ocp = {}", table(|x| b.neg.u(x), 0.0, 1.0, 401)),
        )
        .replace(
            "ocp = \"nmc_LGM50_ocp_Chen2020\"",
            &format!("ocp = {}", table(|x| b.pos.u(x), 0.0, 1.0, 401)),
        )
        .replace(
            "exchange_current_density = \"graphite_LGM50_electrolyte_exchange_current_density_Chen2020\"",
            "exchange_current_density = { rate_constant = 6.48e-7, activation_energy = 35000 }",
        )
        .replace(
            "exchange_current_density = \"nmc_LGM50_electrolyte_exchange_current_density_Chen2020\"",
            "exchange_current_density = { rate_constant = 3.42e-6, activation_energy = 17800 }",
        );
    let dir = tempdir("tables");
    let p = file::parse("tables.toml", "tables", &dir, &text).unwrap_or_else(|e| panic!("{e:?}"));
    let (en, ep) = (table_error(&p, &b, true), table_error(&p, &b, false));
    eprintln!("OCP table errors: U_n {:.3e} V, U_p {:.3e} V", en, ep);
    assert!(en > 0.0 && ep > 0.0, "the tables are not the functions");
    let bound = en + ep;
    // The SOC window moves by the OCP error over the OCV slope; compare from the built-in
    // window so that only the voltage function differs.
    let (x, y) = stoichiometries_at_soc(&b, 1.0);
    let steps = parse(&["Discharge at 1C until 2.5 V".into()], 1, 5.0).unwrap();
    let f = run(Spm::new(p.clone(), x, y, 20), &steps, 1.0).unwrap();
    let r = run(Spm::new(b.clone(), x, y, 20), &steps, 1.0).unwrap();
    let q_end = r.rows.last().unwrap().discharge_capacity_ah;
    let mut worst = 0.0f64;
    for (a, c) in f.rows.iter().zip(&r.rows) {
        if c.discharge_capacity_ah < 0.99 * q_end && (a.time_s - a.time_s.round()).abs() < 1e-9 {
            assert_eq!(a.time_s, c.time_s);
            worst = worst.max((a.voltage_v - c.voltage_v).abs());
        }
    }
    eprintln!("SPM 1C: max |dV| {:.3e} V, bound {:.3e} V", worst, bound);
    assert!(worst <= bound * (1.0 + 1e-9), "{worst} > {bound}");
    // The DFN redistributes current when U changes, so there is no exact bound; its voltage
    // error stays of the order of the OCP errors.
    let f = run(Dfn::new(p, x, y, Points::default()), &steps, 1.0).unwrap();
    let r = run(Dfn::new(b, x, y, Points::default()), &steps, 1.0).unwrap();
    let worst = f
        .rows
        .iter()
        .zip(&r.rows)
        .filter(|(_, c)| c.discharge_capacity_ah < 0.99 * q_end)
        .map(|(a, c)| (a.voltage_v - c.voltage_v).abs())
        .fold(0.0, f64::max);
    eprintln!("DFN 1C: max |dV| {:.3e} V", worst);
    assert!(worst <= 2.0 * bound, "{worst} > 2 x {bound}");
}

/// Electrolyte properties as tables over c_e (Marquis2019's Capiglia fits in the Chen2020 cell)
/// and a particle diffusivity with an Arrhenius factor. 201-knot tables agree with the smooth
/// fits to ~1e-7 relative away from the first interval (the monotone cubic's end slopes are
/// one-sided: 5e-4 at 10 mol/m3, where c_e never goes), so the SPMe voltage agrees to well
/// within a microvolt.
#[test]
fn tabulated_electrolyte_and_arrhenius_constants_work() {
    let b = marquis2019();
    let text = std::fs::read_to_string(example())
        .unwrap()
        .replace(
            "diffusivity = \"electrolyte_diffusivity_Nyman2008\"",
            &format!(
                "diffusivity = {}",
                table(|c| b.d_e.eval(c, 298.15), 0.0, 4000.0, 201)
            ),
        )
        .replace(
            "conductivity = \"electrolyte_conductivity_Nyman2008\"",
            &format!(
                "conductivity = {{ table = {}, activation_energy = 0 }}",
                table(|c| b.kappa_e.eval(c, 298.15), 0.0, 4000.0, 201)
            ),
        );
    // Electrolyte of Marquis2019 in the Chen2020 cell: only the two tables differ.
    let dir = tempdir("electrolyte");
    let p = file::parse("e.toml", "e", &dir, &text).unwrap_or_else(|e| panic!("{e:?}"));
    let mut r = chen2020();
    r.d_e = b.d_e.clone();
    r.kappa_e = b.kappa_e.clone();
    for c in [500.0, 777.7, 1234.5, 2222.2] {
        let d = p.d_e.eval(c, 298.15) / r.d_e.eval(c, 298.15) - 1.0;
        let k = p.kappa_e.eval(c, 298.15) / r.kappa_e.eval(c, 298.15) - 1.0;
        assert!(d.abs() < 1e-6 && k.abs() < 1e-6, "{c}: {d:e} {k:e}");
    }
    let (f, g) = (discharge("spme", p, 1.0), discharge("spme", r, 1.0));
    let worst = f
        .rows
        .iter()
        .zip(&g.rows)
        .map(|(a, c)| (a.voltage_v - c.voltage_v).abs())
        .fold(0.0, f64::max);
    eprintln!("SPMe with electrolyte tables: max |dV| {worst:.3e} V");
    assert!(worst < 1e-6, "{worst}");
    // An Arrhenius factor on a constant: 1 at 298.15 K, exp(E/R (1/298.15 - 1/T)) elsewhere.
    let text = std::fs::read_to_string(example()).unwrap().replace(
        "diffusivity = 3.3e-14",
        "diffusivity = { value = 3.9e-14, activation_energy = 42770 }",
    );
    let p = file::parse("a.toml", "a", &dir, &text).unwrap();
    assert_eq!(p.neg.diffusivity.eval(0.3, 298.15), 3.9e-14);
    assert_eq!(
        p.neg.diffusivity.eval(0.3, 310.0),
        b.neg.diffusivity.eval(0.3, 310.0)
    );
}

/// An OCP from a PyBaMM-style CSV (comment lines, a header) passes through its knots.
#[test]
fn ocp_from_csv() {
    let dir = tempdir("csv");
    std::fs::write(
        dir.join("graphite.csv"),
        "# OCP data\n# sto,ocp\nsto,ocp\n0,1.5\n0.25,0.2\n0.5,0.13\n1,0.09\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(example()).unwrap().replace(
        "ocp = \"graphite_LGM50_ocp_Chen2020\"",
        "ocp = \"graphite.csv\"",
    );
    let p = file::parse("c.toml", "c", &dir, &text).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(p.neg.u(0.25), 0.2);
    assert_eq!(p.neg.u(1.0), 0.09);
    // Linear continuation outside the table, so the OCV keeps its slope at the ends.
    assert!(p.neg.u(1.01) < 0.09);
    std::fs::write(dir.join("graphite.csv"), "0,1.5\n0.5,oops\n").unwrap();
    let e = file::parse("c.toml", "c", &dir, &text).unwrap_err();
    assert!(
        e[0].path.ends_with("graphite.csv") && e[0].line == 2,
        "{e:?}"
    );
    assert!(e[0].message.contains("two numbers"), "{e:?}");
}

fn problems(text: &str) -> Vec<FileError> {
    let dir = tempdir("bad");
    file::parse("bad.toml", "bad", &dir, text).unwrap_err()
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn mistakes_name_the_file_line_and_key() {
    let base = std::fs::read_to_string(example()).unwrap();
    for (what, from, to, needle, help) in [
        (
            "misspelt key",
            "particle_radius = 5.86e-6",
            "particle_radious = 5.86e-6",
            "unknown key `particle_radious` in [negative_electrode]",
            Some("did you mean `particle_radius`?"),
        ),
        (
            "misspelt section",
            "[separator]",
            "[seperator]",
            "unknown key `seperator`",
            Some("did you mean `separator`?"),
        ),
        (
            "wrong type",
            "porosity = 0.47",
            "porosity = \"0.47\"",
            "`separator.porosity`: expected a number in (0, 1], found the string \"0.47\"",
            None,
        ),
        (
            "out of range",
            "transference_number = 0.2594",
            "transference_number = 1.2594",
            "`electrolyte.transference_number` = 1.2594: expected a number in [0, 1)",
            None,
        ),
        (
            "unknown function",
            "\"nmc_LGM50_ocp_Chen2020\"",
            "\"nmc_LGM50_ocp_Chen2021\"",
            "`positive_electrode.ocp`: unknown built-in function `nmc_LGM50_ocp_Chen2021`",
            Some("did you mean `nmc_LGM50_ocp_Chen2020`?"),
        ),
        (
            "function of another role",
            "diffusivity = 4e-15",
            "diffusivity = \"lico2_ocp_Dualfoil1998\"",
            "`positive_electrode.diffusivity`: `lico2_ocp_Dualfoil1998` is an open-circuit potential U(sto), not a particle diffusivity D(sto, T)",
            None,
        ),
        (
            "constant OCP",
            "ocp = \"nmc_LGM50_ocp_Chen2020\"",
            "ocp = 3.9",
            "`positive_electrode.ocp`: an OCP must vary with stoichiometry",
            None,
        ),
        (
            "table not increasing",
            "diffusivity = 4e-15",
            "diffusivity = [[0.0, 1e-15], [0.5, 2e-15], [0.4, 3e-15]]",
            "`positive_electrode.diffusivity`: table abscissae must be strictly increasing",
            None,
        ),
        (
            "bad j0 table key",
            "exchange_current_density = \"nmc_LGM50_electrolyte_exchange_current_density_Chen2020\"",
            "exchange_current_density = { rate_constnat = 3.42e-6 }",
            "unknown key `rate_constnat` in `positive_electrode.exchange_current_density`",
            Some("did you mean `rate_constant`?"),
        ),
        (
            "initial above maximum",
            "initial_concentration = 17038",
            "initial_concentration = 70000",
            "`positive_electrode.initial_concentration` = 70000 mol/m3 exceeds maximum_concentration",
            None,
        ),
        (
            "invalid TOML",
            "porosity = 0.47",
            "porosity = 0.47.1",
            "invalid TOML",
            None,
        ),
    ] {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{what}");
        let e = problems(&text);
        let line = line_of(&text, to);
        let hit = e
            .iter()
            .find(|e| e.message.contains(needle))
            .unwrap_or_else(|| panic!("{what}: {e:#?}"));
        assert_eq!(
            (hit.path.as_str(), hit.line),
            ("bad.toml", line),
            "{what}: {hit}"
        );
        if let Some(h) = help {
            assert_eq!(hit.help.as_deref(), Some(h), "{what}");
        }
    }
    // A missing key is reported at its section, with what it should hold.
    let text = base.replacen("conductivity = 0.18\n", "", 1);
    let e = problems(&text);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].line, line_of(&text, "[positive_electrode]"));
    assert!(
        e[0].message
            .contains("[positive_electrode] lacks `conductivity`: a number > 0 [S/m]"),
        "{e:?}"
    );
    // Several problems are all reported, in file order.
    let text = base
        .replacen("thickness = 1.2e-5", "thickness = -1", 1)
        .replacen("porosity = 0.25", "porosity = 0", 1);
    let e = problems(&text);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(e[0].line < e[1].line);
}

/// A window the OCPs cannot reach is an error with the reachable range, not a silent clamp.
#[test]
fn an_unreachable_soc_window_is_explained() {
    use galvana_physics::battery::params::soc_window;
    let base = std::fs::read_to_string(example()).unwrap();
    let dir = tempdir("window");
    let p = file::parse("w.toml", "w", &dir, &base).unwrap();
    let [(x0, _), (x1, y1)] = soc_window(&p).unwrap();
    assert!(x0 < x1 && (x1 - 0.91061805).abs() < 2e-8 && (y1 - 0.26384522).abs() < 2e-8);
    let text = base.replace("ocv_at_soc_100 = 4.2", "ocv_at_soc_100 = 5.2");
    let p = file::parse("w.toml", "w", &dir, &text).unwrap();
    let e = soc_window(&p).unwrap_err();
    assert!(e.contains("OCV at 100 % SOC (5.2 V)"), "{e}");
    let text = base.replace("ocv_at_soc_0 = 2.5", "ocv_at_soc_0 = 4.3");
    let e = problems(&text);
    assert!(
        e[0].message
            .contains("`cell.ocv_at_soc_100` = 4.2 V must exceed `cell.ocv_at_soc_0` = 4.3 V"),
        "{e:?}"
    );
}

/// Every key the reader accepts is documented.
#[test]
fn every_key_is_documented() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/battery.md"))
            .unwrap();
    for (section, keys) in file::KEYS {
        assert!(doc.contains(&format!("[{section}]")), "[{section}]");
        for k in *keys {
            assert!(
                doc.contains(&format!("`{}`", k.name)),
                "{section}.{}",
                k.name
            );
        }
    }
}
