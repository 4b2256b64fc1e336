//! Helpers for tests that launch programs under mpirun.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

/// target/<profile>/ of the running test binary.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

pub fn example(name: &str) -> PathBuf {
    target_dir().join("examples").join(name)
}

pub fn galvana() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_galvana"))
}

/// mpirun with the flags needed as root in containers and with more ranks than cores.
pub fn mpirun(np: usize) -> Command {
    let mut c = Command::new("mpirun");
    c.args([
        "--allow-run-as-root",
        "--oversubscribe",
        "--bind-to",
        "none",
        "-np",
        &np.to_string(),
    ]);
    c.env("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    c.env("OMPI_MCA_rmaps_base_oversubscribe", "1");
    c
}

pub fn check(out: &Output, what: &str) -> String {
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({:?})\nstdout:\n{s}\nstderr:\n{e}",
        out.status
    );
    s
}

/// A fresh, empty directory under the target dir for one test.
pub fn tempdir(name: &str) -> PathBuf {
    let d = target_dir()
        .join("test-tmp")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

// ---------------------------------------------------------------------------------------------
// Helpers for tests that run the `galvana` binary on decks and read its output directory.
// ---------------------------------------------------------------------------------------------

/// The example decks shipped with the repository (`input-decks/examples`).
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../input-decks/examples")
}

/// Names (file stems) of every `*.toml` deck in `input-decks/examples`, sorted.
pub fn example_decks() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(examples_dir())
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension().is_some_and(|x| x == "toml"))
                .then(|| p.file_stem().unwrap().to_str().unwrap().to_string())
        })
        .collect();
    v.sort();
    v
}

/// Copy the example decks and their `meshes/` folder into `dir` (decks refer to meshes by
/// relative path) and return `dir`.
pub fn copy_examples(dir: &Path) -> PathBuf {
    copy_tree(&examples_dir(), dir);
    dir.to_path_buf()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Write `text` as `dir/name` and return the path.
pub fn write_deck(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Replace the whole line that starts with `key` (the first such line after the line equal to
/// `section`, e.g. `[time]`) by `new_line`. Panics when it is not there, so a changed example
/// cannot silently turn a test into a no-op.
pub fn set_key(text: &str, section: &str, key: &str, new_line: &str) -> String {
    let mut in_section = false;
    let mut done = false;
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_section = t == section;
        }
        let is_key = t
            .strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with('='));
        if in_section && !done && is_key {
            out.push_str(new_line);
            done = true;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    assert!(done, "no `{key}` in {section} of\n{text}");
    out
}

/// Runs in one test binary that launch MPI jobs hold this lock so they do not fight over the
/// (few) cores; poisoning by a failed test is ignored.
pub fn mpi_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// `galvana ARGS` in `cwd`.
pub fn galvana_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(galvana())
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("galvana starts")
}

/// `galvana run DECK --output OUT -q EXTRA...`: serially for `np` = 1, under mpirun otherwise.
pub fn run_deck(np: usize, deck: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut c = if np == 1 {
        Command::new(galvana())
    } else {
        let mut c = mpirun(np);
        c.arg(galvana());
        c
    };
    c.arg("run")
        .arg(deck)
        .arg("--output")
        .arg(out)
        .args(extra)
        .current_dir(deck.parent().unwrap());
    c.output().expect("galvana/mpirun starts")
}

/// Exit code, stdout and stderr of a finished process, for messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Assert the exit code, showing everything the process printed when it differs.
pub fn assert_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: expected exit {code}\n{}",
        describe(out)
    );
}

/// `monitors.csv`: header names and rows of numbers.
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

impl Csv {
    pub fn read(path: &Path) -> Csv {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap_or_else(|| panic!("{} is empty", path.display()))
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        let rows: Vec<Vec<f64>> = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let r: Vec<f64> = l
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<f64>()
                            .unwrap_or_else(|e| panic!("{}: bad number {s:?}: {e}", path.display()))
                    })
                    .collect();
                assert_eq!(r.len(), header.len(), "{}: ragged row {l}", path.display());
                r
            })
            .collect();
        Csv { header, rows }
    }

    /// Index of column `name` (panics with the header when absent).
    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.header))
    }

    pub fn column(&self, name: &str) -> Vec<f64> {
        let i = self.col(name);
        self.rows.iter().map(|r| r[i]).collect()
    }
}

/// The unit suffix of a monitor column name (`outflow_left_W` → `W`).
pub fn unit_of(name: &str) -> &str {
    name.rsplit('_').next().unwrap_or("")
}

/// Assert two `monitors.csv` files agree: same header, same number of rows, and every value
/// within `rtol` times the largest magnitude among the columns of the same unit (a balance
/// error in J is judged against the energies in J, an outflow near zero against the other
/// outflows in W).
pub fn assert_monitors_agree(a: &Csv, b: &Csv, rtol: f64, what: &str) {
    assert_eq!(a.header, b.header, "{what}: headers differ");
    assert_eq!(a.rows.len(), b.rows.len(), "{what}: numbers of rows differ");
    let mut scale = std::collections::HashMap::<&str, f64>::new();
    for (j, h) in a.header.iter().enumerate() {
        let m = a
            .rows
            .iter()
            .chain(&b.rows)
            .fold(0.0f64, |m, r| m.max(r[j].abs()));
        let e = scale.entry(unit_of(h)).or_insert(0.0);
        *e = e.max(m);
    }
    for (i, (ra, rb)) in a.rows.iter().zip(&b.rows).enumerate() {
        for (j, h) in a.header.iter().enumerate() {
            let tol = rtol * scale[unit_of(h)].max(f64::MIN_POSITIVE);
            assert!(
                (ra[j] - rb[j]).abs() <= tol,
                "{what}: row {i} column `{h}`: {} vs {} (tolerance {tol:.3e})",
                ra[j],
                rb[j]
            );
        }
    }
}

/// Every line of `residuals.jsonl` as JSON (panics on a line that is not).
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| {
                panic!("{} line {}: not JSON ({e}): {l}", path.display(), i + 1)
            })
        })
        .collect()
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// One output time of a field in `fields.h5`.
pub struct FieldStep {
    pub name: String,
    pub time: f64,
    /// Values in stored (rank-count-dependent) order.
    pub stored: Vec<f64>,
    /// Values indexed by original DOF id (independent of the rank count).
    pub original: Vec<f64>,
}

/// Field `field` at every output step of `dir/fields.h5`, read with galvana-h5.
pub fn read_field_series(dir: &Path, field: &str) -> Vec<FieldStep> {
    let path = dir.join("fields.h5");
    let f = galvana_h5::File::open(&path, false)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let orig: Vec<i64> = f
        .open_dataset("/mesh/original_dof")
        .and_then(|d| d.read_all::<i64>())
        .unwrap_or_else(|e| panic!("{}: /mesh/original_dof: {e}", path.display()));
    let n = orig.len();
    let mut seen = vec![false; n];
    for &o in &orig {
        assert!(
            o >= 0 && (o as usize) < n && !seen[o as usize],
            "{}: /mesh/original_dof is not a permutation of 0..{n}",
            path.display()
        );
        seen[o as usize] = true;
    }
    let group = format!("/fields/{field}");
    assert!(
        f.exists(&group).unwrap(),
        "{}: no group {group}",
        path.display()
    );
    let names = f.group(&group).unwrap().members().unwrap();
    names
        .into_iter()
        .map(|name| {
            let ds = f
                .open_dataset(&format!("{group}/{name}"))
                .unwrap_or_else(|e| panic!("{}: {group}/{name}: {e}", path.display()));
            let stored = ds.read_all::<f64>().unwrap();
            assert_eq!(stored.len(), n, "{group}/{name}: wrong length");
            let time = ds.attr_f64("time").unwrap();
            let mut original = vec![f64::NAN; n];
            for (k, &o) in orig.iter().enumerate() {
                original[o as usize] = stored[k];
            }
            FieldStep {
                name,
                time,
                stored,
                original,
            }
        })
        .collect()
}

/// `/mesh/geometry` rows (x, y, z) by stored DOF.
pub fn read_geometry(dir: &Path) -> Vec<[f64; 3]> {
    let path = dir.join("fields.h5");
    let f = galvana_h5::File::open(&path, false).unwrap();
    let g = f
        .open_dataset("/mesh/geometry")
        .and_then(|d| d.read_all::<f64>())
        .unwrap();
    g.chunks(3).map(|c| [c[0], c[1], c[2]]).collect()
}

/// max |a − b| / max |a|.
pub fn rel_max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let d = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    d / scale.max(f64::MIN_POSITIVE)
}

/// 1-based (line, column) of the first occurrence of `needle` in `text` (column in characters).
pub fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the deck"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Deterministic pseudo-random bytes (xorshift), so the test is reproducible.
pub fn noise(n: usize, mut s: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}
