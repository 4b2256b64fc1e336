//! Shared helpers of the EIS tests: the copied reference data (tests/data/eis, see its README)
//! and a seeded normal generator for synthetic noise.

#![allow(dead_code)]

use galvana_physics::calibration::eis::data::Spectrum;
use galvana_physics::calibration::eis::C64;
use std::path::PathBuf;

pub const CIRCUIT: &str = "R0-p(R1,CPE1)-W1";
pub const P_TRUE: [f64; 5] = [0.02, 0.05, 2.0, 0.85, 0.01];
pub const P0: [f64; 5] = [0.01, 0.1, 1.0, 0.8, 0.02];

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/eis")
        .join(name)
}

/// The shared synthetic spectrum: noisy columns (1, 2) or impedance.py's noise-free ones (3, 4).
pub fn synthetic(truth: bool) -> Spectrum {
    let text = std::fs::read_to_string(data("synthetic_R0-p_R1_CPE1_-W1.csv")).unwrap();
    let mut s = Spectrum::default();
    for l in text.lines().skip(1) {
        let v: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
        let k = if truth { 3 } else { 1 };
        s.f.push(v[0]);
        s.z.push(C64::new(v[k], v[k + 1]));
    }
    assert_eq!(s.f.len(), 60);
    s
}

/// The number array `"key": [..]` in `text` (the first one after the start of `text`).
pub fn json_array(text: &str, key: &str) -> Vec<f64> {
    let i = text.find(&format!("\"{key}\"")).unwrap();
    let a = text[i..].find('[').unwrap() + i + 1;
    let b = text[a..].find(']').unwrap() + a;
    text[a..b]
        .split(',')
        .map(|x| x.trim().parse().unwrap())
        .collect()
}

/// log-spaced frequencies from `hi` down to `lo` [Hz], like numpy's logspace.
pub fn logspace(hi_exp: f64, lo_exp: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 10f64.powf(hi_exp + (lo_exp - hi_exp) * i as f64 / (n - 1) as f64))
        .collect()
}

/// SplitMix64 with Box–Muller: reproducible standard normals.
pub struct Normal(u64);

impl Normal {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn sample(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}
