//! `[compute] device` end to end: `cuda` on a node without a driver or device fails with exit
//! code 1 and a message naming the deck key and the way out, before any output; `auto` runs on
//! the CPU there; on a GPU node the device CG gives the CPU's answer on 1 and 2 ranks.
//! Tests that need a GPU print "skipped: ..." without one (GALVANA_REQUIRE_GPU=1: fail).

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// thermal_link_cooldown, shortened, with CG + Jacobi (the solver the device runs) and
/// `[compute] device` = `device`.
fn deck(dir: &Path, name: &str, device: &str) -> PathBuf {
    let text = std::fs::read_to_string(examples_dir().join("thermal_link_cooldown.toml")).unwrap();
    let text = text
        .replace("type = \"gmres\"", "type = \"cg\"")
        .replace("pc = \"bjacobi\"", "pc = \"jacobi\"")
        .replace("end = 7200.0", "end = 30.0");
    assert!(
        text.contains("type = \"cg\"") && text.contains("end = 30.0"),
        "example deck changed"
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, format!("{text}\n[compute]\ndevice = \"{device}\"\n")).unwrap();
    p
}

fn run(np: usize, deck: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut c = if np == 1 {
        std::process::Command::new(galvana())
    } else {
        let mut m = mpirun(np);
        m.arg(galvana());
        m
    };
    c.arg("run").arg(deck).arg("--output").arg(out).args(extra);
    c.output().unwrap()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn has_gpu() -> bool {
    galvana_gpu::probe::driver().is_ok()
}

#[test]
fn cuda_without_a_device_exits_1_with_the_cause_before_any_output() {
    if has_gpu() {
        galvana_gpu::skip_notice(
            "cuda_without_a_device_exits_1",
            "this node has a CUDA driver (the GPU tests below cover it)",
        );
        return;
    }
    let dir = tempdir("gpu-missing");
    let d = deck(&dir, "cuda", "cuda");
    for np in [1, 2] {
        let out_dir = dir.join(format!("out-{np}"));
        let o = run(np, &d, &out_dir, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "np {np}: {err}");
        assert!(
            err.contains("CUDA requested by [compute] device = \"cuda\" in cuda.toml but")
                && err.contains("run on a GPU node or set device = \"auto\""),
            "np {np}: {err}"
        );
        assert!(
            !out_dir.exists(),
            "np {np}: output written for a run that could not start"
        );
    }
    // The command line names itself as the origin.
    let o = run(
        1,
        &deck(&dir, "cpu", "cpu"),
        &dir.join("out-cli"),
        &["--device", "cuda"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("requested by --device cuda") && err.contains("--device auto"),
        "{err}"
    );
    // A Biot–Savart deck honours the key too.
    let text = std::fs::read_to_string(examples_dir().join("helmholtz_pair.toml")).unwrap();
    let hp = dir.join("helmholtz.toml");
    std::fs::write(&hp, format!("{text}\n[compute]\ndevice = \"cuda\"\n")).unwrap();
    let o = run(1, &hp, &dir.join("out-hp"), &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn auto_runs_and_reports_its_device() {
    let dir = tempdir("gpu-auto");
    let o = run(1, &deck(&dir, "auto", "auto"), &dir.join("out"), &[]);
    let s = check(&o, "auto run");
    let dev = summary(&dir.join("out"))["device"]
        .as_str()
        .unwrap()
        .to_string();
    if has_gpu() {
        assert!(dev.starts_with("cuda:"), "{dev}");
    } else {
        assert_eq!(dev, "cpu");
        assert!(
            s.contains("Notice: device = \"auto\": running on the CPU"),
            "{s}"
        );
    }
    assert!(
        s.contains(&format!("device {dev}")),
        "run header lacks the device: {s}"
    );
}

#[test]
fn bad_device_values_are_usage_and_deck_errors() {
    let dir = tempdir("gpu-bad");
    let d = deck(&dir, "cpu", "cpu");
    let o = run(1, &d, &dir.join("out"), &["--device", "gpu"]);
    assert_eq!(o.status.code(), Some(2));
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&d)
            .unwrap()
            .replace("device = \"cpu\"", "device = \"gpu\""),
    )
    .unwrap();
    let o = std::process::Command::new(galvana())
        .arg("check")
        .arg(&bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("bad.toml:") && err.contains("device"), "{err}");
}

#[test]
fn gpu_cg_gives_the_cpu_answer_on_1_and_2_ranks_or_skips() {
    if galvana_gpu::gpu_or_skip("gpu_cg_gives_the_cpu_answer").is_none() {
        return;
    }
    let dir = tempdir("gpu-cg");
    for np in [1, 2] {
        let cpu = dir.join(format!("cpu-{np}"));
        let gpu = dir.join(format!("gpu-{np}"));
        check(&run(np, &deck(&dir, "cpu", "cpu"), &cpu, &[]), "cpu run");
        let s = check(&run(np, &deck(&dir, "cuda", "cuda"), &gpu, &[]), "cuda run");
        assert!(s.contains("linear solver cuda cg"), "{s}");
        let (a, b) = (summary(&cpu), summary(&gpu));
        assert_eq!(a["steps"], b["steps"], "np {np}");
        let (pa, pb) = (&a["final_postprocessors"], &b["final_postprocessors"]);
        for (k, va) in pa.as_object().unwrap() {
            let (x, y) = (va.as_f64().unwrap(), pb[k].as_f64().unwrap());
            // Same algorithm, different summation order; solver tolerance 1e-10.
            assert!(
                (x - y).abs() <= 1e-7 * x.abs().max(1.0),
                "np {np} {k}: cpu {x} gpu {y}"
            );
        }
    }
}

/// A square polyline coil (straight segments: the GPU kernel's case) and a line and plane target.
fn square_coil_deck(dir: &Path, name: &str, device: &str) -> PathBuf {
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(
        &p,
        format!(
            "[physics]\ntype = \"biot_savart\"\n\n[sources.square]\ntype = \"polyline\"\n\
             points = [0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.1, 0.1, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0]\n\
             current = 50.0\n\n[postprocessors.axis]\ntype = \"line\"\nstart = [0.05, 0.05, -0.1]\n\
             end = [0.05, 0.05, 0.1]\nn = 201\n\n[postprocessors.xz]\ntype = \"plane\"\n\
             origin = [-0.05, 0.03, -0.05]\nu = [0.2, 0.0, 0.0]\nv = [0.0, 0.0, 0.1]\nn_u = 41\nn_v = 21\n\n\
             [compute]\ndevice = \"{device}\"\n"
        ),
    )
    .unwrap();
    p
}

#[test]
fn polyline_coils_run_on_the_gpu_like_the_cpu_or_skip() {
    let dir = tempdir("gpu-bs");
    // The deck itself must be valid and run on the CPU everywhere.
    check(
        &run(
            1,
            &square_coil_deck(&dir, "cpu", "cpu"),
            &dir.join("cpu"),
            &[],
        ),
        "cpu run",
    );
    if galvana_gpu::gpu_or_skip("polyline_coils_run_on_the_gpu").is_none() {
        return;
    }
    check(
        &run(
            1,
            &square_coil_deck(&dir, "cuda", "cuda"),
            &dir.join("gpu"),
            &[],
        ),
        "cuda run",
    );
    let (a, b) = (summary(&dir.join("cpu")), summary(&dir.join("gpu")));
    assert!(
        b["device"].as_str().unwrap().starts_with("cuda:"),
        "{}",
        b["device"]
    );
    for name in ["line_axis.csv", "plane_xz.csv"] {
        let read = |d: &str| std::fs::read_to_string(dir.join(d).join(name)).unwrap();
        let (c, g) = (read("cpu"), read("gpu"));
        let vals = |s: &str| -> Vec<f64> {
            s.lines()
                .skip(1)
                .flat_map(|l| {
                    l.split(',')
                        .map(|v| v.trim().parse::<f64>().unwrap())
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let (vc, vg) = (vals(&c), vals(&g));
        assert_eq!(vc.len(), vg.len(), "{name}");
        let scale = vc.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (x, y) in vc.iter().zip(&vg) {
            assert!((x - y).abs() <= 1e-12 * scale, "{name}: cpu {x} gpu {y}");
        }
    }
    assert!(a["device"] == "cpu");
}
