//! Safe probes of the CUDA driver and NVRTC libraries.
//!
//! cudarc opens its libraries lazily and panics when one is missing, so before any cudarc call
//! we open the same library names ourselves (libloading) and call `cuInit` / `cuDeviceGetCount`
//! directly: a node without a driver gets a [`GpuError`], never a panic.

use crate::error::GpuError;
use std::ffi::{c_char, c_int, c_uint, CStr};
use std::sync::OnceLock;

/// What the driver reports on this node (after `CUDA_VISIBLE_DEVICES` is applied).
#[derive(Clone, Debug, PartialEq)]
pub struct DriverInfo {
    /// Devices visible to this process.
    pub device_count: usize,
    /// `cuDriverGetVersion`, e.g. 12040 for CUDA 12.4.
    pub driver_version: i32,
}

/// The result of the driver probe, computed once per process (cuInit is process-wide).
pub fn driver() -> Result<DriverInfo, GpuError> {
    static PROBE: OnceLock<Result<DriverInfo, GpuError>> = OnceLock::new();
    PROBE.get_or_init(probe_driver).clone()
}

/// Whether libnvrtc can be opened (by the names cudarc will try, in its order).
pub fn nvrtc() -> Result<(), GpuError> {
    static PROBE: OnceLock<Result<(), GpuError>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            open_any("nvrtc")
                .map(|_| ())
                .map_err(GpuError::NvrtcMissing)
        })
        .clone()
}

/// Opens the first library cudarc would open for `name` ("cuda", "nvrtc"); the error lists
/// the last loader message.
fn open_any(name: &str) -> Result<libloading::Library, String> {
    let mut last = String::from("no candidate names");
    let cands = cudarc::get_lib_name_candidates(name);
    for cand in &cands {
        // SAFETY: loading a shared library runs its initialisers; the CUDA libraries are
        // designed to be dlopened this way (cudarc does exactly this).
        match unsafe { libloading::Library::new(cand) } {
            Ok(lib) => return Ok(lib),
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "none of {} names could be opened (lib{name}.so, lib{name}.so.12, lib{name}.so.1, ...); last: {last}",
        cands.len()
    ))
}

type CuInit = unsafe extern "C" fn(c_uint) -> c_int;
type CuCount = unsafe extern "C" fn(*mut c_int) -> c_int;
type CuVersion = unsafe extern "C" fn(*mut c_int) -> c_int;
type CuErrName = unsafe extern "C" fn(c_int, *mut *const c_char) -> c_int;

/// CUDA_ERROR_NO_DEVICE: cuInit's answer when no device is visible.
const CUDA_ERROR_NO_DEVICE: c_int = 100;

fn probe_driver() -> Result<DriverInfo, GpuError> {
    if let Some(reason) = crate::select::hidden_by_env() {
        return Err(GpuError::NoDevice(reason));
    }
    let lib = open_any("cuda").map_err(GpuError::DriverMissing)?;
    let sym = |name: &[u8]| -> Result<*const (), GpuError> {
        // SAFETY: the symbol is only cast to its documented driver-API signature below.
        unsafe { lib.get::<*const ()>(name) }
            .map(|s| *s)
            .map_err(|e| GpuError::DriverMissing(format!("symbol missing in libcuda: {e}")))
    };
    // SAFETY: these are the CUDA driver API signatures (cuda.h), stable since CUDA 2.
    let (init, count, version, err_name) = unsafe {
        (
            std::mem::transmute::<*const (), CuInit>(sym(b"cuInit\0")?),
            std::mem::transmute::<*const (), CuCount>(sym(b"cuDeviceGetCount\0")?),
            std::mem::transmute::<*const (), CuVersion>(sym(b"cuDriverGetVersion\0")?),
            std::mem::transmute::<*const (), CuErrName>(sym(b"cuGetErrorName\0")?),
        )
    };
    let mut v: c_int = 0;
    // SAFETY: valid out-pointer; cuDriverGetVersion may be called before cuInit.
    unsafe { version(&mut v) };
    // SAFETY: plain driver calls with valid out-pointers.
    let rc = unsafe { init(0) };
    if rc == CUDA_ERROR_NO_DEVICE {
        return Err(GpuError::NoDevice("cuInit: CUDA_ERROR_NO_DEVICE".into()));
    }
    if rc != 0 {
        let mut p: *const c_char = std::ptr::null();
        // SAFETY: cuGetErrorName stores a pointer to a static string (or leaves it null).
        let name = unsafe {
            if err_name(rc, &mut p) == 0 && !p.is_null() {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            } else {
                "unknown error".into()
            }
        };
        return Err(GpuError::DriverInit { code: rc, name });
    }
    let mut n: c_int = 0;
    // SAFETY: valid out-pointer, after a successful cuInit.
    let rc = unsafe { count(&mut n) };
    if rc != 0 || n <= 0 {
        return Err(GpuError::NoDevice(format!(
            "cuDeviceGetCount returned {rc} with {n} devices"
        )));
    }
    // Keep the library mapped: cudarc will open it again and the driver state lives in it.
    std::mem::forget(lib);
    Ok(DriverInfo {
        device_count: n as usize,
        driver_version: v,
    })
}
