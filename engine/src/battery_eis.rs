//! `galvana battery-eis DECK --soc 0.5 --from 1e4 --to 1e-3 --per-decade 10 --to-csv out.csv`:
//! the small-signal impedance spectrum of a battery deck's cell model (SPM, SPMe or DFN) at rest
//! at one SOC (physics/src/battery/impedance.rs, impedance_spme.rs, impedance_dfn.rs), written as the normalised dataset columns
//! `frequency_Hz,z_real_ohm,z_imag_ohm` (potentiostat sign: Re Z > 0, Im Z < 0 when
//! capacitive), so `galvana fit-eis` and calibration decks read it; `--noise` adds seeded
//! relative Gaussian noise for synthetic calibration data. See docs/battery.md.

use crate::cli::{write_atomic, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED};
use crate::meshless::report;
use galvana_decks::Deck;
use galvana_physics::battery::deck::Battery;
use galvana_physics::battery::impedance::linearise;
use galvana_physics::battery::params::stoichiometries_at_soc;
use galvana_physics::calibration::eis::C64;
use galvana_physics::calibration::synthetic::noisy_spectrum;
use std::path::{Path, PathBuf};

/// Arguments of `galvana battery-eis`.
#[derive(clap::Args, Debug)]
pub struct BatteryEisArgs {
    /// A battery deck (`[physics] type = "battery"`); its model and parameter set are used,
    /// its experiment (if any) is not.
    pub deck: PathBuf,
    /// State of charge of the rest state, in [0, 1] (default: the deck's initial state).
    #[arg(long)]
    pub soc: Option<f64>,
    /// First frequency [Hz].
    #[arg(long, default_value_t = 1e4)]
    pub from: f64,
    /// Last frequency [Hz].
    #[arg(long, default_value_t = 1e-3)]
    pub to: f64,
    /// Frequencies per decade (log-spaced).
    #[arg(long = "per-decade", default_value_t = 10)]
    pub per_decade: usize,
    /// Relative Gaussian noise added to every Z (Z + |Z| σ (n_re + j n_im)), for synthetic
    /// calibration data; 0: the exact spectrum.
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,
    /// Seed of the noise's random numbers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output CSV (written atomically); without it the spectrum goes to standard output.
    #[arg(long = "to-csv")]
    pub to_csv: Option<PathBuf>,
}

/// Log-spaced frequencies from `from` to `to` (either direction), `per_decade` per decade, both
/// ends included.
pub fn frequencies(from: f64, to: f64, per_decade: usize) -> Result<Vec<f64>, String> {
    for (name, v) in [("--from", from), ("--to", to)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(format!("{name}: {v} is not a positive frequency in Hz"));
        }
    }
    if per_decade == 0 {
        return Err("--per-decade: expected at least 1 point per decade".into());
    }
    let decades = (to / from).log10();
    let n = ((decades.abs() * per_decade as f64).round() as usize).max(1);
    if n > 100_000 {
        return Err(format!(
            "{} frequencies is too many (at most 100000)",
            n + 1
        ));
    }
    Ok((0..=n)
        .map(|k| from * 10f64.powf(decades * k as f64 / n as f64))
        .collect())
}

/// The spectrum as CSV text: a header and one row per frequency.
pub fn csv(f: &[f64], z: &[C64]) -> String {
    let mut s = String::from("frequency_Hz,z_real_ohm,z_imag_ohm\n");
    for (f, z) in f.iter().zip(z) {
        s.push_str(&format!("{f:.10e},{:.12e},{:.12e}\n", z.re, z.im));
    }
    s
}

fn load(path: &Path) -> Result<Battery, i32> {
    let loaded = crate::meshless::load(
        path,
        "battery",
        &["materials", "bcs", "sources", "postprocessors"],
        "the cell model brings its own",
        |d| {
            // The experiment plays no part in a small-signal spectrum: decks with or without
            // one are accepted.
            if d.physics.get("experiment").is_some() {
                Battery::from_object_at(&d.physics, Some(&d.dir()))
            } else {
                Battery::cell_from_object_at(&d.physics, Some(&d.dir()))
            }
        },
    );
    match loaded {
        Some(Ok((_, b))) => Ok(b),
        Some(Err(diags)) => Err(report(path, &diags)),
        None => match Deck::load(path, &crate::setup::registry()) {
            Err(diags) => Err(report(path, &diags)),
            Ok(d) => {
                eprintln!(
                    "error: {}: [physics] type is \"{}\"; battery-eis needs a battery deck (type = \"battery\")",
                    path.display(),
                    d.physics.type_name
                );
                Err(EXIT_INVALID)
            }
        },
    }
}

/// Runs the command: exit 0 with the spectrum written, 3 for invalid input (deck, options or
/// a model that is not linearised), 1 if the output cannot be written.
pub fn battery_eis(a: &BatteryEisArgs) -> i32 {
    let b = match load(&a.deck) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if !["spm", "spme", "dfn"].contains(&b.model.as_str()) {
        eprintln!(
            "error: {}: [physics] model = \"{}\": only the SPM, SPMe and DFN are linearised (set model = \"spm\", \"spme\" or \"dfn\")",
            a.deck.display(),
            b.model
        );
        return EXIT_INVALID;
    }
    if !(a.noise.is_finite() && a.noise >= 0.0) {
        eprintln!(
            "error: --noise {}: expected a relative standard deviation >= 0",
            a.noise
        );
        return EXIT_INVALID;
    }
    let f = match frequencies(a.from, a.to, a.per_decade) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let (x, y, whence) = match a.soc {
        Some(soc) if (0.0..=1.0).contains(&soc) => {
            let (x, y) = stoichiometries_at_soc(&b.params, soc);
            (x, y, format!("--soc {soc}"))
        }
        Some(soc) => {
            eprintln!("error: --soc {soc}: expected a state of charge in [0, 1]");
            return EXIT_INVALID;
        }
        None => (
            b.initial.0,
            b.initial.1,
            format!("{}: the deck's initial state", a.deck.display()),
        ),
    };
    let lin = match linearise(&b.model, &b.params, x, y, b.points) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {whence}: {e}");
            return EXIT_INVALID;
        }
    };
    let z = lin.spectrum(&f);
    if let Some(bad) = f.iter().zip(&z).find(|(_, z)| !z.is_finite()) {
        eprintln!(
            "error: the impedance at {} Hz is not finite (parameters at this SOC?)",
            bad.0
        );
        return EXIT_RUN_FAILED;
    }
    let z = if a.noise > 0.0 {
        noisy_spectrum(&z, a.noise, a.seed)
    } else {
        z
    };
    let text = csv(&f, &z);
    match &a.to_csv {
        None => crate::say_raw!("{text}"),
        Some(path) => {
            if let Err(e) = write_atomic(path, text.as_bytes()) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return EXIT_RUN_FAILED;
            }
            crate::say!(
                "{}: {} ({}, {} cells per particle) at rest, x = {x:.4}, y = {y:.4}: {} frequencies {} .. {} Hz, Z(inf) = {:.6e} ohm{} -> {}",
                a.deck.display(),
                b.model.to_uppercase(),
                b.params.name,
                b.points.r_n,
                f.len(),
                a.from,
                a.to,
                lin.high_frequency_limit(),
                if a.noise > 0.0 {
                    format!(", relative noise {} (seed {})", a.noise, a.seed)
                } else {
                    String::new()
                },
                path.display()
            );
        }
    }
    EXIT_OK
}
