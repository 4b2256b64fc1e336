//! Battery decks through `galvana check` and `galvana run`: the example runs (serially and
//! under mpirun, same answer), its 1C discharge capacity agrees with PyBaMM's SPMe run
//! (physics/tests/data/pybamm), the CV hold and rests behave, and mistakes point at their line.
mod common;
use common::*;

fn pybamm_end_capacity(name: &str) -> f64 {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../physics/tests/data/pybamm/{name}.csv"));
    let text = std::fs::read_to_string(p).unwrap();
    let last = text.lines().last().unwrap();
    last.split(',').nth(3).unwrap().parse().unwrap()
}

#[test]
fn the_battery_example_runs_and_agrees_with_pybamm() {
    let dir = copy_examples(&tempdir("battery-example"));
    let deck = dir.join("battery_cccv.toml");
    let mut results = Vec::new();
    for np in [1, 2] {
        let out_dir = dir.join(format!("out-np{np}"));
        let out = {
            let _g = mpi_lock();
            run_deck(np, &deck, &out_dir, &[])
        };
        assert_code(&out, 0, &format!("battery example on {np} rank(s)"));
        let summary = read_json(&out_dir.join("summary.json"));
        assert_eq!(summary["status"], "completed");
        let csv = Csv::read(&out_dir.join("battery.csv"));
        assert_eq!(
            &csv.header[..4],
            ["time_s", "voltage_V", "current_A", "discharge_capacity_Ah"]
        );
        let events = read_jsonl(&out_dir.join("residuals.jsonl"));
        assert_eq!(events.last().unwrap()["kind"], "done");
        results.push(csv);
    }
    assert_eq!(
        results[0].rows, results[1].rows,
        "the rank count changes nothing"
    );
    let rows = &results[0].rows;
    let step = |k: f64| rows.iter().filter(move |r| r[4] == k);
    // 1C discharge to 2.5 V: the capacity of PyBaMM's SPMe within 0.2 %.
    let end0 = step(0.0).next_back().unwrap();
    let q_ref = pybamm_end_capacity("SPMe_Chen2020_1C");
    assert!(
        (end0[1] - 2.5).abs() < 1e-6,
        "ends at the cut-off: {end0:?}"
    );
    assert!(
        ((end0[3] - q_ref) / q_ref).abs() < 0.002,
        "capacity {} vs PyBaMM {q_ref}",
        end0[3]
    );
    // Rests carry no current and relax upwards after a discharge.
    let rest: Vec<_> = step(1.0).collect();
    assert!(rest.iter().all(|r| r[2] == 0.0));
    assert!(rest.last().unwrap()[1] > rest[0][1] + 0.1);
    // Charge at C/2 (negative current) to 4.2 V, then the hold: 4.2 V while the current tapers to C/50.
    assert!(step(2.0).all(|r| (r[2] + 2.5).abs() < 1e-9));
    assert!((step(2.0).next_back().unwrap()[1] - 4.2).abs() < 1e-6);
    let hold: Vec<_> = step(3.0).collect();
    assert!(
        hold.iter().all(|r| (r[1] - 4.2).abs() < 1e-6),
        "CV holds 4.2 V"
    );
    assert!(
        hold.windows(2).all(|w| w[1][2] >= w[0][2] - 1e-9),
        "the charging current tapers"
    );
    assert!(
        (hold.last().unwrap()[2] + 0.1).abs() < 1e-6,
        "ends at C/50 = 0.1 A"
    );
    // Charge returned equals charge taken, less what the hold had not yet put back.
    let q_end = rows.last().unwrap()[3];
    assert!(
        q_end > 0.0 && q_end < 0.05,
        "net discharge capacity at the end: {q_end}"
    );
}

#[test]
fn battery_mistakes_point_at_their_lines() {
    let base = std::fs::read_to_string(examples_dir().join("battery_cccv.toml")).unwrap();
    let dir = tempdir("battery-check");
    for (what, from, to, needle) in [
        (
            "bad step",
            "\"Rest for 1 hour\"",
            "\"Rest for 1 fortnight\"",
            "unknown time unit",
        ),
        (
            "bad points key",
            "r_p = 20 }",
            "rp = 20 }",
            "did you mean `r_p`",
        ),
        (
            "unknown set",
            "parameter_set = \"Chen2020\"",
            "parameter_set = \"Chen2021\"",
            "unknown parameter set",
        ),
    ] {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{what}");
        let file = format!("{}.toml", what.replace(' ', "_"));
        std::fs::write(dir.join(&file), &text).unwrap();
        let out = galvana_in(&dir, &["check", &file]);
        assert_code(&out, 3, what);
        let err = stderr(&out);
        let line = text
            .lines()
            .position(|l| l.contains(&to[..to.len().min(12)]))
            .unwrap()
            + 1;
        assert!(err.contains(&format!("{file}:{line}:")), "{what}: {err}");
        assert!(err.contains(needle), "{what}: {err}");
    }
    let with_mesh = format!("[mesh]\ntype = \"interval\"\nnx = 4\n\n{base}");
    std::fs::write(dir.join("mesh.toml"), with_mesh).unwrap();
    let out = galvana_in(&dir, &["check", "mesh.toml"]);
    assert_code(&out, 3, "battery deck with a mesh");
    assert!(
        stderr(&out).contains("mesh.toml:1:2: error: a `battery` deck has no [mesh]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_dfn_deck_runs() {
    let dir = tempdir("battery-dfn");
    let deck = dir.join("dfn.toml");
    std::fs::write(
        &deck,
        "[physics]\ntype = \"battery\"\nmodel = \"dfn\"\ninitial_soc = 1.0\nexperiment = [\"Discharge at 2C until 3.6 V\"]\n",
    )
    .unwrap();
    let out_dir = dir.join("out");
    let out = run_deck(1, &deck, &out_dir, &[]);
    assert_code(&out, 0, "dfn deck");
    let csv = Csv::read(&out_dir.join("battery.csv"));
    let last = csv.rows.last().unwrap();
    assert!(
        (last[1] - 3.6).abs() < 1e-6 && (last[2] - 10.0).abs() < 1e-9,
        "{last:?}"
    );
    // PyBaMM's DFN 2C passes 3.6 V between these times.
    let r = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../physics/tests/data/pybamm/DFN_Chen2020_2C.csv"),
    )
    .unwrap();
    let t_ref = r
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s"))
        .map(|l| {
            l.split(',')
                .map(|x| x.parse::<f64>().unwrap())
                .collect::<Vec<_>>()
        })
        .find(|v| v[1] <= 3.6)
        .unwrap()[0];
    assert!(
        (last[0] - t_ref).abs() < 2.0,
        "3.6 V at {} s, PyBaMM {t_ref} s",
        last[0]
    );
}

/// A run that fails part-way writes the rows it computed (exit 1, status "failed"): here the
/// DFN at 3C, whose solution ends (no solution for a step, however short) about 3 mV above the
/// 2.5 V cut-off with 1 s output (docs/battery.md, "Not done yet"). If that limit is lifted,
/// this test needs another deck that fails late.
#[test]
fn a_run_that_fails_keeps_its_rows() {
    let dir = tempdir("battery-partial");
    let deck = dir.join("dfn3c.toml");
    std::fs::write(
        &deck,
        "[physics]\ntype = \"battery\"\nmodel = \"dfn\"\ninitial_soc = 1.0\nexperiment = [\"Rest for 10 seconds\", \"Discharge at 3C until 2.5 V\"]\n",
    )
    .unwrap();
    let out_dir = dir.join("out");
    let out = run_deck(1, &deck, &out_dir, &[]);
    assert_code(&out, 1, "the 3C DFN fails part-way");
    let s = read_json(&out_dir.join("summary.json"));
    assert_eq!(s["status"], "failed");
    let msg = s["message"].as_str().unwrap();
    assert!(msg.contains("the model failed at t = "), "{msg}");
    let t_fail: f64 = msg
        .split("the model failed at t = ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|x| x.parse().ok())
        .unwrap();
    let csv = Csv::read(&out_dir.join("battery.csv"));
    assert!(
        msg.contains(&format!("battery.csv holds the {} row(s)", csv.rows.len())),
        "{msg}"
    );
    let last = csv.rows.last().unwrap();
    // Rows every second up to the failure, the rest step's rows included.
    assert!(
        t_fail - last[0] <= 1.0 + 1e-9 && last[0] < t_fail,
        "{last:?} vs {t_fail}"
    );
    assert_eq!(csv.rows[0][0], 0.0);
    assert!(csv.rows.len() as f64 >= t_fail.floor());
    assert!((last[2] - 15.0).abs() < 1e-9, "3C of 5 A.h: {last:?}");
    // The capacity column is the integral of the current up to there.
    assert!(
        (last[3] - 15.0 * (last[0] - 10.0) / 3600.0).abs() < 1e-6,
        "{last:?}"
    );
    assert_eq!(s["final"]["time_s"].as_f64().unwrap(), last[0]);
}

fn pybamm_curve(name: &str) -> Vec<Vec<f64>> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../physics/tests/data/pybamm/{name}.csv"));
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s"))
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect()
}

/// The parameter-file example gives exactly the built-in set's battery.csv; and the DFN from
/// the same initial concentrations follows PyBaMM's run from Chen2020's own initial
/// concentrations (PyBaMM's default initial state for the set, DFN_Chen2020_1C_fileinit_*).
#[test]
fn a_parameter_file_and_initial_concentrations() {
    let dir = copy_examples(&tempdir("battery-file"));
    let deck = dir.join("battery_parameter_file.toml");
    let text = std::fs::read_to_string(&deck).unwrap();
    let builtin = text.replace("\"parameters/chen2020.toml\"", "\"Chen2020\"");
    assert_ne!(builtin, text);
    std::fs::write(dir.join("builtin.toml"), &builtin).unwrap();
    let mut csv = Vec::new();
    for name in ["battery_parameter_file", "builtin"] {
        let out_dir = dir.join(format!("out-{name}"));
        let out = run_deck(1, &dir.join(format!("{name}.toml")), &out_dir, &[]);
        assert_code(&out, 0, name);
        csv.push(std::fs::read_to_string(out_dir.join("battery.csv")).unwrap());
    }
    assert_eq!(csv[0], csv[1], "the file is the built-in set");
    let summary = read_json(&dir.join("out-battery_parameter_file/summary.json"));
    assert_eq!(summary["parameter_set"], "Chen2020 (file)");

    let dfn = text.replace("model = \"spme\"", "model = \"dfn\"");
    assert_ne!(dfn, text);
    std::fs::write(dir.join("dfn.toml"), &dfn).unwrap();
    let out_dir = dir.join("out-dfn");
    assert_code(&run_deck(1, &dir.join("dfn.toml"), &out_dir, &[]), 0, "dfn");
    let rows = Csv::read(&out_dir.join("battery.csv")).rows;
    let reference = pybamm_curve("DFN_Chen2020_1C_fileinit_mesh20_tight");
    let q_ref = reference.last().unwrap()[3];
    let q = rows.last().unwrap()[3];
    assert!(
        ((q - q_ref) / q_ref).abs() < 0.002,
        "capacity {q} vs {q_ref}"
    );
    let mine: std::collections::HashMap<i64, f64> =
        rows.iter().map(|r| (r[0].round() as i64, r[1])).collect();
    let (mut sum, mut max, mut n) = (0.0, 0.0f64, 0);
    for r in reference
        .iter()
        .filter(|r| r[3] < 0.99 * q_ref && r[0].fract() == 0.0)
    {
        let d = (mine[&(r[0] as i64)] - r[1]) * 1e3;
        sum += d * d;
        max = max.max(d.abs());
        n += 1;
    }
    let rms = (sum / n as f64).sqrt();
    eprintln!("DFN from initial concentrations vs PyBaMM: rms {rms:.3} mV, max {max:.3} mV, capacity {q:.5} vs {q_ref:.5} A.h");
    assert!(rms <= 2.0 && max <= 5.0, "rms {rms} mV, max {max} mV");
}

#[test]
fn initial_state_and_parameter_file_mistakes() {
    let dir = copy_examples(&tempdir("battery-file-check"));
    let base = std::fs::read_to_string(dir.join("battery_parameter_file.toml")).unwrap();
    let both = base.replace("experiment =", "initial_soc = 1.0\nexperiment =");
    let neither = base.replace(
        "initial_concentrations = { c_n = 29866, c_p = 17038 }   # mol/m3\n",
        "",
    );
    let above = base.replace("c_p = 17038", "c_p = 70000");
    let missing_key = base.replace("{ c_n = 29866, c_p = 17038 }", "{ c_n = 29866 }");
    let no_file = base.replace("parameters/chen2020.toml", "parameters/chen2021.toml");
    let unknown_set = base.replace("parameters/chen2020.toml", "Marquis2020");
    let params = std::fs::read_to_string(dir.join("parameters/chen2020.toml")).unwrap();
    std::fs::write(
        dir.join("parameters/typo.toml"),
        params.replace("particle_radius = 5.22e-6", "particle_radious = 5.22e-6"),
    )
    .unwrap();
    let typo_line = params
        .lines()
        .position(|l| l.contains("particle_radius = 5.22e-6"))
        .unwrap()
        + 1;
    let typo = base.replace("parameters/chen2020.toml", "parameters/typo.toml");
    let typo_at = format!(
        "parameters/typo.toml:{typo_line}:1: unknown key `particle_radious` in [positive_electrode]"
    );
    for (what, text, at, needles) in [
        ("both", both, "initial_concentrations", vec!["not both"]),
        (
            "neither",
            neither,
            "[physics]",
            vec!["initial state is missing", "c_n = 29866, c_p = 17038"],
        ),
        (
            "above maximum",
            above,
            "initial_concentrations",
            vec!["must lie strictly between 0 and", "63104"],
        ),
        (
            "missing key",
            missing_key,
            "initial_concentrations",
            vec!["lacks `c_p`"],
        ),
        (
            "no file",
            no_file,
            "parameter_set",
            vec!["parameters/chen2021.toml", "cannot read the parameter file"],
        ),
        (
            "unknown set",
            unknown_set,
            "parameter_set",
            vec![
                "unknown parameter set `Marquis2020`",
                "did you mean `Marquis2019`?",
            ],
        ),
        (
            "typo in the file",
            typo,
            "parameter_set",
            vec![typo_at.as_str(), "did you mean `particle_radius`?"],
        ),
    ] {
        let file = format!("{}.toml", what.replace(' ', "_"));
        std::fs::write(dir.join(&file), &text).unwrap();
        let out = galvana_in(&dir, &["check", &file]);
        assert_code(&out, 3, what);
        let err = stderr(&out);
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with(at))
            .unwrap()
            + 1;
        assert!(err.contains(&format!("{file}:{line}:")), "{what}: {err}");
        for n in needles {
            assert!(err.contains(n), "{what}: `{n}` not in {err}");
        }
    }
}

/// Marquis2019 by name: a 1C discharge to 3.105 V ends at PyBaMM's SPMe capacity.
#[test]
fn a_marquis2019_deck_runs() {
    let dir = tempdir("battery-marquis");
    let deck = dir.join("m.toml");
    std::fs::write(
        &deck,
        "[physics]\ntype = \"battery\"\nparameter_set = \"Marquis2019\"\ninitial_soc = 1\nexperiment = [\"Discharge at 1C until 3.105 V\"]\n",
    )
    .unwrap();
    let out_dir = dir.join("out");
    assert_code(&run_deck(1, &deck, &out_dir, &[]), 0, "marquis deck");
    let last = Csv::read(&out_dir.join("battery.csv")).rows.pop().unwrap();
    let q_ref = pybamm_end_capacity("SPMe_Marquis2019_1C");
    assert!(
        (last[1] - 3.105).abs() < 1e-6 && (last[2] - 0.680616).abs() < 1e-9,
        "{last:?}"
    );
    assert!(
        ((last[3] - q_ref) / q_ref).abs() < 0.002,
        "{} vs {q_ref}",
        last[3]
    );
}

/// Everything `battery_fields.h5` holds for one output time, read with galvana_h5.
struct H5Fields {
    f: galvana_h5::File,
}

impl H5Fields {
    fn open(dir: &std::path::Path) -> H5Fields {
        H5Fields {
            f: galvana_h5::File::open(&dir.join("battery_fields.h5"), false).unwrap(),
        }
    }
    fn attr(&self, name: &str) -> f64 {
        self.f.attr_f64(name).unwrap()
    }
    fn read(&self, path: &str) -> (Vec<u64>, Vec<f64>) {
        let ds = self.f.open_dataset(path).unwrap();
        (ds.shape().to_vec(), ds.read_all::<f64>().unwrap())
    }
    fn field(&self, name: &str, k: usize) -> (Vec<u64>, Vec<f64>) {
        let ds = self.f.open_dataset(&format!("fields/{name}/{k}")).unwrap();
        let t = ds.attr_f64("time_s").unwrap();
        let times = self.read("times").1;
        assert_eq!(t, times[k], "{name}/{k}: time_s attribute");
        (ds.shape().to_vec(), ds.read_all::<f64>().unwrap())
    }
    fn has(&self, path: &str) -> bool {
        self.f.exists(path).unwrap()
    }
    /// Lithium [mol] in one electrode's particles: c_s over each particle's shells, times the
    /// active volume (area · width · ε_s) of each x cell.
    fn particle_lithium(&self, d: &str, k: usize) -> f64 {
        let (shape, cs) = self.field(&format!("c_s_{d}"), k);
        let r = self.read(&format!("grid/r_{d}")).1;
        let radius = self.attr(&format!("particle_radius_{d}_m"));
        let nr = r.len();
        let dr = radius / nr as f64;
        assert!(
            (r[0] - 0.5 * dr).abs() < 1e-12 * radius,
            "r_{d} at cell centres"
        );
        let shell =
            |i: usize| (((i + 1) as f64 * dr).powi(3) - (i as f64 * dr).powi(3)) / radius.powi(3);
        let nx = if shape.len() == 2 {
            shape[0] as usize
        } else {
            1
        };
        assert_eq!(*shape.last().unwrap() as usize, nr, "c_s_{d}: [x, r] shape");
        let width = self.attr(&format!("thickness_{d}_m")) / nx as f64;
        let vol = self.attr("electrode_area_m2") * width * self.attr(&format!("eps_s_{d}"));
        (0..nx)
            .map(|m| vol * (0..nr).map(|i| shell(i) * cs[m * nr + i]).sum::<f64>())
            .sum()
    }
}

/// `field_times`: the DFN's internal state lands on the requested times, conserves lithium in
/// the particles as Faraday's law says for the charge passed, conserves salt in the
/// electrolyte, and its interfacial currents add up to the cell current; SPMe and SPM write
/// their own (smaller) sets.
#[test]
fn field_times_write_the_internal_state() {
    const F: f64 = 96485.33212;
    let dir = tempdir("battery-fields");
    let times = [0.0, 33.3, 600.0, 750.0];
    for model in ["dfn", "spme", "spm"] {
        let deck = write_deck(
            &dir,
            &format!("{model}.toml"),
            format!(
                "[physics]\ntype = \"battery\"\nmodel = \"{model}\"\ninitial_soc = 1.0\n\
                 experiment = [\"Discharge at 1C for 10 minutes\", \"Rest for 5 minutes\"]\n\
                 points = {{ x_n = 8, x_s = 4, x_p = 8, r_n = 8, r_p = 8 }}\nperiod = 10.0\n\
                 field_times = [0.0, 33.3, 600.0, 750.0, 5000.0]\n"
            ),
        );
        let out_dir = dir.join(format!("out-{model}"));
        assert_code(&run_deck(1, &deck, &out_dir, &[]), 0, model);
        let summary = read_json(&out_dir.join("summary.json"));
        assert_eq!(
            summary["fields"]["not_reached_s"],
            serde_json::json!([5000.0])
        );
        let h = H5Fields::open(&out_dir);
        assert_eq!(h.read("times").1, times, "{model}: the requested times");
        let csv = Csv::read(&out_dir.join("battery.csv"));
        let q_at = |t: f64| {
            // Constant current, then rest: Q is linear between rows.
            let (tc, qc) = (csv.column("time_s"), csv.column("discharge_capacity_Ah"));
            let k = tc.iter().position(|&x| x >= t).unwrap();
            if tc[k] == t || k == 0 {
                qc[k]
            } else {
                qc[k - 1] + (qc[k] - qc[k - 1]) * (t - tc[k - 1]) / (tc[k] - tc[k - 1])
            }
        };
        let (li_n0, li_p0) = (h.particle_lithium("n", 0), h.particle_lithium("p", 0));
        for (k, &t) in times.iter().enumerate() {
            let q = q_at(t) * 3600.0;
            let (dn, dp) = (
                h.particle_lithium("n", k) - li_n0,
                h.particle_lithium("p", k) - li_p0,
            );
            // Faraday: what leaves the negative particles is Q/F, and the positive take it up.
            let tol = 1e-8 * li_n0.max(1.0) + 1e-9;
            assert!(
                (dn + q / F).abs() < tol,
                "{model} t={t}: ΔLi_n {dn} vs −Q/F {}",
                -q / F
            );
            assert!(
                (dp - q / F).abs() < tol,
                "{model} t={t}: ΔLi_p {dp} vs Q/F {}",
                q / F
            );
            if t > 0.0 {
                assert!(q > 0.0);
            }
            if model == "spm" {
                assert!(!h.has("fields/c_e"), "the SPM has no electrolyte field");
                continue;
            }
            // Electrolyte salt: the porosity-weighted average of c_e stays at its initial value.
            let x: Vec<Vec<f64>> = ["x_n", "x_s", "x_p"]
                .iter()
                .map(|g| h.read(&format!("grid/{g}")).1)
                .collect();
            let widths: Vec<f64> = x
                .iter()
                .flat_map(|xs| {
                    let w = 2.0 * (xs[0] - x_start(&x, xs));
                    vec![w; xs.len()]
                })
                .collect();
            let (shape, ce) = h.field("c_e", k);
            let (_, eps) = h.field("porosity", k);
            assert_eq!(shape, [widths.len() as u64]);
            let salt: f64 = (0..ce.len()).map(|i| widths[i] * eps[i] * ce[i]).sum();
            let pore: f64 = (0..ce.len()).map(|i| widths[i] * eps[i]).sum();
            let c0 = h.attr("c_e0_mol_m3");
            assert!(
                ((salt / pore - c0) / c0).abs() < 1e-10,
                "{model} t={t}: ⟨c_e⟩ {}",
                salt / pore
            );
            if t == 33.3 {
                // Discharging: salt builds up at the negative, drains at the positive.
                assert!(ce[0] > c0 && *ce.last().unwrap() < c0, "{model}: {ce:?}");
            }
            if model != "dfn" {
                continue;
            }
            let (nn, np) = (x[0].len(), x[2].len());
            for (name, shape) in [
                ("phi_e", vec![ce.len() as u64]),
                ("phi_s_n", vec![nn as u64]),
                ("phi_s_p", vec![np as u64]),
                ("c_s_n", vec![nn as u64, 8]),
                ("c_s_p", vec![np as u64, 8]),
                ("c_s_surf_n", vec![nn as u64]),
                ("j_n", vec![nn as u64]),
            ] {
                assert_eq!(h.field(name, k).0, shape, "{name}");
            }
            // The interfacial currents carry the cell current: A ∫ a j dx = I (1C, then 0).
            let current = if t > 0.0 && t <= 600.0 { 5.0 } else { 0.0 };
            let a = |d: &str| {
                3.0 * h.attr(&format!("eps_s_{d}")) / h.attr(&format!("particle_radius_{d}_m"))
            };
            let area = h.attr("electrode_area_m2");
            let (_, jn) = h.field("j_n", k);
            let (_, jp) = h.field("j_p", k);
            let i_n: f64 = jn.iter().map(|j| area * a("n") * widths[0] * j).sum();
            let i_p: f64 = jp
                .iter()
                .map(|j| area * a("p") * widths[widths.len() - 1] * j)
                .sum();
            if t > 0.0 {
                assert!(
                    (i_n - current).abs() < 1e-6 && (i_p + current).abs() < 1e-6,
                    "t={t}: {i_n} {i_p}"
                );
            }
            // The solid potential of the positive sits above the negative's by about the voltage.
            let (_, ps_p) = h.field("phi_s_p", k);
            assert!(ps_p[np - 1] > 3.0, "{ps_p:?}");
        }
        for g in ["r_n", "r_p"] {
            let ds = h.f.open_dataset(&format!("grid/{g}")).unwrap();
            assert_eq!(ds.attr_str("units").unwrap(), "m");
        }
    }
}

/// Where the domain of `xs` starts: 0, or the end of the previous domain.
fn x_start(all: &[Vec<f64>], xs: &[f64]) -> f64 {
    let k = all.iter().position(|v| v.as_slice() == xs).unwrap();
    if k == 0 {
        0.0
    } else {
        let prev = &all[k - 1];
        let w = 2.0 * (prev[0] - x_start(all, prev));
        prev[prev.len() - 1] + 0.5 * w
    }
}

/// Decreasing or negative `field_times` are refused at their line, naming the key.
#[test]
fn bad_field_times_are_refused() {
    let dir = tempdir("battery-fields-check");
    for (what, times, needle) in [
        (
            "decreasing",
            "[0.0, 600.0, 300.0]",
            "`field_times` must be strictly increasing",
        ),
        (
            "negative",
            "[-1.0, 600.0]",
            "`field_times[0]` = -1 s must be >= 0",
        ),
    ] {
        let file = format!("{what}.toml");
        let text = format!(
            "[physics]\ntype = \"battery\"\ninitial_soc = 1.0\nexperiment = [\"Rest for 1 minute\"]\nfield_times = {times}\n"
        );
        std::fs::write(dir.join(&file), &text).unwrap();
        let out = galvana_in(&dir, &["check", &file]);
        assert_code(&out, 3, what);
        let err = stderr(&out);
        assert!(err.contains(&format!("{file}:5:")), "{what}: {err}");
        assert!(err.contains(needle), "{what}: {err}");
    }
}

/// The drive-cycle example runs serially (without MPI) and on 2 ranks (with it) to the same
/// rows; the discharged capacity after each repeat of the cycle is exactly the profile's net
/// charge (1241.5 A.s, summed by hand from battery_drive_cycle.csv); a bad row in the profile
/// is reported with file, line and column and writes no battery.csv.
#[test]
fn the_drive_cycle_example_discharges_its_profile() {
    let dir = copy_examples(&tempdir("battery-drive"));
    let deck = dir.join("battery_drive_cycle.toml");
    let mut results = Vec::new();
    for np in [1, 2] {
        let out_dir = dir.join(format!("out-np{np}"));
        let out = {
            let _g = mpi_lock();
            run_deck(np, &deck, &out_dir, &[])
        };
        assert_code(&out, 0, &format!("drive cycle on {np} rank(s)"));
        assert_eq!(read_json(&out_dir.join("summary.json"))["ranks"], np);
        results.push(Csv::read(&out_dir.join("battery.csv")));
    }
    assert_eq!(
        results[0].rows, results[1].rows,
        "MPI or not changes nothing"
    );
    let rows = &results[0].rows;
    let per_cycle = 1241.5 / 3600.0;
    for k in 0..3 {
        // The end of each rest (step 2k+1): k+1 cycles' charge.
        let end = rows.iter().rfind(|r| r[4] == (2 * k + 1) as f64).unwrap();
        assert!(
            (end[3] - (k + 1) as f64 * per_cycle).abs() < 1e-9,
            "after cycle {k}: {end:?}"
        );
    }
    assert!((rows.last().unwrap()[0] - 3.0 * 542.0).abs() < 1e-6);
    // Regenerative braking charges: negative current rows with the voltage above the rest's.
    assert!(rows.iter().any(|r| r[2] < -5.0));

    let csv = dir.join("battery_drive_cycle.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replace("28,11\n", "28,11A\n")).unwrap();
    let out_dir = dir.join("out-bad");
    let out = run_deck(1, &deck, &out_dir, &[]);
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("battery_drive_cycle.csv:7:4: current_A `11A` is not a finite number"),
        "{}",
        describe(&out)
    );
    assert!(!out_dir.join("battery.csv").exists());
}
