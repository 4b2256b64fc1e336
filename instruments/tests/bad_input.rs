//! Damaged input never panics: every sample truncated at many cut points, with bytes
//! flipped, empty, or handed to the wrong parser gives either a clear error naming the file
//! (and a line or byte offset) or, for a cut between whole rows of a text table, a prefix
//! of the full data.

use galvana_instruments::{parse, Format, Location, Mapping};
use std::panic::catch_unwind;
use std::path::PathBuf;

/// Arbin .res is damaged-tested in arbin_res.rs (each parse runs mdb-export).
const SAMPLES: &[(&str, Option<&str>)] = &[
    ("impedancepy/exampleDataBioLogic.mpt", None),
    ("impedancepy/exampleDataBioLogic_MissingFreq.mpt", None),
    ("impedancepy/exampleDataGamry.DTA", None),
    ("impedancepy/exampleDataGamryABORT.DTA", None),
    ("impedancepy/exampleDataZPlot.z", None),
    ("impedancepy/exampleDataZPlot_noComments.z", None),
    ("impedancepy/exampleDataAutolab.txt", None),
    ("impedancepy/exampleDataCHInstruments.txt", None),
    ("impedancepy/exampleDataVersaStudio.par", None),
    ("impedancepy/exampleDataParstat.txt", None),
    ("impedancepy/exampleDataPowersuite.txt", None),
    (
        "impedancepy/exampleData.csv",
        Some("1=frequency_Hz;2=z_real_ohm;3=z_imag_ohm"),
    ),
    ("impedancepy/Circuit1_EIS_1.z", None),
    ("navani/maccor_example.txt", None),
    ("navani/00_test_01_OCV_C01.mpr", None),
    ("navani/00_test_02_MB_C01.mpr", None),
    (
        "navani/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx",
        None,
    ),
];

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(rel),
    )
    .unwrap()
}

/// Parse without letting a panic escape; a panic fails the test with the input named.
fn run(
    bytes: &[u8],
    name: &str,
    fmt: Option<Format>,
    map: Option<&Mapping>,
    what: &str,
) -> Option<galvana_instruments::Dataset> {
    let r = catch_unwind(|| parse(bytes, name, fmt, map));
    match r {
        Err(_) => panic!("{name}: parser panicked on {what}"),
        Ok(Ok(ds)) => Some(ds),
        Ok(Err(e)) => {
            assert_eq!(e.path, name, "{what}: error must name the file");
            assert!(e.to_string().starts_with(&format!("{name}: ")), "{e}");
            assert!(!e.message.is_empty());
            None
        }
    }
}

#[test]
fn truncated_files_error_or_give_a_prefix() {
    for (f, m) in SAMPLES {
        let bytes = data(f);
        let map = m.map(|s| Mapping::parse(s).unwrap());
        let full = run(&bytes, f, None, map.as_ref(), "the whole file");
        let cuts = 40.min(bytes.len());
        for k in 0..cuts {
            let cut = bytes.len() * k / cuts;
            let part = run(
                &bytes[..cut],
                f,
                None,
                map.as_ref(),
                &format!("a cut at {cut}"),
            );
            if let Some(p) = part {
                let full = full.as_ref().unwrap_or_else(|| {
                    panic!("{f}: a cut at {cut} parsed but the whole file does not")
                });
                assert!(p.rows() <= full.rows(), "{f}: cut at {cut} has more rows");
                for (c, v) in p.columns() {
                    let w = full
                        .column(c)
                        .unwrap_or_else(|| panic!("{f}: cut at {cut} invents {}", c.name()));
                    assert_eq!(
                        &v[..v.len() - 1],
                        &w[..v.len() - 1],
                        "{f}: cut at {cut}: {} is not a prefix",
                        c.name()
                    );
                }
            }
        }
    }
}

#[test]
fn flipped_bytes_never_panic() {
    for (f, m) in SAMPLES {
        let bytes = data(f);
        let map = m.map(|s| Mapping::parse(s).unwrap());
        let mut state = 0x2545F4914F6CDD1Du64;
        for _ in 0..64 {
            // xorshift: reproducible positions and values without a dependency
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut b = bytes.clone();
            let at = (state % b.len() as u64) as usize;
            b[at] ^= (state >> 32) as u8 | 1;
            run(&b, f, None, map.as_ref(), &format!("byte {at} flipped"));
        }
    }
}

#[test]
fn empty_files_are_refused_by_every_parser() {
    for fmt in Format::ALL {
        let e = parse(b"", "empty.dat", Some(fmt), None).unwrap_err();
        assert_eq!(e.to_string(), "empty.dat: empty file", "{fmt:?}");
    }
}

#[test]
fn wrong_format_is_refused_with_its_location() {
    let gamry = data("impedancepy/exampleDataGamry.DTA");
    let e = parse(&gamry, "g.DTA", Some(Format::BiologicMpt), None).unwrap_err();
    assert_eq!(e.location, Location::Line(1));
    assert!(e.message.contains("EC-Lab ASCII FILE"), "{e}");
    let mpt = data("impedancepy/exampleDataBioLogic.mpt");
    let e = parse(&mpt, "b.mpt", Some(Format::GamryDta), None).unwrap_err();
    assert!(e.message.contains("EXPLAIN"), "{e}");
    let e = parse(&mpt, "b.mpt", Some(Format::VersaStudio), None).unwrap_err();
    assert_eq!(e.location, Location::Line(1));
    for fmt in Format::ALL {
        run(
            &gamry,
            "g.DTA",
            Some(fmt),
            None,
            &format!("Gamry as {fmt:?}"),
        );
        run(
            &mpt,
            "b.mpt",
            Some(fmt),
            None,
            &format!("BioLogic as {fmt:?}"),
        );
    }
}

#[test]
fn a_bad_number_names_line_and_column() {
    let text = "time_s,potential_V\n0,3.7\n1,x\n";
    let e = parse(text.as_bytes(), "t.csv", None, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.csv: line 3: field 2 (potential_V) is not a number"
    );
    let e = parse(b"a,b\n1,2\n", "t.csv", None, None).unwrap_err();
    assert_eq!(e.location, Location::Line(1));
    let e = parse(b"1,2,3\n", "t.csv", None, None).unwrap_err();
    assert!(e.message.contains("mapping"), "{e}");
}
