//! Battery decks through `galvana check` and `galvana run`: the example runs (serially and
//! under mpirun, same answer), its 1C discharge capacity agrees with PyBaMM's SPMe run
//! (physics/tests/data/pybamm), the CV hold and rests behave, and mistakes point at their line.
mod common;
use common::*;

fn pybamm_end_capacity(name: &str) -> f64 {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../physics/tests/data/pybamm/{name}.csv"));
    let text = std::fs::read_to_string(p).unwrap();
    let last = text.lines().last().unwrap();
    last.split(',').nth(3).unwrap().parse().unwrap()
}

#[test]
fn the_battery_example_runs_and_agrees_with_pybamm() {
    let dir = copy_examples(&tempdir("battery-example"));
    let deck = dir.join("battery_cccv.toml");
    let mut results = Vec::new();
    for np in [1, 2] {
        let out_dir = dir.join(format!("out-np{np}"));
        let out = {
            let _g = mpi_lock();
            run_deck(np, &deck, &out_dir, &[])
        };
        assert_code(&out, 0, &format!("battery example on {np} rank(s)"));
        let summary = read_json(&out_dir.join("summary.json"));
        assert_eq!(summary["status"], "completed");
        let csv = Csv::read(&out_dir.join("battery.csv"));
        assert_eq!(
            &csv.header[..4],
            ["time_s", "voltage_V", "current_A", "discharge_capacity_Ah"]
        );
        let events = read_jsonl(&out_dir.join("residuals.jsonl"));
        assert_eq!(events.last().unwrap()["kind"], "done");
        results.push(csv);
    }
    assert_eq!(
        results[0].rows, results[1].rows,
        "the rank count changes nothing"
    );
    let rows = &results[0].rows;
    let step = |k: f64| rows.iter().filter(move |r| r[4] == k);
    // 1C discharge to 2.5 V: the capacity of PyBaMM's SPMe within 0.2 %.
    let end0 = step(0.0).next_back().unwrap();
    let q_ref = pybamm_end_capacity("SPMe_Chen2020_1C");
    assert!(
        (end0[1] - 2.5).abs() < 1e-6,
        "ends at the cut-off: {end0:?}"
    );
    assert!(
        ((end0[3] - q_ref) / q_ref).abs() < 0.002,
        "capacity {} vs PyBaMM {q_ref}",
        end0[3]
    );
    // Rests carry no current and relax upwards after a discharge.
    let rest: Vec<_> = step(1.0).collect();
    assert!(rest.iter().all(|r| r[2] == 0.0));
    assert!(rest.last().unwrap()[1] > rest[0][1] + 0.1);
    // Charge at C/2 (negative current) to 4.2 V, then the hold: 4.2 V while the current tapers to C/50.
    assert!(step(2.0).all(|r| (r[2] + 2.5).abs() < 1e-9));
    assert!((step(2.0).next_back().unwrap()[1] - 4.2).abs() < 1e-6);
    let hold: Vec<_> = step(3.0).collect();
    assert!(
        hold.iter().all(|r| (r[1] - 4.2).abs() < 1e-6),
        "CV holds 4.2 V"
    );
    assert!(
        hold.windows(2).all(|w| w[1][2] >= w[0][2] - 1e-9),
        "the charging current tapers"
    );
    assert!(
        (hold.last().unwrap()[2] + 0.1).abs() < 1e-6,
        "ends at C/50 = 0.1 A"
    );
    // Charge returned equals charge taken, less what the hold had not yet put back.
    let q_end = rows.last().unwrap()[3];
    assert!(
        q_end > 0.0 && q_end < 0.05,
        "net discharge capacity at the end: {q_end}"
    );
}

#[test]
fn battery_mistakes_point_at_their_lines() {
    let base = std::fs::read_to_string(examples_dir().join("battery_cccv.toml")).unwrap();
    let dir = tempdir("battery-check");
    for (what, from, to, needle) in [
        (
            "bad step",
            "\"Rest for 1 hour\"",
            "\"Rest for 1 fortnight\"",
            "unknown time unit",
        ),
        (
            "bad points key",
            "r_p = 20 }",
            "rp = 20 }",
            "did you mean `r_p`",
        ),
        (
            "unknown set",
            "parameter_set = \"Chen2020\"",
            "parameter_set = \"Chen2021\"",
            "unknown parameter set",
        ),
    ] {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{what}");
        let file = format!("{}.toml", what.replace(' ', "_"));
        std::fs::write(dir.join(&file), &text).unwrap();
        let out = galvana_in(&dir, &["check", &file]);
        assert_code(&out, 3, what);
        let err = stderr(&out);
        let line = text
            .lines()
            .position(|l| l.contains(&to[..to.len().min(12)]))
            .unwrap()
            + 1;
        assert!(err.contains(&format!("{file}:{line}:")), "{what}: {err}");
        assert!(err.contains(needle), "{what}: {err}");
    }
    let with_mesh = format!("[mesh]\ntype = \"interval\"\nnx = 4\n\n{base}");
    std::fs::write(dir.join("mesh.toml"), with_mesh).unwrap();
    let out = galvana_in(&dir, &["check", "mesh.toml"]);
    assert_code(&out, 3, "battery deck with a mesh");
    assert!(
        stderr(&out).contains("mesh.toml:1:2: error: a `battery` deck has no [mesh]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_dfn_deck_runs() {
    let dir = tempdir("battery-dfn");
    let deck = dir.join("dfn.toml");
    std::fs::write(
        &deck,
        "[physics]\ntype = \"battery\"\nmodel = \"dfn\"\ninitial_soc = 1.0\nexperiment = [\"Discharge at 2C until 3.6 V\"]\n",
    )
    .unwrap();
    let out_dir = dir.join("out");
    let out = run_deck(1, &deck, &out_dir, &[]);
    assert_code(&out, 0, "dfn deck");
    let csv = Csv::read(&out_dir.join("battery.csv"));
    let last = csv.rows.last().unwrap();
    assert!(
        (last[1] - 3.6).abs() < 1e-6 && (last[2] - 10.0).abs() < 1e-9,
        "{last:?}"
    );
    // PyBaMM's DFN 2C passes 3.6 V between these times.
    let r = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../physics/tests/data/pybamm/DFN_Chen2020_2C.csv"),
    )
    .unwrap();
    let t_ref = r
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s"))
        .map(|l| {
            l.split(',')
                .map(|x| x.parse::<f64>().unwrap())
                .collect::<Vec<_>>()
        })
        .find(|v| v[1] <= 3.6)
        .unwrap()[0];
    assert!(
        (last[0] - t_ref).abs() < 2.0,
        "3.6 V at {} s, PyBaMM {t_ref} s",
        last[0]
    );
}
