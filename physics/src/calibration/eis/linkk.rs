//! Lin-KK validity check (Schönleber, Klotz, Ivers-Tiffée, Electrochim. Acta 131 (2014) 20–27).
//!
//! The spectrum is fitted, by linear least squares on the complex data weighted by 1/|Z|, with
//! a Voigt chain that satisfies the Kramers–Kronig relations by construction:
//! Z = R₀ + Σₖ Rₖ/(1 + jωτₖ) + jωL (+ 1/(jωC) with [`LinKkOptions::capacitance`]), with M time
//! constants log-spaced from 1/ω_max to 1/ω_min. M grows from 1 until
//! μ = 1 − Σ_{Rₖ<0}|Rₖ| / Σ_{Rₖ≥0}Rₖ ≤ c (over-fitting starts when negative resistances
//! appear), at most `max_m`. The relative residuals Δ' = (Z' − Z'_fit)/|Z|,
//! Δ'' = (Z'' − Z''_fit)/|Z| of a KK-consistent spectrum are noise; the check passes when
//! their RMS ≤ `rms_tol` and their largest magnitude ≤ `max_tol`.

use super::complex::C64;
use super::linalg::lstsq;

/// Lin-KK settings.
#[derive(Clone, Debug)]
pub struct LinKkOptions {
    /// μ threshold (Schönleber: 0.85).
    pub c: f64,
    /// Largest number of RC elements.
    pub max_m: usize,
    /// Add a series capacitance (for spectra that stay capacitive at the lowest frequency).
    pub capacitance: bool,
    /// Pass when the RMS of all relative residuals is at most this.
    pub rms_tol: f64,
    /// ... and no relative residual exceeds this.
    pub max_tol: f64,
}

impl Default for LinKkOptions {
    fn default() -> Self {
        Self {
            c: 0.85,
            max_m: 50,
            capacitance: true,
            rms_tol: 0.01,
            max_tol: 0.03,
        }
    }
}

/// Lin-KK outcome.
#[derive(Clone, Debug)]
pub struct LinKkResult {
    /// Number of RC elements used.
    pub m: usize,
    /// μ at that M.
    pub mu: f64,
    /// False if μ never fell to `c` (then M = `max_m`).
    pub mu_reached: bool,
    /// Time constants [s] and resistances [Ω] of the RC elements.
    pub tau: Vec<f64>,
    pub r: Vec<f64>,
    pub r0: f64,
    pub l: f64,
    /// Series capacitance [F] (infinite when not fitted or not needed).
    pub cap: f64,
    /// The KK-consistent fit at each frequency.
    pub model: Vec<C64>,
    /// Relative residuals (Δ', Δ'') at each frequency.
    pub res_re: Vec<f64>,
    pub res_im: Vec<f64>,
    pub rms: f64,
    pub max_abs: f64,
    pub pass: bool,
}

/// Runs Lin-KK on impedances `z` [Ω] at frequencies `f` [Hz].
pub fn lin_kk(f: &[f64], z: &[C64], o: &LinKkOptions) -> Result<LinKkResult, String> {
    if f.len() != z.len() || f.len() < 3 {
        return Err(format!(
            "Lin-KK needs at least 3 points and as many impedances as frequencies ({} vs {})",
            f.len(),
            z.len()
        ));
    }
    if let Some(i) = f.iter().position(|&x| !(x > 0.0 && x.is_finite())) {
        return Err(format!("frequency {i} is {}, expected > 0 Hz", f[i]));
    }
    if let Some(i) = z.iter().position(|x| !x.is_finite() || x.abs() == 0.0) {
        return Err(format!("impedance {i} is zero or not finite"));
    }
    let w: Vec<f64> = f.iter().map(|&f| 2.0 * std::f64::consts::PI * f).collect();
    let (wmin, wmax) = w
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
    let extra = 2 + usize::from(o.capacitance);
    let max_m = o.max_m.min(2 * f.len() - extra - 1).max(1);
    let mut last = None;
    for m in 1..=max_m {
        let tau = time_constants(m, 1.0 / wmax, 1.0 / wmin);
        let Some(x) = solve(&w, z, &tau, o.capacitance) else {
            continue;
        };
        let rk = &x[1..=m];
        let pos: f64 = rk.iter().filter(|&&r| r >= 0.0).sum();
        let neg: f64 = rk.iter().filter(|&&r| r < 0.0).map(|r| r.abs()).sum();
        let mu = if pos > 0.0 { 1.0 - neg / pos } else { 0.0 };
        let reached = mu <= o.c;
        last = Some((m, mu, tau, x));
        if reached {
            break;
        }
    }
    let (m, mu, tau, x) = last.ok_or("Lin-KK: every least-squares system was singular")?;
    let model: Vec<C64> = w
        .iter()
        .map(|&w| voigt(w, &tau, &x, o.capacitance))
        .collect();
    let (mut res_re, mut res_im) = (Vec::new(), Vec::new());
    for (d, fit) in z.iter().zip(&model) {
        let a = d.abs();
        res_re.push((d.re - fit.re) / a);
        res_im.push((d.im - fit.im) / a);
    }
    let all = res_re.iter().chain(&res_im);
    let rms = (all.clone().map(|r| r * r).sum::<f64>() / (2 * f.len()) as f64).sqrt();
    let max_abs = all.fold(0.0f64, |a, r| a.max(r.abs()));
    Ok(LinKkResult {
        m,
        mu,
        mu_reached: mu <= o.c,
        r0: x[0],
        r: x[1..=m].to_vec(),
        l: x[m + 1],
        cap: if o.capacitance && x[m + 2] > 0.0 {
            1.0 / x[m + 2]
        } else {
            f64::INFINITY
        },
        tau,
        model,
        rms,
        max_abs,
        pass: rms <= o.rms_tol && max_abs <= o.max_tol,
        res_re,
        res_im,
    })
}

/// M time constants log-spaced over [lo, hi] (the geometric mean for M = 1).
fn time_constants(m: usize, lo: f64, hi: f64) -> Vec<f64> {
    if m == 1 {
        return vec![(lo * hi).sqrt()];
    }
    (0..m)
        .map(|k| lo * (hi / lo).powf(k as f64 / (m - 1) as f64))
        .collect()
}

/// Unknowns [R₀, R₁..R_M, L, (1/C)]; the Voigt model at ω.
fn voigt(w: f64, tau: &[f64], x: &[f64], cap: bool) -> C64 {
    let mut z = C64::new(x[0], w * x[tau.len() + 1]);
    for (t, r) in tau.iter().zip(&x[1..]) {
        z += C64::real(*r) / C64::new(1.0, w * t);
    }
    if cap {
        z += C64::new(0.0, -x[tau.len() + 2] / w);
    }
    z
}

fn solve(w: &[f64], z: &[C64], tau: &[f64], cap: bool) -> Option<Vec<f64>> {
    let n = w.len();
    let cols = tau.len() + 2 + usize::from(cap);
    let mut a = vec![0.0; 2 * n * cols];
    let mut b = vec![0.0; 2 * n];
    for i in 0..n {
        let s = 1.0 / z[i].abs();
        let (re, im) = (i * cols, (n + i) * cols);
        a[re] = s;
        for (k, t) in tau.iter().enumerate() {
            let wt = w[i] * t;
            let d = 1.0 + wt * wt;
            a[re + 1 + k] = s / d;
            a[im + 1 + k] = -s * wt / d;
        }
        a[im + tau.len() + 1] = s * w[i];
        if cap {
            a[im + tau.len() + 2] = -s / w[i];
        }
        b[i] = s * z[i].re;
        b[n + i] = s * z[i].im;
    }
    lstsq(&a, &b, 2 * n, cols).map(|(x, _)| x)
}
