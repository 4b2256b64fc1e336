//! `[calibration] model = "cell_spectrum"`: the example's spectrum is what `galvana
//! battery-eis --noise` writes for the deck's own cell (GALVANA_REGENERATE=1 rewrites it), the
//! example recovers the parameter set's own values (factors 1) within 2σ on 1 and 2 MPI ranks
//! alike, and spectrum decks with time-series keys or data get located errors.
mod common;
use common::*;

const DECK: &str = "calibrate_dfn_spectrum.toml";
const CSV: &str = "calibrate_dfn_spectrum.csv";
const SIGMA: f64 = 0.005;
const EIS_ARGS: [&str; 10] = [
    "--from",
    "1e3",
    "--to",
    "1e-5",
    "--per-decade",
    "5",
    "--noise",
    "0.005",
    "--seed",
    "7",
];

#[test]
fn example_dataset_is_battery_eis_output() {
    let dir = copy_examples(&tempdir("calibration-spectrum-data"));
    let mut args = vec!["battery-eis", DECK];
    args.extend(EIS_ARGS);
    args.extend(["--to-csv", "regenerated.csv"]);
    let o = galvana_in(&dir, &args);
    assert_code(&o, 0, "battery-eis");
    let made = std::fs::read_to_string(dir.join("regenerated.csv")).unwrap();
    if std::env::var_os("GALVANA_REGENERATE").is_some() {
        std::fs::write(examples_dir().join(CSV), &made).unwrap();
    }
    let committed = std::fs::read_to_string(examples_dir().join(CSV)).unwrap();
    assert!(
        made == committed,
        "{CSV} is not what `galvana battery-eis {DECK} {}` writes (GALVANA_REGENERATE=1 rewrites it)",
        EIS_ARGS.join(" ")
    );
    // The noise is there: the exact spectrum differs by about σ|Z|.
    let mut exact_args = vec!["battery-eis", DECK];
    exact_args.extend(&EIS_ARGS[..6]);
    let o = galvana_in(&dir, &exact_args);
    assert_code(&o, 0, "battery-eis exact");
    let parse = |t: &str| galvana_physics::calibration::eis::data::parse_csv(t).unwrap();
    let (noisy, exact) = (parse(&committed), parse(&stdout(&o)));
    let n = exact.z.len() as f64;
    let rel: f64 = noisy
        .z
        .iter()
        .zip(&exact.z)
        .map(|(a, b)| ((*a - *b).abs() / b.abs()).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    let rel = rel.sqrt();
    assert!((rel / SIGMA - 1.0).abs() < 0.3, "rms relative noise {rel}");
}

#[test]
fn example_recovers_the_parameter_set_on_1_and_2_ranks() {
    let dir = tempdir("calibration-spectrum-run");
    let deck = copy_examples(&dir).join(DECK);
    let mut sums = Vec::new();
    for np in [1, 2] {
        let out_dir = dir.join(format!("np{np}"));
        let o = {
            let _g = mpi_lock();
            run_deck(np, &deck, &out_dir, &[])
        };
        assert_code(&o, 0, &format!("{DECK} on {np} rank(s)"));
        sums.push(read_json(&out_dir.join("summary.json")));
        let fit = std::fs::read_to_string(out_dir.join("fit.csv")).unwrap();
        assert!(
            fit.starts_with("frequency_Hz,z_real_ohm,z_imag_ohm,model_real_ohm,model_imag_ohm\n")
        );
        assert_eq!(fit.lines().count(), 42);
    }
    let s = &sums[0];
    assert_eq!(s["status"], "completed");
    assert_eq!(s["calibration"]["model"], "cell_spectrum");
    let ps = s["calibration"]["parameters"].as_array().unwrap();
    let names = ["diffusivity_n_factor", "exchange_current_n_factor"];
    for (p, name) in ps.iter().zip(names) {
        assert_eq!(p["name"], name);
        let est = p["estimate"].as_f64().unwrap();
        let se = p["std_error"].as_f64().unwrap();
        println!("{name}: {est} ± {se} (truth 1)");
        assert!((est - 1.0).abs() < 2.0 * se, "{name}: {est} ± {se} vs 1");
        assert!(se < 0.05, "{name}: σ = {se}");
    }
    let sigma = s["calibration"]["least_squares"]["noise_sigma"]
        .as_f64()
        .unwrap();
    assert!((sigma / SIGMA - 1.0).abs() < 0.25, "{sigma}");
    assert_eq!(
        s["calibration"]["parameters"],
        sums[1]["calibration"]["parameters"]
    );
}

#[test]
fn spectrum_decks_with_time_series_keys_or_data_are_refused() {
    let dir = tempdir("calibration-spectrum-errors");
    copy_examples(&dir);
    let text = std::fs::read_to_string(dir.join(DECK)).unwrap();
    let cases = [
        (
            text.replace(
                "method = \"least_squares\"",
                "method = \"least_squares\"\nwindow = [0.0, 10.0]",
            ),
            "`window` is for time series",
        ),
        (
            text.replace(
                "dataset = \"calibrate_dfn_spectrum.csv\"",
                "dataset = \"calibrate_spm_discharge.csv\"",
            ),
            "no `frequency_Hz` column",
        ),
        (
            text.replace("model = \"cell_spectrum\"", "model = \"cell_spectrm\""),
            "cell_spectrm",
        ),
    ];
    for (k, (t, msg)) in cases.iter().enumerate() {
        let p = write_deck(&dir, &format!("bad{k}.toml"), t);
        let o = galvana_in(&dir, &["check", p.to_str().unwrap()]);
        assert_code(&o, 3, msg);
        let e = stderr(&o);
        assert!(e.contains(msg), "{msg}: {e}");
        assert!(e.contains(&format!("bad{k}.toml:")), "{e}");
    }
}
