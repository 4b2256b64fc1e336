//! Synthetic measurements for recovery tests: a piecewise-constant current programme sampled
//! on a fixed grid, and the voltage a [`BatteryFit`] gives for known parameters plus seeded
//! Gaussian noise, and noisy spectra. The test data of the example decks and the validation
//! cases come from here.

use super::battery::{BatteryFit, Series};
use super::eis::C64;
use super::rng::Rng;

/// Rows every `dt` seconds through `segments` of (duration [s], current [A], dataset sign:
/// negative on discharge); the voltage column is left at `v_placeholder`. A change of current
/// falls between two rows (the models ramp it linearly over one interval, as they do for
/// measured data).
pub fn programme(segments: &[(f64, f64)], dt: f64, v_placeholder: f64) -> Series {
    let total: f64 = segments.iter().map(|s| s.0).sum();
    let n = (total / dt).round() as usize;
    let mut s = Series {
        time_s: Vec::with_capacity(n + 1),
        current_a: Vec::with_capacity(n + 1),
        potential_v: Vec::with_capacity(n + 1),
    };
    for k in 0..=n {
        let t = k as f64 * dt;
        let mut end = 0.0;
        let mut i = segments.last().map_or(0.0, |x| x.1);
        for &(d, c) in segments {
            end += d;
            if t < end - 1e-9 {
                i = c;
                break;
            }
        }
        s.time_s.push(t);
        s.current_a.push(i);
        s.potential_v.push(v_placeholder);
    }
    s
}

/// The model's voltage at `theta` on `fit`'s data times plus N(0, σ²) noise from `seed`.
pub fn synthesize(
    fit: &BatteryFit,
    theta: &[f64],
    sigma: f64,
    seed: u64,
) -> Result<Series, String> {
    let v = fit.curve(theta)?;
    let mut rng = Rng::new(seed);
    let mut s = fit.data.clone();
    s.potential_v = v.iter().map(|x| x + sigma * rng.normal()).collect();
    Ok(s)
}

/// A normalised-dataset CSV (`time_s,potential_V,current_A`) with `#` comment lines.
pub fn to_csv(s: &Series, comments: &[String]) -> String {
    let mut out = String::new();
    for c in comments {
        out.push_str(&format!("# {c}\n"));
    }
    out.push_str("time_s,potential_V,current_A\n");
    for k in 0..s.time_s.len() {
        out.push_str(&format!(
            "{},{:.7},{}\n",
            s.time_s[k], s.potential_v[k], s.current_a[k]
        ));
    }
    out
}

/// `z` with relative Gaussian noise: each Z becomes Z + |Z| σ (n_re + j n_im), n ~ N(0, 1) from
/// `seed` (real part first). With `weighting = "modulus"` the fit's residuals are then
/// N(0, σ²) (to first order in σ), so σ is the noise a spectrum fit should estimate.
pub fn noisy_spectrum(z: &[C64], rel_sigma: f64, seed: u64) -> Vec<C64> {
    let mut rng = Rng::new(seed);
    z.iter()
        .map(|z| {
            let (a, b) = (rng.normal(), rng.normal());
            *z + C64::new(a, b).scale(rel_sigma * z.abs())
        })
        .collect()
}
