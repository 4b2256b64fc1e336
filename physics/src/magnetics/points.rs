//! Observation points as a structure of arrays (x, y, z), with helpers for lines and planes.

use super::{finite3, V3};

/// Points as three coordinate arrays of equal length (structure of arrays, so the inner
/// evaluation loops run over contiguous coordinates and vectorise).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Points {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub z: Vec<f64>,
}

/// `n` evenly spaced values from `start` to `stop` inclusive, computed as numpy's `linspace`
/// does (start + i·step, last value exactly `stop`), so grids match bit for bit.
pub fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![start],
        _ => {
            let step = (stop - start) / (n - 1) as f64;
            let mut v: Vec<f64> = (0..n).map(|i| i as f64 * step + start).collect();
            v[n - 1] = stop;
            v
        }
    }
}

impl Points {
    pub fn len(&self) -> usize {
        self.x.len()
    }
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
    pub fn get(&self, i: usize) -> V3 {
        [self.x[i], self.y[i], self.z[i]]
    }
    pub fn push(&mut self, p: V3) {
        self.x.push(p[0]);
        self.y.push(p[1]);
        self.z.push(p[2]);
    }

    /// From an array of points (e.g. mesh nodes); non-finite coordinates are an error.
    pub fn from_xyz(p: &[V3]) -> Result<Self, String> {
        let mut out = Self::default();
        for &q in p {
            out.push(finite3("point", q)?);
        }
        Ok(out)
    }

    /// `n` points evenly spaced from `a` to `b`, both included.
    pub fn line(a: V3, b: V3, n: usize) -> Result<Self, String> {
        finite3("line start", a)?;
        finite3("line end", b)?;
        Ok(Self {
            x: linspace(a[0], b[0], n),
            y: linspace(a[1], b[1], n),
            z: linspace(a[2], b[2], n),
        })
    }

    /// A plane grid `origin + i·u/(nu-1) + j·v/(nv-1)`, i < nu, j < nv, with `i` the slow index
    /// (numpy's `meshgrid(..., indexing="ij")` then `ravel()`).
    pub fn plane(origin: V3, u: V3, v: V3, nu: usize, nv: usize) -> Result<Self, String> {
        finite3("plane origin", origin)?;
        finite3("plane u", u)?;
        finite3("plane v", v)?;
        let su = linspace(0.0, 1.0, nu);
        let sv = linspace(0.0, 1.0, nv);
        let mut out = Self::default();
        for &a in &su {
            for &b in &sv {
                out.push([
                    origin[0] + a * u[0] + b * v[0],
                    origin[1] + a * u[1] + b * v[1],
                    origin[2] + a * u[2] + b * v[2],
                ]);
            }
        }
        Ok(out)
    }

    /// The tensor grid of three coordinate lists, x slowest (numpy `meshgrid(indexing="ij")`).
    pub fn grid(xs: &[f64], ys: &[f64], zs: &[f64]) -> Self {
        let mut out = Self::default();
        for &x in xs {
            for &y in ys {
                for &z in zs {
                    out.push([x, y, z]);
                }
            }
        }
        out
    }
}
