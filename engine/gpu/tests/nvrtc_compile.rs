//! Every kernel compiles with NVRTC, which needs libnvrtc but no driver or GPU, so CI can run
//! it (`pip install nvidia-cuda-nvrtc-cu12` and its lib/ on LD_LIBRARY_PATH; see
//! scripts/install-deps.sh). Without libnvrtc it prints why and returns, unless
//! GALVANA_REQUIRE_NVRTC=1 or GALVANA_REQUIRE_GPU=1 make that a failure.

use galvana_gpu::{compile, kernels, probe};

fn nvrtc_or_skip(test: &str) -> bool {
    match probe::nvrtc() {
        Ok(()) => true,
        Err(e) => {
            let required = ["GALVANA_REQUIRE_NVRTC", "GALVANA_REQUIRE_GPU"]
                .iter()
                .any(|k| std::env::var(k).is_ok_and(|v| v == "1"));
            assert!(!required, "{test}: NVRTC required but {e}");
            galvana_gpu::skip_notice(test, &e.to_string());
            false
        }
    }
}

#[test]
fn nvrtc_compiles_every_kernel_for_hopper_and_ampere_or_skips() {
    if !nvrtc_or_skip("nvrtc_compiles_every_kernel") {
        return;
    }
    for arch in ["compute_80", "compute_90"] {
        for m in kernels::ALL {
            let ptx = compile::ptx(m, arch).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                ptx.contains(&format!(".target sm_{}", &arch[8..])),
                "{}: {arch}",
                m.name
            );
            for e in m.entries {
                assert!(
                    ptx.contains(&format!(".entry {e}(")),
                    "{}: entry {e} missing from the PTX for {arch}",
                    m.name
                );
            }
            // --fmad=false: no fused multiply-add, so products round as on the CPU.
            assert!(
                !ptx.contains("fma.rn.f64"),
                "{}: fused multiply-add in PTX",
                m.name
            );
            assert!(
                ptx.contains("mul.rn.f64"),
                "{}: no f64 multiply at all?",
                m.name
            );
        }
    }
}

#[test]
fn nvrtc_reports_a_broken_kernel_with_its_log_or_skips() {
    if !nvrtc_or_skip("nvrtc_reports_a_broken_kernel") {
        return;
    }
    let bad = kernels::Module {
        name: "broken.cu",
        source: "extern \"C\" __global__ void k(double* x) { x[0] = undeclared; }",
        entries: &["k"],
    };
    let err = compile::ptx(&bad, "compute_90").unwrap_err().to_string();
    assert!(
        err.contains("broken.cu") && err.contains("undeclared"),
        "{err}"
    );
}
