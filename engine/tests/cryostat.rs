//! Cryostat decks through `galvana check` and `galvana run`: the cooldown example's outputs
//! against the energy balance recomputed from its CSV and the materials, its steady loads against
//! the capacity curves, and mistakes pointing at their line.
mod common;
use common::*;
use galvana_physics::materials::{NistMaterial, ThermalMaterial};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn the_cryostat_cooldown_example_conserves_energy_and_reaches_its_targets() {
    let dir = copy_examples(&tempdir("cryostat-example"));
    let out = galvana_in(&dir, &["check", "cryostat_cooldown.toml"]);
    assert_code(&out, 0, "check of the example");
    let out_dir = dir.join("out");
    let out = run_deck(1, &dir.join("cryostat_cooldown.toml"), &out_dir, &["-q"]);
    assert_code(&out, 0, "run of the example");
    let s = read_json(&out_dir.join("summary.json"));
    assert_eq!(s["status"], "completed");
    let ev = read_jsonl(&out_dir.join("residuals.jsonl"));
    assert_eq!(ev.last().unwrap()["kind"], "done");
    assert!(ev.iter().filter(|e| e["kind"] == "progress").count() >= 10);

    // Energy: ΔH of the two bodies from the NIST enthalpies at the first and last rows equals
    // the heat that came in (MLI, outer supports, 5.1 W of loads) minus what the stages took
    // out, summed over the steps as backward Euler takes them (at the end of each step).
    let csv = Csv::read(&out_dir.join("cryostat.csv"));
    let (t, tc, ts) = (
        csv.column("time_s"),
        csv.column("T_cold_mass_K"),
        csv.column("T_shield_K"),
    );
    let (mli, sup) = (
        csv.column("Q_shield_mli_W"),
        csv.column("Q_outer_supports_W"),
    );
    let (p1, p2) = (csv.column("P_stage1_W"), csv.column("P_stage2_W"));
    let n = t.len();
    let mut net_in = 0.0;
    let mut cooling = 0.0;
    for k in 1..n {
        let dt = t[k] - t[k - 1];
        net_in += dt * (mli[k] + sup[k] + 5.1 - p1[k] - p2[k]);
        cooling += dt * (p1[k] + p2[k]);
    }
    let cu = NistMaterial::new("copper_rrr100").unwrap();
    let al = NistMaterial::new("al6061_t6").unwrap();
    let dh = 50.0 * (cu.enthalpy(tc[n - 1]) - cu.enthalpy(tc[0]))
        + 15.0 * (al.enthalpy(ts[n - 1]) - al.enthalpy(ts[0]));
    // The CSV holds 16 significant digits, so the sums agree to about 1e-12 of the cooling.
    assert!(
        (dh - net_in).abs() < 1e-9 * cooling,
        "ΔH {dh} J vs net heat {net_in} J"
    );
    let eb = &s["energy_balance"];
    assert!(eb["relative_error"].as_f64().unwrap() < 1e-10);
    assert!(rel(eb["enthalpy_change_J"].as_f64().unwrap(), dh) < 1e-9);

    // Cooldown times: the reported time lies between the rows that bracket the target.
    for (node, col, target) in [("cold_mass", &tc, 4.5), ("shield", &ts, 50.0)] {
        let tt = s["nodes"][node]["cooldown_time_s"].as_f64().unwrap();
        let k = col.iter().position(|&v| v <= target).unwrap();
        assert!(
            t[k - 1] <= tt && tt <= t[k],
            "{node}: {tt} s outside [{}, {}]",
            t[k - 1],
            t[k]
        );
    }
    // 50 kg of copper cannot cool faster than its enthalpy over the largest stage-2 power.
    let floor = 50.0 * (cu.enthalpy(300.0) - cu.enthalpy(4.5)) / 45.0;
    assert!(s["nodes"]["cold_mass"]["cooldown_time_s"].as_f64().unwrap() > floor);

    // Steady state: each stage carries what flows into its body, at the temperature where its
    // table (here between rows, a monotone interpolation) gives that power.
    let links = &s["links"];
    let q = |l: &str| links[l]["steady_flow_W"].as_f64().unwrap();
    let st = &s["stages"];
    let l1 = st["stage1"]["steady_load_W"].as_f64().unwrap();
    let l2 = st["stage2"]["steady_load_W"].as_f64().unwrap();
    let into_cold = q("shield_to_cold_mass") + q("inner_supports") + 0.1;
    assert!(rel(l2, into_cold) < 1e-9, "stage 2 {l2} W vs {into_cold} W");
    let into_shield = q("shield_mli") + q("outer_supports") + 5.0 - (into_cold - 0.1);
    assert!(
        rel(l1, into_shield) < 1e-9,
        "stage 1 {l1} W vs {into_shield} W"
    );
    let t1 = st["stage1"]["steady_temperature_K"].as_f64().unwrap();
    assert!(
        (25.0..30.0).contains(&t1) && (0.0..10.0).contains(&l1),
        "stage 1 at {t1} K, {l1} W"
    );
    let t2 = st["stage2"]["steady_temperature_K"].as_f64().unwrap();
    assert!(
        (2.8..3.0).contains(&t2) && (0.0..0.2).contains(&l2),
        "stage 2 at {t2} K, {l2} W"
    );
    // The 5 W/K joint: cold mass above the cold head by load / 5 W/K.
    let tcm = s["nodes"]["cold_mass"]["steady_temperature_K"]
        .as_f64()
        .unwrap();
    assert!(rel(tcm - t2, l2 / 5.0) < 1e-9);
    // Ten days are enough to settle: the end of the run is the steady state.
    assert!(
        (tc[n - 1] - tcm).abs() < 1e-3
            && (ts[n - 1]
                - s["nodes"]["shield"]["steady_temperature_K"]
                    .as_f64()
                    .unwrap())
            .abs()
                < 1e-3
    );

    // Steady mode solves the same balance directly.
    let text = std::fs::read_to_string(dir.join("cryostat_cooldown.toml")).unwrap();
    let steady = set_key(&text, "[physics]", "mode", "mode = \"steady\"");
    let deck = write_deck(&dir, "steady.toml", steady);
    let out = run_deck(1, &deck, &dir.join("out-steady"), &["-q"]);
    assert_code(&out, 0, "steady run");
    let ss = read_json(&dir.join("out-steady/summary.json"));
    assert!(
        rel(
            ss["stages"]["stage2"]["steady_load_W"].as_f64().unwrap(),
            l2
        ) < 1e-9
    );
    assert!(!dir.join("out-steady/cryostat.csv").exists());
}

#[test]
fn cryostat_deck_mistakes_point_at_their_line() {
    let dir = tempdir("cryostat-bad");
    let good = std::fs::read_to_string(examples_dir().join("cryostat_cooldown.toml")).unwrap();
    let cases: Vec<(String, &str, &str)> = vec![
        (
            set_key(&good, "[materials.cold_mass]", "mass", "mass = -50.0"),
            "mass = -50.0",
            "`mass` = -50 kg is out of range: must be >= 0 kg",
        ),
        (
            set_key(&good, "[materials.shield]", "mass", "mass = 0.0"),
            "mass = 0.0",
            "mass must be > 0 kg, got 0",
        ),
        (
            set_key(&good, "[materials.shield]", "material", "material = \"aluminium\""),
            "material = \"aluminium\"",
            "expected one of `copper_rrr50`, `copper_rrr100`, `al6061_t6`",
        ),
        (
            set_key(&good, "[bcs.stage1]", "temperature", "temperature = [25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 60.0, 80.0, 70.0, 150.0, 200.0, 300.0]"),
            "80.0, 70.0",
            "temperatures must increase strictly: row 9 has 70 K after 80 K",
        ),
        (
            set_key(&good, "[bcs.inner_supports]", "to", "to = \"cold_mas\""),
            "to = \"cold_mas\"",
            "did you mean `cold_mass`?",
        ),
        (
            set_key(&good, "[bcs.stage2]", "power", "power = [0.0, 0.2, 0.7]"),
            "power = [0.0, 0.2, 0.7]",
            "`temperature` has 15 entries but `power` has 3",
        ),
        (
            set_key(&good, "[physics]", "end_time", "# no end time"),
            "mode = \"transient\"",
            "a transient cryostat run needs `end_time`",
        ),
    ];
    for (k, (text, at, msg)) in cases.iter().enumerate() {
        let file = format!("bad{k}.toml");
        write_deck(&dir, &file, text);
        let out = galvana_in(&dir, &["check", &file]);
        assert_code(&out, 3, &format!("case {k}"));
        let (line, _) = position_of(text, at);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{file}:{line}:")) && err.contains(msg),
            "case {k}: expected `{msg}` at line {line}:\n{err}"
        );
    }
    // A capacity CSV with a temperature going backwards: the file and its line.
    std::fs::write(
        dir.join("stage1.csv"),
        "# illustrative\ntemperature_K,power_W\n25,0\n45,40\n40,60\n",
    )
    .unwrap();
    let text = good.replace(
        "temperature = [25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 60.0, 80.0, 100.0, 150.0, 200.0, 300.0]\npower       = [ 0.0, 10.0, 22.0, 32.0, 40.0, 47.0, 58.0, 80.0, 100.0, 140.0, 170.0, 200.0]",
        "capacity_file = \"stage1.csv\"",
    );
    assert!(text.contains("capacity_file"));
    write_deck(&dir, "csv.toml", &text);
    let out = galvana_in(&dir, &["check", "csv.toml"]);
    assert_code(&out, 3, "non-monotone CSV");
    let err = stderr(&out);
    assert!(
        err.contains("stage1.csv:5: temperatures must increase strictly"),
        "{err}"
    );
    let (line, _) = position_of(&text, "capacity_file");
    assert!(err.contains(&format!("csv.toml:{line}:")), "{err}");
    // And a good CSV runs the same as the arrays.
    std::fs::write(
        dir.join("stage1.csv"),
        "temperature_K,power_W\n25,0\n30,10\n35,22\n40,32\n45,40\n50,47\n60,58\n80,80\n100,100\n150,140\n200,170\n300,200\n",
    )
    .unwrap();
    let out = galvana_in(&dir, &["check", "csv.toml"]);
    assert_code(&out, 0, "good CSV");
}

/// The `cryocooler` boundary condition of `heat_conduction`: a nearly isothermal FEM block
/// (k = 10⁴ W/(m K), 10 cm cube) heated by 1 W on one face and cooled by a stage on the
/// opposite face follows the lumped model of the same heat capacity, load and curve.
#[test]
fn a_cryocooler_boundary_on_an_isothermal_block_matches_the_lumped_model() {
    use galvana_physics::cryostat::{run_transient, Body, Network, Settings, Stage};
    use galvana_physics::materials::Constant;
    use std::sync::Arc;
    let table = [
        (3.0, 0.0),
        (4.2, 1.5),
        (10.0, 8.0),
        (45.0, 40.0),
        (300.0, 200.0),
    ];
    let cap: Vec<String> = table
        .iter()
        .map(|(t, p)| format!("[{t:?}, {p:?}]"))
        .collect();
    let deck = format!(
        r#"[mesh]
type = "box"
nx = 4
ny = 3
nz = 3
x = [0.0, 0.1]
y = [0.0, 0.1]
z = [0.0, 0.1]

[materials.block]
type = "constant"
k = 1.0e4
rho = 1000.0
cp = 100.0
regions = ["domain"]

[physics]
type = "heat_conduction"

[bcs.load]
type = "heat_flux"
boundary = ["left"]
q = 100.0

[bcs.stage]
type = "cryocooler"
boundary = ["right"]
capacity = [{}]
area = 0.01

[initial]
value = 40.0

[solver.nonlinear]
rtol = 1e-12
atol = 1e-10

[solver.linear]
type = "cg"
pc = "jacobi"
rtol = 1e-13

[time]
type = "transient"
scheme = "bdf1"
end = 400.0
dt = 2.0

[output]
interval = 1
"#,
        cap.join(", ")
    );
    let dir = tempdir("cryocooler-bc");
    let path = write_deck(&dir, "block.toml", &deck);
    let out = galvana_in(&dir, &["check", "block.toml"]);
    assert_code(&out, 0, "check of the block deck");
    let out = run_deck(1, &path, &dir.join("out"), &["-q"]);
    assert_code(&out, 0, "run of the block deck");
    let m = Csv::read(&dir.join("out/monitors.csv"));
    let (t, mean) = (m.column("time_s"), m.column(&mean_column(&m)));

    let mut net = Network::new(300.0);
    let b = net.add_body(Body {
        name: "block".into(),
        mass: 1.0, // 1000 kg/m³ × 1e-3 m³
        material: Arc::new(Constant::new(1.0e4, 1000.0, 100.0).unwrap()),
        initial_temperature: 40.0,
        target_temperature: None,
    });
    net.loads.push(galvana_physics::cryostat::network::Load {
        name: "load".into(),
        node: b,
        power: 1.0,
    });
    net.add_stage(Stage::new("stage", &table, None).unwrap(), b);
    let s = Settings {
        end_time: 400.0,
        max_step: 2.0,
        initial_step: 2.0,
        max_change: 1e9,
        tolerance: 1e-11,
    };
    let lumped = run_transient(&net, &s, &mut |_, _, _, _, _| {}).unwrap();
    assert_eq!(lumped.rows.len(), t.len());
    let mut worst: f64 = 0.0;
    for (r, (&tf, &mf)) in lumped.rows.iter().zip(t.iter().zip(&mean)) {
        assert!((r.time - tf).abs() < 1e-9);
        worst = worst.max((r.temperatures[1] - mf).abs());
    }
    // The block's internal spread is about P L/(k A) ≤ 35 W × 0.1 m / (1e4 × 0.01) = 0.035 K.
    assert!(worst < 0.01, "FEM mean vs lumped: {worst} K");
    let end = *mean.last().unwrap();
    assert!(
        end < 5.0 && end > 3.0,
        "settles near the 1 W point of the curve: {end} K"
    );
}

/// The monitors.csv column with the mean temperature.
fn mean_column(m: &Csv) -> String {
    m.header
        .iter()
        .find(|h| h.contains("temperature") && h.contains("mean"))
        .unwrap_or_else(|| panic!("no mean temperature in {:?}", m.header))
        .clone()
}

#[test]
fn a_bad_link_value_points_at_its_key() {
    let dir = tempdir("cryostat-bad-link");
    let good = std::fs::read_to_string(examples_dir().join("cryostat_cooldown.toml")).unwrap();
    let text = set_key(
        &good,
        "[bcs.shield_to_cold_mass]",
        "to_area",
        "to_area = 0.5",
    );
    write_deck(&dir, "bad.toml", &text);
    let out = galvana_in(&dir, &["check", "bad.toml"]);
    assert_code(&out, 3, "enclosing area smaller than the inner one");
    let (line, _) = position_of(&text, "to_area = 0.5");
    let err = stderr(&out);
    assert!(
        err.contains(&format!("bad.toml:{line}:"))
            && err.contains("must be at least the enclosed `area`"),
        "{err}"
    );
}
