//! A minimal complex number for impedances (only the operations the EIS code needs).

use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

/// A complex number `re + j im`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct C64 {
    pub re: f64,
    pub im: f64,
}

/// The imaginary unit.
pub const J: C64 = C64 { re: 0.0, im: 1.0 };

impl C64 {
    pub const fn new(re: f64, im: f64) -> Self {
        Self { re, im }
    }
    pub const fn real(re: f64) -> Self {
        Self { re, im: 0.0 }
    }
    /// Modulus, without overflow for large parts.
    pub fn abs(self) -> f64 {
        self.re.hypot(self.im)
    }
    /// Argument in radians, in (−π, π].
    pub fn arg(self) -> f64 {
        self.im.atan2(self.re)
    }
    pub fn norm_sqr(self) -> f64 {
        self.re * self.re + self.im * self.im
    }
    pub fn conj(self) -> Self {
        Self::new(self.re, -self.im)
    }
    pub fn recip(self) -> Self {
        // Smith's algorithm: no overflow or underflow of |z|² for extreme parts.
        if self.re.abs() >= self.im.abs() {
            let r = self.im / self.re;
            let d = self.re + self.im * r;
            Self::new(1.0 / d, -r / d)
        } else {
            let r = self.re / self.im;
            let d = self.re * r + self.im;
            Self::new(r / d, -1.0 / d)
        }
    }
    pub fn scale(self, s: f64) -> Self {
        Self::new(self.re * s, self.im * s)
    }
    pub fn exp(self) -> Self {
        let m = self.re.exp();
        Self::new(m * self.im.cos(), m * self.im.sin())
    }
    /// exp(z) − 1, accurate for small |z|.
    pub fn expm1(self) -> Self {
        let (s, c) = self.im.sin_cos();
        let em1 = self.re.exp_m1();
        // cos b − 1 = −2 sin²(b/2) avoids cancellation.
        let half = (0.5 * self.im).sin();
        Self::new(em1 * c - 2.0 * half * half, (em1 + 1.0) * s)
    }
    /// Principal natural logarithm.
    pub fn ln(self) -> Self {
        Self::new(self.abs().ln(), self.arg())
    }
    /// Principal square root.
    pub fn sqrt(self) -> Self {
        let r = self.abs();
        if r == 0.0 {
            return Self::default();
        }
        let a = ((r + self.re.abs()) * 0.5).sqrt();
        if self.re >= 0.0 {
            Self::new(a, self.im / (2.0 * a))
        } else {
            Self::new(self.im.abs() / (2.0 * a), a.copysign(self.im))
        }
    }
    /// Principal power with a real exponent.
    pub fn powf(self, p: f64) -> Self {
        let r = self.abs();
        if r == 0.0 {
            return Self::default();
        }
        let m = r.powf(p);
        let t = self.arg() * p;
        Self::new(m * t.cos(), m * t.sin())
    }
    /// tanh for Re z ≥ 0, through exp(−2z) so that large |z| cannot overflow.
    pub fn tanh(self) -> Self {
        let z = if self.re < 0.0 { -self } else { self };
        let e = (z.scale(-2.0)).expm1(); // e^{-2z} - 1
        let t = -(e / (C64::real(2.0) + e));
        if self.re < 0.0 {
            -t
        } else {
            t
        }
    }
    pub fn is_finite(self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
}

impl Add for C64 {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self::new(self.re + o.re, self.im + o.im)
    }
}
impl AddAssign for C64 {
    fn add_assign(&mut self, o: Self) {
        self.re += o.re;
        self.im += o.im;
    }
}
impl Sub for C64 {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Self::new(self.re - o.re, self.im - o.im)
    }
}
impl Mul for C64 {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        Self::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
}
impl Div for C64 {
    type Output = Self;
    #[allow(clippy::suspicious_arithmetic_impl)] // a/b = a · (1/b) with Smith's reciprocal
    fn div(self, o: Self) -> Self {
        self * o.recip()
    }
}
impl Neg for C64 {
    type Output = Self;
    fn neg(self) -> Self {
        Self::new(-self.re, -self.im)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_matches_definition_and_limits() {
        // tanh(x + j y) = (sinh 2x + j sin 2y) / (cosh 2x + cos 2y)
        for (x, y) in [(0.3, 0.7), (1e-4, 2e-4), (2.0, -1.0), (-0.5, 0.2)] {
            let t = C64::new(x, y).tanh();
            let d = (2.0 * x).cosh() + (2.0 * y).cos();
            assert!((t.re - (2.0 * x).sinh() / d).abs() < 1e-14);
            assert!((t.im - (2.0 * y).sin() / d).abs() < 1e-14);
        }
        let big = C64::new(800.0, 800.0).tanh();
        assert!((big.re - 1.0).abs() < 1e-15 && big.im.abs() < 1e-15);
    }

    #[test]
    fn sqrt_powf_ln_are_consistent() {
        for z in [C64::new(3.0, 4.0), C64::new(-2.0, 0.5), C64::new(0.0, -1.0)] {
            let s = z.sqrt();
            let b = s * s;
            assert!((b - z).abs() < 1e-14 * z.abs());
            let p = z.powf(0.5);
            assert!((p - s).abs() < 1e-14 * s.abs());
            let e = z.ln().exp();
            assert!((e - z).abs() < 1e-14 * z.abs());
        }
        let z = C64::new(1e-9, -2e-9);
        // exp(z) − 1 = z + z²/2 + …, to full relative precision (exp(z) − 1 would keep ~7 digits).
        let want = z + (z * z).scale(0.5);
        assert!((z.expm1() - want).abs() < 2e-16 * z.abs());
    }
}
