//! Report model and writers: every case fills a [`Section`] (tables, CSV data, plot specs and
//! PASS/FAIL checks); rank 0 writes `report.md`, `results.json`, the CSVs, and runs `plot.py`.

use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// The plotting script, shipped in the crate and written next to the data it plots.
const PLOT_PY: &str = include_str!("../plot.py");

/// One PASS/FAIL assertion.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub case: String,
    pub name: String,
    pub measured: String,
    pub criterion: String,
    pub pass: bool,
}

/// A Markdown table.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(caption: impl Into<String>, headers: &[&str]) -> Self {
        Self {
            caption: caption.into(),
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// Numeric data written as `data/<name>.csv` for the plots.
#[derive(Clone, Debug, Serialize)]
pub struct Csv {
    pub name: String,
    pub headers: Vec<String>,
    #[serde(skip)]
    pub rows: Vec<Vec<f64>>,
}

impl Csv {
    pub fn new(name: impl Into<String>, headers: &[&str]) -> Self {
        Self {
            name: name.into(),
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }
    pub fn row(&mut self, r: Vec<f64>) {
        self.rows.push(r);
    }
}

/// One curve of a plot: columns `x` and `y` of `data/<csv>.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct Series {
    pub label: String,
    pub csv: String,
    pub x: String,
    pub y: String,
    /// "line", "marker" or "both".
    pub style: String,
    /// Draw a dashed reference line of this log-log slope through the curve's last point.
    pub ref_slope: Option<f64>,
}

impl Series {
    pub fn new(label: impl Into<String>, csv: &str, x: &str, y: &str, style: &str) -> Self {
        Self {
            label: label.into(),
            csv: csv.into(),
            x: x.into(),
            y: y.into(),
            style: style.into(),
            ref_slope: None,
        }
    }
    pub fn slope(mut self, p: f64) -> Self {
        self.ref_slope = Some(p);
        self
    }
}

/// A PNG to draw.
#[derive(Clone, Debug, Serialize)]
pub struct Plot {
    pub file: String,
    pub title: String,
    pub xlabel: String,
    pub ylabel: String,
    pub logx: bool,
    pub logy: bool,
    pub series: Vec<Series>,
}

impl Plot {
    pub fn new(
        file: &str,
        title: &str,
        xlabel: &str,
        ylabel: &str,
        logx: bool,
        logy: bool,
    ) -> Self {
        Self {
            file: file.into(),
            title: title.into(),
            xlabel: xlabel.into(),
            ylabel: ylabel.into(),
            logx,
            logy,
            series: Vec::new(),
        }
    }
    pub fn add(&mut self, s: Series) {
        self.series.push(s);
    }
}

/// Everything one case reports.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Section {
    pub id: String,
    /// Short name for the summary table.
    pub short: String,
    pub title: String,
    /// Markdown: setup, analytic reference and criteria.
    pub intro: String,
    pub tables: Vec<Table>,
    pub plots: Vec<Plot>,
    pub csvs: Vec<Csv>,
    pub checks: Vec<Check>,
    pub notes: Vec<String>,
    pub seconds: f64,
}

impl Section {
    pub fn new(id: &str, short: &str, title: &str) -> Self {
        Self {
            id: id.into(),
            short: short.into(),
            title: title.into(),
            ..Default::default()
        }
    }
    /// Record a check; `pass` decides PASS/FAIL.
    pub fn check(
        &mut self,
        name: impl Into<String>,
        measured: String,
        criterion: String,
        pass: bool,
    ) {
        self.checks.push(Check {
            case: self.short.clone(),
            name: name.into(),
            measured,
            criterion,
            pass,
        });
    }
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }
}

/// Scientific notation with 3 significant digits.
pub fn e3(x: f64) -> String {
    format!("{x:.3e}")
}

/// An observed order or a dash.
pub fn ord(p: Option<f64>) -> String {
    p.map_or("–".into(), |p| format!("{p:.2}"))
}

pub fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "**FAIL**"
    }
}

/// Run metadata shown in the header and in results.json.
#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    pub mode: String,
    pub ranks: Vec<usize>,
    pub command: String,
    pub seconds: f64,
    pub git: String,
}

/// A table cell: `|` would end the cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn md_table(t: &Table, out: &mut String) {
    if !t.caption.is_empty() {
        let _ = writeln!(out, "*{}*\n", t.caption);
    }
    let _ = writeln!(out, "| {} |", t.headers.join(" | "));
    let _ = writeln!(
        out,
        "|{}|",
        t.headers
            .iter()
            .map(|_| "---")
            .collect::<Vec<_>>()
            .join("|")
    );
    for r in &t.rows {
        let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// Write the CSVs, run the plotting script, and write `report.md` and `results.json`.
/// Returns the paths of the PNGs that could not be made (with the reason).
pub fn write_all(dir: &Path, meta: &Meta, sections: &[Section]) -> Result<Vec<String>, String> {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    for s in sections {
        for c in &s.csvs {
            write_csv(&data.join(format!("{}.csv", c.name)), c)?;
        }
    }
    let plots: Vec<&Plot> = sections.iter().flat_map(|s| &s.plots).collect();
    let spec = serde_json::to_string_pretty(&plots).map_err(|e| e.to_string())?;
    let spec_path = data.join("plots.json");
    write(&spec_path, &spec)?;
    let script = data.join("plot.py");
    write(&script, PLOT_PY)?;
    let missing_reason = run_plots(&script, &spec_path, dir);
    let mut missing = Vec::new();
    for p in &plots {
        if !dir.join(&p.file).exists() {
            missing.push(p.file.clone());
        }
    }
    write(
        &dir.join("report.md"),
        &markdown(meta, sections, &missing, missing_reason.as_deref()),
    )?;
    let checks: Vec<&Check> = sections.iter().flat_map(|s| &s.checks).collect();
    let json = serde_json::json!({
        "meta": meta,
        "passed": checks.iter().all(|c| c.pass),
        "checks": checks,
        "sections": sections,
        "plots_missing": missing,
        "plots_missing_reason": missing_reason,
    });
    write(
        &dir.join("results.json"),
        &serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?,
    )?;
    Ok(missing)
}

fn write(p: &Path, s: &str) -> Result<(), String> {
    std::fs::write(p, s).map_err(|e| format!("cannot write {}: {e}", p.display()))
}

fn write_csv(p: &Path, c: &Csv) -> Result<(), String> {
    let mut s = c.headers.join(",");
    s.push('\n');
    for r in &c.rows {
        let cells: Vec<String> = r.iter().map(|v| format!("{v:.17e}")).collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    write(p, &s)
}

/// Run `python3 plot.py plots.json DIR`; returns why plots are missing, if they are.
fn run_plots(script: &Path, spec: &Path, dir: &Path) -> Option<String> {
    let probe = Command::new("python3")
        .args(["-c", "import matplotlib, numpy"])
        .output();
    match probe {
        Err(e) => {
            let m = format!("python3 not found ({e}); plots not drawn");
            eprintln!("warning: {m}. Install python3 with numpy and matplotlib to get the PNGs.");
            return Some(m);
        }
        Ok(o) if !o.status.success() => {
            let m = "python3 lacks numpy/matplotlib; plots not drawn".to_string();
            eprintln!(
                "warning: {m}. `pip install numpy matplotlib`, then re-run, or run \
                 `python3 {} {} {}`.",
                script.display(),
                spec.display(),
                dir.display()
            );
            return Some(m);
        }
        Ok(_) => {}
    }
    match Command::new("python3")
        .arg(script)
        .arg(spec)
        .arg(dir)
        .output()
    {
        Ok(o) if o.status.success() => None,
        Ok(o) => {
            let m = format!(
                "plot.py failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            eprintln!("warning: {m}");
            Some(m)
        }
        Err(e) => Some(format!("cannot run python3: {e}")),
    }
}

fn markdown(meta: &Meta, sections: &[Section], missing: &[String], why: Option<&str>) -> String {
    let mut o = String::new();
    let all: Vec<&Check> = sections.iter().flat_map(|s| &s.checks).collect();
    let npass = all.iter().filter(|c| c.pass).count();
    let _ = writeln!(o, "# Galvana validation report\n");
    let _ = writeln!(
        o,
        "**Overall: {}** — {npass}/{} checks passed. Mode: `{}`, ranks: {:?}, wall time {:.1} s, \
         source `{}`.\n",
        if npass == all.len() { "PASS" } else { "FAIL" },
        all.len(),
        meta.mode,
        meta.ranks,
        meta.seconds,
        meta.git
    );
    let _ = writeln!(o, "Command: `{}`\n", meta.command);
    let _ = writeln!(
        o,
        "Solvers (all cases): Newton rtol 1e-11, atol = 10·ε‖|J||u|‖ (ten times the residual's \
         roundoff floor); GMRES(200) rtol 1e-13 with block-Jacobi ILU(0). Full mode: \
         `cargo run --release -p galvana-validation -- --ranks 1,2,4 --out validation/report`; \
         quick (CI): `cargo run --release -p galvana-validation -- --quick`.\n"
    );
    if let Some(w) = why {
        let _ = writeln!(o, "> **Plots missing:** {w}. Data CSVs are in `data/`.\n");
    }
    let _ = writeln!(o, "## Summary\n");
    let _ = writeln!(o, "| Case | Check | Measured | Criterion | Result |");
    let _ = writeln!(o, "|---|---|---|---|---|");
    for c in &all {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            cell(&c.case),
            cell(&c.name),
            cell(&c.measured),
            cell(&c.criterion),
            verdict(c.pass)
        );
    }
    o.push('\n');
    let _ = writeln!(o, "Contents:\n");
    for (i, s) in sections.iter().enumerate() {
        let _ = writeln!(
            o,
            "{}. [{}](#{}) — {} ({:.1} s)",
            i + 1,
            s.title,
            s.id,
            verdict(s.passed()),
            s.seconds
        );
    }
    o.push('\n');
    for s in sections {
        let _ = writeln!(o, "<a id=\"{}\"></a>\n## {}\n", s.id, s.title);
        let _ = writeln!(o, "{}\n", s.intro.trim());
        for t in &s.tables {
            md_table(t, &mut o);
        }
        for p in &s.plots {
            if missing.contains(&p.file) {
                let _ = writeln!(
                    o,
                    "*Plot `{}` missing* ({}).\n",
                    p.file,
                    why.unwrap_or("not drawn")
                );
            } else {
                let _ = writeln!(o, "![{}]({})\n", p.title, p.file);
            }
        }
        for n in &s.notes {
            let _ = writeln!(o, "> {n}\n");
        }
        let _ = writeln!(o, "**Checks:**\n");
        for c in &s.checks {
            let _ = writeln!(
                o,
                "- {} — {}: measured {}; criterion {}.",
                verdict(c.pass),
                c.name,
                c.measured,
                c.criterion
            );
        }
        o.push('\n');
    }
    o
}
