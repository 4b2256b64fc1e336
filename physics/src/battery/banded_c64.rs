//! Complex banded LU with partial pivoting: the same row storage and algorithm as
//! [`super::banded::Banded`], for the DFN's linearised equations at s = jω.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use crate::calibration::eis::C64;

/// An n×n complex matrix with lower bandwidth `kl` and upper `ku`.
#[derive(Clone, Debug)]
pub struct BandedC64 {
    n: usize,
    kl: usize,
    ku: usize,
    /// Row i holds columns i − kl ..= i + ku + kl (band plus the fill-in of pivoting).
    a: Vec<C64>,
    w: usize,
    piv: Vec<usize>,
}

impl BandedC64 {
    pub fn new(n: usize, kl: usize, ku: usize) -> BandedC64 {
        let w = 2 * kl + ku + 1;
        BandedC64 {
            n,
            kl,
            ku,
            a: vec![C64::default(); n * w],
            w,
            piv: vec![0; n],
        }
    }

    #[inline]
    fn at(&self, i: usize, j: usize) -> usize {
        i * self.w + (j + self.kl - i)
    }

    /// Add `v` to entry (i, j), which must lie within the band.
    pub fn add(&mut self, i: usize, j: usize, v: C64) {
        assert!(
            j + self.kl >= i && j <= i + self.ku,
            "({i}, {j}) outside the band"
        );
        let k = self.at(i, j);
        self.a[k] += v;
    }

    /// Factorise in place; `false` if singular.
    pub fn factor(&mut self) -> bool {
        let n = self.n;
        let ucols = self.ku + self.kl;
        for k in 0..n {
            let rmax = (k + self.kl + 1).min(n);
            let (mut p, mut best) = (k, self.a[self.at(k, k)].abs());
            for i in k + 1..rmax {
                let v = self.a[self.at(i, k)].abs();
                if v > best {
                    best = v;
                    p = i;
                }
            }
            if best == 0.0 || !best.is_finite() {
                return false;
            }
            self.piv[k] = p;
            let cmax = (k + ucols + 1).min(n);
            if p != k {
                for j in k..cmax {
                    let (x, y) = (self.at(k, j), self.at(p, j));
                    self.a.swap(x, y);
                }
            }
            let rk = self.at(k, k);
            let d = self.a[rk];
            for i in k + 1..rmax {
                let ik = self.at(i, k);
                let m = self.a[ik] / d;
                self.a[ik] = m;
                for off in 1..cmax - k {
                    let v = self.a[rk + off];
                    self.a[ik + off] = self.a[ik + off] - m * v;
                }
            }
        }
        true
    }

    /// Solve with the factors, in place.
    pub fn solve(&self, b: &mut [C64]) {
        let (n, w, kl) = (self.n, self.w, self.kl);
        let ucols = self.ku + kl;
        for k in 0..n {
            let p = self.piv[k];
            if p != k {
                b.swap(k, p);
            }
            let bk = b[k];
            let rmax = (k + kl + 1).min(n);
            for i in k + 1..rmax {
                b[i] = b[i] - self.a[i * w + kl + k - i] * bk;
            }
        }
        for k in (0..n).rev() {
            let cmax = (k + ucols + 1).min(n);
            let row = &self.a[k * w + kl..k * w + kl + (cmax - k)];
            let mut s = b[k];
            for (a, x) in row[1..].iter().zip(&b[k + 1..cmax]) {
                s = s - *a * *x;
            }
            b[k] = s / row[0];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_complex_banded_system_that_needs_pivoting() {
        let n = 25;
        let (kl, ku) = (3, 2);
        let mut m = BandedC64::new(n, kl, ku);
        let mut dense = vec![vec![C64::default(); n]; n];
        for i in 0..n {
            for j in i.saturating_sub(kl)..(i + ku + 1).min(n) {
                let v = if i == j {
                    C64::default()
                } else {
                    C64::new(
                        ((i * 7 + j * 3) % 11) as f64 - 5.0,
                        ((i + 2 * j) % 5) as f64,
                    )
                };
                m.add(i, j, v);
                dense[i][j] = v;
            }
        }
        let x: Vec<C64> = (0..n)
            .map(|i| C64::new((i as f64).sin(), (i as f64).cos()))
            .collect();
        let mut b: Vec<C64> = (0..n)
            .map(|i| (0..n).fold(C64::default(), |s, j| s + dense[i][j] * x[j]))
            .collect();
        assert!(m.factor());
        m.solve(&mut b);
        for i in 0..n {
            assert!((b[i] - x[i]).abs() < 1e-9, "{i}: {:?} vs {:?}", b[i], x[i]);
        }
    }
}
