//! Pieces of the experiment runner's adaptive stepping: the current that holds a step's drive,
//! the local error estimate of an accepted BDF2 step and the dense output between steps.

use super::experiment::Drive;
use super::Cell;

/// Local error tolerance on the terminal voltage per step [V]. Chosen so that the voltage
/// against PyBaMM moves by well under a tenth of a millivolt from the fixed 1 s steps it
/// replaced (tests in `physics/tests/battery_pybamm.rs`).
pub const TOL_V: f64 = 1e-5;
/// Local error tolerance on the current per step, as a fraction of the 1C current.
pub const TOL_I: f64 = 1e-5;
/// The same for the single particle models (SPM, SPMe): ten times looser. Their steps cost
/// little each, so the count is their whole cost; at this tolerance the voltage against PyBaMM
/// moves by about 0.1 mV at most from the tighter one (0.14 -> 0.23 mV max at SPMe 1C), a
/// twentieth of the 5 mV allowed, for half the steps.
pub const TOL_V_SPM: f64 = 1e-4;
pub const TOL_I_SPM: f64 = 1e-4;
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

/// The last (up to) three accepted points since the last restart of the error estimate.
#[derive(Clone, Debug, Default)]
pub struct Recent {
    pts: [Point; 3],
    n: usize,
}

impl Recent {
    pub fn restart(&mut self, p: Point) {
        self.pts[0] = p;
        self.n = 1;
    }

    pub fn push(&mut self, p: Point) {
        if self.n == 3 {
            self.pts.rotate_left(1);
            self.pts[2] = p;
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

    /// The error of a new point `p`, scaled so that 1 is the tolerance: the difference from
    /// the extrapolation of the recent points (quadratic from three, linear from two) times
    /// the share of it that is the corrector's own error (2/11 for BDF2 against a quadratic
    /// predictor at equal steps; 1/2 for the first-order pair). With one point there is
    /// nothing to compare with: 0.
    pub fn error(&self, p: &Point, i_scale: f64) -> f64 {
        self.error_within(p, i_scale, (TOL_V, TOL_I))
    }

    /// As [`Recent::error`] for tolerances `(tol_v, tol_i)` ([`super::Cell::tolerances`]).
    pub fn error_within(&self, p: &Point, i_scale: f64, (tol_v, tol_i): (f64, f64)) -> f64 {
        let (dv, di, share) = match self.n {
            3 => {
                let [a, b, c] = self.pts;
                let l = lagrange3(a.tau, b.tau, c.tau, p.tau);
                (
                    p.v - (l[0] * a.v + l[1] * b.v + l[2] * c.v),
                    p.i - (l[0] * a.i + l[1] * b.i + l[2] * c.i),
                    2.0 / 11.0,
                )
            }
            2 => {
                let [a, b, _] = self.pts;
                let s = (p.tau - b.tau) / (b.tau - a.tau);
                (
                    p.v - (b.v + s * (b.v - a.v)),
                    p.i - (b.i + s * (b.i - a.i)),
                    0.5,
                )
            }
            _ => return 0.0,
        };
        share * (dv.abs() / tol_v).max(di.abs() / (tol_i * i_scale))
    }

    /// [`Recent::interpolate`] made once for many times between the last point and `p` (the
    /// 1 s output rows of a long step): the divisions are done here, each time costs a few
    /// multiplications.
    pub fn interpolant(&self, p: &Point) -> Interpolant {
        let b = self.last();
        if self.n >= 2 {
            let a = self.pts[self.n - 2];
            Interpolant {
                nodes: [a, b, *p],
                inv: [
                    1.0 / ((a.tau - b.tau) * (a.tau - p.tau)),
                    1.0 / ((b.tau - a.tau) * (b.tau - p.tau)),
                    1.0 / ((p.tau - a.tau) * (p.tau - b.tau)),
                ],
                quadratic: true,
            }
        } else {
            Interpolant {
                nodes: [b, b, *p],
                inv: [0.0, 0.0, 1.0 / (p.tau - b.tau)],
                quadratic: false,
            }
        }
    }

    /// The solution at `tau` between the last accepted point and the new point `p`, by the
    /// quadratic through the point before, the last and `p` (linear without one before).
    pub fn interpolate(&self, p: &Point, tau: f64) -> Point {
        let b = self.last();
        if self.n >= 2 {
            let a = self.pts[self.n - 2];
            let l = lagrange3(a.tau, b.tau, p.tau, tau);
            let f = |x: f64, y: f64, z: f64| l[0] * x + l[1] * y + l[2] * z;
            Point {
                tau,
                v: f(a.v, b.v, p.v),
                i: f(a.i, b.i, p.i),
                q: f(a.q, b.q, p.q),
            }
        } else {
            let s = (tau - b.tau) / (p.tau - b.tau);
            Point {
                tau,
                v: b.v + s * (p.v - b.v),
                i: b.i + s * (p.i - b.i),
                q: b.q + s * (p.q - b.q),
            }
        }
    }
}

/// The dense output over one step ([`Recent::interpolant`]).
#[derive(Clone, Copy, Debug)]
pub struct Interpolant {
    nodes: [Point; 3],
    /// Reciprocal Lagrange denominators (linear: only the last is used).
    inv: [f64; 3],
    quadratic: bool,
}

impl Interpolant {
    /// The solution at `tau`, as [`Recent::interpolate`] gives it.
    pub fn at(&self, tau: f64) -> Point {
        let [a, b, p] = self.nodes;
        if self.quadratic {
            let (da, db, dp) = (tau - a.tau, tau - b.tau, tau - p.tau);
            let l = [
                db * dp * self.inv[0],
                da * dp * self.inv[1],
                da * db * self.inv[2],
            ];
            let f = |x: f64, y: f64, z: f64| l[0] * x + l[1] * y + l[2] * z;
            Point {
                tau,
                v: f(a.v, b.v, p.v),
                i: f(a.i, b.i, p.i),
                q: f(a.q, b.q, p.q),
            }
        } else {
            let s = (tau - b.tau) * self.inv[2];
            Point {
                tau,
                v: b.v + s * (p.v - b.v),
                i: b.i + s * (p.i - b.i),
                q: b.q + s * (p.q - b.q),
            }
        }
    }
}

/// Lagrange weights of the quadratic through nodes x0, x1, x2 at x.
fn lagrange3(x0: f64, x1: f64, x2: f64, x: f64) -> [f64; 3] {
    [
        (x - x1) * (x - x2) / ((x0 - x1) * (x0 - x2)),
        (x - x0) * (x - x2) / ((x1 - x0) * (x1 - x2)),
        (x - x0) * (x - x1) / ((x2 - x0) * (x2 - x1)),
    ]
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
        assert!(r.error(&p, 5.0) < 1e-9);
        let m = r.interpolate(&p, 2.7);
        assert!((m.v - f(2.7)).abs() < 1e-13);
        let m = r.interpolant(&p).at(2.7);
        assert!((m.v - f(2.7)).abs() < 1e-13);
        // Linear with two points.
        let mut r2 = Recent::default();
        r2.restart(Point {
            tau: 1.0,
            v: 2.0,
            i: 1.0,
            q: 0.5,
        });
        let m = r2.interpolant(&p).at(2.0);
        let n = r2.interpolate(&p, 2.0);
        assert!((m.v - n.v).abs() < 1e-14 && (m.q - n.q).abs() < 1e-14);
        // A cubic term shows in the estimate.
        let p3 = Point {
            v: f(3.5) + 1e-3,
            ..p
        };
        assert!(r.error(&p3, 5.0) > 10.0);
    }
}
