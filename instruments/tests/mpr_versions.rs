//! Data-module versions 2 and 3 (two-byte column IDs, records at 405 / 406) carry the same
//! records as version 0. No v2/v3 sample is public here, so these files are rebuilt from
//! the version-0 modulo-bat sample: same column IDs and record bytes, other layout. The
//! parse must give exactly the dataset of the original (whose values are checked against
//! galvani in samples.rs).

use galvana_instruments::parse;
use std::path::PathBuf;

fn sample() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/navani/00_test_02_MB_C01.mpr"),
    )
    .unwrap()
}

/// (offset of the data module's header, its header length, data start, data length).
fn find_data_module(b: &[u8]) -> (usize, usize, usize, usize) {
    let mut at = 52;
    loop {
        let h = at + 6;
        let v2 = b[h + 35..h + 39] == [0xff; 4];
        let (len_at, hl) = if v2 { (h + 39, 59) } else { (h + 35, 51) };
        let len = u32::from_le_bytes(b[len_at..len_at + 4].try_into().unwrap()) as usize;
        if &b[h..h + 10] == b"VMP data  " {
            return (h, hl, h + hl, len);
        }
        at = h + hl + len;
    }
}

fn rebuild(version: u32) -> Vec<u8> {
    let b = sample();
    let (h, hl, start, len) = find_data_module(&b);
    let d = &b[start..start + len];
    assert_eq!(d[5], 0, "the sample uses the EC-Lab 11.50 version-0 layout");
    let n = d[4] as usize;
    let ids: Vec<u16> = (0..n).map(|k| d[6 + 2 * k] as u16).collect();
    let records = &d[1007..];
    let pre = if version == 3 { 406 } else { 405 };
    let mut nd = d[..5].to_vec();
    for id in ids {
        nd.extend_from_slice(&id.to_le_bytes());
    }
    nd.resize(pre, 0);
    nd.extend_from_slice(records);
    let mut out = b[..h].to_vec();
    let mut hdr = b[h..start].to_vec();
    let (len_at, ver_at) = if hl == 59 { (39, 43) } else { (35, 39) };
    hdr[len_at..len_at + 4].copy_from_slice(&(nd.len() as u32).to_le_bytes());
    hdr[ver_at..ver_at + 4].copy_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&hdr);
    out.extend_from_slice(&nd);
    out.extend_from_slice(&b[start + len..]);
    out
}

#[test]
fn versions_2_and_3_read_like_version_0() {
    let mut want = parse(&sample(), "mb.mpr", None, None).unwrap();
    for v in [2, 3] {
        let mut got = parse(&rebuild(v), "mb.mpr", None, None).unwrap();
        got.meta.notes.clear();
        want.meta.notes.clear();
        assert_eq!(got, want, "version {v}");
    }
}

#[test]
fn unknown_versions_and_column_ids_are_refused_with_offsets() {
    let mut b = rebuild(2);
    let (_, _, start, _) = find_data_module(&b);
    // First column ID becomes 0x7FEE, which EC-Lab does not use.
    b[start + 5] = 0xEE;
    b[start + 6] = 0x7F;
    let e = parse(&b, "x.mpr", None, None).unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("byte offset {}: unknown column ID", start + 5)),
        "{e}"
    );
    let b = rebuild(7);
    let e = parse(&b, "x.mpr", None, None).unwrap_err();
    assert!(
        e.to_string()
            .contains("data module version 7; expected 0, 2 or 3"),
        "{e}"
    );
}
