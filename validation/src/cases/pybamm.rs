//! Case 6: lithium-ion cell models against PyBaMM 26.10 (Chen2020, constant-current discharges
//! from full charge to 2.5 V at 0.5C, 1C and 2C, 20 points per domain, the reference curves in
//! physics/tests/data/pybamm): terminal voltage RMS ≤ 2 mV and max ≤ 5 mV leaving out the last
//! 1 % of capacity, capacity at cut-off within 0.2 %; and PyBaMM's CCCV charge on the DFN
//! (charged capacity within 0.3 %).

use crate::report::{Csv, Plot, Section, Series, Table};
use galvana_physics::battery::dfn::Dfn;
use galvana_physics::battery::experiment::parse;
use galvana_physics::battery::params::{chen2020, stoichiometries_at_soc};
use galvana_physics::battery::runner::{run, Outcome};
use galvana_physics::battery::spm::Spm;
use galvana_physics::battery::spme::{Points, Spme};

struct Ref {
    t: Vec<f64>,
    v: Vec<f64>,
    q: Vec<f64>,
}

fn reference(name: &str) -> Result<Ref, String> {
    let p = format!(
        "{}/../physics/tests/data/pybamm/{name}.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&p).map_err(|e| format!("{p}: {e}"))?;
    let mut r = Ref {
        t: vec![],
        v: vec![],
        q: vec![],
    };
    for l in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s"))
    {
        let f: Vec<f64> = l.split(',').filter_map(|x| x.parse().ok()).collect();
        if f.len() >= 4 {
            r.t.push(f[0]);
            r.v.push(f[1]);
            r.q.push(f[3]);
        }
    }
    Ok(r)
}

pub fn run_case(quick: bool, log: &dyn Fn(&str)) -> Result<Section, String> {
    let mut s = Section::new(
        "pybamm",
        "pybamm",
        "Lithium-ion cells against PyBaMM (Chen2020)",
    );
    s.intro = "Single particle model (SPM), SPM with electrolyte (SPMe) and Doyle–Fuller–Newman (DFN) against PyBaMM 26.10.1.1's own runs \
               (IDAKLU, rtol 1e-4) of the same models with the Chen2020 parameter set, 20 finite-volume cells \
               per domain, constant-current discharges from full charge (`set_initial_state(1.0)`) to 2.5 V. \
               Voltages are compared at PyBaMM's output times (every second), leaving out the last 1 % of \
               capacity before the cut-off; and PyBaMM's CCCV experiment on the DFN from SOC 0."
        .into();
    let mut t = Table::new(
        "Terminal voltage and capacity against PyBaMM",
        &[
            "model",
            "C-rate",
            "RMS dV [mV]",
            "max dV [mV]",
            "capacity [A.h]",
            "PyBaMM [A.h]",
            "dQ [%]",
            "time [ms]",
        ],
    );
    let rates: &[f64] = if quick { &[1.0] } else { &[0.5, 1.0, 2.0] };
    for model in ["SPM", "SPMe", "DFN"] {
        for &c in rates {
            let name = format!("{model}_Chen2020_{c}C");
            let r = reference(&name)?;
            let p = chen2020();
            let (x, y) = stoichiometries_at_soc(&p, 1.0);
            let steps =
                parse(&[format!("Discharge at {c}C until 2.5 V")], 1, 5.0).map_err(|e| e.0)?;
            let t0 = std::time::Instant::now();
            let out: Outcome = match model {
                "SPM" => run(Spm::new(p, x, y, 20), &steps, 1.0)?,
                "SPMe" => run(Spme::new(p, x, y, Points::default()), &steps, 1.0)?,
                _ => run(Dfn::new(p, x, y, Points::default()), &steps, 1.0)?,
            };
            let ms = t0.elapsed().as_secs_f64() * 1e3;
            let q_end = *r.q.last().ok_or("empty reference")?;
            let mine: std::collections::HashMap<i64, f64> = out
                .rows
                .iter()
                .filter(|row| (row.time_s - row.time_s.round()).abs() < 1e-9)
                .map(|row| (row.time_s.round() as i64, row.voltage_v))
                .collect();
            let mut csv = Csv::new(
                format!("pybamm_{}_{}C", model.to_lowercase(), c),
                &["time_s", "V_galvana", "V_pybamm", "dV_mV"],
            );
            let (mut sum, mut max, mut n) = (0.0, 0.0f64, 0usize);
            for k in 0..r.t.len() {
                let Some(v) = mine.get(&(r.t[k].round() as i64)) else {
                    continue;
                };
                let d = (v - r.v[k]) * 1e3;
                csv.row(vec![r.t[k], *v, r.v[k], d]);
                if r.q[k] > 0.99 * q_end {
                    continue;
                }
                sum += d * d;
                max = max.max(d.abs());
                n += 1;
            }
            let rms = (sum / n.max(1) as f64).sqrt();
            let my_q = out
                .rows
                .last()
                .map(|r| r.discharge_capacity_ah)
                .unwrap_or(0.0);
            let dq = 100.0 * (my_q - q_end) / q_end;
            log(&format!(
                "  {model} {c}C: rms {rms:.3} mV, max {max:.3} mV, dQ {dq:+.4} %"
            ));
            t.row(vec![
                model.into(),
                format!("{c}"),
                format!("{rms:.3}"),
                format!("{max:.3}"),
                format!("{my_q:.5}"),
                format!("{q_end:.5}"),
                format!("{dq:+.4}"),
                format!("{ms:.1}"),
            ]);
            s.check(
                format!("{model} {c}C voltage"),
                format!("RMS {rms:.3} mV, max {max:.3} mV"),
                "RMS <= 2 mV, max <= 5 mV".into(),
                rms <= 2.0 && max <= 5.0,
            );
            s.check(
                format!("{model} {c}C capacity"),
                format!("{dq:+.4} %"),
                "within 0.2 %".into(),
                dq.abs() <= 0.2,
            );
            if c == 2.0 || quick {
                let csv_name = csv.name.clone();
                let mut plot = Plot::new(
                    &format!("pybamm_{}_{}C.png", model.to_lowercase(), c),
                    &format!("{model} {c}C discharge: Galvana and PyBaMM"),
                    "time [s]",
                    "terminal voltage [V]",
                    false,
                    false,
                );
                plot.add(Series::new(
                    "PyBaMM", &csv_name, "time_s", "V_pybamm", "line",
                ));
                plot.add(Series::new(
                    "Galvana",
                    &csv_name,
                    "time_s",
                    "V_galvana",
                    "r--",
                ));
                s.plots.push(plot);
                let mut dv = Plot::new(
                    &format!("pybamm_{}_{}C_dv.png", model.to_lowercase(), c),
                    &format!("{model} {c}C: Galvana minus PyBaMM"),
                    "time [s]",
                    "dV [mV]",
                    false,
                    false,
                );
                dv.add(Series::new(
                    "V_galvana - V_pybamm",
                    &csv_name,
                    "time_s",
                    "dV_mV",
                    "line",
                ));
                s.plots.push(dv);
            }
            s.csvs.push(csv);
        }
    }
    s.tables.push(t);
    if !quick {
        cccv(&mut s, log)?;
    }
    s.notes.push(
        "Times are single-threaded Rust release builds on the CI machine kind, including the experiment runner; \
         the speed comparison with PyBaMM belongs in benches/."
            .into(),
    );
    Ok(s)
}

/// PyBaMM's CCCV charge on the DFN from SOC 0: rest 10 min, 1C to 4.2 V, hold until C/50,
/// rest 30 min; the charged capacity within 0.3 %.
fn cccv(s: &mut Section, log: &dyn Fn(&str)) -> Result<(), String> {
    let path = format!(
        "{}/../physics/tests/data/pybamm/DFN_Chen2020_cccv_charge.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let q_ref = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s"))
        .filter_map(|l| l.split(',').nth(3)?.parse::<f64>().ok())
        .fold(f64::INFINITY, f64::min)
        .abs();
    let p = chen2020();
    let (x, y) = stoichiometries_at_soc(&p, 0.0);
    let steps = parse(
        &[
            "Rest for 10 minutes".into(),
            "Charge at 1C until 4.2 V".into(),
            "Hold at 4.2 V until C/50".into(),
            "Rest for 30 minutes".into(),
        ],
        1,
        5.0,
    )
    .map_err(|e| e.0)?;
    let out = run(Dfn::new(p, x, y, Points::default()), &steps, 1.0)?;
    let q = out
        .rows
        .iter()
        .map(|r| r.discharge_capacity_ah)
        .fold(f64::INFINITY, f64::min)
        .abs();
    let d = 100.0 * (q - q_ref) / q_ref;
    log(&format!(
        "  DFN CCCV: charged {q:.5} A.h vs {q_ref:.5} A.h ({d:+.4} %)"
    ));
    let mut t = Table::new(
        "DFN CCCV charge from SOC 0 (rest, 1C to 4.2 V, hold to C/50, rest)",
        &["charged [A.h]", "PyBaMM [A.h]", "difference [%]"],
    );
    t.row(vec![
        format!("{q:.5}"),
        format!("{q_ref:.5}"),
        format!("{d:+.4}"),
    ]);
    s.tables.push(t);
    s.check(
        "DFN CCCV charged capacity",
        format!("{d:+.4} %"),
        "within 0.3 %".into(),
        d.abs() <= 0.3,
    );
    Ok(())
}
