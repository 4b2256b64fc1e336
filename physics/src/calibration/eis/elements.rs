//! Circuit elements: impedance Z(ω; p) and its analytic derivatives ∂Z/∂p.
//!
//! Conventions (the same as impedance.py, so that fitted parameters are comparable), with
//! ω = 2πf and j² = −1:
//!
//! | element | parameters (units) | Z |
//! |---|---|---|
//! | `R` | R (Ω) | R |
//! | `C` | C (F) | 1/(jωC) |
//! | `L` | L (H) | jωL |
//! | `CPE` | Q (Ω⁻¹ sᵅ), α (–) | 1/(Q (jω)^α) |
//! | `W` | A_W (Ω s^−½) | A_W (1 − j)/√ω (semi-infinite Warburg) |
//! | `Wo` | Z₀ (Ω), τ (s) | Z₀ coth(√(jωτ))/√(jωτ) (finite space, open/reflective end) |
//! | `Ws` | Z₀ (Ω), τ (s) | Z₀ tanh(√(jωτ))/√(jωτ) (finite length, short/transmissive end) |

use super::complex::C64;

/// The element kinds of the circuit grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    R,
    C,
    L,
    Cpe,
    W,
    Wo,
    Ws,
}

/// Every kind, in the order shown in error messages.
pub const ALL: [Kind; 7] = [
    Kind::R,
    Kind::C,
    Kind::L,
    Kind::Cpe,
    Kind::W,
    Kind::Wo,
    Kind::Ws,
];

/// Below this |jωτ| the finite Warburgs use their Taylor series (the closed forms lose
/// digits to cancellation there).
const SERIES_BELOW: f64 = 1e-3;

impl Kind {
    /// The name used in circuit strings.
    pub fn symbol(self) -> &'static str {
        match self {
            Kind::R => "R",
            Kind::C => "C",
            Kind::L => "L",
            Kind::Cpe => "CPE",
            Kind::W => "W",
            Kind::Wo => "Wo",
            Kind::Ws => "Ws",
        }
    }

    /// The kind named `s` (case-sensitive, as in impedance.py).
    pub fn from_symbol(s: &str) -> Option<Kind> {
        ALL.iter().copied().find(|k| k.symbol() == s)
    }

    /// Number of parameters.
    pub fn n_params(self) -> usize {
        match self {
            Kind::Cpe | Kind::Wo | Kind::Ws => 2,
            _ => 1,
        }
    }

    /// Units of each parameter.
    pub fn units(self) -> &'static [&'static str] {
        match self {
            Kind::R => &["Ohm"],
            Kind::C => &["F"],
            Kind::L => &["H"],
            Kind::Cpe => &["Ohm^-1 s^a", ""],
            Kind::W => &["Ohm s^-1/2"],
            Kind::Wo | Kind::Ws => &["Ohm", "s"],
        }
    }

    /// Default bounds (lower, upper) of parameter `i`: every parameter ≥ 0, a CPE's α ≤ 1
    /// (impedance.py's defaults).
    pub fn default_bounds(self, i: usize) -> (f64, f64) {
        match (self, i) {
            (Kind::Cpe, 1) => (0.0, 1.0),
            _ => (0.0, f64::INFINITY),
        }
    }

    /// Z at angular frequency `w` [rad/s] with parameters `p`; writes ∂Z/∂p into `dz`
    /// (`p.len() == dz.len() == self.n_params()`).
    pub fn eval(self, w: f64, p: &[f64], dz: &mut [C64]) -> C64 {
        match self {
            Kind::R => {
                dz[0] = C64::real(1.0);
                C64::real(p[0])
            }
            Kind::C => {
                // Z = −j/(ωC), ∂Z/∂C = j/(ωC²)
                let z = C64::new(0.0, -1.0 / (w * p[0]));
                dz[0] = C64::new(0.0, 1.0 / (w * p[0] * p[0]));
                z
            }
            Kind::L => {
                dz[0] = C64::new(0.0, w);
                C64::new(0.0, w * p[0])
            }
            Kind::Cpe => {
                // Z = Q⁻¹ (jω)^(−α) = Q⁻¹ ω^(−α) e^(−jπα/2)
                let (q, a) = (p[0], p[1]);
                let m = w.powf(-a) / q;
                let t = -a * std::f64::consts::FRAC_PI_2;
                let z = C64::new(m * t.cos(), m * t.sin());
                dz[0] = z.scale(-1.0 / q);
                // ∂Z/∂α = −ln(jω) Z, ln(jω) = ln ω + jπ/2
                dz[1] = -(C64::new(w.ln(), std::f64::consts::FRAC_PI_2) * z);
                z
            }
            Kind::W => {
                let s = 1.0 / w.sqrt();
                dz[0] = C64::new(s, -s);
                C64::new(p[0] * s, -p[0] * s)
            }
            Kind::Wo => finite_warburg(w, p, dz, false),
            Kind::Ws => finite_warburg(w, p, dz, true),
        }
    }
}

/// Wo (`short == false`, g(u) = coth(√u)/√u) and Ws (`short == true`, g(u) = tanh(√u)/√u)
/// with u = jωτ: Z = Z₀ g(u), ∂Z/∂Z₀ = g, ∂Z/∂τ = Z₀ g'(u) u/τ.
fn finite_warburg(w: f64, p: &[f64], dz: &mut [C64], short: bool) -> C64 {
    let (z0, tau) = (p[0], p[1]);
    let u = C64::new(0.0, w * tau);
    let (g, u_dg) = if u.abs() < SERIES_BELOW {
        series(u, short)
    } else {
        let s = u.sqrt();
        let t = s.tanh();
        let one = C64::real(1.0);
        if short {
            // g = t/s; u g' = ((1 − t²) s − t)/(2 s)
            let g = t / s;
            (g, ((one - t * t) * s - t) / s.scale(2.0))
        } else {
            // g = 1/(t s); u g' = −((1 − t²) s/t² + 1/t)/(2 s)
            let g = (t * s).recip();
            let tt = t * t;
            (g, -(((one - tt) * s / tt) + t.recip()) / s.scale(2.0))
        }
    };
    dz[0] = g;
    dz[1] = u_dg.scale(z0 / tau);
    g.scale(z0)
}

/// Taylor series of g(u) and u g'(u) for small |u|.
fn series(u: C64, short: bool) -> (C64, C64) {
    // tanh(√u)/√u = 1 − u/3 + 2u²/15 − 17u³/315 + 62u⁴/2835
    // coth(√u)/√u = 1/u + 1/3 − u/45 + 2u²/945 − u³/4725
    let c: [f64; 5] = if short {
        [1.0, -1.0 / 3.0, 2.0 / 15.0, -17.0 / 315.0, 62.0 / 2835.0]
    } else {
        [
            1.0 / 3.0,
            -1.0 / 45.0,
            2.0 / 945.0,
            -1.0 / 4725.0,
            2.0 / 93555.0,
        ]
    };
    let mut g = C64::default();
    let mut ug = C64::default();
    let mut pk = C64::real(1.0);
    for (k, &ck) in c.iter().enumerate() {
        g += pk.scale(ck);
        ug += pk.scale(ck * k as f64);
        pk = pk * u;
    }
    if !short {
        let inv = u.recip();
        g += inv;
        ug += -inv; // u · d(1/u)/du = −1/u
    }
    (g, ug)
}
