//! `galvana import`: the HDF5 and CSV files it writes read back to the same numbers the
//! library parses (whose values tests in instruments/ check against an independent
//! reading), and bad input or usage leaves no output behind and exits 3 or 2.

mod common;

use galvana_instruments::Col;
use std::path::{Path, PathBuf};
use std::process::Command;

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../instruments/tests/data")
        .join(rel)
}

fn import(file: &Path, to: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(common::galvana())
        .arg("import")
        .arg(file)
        .arg("--to")
        .arg(to)
        .args(extra)
        .output()
        .unwrap()
}

/// Nothing but `keep` may be in `dir` (no temporary or partial files).
fn only(dir: &Path, keep: &[&str]) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, keep, "files in {}", dir.display());
}

#[test]
fn h5_round_trip_matches_the_parsed_dataset() {
    let dir = common::tempdir("import-h5");
    for (rel, group) in [
        ("impedancepy/exampleDataGamry.DTA", "exampleDataGamry"),
        ("navani/maccor_example.txt", "maccor_example"),
        ("impedancepy/exampleDataBioLogic.mpt", "exampleDataBioLogic"),
        ("navani/00_test_02_MB_C01.mpr", "00_test_02_MB_C01"),
        ("navani/arbin_example.res", "arbin_example"),
    ] {
        let src = sample(rel);
        let out = dir.join(format!("{group}.h5"));
        let o = import(&src, &out, &[]);
        common::check(&o, rel);
        let want = galvana_instruments::read(&src, None, None).unwrap();
        let f = galvana_h5::File::open(&out, false).unwrap();
        assert_eq!(f.members().unwrap(), vec![group.to_string()]);
        let g = f.group(group).unwrap();
        let mut names: Vec<String> = g.members().unwrap();
        names.sort();
        let mut expect: Vec<String> = want.columns().map(|c| c.0.name().to_string()).collect();
        expect.sort();
        assert_eq!(names, expect, "{rel}");
        for (c, v) in want.columns() {
            let d = g.open_dataset(c.name()).unwrap();
            assert_eq!(d.read_all::<f64>().unwrap(), v, "{rel}: {}", c.name());
            assert_eq!(d.attr_str("units").unwrap(), c.unit());
        }
        assert_eq!(g.attr_str("instrument").unwrap(), want.meta.instrument);
        assert_eq!(g.attr_str("technique").unwrap(), want.meta.technique);
        assert_eq!(
            g.attr_str("source_file").unwrap(),
            src.file_name().unwrap().to_str().unwrap()
        );
        assert!(g.attr_str("original_columns").unwrap().contains(" -> "));
    }
    let g = galvana_h5::File::open(&dir.join("exampleDataGamry.h5"), false).unwrap();
    let z = g
        .group("exampleDataGamry")
        .unwrap()
        .open_dataset(Col::ZImag.name())
        .unwrap();
    // First ZCURVE row of the file, as measured (capacitive, negative).
    assert_eq!(z.read_all::<f64>().unwrap()[0], -1367.239);
    only(
        &dir,
        &[
            "00_test_02_MB_C01.h5",
            "arbin_example.h5",
            "exampleDataBioLogic.h5",
            "exampleDataGamry.h5",
            "maccor_example.h5",
        ],
    );
}

#[test]
fn csv_output_has_the_schema_header_and_mapping_works() {
    let dir = common::tempdir("import-csv");
    let out = dir.join("eis.csv");
    let o = import(
        &sample("impedancepy/exampleData.csv"),
        &out,
        &["--map", "1=frequency_Hz;2=z_real_ohm;3=z_imag_ohm"],
    );
    let s = common::check(&o, "import csv");
    assert!(s.contains("66 rows"), "{s}");
    let text = std::fs::read_to_string(&out).unwrap();
    let mut data = text.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(data.next(), Some("frequency_Hz,z_real_ohm,z_imag_ohm"));
    // First row of the sample file: 3.162299999999999833e-03,4.949989776405060160e-02,...
    assert_eq!(
        data.next(),
        Some("0.0031623,0.0494998977640506,-0.020438698544418925")
    );
    assert_eq!(data.count(), 65);
    only(&dir, &["eis.csv"]);
}

#[test]
fn bad_input_exits_3_and_leaves_nothing() {
    let dir = common::tempdir("import-bad");
    let good = std::fs::read(sample("impedancepy/exampleDataGamry.DTA")).unwrap();
    let cut = dir.join("cut.DTA");
    std::fs::write(&cut, &good[..good.len() / 3]).unwrap();
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    for (src, needle) in [
        (cut.clone(), "ZCURVE"),
        (empty.clone(), "empty file"),
        (
            sample("impedancepy/exampleDataBioLogic_MissingFreq.mpt"),
            "line 62",
        ),
        (dir.join("missing.mpt"), "cannot read"),
    ] {
        for ext in ["h5", "csv"] {
            let out = dir.join(format!("out.{ext}"));
            let o = import(&src, &out, &[]);
            assert_eq!(o.status.code(), Some(3), "{}", src.display());
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains(needle), "{err}");
            assert!(
                err.contains(src.file_name().unwrap().to_str().unwrap()),
                "{err}"
            );
        }
    }
    only(&dir, &["cut.DTA", "empty.csv"]);
}

#[test]
fn usage_errors_exit_2() {
    let dir = common::tempdir("import-usage");
    let src = sample("impedancepy/exampleData.csv");
    for (to, extra) in [
        ("x.txt", vec![]),
        ("x.csv", vec!["--format", "nope"]),
        ("x.csv", vec!["--map", "1=voltage"]),
    ] {
        let o = import(&src, &dir.join(to), &extra);
        assert_eq!(o.status.code(), Some(2), "{to} {extra:?}");
    }
    let o = Command::new(common::galvana())
        .arg("import")
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "missing --to");
    only(&dir, &[]);
}
