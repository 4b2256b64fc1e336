//! NVRTC compilation of the kernel sources to PTX, cached per (source, architecture): in
//! memory for the process, and on disk under `$GALVANA_PTX_CACHE` when that is set (so that
//! many ranks or repeated runs compile once).

use crate::error::GpuError;
use crate::kernels::Module;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// `compute_XY` for a compute capability (X, Y): PTX for the device's own virtual
/// architecture, which its driver JIT-compiles.
pub fn arch_for(cc: (i32, i32)) -> String {
    format!("compute_{}{}", cc.0, cc.1)
}

/// PTX of `module` for `arch` (e.g. "compute_90"). Needs libnvrtc only, not a driver or GPU.
pub fn ptx(module: &Module, arch: &str) -> Result<String, GpuError> {
    static MEM: OnceLock<Mutex<HashMap<(u64, String), String>>> = OnceLock::new();
    let key = (fnv1a(module.source.as_bytes()), arch.to_string());
    let mem = MEM.get_or_init(Default::default);
    if let Some(p) = mem.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(p.clone());
    }
    let disk = disk_path(key.0, arch);
    let cached = disk.as_ref().and_then(|p| std::fs::read_to_string(p).ok());
    let text = match cached {
        Some(t) if t.contains(".entry") => t,
        _ => {
            let t = compile(module, arch)?;
            if let Some(p) = &disk {
                store(p, &t);
            }
            t
        }
    };
    mem.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, text.clone());
    Ok(text)
}

fn compile(module: &Module, arch: &str) -> Result<String, GpuError> {
    crate::probe::nvrtc()?;
    let opts = cudarc::nvrtc::CompileOptions {
        // No fused multiply-add: products round as on the CPU (CPU/GPU agree to rounding).
        fmad: Some(false),
        options: vec![format!("--gpu-architecture={arch}")],
        name: Some(module.name.to_string()),
        ..Default::default()
    };
    match cudarc::nvrtc::compile_ptx_with_opts(module.source, opts) {
        Ok(p) => Ok(p.to_src()),
        Err(cudarc::nvrtc::CompileError::CompileError { log, .. }) => Err(GpuError::Compile {
            module: module.name.into(),
            arch: arch.into(),
            log: log.to_string_lossy().into_owned(),
        }),
        Err(e) => Err(GpuError::Compile {
            module: module.name.into(),
            arch: arch.into(),
            log: format!("{e:?}"),
        }),
    }
}

/// `$GALVANA_PTX_CACHE/<source hash>-<arch>.ptx`, when the variable is set.
fn disk_path(hash: u64, arch: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("GALVANA_PTX_CACHE")?;
    Some(PathBuf::from(dir).join(format!("{hash:016x}-{arch}.ptx")))
}

/// Best effort (a cache): write a temporary file and rename it, so that concurrent ranks never
/// read a half-written PTX.
fn store(path: &std::path::Path, text: &str) {
    let Some(dir) = path.parent() else { return };
    let _ = std::fs::create_dir_all(dir);
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// FNV-1a: a hash that is stable across builds (std's hasher is not), for the disk cache key.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_and_hash_are_stable() {
        assert_eq!(arch_for((9, 0)), "compute_90");
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
    }
}
