//! `[calibration]` decks: the example's synthetic dataset is what the model gives (and is
//! regenerated with GALVANA_REGENERATE=1), the example recovers the parameters it was made
//! with (least squares within 2σ, MCMC within the 95 % credible interval, R̂ < 1.1) with the
//! same numbers on 1 and 2 MPI ranks, and bad decks get located errors.
mod common;
use common::*;
use galvana_physics::battery::deck::Battery;
use galvana_physics::calibration::battery::{knob, BatteryFit};
use galvana_physics::calibration::synthetic::{programme, synthesize, to_csv};
use std::path::{Path, PathBuf};

const TRUTH: [(&str, f64); 3] = [
    ("diffusivity_n_factor", 0.5),
    ("contact_resistance", 0.010),
    ("initial_soc", 0.85),
];
const SIGMA: f64 = 0.002;
const SEED: u64 = 2026;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../input-decks/examples")
}

/// The example's dataset, made by the model from TRUTH.
fn generate() -> String {
    let deck_path = examples().join("calibrate_spm_discharge.toml");
    let reg = galvana_engine::setup::registry();
    let deck = galvana_decks::Deck::load(&deck_path, &reg).unwrap();
    let cell = Battery::cell_from_object_at(&deck.physics, Some(&deck.dir())).unwrap();
    // 1C = 5 A for Chen2020; dataset sign: negative on discharge.
    let prog = programme(
        &[
            (600.0, -5.0),
            (300.0, 0.0),
            (180.0, -10.0),
            (300.0, 0.0),
            (600.0, -2.5),
            (120.0, 0.0),
        ],
        10.0,
        3.7,
    );
    let knobs = TRUTH.iter().map(|t| knob(t.0).unwrap()).collect();
    let fit = BatteryFit::new(cell, prog, knobs, None);
    let theta: Vec<f64> = TRUTH.iter().map(|t| t.1).collect();
    let s = synthesize(&fit, &theta, SIGMA, SEED).unwrap();
    to_csv(
        &s,
        &[
            "Synthetic discharge for input-decks/examples/calibrate_spm_discharge.toml (Chen2020, SPM, r_n = r_p = 10)".into(),
            format!("made by engine/tests/calibration.rs with {TRUTH:?}, noise sigma {SIGMA} V, seed {SEED}"),
            "current_A: instrument sign (negative on discharge)".into(),
        ],
    )
}

fn rows(text: &str) -> Vec<Vec<f64>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s"))
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect()
}

#[test]
fn example_dataset_is_the_model_output() {
    let path = examples().join("calibrate_spm_discharge.csv");
    let text = generate();
    if std::env::var_os("GALVANA_REGENERATE").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let want = rows(&text);
    let got = rows(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(want.len(), got.len());
    for (a, b) in want.iter().zip(&got) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-6, "{a:?} vs {b:?}");
        }
    }
}

fn summary_params(s: &serde_json::Value) -> Vec<serde_json::Value> {
    s["calibration"]["parameters"].as_array().unwrap().clone()
}

#[test]
fn example_recovers_truth_same_on_1_and_2_ranks() {
    let dir = tempdir("calibration-example");
    let deck = copy_examples(&dir).join("calibrate_spm_discharge.toml");
    let mut outs = Vec::new();
    for np in [1, 2] {
        let out_dir = dir.join(format!("np{np}"));
        let o = {
            let _g = mpi_lock();
            run_deck(np, &deck, &out_dir, &[])
        };
        assert_code(&o, 0, &format!("calibration on {np} rank(s)"));
        outs.push(out_dir);
    }
    let s = read_json(&outs[0].join("summary.json"));
    assert_eq!(s["status"], "completed");
    let ps = summary_params(&s);
    // Each 95 % credible interval misses its truth with probability 5 %; of the four here
    // (three parameters and σ) all inside happens 81 % of the time, at most one outside 99 %.
    let mut outside = Vec::new();
    for (p, (name, truth)) in ps.iter().zip(TRUTH) {
        assert_eq!(p["name"], name);
        let est = p["estimate"].as_f64().unwrap();
        let se = p["std_error"].as_f64().unwrap();
        assert!(
            (est - truth).abs() < 2.0 * se,
            "{name}: {est} ± {se} vs {truth}"
        );
        let ci = &p["posterior"]["credible95"];
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        if !(lo < truth && truth < hi) {
            outside.push(format!("{name}: [{lo}, {hi}] vs {truth}"));
        }
        let r_hat = p["posterior"]["r_hat"].as_f64().unwrap();
        assert!(r_hat < 1.1, "{name}: R-hat {r_hat}");
    }
    // The fitted noise agrees with the noise put in.
    let lsq_sigma = s["calibration"]["least_squares"]["noise_sigma"]
        .as_f64()
        .unwrap();
    assert!((lsq_sigma / SIGMA - 1.0).abs() < 0.2, "{lsq_sigma}");
    let ns = &s["calibration"]["mcmc"]["noise_sigma"]["credible95"];
    if !(ns[0].as_f64().unwrap() < SIGMA && SIGMA < ns[1].as_f64().unwrap()) {
        outside.push(format!("noise_sigma: {ns} vs {SIGMA}"));
    }
    assert!(
        outside.len() <= 1,
        "truths outside their 95 % intervals: {outside:?}"
    );
    // 1 and 2 ranks: the same numbers, bit for bit.
    let s2 = read_json(&outs[1].join("summary.json"));
    assert_eq!(s2["ranks"], 2);
    for (a, b) in ps.iter().zip(summary_params(&s2)) {
        assert_eq!(a["estimate"], b["estimate"]);
        assert_eq!(a["posterior"], b["posterior"]);
    }
    for f in ["samples.csv", "fit.csv"] {
        let a = std::fs::read(outs[0].join(f)).unwrap();
        let b = std::fs::read(outs[1].join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 ranks");
    }
    for out in &outs {
        samples_h5_is_samples_csv(out);
    }
    // fit.csv: the residual column is model − data, and its RMS is the noise level.
    let fit = Csv::read(&outs[0].join("fit.csv"));
    let (v, m, r) = (
        fit.column("potential_V"),
        fit.column("model_V"),
        fit.column("residual_V"),
    );
    let rms = (r.iter().map(|x| x * x).sum::<f64>() / r.len() as f64).sqrt();
    assert!((rms / SIGMA - 1.0).abs() < 0.2, "rms {rms}");
    for k in 0..v.len() {
        assert!((m[k] - v[k] - r[k]).abs() < 1e-12);
    }
    // The event stream: LM iterations, MCMC batches, `done` last.
    let ev = read_jsonl(&outs[0].join("residuals.jsonl"));
    assert!(ev
        .iter()
        .any(|e| e["kind"] == "lsq" && e["params"]["initial_soc"].is_number()));
    assert!(ev
        .iter()
        .any(|e| e["kind"] == "mcmc" && e["acceptance"].is_number()));
    assert_eq!(ev.last().unwrap()["kind"], "done");
    for (k, e) in ev.iter().enumerate() {
        assert_eq!(e["seq"], k);
    }
}

/// `samples.h5` holds the rows of `samples.csv` bit for bit (the CSV prints each number in
/// its shortest exact form), one dataset per column, with names, units and the settings.
fn samples_h5_is_samples_csv(out: &Path) {
    let csv = Csv::read(&out.join("samples.csv"));
    let f = galvana_h5::File::open(&out.join("samples.h5"), false).unwrap();
    assert_eq!(
        f.attr_str("schema").unwrap(),
        "galvana calibration posterior samples"
    );
    let g = f.group("samples").unwrap();
    let names = g.attr_str("parameters").unwrap();
    let names: Vec<&str> = names.split('\n').collect();
    assert_eq!(
        names,
        [
            "diffusivity_n_factor",
            "contact_resistance",
            "initial_soc",
            "noise_sigma"
        ]
    );
    assert_eq!(g.attr_str("units").unwrap(), "\nOhm\n\nV");
    assert_eq!(g.attr_i64("walkers").unwrap(), 12);
    assert_eq!(g.attr_i64("thin").unwrap(), 5);
    assert_eq!(
        g.attr_str("dataset").unwrap(),
        "calibrate_spm_discharge.csv"
    );
    assert_eq!(g.attr_f64_array("acceptance").unwrap().len(), 12);
    let rows = csv.rows.len();
    assert_eq!(rows, 12 * 2500 / 5, "stored rows");
    for name in &csv.header {
        let d = g.open_dataset(name).unwrap();
        let v: Vec<f64> = d.read_all::<f64>().unwrap();
        assert_eq!(v.len(), rows, "{name}");
        let k = csv.col(name);
        for (r, x) in csv.rows.iter().zip(&v) {
            assert!(r[k].to_bits() == x.to_bits(), "{name}: {} vs {x}", r[k]);
        }
    }
    let d = g.open_dataset("contact_resistance").unwrap();
    assert_eq!(d.attr_str("units").unwrap(), "Ohm");
    assert_eq!(d.attr_str("scale").unwrap(), "linear");
    assert_eq!(d.attr_f64_array("bounds").unwrap(), vec![-0.05, 0.05]);
}

#[test]
fn bad_calibration_decks_get_located_errors() {
    let dir = tempdir("calibration-errors");
    let deck = copy_examples(&dir).join("calibrate_spm_discharge.toml");
    let text = std::fs::read_to_string(&deck).unwrap();
    let cases = [
        (
            text.replace(
                "parameters.contact_resistance",
                "parameters.contact_resistence",
            ),
            "`contact_resistence` is not a parameter",
            "did you mean `contact_resistance`?",
        ),
        (
            text.replace("initial = 0.75, lower = 0.5", "initial = 0.4, lower = 0.5"),
            "initial = 0.4 lies outside [0.5, 1]",
            "",
        ),
        (
            text.replace(
                "dataset = \"calibrate_spm_discharge.csv\"",
                "dataset = \"missing.csv\"",
            ),
            "missing.csv",
            "",
        ),
        (
            text.replace(
                "initial_soc = 0.85\npoints",
                "initial_soc = 0.85\nexperiment = [\"Rest for 1 hour\"]\npoints",
            ),
            "driven by the dataset",
            "",
        ),
    ];
    for (k, (t, msg, help)) in cases.iter().enumerate() {
        let p = write_deck(&dir, &format!("bad{k}.toml"), t);
        let o = galvana_in(&dir, &["check", p.to_str().unwrap()]);
        assert_code(&o, 3, msg);
        let e = stderr(&o);
        assert!(e.contains(msg), "{e}");
        assert!(e.contains(&help.to_string()), "{e}");
        // path:line:col
        assert!(e.contains(&format!("bad{k}.toml:")), "{e}");
    }
    // A dataset without the columns a cell needs.
    std::fs::write(
        dir.join("spectrum.csv"),
        "frequency_Hz,z_real_ohm,z_imag_ohm\n1,2,3\n10,2,1\n100,2,0.5\n",
    )
    .unwrap();
    let t = text.replace(
        "dataset = \"calibrate_spm_discharge.csv\"",
        "dataset = \"spectrum.csv\"",
    );
    let p = write_deck(&dir, "nocols.toml", &t);
    let o = galvana_in(&dir, &["check", p.to_str().unwrap()]);
    assert_code(&o, 3, "missing columns");
    assert!(stderr(&o).contains("no `time_s` column"), "{}", stderr(&o));
    let o = galvana_in(&dir, &["check", deck.to_str().unwrap()]);
    assert_code(&o, 0, "the example checks");
    assert!(
        stdout(&o).contains("calibration: diffusivity_n_factor, contact_resistance, initial_soc")
    );
}

/// `model = "circuit"`: an R0-p(R1,C1) spectrum computed in closed form (Z = R0 + R1/(1 +
/// jωR1C1)) is fitted back to its parameters from a guess off by factors of 2-5; fit.csv holds
/// the data and the model.
#[test]
fn circuit_mode_fits_a_spectrum() {
    let dir = tempdir("calibration-circuit");
    let (r0, r1, c1) = (0.02, 0.1, 0.5);
    let mut csv = String::from("frequency_Hz,z_real_ohm,z_imag_ohm\n");
    for k in 0..30 {
        let f = 10f64.powf(-1.0 + 5.0 * k as f64 / 29.0);
        let wt = 2.0 * std::f64::consts::PI * f * r1 * c1;
        let d = 1.0 + wt * wt;
        csv.push_str(&format!("{f},{},{}\n", r0 + r1 / d, -r1 * wt / d));
    }
    std::fs::write(dir.join("spectrum.csv"), csv).unwrap();
    let deck = write_deck(
        &dir,
        "circuit.toml",
        "[physics]\ntype = \"battery\"\ninitial_soc = 0.5\n\n[calibration]\ndataset = \"spectrum.csv\"\nmodel = \"circuit\"\ncircuit = \"R0-p(R1,C1)\"\nweighting = \"modulus\"\nparameters.R0 = { initial = 0.05, lower = 1e-4, upper = 1.0 }\nparameters.C1 = { initial = 2.0, lower = 1e-3, upper = 100.0 }\nparameters.R1 = { initial = 0.05, lower = 1e-4, upper = 10.0 }\n",
    );
    let out_dir = dir.join("out");
    let o = {
        let _g = mpi_lock();
        run_deck(1, &deck, &out_dir, &[])
    };
    assert_code(&o, 0, "circuit calibration");
    let s = read_json(&out_dir.join("summary.json"));
    assert_eq!(s["calibration"]["model"], "circuit");
    for (p, truth) in summary_params(&s).iter().zip([r0, c1, r1]) {
        let est = p["estimate"].as_f64().unwrap();
        assert!(
            (est / truth - 1.0).abs() < 1e-5,
            "{}: {est} vs {truth}",
            p["name"]
        );
    }
    let fit = Csv::read(&out_dir.join("fit.csv"));
    let (a, b) = (fit.column("z_imag_ohm"), fit.column("model_imag_ohm"));
    for k in 0..a.len() {
        assert!((a[k] - b[k]).abs() < 1e-6 * a[k].abs().max(1e-3));
    }
    // Omitted bounds: `lower` takes the circuit's default (0), an omitted `upper` whose default
    // is unbounded is an error naming the parameter and the key.
    let text = std::fs::read_to_string(&deck).unwrap();
    let lower_default = text.replace(
        "parameters.R1 = { initial = 0.05, lower = 1e-4, upper = 10.0 }",
        "parameters.R1 = { initial = 0.05, upper = 10.0, scale = \"linear\" }",
    );
    assert_ne!(lower_default, text);
    let p = write_deck(&dir, "lower_default.toml", &lower_default);
    assert_code(
        &galvana_in(&dir, &["check", p.to_str().unwrap()]),
        0,
        "default lower",
    );
    let no_upper = text.replace(
        "parameters.R1 = { initial = 0.05, lower = 1e-4, upper = 10.0 }",
        "parameters.R1 = { initial = 0.05, lower = 1e-4 }",
    );
    let p = write_deck(&dir, "no_upper.toml", &no_upper);
    let o = galvana_in(&dir, &["check", p.to_str().unwrap()]);
    assert_code(&o, 3, "no upper");
    let e = stderr(&o);
    assert!(e.contains("`parameters.R1` needs `upper`"), "{e}");
    assert!(e.contains("unbounded"), "{e}");
    assert!(e.contains("no_upper.toml:"), "{e}");
}

/// The same data as HDF5 (`galvana import`) and as CSV give the same least-squares fit.
#[test]
fn hdf5_and_csv_datasets_give_the_same_fit() {
    let dir = tempdir("calibration-h5");
    let deck = copy_examples(&dir).join("calibrate_spm_discharge.toml");
    let o = galvana_in(
        &dir,
        &["import", "calibrate_spm_discharge.csv", "--to", "ds.h5"],
    );
    assert_code(&o, 0, "import");
    let text = std::fs::read_to_string(&deck)
        .unwrap()
        .replace("method = \"mcmc\"", "method = \"least_squares\"");
    let mut est = Vec::new();
    for (name, data) in [("csv", "calibrate_spm_discharge.csv"), ("h5", "ds.h5")] {
        let t = text.replace(
            "dataset = \"calibrate_spm_discharge.csv\"",
            &format!("dataset = \"{data}\""),
        );
        let p = write_deck(&dir, &format!("{name}.toml"), &t);
        let out_dir = dir.join(format!("out-{name}"));
        let o = run_deck(1, &p, &out_dir, &[]);
        assert_code(&o, 0, name);
        let s = read_json(&out_dir.join("summary.json"));
        assert!(!out_dir.join("samples.csv").exists());
        est.push(
            summary_params(&s)
                .iter()
                .map(|p| p["estimate"].clone())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(est[0], est[1]);
}
