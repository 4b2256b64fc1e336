//! Arbin `.res` (Access database read through mdbtools' `mdb-export`). Expected numbers
//! from access-parser 0.0.6 (PyPI, a pure-Python Jet reader, in a throwaway venv):
//! `AccessParser(path).parse_table("Channel_Normal_Table")`, first/last values, extremes of
//! Current and of Charge_Capacity - Discharge_Capacity. mdb-export prints single-precision
//! columns (Voltage, Current) with 8 significant digits, hence the 1e-7 relative tolerance.
//!
//! This test needs mdb-export (scripts/install-deps.sh installs mdbtools); without it the
//! test fails rather than passing silently.

use galvana_instruments::{Col, Format};
use std::path::PathBuf;

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-7 * a.abs().max(b.abs())
}

#[test]
fn res_sample_matches_access_parser() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/navani/arbin_example.res");
    let ds = galvana_instruments::read(&p, None, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ds.rows(), 2150);
    let want = [
        (Col::Time, 0.072595419795086, 345733.38945743744),
        (Col::Potential, 3.8591957092285156, 3.872107982635498),
        (Col::Current, 0.0, 0.0),
        (Col::Cycle, 1.0, 5.0),
        (Col::Step, 1.0, 5.0),
        (Col::Charge, 0.0, 0.0),
    ];
    let mut got: Vec<Col> = ds.columns().map(|c| c.0).collect();
    got.sort();
    let mut cols: Vec<Col> = want.iter().map(|w| w.0).collect();
    cols.sort();
    assert_eq!(got, cols);
    for (c, first, last) in want {
        let v = ds.column(c).unwrap();
        assert!(
            close(v[0], first),
            "{}: first {} vs {first}",
            c.name(),
            v[0]
        );
        assert!(
            close(v[v.len() - 1], last),
            "{}: last {} vs {last}",
            c.name(),
            v[v.len() - 1]
        );
    }
    // The database stores points 1321.. after 1560..; the import restores measurement order.
    let t = ds.column(Col::Time).unwrap();
    assert!(
        t.windows(2).all(|w| w[1] > w[0]),
        "time not increasing after import"
    );
    let i = ds.column(Col::Current).unwrap();
    let q = ds.column(Col::Charge).unwrap();
    let max = |v: &[f64]| v.iter().cloned().fold(f64::MIN, f64::max);
    let min = |v: &[f64]| v.iter().cloned().fold(f64::MAX, f64::min);
    assert!(close(max(i), 8.653390977997333e-05), "{}", max(i));
    assert!(close(min(i), -8.658387378090993e-05), "{}", min(i));
    assert!(close(max(q), 0.000483514940818), "{}", max(q));
    assert_eq!(min(q), 0.0);
    // Global_Table.Start_DateTime = 45131.78472222222 (OLE date); Python:
    // datetime(1899, 12, 30) + timedelta(days=45131.78472222222) = 2023-07-24 18:50:00.
    assert_eq!(
        ds.meta.start_time.as_deref(),
        Some("2023-07-24 18:50:00.000")
    );
}

#[test]
fn damaged_res_is_refused_by_name() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/navani/arbin_example.res");
    let b = std::fs::read(p).unwrap();
    let mut flipped = b.clone();
    flipped[b.len() / 3] ^= 0xFF;
    flipped[4096 + 17] ^= 0x55;
    let cuts = [20, 4096, b.len() / 2, b.len() - 1];
    let damaged = cuts.iter().map(|&c| b[..c].to_vec()).chain([flipped]);
    for bytes in damaged {
        let e = galvana_instruments::parse(&bytes, "a.res", Some(Format::ArbinRes), None);
        match e {
            Err(e) => assert!(e.to_string().starts_with("a.res: "), "{e}"),
            // mdb-export may read past a damaged page; never more rows than the file has.
            Ok(ds) => assert!(ds.rows() <= 2150, "{}", ds.rows()),
        }
    }
    let e = galvana_instruments::parse(
        b"not a database at all",
        "a.res",
        Some(Format::ArbinRes),
        None,
    )
    .unwrap_err();
    assert!(e.message.contains("Standard Jet DB"), "{e}");
}
