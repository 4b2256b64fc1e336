//! `galvana cycles FILE`: steps, cycles, capacities, efficiencies and pulse resistances of a
//! cycler or potentiostat export (galvana_instruments::cycling; docs/instruments.md).

use crate::cli::{EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE};
use galvana_instruments::csv_out::write_atomic;
use galvana_instruments::cycling::{analyse, cycles_csv, steps_csv, to_json, Options, Record};
use galvana_instruments::{Format, Mapping};
use std::path::PathBuf;

/// Arguments of `galvana cycles`.
#[derive(clap::Args, Debug)]
pub struct CyclesArgs {
    /// An instrument export, or a normalised CSV written by `galvana import`.
    pub file: PathBuf,
    /// Write the cycle table: .csv (one row per cycle) or .json (cycles and pulses).
    #[arg(long)]
    pub to: Option<PathBuf>,
    /// Write the step table (CSV).
    #[arg(long)]
    pub steps: Option<PathBuf>,
    /// Input format, instead of detecting it from the content.
    #[arg(long)]
    pub format: Option<String>,
    /// Column mapping for plain tables (as for `galvana import`).
    #[arg(long)]
    pub map: Option<String>,
    /// |current| at or below this is rest, in A (default: 0.2 % of the largest |current|).
    #[arg(long = "rest-current")]
    pub rest_current: Option<f64>,
    /// Seconds after a current step at which the delayed resistance is read.
    #[arg(long = "resistance-delay", default_value_t = 10.0)]
    pub resistance_delay: f64,
    /// Split steps by the current's sign even when the file numbers its steps.
    #[arg(long = "ignore-instrument-steps")]
    pub ignore_instrument_steps: bool,
    /// Count cycles by charge/discharge alternation even when the file numbers its cycles.
    #[arg(long = "ignore-instrument-cycles")]
    pub ignore_instrument_cycles: bool,
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.3}", 100.0 * x))
        .unwrap_or_else(|| "-".into())
}

/// Runs the command: 0 done, 2 bad arguments, 3 unreadable or unsuitable input, 1 output
/// not written.
pub fn cycles(a: &CyclesArgs) -> i32 {
    let format = match a.format.as_deref().map(|f| (f, Format::from_name(f))) {
        None => None,
        Some((_, Some(f))) => Some(f),
        Some((f, None)) => {
            eprintln!("error: --format {f}: unknown format");
            return EXIT_USAGE;
        }
    };
    let map = match a.map.as_deref().map(Mapping::parse) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            eprintln!("error: --map: {e}");
            return EXIT_USAGE;
        }
    };
    if !a.resistance_delay.is_finite() || a.resistance_delay < 0.0 {
        eprintln!("error: --resistance-delay: expected a number of seconds >= 0");
        return EXIT_USAGE;
    }
    let ds = match galvana_instruments::read(&a.file, format, map.as_ref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let name = a.file.display();
    let analysis = Record::from_dataset(&ds).and_then(|r| {
        analyse(
            &r,
            &Options {
                rest_current: a.rest_current,
                ignore_instrument_steps: a.ignore_instrument_steps,
                ignore_instrument_cycles: a.ignore_instrument_cycles,
                resistance_delay_s: a.resistance_delay,
                ..Options::default()
            },
        )
    });
    let an = match analysis {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {name}: {e}");
            return EXIT_INVALID;
        }
    };
    crate::say!(
        "{name}: {} rows, {} steps, {} cycles (numbered by {}), rest below {:.3e} A",
        ds.rows(),
        an.steps.len(),
        an.cycles.len(),
        an.cycle_source.name(),
        an.rest_current
    );
    for n in &an.notes {
        crate::say!("note: {n}");
    }
    crate::say!(
        "cycle  charge_mAh  discharge_mAh  CE_%     energy_eff_%  V_ch    V_dis   complete"
    );
    for c in &an.cycles {
        let (vc, vd) = c.mean_potentials();
        let v = |x: Option<f64>| x.map(|y| format!("{y:.4}")).unwrap_or_else(|| "-".into());
        crate::say!(
            "{:5}  {:10.5}  {:13.5}  {:7}  {:12}  {:6}  {:6}  {}",
            c.number,
            1e3 * c.charge_ah,
            1e3 * c.discharge_ah,
            pct(c.coulombic_efficiency()),
            pct(c.energy_efficiency()),
            v(vc),
            v(vd),
            if c.complete { "yes" } else { "no" }
        );
    }
    if !an.pulses.is_empty() {
        let ri: Vec<f64> = an.pulses.iter().map(|p| p.r_instant_ohm).collect();
        let med = {
            let mut s = ri.clone();
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        };
        crate::say!(
            "{} current steps; median resistance at the first sample {:.4e} ohm (table in --to .json)",
            ri.len(),
            med
        );
    }
    let mut writes: Vec<(PathBuf, String)> = Vec::new();
    if let Some(to) = &a.to {
        let ext = to
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => writes.push((to.clone(), cycles_csv(&an))),
            Some("json") => writes.push((to.clone(), to_json(&an))),
            _ => {
                eprintln!(
                    "error: --to {}: expected a .csv or .json file name",
                    to.display()
                );
                return EXIT_USAGE;
            }
        }
    }
    if let Some(p) = &a.steps {
        writes.push((p.clone(), steps_csv(&an)));
    }
    for (p, text) in writes {
        if let Err(e) = write_atomic(&p, text.as_bytes()) {
            eprintln!("error: cannot write {}: {e}", p.display());
            return EXIT_RUN_FAILED;
        }
    }
    EXIT_OK
}
