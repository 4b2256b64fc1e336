//! Fickian diffusion in a spherical particle by finite volumes, as PyBaMM discretises it:
//! `n` uniform cells on [0, R], fluxes on cell edges, the spherical divergence
//! `(r²N)|_{i+1/2} − (r²N)|_{i−1/2}` over the cell volume `(r³_{i+1/2} − r³_{i−1/2})/3`, the
//! surface flux as the boundary condition, and the surface value by linear extrapolation from
//! the last two cell centres.

use super::params::Func;
use super::tridiag;

/// The mesh and its geometric factors.
#[derive(Clone, Debug)]
pub struct Sphere {
    pub n: usize,
    pub radius: f64,
    pub dr: f64,
    /// Shared: the models make a new state every step, the mesh never changes.
    geo: std::sync::Arc<Geometry>,
}

/// A sphere mesh's per-cell and per-edge constants.
#[derive(Debug)]
struct Geometry {
    /// r² at the edges 0..=n.
    r2e: Vec<f64>,
    /// Cell volumes / 4π.
    vol: Vec<f64>,
    /// Their reciprocals, and r²/Δr at the edges (the solves' per-row constants).
    inv_vol: Vec<f64>,
    r2e_dr: Vec<f64>,
}

impl Sphere {
    pub fn new(radius: f64, n: usize) -> Sphere {
        let dr = radius / n as f64;
        let r2e: Vec<f64> = (0..=n).map(|i| (i as f64 * dr).powi(2)).collect();
        let vol: Vec<f64> = (0..n)
            .map(|i| (((i + 1) as f64 * dr).powi(3) - (i as f64 * dr).powi(3)) / 3.0)
            .collect();
        let inv_vol = vol.iter().map(|v| 1.0 / v).collect();
        let r2e_dr = r2e.iter().map(|r| r / dr).collect();
        Sphere {
            n,
            radius,
            dr,
            geo: std::sync::Arc::new(Geometry {
                r2e,
                vol,
                inv_vol,
                r2e_dr,
            }),
        }
    }

    /// Cell-centre radii [m].
    pub fn centres(&self) -> Vec<f64> {
        (0..self.n).map(|i| (i as f64 + 0.5) * self.dr).collect()
    }

    /// Cell volumes / 4π [m³] (so that Σ vol·c·4π is the particle's lithium).
    pub fn volumes(&self) -> &[f64] {
        &self.geo.vol
    }

    /// Concentration at r = R by linear extrapolation from the last two cell centres.
    pub fn surface(&self, c: &[f64]) -> f64 {
        let n = self.n;
        1.5 * c[n - 1] - 0.5 * c[n - 2]
    }

    /// Volume average (the particle's mean concentration).
    pub fn average(&self, c: &[f64]) -> f64 {
        let v: f64 = self.geo.vol.iter().sum();
        c.iter()
            .zip(self.geo.vol.iter())
            .map(|(c, w)| c * w)
            .sum::<f64>()
            / v
    }

    /// Diffusivity on the edges 0..=n for a step: D(c/c_max, T) at the cell centres moved to
    /// the internal edges by the harmonic mean, as PyBaMM's finite volumes discretise `D(c) ∇c`
    /// (the two end entries are unused: no-flux centre, given surface flux). `at(i)` is cell
    /// i's concentration extrapolated to the end of the step ([`super::bdf::Bdf::extrapolate`]),
    /// so that the linear solve keeps the step's order (D at the start of the step would make
    /// it first order, which shows where the voltage falls steeply at the end of a discharge).
    pub fn edge_diffusivity(
        &self,
        at: impl Fn(usize) -> f64,
        c_max: f64,
        d: &Func,
        t: f64,
        out: &mut [f64],
    ) {
        if d.is_constant_in_x() {
            out.fill(d.eval(0.0, t));
            return;
        }
        let node: Vec<f64> = (0..self.n).map(|i| d.eval(at(i) / c_max, t)).collect();
        out[0] = node[0];
        out[self.n] = node[self.n - 1];
        for i in 1..self.n {
            let (a, b) = (node[i - 1], node[i]);
            out[i] = 2.0 * a * b / (a + b);
        }
    }

    /// Solve `a0·c − h·β·f(c) = rhs` for c, where f is the FV diffusion operator with
    /// diffusivity `d[i]` on edge i (0..=n) and outward surface flux `flux` [mol/(m² s)]. The
    /// system is tridiagonal (Thomas algorithm).
    pub fn implicit_solve(
        &self,
        a0: f64,
        hb: f64,
        d: &[f64],
        flux: f64,
        rhs: &[f64],
        out: &mut [f64],
    ) {
        // The rows first (no chain of dependencies), then the solve from both ends
        // ([`tridiag`]); on the stack for the usual sizes (no allocation per step).
        let n = self.n;
        tridiag::with_scratch(4 * n, |buf| {
            let (lower, rest) = buf.split_at_mut(n);
            let (diag, rest) = rest.split_at_mut(n);
            let (upper, work) = rest.split_at_mut(n);
            for i in 0..n {
                let w = hb * self.geo.inv_vol[i];
                let g_in = if i > 0 {
                    d[i] * self.geo.r2e_dr[i]
                } else {
                    0.0
                };
                let g_out = if i + 1 < n {
                    d[i + 1] * self.geo.r2e_dr[i + 1]
                } else {
                    0.0
                };
                lower[i] = -w * g_in;
                upper[i] = -w * g_out;
                diag[i] = a0 + w * (g_in + g_out);
                out[i] = rhs[i];
            }
            out[n - 1] -= hb * self.geo.inv_vol[n - 1] * self.geo.r2e[n] * flux;
            tridiag::solve(lower, diag, upper, out, work);
        });
    }
}

/// The tridiagonal matrix of [`Sphere::implicit_solve`] for one (a0, h, D), eliminated once so
/// that many right-hand sides (every node's particle in the DFN) cost O(n) each.
#[derive(Clone, Debug, Default)]
pub struct Factored {
    /// Elimination multipliers, reduced diagonal and super-diagonal.
    m: Vec<f64>,
    diag: Vec<f64>,
    upper: Vec<f64>,
    /// The surface flux's weight in the last row.
    flux_w: f64,
}

impl Sphere {
    /// Eliminate `a0·c − h·f(c)` for diffusivities `d` on the edges.
    pub fn factor(&self, a0: f64, hb: f64, d: &[f64]) -> Factored {
        let n = self.n;
        let mut f = Factored {
            m: vec![0.0; n],
            diag: vec![0.0; n],
            upper: vec![0.0; n],
            flux_w: hb / self.geo.vol[n - 1] * self.geo.r2e[n],
        };
        let mut lower = 0.0;
        for i in 0..n {
            let w = hb / self.geo.vol[i];
            let mut dg = a0;
            if i > 0 {
                let g = d[i] * self.geo.r2e[i] / self.dr;
                dg += w * g;
                lower = -w * g;
            }
            if i + 1 < n {
                let g = d[i + 1] * self.geo.r2e[i + 1] / self.dr;
                dg += w * g;
                f.upper[i] = -w * g;
            }
            if i > 0 {
                f.m[i] = lower / f.diag[i - 1];
                dg -= f.m[i] * f.upper[i - 1];
            }
            f.diag[i] = dg;
        }
        f
    }

    /// Solve the factored system with outward surface flux `flux`; `out` may not alias `rhs`.
    pub fn solve_factored(&self, f: &Factored, flux: f64, rhs: &[f64], out: &mut [f64]) {
        let n = self.n;
        out[0] = rhs[0];
        for i in 1..n {
            out[i] = rhs[i] - f.m[i] * out[i - 1];
        }
        // The flux enters the last row's right-hand side only; the forward sweep never reads it.
        out[n - 1] = (out[n - 1] - f.flux_w * flux) / f.diag[n - 1];
        for i in (0..n - 1).rev() {
            out[i] = (out[i] - f.upper[i] * out[i + 1]) / f.diag[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lithium is conserved exactly: the mean concentration changes by the surface flux alone.
    #[test]
    fn conservation() {
        let s = Sphere::new(5e-6, 20);
        let mut c = vec![1000.0; 20];
        let (d, flux, h) = (3e-14, 2e-6, 1.0);
        let mut next = vec![0.0; 20];
        let mut total = 0.0;
        for _ in 0..100 {
            s.implicit_solve(1.0, h, &[d; 21], flux, &c, &mut next);
            c.copy_from_slice(&next);
            total += h;
        }
        // d(mean)/dt = −3 flux / R.
        let expect = 1000.0 - 3.0 * flux / s.radius * total;
        assert!(
            (s.average(&c) - expect).abs() < 1e-9 * expect,
            "{} vs {expect}",
            s.average(&c)
        );
        assert!(s.surface(&c) < c[0], "the surface is depleted first");
    }

    /// Eliminating once and solving many right-hand sides gives `implicit_solve`'s answer.
    #[test]
    fn factored_solve_matches() {
        let s = Sphere::new(5e-6, 12);
        let d: Vec<f64> = (0..13).map(|i| 1e-14 * (1.0 + 0.1 * i as f64)).collect();
        let rhs: Vec<f64> = (0..12).map(|i| 1000.0 + 37.0 * i as f64).collect();
        let (mut a, mut b) = (vec![0.0; 12], vec![0.0; 12]);
        s.implicit_solve(1.4, 3.0, &d, 2e-5, &rhs, &mut a);
        s.solve_factored(&s.factor(1.4, 3.0, &d), 2e-5, &rhs, &mut b);
        for i in 0..12 {
            assert!(
                (a[i] - b[i]).abs() < 1e-10 * a[i].abs(),
                "{i}: {} vs {}",
                a[i],
                b[i]
            );
        }
    }

    /// Constant surface flux: the FV solution approaches the analytic quasi-steady profile
    /// c(r) − mean = −(flux R / D)(r²/(2R²) − 3/10), second order in the mesh.
    #[test]
    fn quasi_steady_profile_converges() {
        let err = |n: usize| {
            let s = Sphere::new(1.0, n);
            let (d, flux) = (1.0, 0.1);
            let mut c = vec![10.0; n];
            let mut next = vec![0.0; n];
            for _ in 0..4000 {
                s.implicit_solve(1.0, 1e-3, &vec![d; n + 1], flux, &c, &mut next);
                c.copy_from_slice(&next);
            }
            let mean = s.average(&c);
            let exact = |r: f64| mean - flux / d * (r * r / 2.0 - 0.3);
            (s.surface(&c) - exact(1.0)).abs()
        };
        let (e1, e2) = (err(20), err(40));
        let order = (e1 / e2).log2();
        assert!(
            order > 1.8,
            "surface error {e1:.3e} -> {e2:.3e}, order {order:.2}"
        );
    }
}
