//! Evaluation of sources on point sets: chunked for cache and vectorisation, threaded over
//! contiguous blocks of points (no shared writes, so no locks).

use super::{Points, V3};

/// Number of points handed to a source at a time: the source's per-element data stays in
/// registers while the inner loop runs over this many contiguous points.
pub const CHUNK: usize = 256;

/// B in tesla at each point, structure of arrays.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Field {
    pub bx: Vec<f64>,
    pub by: Vec<f64>,
    pub bz: Vec<f64>,
}

impl Field {
    pub fn zeros(n: usize) -> Self {
        Self {
            bx: vec![0.0; n],
            by: vec![0.0; n],
            bz: vec![0.0; n],
        }
    }
    pub fn get(&self, i: usize) -> V3 {
        [self.bx[i], self.by[i], self.bz[i]]
    }
    /// |B| at point i.
    pub fn magnitude(&self, i: usize) -> f64 {
        (self.bx[i].powi(2) + self.by[i].powi(2) + self.bz[i].powi(2)).sqrt()
    }
    /// The largest |B| and the index of its point (e.g. the peak field on a conductor when the
    /// points sample the conductor's surface); None for no points.
    pub fn peak(&self) -> Option<(f64, usize)> {
        (0..self.bx.len())
            .map(|i| (self.magnitude(i), i))
            .fold(None, |acc, (b, i)| match acc {
                Some((bm, _)) if bm >= b => acc,
                _ => Some((b, i)),
            })
    }
    /// Homogeneity of |B| over the points: (max − min)/|reference|, e.g. in ppm × 1e-6 with the
    /// centre field as reference. None for no points or a zero reference.
    pub fn homogeneity(&self, reference: f64) -> Option<f64> {
        if self.bx.is_empty() || reference == 0.0 || !reference.is_finite() {
            return None;
        }
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for i in 0..self.bx.len() {
            let b = self.magnitude(i);
            lo = lo.min(b);
            hi = hi.max(b);
        }
        Some((hi - lo) / reference.abs())
    }
}

/// A current distribution whose field can be added at a chunk of points.
pub trait FieldSource: Sync {
    /// Adds B (T) at the points (x, y, z) to (bx, by, bz); all slices have equal length.
    /// Must return finite values for every finite point.
    #[allow(clippy::too_many_arguments)]
    fn add_field(
        &self,
        mu0: f64,
        x: &[f64],
        y: &[f64],
        z: &[f64],
        bx: &mut [f64],
        by: &mut [f64],
        bz: &mut [f64],
    );
    /// Number of elementary source–point interactions per point (segments, loops), for
    /// throughput figures.
    fn elements(&self) -> usize;
    /// The source as straight segments in evaluation order, each `[a (3), l = b − a (3),
    /// k = μ0 I/(4π), floor = core² |l|²/2]` as `segment_kernel` takes them (for the GPU
    /// kernel, which sums them in this order); `None` when it is not made of segments.
    fn straight_segments(&self, _mu0: f64) -> Option<Vec<[f64; 8]>> {
        None
    }
}

/// Several sources evaluated together (fields add).
#[derive(Default)]
pub struct Collection {
    pub sources: Vec<Box<dyn FieldSource + Send>>,
}

impl FieldSource for Collection {
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
        for s in &self.sources {
            s.add_field(mu0, x, y, z, bx, by, bz);
        }
    }
    fn elements(&self) -> usize {
        self.sources.iter().map(|s| s.elements()).sum()
    }
    fn straight_segments(&self, mu0: f64) -> Option<Vec<[f64; 8]>> {
        let mut all = Vec::new();
        for s in &self.sources {
            all.extend(s.straight_segments(mu0)?);
        }
        Some(all)
    }
}

fn add_block(
    src: &dyn FieldSource,
    mu0: f64,
    p: (&[f64], &[f64], &[f64]),
    b: (&mut [f64], &mut [f64], &mut [f64]),
) {
    let (x, y, z) = p;
    let (bx, by, bz) = b;
    for s in (0..x.len()).step_by(CHUNK) {
        let e = (s + CHUNK).min(x.len());
        src.add_field(
            mu0,
            &x[s..e],
            &y[s..e],
            &z[s..e],
            &mut bx[s..e],
            &mut by[s..e],
            &mut bz[s..e],
        );
    }
}

/// B of `src` at `points` with permeability `mu0`, on `threads` threads (0: all available).
pub fn field(src: &dyn FieldSource, points: &Points, mu0: f64, threads: usize) -> Field {
    let n = points.len();
    let mut out = Field::zeros(n);
    field_on(src, points, mu0, threads, &mut out);
    out
}

/// Adds B of `src` at `points` into `out` (which must have the points' length; a shorter
/// `out` gets only its first points), on `threads` threads (0: all available).
pub fn field_on(src: &dyn FieldSource, points: &Points, mu0: f64, threads: usize, out: &mut Field) {
    let n = points
        .len()
        .min(out.bx.len())
        .min(out.by.len())
        .min(out.bz.len());
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |t| t.get())
    } else {
        threads
    };
    // Blocks of whole chunks, one per thread.
    let per = n.div_ceil(threads.max(1)).div_ceil(CHUNK) * CHUNK;
    if threads <= 1 || n <= CHUNK {
        add_block(
            src,
            mu0,
            (&points.x[..n], &points.y[..n], &points.z[..n]),
            (&mut out.bx[..n], &mut out.by[..n], &mut out.bz[..n]),
        );
        return;
    }
    std::thread::scope(|sc| {
        let mut bx = &mut out.bx[..n];
        let mut by = &mut out.by[..n];
        let mut bz = &mut out.bz[..n];
        let mut s = 0;
        while s < n {
            let len = per.min(n - s);
            let (hx, tx) = bx.split_at_mut(len);
            let (hy, ty) = by.split_at_mut(len);
            let (hz, tz) = bz.split_at_mut(len);
            bx = tx;
            by = ty;
            bz = tz;
            let p = (
                &points.x[s..s + len],
                &points.y[s..s + len],
                &points.z[s..s + len],
            );
            sc.spawn(move || add_block(src, mu0, p, (hx, hy, hz)));
            s += len;
        }
    });
}
