//! Case 7: electroanalytical chemistry on meshes. The example decks of the Nernst–Planck
//! physics run through the `galvana` binary, serially and on every requested rank count, against
//! Cottrell (potential step, ≤ 1 %), Randles–Sevcik (CV peak current ≤ 2 %, peak potential and
//! separation), Sand (galvanostatic transition time ≤ 2 %) and Gouy–Chapman–Stern (diffuse-layer
//! charge), with the species balance to solver tolerance.
//!
//! The runs are subprocesses (`mpirun -np N galvana run`), started before this process
//! initialises MPI, as for the parallel MMS runs.

use crate::report::{Csv, Plot, Section, Series, Table};
use std::path::{Path, PathBuf};
use std::process::Command;

const F: f64 = 96_485.332_12;
const R: f64 = 8.314_462_618;
const T: f64 = 298.15;
const PI: f64 = std::f64::consts::PI;

/// One decks' monitors: header and rows.
struct Monitors {
    header: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Monitors {
    fn read(p: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let mut lines = text.lines();
        let header = lines
            .next()
            .ok_or(format!("{} is empty", p.display()))?
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .map(|l| {
                l.split(',')
                    .map(|x| x.parse().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        Ok(Self { header, rows })
    }
    fn col(&self, name: &str) -> Result<Vec<f64>, String> {
        let i = self
            .header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))?;
        Ok(self.rows.iter().map(|r| r[i]).collect())
    }
}

fn galvana() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let p = exe.with_file_name("galvana");
    if p.exists() {
        Ok(p)
    } else {
        Err(format!(
            "{} not found: build it first with `cargo build --release -p galvana-engine`",
            p.display()
        ))
    }
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../input-decks/examples")
}

/// Run example `name` on `np` ranks; its monitors and the run's summary message.
fn run(name: &str, np: usize, mpirun: &str) -> Result<(Monitors, String, f64, f64), String> {
    let out = std::env::temp_dir().join(format!(
        "galvana-validate-ec-{}-{name}-np{np}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let deck = examples().join(format!("{name}.toml"));
    let mut cmd = if np == 1 {
        Command::new(galvana()?)
    } else {
        let mut c = Command::new(mpirun);
        c.args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--bind-to",
            "none",
            "-np",
        ])
        .arg(np.to_string())
        .arg(galvana()?)
        .env("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
        c
    };
    cmd.arg("run")
        .arg(&deck)
        .arg("--output")
        .arg(&out)
        .arg("-q");
    let t0 = std::time::Instant::now();
    let o = cmd
        .output()
        .map_err(|e| format!("cannot start the run of {name} on {np} rank(s): {e}"))?;
    let secs = t0.elapsed().as_secs_f64();
    if !o.status.success() {
        return Err(format!(
            "{name} on {np} rank(s) failed ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let m = Monitors::read(&out.join("monitors.csv"))?;
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let unknowns = summary["unknowns"].as_f64().unwrap_or(0.0);
    let _ = std::fs::remove_dir_all(&out);
    Ok((
        m,
        summary["message"].as_str().unwrap_or("").to_string(),
        secs,
        unknowns,
    ))
}

/// Largest |balance error| and the bound end·√n·atol the solver tolerance allows.
fn balance(m: &Monitors, atol: f64, unknowns: f64) -> Result<(f64, f64), String> {
    let err = m.col("amount_balance_error_mol")?;
    let t = m.col("time_s")?;
    Ok((
        err.iter().fold(0.0f64, |a, e| a.max(e.abs())),
        t.last().copied().unwrap_or(0.0) * unknowns.sqrt() * atol,
    ))
}

pub fn run_case(ranks: &[usize], mpirun: &str, log: &dyn Fn(&str)) -> Result<Section, String> {
    let mut s = Section::new(
        "electrochem",
        "electrochem",
        "Electroanalytical chemistry on meshes",
    );
    s.intro = "Nernst–Planck transport of Fe(CN)6^3-/Fe(CN)6^4- in 1 M KCl (electroneutrality, \
               the supporting ions migrating) with a Butler–Volmer electrode (k0 = 1 cm/s), on graded \
               1D meshes, run from the example decks `cottrell_potential_step`, `cyclic_voltammetry` and \
               `sand_galvanostatic`; and a blocking electrode in 10 mM KCl with Poisson's equation \
               resolving the Debye layer (`debye_layer_poisson`). Every deck runs through the `galvana` \
               binary on each rank count."
        .into();
    let mut t = Table::new(
        "Against the analytic results",
        &[
            "case", "ranks", "quantity", "Galvana", "analytic", "error", "wall [s]",
        ],
    );
    for &np in ranks {
        // Cottrell.
        let (m, _, secs, n) = run("cottrell_potential_step", np, mpirun)?;
        let (tt, i) = (m.col("time_s")?, m.col("current_electrode_A")?);
        let d = 7.2e-10;
        let mut csv = Csv::new(
            format!("cottrell_np{np}"),
            &["time_s", "i_galvana", "i_cottrell"],
        );
        let mut worst = 0.0f64;
        for (t, i) in tt.iter().zip(&i).filter(|(t, _)| **t > 0.0) {
            let c = -F * (d / (PI * t)).sqrt();
            csv.row(vec![*t, -i, -c]);
            if *t >= 1e-4 {
                worst = worst.max((i / c - 1.0).abs());
            }
        }
        log(&format!(
            "  Cottrell, {np} rank(s): max error {:.4} % (t in [0.1 ms, 1 s])",
            100.0 * worst
        ));
        t.row(vec![
            "potential step".into(),
            np.to_string(),
            "max |i/i_Cottrell - 1|, 0.1 ms-1 s".into(),
            format!("{:.4} %", 100.0 * worst),
            "0".into(),
            format!("{:.4} %", 100.0 * worst),
            format!("{secs:.1}"),
        ]);
        s.check(
            format!("Cottrell current, {np} rank(s)"),
            format!("{:.4} %", 100.0 * worst),
            "within 1 % for 0.1 ms <= t <= 1 s".into(),
            worst <= 0.01,
        );
        let (b, bound) = balance(&m, 1e-14, n)?;
        s.check(
            format!("species balance, potential step, {np} rank(s)"),
            format!("{b:.2e} mol/m^2"),
            format!("<= {bound:.1e} (end x sqrt(n) x atol)"),
            b <= bound,
        );
        if np == ranks[0] {
            let mut p = Plot::new(
                "electrochem_cottrell.png",
                "Potential step: current density",
                "time [s]",
                "-i [A/m^2]",
                true,
                true,
            );
            p.add(Series::new(
                "Cottrell",
                &csv.name,
                "time_s",
                "i_cottrell",
                "line",
            ));
            p.add(Series::new(
                "Galvana",
                &csv.name,
                "time_s",
                "i_galvana",
                "r.",
            ));
            s.plots.push(p);
        }
        s.csvs.push(csv);

        // Randles–Sevcik.
        let (m, _, secs, n) = run("cyclic_voltammetry", np, mpirun)?;
        let (tt, e, i) = (
            m.col("time_s")?,
            m.col("potential_electrode_V")?,
            m.col("current_electrode_A")?,
        );
        let fwd: Vec<usize> = (0..tt.len())
            .filter(|&k| tt[k] > 1.0 && tt[k] <= 6.0)
            .collect();
        let rev: Vec<usize> = (0..tt.len()).filter(|&k| tt[k] > 6.0).collect();
        let kc = *fwd
            .iter()
            .min_by(|&&a, &&b| i[a].total_cmp(&i[b]))
            .ok_or("no forward sweep")?;
        let ka = *rev
            .iter()
            .max_by(|&&a, &&b| i[a].total_cmp(&i[b]))
            .ok_or("no reverse sweep")?;
        let ip = 0.4463 * F * (F * 0.1 * d / (R * T)).sqrt();
        let err = -i[kc] / ip - 1.0;
        let (epc, sep) = (e[kc] * 1e3, (e[ka] - e[kc]) * 1e3);
        log(&format!("  Randles-Sevcik, {np} rank(s): i_p {:.5} vs {ip:.5} A/m^2 ({:+.3} %), E_pc {epc:.2} mV, dE_p {sep:.2} mV", -i[kc], 100.0 * err));
        t.row(vec![
            "cyclic voltammetry".into(),
            np.to_string(),
            "cathodic peak current [A/m^2]".into(),
            format!("{:.5}", -i[kc]),
            format!("{ip:.5}"),
            format!("{:+.3} %", 100.0 * err),
            format!("{secs:.1}"),
        ]);
        t.row(vec![
            "cyclic voltammetry".into(),
            np.to_string(),
            "peak separation [mV]".into(),
            format!("{sep:.2}"),
            "57-59".into(),
            "".into(),
            "".into(),
        ]);
        s.check(
            format!("Randles-Sevcik peak current, {np} rank(s)"),
            format!("{:+.3} %", 100.0 * err),
            "within 2 %".into(),
            err.abs() <= 0.02,
        );
        s.check(
            format!("CV peak separation, {np} rank(s)"),
            format!("{sep:.2} mV"),
            "59/n mV (57-59 mV for a reversible couple, E_lambda 300 mV past E1/2)".into(),
            (56.5..=59.5).contains(&sep),
        );
        s.check(
            format!("CV cathodic peak potential, {np} rank(s)"),
            format!("{epc:.2} mV"),
            "E1/2 - 28.5 mV +- 1.5 mV".into(),
            (epc + 28.5).abs() <= 1.5,
        );
        let (b, bound) = balance(&m, 1e-14, n)?;
        s.check(
            format!("species balance, CV, {np} rank(s)"),
            format!("{b:.2e} mol/m^2"),
            format!("<= {bound:.1e}"),
            b <= bound,
        );
        if np == ranks[0] {
            let mut csv = Csv::new("cv", &["E_V", "i_A_m2"]);
            for k in 0..tt.len() {
                csv.row(vec![e[k], i[k]]);
            }
            let mut p = Plot::new(
                "electrochem_cv.png",
                "Cyclic voltammogram, 100 mV/s",
                "E - E0' [V]",
                "i [A/m^2]",
                false,
                false,
            );
            p.add(Series::new("Galvana", &csv.name, "E_V", "i_A_m2", "line"));
            s.plots.push(p);
            s.csvs.push(csv);
        }

        // Sand.
        let (m, msg, secs, n) = run("sand_galvanostatic", np, mpirun)?;
        let tau_g = *m.col("time_s")?.last().ok_or("no rows")?;
        let tau = PI * d * F * F / 4.0;
        let err = tau_g / tau - 1.0;
        log(&format!(
            "  Sand, {np} rank(s): tau {tau_g:.5} s vs {tau:.5} s ({:+.3} %)",
            100.0 * err
        ));
        t.row(vec![
            "galvanostatic step".into(),
            np.to_string(),
            "transition time [s]".into(),
            format!("{tau_g:.5}"),
            format!("{tau:.5}"),
            format!("{:+.3} %", 100.0 * err),
            format!("{secs:.1}"),
        ]);
        s.check(
            format!("Sand transition time, {np} rank(s)"),
            format!("{:+.3} %", 100.0 * err),
            "within 2 %".into(),
            err.abs() <= 0.02 && msg.contains("completed early"),
        );
        let (b, bound) = balance(&m, 1e-14, n)?;
        s.check(
            format!("species balance, galvanostatic, {np} rank(s)"),
            format!("{b:.2e} mol/m^2"),
            format!("<= {bound:.1e}"),
            b <= bound,
        );

        // Gouy–Chapman–Stern.
        let (m, _, secs, _) = run("debye_layer_poisson", np, mpirun)?;
        let last = m.rows.len() - 1;
        let sigma = -F * (m.col("amount_K_mol")?[last] - m.col("amount_Cl_mol")?[last]);
        let phi_s = 0.1 - sigma / 0.2;
        let eps = 78.5 * 8.854_187_812_8e-12;
        let gc = (8.0 * R * T * eps * 10.0).sqrt() * (F * phi_s / (2.0 * R * T)).sinh();
        let err = sigma / gc - 1.0;
        log(&format!(
            "  Gouy-Chapman-Stern, {np} rank(s): sigma {sigma:.6e} vs {gc:.6e} C/m^2 ({:+.4} %)",
            100.0 * err
        ));
        t.row(vec![
            "diffuse double layer".into(),
            np.to_string(),
            "metal charge [C/m^2]".into(),
            format!("{sigma:.6e}"),
            format!("{gc:.6e}"),
            format!("{:+.4} %", 100.0 * err),
            format!("{secs:.1}"),
        ]);
        s.check(
            format!("Gouy-Chapman-Stern charge, {np} rank(s)"),
            format!("{:+.4} %", 100.0 * err),
            "within 0.1 %".into(),
            err.abs() <= 1e-3,
        );
    }
    s.tables.push(t);
    s.notes.push(
        "Currents are per unit electrode area (1D meshes). The Randles-Sevcik coefficient 0.4463 and \
         the reversible peak potentials are from Nicholson and Shain (1964) / Bard and Faulkner, \
         Electrochemical Methods, 2nd ed., ch. 6; Cottrell and Sand from ch. 5 and 8 there; \
         Gouy-Chapman-Stern from ch. 13. The first second of the CV is left out of the peak search: \
         the solution starts without the reduced form, slightly off equilibrium at +0.3 V."
            .into(),
    );
    Ok(s)
}
