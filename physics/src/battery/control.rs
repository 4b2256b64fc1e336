//! Pieces of the experiment runner's adaptive stepping: the current that holds a step's drive,
//! the local error estimate of an accepted BDF step and the dense output between steps.

use super::experiment::Drive;
use super::Cell;

/// Local error tolerance on the terminal voltage per step [V], for every model. The voltage at
/// this tolerance stays within 0.4 mV of a run at 1e-6 V (DFN 0.25 mV, SPMe 0.22 mV, SPM
/// 0.25 mV, the largest at 2C; `physics/tests/battery_time_error.rs`), a twelfth of the 5 mV
/// allowed against PyBaMM. (The DFN stepped at 1e-5 V by BDF2 before: 256 steps for a 1C
/// discharge, against 107 now.)
pub const TOL_V: f64 = 1e-4;
/// Local error tolerance on the current per step, as a fraction of the 1C current. It bounds
/// only steps whose current moves (holds, power steps): at 1e-4 a CV hold ended at C/50 a few
/// seconds off, the DFN CCCV charge being 0.067 % over PyBaMM's (0.021 % at 1e-5), for a handful
/// of steps more.
pub const TOL_I: f64 = 1e-5;
/// Longest step [s]: a long rest otherwise doubles its step without end.
pub const H_MAX: f64 = 600.0;

/// One accepted point of the solution inside an experiment step.
#[derive(Clone, Copy, Debug, Default)]
pub struct Point {
    /// Time since the start of the experiment step [s].
    pub tau: f64,
    pub v: f64,
    pub i: f64,
    /// Discharged capacity [A.h].
    pub q: f64,
}

/// The last (up to) four accepted points since the last restart of the error estimate.
#[derive(Clone, Debug, Default)]
pub struct Recent {
    pts: [Point; 4],
    n: usize,
}

/// The Milne factor of the order-q BDF corrector against the degree-q extrapolation of the
/// points before it, at equal steps: its error constant C_q over 1 + C_q (C = 1/2, 2/9, 3/22),
/// so 2/11 and 3/25 for orders 2 and 3. For the first-order pair it is 1/2 (1/3 exactly: the
/// runner has always been this cautious there).
const SHARE: [f64; 3] = [0.5, 2.0 / 11.0, 3.0 / 25.0];

impl Recent {
    pub fn restart(&mut self, p: Point) {
        self.pts[0] = p;
        self.n = 1;
    }

    pub fn push(&mut self, p: Point) {
        if self.n == self.pts.len() {
            self.pts.rotate_left(1);
            self.pts[self.n - 1] = p;
        } else {
            self.pts[self.n] = p;
            self.n += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn last(&self) -> Point {
        self.pts[self.n - 1]
    }

    /// The error of a new point `p` from a step of BDF order `order`, scaled so that 1 is the
    /// tolerance `(tol_v, tol_i)` ([`super::Cell::tolerances`]): the difference from the
    /// extrapolation of the recent points (degree `order`, or less while fewer points are
    /// known) times the share of it that is the corrector's own error ([`SHARE`]). Returned
    /// with the power of the step length the estimate scales with (degree + 1), for sizing the
    /// next step. With one point there is nothing to compare with: 0.
    pub fn error_within(
        &self,
        p: &Point,
        i_scale: f64,
        (tol_v, tol_i): (f64, f64),
        order: usize,
    ) -> (f64, f64) {
        let deg = order.min(self.n.saturating_sub(1)).min(3);
        if deg == 0 {
            return (0.0, 2.0);
        }
        let nodes = &self.pts[self.n - deg - 1..self.n];
        let mut taus = [0.0; 4];
        for (t, q) in taus.iter_mut().zip(nodes) {
            *t = q.tau;
        }
        let l = lagrange(&taus[..=deg], p.tau);
        let (mut v, mut i) = (0.0, 0.0);
        for (w, q) in l.iter().zip(nodes) {
            v += w * q.v;
            i += w * q.i;
        }
        let (dv, di) = (p.v - v, p.i - i);
        let err = SHARE[deg - 1] * (dv.abs() / tol_v).max(di.abs() / (tol_i * i_scale));
        (err, deg as f64 + 1.0)
    }

    /// The solution between the last accepted point and the new point `p` from a step of BDF
    /// order `order`: the polynomial through `p` and the `order` points before it (fewer where
    /// fewer are known). The divided differences are taken here, once for the many times a
    /// step evaluates it (the 1 s output rows of a long step, an event's bisection); each
    /// time costs a few multiplications.
    pub fn interpolant(&self, p: &Point, order: usize) -> Interpolant {
        let m = order.clamp(1, 3).min(self.n);
        // Nodes from the new point backwards: the Newton form's leading terms are the nearest.
        let mut x = [0.0; 4];
        let mut c = [[0.0; 4]; 3];
        for k in 0..=m {
            let q = if k == 0 { *p } else { self.pts[self.n - k] };
            x[k] = q.tau;
            c[0][k] = q.v;
            c[1][k] = q.i;
            c[2][k] = q.q;
        }
        for level in 1..=m {
            for k in (level..=m).rev() {
                let dx = x[k] - x[k - level];
                for f in c.iter_mut() {
                    f[k] = (f[k] - f[k - 1]) / dx;
                }
            }
        }
        // Unused nodes get zero coefficients: one evaluation for every degree.
        for f in c.iter_mut() {
            for v in f.iter_mut().skip(m + 1) {
                *v = 0.0;
            }
        }
        Interpolant { x, c }
    }
}

/// The dense output over one step ([`Recent::interpolant`]): the Newton form of the polynomial
/// through the step's points.
#[derive(Clone, Copy, Debug)]
pub struct Interpolant {
    x: [f64; 4],
    /// Divided differences of v, i and q (0 beyond the degree).
    c: [[f64; 4]; 3],
}

impl Interpolant {
    /// The solution at `tau`.
    #[inline]
    pub fn at(&self, tau: f64) -> Point {
        let (v, i, q) = self.values(tau);
        Point { tau, v, i, q }
    }

    /// Voltage, current and capacity at `tau`.
    #[inline(always)]
    pub fn values(&self, tau: f64) -> (f64, f64, f64) {
        let d = [tau - self.x[0], tau - self.x[1], tau - self.x[2]];
        let horner = |c: &[f64; 4]| ((c[3] * d[2] + c[2]) * d[1] + c[1]) * d[0] + c[0];
        (horner(&self.c[0]), horner(&self.c[1]), horner(&self.c[2]))
    }
}

/// Lagrange weights of the polynomial through nodes `x` (at most four) at `at`.
fn lagrange(x: &[f64], at: f64) -> [f64; 4] {
    let mut l = [0.0; 4];
    for j in 0..x.len() {
        let mut w = 1.0;
        for k in 0..x.len() {
            if k != j {
                w *= (at - x[k]) / (x[j] - x[k]);
            }
        }
        l[j] = w;
    }
    l
}

/// The current that holds `drive` over a step of length `h` ending `tau_end` seconds into the
/// experiment step (solved by secant iterations for power and voltage), with the state it
/// leads to.
pub fn solve_current<C: Cell>(
    cell: &C,
    h: f64,
    tau_end: f64,
    drive: &Drive,
    guess: f64,
) -> Result<(f64, C), String> {
    match drive {
        Drive::Rest => Ok((0.0, cell.advanced(h, 0.0))),
        Drive::Current(i) => Ok((*i, cell.advanced(h, *i))),
        Drive::Profile(p) => {
            // BDF takes the forcing at the end of the step: the value before a jump there.
            let i = p.current_before(tau_end);
            Ok((i, cell.advanced(h, i)))
        }
        Drive::Power(_) | Drive::Voltage(_) => {
            let resid = |i: f64| {
                let next = cell.advanced(h, i);
                let v = next.voltage(i);
                let r = match drive {
                    Drive::Power(p) => i * v - p,
                    Drive::Voltage(vt) => v - vt,
                    _ => unreachable!(),
                };
                (r, next)
            };
            let scale = cell.nominal_capacity_ah().max(1e-9);
            let (mut i0, mut i1) = (guess, guess + 1e-3 * scale);
            let (mut r0, _) = resid(i0);
            let (mut r1, mut n1) = resid(i1);
            for _ in 0..60 {
                if r1.abs() < 1e-11 {
                    return Ok((i1, n1));
                }
                let di = if (r1 - r0).abs() > 0.0 {
                    -r1 * (i1 - i0) / (r1 - r0)
                } else {
                    1e-3 * scale
                };
                let di = di.clamp(-10.0 * scale, 10.0 * scale);
                i0 = i1;
                r0 = r1;
                i1 += di;
                let (r, n) = resid(i1);
                r1 = r;
                n1 = n;
                if di.abs() < 1e-13 * scale {
                    return Ok((i1, n1));
                }
            }
            if r1.abs() < 1e-7 {
                Ok((i1, n1))
            } else {
                Err(format!(
                    "could not hold {drive:?}: no current found (residual {r1:.3e})"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The estimate vanishes on a quadratic (which BDF2's predictor reproduces) and the dense
    /// output reproduces a quadratic between the points.
    #[test]
    fn quadratic_is_reproduced() {
        let f = |t: f64| 4.0 - 0.01 * t + 3e-4 * t * t;
        let mut r = Recent::default();
        for tau in [0.0, 0.5, 1.5] {
            r.push(Point {
                tau,
                v: f(tau),
                i: 1.0,
                q: 0.0,
            });
        }
        let p = Point {
            tau: 3.5,
            v: f(3.5),
            i: 1.0,
            q: 0.0,
        };
        let tight = (1e-5, 1e-5);
        assert!(r.error_within(&p, 5.0, tight, 2).0 < 1e-9);
        let m = r.interpolant(&p, 2).at(2.7);
        assert!((m.v - f(2.7)).abs() < 1e-13);
        // Linear with two points.
        let mut r2 = Recent::default();
        r2.restart(Point {
            tau: 1.0,
            v: 2.0,
            i: 1.0,
            q: 0.5,
        });
        let m = r2.interpolant(&p, 2).at(2.0);
        let n = r2.interpolant(&p, 1).at(2.0);
        assert!((m.v - n.v).abs() < 1e-14 && (m.q - n.q).abs() < 1e-14);
        let line = 2.0 + (p.v - 2.0) * (2.0 - 1.0) / (3.5 - 1.0);
        assert!((m.v - line).abs() < 1e-14, "{} against {line}", m.v);
        // A cubic term shows in the estimate.
        let p3 = Point {
            v: f(3.5) + 1e-3,
            ..p
        };
        assert!(r.error_within(&p3, 5.0, tight, 2).0 > 10.0);
    }

    /// Order 3: a cubic is reproduced by the estimate and the dense output, and the estimate
    /// scales with the fourth power of the step.
    #[test]
    fn cubic_is_reproduced_at_order_3() {
        let f = |t: f64| 4.0 - 0.01 * t + 3e-4 * t * t - 2e-5 * t * t * t;
        let mut r = Recent::default();
        for tau in [0.0, 0.5, 1.5, 2.0] {
            r.push(Point {
                tau,
                v: f(tau),
                i: 1.0,
                q: f(tau),
            });
        }
        assert_eq!(r.len(), 4);
        let p = Point {
            tau: 3.1,
            v: f(3.1),
            i: 1.0,
            q: f(3.1),
        };
        let (e, pow) = r.error_within(&p, 5.0, (1e-5, 1e-5), 3);
        assert!(e < 1e-8 && pow == 4.0, "{e} {pow}");
        // At order 2 the cubic term shows.
        assert!(r.error_within(&p, 5.0, (1e-5, 1e-5), 2).0 > 1.0);
        let m = r.interpolant(&p, 3).at(2.6);
        assert!((m.v - f(2.6)).abs() < 1e-13 && (m.q - f(2.6)).abs() < 1e-13);
        // A fifth point drops the first.
        r.push(p);
        assert_eq!(r.len(), 4);
        assert_eq!(r.last().tau, 3.1);
    }
}
