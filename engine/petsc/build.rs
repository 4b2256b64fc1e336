//! Locates PETSc (and the MPI it was built with), generates bindings for the
//! small subset of the API the safe wrapper uses, and emits link directives.
//!
//! Search order: `PETSC_DIR`[/`PETSC_ARCH`] → pkg-config (`PETSc`, then
//! `petsc`) → Debian's `/usr/lib/petscdir/*`. See README.md.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// What the rest of the build needs to know about one PETSc installation.
struct PetscInstall {
    include_dirs: Vec<PathBuf>,
    lib_dirs: Vec<PathBuf>,
    libs: Vec<String>,
    origin: String,
}

const MISSING_HELP: &str = "PETSc was not found. Install it (Debian/Ubuntu: \
`apt-get install petsc-dev`), or point PETSC_DIR (and PETSC_ARCH for an in-tree build) \
at an installation, or make `pkg-config --exists PETSc` succeed via PKG_CONFIG_PATH. \
Galvana builds without PETSc as long as the engine's `petsc` feature is off.";

fn main() {
    for var in ["PETSC_DIR", "PETSC_ARCH", "MPICC"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=src/wrapper.h");
    println!("cargo:rustc-check-cfg=cfg(petsc_have_hypre)");

    let petsc = find_petsc().unwrap_or_else(|tried| {
        println!("cargo:warning={MISSING_HELP}");
        panic!("{MISSING_HELP}\nTried:\n  {}", tried.join("\n  "));
    });

    let conf = petsc
        .include_dirs
        .iter()
        .map(|d| d.join("petscconf.h"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{}: petscconf.h not found in {:?}",
                petsc.origin, petsc.include_dirs
            )
        });
    let conf_text = fs::read_to_string(&conf).expect("read petscconf.h");
    // The safe wrapper moves `f64` slices straight into PETSc; refuse other scalar types early
    // with a readable message instead of a type error deep inside the crate.
    if conf_text.contains("#define PETSC_USE_COMPLEX 1")
        || !conf_text.contains("#define PETSC_USE_REAL_DOUBLE 1")
    {
        panic!("{}: galvana-petsc needs a real, double-precision PETSc build (e.g. Debian's petsc-dev, not petsc-complex)", conf.display());
    }
    if conf_text.contains("#define PETSC_HAVE_HYPRE 1") {
        println!("cargo:rustc-cfg=petsc_have_hypre");
    }

    // PETSc headers include <mpi.h>; use the same probe as rsmpi so both agree on the MPI.
    let mpi = build_probe_mpi::probe().unwrap_or_else(|errs| {
        panic!("MPI not found (needed by PETSc's headers); install an MPI matching PETSc (Debian: libopenmpi-dev): {errs:?}")
    });

    for dir in &petsc.lib_dirs {
        println!("cargo:rustc-link-search=native={}", dir.display());
        // Custom PETSC_DIR installs are rarely on the loader path; this rpath only reaches this
        // crate's own tests/examples (dependents must use LD_LIBRARY_PATH, see README).
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
    for lib in &petsc.libs {
        println!("cargo:rustc-link-lib={lib}");
    }
    // MPI_Finalized is bound directly, so link MPI itself too (PETSc pulls it in dynamically anyway).
    for dir in &mpi.lib_paths {
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
    for lib in &mpi.libs {
        println!("cargo:rustc-link-lib={lib}");
    }
    println!(
        "cargo:include={}",
        env::join_paths(&petsc.include_dirs)
            .unwrap()
            .to_string_lossy()
    );

    let mut builder = bindgen::Builder::default()
        .header("src/wrapper.h")
        .rust_target(bindgen::RustTarget::stable(85, 0).expect("valid rust target"))
        .prepend_enum_name(false)
        .layout_tests(false)
        .generate_comments(false)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()));
    for dir in petsc.include_dirs.iter().chain(&mpi.include_paths) {
        builder = builder.clang_arg(format!("-I{}", dir.display()));
    }
    for f in ALLOWED_FUNCTIONS {
        builder = builder.allowlist_function(f);
    }
    for t in ALLOWED_TYPES {
        builder = builder.allowlist_type(t);
    }
    for v in ALLOWED_VARS {
        builder = builder.allowlist_var(v);
    }
    let bindings = builder
        .generate()
        .unwrap_or_else(|e| panic!("bindgen failed on PETSc headers from {}: {e}", petsc.origin));
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("petsc_bindings.rs");
    bindings.write_to_file(&out).expect("write bindings");
}

const ALLOWED_FUNCTIONS: &[&str] = &[
    "PetscInitializeNoArguments",
    "PetscInitialized",
    "PetscFinalize",
    "PetscFinalized",
    "PetscOptionsSetValue",
    "PetscOptionsInsertString",
    "PetscPushErrorHandler",
    "PetscPopErrorHandler",
    "PetscReturnErrorHandler",
    "PetscIgnoreErrorHandler",
    "PetscErrorMessage",
    "PetscGlobalMinMaxInt",
    "PetscLayoutCreate",
    "PetscLayoutSetLocalSize",
    "PetscLayoutSetSize",
    "PetscLayoutSetUp",
    "PetscLayoutGetRange",
    "PetscLayoutDestroy",
    "MatCreate",
    "MatSetSizes",
    "MatSetType",
    "MatSeqAIJSetPreallocation",
    "MatMPIAIJSetPreallocation",
    "MatSetOption",
    "MatSetValues",
    "MatAssemblyBegin",
    "MatAssemblyEnd",
    "MatCreateVecs",
    "MatDestroy",
    "VecCreateMPI",
    "VecGetLocalSize",
    "VecGetArray",
    "VecRestoreArray",
    "VecSetValues",
    "VecDestroy",
    "KSPCreate",
    "KSPSetOperators",
    "KSPSetOptionsPrefix",
    "KSPSetFromOptions",
    "KSPSetTolerances",
    "KSPSetInitialGuessNonzero",
    "KSPSolve",
    "KSPGetIterationNumber",
    "KSPGetConvergedReason",
    "KSPGetConvergedReasonString",
    "KSPGetResidualNorm",
    "KSPMonitorSet",
    "KSPGetPC",
    "KSPDestroy",
    "PCGetType",
    "PCSetType",
    "MPI_Finalized",
];

const ALLOWED_TYPES: &[&str] = &[
    "PetscErrorCode",
    "PetscInt",
    "PetscReal",
    "PetscScalar",
    "PetscBool",
    "InsertMode",
    "MatAssemblyType",
    "MatOption",
    "KSPConvergedReason",
];

const ALLOWED_VARS: &[&str] = &[
    "PETSC_COMM_WORLD",
    "PETSC_DEFAULT",
    "MATAIJ",
    "PETSC_ERR_.*",
    "PETSC_VERSION_(MAJOR|MINOR|SUBMINOR)",
];

fn find_petsc() -> Result<PetscInstall, Vec<String>> {
    let mut tried = Vec::new();

    if let Some(dir) = env::var_os("PETSC_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        let arch = env::var_os("PETSC_ARCH").filter(|a| !a.is_empty());
        // An in-tree build keeps petscconf.h and the library under $PETSC_DIR/$PETSC_ARCH;
        // a prefix install has everything directly under $PETSC_DIR.
        let arch_dir = arch.map(|a| dir.join(a)).unwrap_or_else(|| dir.clone());
        match from_prefix(&dir, &arch_dir, "PETSC_DIR") {
            Some(found) => return Ok(found),
            // An explicit PETSC_DIR that is wrong should not silently fall back to another PETSc.
            None => {
                tried.push(format!(
                    "PETSC_DIR={} PETSC_ARCH={:?}: no include/petscksp.h + lib/libpetsc*",
                    dir.display(),
                    env::var("PETSC_ARCH").ok()
                ));
                return Err(tried);
            }
        }
    }

    for name in ["PETSc", "petsc"] {
        match pkg_config::Config::new().cargo_metadata(false).probe(name) {
            Ok(lib) => {
                return Ok(PetscInstall {
                    include_dirs: lib.include_paths,
                    lib_dirs: lib.link_paths,
                    libs: lib.libs,
                    origin: format!("pkg-config {name} {}", lib.version),
                })
            }
            Err(e) => tried.push(format!(
                "pkg-config {name}: {}",
                e.to_string().lines().next().unwrap_or("")
            )),
        }
    }

    // Debian/Ubuntu layout: /usr/lib/petscdir/petscX.Y/<multiarch>-real (newest first).
    let root = Path::new("/usr/lib/petscdir");
    let mut candidates = Vec::new();
    if let Ok(entries) = fs::read_dir(root) {
        for e in entries.flatten() {
            candidates.push(e.path());
            if let Ok(sub) = fs::read_dir(e.path()) {
                candidates.extend(sub.flatten().map(|s| s.path()));
            }
        }
    }
    candidates.sort();
    for dir in candidates.iter().rev() {
        if let Some(found) = from_prefix(dir, dir, "Debian petscdir") {
            return Ok(found);
        }
    }
    tried.push(format!("{}: no usable installation", root.display()));
    Err(tried)
}

/// Builds an install description from a prefix, or `None` if headers or library are missing.
fn from_prefix(dir: &Path, arch_dir: &Path, how: &str) -> Option<PetscInstall> {
    let include_dirs: Vec<PathBuf> = [dir.join("include"), arch_dir.join("include")]
        .into_iter()
        .filter(|d| d.is_dir())
        .fold(Vec::new(), |mut v, d| {
            if !v.contains(&d) {
                v.push(d);
            }
            v
        });
    if !include_dirs.iter().any(|d| d.join("petscksp.h").is_file()) {
        return None;
    }
    let lib_dir = arch_dir.join("lib");
    // Upstream names the library libpetsc; Debian ships libpetsc_real / libpetsc_complex.
    let lib = ["petsc", "petsc_real"].into_iter().find(|name| {
        ["so", "a", "dylib"]
            .iter()
            .any(|ext| lib_dir.join(format!("lib{name}.{ext}")).exists())
    })?;
    Some(PetscInstall {
        include_dirs,
        lib_dirs: vec![lib_dir],
        libs: vec![lib.to_string()],
        origin: format!("{how} {}", arch_dir.display()),
    })
}
