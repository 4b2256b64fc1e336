//! Battery design sweeps (`[sweep]`): every row is the single-cell run of its parameters, bit
//! for bit; ranks and threads change nothing but wall times; a failing cell fails its row
//! only; at vanishing C-rate the capacity approaches the theoretical capacity of the
//! stoichiometry window and the electrode loading, computed here from the parameter values;
//! mistakes in [sweep] point at their line.
mod common;
use common::*;
use galvana_physics::battery::deck::Battery;
use galvana_physics::battery::params;
use galvana_physics::battery::summary::summarize;
use std::path::Path;

/// `sweep.csv` as header and rows of fields (text: status and message are words).
struct Sweep {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Sweep {
    fn read(dir: &Path) -> Sweep {
        let text = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
            .collect();
        for r in &rows {
            assert_eq!(r.len(), header.len(), "ragged row {r:?}");
        }
        Sweep { header, rows }
    }
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }
    fn f(&self, row: usize, name: &str) -> f64 {
        let s = &self.rows[row][self.col(name)];
        s.parse()
            .unwrap_or_else(|e| panic!("row {row} {name} = {s:?}: {e}"))
    }
    fn s(&self, row: usize, name: &str) -> &str {
        &self.rows[row][self.col(name)]
    }
    /// The file without its wall times.
    fn without_wall(&self) -> Vec<Vec<String>> {
        let w = self.col("wall_s");
        let mut all = vec![self.header.clone()];
        all.extend(self.rows.iter().cloned());
        for r in &mut all[1..] {
            r[w].clear();
        }
        all
    }
}

fn run_ok(np: usize, deck: &Path, out: &Path) -> Sweep {
    let o = {
        let _g = mpi_lock();
        run_deck(np, deck, out, &["-q"])
    };
    assert_code(&o, 0, &format!("{} on {np} rank(s)", deck.display()));
    Sweep::read(out)
}

/// A single-cell deck of the example's cell with positive thickness `l_p` and rate `c`: its
/// own parameter file (Chen2020's written out, thickness changed) and experiment.
fn single_cell_deck(dir: &Path, k: usize, l_p: &str, c: &str) -> std::path::PathBuf {
    let file = std::fs::read_to_string(dir.join("parameters/chen2020.toml")).unwrap();
    let file = set_key(
        &file,
        "[positive_electrode]",
        "thickness",
        &format!("thickness = {l_p}"),
    );
    std::fs::write(dir.join(format!("cell{k}.params.toml")), file).unwrap();
    let example = std::fs::read_to_string(dir.join("battery_design_sweep.toml")).unwrap();
    let physics = example.split("[sweep]").next().unwrap();
    let physics = set_key(
        physics,
        "[physics]",
        "parameter_set",
        &format!("parameter_set = \"cell{k}.params.toml\""),
    );
    let physics = set_key(
        &physics,
        "[physics]",
        "experiment",
        &format!("experiment = [\"Discharge at {c}C until 2.5 V\"]"),
    );
    write_deck(dir, &format!("cell{k}.toml"), physics)
}

#[test]
fn each_row_of_the_example_is_the_single_cell_run_bit_for_bit() {
    let dir = copy_examples(&tempdir("sweep-example"));
    let out = dir.join("out");
    let sw = run_ok(1, &dir.join("battery_design_sweep.toml"), &out);
    assert_eq!(sw.rows.len(), 9, "3 thicknesses x 3 C-rates");
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["cells"], 9);
    assert_eq!(summary["ranks"], 1);
    assert!(summary["cells_per_s"].as_f64().unwrap() > 0.0);
    assert!(summary["threads"].as_u64().unwrap() >= 1);
    let events = read_jsonl(&out.join("residuals.jsonl"));
    assert_eq!(events.last().unwrap()["kind"], "done");
    let progress: Vec<f64> = events
        .iter()
        .filter(|e| e["kind"] == "progress")
        .map(|e| e["fraction"].as_f64().unwrap())
        .collect();
    assert_eq!(progress.last(), Some(&1.0));
    assert!(progress.windows(2).all(|w| w[0] <= w[1]));
    let reg = galvana_engine::setup::registry();
    for k in 0..sw.rows.len() {
        assert_eq!(sw.s(k, "status"), "completed", "row {k}");
        let deck = single_cell_deck(&dir, k, sw.s(k, "thickness_p_m"), sw.s(k, "c_rate"));
        // In process, the way `galvana run` reads the single-cell deck: equal to the last bit.
        let d = galvana_decks::Deck::load(&deck, &reg).unwrap();
        let b = Battery::from_object_at(&d.physics, Some(&d.dir())).unwrap();
        let s = summarize(&b.run().unwrap(), &b.steps, b.params.v_min);
        for (name, v) in [
            ("discharge_capacity_Ah", s.capacity_ah),
            ("energy_Wh", s.energy_wh),
            ("mean_voltage_V", s.mean_voltage_v),
            ("final_voltage_V", s.final_voltage_v),
            ("time_to_cutoff_s", s.time_to_cutoff_s.unwrap()),
        ] {
            assert_eq!(sw.f(k, name).to_bits(), v.to_bits(), "row {k} {name}");
        }
        if k % 4 != 0 {
            continue;
        }
        // And through `galvana run`: battery.csv (9 decimals) ends where the row says, and
        // its own trapezoids give the row's energy.
        let one = dir.join(format!("out-cell{k}"));
        let o = run_deck(1, &deck, &one, &["-q"]);
        assert_code(&o, 0, "single cell");
        let csv = Csv::read(&one.join("battery.csv"));
        let last = csv.rows.last().unwrap();
        assert!((last[0] - sw.f(k, "time_to_cutoff_s")).abs() < 1e-6);
        assert!((last[1] - sw.f(k, "final_voltage_V")).abs() < 1e-8);
        assert!((last[3] - sw.f(k, "discharge_capacity_Ah")).abs() < 1e-8);
        let wh: f64 = csv
            .rows
            .windows(2)
            .map(|w| 0.5 * (w[0][1] * w[0][2] + w[1][1] * w[1][2]) * (w[1][0] - w[0][0]))
            .sum::<f64>()
            / 3600.0;
        let e = sw.f(k, "energy_Wh");
        assert!((wh - e).abs() < 1e-6 * e, "energy {wh} vs {e}");
        assert!((sw.f(k, "mean_voltage_V") - e / last[3]).abs() < 1e-3);
    }
    // Physics the designer reads off: capacity falls with rate, rises with thickness.
    for t in 0..3 {
        let q: Vec<f64> = (0..3)
            .map(|c| sw.f(3 * t + c, "discharge_capacity_Ah"))
            .collect();
        assert!(q[0] > q[1] && q[1] > q[2], "thickness {t}: {q:?}");
    }
    for c in 0..3 {
        let q: Vec<f64> = (0..3)
            .map(|t| sw.f(3 * t + c, "discharge_capacity_Ah"))
            .collect();
        assert!(q[0] < q[1] && q[1] < q[2], "rate {c}: {q:?}");
    }
}

/// Every knob sets what the single-cell deck's own key or parameter-file entry sets: two
/// cells that differ in all of them (`combine = "zip"`), each equal bit for bit to a deck with
/// those values written out.
#[test]
fn every_knob_is_the_deck_key_it_names() {
    let dir = copy_examples(&tempdir("sweep-knobs"));
    let physics = r#"[physics]
type = "battery"
model = "spme"
parameter_set = "Chen2020"
initial_soc = 1.0
experiment = ["Discharge at 1C until 2.5 V", "Rest for 10 minutes"]
points = { x_n = 8, x_s = 4, x_p = 8, r_n = 8, r_p = 8 }
period = 30.0
"#;
    let sweep = r#"
[sweep]
combine = "zip"
thickness_n = [8.0e-5, 9.0e-5]
thickness_s = [1.2e-5, 2.0e-5]
thickness_p = [7.56e-5, 8.0e-5]
particle_radius_n = [5.86e-6, 4.0e-6]
particle_radius_p = [5.22e-6, 6.0e-6]
current = [5.0, 2.5]
temperature = [288.15, 308.15]
initial_soc = [0.9, 0.7]
"#;
    let deck = write_deck(&dir, "knobs.toml", format!("{physics}{sweep}"));
    let sw = run_ok(1, &deck, &dir.join("out"));
    assert_eq!(sw.rows.len(), 2);
    let reg = galvana_engine::setup::registry();
    let chen = std::fs::read_to_string(dir.join("parameters/chen2020.toml")).unwrap();
    for k in 0..2 {
        assert_eq!(sw.s(k, "status"), "completed", "{:?}", sw.rows[k]);
        let mut file = chen.clone();
        for (section, key, col) in [
            ("[negative_electrode]", "thickness", "thickness_n_m"),
            ("[separator]", "thickness", "thickness_s_m"),
            ("[positive_electrode]", "thickness", "thickness_p_m"),
            (
                "[negative_electrode]",
                "particle_radius",
                "particle_radius_n_m",
            ),
            (
                "[positive_electrode]",
                "particle_radius",
                "particle_radius_p_m",
            ),
        ] {
            file = set_key(&file, section, key, &format!("{key} = {}", sw.s(k, col)));
        }
        std::fs::write(dir.join(format!("knobs{k}.params.toml")), file).unwrap();
        let mut text = physics.to_string();
        for (key, line) in [
            ("parameter_set", format!("parameter_set = \"knobs{k}.params.toml\"")),
            ("initial_soc", format!("initial_soc = {}", sw.s(k, "initial_soc"))),
            (
                "experiment",
                format!(
                    "experiment = [\"Discharge at {} A until 2.5 V\", \"Rest for 10 minutes\"]\ntemperature = {}",
                    sw.s(k, "current_A"),
                    sw.s(k, "temperature_K")
                ),
            ),
        ] {
            text = set_key(&text, "[physics]", key, &line);
        }
        let single = write_deck(&dir, &format!("knobs{k}.toml"), text);
        let d = galvana_decks::Deck::load(&single, &reg).unwrap();
        let b = Battery::from_object_at(&d.physics, Some(&d.dir())).unwrap();
        let s = summarize(&b.run().unwrap(), &b.steps, b.params.v_min);
        for (name, v) in [
            ("discharge_capacity_Ah", s.capacity_ah),
            ("energy_Wh", s.energy_wh),
            ("mean_voltage_V", s.mean_voltage_v),
            ("final_voltage_V", s.final_voltage_v),
            ("time_to_cutoff_s", s.time_to_cutoff_s.unwrap()),
        ] {
            assert_eq!(sw.f(k, name).to_bits(), v.to_bits(), "cell {k} {name}");
        }
        // The rest after the cut-off: the final voltage is the relaxed one, above 2.5 V.
        assert!(s.final_voltage_v > 2.6, "{}", s.final_voltage_v);
    }
    // The two cells differ (every knob moved something).
    assert_ne!(
        sw.rows[0][sw.col("energy_Wh")],
        sw.rows[1][sw.col("energy_Wh")]
    );
}

#[test]
fn ranks_and_threads_change_nothing_but_wall_times_and_a_failing_cell_fails_its_row() {
    let dir = copy_examples(&tempdir("sweep-layouts"));
    let text = std::fs::read_to_string(dir.join("battery_design_sweep.toml")).unwrap();
    // 60 um: no full-charge state in the 2.5-4.2 V window, so those cells fail.
    let text = set_key(
        &text,
        "[sweep]",
        "thickness_p",
        "thickness_p = [6.0e-5, 7.56e-5, 9.0e-5]",
    );
    let mut first: Option<Vec<Vec<String>>> = None;
    for (np, threads) in [(1, 1), (1, 2), (2, 1), (2, 2)] {
        let t = text.replace("[sweep]\n", &format!("[sweep]\nthreads = {threads}\n"));
        let deck = write_deck(&dir, &format!("np{np}t{threads}.toml"), t);
        let out = dir.join(format!("out-np{np}-t{threads}"));
        let sw = run_ok(np, &deck, &out);
        let summary = read_json(&out.join("summary.json"));
        assert_eq!(summary["ranks"], np);
        assert_eq!(summary["threads"], threads);
        assert_eq!(summary["status"], "completed");
        assert_eq!(summary["sweep"]["cells_failed"], 3);
        for k in 0..sw.rows.len() {
            let failed = sw.f(k, "thickness_p_m") == 6.0e-5;
            assert_eq!(
                sw.s(k, "status"),
                if failed { "failed" } else { "completed" }
            );
            if failed {
                assert!(
                    sw.s(k, "message").contains("no stoichiometries"),
                    "{:?}",
                    sw.rows[k]
                );
                assert_eq!(sw.s(k, "discharge_capacity_Ah"), "");
            }
            assert!(sw.f(k, "wall_s") >= 0.0);
        }
        let content = sw.without_wall();
        match &first {
            None => first = Some(content),
            Some(f) => assert_eq!(f, &content, "{np} rank(s) x {threads} thread(s)"),
        }
    }
}

/// Theoretical capacity [A h] of Chen2020 with both electrodes `k` times thicker, between the
/// states where the open-circuit voltage is 4.2 V and 2.5 V, with the lithium inventory of the
/// set's initial concentrations (the definition of SOC 1 and 0): F · (negative electrode
/// sites) · Δx.
fn theoretical_capacity_ah(k: f64) -> f64 {
    let p = params::chen2020();
    let sites_n = p.neg.eps_s * k * p.neg.thickness * p.area * p.neg.c_max;
    let sites_p = p.pos.eps_s * k * p.pos.thickness * p.area * p.pos.c_max;
    let lithium = sites_n * p.c_n0 / p.neg.c_max + sites_p * p.c_p0 / p.pos.c_max;
    let ocv = |x: f64| p.pos.u((lithium - sites_n * x) / sites_p) - p.neg.u(x);
    let x_at = |v: f64| {
        let (mut a, mut b) = (1e-9, 1.0 - 1e-9);
        while b - a > 1e-15 {
            let m = 0.5 * (a + b);
            if ocv(m) < v {
                a = m
            } else {
                b = m
            }
        }
        0.5 * (a + b)
    };
    params::F * sites_n * (x_at(4.2) - x_at(2.5)) / 3600.0
}

#[test]
fn capacity_at_vanishing_rate_is_the_theoretical_capacity_and_scales_with_loading() {
    let dir = tempdir("sweep-theory");
    let deck = write_deck(
        &dir,
        "low_rate.toml",
        r#"
[physics]
type = "battery"
model = "spm"
initial_soc = 1.0
experiment = ["Discharge at 1C until 2.5 V"]
points = { r_n = 20, r_p = 20 }
period = 60.0

[sweep]
combine = "zip"
thickness_n = [8.52e-5, 8.52e-5, 8.52e-5, 1.278e-4, 1.278e-4, 1.278e-4]
thickness_p = [7.56e-5, 7.56e-5, 7.56e-5, 1.134e-4, 1.134e-4, 1.134e-4]
c_rate = [0.2, 0.05, 0.01, 0.2, 0.05, 0.01]
"#,
    );
    let sw = run_ok(1, &deck, &dir.join("out"));
    let mut low = Vec::new();
    for (i, k) in [1.0, 1.5].into_iter().enumerate() {
        let q_th = theoretical_capacity_ah(k);
        let err: Vec<f64> = (0..3)
            .map(|j| {
                let q = sw.f(3 * i + j, "discharge_capacity_Ah");
                assert!(q < q_th, "k = {k}: {q} A h above the theoretical {q_th}");
                (q_th - q) / q_th
            })
            .collect();
        eprintln!("k = {k}: theoretical {q_th:.6} A h, shortfall at C/5, C/20, C/100: {err:?}");
        // Overpotentials vanish with the current: the shortfall shrinks with the rate and is
        // a few 1e-4 at C/100.
        assert!(err[0] > err[1] && err[1] > err[2], "k = {k}: {err:?}");
        assert!(err[2] < 1e-3, "k = {k}: C/100 short by {:.2e}", err[2]);
        low.push(sw.f(3 * i + 2, "discharge_capacity_Ah"));
    }
    // 1.5 x the loading, 1.5 x the capacity at low rate.
    eprintln!(
        "C/100 capacity ratio for 1.5 x loading: {}",
        low[1] / low[0]
    );
    assert!(((low[1] / low[0]) / 1.5 - 1.0).abs() < 1e-3, "{low:?}");
}

#[test]
fn sweep_mistakes_point_at_their_line() {
    let dir = copy_examples(&tempdir("sweep-mistakes"));
    let ok = galvana_in(&dir, &["check", "battery_design_sweep.toml"]);
    assert_code(&ok, 0, "the example checks");
    assert!(
        stdout(&ok).contains("a sweep of 9 cells"),
        "{}",
        stdout(&ok)
    );
    let base = std::fs::read_to_string(dir.join("battery_design_sweep.toml")).unwrap();
    let (head, tail) = base.split_once("[sweep]\n").unwrap();
    let tail = &tail[tail.find("[job]").unwrap()..];
    // ([sweep] body, the line the error points at, message, help).
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "thicknes_p = [7e-5]\nc_rate = [1.0]",
            "thicknes_p",
            "unknown key `thicknes_p` in [sweep]",
            "did you mean `thickness_p`",
        ),
        (
            "thickness_n = [8e-5, -1e-5]",
            "thickness_n",
            "`thickness_n[1]` = -0.00001 m must be > 0",
            "",
        ),
        (
            "initial_soc = [0.5, 1.5]",
            "initial_soc",
            "`initial_soc[1]` = 1.5 must be between 0 and 1",
            "",
        ),
        (
            "c_rate = [1.0]\ncurrent = [5.0]",
            "current",
            "sweep `c_rate` or `current`, not both",
            "",
        ),
        (
            "temperature = []",
            "temperature",
            "`temperature` lists no values",
            "",
        ),
        (
            "c_rate = [1.0, 1.0]",
            "c_rate",
            "`c_rate[1]` = 1 repeats `c_rate[0]`",
            "list each value once",
        ),
        (
            "combine = \"zip\"\nc_rate = [1.0]\nthickness_p = [7e-5, 8e-5]",
            "thickness_p",
            "every list has the same length: `thickness_p` has 2, `c_rate` has 1",
            "combine = \"grid\"",
        ),
        (
            "combine = \"gird\"\nc_rate = [1.0]",
            "combine",
            "invalid value `gird` for `combine`",
            "did you mean `grid`",
        ),
        (
            "threads = 2",
            "[sweep]",
            "the sweep lists no parameter",
            "thickness_n",
        ),
    ];
    for (k, (body, at_key, message, help)) in cases.iter().enumerate() {
        let text = format!("{head}[sweep]\n{body}\n\n{tail}");
        let name = format!("bad{k}.toml");
        write_deck(&dir, &name, &text);
        let o = galvana_in(&dir, &["check", &name]);
        assert_code(&o, 3, body);
        let err = stderr(&o);
        // The line of `at_key` within [sweep].
        let sweep_at = text.find("[sweep]").unwrap();
        let (line, _) = position_of(&text[sweep_at..], at_key);
        let at = format!("{name}:{}:", text[..sweep_at].matches('\n').count() + line);
        assert!(err.contains(&at), "{body}: expected {at} in\n{err}");
        assert!(
            err.contains(message),
            "{body}: expected {message:?} in\n{err}"
        );
        assert!(err.contains(help), "{body}: expected {help:?} in\n{err}");
    }
    // Only battery decks sweep.
    let heat = std::fs::read_to_string(dir.join("heat_sink_steady.toml")).unwrap();
    let text = format!("{heat}\n[sweep]\nc_rate = [1.0]\n");
    write_deck(&dir, "heat_sweep.toml", &text);
    let o = galvana_in(&dir, &["check", "heat_sweep.toml"]);
    assert_code(&o, 3, "a heat deck with [sweep]");
    assert!(
        stderr(&o).contains("[sweep] belongs to `battery` decks"),
        "{}",
        stderr(&o)
    );
}
