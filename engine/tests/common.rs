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

// =============================================================================================
// Checkpoint-restart helpers (used by engine/tests/checkpoint_*.rs). Everything in this block
// is named `ck_*`/`Ck*` so it cannot collide with helpers added elsewhere in this file.
// =============================================================================================

/// A small deterministic random generator (splitmix64), so randomized trials are reproducible
/// from their printed seed.
pub struct CkRng(pub u64);

impl CkRng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Append (or replace) the `[checkpoint]` section of a deck text.
pub fn ck_with_checkpoint(text: &str, interval_steps: u64, keep: u64) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            skipping = t == "[checkpoint]";
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "\n[checkpoint]\ninterval_steps = {interval_steps}\nkeep = {keep}\n"
    ));
    out
}

/// The thermal-link cooldown example (nonlinear NIST materials, adaptive BDF2) cut to `end`
/// seconds, with a checkpoint every `interval_steps` steps.
pub fn ck_cooldown_deck(end: f64, interval_steps: u64, keep: u64) -> String {
    let text = std::fs::read_to_string(examples_dir().join("thermal_link_cooldown.toml")).unwrap();
    let text = set_key(&text, "[time]", "end", &format!("end = {end:?}"));
    ck_with_checkpoint(&text, interval_steps, keep)
}

/// A linear 3D box (constant conductivity) with a fixed time step: `n` cells per direction,
/// fields written every step, a checkpoint every `interval_steps` steps.
pub fn ck_box_deck(n: [usize; 3], end: f64, dt: f64, interval_steps: u64, keep: u64) -> String {
    let deck = format!(
        r#"# Checkpoint test deck: linear transient conduction in a box, fixed dt.
[mesh]
type = "box"
nx = {}
ny = {}
nz = {}
x = [0.0, 0.4]
y = [0.0, 0.2]
z = [0.0, 0.2]

[materials.steel]
type = "constant"
k = 15.0
rho = 8000.0
cp = 500.0
regions = ["domain"]

[physics]
type = "heat_conduction"
order = 1
lumped_mass = true

[bcs.hot]
type = "temperature"
boundary = ["left"]
value = 400.0

[bcs.cold]
type = "temperature"
boundary = ["right"]
value = 300.0

[initial]
value = 300.0

[solver.nonlinear]
rtol = 1e-8
atol = 1e-9

[solver.linear]
type = "cg"
pc = "jacobi"
rtol = 1e-12

[time]
type = "transient"
scheme = "bdf2"
start = 0.0
end = {end:?}
dt = {dt:?}
adaptive = false

[output]
interval = 1
"#,
        n[0], n[1], n[2]
    );
    ck_with_checkpoint(&deck, interval_steps, keep)
}

/// A `galvana run` started in the background (serially or under mpirun), printing into `log`.
pub struct CkRun {
    pub child: std::process::Child,
    pub out_dir: PathBuf,
    pub log: PathBuf,
    pub np: usize,
}

/// `galvana` serially, or under mpirun with ranks that yield the CPU while they wait: the test
/// machines have few cores shared with other work, and busy-polling ranks then slow runs down
/// several times (the engine's behaviour is the same either way).
fn ck_command(np: usize) -> Command {
    if np == 1 {
        Command::new(galvana())
    } else {
        let mut c = mpirun(np);
        c.env("OMPI_MCA_mpi_yield_when_idle", "1");
        c.arg(galvana());
        c
    }
}

/// Like `run_deck`: `galvana run DECK --output OUT EXTRA...` and wait (ranks yield when idle).
pub fn ck_run(np: usize, deck: &Path, out: &Path, extra: &[&str]) -> Output {
    ck_command(np)
        .arg("run")
        .arg(deck)
        .arg("--output")
        .arg(out)
        .args(extra)
        .current_dir(deck.parent().unwrap())
        .output()
        .expect("galvana/mpirun starts")
}

/// Start `galvana run DECK --output OUT -q EXTRA...` without waiting for it.
pub fn ck_spawn(np: usize, deck: &Path, out: &Path, extra: &[&str], log: &Path) -> CkRun {
    let f = std::fs::File::create(log).unwrap();
    let f2 = f.try_clone().unwrap();
    let mut c = ck_command(np);
    c.arg("run")
        .arg(deck)
        .arg("--output")
        .arg(out)
        .arg("-q")
        .args(extra)
        .current_dir(deck.parent().unwrap())
        .stdin(std::process::Stdio::null())
        .stdout(f)
        .stderr(f2);
    CkRun {
        child: c.spawn().expect("galvana/mpirun starts"),
        out_dir: out.to_path_buf(),
        log: log.to_path_buf(),
        np,
    }
}

impl CkRun {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait for the run to end (killing it and panicking after `timeout_s`); its exit code
    /// (None when killed by a signal) and everything it printed.
    pub fn wait(&mut self, timeout_s: f64) -> (Option<i32>, String) {
        let t0 = std::time::Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                return (st.code(), log);
            }
            if t0.elapsed().as_secs_f64() > timeout_s {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!(
                    "{} did not finish within {timeout_s} s (killed); output:\n{log}",
                    self.out_dir.display()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Whether it has ended (without reaping information loss: the status is kept by Child).
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Poll `residuals.jsonl` until it holds `count` events of `kind`. False when the run
    /// ended first; panics after `timeout_s`.
    pub fn wait_for_event(&mut self, kind: &str, count: usize, timeout_s: f64) -> bool {
        let needle = format!("\"kind\":\"{kind}\"");
        let path = self.out_dir.join("residuals.jsonl");
        let t0 = std::time::Instant::now();
        loop {
            let n = std::fs::read_to_string(&path)
                .map(|t| t.lines().filter(|l| l.contains(&needle)).count())
                .unwrap_or(0);
            if n >= count {
                return true;
            }
            if self.has_exited() {
                return false;
            }
            assert!(
                t0.elapsed().as_secs_f64() < timeout_s,
                "no {count} `{kind}` event(s) in {} after {timeout_s} s",
                path.display()
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Send `sig` (a `kill -s` name: TERM, USR1, INT, KILL) to the process we started (mpirun
    /// for parallel runs).
    pub fn signal(&self, sig: &str) {
        ck_signal(&[self.pid()], sig);
    }

    /// The rank processes: the process itself serially, mpirun's children otherwise.
    pub fn rank_pids(&self) -> Vec<u32> {
        if self.np == 1 {
            return vec![self.pid()];
        }
        let out = Command::new("pgrep")
            .arg("-P")
            .arg(self.pid().to_string())
            .output()
            .expect("pgrep runs");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect()
    }
}

/// `kill -s SIG PID...` (one call, so several processes get it at practically the same time).
pub fn ck_signal(pids: &[u32], sig: &str) {
    if pids.is_empty() {
        return;
    }
    let mut c = Command::new("kill");
    c.arg("-s").arg(sig);
    for p in pids {
        c.arg(p.to_string());
    }
    // The process may have ended in between; that is not an error here.
    let _ = c.output().expect("kill runs");
}

/// `h5diff A B [OBJ_A OBJ_B]` with no tolerance: exit 0 means equal bit for bit.
pub fn ck_h5diff(a: &Path, b: &Path, object: Option<&str>) -> Output {
    let mut c = Command::new("h5diff");
    c.arg(a).arg(b);
    if let Some(o) = object {
        c.arg(o).arg(o);
    }
    c.output().expect("h5diff runs")
}

/// Assert `h5diff` finds the files (or one object in both) identical.
pub fn ck_assert_h5_identical(a: &Path, b: &Path, object: Option<&str>) {
    let out = ck_h5diff(a, b, object);
    assert_eq!(
        out.status.code(),
        Some(0),
        "h5diff {} {} {}: files differ\n{}",
        a.display(),
        b.display(),
        object.unwrap_or(""),
        describe(&out)
    );
}

/// The `<Time Value="..."/>` of every step of an XDMF temporal collection.
pub fn ck_xdmf_times(path: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.match_indices("<Time Value=\"")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            let end = rest.find('"').unwrap();
            rest[..end].parse::<f64>().unwrap()
        })
        .collect()
}

/// Output continuity of a (possibly restarted) run directory: `monitors.csv` times strictly
/// increase, the XDMF series has exactly those times, every XDMF step's datasets exist in
/// `fields.h5`, and `residuals.jsonl` has strictly increasing `seq`. Returns the events.
pub fn ck_assert_output_continuity(dir: &Path) -> Vec<serde_json::Value> {
    let csv = Csv::read(&dir.join("monitors.csv"));
    let t = csv.column("time_s");
    for w in t.windows(2) {
        assert!(
            w[1] > w[0],
            "{}: monitors.csv times not strictly increasing: {} then {}\n{t:?}",
            dir.display(),
            w[0],
            w[1]
        );
    }
    let xt = ck_xdmf_times(&dir.join("fields.xdmf"));
    assert_eq!(
        xt.len(),
        t.len(),
        "{}: fields.xdmf has {} steps, monitors.csv {} rows",
        dir.display(),
        xt.len(),
        t.len()
    );
    for (k, (a, b)) in xt.iter().zip(&t).enumerate() {
        assert!(
            (a - b).abs() <= 1e-11 * a.abs().max(1.0),
            "{}: output {k}: XDMF time {a} vs monitors.csv {b}",
            dir.display()
        );
    }
    let series = read_field_series(dir, "temperature");
    assert!(
        series.len() >= xt.len(),
        "{}: fields.h5 has {} temperature datasets for {} XDMF steps",
        dir.display(),
        series.len(),
        xt.len()
    );
    for (k, tx) in xt.iter().enumerate() {
        let s = &series[k];
        assert_eq!(s.name, format!("{k:06}"), "{}", dir.display());
        assert!(
            (s.time - tx).abs() <= 1e-12 * tx.abs().max(1.0),
            "{}: dataset {} has time {} but the XDMF step says {tx}",
            dir.display(),
            s.name,
            s.time
        );
    }
    let ev = read_jsonl(&dir.join("residuals.jsonl"));
    for w in ev.windows(2) {
        let (a, b) = (w[0]["seq"].as_u64().unwrap(), w[1]["seq"].as_u64().unwrap());
        assert!(
            b > a,
            "{}: residuals.jsonl seq not strictly increasing: {} then {}",
            dir.display(),
            w[0],
            w[1]
        );
    }
    ev
}

/// `python3 -c SCRIPT ARGS...` (h5py is used to damage checkpoints in controlled ways).
pub fn ck_python(script: &str, args: &[&str]) -> Output {
    Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs")
}

/// `ckpt-<step>.h5` files in `dir`, by step.
pub fn ck_checkpoints(dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut v: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| {
                let p = e.ok()?.path();
                let n = p.file_name()?.to_str()?.to_string();
                let s = n.strip_prefix("ckpt-")?.strip_suffix(".h5")?.parse().ok()?;
                Some((s, p))
            })
            .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The checkpoint file `dir/latest` names, if any.
pub fn ck_latest(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join("latest"))
        .ok()
        .map(|s| s.trim().to_string())
}

/// A copy of a directory tree (a run directory to damage without touching the original).
pub fn ck_copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    copy_tree(from, to);
}
