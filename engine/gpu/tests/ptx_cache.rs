//! With GALVANA_PTX_CACHE set, compiled PTX is stored as `<source hash>-<arch>.ptx` (complete
//! files only, renamed into place) for later processes. Needs libnvrtc; skips visibly without.

use galvana_gpu::{compile, kernels, probe};

#[test]
fn ptx_is_cached_on_disk_by_source_hash_and_arch_or_skips() {
    if let Err(e) = probe::nvrtc() {
        let required = ["GALVANA_REQUIRE_NVRTC", "GALVANA_REQUIRE_GPU"]
            .iter()
            .any(|k| std::env::var(k).is_ok_and(|v| v == "1"));
        assert!(!required, "NVRTC required but {e}");
        galvana_gpu::skip_notice("ptx_is_cached_on_disk", &e.to_string());
        return;
    }
    let dir = std::env::temp_dir().join(format!("galvana-ptx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::env::set_var("GALVANA_PTX_CACHE", &dir);
    let m = kernels::BIOT_SAVART;
    let ptx = compile::ptx(&m, "compute_90").unwrap();
    let file = dir.join(format!(
        "{:016x}-compute_90.ptx",
        compile::fnv1a(m.source.as_bytes())
    ));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ptx);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "temporary files left behind: {names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
