//! LU with partial pivoting for banded matrices (lower bandwidth `kl`, upper `ku`), stored by
//! rows with room for the fill-in of row exchanges (`ku + kl` above the diagonal), so a system
//! of n unknowns takes O(n·(2kl+ku)) memory and O(n·kl·(kl+ku)) work.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

#[derive(Clone, Debug)]
pub struct Banded {
    pub n: usize,
    pub kl: usize,
    pub ku: usize,
    /// Row i holds columns i − kl ..= i + ku + kl (the band and the fill-in of pivoting),
    /// `w` = 2·kl + ku + 1 entries per row.
    a: Vec<f64>,
    w: usize,
    piv: Vec<usize>,
}

impl Banded {
    pub fn new(n: usize, kl: usize, ku: usize) -> Banded {
        let w = 2 * kl + ku + 1;
        Banded {
            n,
            kl,
            ku,
            a: vec![0.0; n * w],
            w,
            piv: vec![0; n],
        }
    }

    pub fn clear(&mut self) {
        self.a.iter_mut().for_each(|x| *x = 0.0);
    }

    /// Position of (i, j) in the row storage; j within i − kl ..= i + ku + kl.
    #[inline]
    fn at(&self, i: usize, j: usize) -> usize {
        i * self.w + (j + self.kl - i)
    }

    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        assert!(
            j + self.kl >= i && j <= i + self.ku,
            "({i}, {j}) outside the band"
        );
        let k = self.at(i, j);
        self.a[k] = v;
    }

    /// The entry (i, j) before factorising (0 outside the band).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if j + self.kl < i || j > i + self.ku {
            0.0
        } else {
            self.a[self.at(i, j)]
        }
    }

    #[inline]
    pub fn add(&mut self, i: usize, j: usize, v: f64) {
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
            let d = self.a[self.at(k, k)];
            let rk = self.at(k, k);
            for i in k + 1..rmax {
                let ik = self.at(i, k);
                let m = self.a[ik] / d;
                if m == 0.0 {
                    continue;
                }
                self.a[ik] = m;
                // Row i's entries for columns k+1.. follow (i, k) contiguously, as row k's do.
                for off in 1..cmax - k {
                    self.a[ik + off] -= m * self.a[rk + off];
                }
            }
        }
        true
    }

    /// Solve with the factors, in place.
    pub fn solve(&self, b: &mut [f64]) {
        let (n, w, kl) = (self.n, self.w, self.kl);
        let ucols = self.ku + kl;
        for k in 0..n {
            let p = self.piv[k];
            if p != k {
                b.swap(k, p);
            }
            let bk = b[k];
            if bk == 0.0 {
                continue;
            }
            // Multipliers of column k sit at offset kl − (i − k) of rows i > k.
            let rmax = (k + kl + 1).min(n);
            for i in k + 1..rmax {
                b[i] -= self.a[i * w + kl + k - i] * bk;
            }
        }
        for k in (0..n).rev() {
            let cmax = (k + ucols + 1).min(n);
            let row = &self.a[k * w + kl..k * w + kl + (cmax - k)];
            let s: f64 = row[1..]
                .iter()
                .zip(&b[k + 1..cmax])
                .map(|(a, x)| a * x)
                .sum();
            b[k] = (b[k] - s) / row[0];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_banded_system_that_needs_pivoting() {
        let n = 30;
        let (kl, ku) = (2, 3);
        let mut m = Banded::new(n, kl, ku);
        let mut dense = vec![vec![0.0; n]; n];
        for i in 0..n {
            for j in i.saturating_sub(kl)..(i + ku + 1).min(n) {
                // A zero diagonal forces row exchanges.
                let v = if i == j {
                    0.0
                } else {
                    ((i * 7 + j * 3) % 11) as f64 - 5.0
                };
                m.set(i, j, v);
                dense[i][j] = v;
            }
        }
        let x: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let mut b: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| dense[i][j] * x[j]).sum())
            .collect();
        assert!(m.factor());
        m.solve(&mut b);
        for i in 0..n {
            assert!((b[i] - x[i]).abs() < 1e-9, "{i}: {} vs {}", b[i], x[i]);
        }
    }
}
