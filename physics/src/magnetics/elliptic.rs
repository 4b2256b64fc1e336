//! Complete elliptic integrals by the arithmetic–geometric mean, to full double precision,
//! written so the loop formulas need no differences of nearly equal numbers.
//!
//! Parameter convention: m = k². Returned together, from one AGM run:
//! K(m), D(m) = (K − E)/m, E(m) = K − m D, and g(m) = (K − (2 − m) D)/m, the combination that
//! the radial loop field and the mutual inductance need (it is O(1) as m → 0 while its
//! numerator is O(m); a power series is used below [`SERIES_BELOW`]).
//! Reference: Abramowitz & Stegun 17.6 (AGM), DLMF 19.8.

use std::f64::consts::FRAC_PI_2;

/// Below this m, g(m) comes from its Maclaurin series (cancellation in the closed form would
/// cost up to 3e-16/m relative).
pub const SERIES_BELOW: f64 = 0.05;
const NSERIES: usize = 16;

/// K, D, E, g at once.
#[derive(Clone, Copy, Debug)]
pub struct Ellip {
    pub k: f64,
    pub d: f64,
    pub e: f64,
    pub g: f64,
}

/// Series coefficients of g(m) = π/2 Σ_{n≥0} c_n mⁿ, from the Maclaurin series of K and E
/// (A&S 17.3.11–12); computed once.
pub(crate) fn g_series() -> &'static [f64; NSERIES] {
    static C: std::sync::OnceLock<[f64; NSERIES]> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        // k_n: coefficients of 2K/π; e_n of 2E/π; d_n of 2D/π = (k_{n+1} - e_{n+1}).
        let n = NSERIES + 2;
        let mut kc = vec![1.0f64; n + 1];
        let mut c = 1.0f64;
        for (i, kci) in kc.iter_mut().enumerate().skip(1) {
            c *= (2 * i - 1) as f64 / (2 * i) as f64;
            *kci = c * c;
        }
        let ec: Vec<f64> = (0..=n).map(|i| kc[i] / (1.0 - 2.0 * i as f64)).collect();
        let dc: Vec<f64> = (0..n).map(|i| kc[i + 1] - ec[i + 1]).collect();
        // f = K - (2 - m) D = E - 2(1 - m) D; f_0 = 0; g_{n-1} = f_n.
        let mut out = [0.0; NSERIES];
        for (i, o) in out.iter_mut().enumerate() {
            let nn = i + 1;
            *o = ec[nn] - 2.0 * dc[nn] + 2.0 * dc[nn - 1];
        }
        out
    })
}

/// K, D, E, g for parameter m in [0, 1), with `one_minus_m` = 1 − m passed separately so that
/// callers near m = 1 (points near a wire) keep its relative precision.
pub fn ellip(m: f64, one_minus_m: f64) -> Ellip {
    let mut a = 1.0f64;
    let mut b = one_minus_m.sqrt();
    let mut c = m.sqrt();
    // s = Σ 2^{n-1} c_n² / m, with c_0² / m = 1 (A&S 17.6.3–4); c_{n+1} = c_n² / (4 a_{n+1}).
    let mut s = 0.5;
    let mut w = 0.5; // 2^{n-1}
    for _ in 0..40 {
        let an = 0.5 * (a + b);
        let cn = c * c / (4.0 * an);
        b = (a * b).sqrt();
        a = an;
        w *= 2.0;
        let t = if m > 0.0 { cn * cn / m } else { 0.0 };
        c = cn;
        s += w * t;
        if cn <= 1e-17 * a {
            break;
        }
    }
    let k = FRAC_PI_2 / a;
    let d = k * s;
    let e = k - m * d;
    let g = if m < SERIES_BELOW {
        let cs = g_series();
        let mut acc = 0.0;
        for &ci in cs.iter().rev() {
            acc = acc * m + ci;
        }
        FRAC_PI_2 * acc
    } else {
        (k - (2.0 - m) * d) / m
    };
    Ellip { k, d, e, g }
}

/// Complete elliptic integral of the first kind K(m), m = k² in [0, 1).
pub fn ellip_k(m: f64) -> f64 {
    ellip(m, 1.0 - m).k
}

/// Complete elliptic integral of the second kind E(m), m = k² in [0, 1].
pub fn ellip_e(m: f64) -> f64 {
    if m >= 1.0 {
        return 1.0;
    }
    ellip(m, 1.0 - m).e
}
