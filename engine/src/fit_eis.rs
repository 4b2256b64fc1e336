//! `galvana fit-eis DATA.csv --circuit ... --initial ...`: fit an equivalent circuit to a plain
//! spectrum CSV (frequency [Hz], Z' [Ω], Z'' [Ω]) and print the parameters, standard errors
//! and correlations; optionally the Lin-KK check. See docs/eis.md.

use crate::cli::{EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED};
use galvana_physics::calibration::eis::{
    data, fit, fit::Stop, lin_kk, report, Circuit, FitOptions, LinKkOptions, Weighting,
};
use std::path::PathBuf;

/// Arguments of `galvana fit-eis`.
#[derive(clap::Args, Debug)]
pub struct FitEisArgs {
    /// Spectrum CSV: frequency [Hz], Z' [Ohm], Z'' [Ohm] (one header line and # comments skipped).
    pub data: PathBuf,
    /// Circuit in impedance.py's grammar, e.g. "R0-p(R1,CPE1)-W1".
    #[arg(long)]
    pub circuit: String,
    /// Initial guess, comma separated, in parameter order (e.g. "0.01,0.1,1,0.8,0.02").
    #[arg(long, allow_hyphen_values = true)]
    pub initial: String,
    /// Residual weighting: unit, modulus or proportional.
    #[arg(long, default_value = "unit")]
    pub weighting: String,
    /// Also run the Lin-KK validity check.
    #[arg(long = "lin-kk")]
    pub lin_kk: bool,
}

/// Runs the command; exit 0 on a converged fit, 1 if the fit did not converge (or Lin-KK
/// failed), 3 for invalid input.
pub fn fit_eis(a: &FitEisArgs) -> i32 {
    let c = match Circuit::parse(&a.circuit) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: --circuit: {e}");
            return EXIT_INVALID;
        }
    };
    let Some(weighting) = Weighting::parse(&a.weighting) else {
        eprintln!(
            "error: --weighting: '{}' is not one of unit, modulus, proportional",
            a.weighting
        );
        return EXIT_INVALID;
    };
    let mut p0 = Vec::new();
    for (i, s) in a.initial.split(',').enumerate() {
        match s.trim().parse::<f64>() {
            Ok(v) => p0.push(v),
            Err(_) => {
                eprintln!(
                    "error: --initial: value {} ('{}') is not a number; expected {} comma-separated values for {}",
                    i + 1,
                    s.trim(),
                    c.n_params(),
                    c.param_names().join(", ")
                );
                return EXIT_INVALID;
            }
        }
    }
    let s = match data::read_csv(&a.data) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let opts = FitOptions {
        weighting,
        ..Default::default()
    };
    let r = match fit(&c, &s.f, &s.z, &p0, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", a.data.display());
            return EXIT_INVALID;
        }
    };
    crate::say_raw!("{}", report::fit_table(c.text(), &r, s.f.len()));
    let mut code = EXIT_OK;
    if r.stop == Stop::MaxIter {
        eprintln!(
            "error: the fit did not converge in {} iterations",
            r.iterations
        );
        code = EXIT_RUN_FAILED;
    }
    if a.lin_kk {
        let o = LinKkOptions::default();
        match lin_kk(&s.f, &s.z, &o) {
            Ok(k) => {
                crate::say!("\n{}", report::lin_kk_summary(&k, o.rms_tol, o.max_tol));
                if !k.pass {
                    code = EXIT_RUN_FAILED;
                }
            }
            Err(e) => {
                eprintln!("error: Lin-KK: {e}");
                code = EXIT_INVALID;
            }
        }
    }
    code
}
