//! A STREAM-like memory-bandwidth probe written for this project (not a copy of STREAM or of
//! `shared/refdata/stream_triad.c`; it follows the same conventions so the figures compare):
//!
//! * triad `a[i] = b[i] + s*c[i]` counted as 24 bytes per element, copy `c[i] = a[i]` as 16
//!   (STREAM convention: the write-allocate read of the destination is not counted); plus a
//!   read-only sum `Σ a[i]` (8 bytes per element), not part of STREAM, because a CSR SpMV is
//!   mostly reads;
//! * three arrays of `elems` doubles in total per array, split evenly over the streams
//!   (threads of this process, or MPI ranks with one thread each), each stream touching its own
//!   slice first;
//! * `iters` timed repetitions of (triad, copy, reset c); the first is dropped.

use std::sync::Barrier;
use std::time::Instant;

/// Bytes counted per element by the triad and the copy kernel.
pub const TRIAD_BYTES_PER_ELEM: f64 = 24.0;
pub const COPY_BYTES_PER_ELEM: f64 = 16.0;

pub const READ_BYTES_PER_ELEM: f64 = 8.0;

/// The default array length, the same as the reference C triad: 80 M doubles (640 MB) per array.
pub const DEFAULT_ELEMS: usize = 80_000_000;

/// Timings of one STREAM measurement.
#[derive(Clone, Debug, Default)]
pub struct StreamTimes {
    /// Concurrent streams (threads or ranks).
    pub streams: usize,
    /// Total elements per array over all streams.
    pub elems: usize,
    /// Seconds per triad repetition (first repetition dropped).
    pub triad: Vec<f64>,
    /// Seconds per copy repetition (first repetition dropped).
    pub copy: Vec<f64>,
    /// Seconds per read-only sum repetition (first repetition dropped).
    pub read: Vec<f64>,
    /// Largest deviation of the triad result from its exact value 3.5 (a sanity check).
    pub max_err: f64,
}

impl StreamTimes {
    pub fn triad_gbs(&self) -> Vec<f64> {
        rates(&self.triad, TRIAD_BYTES_PER_ELEM * self.elems as f64)
    }
    pub fn copy_gbs(&self) -> Vec<f64> {
        rates(&self.copy, COPY_BYTES_PER_ELEM * self.elems as f64)
    }
    pub fn read_gbs(&self) -> Vec<f64> {
        rates(&self.read, READ_BYTES_PER_ELEM * self.elems as f64)
    }
    /// Median triad bandwidth in GB/s (10⁹ bytes per second).
    pub fn triad_median(&self) -> f64 {
        crate::median(&self.triad_gbs())
    }
    pub fn triad_best(&self) -> f64 {
        crate::max(&self.triad_gbs())
    }
    pub fn copy_median(&self) -> f64 {
        crate::median(&self.copy_gbs())
    }
}

fn rates(times: &[f64], bytes: f64) -> Vec<f64> {
    times.iter().map(|t| bytes / t / 1e9).collect()
}

/// `a = b + s c` (vectorises; no fast-math needed).
#[inline(never)]
pub fn triad(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    for ((ai, bi), ci) in a.iter_mut().zip(b).zip(c) {
        *ai = bi + s * ci;
    }
}

/// `dst = src`, as an explicit loop (a memcpy could use non-temporal stores and so measure
/// something else than the engine's kernels do).
#[inline(never)]
pub fn copy(dst: &mut [f64], src: &[f64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

/// Triad, copy and read seconds (every repetition) and the max error of one stream.
pub type StreamRaw = (Vec<f64>, Vec<f64>, Vec<f64>, f64);

/// `Σ a[i]` with eight partial sums (vectorises without fast-math, and enough independent
/// additions that the adder latency never limits the read rate).
#[inline(never)]
pub fn read(a: &[f64]) -> f64 {
    let mut s = [0.0; 8];
    for c in a.chunks_exact(8) {
        for k in 0..8 {
            s[k] += c[k];
        }
    }
    let tail: f64 = a.chunks_exact(8).remainder().iter().sum();
    s.iter().sum::<f64>() + tail
}

/// One stream over `len` elements: allocates and first-touches its arrays, then runs `iters`
/// repetitions, calling `sync` before and after each timed kernel (a barrier for multi-rank
/// measurements; a no-op alone). Returns (triad seconds, copy seconds, max error), all
/// repetitions included.
pub fn one_stream(len: usize, iters: usize, sync: &mut dyn FnMut()) -> StreamRaw {
    let mut a = vec![1.0f64; len];
    let b = vec![2.0f64; len];
    let mut c = vec![0.5f64; len];
    let (mut tt, mut tc, mut tr) = (Vec::new(), Vec::new(), Vec::new());
    let mut sum = 0.0;
    for _ in 0..iters {
        sync();
        let t0 = Instant::now();
        triad(&mut a, &b, &c, 3.0);
        sync();
        tt.push(t0.elapsed().as_secs_f64());
        let t0 = Instant::now();
        copy(&mut c, &a);
        sync();
        tc.push(t0.elapsed().as_secs_f64());
        let t0 = Instant::now();
        sum += read(&a);
        sync();
        tr.push(t0.elapsed().as_secs_f64());
        c.iter_mut().for_each(|v| *v = 0.5);
    }
    let exact_sum = 3.5 * (len * iters) as f64;
    let err = a
        .iter()
        .step_by(9973)
        .map(|v| (v - 3.5).abs())
        .fold(0.0, f64::max)
        .max((sum - exact_sum).abs() / exact_sum.max(1.0));
    (tt, tc, tr, err)
}

/// STREAM with `threads` threads of this process sharing `elems` elements per array.
pub fn run_threads(elems: usize, threads: usize, iters: usize) -> StreamTimes {
    let threads = threads.max(1);
    let iters = iters.max(2);
    let barrier = Barrier::new(threads);
    let results: Vec<StreamRaw> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let barrier = &barrier;
                let len = (t + 1) * elems / threads - t * elems / threads;
                s.spawn(move || {
                    one_stream(len, iters, &mut || {
                        barrier.wait();
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("stream thread"))
            .collect()
    });
    // Barriers make every thread's interval the same up to the wake-up skew; take the slowest.
    let per_iter = |f: fn(&StreamRaw) -> &Vec<f64>| -> Vec<f64> {
        (1..iters)
            .map(|k| results.iter().map(|r| f(r)[k]).fold(0.0, f64::max))
            .collect()
    };
    StreamTimes {
        streams: threads,
        elems,
        triad: per_iter(|r| &r.0),
        copy: per_iter(|r| &r.1),
        read: per_iter(|r| &r.2),
        max_err: results.iter().map(|r| r.3).fold(0.0, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_compute_the_stream_values() {
        let (mut a, b, mut c) = (vec![0.0; 5], vec![2.0; 5], vec![0.5; 5]);
        triad(&mut a, &b, &c, 3.0);
        assert!(a.iter().all(|&v| v == 3.5));
        copy(&mut c, &a);
        assert_eq!(c, a);
        assert_eq!(read(&a), 17.5);
    }

    #[test]
    fn threaded_run_is_consistent() {
        let s = run_threads(100_000, 2, 3);
        assert_eq!(s.streams, 2);
        assert_eq!(s.triad.len(), 2);
        assert_eq!(s.copy.len(), 2);
        assert_eq!(s.read.len(), 2);
        assert_eq!(s.max_err, 0.0);
        assert!(s.triad_median() > 0.0 && s.triad_best() >= s.triad_median());
    }
}
