//! BioLogic EC-Lab binary `.mpr`: a 52-byte file header (`BIO-LOGIC MODULAR FILE`) and
//! modules, each `MODULE` + a header (short name, long name, length, version, date) + data.
//! The `VMP data  ` module holds the point count, the column IDs and packed little-endian
//! records; IDs 1, 2, 3, 21, 31 and 65 are flags sharing one byte (`mode`, `ox/red`, ...).
//! Data-module versions: 0 (one-byte IDs with records at 100, or, from EC-Lab 11.50,
//! two-byte IDs with records at 1007), 2 (two-byte IDs, records at 405) and 3 (at 406).

use crate::dataset::{Col, Dataset, Metadata, SourceColumn, TableBuilder};
use crate::error::{ParseError, Result};
use crate::text::dedupe;

/// The file header's length; modules follow.
const FILE_HEADER: usize = 52;
const MAGIC: &[u8] = b"BIO-LOGIC MODULAR FILE\x1a";

pub fn sniff(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

#[derive(Clone, Copy)]
enum Ty {
    F32,
    F64,
    U8,
    U16,
    U32,
}

impl Ty {
    fn size(self) -> usize {
        match self {
            Ty::U8 => 1,
            Ty::U16 => 2,
            Ty::F32 | Ty::U32 => 4,
            Ty::F64 => 8,
        }
    }
    fn read(self, b: &[u8]) -> f64 {
        match self {
            Ty::U8 => b[0] as f64,
            Ty::U16 => u16::from_le_bytes([b[0], b[1]]) as f64,
            Ty::U32 => u32::from_le_bytes(b[..4].try_into().expect("4 bytes")) as f64,
            Ty::F32 => f32::from_le_bytes(b[..4].try_into().expect("4 bytes")) as f64,
            Ty::F64 => f64::from_le_bytes(b[..8].try_into().expect("8 bytes")),
        }
    }
}

/// Flag column IDs and their bit masks in the shared flags byte.
fn flag(id: u16) -> Option<(&'static str, u8)> {
    Some(match id {
        1 => ("mode", 0x03),
        2 => ("ox/red", 0x04),
        3 => ("error", 0x08),
        21 => ("control changes", 0x10),
        31 => ("Ns changes", 0x20),
        65 => ("counter inc.", 0x80),
        _ => return None,
    })
}

/// Value column IDs: (name as EC-Lab labels it in .mpt exports, stored type).
fn column(id: u16) -> Option<(&'static str, Ty)> {
    use Ty::*;
    Some(match id {
        4 => ("time/s", F64),
        5 => ("control/V/mA", F32),
        6 => ("Ewe/V", F32),
        7 => ("dq/mA.h", F64),
        8 => ("I/mA", F32),
        9 => ("Ece/V", F32),
        11 => ("<I>/mA", F64),
        13 => ("(Q-Qo)/mA.h", F64),
        16 => ("Analog IN 1/V", F32),
        17 => ("Analog IN 2/V", F32),
        19 => ("control/V", F32),
        20 => ("control/mA", F32),
        23 => ("dQ/mA.h", F64),
        24 => ("cycle number", F64),
        26 => ("Rapp/Ohm", F32),
        27 => ("Ewe-Ece/V", F32),
        32 => ("freq/Hz", F32),
        33 => ("|Ewe|/V", F32),
        34 => ("|I|/A", F32),
        35 => ("Phase(Z)/deg", F32),
        36 => ("|Z|/Ohm", F32),
        37 => ("Re(Z)/Ohm", F32),
        38 => ("-Im(Z)/Ohm", F32),
        39 => ("I Range", U16),
        69 => ("R/Ohm", F32),
        70 => ("P/W", F32),
        74 => ("|Energy|/W.h", F64),
        75 => ("Analog OUT/V", F32),
        76 => ("<I>/mA", F32),
        77 => ("<Ewe>/V", F32),
        78 => ("Cs-2/uF-2", F32),
        96 => ("|Ece|/V", F32),
        98 => ("Phase(Zce)/deg", F32),
        99 => ("|Zce|/Ohm", F32),
        100 => ("Re(Zce)/Ohm", F32),
        101 => ("-Im(Zce)/Ohm", F32),
        123 => ("Energy charge/W.h", F64),
        124 => ("Energy discharge/W.h", F64),
        125 => ("Capacitance charge/uF", F64),
        126 => ("Capacitance discharge/uF", F64),
        131 => ("Ns", U16),
        163 => ("|Estack|/V", F32),
        168 => ("Rcmp/Ohm", F32),
        169 => ("Cs/uF", F32),
        172 => ("Cp/uF", F32),
        173 => ("Cp-2/uF-2", F32),
        174 => ("<Ewe>/V", F32),
        178 | 434 => ("(Q-Qo)/C", F32),
        179 | 435 => ("dQ/C", F32),
        211 | 467 => ("Q charge/discharge/mA.h", F64),
        212 | 468 => ("half cycle", U32),
        213 | 469 => ("z cycle", U32),
        438 | 500 => ("step time/s", F64),
        441 => ("<Ecv>/V", F32),
        462 => ("Temperature/degC", F32),
        471 => ("<Ece>/V", F32),
        498 => ("Q charge/mA.h", F64),
        499 => ("Q discharge/mA.h", F64),
        501 => ("Efficiency/%", F64),
        502 => ("Capacity/mA.h", F64),
        505 => ("Rdc/Ohm", F32),
        509 => ("Acir/Dcir Control", U8),
        _ => return None,
    })
}

/// The schema column of a value column, with a preference rank.
fn target(name: &str) -> Option<(Col, f64, u8)> {
    Some(match name {
        "time/s" => (Col::Time, 1.0, 0),
        "Ewe/V" => (Col::Potential, 1.0, 0),
        "<Ewe>/V" => (Col::Potential, 1.0, 1),
        "I/mA" => (Col::Current, 1e-3, 0),
        "<I>/mA" => (Col::Current, 1e-3, 1),
        "(Q-Qo)/mA.h" => (Col::Charge, 1e-3, 0),
        "(Q-Qo)/C" => (Col::Charge, 1.0 / 3600.0, 1),
        "cycle number" => (Col::Cycle, 1.0, 0),
        "Ns" => (Col::Step, 1.0, 0),
        "freq/Hz" => (Col::Frequency, 1.0, 0),
        "Re(Z)/Ohm" => (Col::ZReal, 1.0, 0),
        // Stored as -Im(Z); the schema keeps Im(Z) with its measured sign.
        "-Im(Z)/Ohm" => (Col::ZImag, -1.0, 0),
        "Temperature/degC" => (Col::Temperature, 1.0, 0),
        _ => return None,
    })
}

struct Module<'a> {
    short: &'a [u8],
    version: u32,
    date: &'a [u8],
    /// Offset of the data in the file.
    at: usize,
    data: &'a [u8],
}

fn u32_at(b: &[u8], at: usize, path: &str, what: &str) -> Result<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes(s.try_into().expect("4 bytes")))
        .ok_or_else(|| ParseError::offset(path, at as u64, format!("file ends inside {what}")))
}

fn modules<'a>(b: &'a [u8], path: &str) -> Result<Vec<Module<'a>>> {
    let mut out = Vec::new();
    let mut at = FILE_HEADER;
    while at < b.len() {
        if b.get(at..at + 6) != Some(b"MODULE") {
            return Err(ParseError::offset(
                path,
                at as u64,
                "expected `MODULE` (start of the next module)",
            ));
        }
        let h = at + 6;
        if b.len() < h + 51 {
            return Err(ParseError::offset(
                path,
                h as u64,
                "file ends inside a module header",
            ));
        }
        // From EC-Lab 11.50 the header has a 0xFFFFFFFF field after the names.
        let (len_at, ver_at, date_at, hdr_len) = if b[h + 35..h + 39] == [0xff; 4] {
            (h + 39, h + 43, h + 51, 59)
        } else {
            (h + 35, h + 39, h + 43, 51)
        };
        if b.len() < h + hdr_len {
            return Err(ParseError::offset(
                path,
                h as u64,
                "file ends inside a module header",
            ));
        }
        let len = u32_at(b, len_at, path, "a module length")? as usize;
        let version = u32_at(b, ver_at, path, "a module version")?;
        let start = h + hdr_len;
        let Some(data) = start.checked_add(len).and_then(|end| b.get(start..end)) else {
            return Err(ParseError::offset(
                path,
                start as u64,
                format!(
                    "module `{}` declares {len} bytes but the file has {} left (truncated?)",
                    String::from_utf8_lossy(&b[h..h + 10]).trim(),
                    b.len() - start
                ),
            ));
        };
        out.push(Module {
            short: &b[h..h + 10],
            version,
            date: &b[date_at..date_at + 8],
            at: start,
            data,
        });
        at = start + len;
    }
    Ok(out)
}

/// Parse an `.mpr` file; `path` names it in errors and metadata.
pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    if !sniff(bytes) {
        return Err(ParseError::offset(
            path,
            0,
            "expected `BIO-LOGIC MODULAR FILE` (BioLogic .mpr)",
        ));
    }
    if bytes.len() < FILE_HEADER {
        return Err(ParseError::offset(
            path,
            bytes.len() as u64,
            "file ends inside the 52-byte file header",
        ));
    }
    let mods = modules(bytes, path)?;
    let Some(dm) = mods.iter().find(|m| m.short == b"VMP data  ") else {
        return Err(ParseError::offset(
            path,
            bytes.len() as u64,
            "no `VMP data` module",
        ));
    };
    let d = dm.data;
    let off = |k: usize| (dm.at + k) as u64;
    if d.len() < 6 {
        return Err(ParseError::offset(
            path,
            off(0),
            "data module shorter than its 6-byte header",
        ));
    }
    let npts = u32::from_le_bytes(d[0..4].try_into().expect("4 bytes")) as usize;
    let ncols = d[4] as usize;
    let (ids, records_at): (Vec<u16>, usize) = match dm.version {
        0 if d[5] != 0 => (
            d.get(5..5 + ncols)
                .unwrap_or(&[])
                .iter()
                .map(|&x| x as u16)
                .collect(),
            100,
        ),
        0 => (
            d.get(5..5 + 2 * ncols)
                .unwrap_or(&[])
                .chunks(2)
                .map(|c| c.get(1).copied().unwrap_or(0) as u16)
                .collect(),
            1007,
        ),
        2 | 3 => (
            d.get(5..5 + 2 * ncols)
                .unwrap_or(&[])
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
            if dm.version == 3 { 406 } else { 405 },
        ),
        v => {
            return Err(ParseError::offset(
                path,
                off(0),
                format!("data module version {v}; expected 0, 2 or 3"),
            ))
        }
    };
    if ids.len() != ncols || records_at > d.len() {
        return Err(ParseError::offset(
            path,
            off(5),
            format!("data module too short for {ncols} column IDs and its header"),
        ));
    }
    // Record layout: one flags byte where the first flag ID appears, then each value column.
    let mut layout: Vec<(usize, Option<Ty>, String, u8)> = Vec::new(); // (offset, type, name, mask)
    let mut size = 0usize;
    let mut flags_at = None;
    for (k, &id) in ids.iter().enumerate() {
        if let Some((name, mask)) = flag(id) {
            let at = *flags_at.get_or_insert_with(|| {
                size += 1;
                size - 1
            });
            layout.push((at, None, name.to_string(), mask));
        } else if let Some((name, ty)) = column(id) {
            layout.push((size, Some(ty), name.to_string(), 0));
            size += ty.size();
        } else {
            let width = if dm.version == 0 && d[5] != 0 { 1 } else { 2 };
            return Err(ParseError::offset(
                path,
                off(5 + width * k),
                format!("unknown column ID {id} (column {} of {ncols})", k + 1),
            ));
        }
    }
    let body = &d[records_at..];
    if size == 0 || body.len() < npts.saturating_mul(size) {
        return Err(ParseError::offset(
            path,
            off(records_at),
            format!("data module declares {npts} points of {size} bytes but holds {} bytes (truncated?)", body.len()),
        ));
    }
    let mut meta = Metadata {
        instrument: "BioLogic EC-Lab".into(),
        source_file: path.to_string(),
        ..Default::default()
    };
    if let Some(set) = mods.iter().find(|m| m.short == b"VMP Set   ") {
        meta.start_time =
            Some(String::from_utf8_lossy(set.date).trim().to_string()).filter(|s| !s.is_empty());
    }
    meta.notes
        .push(("mpr_data_module_version".into(), dm.version.to_string()));
    let ranked: Vec<Option<(Col, f64, u8)>> = layout
        .iter()
        .map(|l| l.1.and_then(|_| target(&l.2)))
        .collect();
    for (l, m) in layout.iter().zip(dedupe(ranked)) {
        let (name, unit) = match l.2.rsplit_once('/') {
            Some((n, u)) if l.1.is_some() => (n.to_string(), u.to_string()),
            _ => (l.2.clone(), String::new()),
        };
        meta.original_columns.push(SourceColumn {
            name,
            unit,
            maps_to: m,
        });
    }
    let mut t = TableBuilder::new(path, meta, 0)
        .map_err(|e| ParseError::offset(path, off(5), e.message))?;
    let mut cells = vec![None; layout.len()];
    for r in 0..npts {
        let rec = &body[r * size..(r + 1) * size];
        for (k, (at, ty, _, mask)) in layout.iter().enumerate() {
            cells[k] = Some(match ty {
                Some(ty) => ty.read(&rec[*at..]),
                None => ((rec[*at] & mask) >> mask.trailing_zeros()) as f64,
            });
        }
        t.push(r + 1, &cells)?;
    }
    t.finish(0)
        .map_err(|_| ParseError::offset(path, off(0), "data module holds no points"))
}
