//! Plain-text tables of fit and Lin-KK results (for the `galvana fit-eis` command).

use super::fit::FitResult;
use super::linkk::LinKkResult;
use std::fmt::Write as _;

/// Parameters with standard errors, fit statistics and the correlation matrix.
pub fn fit_table(circuit: &str, r: &FitResult, points: usize) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "circuit {circuit}, {points} points, stop: {:?} after {} iterations ({} evaluations)",
        r.stop, r.iterations, r.evaluations
    );
    let _ = writeln!(
        o,
        "chi2 {:.6e}, chi2/(N-P) {:.6e}\n",
        r.chi2, r.reduced_chi2
    );
    let _ = writeln!(
        o,
        "{:<10} {:>15} {:>12} {:>9}  {:<12} note",
        "parameter", "value", "std error", "rel [%]", "unit"
    );
    for k in 0..r.params.len() {
        let rel = 100.0 * r.std_errors[k] / r.params[k].abs();
        let _ = writeln!(
            o,
            "{:<10} {:>15.8e} {:>12.4e} {:>9.3}  {:<12} {}",
            r.names[k],
            r.params[k],
            r.std_errors[k],
            rel,
            r.units[k],
            if r.at_bound[k] { "at bound" } else { "" }
        );
    }
    let _ = writeln!(o, "\ncorrelation");
    let n = r.params.len();
    let _ = write!(o, "{:<10}", "");
    for name in &r.names {
        let _ = write!(o, " {name:>8.8}");
    }
    o.push('\n');
    for i in 0..n {
        let _ = write!(o, "{:<10}", r.names[i]);
        for j in 0..n {
            let _ = write!(o, " {:>8.4}", r.corr(i, j));
        }
        o.push('\n');
    }
    o
}

/// One Lin-KK summary line and the verdict.
pub fn lin_kk_summary(r: &LinKkResult, rms_tol: f64, max_tol: f64) -> String {
    format!(
        "Lin-KK: M = {} RC elements, mu = {:.3}{}; residuals RMS {:.3} %, max {:.3} % -> {} (RMS <= {} %, max <= {} %)",
        r.m,
        r.mu,
        if r.mu_reached { "" } else { " (mu criterion not reached)" },
        100.0 * r.rms,
        100.0 * r.max_abs,
        if r.pass { "PASS" } else { "FAIL" },
        100.0 * rms_tol,
        100.0 * max_tol
    )
}
