//! Variable-step BDF coefficients of orders 1 to 3, shared by the cell models.
//!
//! A model steps `a0·c − h·f(c) = Σ b_k c_{n−k}` from the present state `c_n` and up to two
//! earlier ones; the coefficients follow from differentiating the polynomial through the new
//! and the past times at the new time. The order is the number of states the step uses: 1
//! after a restart, then 2, then [`MAX_ORDER`]. `e` extrapolates the last two states linearly
//! to the end of the step: where a model linearises a coefficient such as D(c) there, the
//! coefficient is second-order accurate. (The quadratic extrapolation through three states
//! would match BDF3's order, but fed back through the SPMe's electrolyte diffusivity it made
//! the voltage's error estimate erratic at 2C: 211 steps against 113. The SPMe now takes one
//! Newton step from the linear extrapolation instead, see `Electrolyte::implicit_solve`.)

/// Highest order the models step at. Variable-step BDF3 is zero-stable for step ratios up to
/// about 1.6; the runner grows steps by at most 1.5 once the error estimate is in use.
pub const MAX_ORDER: usize = 3;

/// One step's coefficients.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bdf {
    pub a0: f64,
    /// Weights of c_n, c_{n−1}, c_{n−2} on the right-hand side (0 beyond the order).
    pub b: [f64; 3],
    /// Weights of c_n and c_{n−1} in the linear extrapolation to the end of the step.
    pub e: [f64; 2],
    pub order: usize,
}

impl Bdf {
    /// Backward Euler (no history).
    pub const FIRST: Bdf = Bdf {
        a0: 1.0,
        b: [1.0, 0.0, 0.0],
        e: [1.0, 0.0],
        order: 1,
    };

    /// The step of length `h` after past steps `past` (most recent first: t_n − t_{n−1},
    /// t_{n−1} − t_{n−2}); the order is one more than the number used, at most [`MAX_ORDER`].
    pub fn new(h: f64, past: &[f64]) -> Bdf {
        let order = (past.len() + 1).min(MAX_ORDER);
        // Times relative to the new one: 0, −h, −h − h1, −h − h1 − h2.
        let mut t = [0.0f64; 4];
        t[1] = -h;
        for k in 1..order {
            t[k + 1] = t[k] - past[k - 1];
        }
        let nodes = &t[..=order];
        let a0 = h * nodes[1..].iter().map(|tm| -1.0 / tm).sum::<f64>();
        let mut b = [0.0; 3];
        let mut e = [1.0, 0.0];
        for j in 1..=order {
            // l_j'(0): the factor (t − 0) of the numerator is the one differentiated.
            let mut num = 1.0;
            let mut den = nodes[j] - nodes[0];
            for (m, &tm) in nodes.iter().enumerate().skip(1) {
                if m != j {
                    num *= -tm;
                    den *= nodes[j] - tm;
                }
            }
            b[j - 1] = -h * num / den;
        }
        if order >= 2 {
            // The line through the last two states, at 0.
            e = [1.0 + h / past[0], -h / past[0]];
        }
        Bdf { a0, b, e, order }
    }

    /// The right-hand side from the present value and the past ones (unused ones: any value).
    #[inline]
    pub fn rhs(&self, c: f64, cm: f64, cmm: f64) -> f64 {
        match self.order {
            1 => c,
            2 => self.b[0] * c + self.b[1] * cm,
            _ => self.b[0] * c + self.b[1] * cm + self.b[2] * cmm,
        }
    }

    /// The linear extrapolation of the present and the last value to the end of the step (the
    /// present one after a restart).
    #[inline]
    pub fn extrapolate(&self, c: f64, cm: f64) -> f64 {
        self.e[0] * c + self.e[1] * cm
    }

    /// The step of length `h` after the steps of lengths `h1` (the last) and `h2` (the one
    /// before it) where the model keeps those states: the history a model has picks the order.
    pub fn after(h: f64, h1: Option<f64>, h2: Option<f64>) -> Bdf {
        match (h1, h2) {
            (Some(h1), Some(h2)) => Bdf::new(h, &[h1, h2]),
            (Some(h1), None) => Bdf::new(h, &[h1]),
            _ => Bdf::FIRST,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook constant-step forms, and the variable-step BDF2 the models used before.
    #[test]
    fn constant_steps_give_the_textbook_formulas() {
        let b2 = Bdf::new(1.0, &[1.0]);
        assert!((b2.a0 - 1.5).abs() < 1e-14);
        assert!((b2.b[0] - 2.0).abs() < 1e-14 && (b2.b[1] + 0.5).abs() < 1e-14);
        let b3 = Bdf::new(1.0, &[1.0, 1.0]);
        assert!((b3.a0 - 11.0 / 6.0).abs() < 1e-14);
        assert!((b3.b[0] - 3.0).abs() < 1e-14);
        assert!((b3.b[1] + 1.5).abs() < 1e-14);
        assert!((b3.b[2] - 1.0 / 3.0).abs() < 1e-14);
        let w = 1.7;
        let v = Bdf::new(w, &[1.0]);
        assert!((v.a0 - (1.0 + 2.0 * w) / (1.0 + w)).abs() < 1e-14);
        assert!((v.b[0] - (1.0 + w)).abs() < 1e-14);
        assert!((v.b[1] + w * w / (1.0 + w)).abs() < 1e-14);
        assert_eq!(Bdf::new(2.0, &[]), Bdf::FIRST);
    }

    /// Each order differentiates polynomials of its degree exactly at uneven steps, and the
    /// extrapolation reproduces lines.
    #[test]
    fn exact_on_polynomials_of_the_order() {
        let (h, h1, h2) = (0.7, 1.3, 0.4);
        let ts = [0.0, -h, -h - h1, -h - h1 - h2];
        for order in 1..=3 {
            let b = Bdf::new(h, &[h1, h2][..order - 1]);
            assert_eq!(b.order, order);
            for deg in 0..=order {
                let y = |t: f64| (t + 0.3).powi(deg as i32);
                let dy = if deg == 0 {
                    0.0
                } else {
                    deg as f64 * 0.3f64.powi(deg as i32 - 1)
                };
                // a0 y(0) − h y'(0) = Σ b_k y(t_{n−k}).
                let lhs = b.a0 * y(ts[0]) - h * dy;
                let rhs = b.rhs(y(ts[1]), y(ts[2]), y(ts[3]));
                assert!((lhs - rhs).abs() < 1e-12, "order {order} degree {deg}");
                if deg < order.min(2) {
                    let ex = b.extrapolate(y(ts[1]), y(ts[2]));
                    assert!((ex - y(0.0)).abs() < 1e-12, "extrapolation {order} {deg}");
                }
            }
        }
    }
}
