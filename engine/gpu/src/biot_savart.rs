//! Biot–Savart field of straight segments at points, on the device (one thread per point,
//! segments summed in order, as physics/src/magnetics/segment.rs does on the CPU).

use crate::device::{blocks, Gpu};
use crate::error::GpuError;
use crate::linalg::DeviceVec;
use cudarc::driver::{LaunchConfig, PushKernelArg};

/// One segment in the kernel's form: start `a`, vector `l` = b − a, `k` = μ0 I/(4π),
/// `floor` = core² |l|² / 2 (see `segment_kernel` in the physics crate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmentParams {
    pub a: [f64; 3],
    pub l: [f64; 3],
    pub k: f64,
    pub floor: f64,
}

impl SegmentParams {
    /// From the packed form `[a, l, k, floor]` of
    /// `galvana_physics::magnetics::FieldSource::straight_segments`.
    pub fn from_packed(s: &[f64; 8]) -> Self {
        Self {
            a: [s[0], s[1], s[2]],
            l: [s[3], s[4], s[5]],
            k: s[6],
            floor: s[7],
        }
    }

    /// From end points, current (A), core radius (m) and μ0.
    pub fn new(a: [f64; 3], b: [f64; 3], current: f64, core: f64, mu0: f64) -> Self {
        let l = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        Self {
            a,
            l,
            k: mu0 * current / (4.0 * std::f64::consts::PI),
            floor: 0.5 * core * core * (l[0] * l[0] + l[1] * l[1] + l[2] * l[2]),
        }
    }
}

/// Adds the field of `segments` at the points (x, y, z) to (bx, by, bz), on the device.
pub fn add_field(
    gpu: &Gpu,
    segments: &[SegmentParams],
    pts: [&[f64]; 3],
    out: [&mut [f64]; 3],
) -> Result<(), GpuError> {
    let n = pts[0].len();
    if pts.iter().any(|p| p.len() != n) || out.iter().any(|o| o.len() != n) {
        return Err(GpuError::Input(
            "point and field arrays differ in length".into(),
        ));
    }
    if n == 0 || segments.is_empty() {
        return Ok(());
    }
    let n32 = u32::try_from(n).map_err(|_| GpuError::Input(format!("{n} points")))?;
    let ns = u32::try_from(segments.len())
        .map_err(|_| GpuError::Input(format!("{} segments", segments.len())))?;
    let flat: Vec<f64> = segments
        .iter()
        .flat_map(|s| [s.a[0], s.a[1], s.a[2], s.l[0], s.l[1], s.l[2], s.k, s.floor])
        .collect();
    let dseg = DeviceVec::from_host(gpu, &flat)?;
    let [x, y, z] = pts;
    let (dx, dy, dz) = (
        DeviceVec::from_host(gpu, x)?,
        DeviceVec::from_host(gpu, y)?,
        DeviceVec::from_host(gpu, z)?,
    );
    let [bx, by, bz] = out;
    let mut dbx = DeviceVec::from_host(gpu, bx)?;
    let mut dby = DeviceVec::from_host(gpu, by)?;
    let mut dbz = DeviceVec::from_host(gpu, bz)?;
    let cfg = LaunchConfig {
        grid_dim: (blocks(n, 128), 1, 1),
        block_dim: (128, 1, 1),
        shared_mem_bytes: 0,
    };
    let mut b = gpu
        .stream
        .launch_builder(gpu.function("biot_savart_segments"));
    b.arg(&n32)
        .arg(&dx.data)
        .arg(&dy.data)
        .arg(&dz.data)
        .arg(&ns)
        .arg(&dseg.data)
        .arg(&mut dbx.data)
        .arg(&mut dby.data)
        .arg(&mut dbz.data);
    // SAFETY: matches biot_savart_segments(npts, x, y, z, nseg, seg[8 nseg], bx, by, bz); every
    // array holds npts entries (checked above) and seg 8 nseg.
    unsafe { b.launch(cfg) }?;
    dbx.download(gpu, bx, 0)?;
    dby.download(gpu, by, 0)?;
    dbz.download(gpu, bz, 0)?;
    Ok(())
}
