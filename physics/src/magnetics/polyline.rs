//! A chain of straight segments carrying one current (coils built from filaments).

use super::segment::segment_kernel;
use super::{eval::FieldSource, finite, finite3, sub, DEFAULT_CORE, V3};
use std::f64::consts::PI;

/// Vertices joined in order by straight segments carrying `current` (A, from the first vertex
/// to the last). Zero-length segments (repeated vertices) carry no field and are dropped.
#[derive(Clone, Debug)]
pub struct Polyline {
    /// Segment starts and vectors (b − a), kept per segment so the kernel reads them directly.
    starts: Vec<V3>,
    vecs: Vec<V3>,
    pub current: f64,
    /// Core radius (m): the wire radius, or 1e-12 of each segment's length by default.
    wire_radius: Option<f64>,
}

impl Polyline {
    /// Errors for fewer than two vertices, non-finite input or all vertices equal.
    pub fn new(vertices: &[V3], current: f64) -> Result<Self, String> {
        if vertices.len() < 2 {
            return Err(format!(
                "a polyline needs at least 2 vertices, got {}",
                vertices.len()
            ));
        }
        let mut starts = Vec::with_capacity(vertices.len() - 1);
        let mut vecs = Vec::with_capacity(vertices.len() - 1);
        for w in vertices.windows(2) {
            let l = sub(
                finite3("polyline vertex", w[1])?,
                finite3("polyline vertex", w[0])?,
            );
            if super::dot(l, l) > 0.0 {
                starts.push(w[0]);
                vecs.push(l);
            }
        }
        if starts.is_empty() {
            return Err("polyline has no segment of non-zero length".into());
        }
        Ok(Self {
            starts,
            vecs,
            current: finite("polyline current", current)?,
            wire_radius: None,
        })
    }

    /// Sets a wire radius (> 0) for every segment.
    pub fn with_wire_radius(mut self, radius: f64) -> Result<Self, String> {
        self.wire_radius = Some(super::positive("wire radius", radius)?);
        Ok(self)
    }

    /// Number of (non-degenerate) segments.
    pub fn segments(&self) -> usize {
        self.starts.len()
    }

    /// Segment i as (start, end).
    pub fn segment(&self, i: usize) -> (V3, V3) {
        let (a, l) = (self.starts[i], self.vecs[i]);
        (a, [a[0] + l[0], a[1] + l[1], a[2] + l[2]])
    }

    /// Total length (m).
    pub fn length(&self) -> f64 {
        self.vecs.iter().map(|&l| super::norm(l)).sum()
    }
}

impl Polyline {
    /// All segments at a chunk of points; segment data stay in registers while the inner
    /// loop runs over the points.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn add(
        &self,
        k: f64,
        x: &[f64],
        y: &[f64],
        z: &[f64],
        bx: &mut [f64],
        by: &mut [f64],
        bz: &mut [f64],
    ) {
        for (&a, &l) in self.starts.iter().zip(&self.vecs) {
            let l2 = super::dot(l, l);
            let core2 = match self.wire_radius {
                Some(r) => r * r,
                None => DEFAULT_CORE * DEFAULT_CORE * l2,
            };
            segment_kernel(k, a, l, 0.5 * core2 * l2, x, y, z, bx, by, bz);
        }
    }

    /// [`Self::add`] compiled for AVX2 (4 doubles per instruction).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn add_avx2(
        &self,
        k: f64,
        x: &[f64],
        y: &[f64],
        z: &[f64],
        bx: &mut [f64],
        by: &mut [f64],
        bz: &mut [f64],
    ) {
        self.add(k, x, y, z, bx, by, bz)
    }
}

impl FieldSource for Polyline {
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
        let k = mu0 * self.current / (4.0 * PI);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { self.add_avx2(k, x, y, z, bx, by, bz) };
            return;
        }
        self.add(k, x, y, z, bx, by, bz);
    }
    fn elements(&self) -> usize {
        self.starts.len()
    }
    fn straight_segments(&self, mu0: f64) -> Option<Vec<[f64; 8]>> {
        let k = mu0 * self.current / (4.0 * PI);
        let segs = self.starts.iter().zip(&self.vecs).map(|(&a, &l)| {
            let l2 = super::dot(l, l);
            let core2 = match self.wire_radius {
                Some(r) => r * r,
                None => DEFAULT_CORE * DEFAULT_CORE * l2,
            };
            [a[0], a[1], a[2], l[0], l[1], l[2], k, 0.5 * core2 * l2]
        });
        Some(segs.collect())
    }
}
