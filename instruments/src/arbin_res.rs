//! Arbin `.res`: a Microsoft Access (Jet 4) database. The measurement is the table
//! `Channel_Normal_Table` (`Test_Time`, `Step_Index`, `Cycle_Index`, `Current`, `Voltage`,
//! `Charge_Capacity`, `Discharge_Capacity`, ... in s, A, V, Ah), the start time
//! `Global_Table.Start_DateTime` (an OLE date). The database is read with `mdb-export`
//! from mdbtools (Debian package `mdbtools`); without it the import fails with a message
//! saying so. The bytes go through a temporary file because mdb-export reads a path.

use crate::arbin::{excel_date, net_charge, target};
use crate::dataset::{Col, Dataset, Metadata, SourceColumn, TableBuilder};
use crate::error::{ParseError, Result};
use crate::text::{dedupe, num};
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn sniff(bytes: &[u8]) -> bool {
    bytes.len() > 19 && (&bytes[4..19] == b"Standard Jet DB" || &bytes[4..19] == b"Standard ACE DB")
}

/// A temporary copy of the input, removed when dropped.
struct TempCopy(std::path::PathBuf);

impl Drop for TempCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Longest mdb-export may run, and the most it may print relative to the input: a damaged
/// database can make it loop or print without end, and that must not take the machine down.
const EXPORT_SECONDS: u64 = 30;
const EXPORT_GROWTH: usize = 20;

fn export(file: &std::path::Path, table: &str, path: &str, input_len: usize) -> Result<String> {
    // Through sh for `ulimit -v`: a damaged file can make mdb-export allocate without bound.
    let mem_kib = (input_len.saturating_mul(EXPORT_GROWTH) >> 10).max(1 << 20);
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v mdb-export >/dev/null || exit 127; ulimit -v {mem_kib}; exec mdb-export \"$0\" \"$1\""))
        .arg(file)
        .arg(table)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ParseError::file(path, "reading Arbin .res needs `mdb-export` from mdbtools (Debian/Ubuntu: apt-get install mdbtools), which is not on PATH")
            } else {
                ParseError::file(path, format!("cannot run mdb-export: {e}"))
            }
        })?;
    let limit = input_len.saturating_mul(EXPORT_GROWTH).max(1 << 20);
    let over = Arc::new(AtomicBool::new(false));
    let capped = |mut r: Box<dyn Read + Send>, limit: usize, over: Arc<AtomicBool>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let mut buf = [0u8; 65536];
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if out.len() + n > limit {
                    over.store(true, Ordering::Relaxed);
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            out
        })
    };
    let so = capped(
        Box::new(child.stdout.take().expect("piped")),
        limit,
        over.clone(),
    );
    let se = capped(
        Box::new(child.stderr.take().expect("piped")),
        1 << 16,
        Arc::new(AtomicBool::new(false)),
    );
    let deadline = Instant::now() + Duration::from_secs(EXPORT_SECONDS);
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if over.load(Ordering::Relaxed) || Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(ParseError::file(path, format!("mdb-export: {e}"))),
        }
    };
    let out = so.join().unwrap_or_default();
    let err = se.join().unwrap_or_default();
    match status {
        None if over.load(Ordering::Relaxed) => Err(ParseError::file(
            path,
            format!(
                "damaged database: mdb-export printed more than {limit} bytes of table {table}"
            ),
        )),
        None => Err(ParseError::file(
            path,
            format!("damaged database: mdb-export took over {EXPORT_SECONDS} s on table {table}"),
        )),
        Some(st) if st.code() == Some(127) => Err(ParseError::file(
            path,
            "reading Arbin .res needs `mdb-export` from mdbtools (Debian/Ubuntu: apt-get install mdbtools), which is not on PATH",
        )),
        Some(st) if !st.success() => {
            let err = String::from_utf8_lossy(&err);
            Err(ParseError::file(
                path,
                format!(
                    "not a readable Access database (mdb-export, table {table}): {}",
                    err.lines().next().unwrap_or("failed").trim()
                ),
            ))
        }
        Some(_) => Ok(String::from_utf8_lossy(&out).into_owned()),
    }
}

/// Parse an Arbin `.res`; `path` names it in errors ("line" = line of mdb-export's CSV).
pub fn parse(bytes: &[u8], path: &str) -> Result<Dataset> {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    if !sniff(bytes) {
        return Err(ParseError::offset(
            path,
            4,
            "expected `Standard Jet DB` (an Access database, Arbin .res)",
        ));
    }
    let tmp = TempCopy(std::env::temp_dir().join(format!(
        "galvana-res-{}-{}.res",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )));
    std::fs::write(&tmp.0, bytes)
        .map_err(|e| ParseError::file(path, format!("cannot stage for mdb-export: {e}")))?;
    let csv = export(&tmp.0, "Channel_Normal_Table", path, bytes.len())?;
    let mut meta = Metadata {
        instrument: "Arbin (.res database)".into(),
        technique: "cycling".into(),
        source_file: path.to_string(),
        ..Default::default()
    };
    if let Ok(g) = export(&tmp.0, "Global_Table", path, bytes.len()) {
        let mut ls = g.lines();
        let h: Vec<&str> = ls.next().unwrap_or("").split(',').collect();
        if let (Some(i), Some(row)) = (h.iter().position(|x| *x == "Start_DateTime"), ls.next()) {
            // Test names are quoted and may hold commas: take the field from a CSV split.
            meta.start_time = split_csv(row)
                .get(i)
                .and_then(|v| num(v))
                .and_then(excel_date);
        }
    }
    let mut lines = csv.lines().enumerate().map(|(i, l)| (i + 1, l));
    let Some((_, header)) = lines.next().filter(|(_, h)| h.contains("Test_Time")) else {
        return Err(ParseError::file(
            path,
            "Channel_Normal_Table has no Test_Time column",
        ));
    };
    let names: Vec<&str> = header.split(',').map(|s| s.trim_matches('"')).collect();
    let ic = names.iter().position(|n| *n == "Charge_Capacity");
    let id = names.iter().position(|n| *n == "Discharge_Capacity");
    let ranked = names.iter().map(|n| target(n)).collect();
    for (n, m) in names.iter().zip(dedupe(ranked)) {
        meta.original_columns.push(SourceColumn {
            name: n.to_string(),
            unit: unit(n).into(),
            maps_to: m,
        });
    }
    let mut b = TableBuilder::new(path, meta, 1)?;
    // Jet stores rows in page order, not in measurement order (the navani sample has a block
    // of earlier points after later ones), so rows are put back in (Test_ID, Data_Point)
    // order; files without those columns keep the stored order.
    let it = names.iter().position(|n| *n == "Test_ID");
    let ip = names.iter().position(|n| *n == "Data_Point");
    let mut rows: Vec<(usize, Vec<Option<f64>>)> = lines
        .map(|(n, l)| (n, split_csv(l).iter().map(|c| num(c)).collect()))
        .collect();
    if let Some(ip) = ip {
        let key = |c: &[Option<f64>], i: Option<usize>| {
            i.and_then(|i| c.get(i).copied().flatten())
                .unwrap_or(f64::INFINITY)
        };
        rows.sort_by(|a, b| {
            key(&a.1, it)
                .total_cmp(&key(&b.1, it))
                .then(key(&a.1, Some(ip)).total_cmp(&key(&b.1, Some(ip))))
        });
    }
    let (mut qc, mut qd) = (Vec::new(), Vec::new());
    for (n, cells) in rows {
        b.push(n, &cells)?;
        if let (Some(c), Some(d)) = (ic, id) {
            qc.push(cells[c].unwrap_or(f64::NAN));
            qd.push(cells[d].unwrap_or(f64::NAN));
        }
    }
    if ic.is_some() && id.is_some() {
        b.add_column(Col::Charge, net_charge(&qc, &qd));
    }
    b.finish(0)
        .map_err(|_| ParseError::file(path, "Channel_Normal_Table has no rows"))
}

/// Units of Arbin's database columns (the database stores them without units).
fn unit(name: &str) -> &'static str {
    match name {
        "Test_Time" | "Step_Time" => "s",
        "Current" => "A",
        "Voltage" => "V",
        "Charge_Capacity" | "Discharge_Capacity" => "Ah",
        "Charge_Energy" | "Discharge_Energy" => "Wh",
        "DateTime" => "OLE date",
        _ => "",
    }
}

/// Split one line of mdb-export's CSV (fields may be double-quoted).
fn split_csv(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut q) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => q = !q,
            ',' if !q => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}
