//! `galvana cycles`: the tables it writes agree with the library's analysis (tested against
//! closed forms and the cyclers' counters in instruments/tests/cycling.rs), it reads the
//! normalised CSV that `galvana import` writes, and bad input or usage exits 3 or 2 with
//! nothing written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../instruments/tests/data")
        .join(rel)
}

fn galvana(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(common::galvana()).args(args).output().unwrap()
}

#[test]
fn tables_from_an_export_and_from_its_import_agree() {
    let dir = common::tempdir("cycles");
    let res = sample("navani/arbin_example.res");
    let direct = dir.join("direct.csv");
    let steps = dir.join("steps.csv");
    let o = galvana(&[
        "cycles".as_ref(),
        res.as_os_str(),
        "--to".as_ref(),
        direct.as_os_str(),
        "--steps".as_ref(),
        steps.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("5 cycles (numbered by instrument)"), "{out}");
    let imported = dir.join("imported.csv");
    let o = galvana(&[
        "import".as_ref(),
        res.as_os_str(),
        "--to".as_ref(),
        imported.as_os_str(),
    ]);
    assert!(o.status.success());
    let via = dir.join("via.csv");
    let o = galvana(&[
        "cycles".as_ref(),
        imported.as_os_str(),
        "--to".as_ref(),
        via.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a = std::fs::read_to_string(&direct).unwrap();
    let b = std::fs::read_to_string(&via).unwrap();
    assert_eq!(a.lines().count(), 6, "{a}");
    // Capacities per cycle agree to the CSV's printed precision.
    for (x, y) in a.lines().zip(b.lines()).skip(1) {
        let f = |l: &str| -> Vec<f64> {
            l.split(',')
                .take(5)
                .map(|v| v.parse::<f64>().unwrap())
                .collect()
        };
        for (u, v) in f(x).iter().zip(f(y)) {
            assert!((u - v).abs() <= 1e-9 * u.abs().max(1e-12), "{x} | {y}");
        }
    }
    let s = std::fs::read_to_string(&steps).unwrap();
    assert_eq!(s.lines().count(), 18, "17 steps + header");
    assert!(s.lines().nth(2).unwrap().contains(",charge,CC,"), "{s}");
}

#[test]
fn json_holds_cycles_and_pulses() {
    let dir = common::tempdir("cycles-json");
    let f = sample("navani/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx");
    let to = dir.join("c.json");
    let o = galvana(&[
        "cycles".as_ref(),
        f.as_os_str(),
        "--to".as_ref(),
        to.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&to).unwrap()).unwrap();
    assert_eq!(v["cycle_source"], "alternation");
    let c = &v["cycles"][0];
    let ce = c["coulombic_efficiency"].as_f64().unwrap();
    let q = c["charge_Ah"].as_f64().unwrap() / c["discharge_Ah"].as_f64().unwrap();
    assert!((ce - q).abs() < 1e-12, "{ce} {q}");
    assert_eq!(v["cycles"][1]["complete"], false);
    assert_eq!(v["pulses"].as_array().unwrap().len(), 4);
}

#[test]
fn bad_input_exits_3_and_bad_usage_2_with_nothing_written() {
    let dir = common::tempdir("cycles-bad");
    let to = dir.join("c.csv");
    // A spectrum has no current column.
    let eis = sample("impedancepy/Circuit1_EIS_1.z");
    let o = galvana(&[
        "cycles".as_ref(),
        eis.as_os_str(),
        "--to".as_ref(),
        to.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("Circuit1_EIS_1.z") && e.contains("current_A"),
        "{e}"
    );
    let res = sample("navani/arbin_example.res");
    let bad = dir.join("c.txt");
    let o = galvana(&[
        "cycles".as_ref(),
        res.as_os_str(),
        "--to".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}
