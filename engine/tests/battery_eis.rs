//! `galvana battery-eis`: the CSV it writes is the library's linearised SPM, SPMe or DFN spectrum, in the
//! columns `fit-eis` and calibration decks read; bad input is exit 3 with a message naming it.
mod common;
use common::*;
use galvana_physics::battery::impedance::{Linearised, SpmImpedance};
use galvana_physics::battery::params::chen2020;
use galvana_physics::calibration::eis::data;

fn deck(dir: &std::path::Path, model: &str, experiment: bool) -> std::path::PathBuf {
    let exp = if experiment {
        "experiment = [\"Discharge at 1C until 2.5 V\"]\n"
    } else {
        ""
    };
    let path = dir.join(format!(
        "{model}{}.toml",
        if experiment { "_exp" } else { "" }
    ));
    std::fs::write(
        &path,
        format!(
            "[physics]\ntype = \"battery\"\nmodel = \"{model}\"\nparameter_set = \"Chen2020\"\ninitial_soc = 0.3\n\
             {exp}points = {{ r_n = 24, r_p = 24 }}\n"
        ),
    )
    .unwrap();
    path
}

fn battery_eis(args: &[&str]) -> std::process::Output {
    std::process::Command::new(galvana())
        .arg("battery-eis")
        .args(args)
        .output()
        .expect("galvana runs")
}

#[test]
fn csv_matches_the_library() {
    let dir = tempdir("battery_eis_csv");
    let out_csv = dir.join("spm.csv");
    // Without --soc the deck's initial state (SOC 0.3) is used; --soc overrides it.
    for (with_experiment, soc) in [(false, None), (true, None), (false, Some("0.7"))] {
        let d = deck(&dir, "spm", with_experiment);
        let mut args = vec![d.to_str().unwrap()];
        if let Some(s) = soc {
            args.extend(["--soc", s]);
        }
        args.extend([
            "--from",
            "1e4",
            "--to",
            "1e-3",
            "--per-decade",
            "10",
            "--to-csv",
            out_csv.to_str().unwrap(),
        ]);
        let out = battery_eis(&args);
        assert_code(&out, 0, "battery-eis");
        let text = std::fs::read_to_string(&out_csv).unwrap();
        assert_eq!(
            text.lines().next(),
            Some("frequency_Hz,z_real_ohm,z_imag_ohm")
        );
        let s = data::parse_csv(&text).unwrap();
        assert_eq!(s.f.len(), 71, "7 decades at 10 per decade, both ends");
        assert!((s.f[0] - 1e4).abs() < 1e-6 && (s.f[70] - 1e-3).abs() < 1e-15);
        let lin =
            SpmImpedance::at_soc(&chen2020(), soc.map_or(0.3, |s| s.parse().unwrap()), 24).unwrap();
        for (f, z) in s.f.iter().zip(&s.z) {
            let want = lin.z(*f);
            assert!(
                (*z - want).abs() < 1e-9 * want.abs(),
                "{f} Hz: {z:?} vs {want:?}"
            );
            assert!(z.re > 0.0 && z.im < 0.0, "{f} Hz: {z:?}");
        }
    }
}

#[test]
fn bad_input_is_refused() {
    let dir = tempdir("battery_eis_bad");
    let spm = deck(&dir, "spm", false);
    let cases: [(&std::path::Path, &[&str], &str); 4] = [
        (&spm, &["--noise=-1"], "--noise -1: expected a relative"),
        (
            &spm,
            &["--soc", "1.5"],
            "--soc 1.5: expected a state of charge in [0, 1]",
        ),
        (&spm, &["--from", "0"], "--from: 0 is not a positive"),
        (&spm, &["--per-decade", "0"], "--per-decade"),
    ];
    for (d, extra, msg) in cases {
        let mut args = vec![d.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = battery_eis(&args);
        assert_code(&out, 3, msg);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{msg}: {err}");
    }
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[physics]\ntype = \"battery\"\nmodel = 3\n").unwrap();
    let out = battery_eis(&[bad.to_str().unwrap()]);
    assert_code(&out, 3, "bad deck");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("model"), "{err}");
}

/// An SPMe deck gives the library's linearised SPMe (its mesh from `points`).
#[test]
fn spme_csv_matches_the_library() {
    use galvana_physics::battery::impedance_spme::SpmeImpedance;
    use galvana_physics::battery::spme::Points;
    let dir = tempdir("battery_eis_spme");
    let d = deck(&dir, "spme", false);
    let out = battery_eis(&[
        d.to_str().unwrap(),
        "--soc",
        "0.8",
        "--from",
        "100",
        "--to",
        "0.01",
    ]);
    assert_code(&out, 0, "battery-eis spme");
    let s = data::parse_csv(&stdout(&out)).unwrap();
    assert_eq!(s.f.len(), 41);
    let pts = Points {
        r_n: 24,
        r_p: 24,
        ..Points::default()
    };
    let lin = SpmeImpedance::at_soc(&chen2020(), 0.8, pts).unwrap();
    for (f, z) in s.f.iter().zip(&s.z) {
        let want = lin.z(*f);
        assert!(
            (*z - want).abs() < 1e-9 * want.abs(),
            "{f} Hz: {z:?} vs {want:?}"
        );
    }
}

/// A DFN deck gives the library's linearised DFN (its mesh from `points`), and its spectrum
/// differs from the SPMe's of the same deck (the command does not fall back to another model).
#[test]
fn dfn_csv_matches_the_library() {
    use galvana_physics::battery::impedance_dfn::DfnImpedance;
    use galvana_physics::battery::impedance_spme::SpmeImpedance;
    use galvana_physics::battery::spme::Points;
    let dir = tempdir("battery_eis_dfn");
    let d = deck(&dir, "dfn", true);
    let out = battery_eis(&[
        d.to_str().unwrap(),
        "--soc",
        "0.6",
        "--from",
        "1e3",
        "--to",
        "1e-3",
        "--per-decade",
        "5",
    ]);
    assert_code(&out, 0, "battery-eis dfn");
    let s = data::parse_csv(&stdout(&out)).unwrap();
    assert_eq!(s.f.len(), 31);
    let pts = Points {
        r_n: 24,
        r_p: 24,
        ..Points::default()
    };
    let lin = DfnImpedance::at_soc(&chen2020(), 0.6, pts).unwrap();
    let spme = SpmeImpedance::at_soc(&chen2020(), 0.6, pts).unwrap();
    for (f, z) in s.f.iter().zip(&s.z) {
        let want = lin.z(*f);
        assert!(
            (*z - want).abs() < 1e-9 * want.abs(),
            "{f} Hz: {z:?} vs {want:?}"
        );
        assert!(z.re > 0.0 && z.im < 0.0, "{f} Hz: {z:?}");
    }
    let other = spme.z(s.f[0]);
    assert!(
        (s.z[0] - other).abs() > 1e-3 * other.abs(),
        "{:?} vs SPMe {other:?}",
        s.z[0]
    );
}
