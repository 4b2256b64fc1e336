//! A straight finite segment carrying a current: closed-form Biot–Savart field.

use super::{eval::FieldSource, finite, finite3, norm, sub, DEFAULT_CORE, V3};
use std::f64::consts::PI;

/// A filament from `a` to `b` carrying `current` (A, positive from a to b).
///
/// Field (Hanson & Hirshman, Phys. Plasmas 9 (2002) 4410), with r1 = x − a, r2 = x − b:
/// B = μ0 I/(4π) · (|r1| + |r2|) (r1 × r2) / (|r1||r2| (|r1||r2| + r1·r2)).
/// It has no cancellation far from the segment (unlike the cos θ1 − cos θ2 form). Near the line
/// the denominator is ≈ d²|b − a|²/2 (d: distance to the line); it is held above its value at
/// d = core radius, which is the uniform-current round-wire field inside the core, zero on the
/// line and at the ends.
#[derive(Clone, Debug)]
pub struct Segment {
    pub a: V3,
    pub b: V3,
    pub current: f64,
    /// Core radius (m): the wire radius, or 1e-12 |b − a| by default.
    pub core: f64,
}

impl Segment {
    /// Errors for non-finite input or a zero-length segment.
    pub fn new(a: V3, b: V3, current: f64) -> Result<Self, String> {
        let l = norm(sub(
            finite3("segment end b", b)?,
            finite3("segment end a", a)?,
        ));
        if l <= 0.0 || !l.is_finite() {
            return Err(format!(
                "segment has zero or infinite length ({a:?} to {b:?})"
            ));
        }
        Ok(Self {
            a,
            b,
            current: finite("segment current", current)?,
            core: DEFAULT_CORE * l,
        })
    }

    /// Sets a wire radius (> 0): inside it the field is that of a uniform round conductor.
    pub fn with_wire_radius(mut self, radius: f64) -> Result<Self, String> {
        self.core = super::positive("wire radius", radius)?;
        Ok(self)
    }
}

/// Adds the field of one segment (start `a`, vector `l` = b − a) at a chunk of points.
/// `k` = μ0 I/(4π); `floor` = core² |l|² / 2.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn segment_kernel(
    k: f64,
    a: V3,
    l: V3,
    floor: f64,
    x: &[f64],
    y: &[f64],
    z: &[f64],
    bx: &mut [f64],
    by: &mut [f64],
    bz: &mut [f64],
) {
    let n = x
        .len()
        .min(y.len())
        .min(z.len())
        .min(bx.len())
        .min(by.len())
        .min(bz.len());
    let (x, y, z) = (&x[..n], &y[..n], &z[..n]);
    let (bx, by, bz) = (&mut bx[..n], &mut by[..n], &mut bz[..n]);
    for i in 0..n {
        let r1x = x[i] - a[0];
        let r1y = y[i] - a[1];
        let r1z = z[i] - a[2];
        let r2x = r1x - l[0];
        let r2y = r1y - l[1];
        let r2z = r1z - l[2];
        let n1 = (r1x * r1x + r1y * r1y + r1z * r1z).sqrt();
        let n2 = (r2x * r2x + r2y * r2y + r2z * r2z).sqrt();
        let q = n1 * n2;
        let den = (q * (q + r1x * r2x + r1y * r2y + r1z * r2z)).max(floor);
        let f = k * (n1 + n2) / den;
        bx[i] += f * (r1y * r2z - r1z * r2y);
        by[i] += f * (r1z * r2x - r1x * r2z);
        bz[i] += f * (r1x * r2y - r1y * r2x);
    }
}

impl FieldSource for Segment {
    fn add_field(
        &self,
        mu0: f64,
        x: &[f64],
        y: &[f64],
        z: &[f64],
        bx: &mut [f64],
        by: &mut [f64],
        bz: &mut [f64],
    ) {
        let l = sub(self.b, self.a);
        let floor = 0.5 * self.core * self.core * super::dot(l, l);
        segment_kernel(
            mu0 * self.current / (4.0 * PI),
            self.a,
            l,
            floor,
            x,
            y,
            z,
            bx,
            by,
            bz,
        );
    }
    fn elements(&self) -> usize {
        1
    }
    fn straight_segments(&self, mu0: f64) -> Option<Vec<[f64; 8]>> {
        let l = sub(self.b, self.a);
        let floor = 0.5 * self.core * self.core * super::dot(l, l);
        let k = mu0 * self.current / (4.0 * PI);
        Some(vec![[
            self.a[0], self.a[1], self.a[2], l[0], l[1], l[2], k, floor,
        ]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::magnetics::{CircularLoop, Collection, Polyline};

    /// The segment list, summed in order with the segment kernel, is the source's own field
    /// bit for bit (what the GPU kernel relies on), and sources not made of segments say so.
    #[test]
    fn straight_segments_reproduce_the_field_exactly() {
        let mu0 = 4e-7 * PI;
        let poly = Polyline::new(
            &[
                [0.0, 0.0, 0.0],
                [1.0, 0.2, 0.0],
                [1.0, 1.0, 0.3],
                [0.0, 1.0, 0.0],
            ],
            40.0,
        )
        .unwrap()
        .with_wire_radius(0.02)
        .unwrap();
        let seg = Segment::new([0.3, -0.2, 0.5], [-0.4, 0.6, 0.1], -7.5).unwrap();
        let coll = Collection {
            sources: vec![Box::new(poly), Box::new(seg)],
        };
        let n = 37;
        let x: Vec<f64> = (0..n).map(|i| -0.5 + 0.05 * i as f64).collect();
        let y: Vec<f64> = (0..n).map(|i| 0.9 - 0.03 * i as f64).collect();
        let z: Vec<f64> = (0..n).map(|i| 0.01 * i as f64).collect();
        let (mut bx, mut by, mut bz) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        coll.add_field(mu0, &x, &y, &z, &mut bx, &mut by, &mut bz);
        let segs = coll.straight_segments(mu0).unwrap();
        assert_eq!(segs.len(), 4);
        let (mut cx, mut cy, mut cz) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for s in &segs {
            let (a, l) = ([s[0], s[1], s[2]], [s[3], s[4], s[5]]);
            segment_kernel(s[6], a, l, s[7], &x, &y, &z, &mut cx, &mut cy, &mut cz);
        }
        assert!(cy.iter().any(|&b| b != 0.0), "a field to compare");
        assert_eq!((bx, by, bz), (cx, cy, cz));
        let with_loop = Collection {
            sources: vec![Box::new(
                CircularLoop::new([0.0; 3], [0.0, 0.0, 1.0], 0.1, 1.0).unwrap(),
            )],
        };
        assert!(with_loop.straight_segments(mu0).is_none());
    }
}
