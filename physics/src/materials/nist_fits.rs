//! Curve fits of the NIST Cryogenic Technologies Group "Material Properties" pages
//! (<https://trc.nist.gov/cryogenics/materials/materialproperties.htm>; E. D. Marquardt,
//! J. P. Le, R. Radebaugh, "Cryogenic Material Properties Database", 11th Int. Cryocooler
//! Conf., 2000). Coefficients a..i are listed in page order; T in K, result in SI units.
//!
//! Stated fit accuracies are NIST's "curve fit % error relative to data". Independent check
//! values (handbook tables, Wiedemann–Franz, Debye) live in `tests/nist_check_values.rs`.

use std::f64::consts::LN_10;

/// A NIST cryogenic property fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fit {
    /// log₁₀ y = a + b·x + c·x² + … + i·x⁸ with x = log₁₀ T.
    LogPolynomial([f64; 9]),
    /// The OFHC-copper conductivity form
    /// log₁₀ y = (a + c·T^0.5 + e·T + g·T^1.5 + i·T²) / (1 + b·T^0.5 + d·T + f·T^1.5 + h·T²).
    CopperRational([f64; 9]),
}

impl Fit {
    /// The fitted value at `t` (K, > 0). No clamping: callers clamp to the valid range.
    pub fn eval(&self, t: f64) -> f64 {
        self.eval_with_derivative(t).0
    }

    /// (value, d value / dT) at `t` (K, > 0).
    pub fn eval_with_derivative(&self, t: f64) -> (f64, f64) {
        match self {
            Fit::LogPolynomial(c) => {
                let x = t.log10();
                // Horner for p(x) and p'(x) together.
                let (mut p, mut dp) = (c[8], 0.0);
                for &cj in c[..8].iter().rev() {
                    dp = dp * x + p;
                    p = p * x + cj;
                }
                let y = 10f64.powf(p);
                // d/dT 10^p(x) = 10^p · ln10 · p'(x) · 1/(T ln10).
                (y, y * dp / t)
            }
            Fit::CopperRational([a, b, c, d, e, f, g, h, i]) => {
                let s = t.sqrt();
                let num = a + c * s + e * t + g * t * s + i * t * t;
                let den = 1.0 + b * s + d * t + f * t * s + h * t * t;
                let dnum = c / (2.0 * s) + e + 1.5 * g * s + 2.0 * i * t;
                let dden = b / (2.0 * s) + d + 1.5 * f * s + 2.0 * h * t;
                let y = 10f64.powf(num / den);
                (y, y * LN_10 * (dnum * den - num * dden) / (den * den))
            }
        }
    }
}

/// One NIST material: its fits, where they come from, and how good NIST says they are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NistFitInfo {
    /// Name used by `materials::nist` and the deck's `material` choice.
    pub name: &'static str,
    /// Human-readable description.
    pub title: &'static str,
    /// NIST page the coefficients are taken from.
    pub source: &'static str,
    pub conductivity: Fit,
    pub specific_heat: Fit,
    /// Temperature range (K) over which the properties are evaluated (clamped outside).
    pub range: (f64, f64),
    /// Nominal room-temperature density, kg/m³.
    pub density: f64,
    /// NIST's stated accuracy and range notes.
    pub accuracy: &'static str,
}

const COPPER_PAGE: &str = "NIST Cryogenic Technologies Group, 'Material Properties: OFHC Copper (UNS C10100/C10200)', \
     https://trc.nist.gov/cryogenics/materials/OFHC%20Copper/OFHC_Copper_rev1.htm (revised 02/03/2010)";
const AL6061_PAGE: &str =
    "NIST Cryogenic Technologies Group, 'Material Properties: 6061-T6 Aluminum (UNS A96061)', \
     https://trc.nist.gov/cryogenics/materials/6061%20Aluminum/6061_T6Aluminum_rev.htm";
const SS304_PAGE: &str =
    "NIST Cryogenic Technologies Group, 'Material Properties: 304 Stainless (UNS S30400)', \
     https://trc.nist.gov/cryogenics/materials/304Stainless/304Stainless_rev.htm";
const G10_PAGE: &str = "NIST Cryogenic Technologies Group, 'Material Properties: G-10 CR (Fiberglass Epoxy)', \
     https://trc.nist.gov/cryogenics/materials/G-10%20CR%20Fiberglass%20Epoxy/G10CRFiberglassEpoxy_rev.htm";

/// OFHC copper specific heat, J/(kg K); data and equation range 4–300 K.
const COPPER_CP: Fit = Fit::LogPolynomial([
    -1.91844, -0.15973, 8.61013, -18.996, 21.9661, -12.7328, 3.54322, -0.3797, 0.0,
]);
/// G-10 CR specific heat, J/(kg K); equation range 4–300 K, 2 %.
const G10_CP: Fit = Fit::LogPolynomial([
    -2.4083, 7.6006, -8.2982, 7.3301, -4.2386, 1.4294, -0.24396, 0.015236, 0.0,
]);

/// All NIST fits, in the order of `materials::NIST_NAMES`.
pub const NIST_FITS: [NistFitInfo; 6] = [
    NistFitInfo {
        name: "copper_rrr50",
        title: "OFHC copper, RRR = 50",
        source: COPPER_PAGE,
        conductivity: Fit::CopperRational([
            1.8743, -0.41538, -0.6018, 0.13294, 0.26426, -0.0219, -0.051276, 0.0014871, 0.003723,
        ]),
        specific_heat: COPPER_CP,
        range: (4.0, 300.0),
        density: 8960.0,
        accuracy: "k: 4-300 K, 2 % vs data; cp: 4-300 K, 10 % (T < 15 K), 5 % (T >= 15 K)",
    },
    NistFitInfo {
        name: "copper_rrr100",
        title: "OFHC copper, RRR = 100",
        source: COPPER_PAGE,
        conductivity: Fit::CopperRational([
            2.2154, -0.47461, -0.88068, 0.13871, 0.29505, -0.02043, -0.04831, 0.001281, 0.003207,
        ]),
        specific_heat: COPPER_CP,
        range: (4.0, 300.0),
        density: 8960.0,
        accuracy: "k: 4-300 K, 1 % vs data; cp: 4-300 K, 10 % (T < 15 K), 5 % (T >= 15 K)",
    },
    NistFitInfo {
        name: "al6061_t6",
        title: "Aluminum 6061-T6",
        source: AL6061_PAGE,
        conductivity: Fit::LogPolynomial([
            0.07918, 1.0957, -0.07277, 0.08084, 0.02803, -0.09464, 0.04179, -0.00571, 0.0,
        ]),
        specific_heat: Fit::LogPolynomial([
            46.6467, -314.292, 866.662, -1298.3, 1162.27, -637.795, 210.351, -38.3094, 2.96344,
        ]),
        range: (4.0, 300.0),
        density: 2700.0,
        accuracy: "k: data 4-300 K, equation 1-300 K, 0.5 %; cp: 4-300 K, 5 % \
                   (the cp fit reads ~954 J/(kg K) at 300 K, ~6 % above handbook 896)",
    },
    NistFitInfo {
        name: "ss304",
        title: "Stainless steel 304",
        source: SS304_PAGE,
        conductivity: Fit::LogPolynomial([
            -1.4087, 1.3982, 0.2543, -0.6260, 0.2334, 0.4256, -0.4658, 0.1650, -0.0199,
        ]),
        specific_heat: Fit::LogPolynomial([
            22.0061, -127.5528, 303.647, -381.0098, 274.0328, -112.9212, 24.7593, -2.239153, 0.0,
        ]),
        range: (4.0, 300.0),
        density: 7900.0,
        accuracy: "k and cp: data 4-300 K (stated fit errors not re-verified here; see page)",
    },
    NistFitInfo {
        name: "g10_normal",
        title: "G-10 CR fiberglass epoxy, normal (through-thickness) direction",
        source: G10_PAGE,
        conductivity: Fit::LogPolynomial([
            -4.1236, 13.788, -26.068, 26.272, -14.663, 4.4954, -0.6905, 0.0397, 0.0,
        ]),
        specific_heat: G10_CP,
        range: (4.0, 300.0),
        density: 1948.0,
        accuracy: "k: data 4-300 K but NIST equation range 10-300 K, 5 % (4-10 K uses the fit \
                   below its stated range); cp: 4-300 K, 2 %",
    },
    NistFitInfo {
        name: "g10_warp",
        title: "G-10 CR fiberglass epoxy, warp (in-plane) direction",
        source: G10_PAGE,
        conductivity: Fit::LogPolynomial([
            -2.64827, 8.80228, -24.8998, 41.1625, -39.8754, 23.1778, -7.95635, 1.48806, -0.11701,
        ]),
        specific_heat: G10_CP,
        range: (4.0, 300.0),
        density: 1948.0,
        accuracy: "k: data 4-300 K but NIST equation range 12-300 K, 5 % (4-12 K uses the fit \
                   below its stated range); cp: 4-300 K, 2 %",
    },
];

/// The fit record for `name`, if known.
pub fn nist_fit_info(name: &str) -> Option<&'static NistFitInfo> {
    NIST_FITS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        for info in &NIST_FITS {
            for fit in [info.conductivity, info.specific_heat] {
                for i in 0..60 {
                    let t = 4.0 + i as f64 * 4.93;
                    let h = 1e-5 * t;
                    let fd = (fit.eval(t + h) - fit.eval(t - h)) / (2.0 * h);
                    let (_, d) = fit.eval_with_derivative(t);
                    assert!(
                        (fd - d).abs() <= 1e-6 * d.abs().max(fit.eval(t) / t),
                        "{} T={t}: {fd} vs {d}",
                        info.name
                    );
                }
            }
        }
    }
}
