//! Every measurement sample in tests/data imports, and its row count and the first and last
//! value of every normalised column match an independent reading: the numbers below were
//! printed by tests/independent_reading.py (plain Python splitting of each file, written
//! separately from the Rust parsers; unit factors read off the headers by hand).

use galvana_instruments::{parse, Col, Format, Mapping};
use std::path::PathBuf;

struct Expect {
    file: &'static str,
    /// Column mapping for plain tables without a header row.
    map: Option<&'static str>,
    rows: usize,
    cols: &'static [(&'static str, f64, f64)],
}

// Measured values that happen to look like mathematical constants.
#[allow(clippy::approx_constant)]
const EXPECT: &[Expect] = &[
    Expect {
        file: "impedancepy/exampleDataBioLogic.mpt",
        map: None,
        rows: 43,
        cols: &[
            ("frequency_Hz", 1000.3201, 0.01689554),
            ("z_real_ohm", 65.470886, 110.97003),
            ("z_imag_ohm", -0.38998979, -2.3458567),
            ("time_s", 0.7836904905780102, 288.5022309564229),
            ("potential_V", -0.00028677555, -0.00028034937),
            ("current_A", -4.8041187e-05, -4.5939464e-05),
            ("cycle", 1.0, 1.0),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataGamry.DTA",
        map: None,
        rows: 72,
        cols: &[
            ("time_s", 1.0, 861.0),
            ("frequency_Hz", 200015.6, 0.0158898),
            ("z_real_ohm", 825.8584, 17007.49),
            ("z_imag_ohm", -1367.239, -6635.557),
            ("current_A", -5.89286e-06, -2.233894e-06),
            ("potential_V", -0.3413299, -0.3411888),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataGamryABORT.DTA",
        map: None,
        rows: 72,
        cols: &[
            ("time_s", 1.0, 861.0),
            ("frequency_Hz", 200015.6, 0.0158898),
            ("z_real_ohm", 825.8584, 17007.49),
            ("z_imag_ohm", -1367.239, -6635.557),
            ("current_A", -5.89286e-06, -2.233894e-06),
            ("potential_V", -0.3413299, -0.3411888),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataZPlot.z",
        map: None,
        rows: 21,
        cols: &[
            ("frequency_Hz", 300000.0, 3000.0),
            ("time_s", 2.67, 19.98),
            ("z_real_ohm", 147.77, 613.68),
            ("z_imag_ohm", -11.335, -137.13),
        ],
    },
    Expect {
        file: "impedancepy/Circuit1_EIS_1.z",
        map: None,
        rows: 48,
        cols: &[
            ("frequency_Hz", 50000.0, 1.0),
            ("time_s", 2.59, 40.85),
            ("z_real_ohm", 29.036, 75.803),
            ("z_imag_ohm", 0.63662, -0.16244),
        ],
    },
    Expect {
        file: "impedancepy/Circuit1_EIS_2.z",
        map: None,
        rows: 48,
        cols: &[
            ("frequency_Hz", 50000.0, 1.0),
            ("time_s", 2.58, 40.74),
            ("z_real_ohm", 29.001, 75.82),
            ("z_imag_ohm", 0.5992, -0.17374),
        ],
    },
    Expect {
        file: "impedancepy/Circuit2_EIS_1.z",
        map: None,
        rows: 56,
        cols: &[
            ("frequency_Hz", 300000.0, 1.0),
            ("time_s", 2.67, 49.59),
            ("z_real_ohm", 147.77, 654.19),
            ("z_imag_ohm", -11.335, 0.64271),
        ],
    },
    Expect {
        file: "impedancepy/Circuit2_EIS_2.z",
        map: None,
        rows: 56,
        cols: &[
            ("frequency_Hz", 300000.0, 1.0),
            ("time_s", 2.58, 49.63),
            ("z_real_ohm", 147.68, 652.44),
            ("z_imag_ohm", -11.662, -2.118),
        ],
    },
    Expect {
        file: "impedancepy/Circuit3_EIS_1.z",
        map: None,
        rows: 53,
        cols: &[
            ("frequency_Hz", 150000.0, 1.0),
            ("time_s", 2.64, 47.11),
            ("z_real_ohm", 1493.7, 6137.5),
            ("z_imag_ohm", 10.377, 17.89),
        ],
    },
    Expect {
        file: "impedancepy/Circuit3_EIS_2.z",
        map: None,
        rows: 53,
        cols: &[
            ("frequency_Hz", 150000.0, 1.0),
            ("time_s", 2.67, 47.47),
            ("z_real_ohm", 1492.0, 6138.2),
            ("z_imag_ohm", 11.789, -10.151),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataZPlot_noComments.z",
        map: None,
        rows: 31,
        cols: &[
            ("frequency_Hz", 300000.0, 300.0),
            ("time_s", 2.58, 28.91),
            ("z_real_ohm", 642.62, 1305.3),
            ("z_imag_ohm", -85.821, -195.01),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataAutolab.txt",
        map: None,
        rows: 41,
        cols: &[
            ("frequency_Hz", 10000.0, 0.1),
            ("time_s", 0.0, 0.0),
            ("z_real_ohm", 0.013785863964281, 0.0345697771923854),
            ("z_imag_ohm", 0.007191946305823, -0.00390292888845954),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataCHInstruments.txt",
        map: None,
        rows: 73,
        cols: &[
            ("frequency_Hz", 99610.0, 0.1),
            ("z_real_ohm", 98.91, 5685.0),
            ("z_imag_ohm", -2.748, -15860.0),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataParstat.txt",
        map: None,
        rows: 812,
        cols: &[
            ("potential_V", 3.49322700500488, 3.50029397010803),
            ("current_A", -0.149962306022644, 0.0245747901499271),
            ("time_s", 10.0, 7750.166999),
            ("frequency_Hz", 0.0, 10.0),
            ("z_real_ohm", 0.0, 0.0270946491457229),
            ("z_imag_ohm", 0.0, -0.00399791080333837),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataPowersuite.txt",
        map: None,
        rows: 30,
        cols: &[
            ("frequency_Hz", 0.1, 2000000.0),
            ("z_real_ohm", 423929.46, -470.54113),
            ("z_imag_ohm", -49014.063, -1397.7358),
        ],
    },
    Expect {
        file: "impedancepy/exampleData.csv",
        map: Some("1=frequency_Hz;2=z_real_ohm;3=z_imag_ohm"),
        rows: 66,
        cols: &[
            ("frequency_Hz", 0.0031623, 10000.0),
            ("z_real_ohm", 0.0494998977640506, 0.015771482660485933),
            ("z_imag_ohm", -0.020438698544418925, 0.010157474564938236),
        ],
    },
    Expect {
        file: "impedancepy/exampleDataVersaStudio.par",
        map: None,
        rows: 61,
        cols: &[
            ("potential_V", 0.0, 0.0),
            ("current_A", -3.282372e-06, -3.282372e-06),
            ("time_s", 1.812, 1575.401),
            ("frequency_Hz", 100000.0, 0.02154435),
            ("z_real_ohm", 55.31571, 1516.313),
            ("z_imag_ohm", 4.575431, -122.8279),
        ],
    },
    Expect {
        file: "navani/maccor_example.txt",
        map: None,
        rows: 37,
        cols: &[
            ("time_s", 0.0, 2220.0),
            ("potential_V", 2.314, 2.367),
            ("current_A", 0.0, -0.00061),
            ("charge_Ah", 0.0, 0.0001626667),
            ("cycle", 0.0, 0.0),
            ("step", 1.0, 4.0),
        ],
    },
];

/// Binary `.mpr` samples: expected numbers printed by galvani 0.5.0 (PyPI, in a throwaway
/// venv; `MPRfile(path).data[...]`, first and last record; mA and mA.h scaled by 1e-3 in
/// Python), an independent reader of the format.
const EXPECT_MPR: &[Expect] = &[
    Expect {
        file: "navani/00_test_01_OCV_C01.mpr",
        map: None,
        rows: 2,
        cols: &[
            ("time_s", 0.0, 5.593199858703883),
            ("potential_V", -0.37380897998809814, -0.37328216433525085),
        ],
    },
    Expect {
        file: "navani/00_test_02_MB_C01.mpr",
        map: None,
        rows: 11,
        cols: &[
            ("time_s", 6.165999844233738, 16.165799591617542),
            ("potential_V", -1.6501721143722534, -1.650145411491394),
            ("current_A", -5.671815946698189e-05, -4.4965028762817385e-05),
            ("charge_Ah", 0.0, -1.34619299551886e-07),
            ("step", 0.0, 0.0),
        ],
    },
];

/// Arbin `.xlsx`: expected numbers printed by openpyxl 3.1.5 (PyPI, throwaway venv) reading
/// sheet `Channel_11_1` (the only channel sheet): rows after the header, first and last
/// values; charge_Ah = Charge_Capacity(Ah) - Discharge_Capacity(Ah) computed in Python.
const EXPECT_XLSX: &[Expect] = &[Expect {
    file: "navani/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx",
    map: None,
    rows: 4526,
    cols: &[
        ("time_s", 1.001, 1204815.8106799999),
        ("potential_V", 2.637298583984375, 0.07228660583496094),
        ("current_A", 0.0, 5.0827860832214355e-05),
        ("cycle", 1.0, 1.0),
        ("step", 1.0, 3.0),
        ("charge_Ah", 0.0, -0.0053521948866545755),
    ],
}];

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

#[test]
fn every_sample_matches_the_independent_reading() {
    for e in EXPECT.iter().chain(EXPECT_MPR).chain(EXPECT_XLSX) {
        let bytes = std::fs::read(data(e.file)).unwrap();
        let map = e.map.map(|m| Mapping::parse(m).unwrap());
        let ds = parse(&bytes, e.file, None, map.as_ref()).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(ds.rows(), e.rows, "{}: rows", e.file);
        let mut want: Vec<&str> = e.cols.iter().map(|c| c.0).collect();
        let mut got: Vec<&str> = ds.columns().map(|c| c.0.name()).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{}: columns present", e.file);
        for (name, first, last) in e.cols {
            let v = ds.column(Col::from_name(name).unwrap()).unwrap();
            assert!(
                close(v[0], *first),
                "{}: {name} first {} != {first}",
                e.file,
                v[0]
            );
            assert!(
                close(v[v.len() - 1], *last),
                "{}: {name} last {} != {last}",
                e.file,
                v[v.len() - 1]
            );
        }
        assert_eq!(ds.meta.source_file, e.file);
        assert!(!ds.meta.instrument.is_empty(), "{}: instrument", e.file);
        assert!(
            !ds.meta.original_columns.is_empty(),
            "{}: original columns",
            e.file
        );
    }
}

#[test]
fn formats_are_detected_by_content() {
    let cases = [
        ("impedancepy/exampleDataBioLogic.mpt", Format::BiologicMpt),
        ("impedancepy/exampleDataGamry.DTA", Format::GamryDta),
        ("impedancepy/exampleDataZPlot.z", Format::ZPlot),
        ("impedancepy/exampleDataZPlot_noComments.z", Format::ZPlot),
        ("impedancepy/exampleDataAutolab.txt", Format::ZPlot),
        (
            "impedancepy/exampleDataCHInstruments.txt",
            Format::ChInstruments,
        ),
        (
            "impedancepy/exampleDataVersaStudio.par",
            Format::VersaStudio,
        ),
        ("impedancepy/exampleDataParstat.txt", Format::Parstat),
        ("impedancepy/exampleDataPowersuite.txt", Format::PowerSuite),
        ("impedancepy/exampleData.csv", Format::Csv),
        ("navani/maccor_example.txt", Format::Maccor),
        ("navani/00_test_01_OCV_C01.mpr", Format::BiologicMpr),
        ("navani/arbin_example.res", Format::ArbinRes),
        (
            "navani/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx",
            Format::Xlsx,
        ),
    ];
    for (f, want) in cases {
        let bytes = std::fs::read(data(f)).unwrap();
        assert_eq!(galvana_instruments::detect(&bytes), want, "{f}");
    }
}

#[test]
fn metadata_is_read_from_the_headers() {
    let ds = galvana_instruments::read(&data("impedancepy/exampleDataBioLogic.mpt"), None, None)
        .unwrap();
    assert_eq!(
        ds.meta.technique,
        "Potentio Electrochemical Impedance Spectroscopy"
    );
    assert_eq!(ds.meta.start_time.as_deref(), Some("02/04/2018 10:02:46"));
    let im = ds
        .meta
        .original_columns
        .iter()
        .find(|c| c.name == "-Im(Z)")
        .unwrap();
    assert_eq!(im.maps_to, Some((Col::ZImag, -1.0)));
    let ds = galvana_instruments::read(&data("impedancepy/exampleDataGamryABORT.DTA"), None, None)
        .unwrap();
    assert!(ds.meta.notes.contains(&("aborted".into(), "true".into())));
    assert_eq!(ds.meta.technique, "EISPOT (ZCURVE)");
    let ds = galvana_instruments::read(&data("navani/maccor_example.txt"), None, None).unwrap();
    assert_eq!(ds.meta.start_time.as_deref(), Some("01/15/2025"));
}

/// The MissingFreq sample's header names 17 columns but its rows carry 18 values (the
/// frequency column lost its name), so the columns cannot be matched to names: a clear
/// error naming the first data line, never a shifted import.
#[test]
fn mpt_with_a_header_shorter_than_its_rows_is_refused() {
    let f = "impedancepy/exampleDataBioLogic_MissingFreq.mpt";
    let err = parse(&std::fs::read(data(f)).unwrap(), f, None, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{f}: line 62: expected 17 fields (one per header column), found 18")
    );
}

#[test]
fn decimal_commas_are_read() {
    let f = "impedancepy/exampleDataBioLogic.mpt";
    let text = std::fs::read(data(f)).unwrap();
    let pointy = parse(&text, f, None, None).unwrap();
    // A French-locale export: decimal commas in the data rows.
    let mut comma = Vec::new();
    let mut line = 0;
    for l in text.split_inclusive(|&b| b == b'\n') {
        line += 1;
        if line > 61 {
            comma.extend(l.iter().map(|&b| if b == b'.' { b',' } else { b }));
        } else {
            comma.extend_from_slice(l);
        }
    }
    let ds = parse(&comma, f, None, None).unwrap();
    assert_eq!(ds, pointy);
}

#[test]
fn csv_output_reads_back_identically() {
    for e in EXPECT.iter().chain(EXPECT_MPR).chain(EXPECT_XLSX) {
        let bytes = std::fs::read(data(e.file)).unwrap();
        let map = e.map.map(|m| Mapping::parse(m).unwrap());
        let ds = parse(&bytes, e.file, None, map.as_ref()).unwrap();
        let csv = galvana_instruments::csv_out::to_csv(&ds);
        let back = parse(csv.as_bytes(), "out.csv", Some(Format::Csv), None).unwrap();
        assert_eq!(back.rows(), ds.rows(), "{}", e.file);
        for (c, v) in ds.columns() {
            assert_eq!(back.column(c).unwrap(), v, "{}: {}", e.file, c.name());
        }
        let header = csv.lines().find(|l| !l.starts_with('#')).unwrap();
        for name in header.split(',') {
            assert!(Col::from_name(name).is_some(), "{name}");
        }
    }
}

/// The flag byte of the modulo-bat sample: galvani 0.5.0 gives `mode` = 2 on all 11 points
/// and `control changes` set on all of them; the metadata records the flag columns.
#[test]
fn mpr_metadata_names_flags_and_the_start_date() {
    let ds = galvana_instruments::read(&data("navani/00_test_02_MB_C01.mpr"), None, None).unwrap();
    let names: Vec<&str> = ds
        .meta
        .original_columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        &names[..6],
        [
            "mode",
            "ox/red",
            "error",
            "control changes",
            "Ns changes",
            "counter inc."
        ]
    );
    assert_eq!(ds.meta.start_time.as_deref(), Some("12/08/23"));
}

#[test]
fn xlsx_start_time_comes_from_the_first_row() {
    let f = "navani/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx";
    let ds = galvana_instruments::read(&data(f), None, None).unwrap();
    // openpyxl: Date_Time of the first row is 2020-10-19 11:31:46.582000.
    assert_eq!(
        ds.meta.start_time.as_deref(),
        Some("2020-10-19 11:31:46.582")
    );
}

/// A cyclic voltammogram as Gamry writes it: one `CURVEn` table per cycle, `Vf` in
/// `V vs. Ref.`, `Im` in A, `T` in s. Hand-made (no public CV sample here); the expected
/// columns are read off the text below.
#[test]
fn gamry_cv_tables_become_cycles() {
    let t = "EXPLAIN\nTAG\tCV\nTITLE\tLABEL\tCyclic Voltammetry\tTest &Identifier\n\
DATE\tLABEL\t1/2/2024\tDate\nTIME\tLABEL\t10:00:00\tTime\n\
CURVE1\tTABLE\t2\n\tPt\tT\tVf\tIm\tVu\tSig\tAch\tIERange\tOver\n\
\t#\ts\tV vs. Ref.\tA\tV\tV\tV\t#\tbits\n\
\t0\t0.1\t0.5\t1.0E-6\t0\t0.5\t0\t5\t...........\n\
\t1\t0.2\t0.6\t2.0E-6\t0\t0.6\t0\t5\t...........\n\
CURVE2\tTABLE\t2\n\tPt\tT\tVf\tIm\tVu\tSig\tAch\tIERange\tOver\n\
\t#\ts\tV vs. Ref.\tA\tV\tV\tV\t#\tbits\n\
\t0\t0.3\t0.5\t3.0E-6\t0\t0.5\t0\t5\t...........\n\
\t1\t0.4\t0.4\t-4.0E-6\t0\t0.4\t0\t5\t...........\n";
    let ds = parse(t.as_bytes(), "cv.DTA", None, None).unwrap();
    assert_eq!(ds.column(Col::Time).unwrap(), [0.1, 0.2, 0.3, 0.4]);
    assert_eq!(ds.column(Col::Potential).unwrap(), [0.5, 0.6, 0.5, 0.4]);
    assert_eq!(ds.column(Col::Current).unwrap(), [1e-6, 2e-6, 3e-6, -4e-6]);
    assert_eq!(ds.column(Col::Cycle).unwrap(), [0.0, 0.0, 1.0, 1.0]);
    assert_eq!(ds.meta.technique, "CV (CURVE1)");
    assert_eq!(ds.meta.start_time.as_deref(), Some("1/2/2024 10:00:00"));
    // The same file cut inside CURVE2 (declares 2 rows, has 1) is refused.
    let cut = &t[..t.rfind("\t1\t0.4").unwrap()];
    let e = parse(cut.as_bytes(), "cv.DTA", None, None).unwrap_err();
    assert!(
        e.message.contains("CURVE2 declares 2 rows but has 1"),
        "{e}"
    );
}
