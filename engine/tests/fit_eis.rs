//! `galvana fit-eis`: the shared synthetic spectrum gives impedance.py's parameters and
//! standard errors in the printed table; bad input is exit 3 with a message naming the problem.
mod common;
use common::*;
use std::path::PathBuf;

fn eis_data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../physics/tests/data/eis")
        .join(name)
        .display()
        .to_string()
}

fn fit_eis(args: &[&str]) -> std::process::Output {
    std::process::Command::new(galvana())
        .arg("fit-eis")
        .args(args)
        .output()
        .expect("galvana runs")
}

#[test]
fn prints_impedancepy_parameters_for_the_synthetic_spectrum() {
    let csv = eis_data("synthetic_R0-p_R1_CPE1_-W1.csv");
    let out = fit_eis(&[
        &csv,
        "--circuit",
        "R0-p(R1,CPE1)-W1",
        "--initial",
        "0.01,0.1,1,0.8,0.02",
        "--lin-kk",
    ]);
    assert_code(&out, 0, "fit-eis");
    let text = stdout(&out);
    // impedance.py 1.7.1 (tests/data/eis/impedancepy_fit_results.json): value, 1-σ.
    let want = [
        ("R0", 0.020025549255073286, 4.0640789471848e-05),
        ("R1", 0.050125367901221934, 0.00010596876613310181),
        ("CPE1_0", 1.9886339100548331, 0.014972918736470154),
        ("CPE1_1", 0.8528777400500654, 0.0024497909111935836),
        ("W1", 0.00989911846674632, 2.8208122192118398e-05),
    ];
    for (name, v, se) in want {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row {name} in\n{text}"));
        let cols: Vec<f64> = line
            .split_whitespace()
            .skip(1)
            .take(2)
            .map(|x| x.parse().unwrap())
            .collect();
        assert!((cols[0] - v).abs() < 1e-3 * se, "{name}: {line}");
        assert!((cols[1] / se - 1.0).abs() < 1e-3, "{name}: {line}");
    }
    assert!(text.contains("correlation"), "{text}");
    assert!(text.contains("Lin-KK") && text.contains("PASS"), "{text}");
}

#[test]
fn bad_input_is_exit_3_with_a_clear_message() {
    let csv = eis_data("synthetic_R0-p_R1_CPE1_-W1.csv");
    let cases: [(Vec<&str>, &str); 5] = [
        (
            vec![&csv, "--circuit", "R0-p(R1,CP1)", "--initial", "1,1,1,1"],
            "column 9: unknown element 'CP' (did you mean 'CPE'",
        ),
        (
            vec![&csv, "--circuit", "R0-R1", "--initial", "1,x"],
            "value 2 ('x') is not a number; expected 2 comma-separated values for R0, R1",
        ),
        (
            vec![&csv, "--circuit", "R0-R1", "--initial", "1,2,3"],
            "has 2 parameters (R0, R1) but the initial guess has 3",
        ),
        (
            vec![
                &csv,
                "--circuit",
                "R0",
                "--initial",
                "1",
                "--weighting",
                "log",
            ],
            "'log' is not one of unit, modulus, proportional",
        ),
        (
            vec![
                "/nonexistent/spectrum.csv",
                "--circuit",
                "R0",
                "--initial",
                "1",
            ],
            "/nonexistent/spectrum.csv",
        ),
    ];
    for (args, msg) in cases {
        let out = fit_eis(&args);
        assert_code(&out, 3, msg);
        assert!(stderr(&out).contains(msg), "{}", stderr(&out));
    }
}
