//! Link against the system's *parallel* HDF5 (Debian: `libhdf5-openmpi-dev`).
//!
//! The hand-written declarations in `src/ffi.rs` follow the HDF5 1.10 ABI (64-bit `hid_t`),
//! which also holds for 1.12/1.14 for the functions used, so anything older is refused.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=GALVANA_HDF5_PKG");
    // Debian ships `hdf5-mpi.pc` (openmpi flavour) plus an alternatives-managed `hdf5.pc`.
    let names: Vec<String> = match std::env::var("GALVANA_HDF5_PKG") {
        Ok(n) => vec![n],
        Err(_) => vec!["hdf5-mpi".into(), "hdf5-openmpi".into(), "hdf5".into()],
    };
    let mut errors = Vec::new();
    for name in &names {
        let mut cfg = pkg_config::Config::new();
        cfg.atleast_version("1.10");
        // Probe quietly first so a rejected serial build leaves no link flags behind.
        match cfg.cargo_metadata(false).probe(name) {
            Ok(lib) => {
                // `H5Pset_fapl_mpio` only exists in a parallel build, and `src/ffi.rs` assumes a
                // 64-bit `hid_t`: check both in the headers rather than fail obscurely later.
                let header = |file: &str| {
                    lib.include_paths
                        .iter()
                        .find_map(|dir| std::fs::read_to_string(Path::new(dir).join(file)).ok())
                        .unwrap_or_default()
                };
                if !header("H5pubconf.h").contains("#define H5_HAVE_PARALLEL 1") {
                    errors.push(format!(
                        "{name} ({}): not a parallel (MPI) HDF5 build",
                        lib.version
                    ));
                    continue;
                }
                if !header("H5Ipublic.h").contains("typedef int64_t hid_t;") {
                    errors.push(format!("{name} ({}): hid_t is not int64_t", lib.version));
                    continue;
                }
                cfg.cargo_metadata(true)
                    .probe(name)
                    .expect("pkg-config re-probe");
                return;
            }
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    panic!(
        "galvana-h5 needs parallel HDF5 >= 1.10 found through pkg-config \
         (Debian: apt install libhdf5-openmpi-dev; or set GALVANA_HDF5_PKG). Tried:\n{}",
        errors.join("\n")
    );
}
