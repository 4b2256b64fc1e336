//! The PETSc backend gives the native backend's answer, serially and on 2 ranks, and PETSc
//! errors (an unknown preconditioner) fail the run cleanly with exit 1 on every rank.
#![cfg(feature = "petsc")]
mod common;
use common::*;
use std::path::Path;

fn deck(dir: &Path, backend: &str, petsc_options: &str) -> std::path::PathBuf {
    let p = dir.join(format!("deck-{backend}.toml"));
    let text = format!(
        r#"
[mesh]
type = "box"
nx = 8
ny = 6
nz = 5
x = [0.0, 0.1]
y = [0.0, 0.05]
z = [0.0, 0.02]

[materials.copper]
type = "nist"
material = "copper_rrr50"
regions = ["domain"]

[physics]
type = "heat_conduction"

[bcs.cold]
type = "temperature"
boundary = ["left"]
value = 20.0

[bcs.hot]
type = "heat_flux"
boundary = ["right"]
q = 2000.0

[solver]
backend = "{backend}"
{petsc_options}

[solver.nonlinear]
rtol = 1e-12
atol = 1e-10

[solver.linear]
type = "gmres"
rtol = 1e-12
"#
    );
    std::fs::write(&p, text).unwrap();
    p
}

fn temperatures(out: &Path) -> Vec<f64> {
    let f = galvana_h5::File::open(&out.join("fields.h5"), false).unwrap();
    let ids: Vec<i64> = f
        .open_dataset("mesh/original_dof")
        .unwrap()
        .read_all()
        .unwrap();
    let t: Vec<f64> = f
        .open_dataset("fields/temperature/000000")
        .unwrap()
        .read_all()
        .unwrap();
    let mut v = vec![0.0; t.len()];
    for (i, &id) in ids.iter().enumerate() {
        v[id as usize] = t[i];
    }
    v
}

#[test]
fn petsc_matches_native_serial_and_parallel() {
    let tmp = tempdir("petsc");
    let native = deck(&tmp, "native", "");
    let petsc = deck(
        &tmp,
        "petsc",
        "petsc_options = \"-ksp_type gmres -pc_type hypre -pc_hypre_type boomeramg\"",
    );
    let out_n = tmp.join("native");
    check(
        &std::process::Command::new(galvana())
            .arg("run")
            .arg(&native)
            .arg("--output")
            .arg(&out_n)
            .output()
            .unwrap(),
        "native run",
    );
    let a = temperatures(&out_n);
    for np in [1, 2] {
        let out_p = tmp.join(format!("petsc{np}"));
        let o = mpirun(np)
            .arg(galvana())
            .arg("run")
            .arg(&petsc)
            .arg("--output")
            .arg(&out_p)
            .output()
            .unwrap();
        let s = check(&o, "petsc run");
        assert!(s.contains("PETSc"), "{s}");
        let b = temperatures(&out_p);
        let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let diff = a
            .iter()
            .zip(&b)
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
        assert!(
            diff / scale < 1e-9,
            "np {np}: native and PETSc differ by {diff}"
        );
    }
}

#[test]
fn petsc_error_fails_run_with_exit_1() {
    let tmp = tempdir("petsc-err");
    let bad = deck(&tmp, "petsc", "petsc_options = \"-pc_type nosuchpc\"");
    let o = mpirun(2)
        .arg(galvana())
        .arg("run")
        .arg(&bad)
        .arg("--output")
        .arg(tmp.join("out"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nosuchpc"), "{err}");
    let summary = std::fs::read_to_string(tmp.join("out/summary.json")).unwrap();
    assert!(summary.contains("\"failed\""), "{summary}");
}
