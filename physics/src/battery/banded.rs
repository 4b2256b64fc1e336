//! LU with partial pivoting for banded matrices (lower bandwidth `KL`, upper `KU`), stored by
//! rows with room for the fill-in of row exchanges (`KU + KL` above the diagonal), so a system
//! of n unknowns takes O(n·(2KL+KU)) memory and O(n·KL·(KL+KU)) work.

// Index loops over coupled arrays read more plainly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

/// A banded matrix of lower bandwidth `KL` and upper `KU` and its LU factors (the bandwidths
/// are constants so that the loops over a row have a length known when compiling).
#[derive(Clone, Debug)]
pub struct Banded<const KL: usize, const KU: usize> {
    pub n: usize,
    /// Row i holds columns i − KL ..= i + KU + KL (the band and the fill-in of pivoting),
    /// `W` = 2·KL + KU + 1 entries per row.
    a: Vec<f64>,
    piv: Vec<usize>,
    /// After `factor`: the multipliers of column k (rows k+1 ..= k+KL) at k·KL.., contiguous
    /// for the forward substitution, and the reciprocals of U's diagonal.
    lower: Vec<f64>,
    inv_diag: Vec<f64>,
}

impl<const KL: usize, const KU: usize> Banded<KL, KU> {
    const W: usize = 2 * KL + KU + 1;
    /// Columns right of the diagonal in a row of U (the band and the fill-in).
    const UC: usize = KL + KU;

    pub fn new(n: usize) -> Self {
        Banded {
            n,
            a: vec![0.0; n * Self::W],
            piv: vec![0; n],
            lower: vec![0.0; n * KL],
            inv_diag: vec![0.0; n],
        }
    }

    pub fn clear(&mut self) {
        self.a.fill(0.0);
    }

    /// Position of (i, j) in the row storage; j within i − KL ..= i + KU + KL.
    #[inline]
    fn at(&self, i: usize, j: usize) -> usize {
        i * Self::W + (j + KL - i)
    }

    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        assert!(j + KL >= i && j <= i + KU, "({i}, {j}) outside the band");
        let k = self.at(i, j);
        self.a[k] = v;
    }

    /// The entry (i, j) before factorising (0 outside the band).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if j + KL < i || j > i + KU {
            0.0
        } else {
            self.a[self.at(i, j)]
        }
    }

    #[inline]
    pub fn add(&mut self, i: usize, j: usize, v: f64) {
        assert!(j + KL >= i && j <= i + KU, "({i}, {j}) outside the band");
        let k = self.at(i, j);
        self.a[k] += v;
    }

    /// Factorise in place; `false` if singular.
    pub fn factor(&mut self) -> bool {
        let (n, w) = (self.n, Self::W);
        for k in 0..n {
            let rmax = (k + KL + 1).min(n);
            // Entry (i, k) of row i sits at i·w + KL + k − i.
            let at_k = |i: usize| i * w + KL + k - i;
            let (mut p, mut best) = (k, self.a[at_k(k)].abs());
            for i in k + 1..rmax {
                let v = self.a[at_k(i)].abs();
                if v > best {
                    best = v;
                    p = i;
                }
            }
            if best == 0.0 || !best.is_finite() {
                return false;
            }
            self.piv[k] = p;
            let len = (k + Self::UC + 1).min(n) - k;
            let rk = at_k(k);
            if p != k {
                // Row p's columns k.. follow its (p, k) entry as row k's follow (k, k).
                let (top, bottom) = self.a.split_at_mut(at_k(p));
                top[rk..rk + len].swap_with_slice(&mut bottom[..len]);
            }
            let inv = 1.0 / self.a[rk];
            self.inv_diag[k] = inv;
            for i in k + 1..rmax {
                let ik = at_k(i);
                let m = self.a[ik] * inv;
                self.lower[k * KL + i - k - 1] = m;
                if m == 0.0 {
                    continue;
                }
                // Row i's entries for columns k+1.. follow (i, k) contiguously, as row k's do;
                // row i starts after row k's (k, k) entry in storage.
                let (top, bottom) = self.a.split_at_mut(ik);
                if len == Self::UC + 1 {
                    let (dst, src) = (&mut bottom[1..=Self::UC], &top[rk + 1..=rk + Self::UC]);
                    for q in 0..Self::UC {
                        dst[q] -= m * src[q];
                    }
                } else {
                    for (x, y) in bottom[1..len].iter_mut().zip(&top[rk + 1..rk + len]) {
                        *x -= m * y;
                    }
                }
            }
        }
        true
    }

    /// Solve with the factors, in place.
    pub fn solve(&self, b: &mut [f64]) {
        let (n, w) = (self.n, Self::W);
        for k in 0..n {
            let p = self.piv[k];
            if p != k {
                b.swap(k, p);
            }
            let bk = b[k];
            if bk == 0.0 {
                continue;
            }
            if k + KL < n {
                let (x, m) = (&mut b[k + 1..=k + KL], &self.lower[k * KL..(k + 1) * KL]);
                for q in 0..KL {
                    x[q] -= m[q] * bk;
                }
            } else {
                let m = &self.lower[k * KL..];
                for (x, m) in b[k + 1..].iter_mut().zip(m) {
                    *x -= m * bk;
                }
            }
        }
        for k in (0..n).rev() {
            let start = k * w + KL + 1;
            let s = if k + Self::UC < n {
                let (row, x) = (&self.a[start..start + Self::UC], &b[k + 1..=k + Self::UC]);
                // Two partial sums: one running sum is a chain of dependent additions.
                let (mut s0, mut s1) = (0.0, 0.0);
                for q in 0..Self::UC / 2 {
                    s0 += row[2 * q] * x[2 * q];
                    s1 += row[2 * q + 1] * x[2 * q + 1];
                }
                if Self::UC % 2 == 1 {
                    s0 += row[Self::UC - 1] * x[Self::UC - 1];
                }
                s0 + s1
            } else {
                let len = n - k - 1;
                self.a[start..start + len]
                    .iter()
                    .zip(&b[k + 1..])
                    .map(|(a, x)| a * x)
                    .sum()
            };
            b[k] = (b[k] - s) * self.inv_diag[k];
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
        let mut m = Banded::<2, 3>::new(n);
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
