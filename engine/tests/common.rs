//! Helpers for tests that launch programs under mpirun.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// target/<profile>/ of the running test binary.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

pub fn example(name: &str) -> PathBuf {
    target_dir().join("examples").join(name)
}

pub fn galvana() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_galvana"))
}

/// mpirun with the flags needed as root in containers and with more ranks than cores.
pub fn mpirun(np: usize) -> Command {
    let mut c = Command::new("mpirun");
    c.args([
        "--allow-run-as-root",
        "--oversubscribe",
        "--bind-to",
        "none",
        "-np",
        &np.to_string(),
    ]);
    c.env("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    c.env("OMPI_MCA_rmaps_base_oversubscribe", "1");
    c
}

pub fn check(out: &Output, what: &str) -> String {
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({:?})\nstdout:\n{s}\nstderr:\n{e}",
        out.status
    );
    s
}

/// A fresh, empty directory under the target dir for one test.
pub fn tempdir(name: &str) -> PathBuf {
    let d = target_dir()
        .join("test-tmp")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
