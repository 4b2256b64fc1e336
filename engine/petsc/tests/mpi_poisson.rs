//! MPI integration test: this binary re-launches itself under `mpirun -np N` (N = 1, 2, 3)
//! and every rank runs the checks in `child()` against the real PETSc.
//!
//! The checks solve a 2D Poisson problem whose exact solution is linear (so the 5-point
//! discrete solution is exact up to the solver tolerance) with CG + jacobi / gamg / hypre,
//! and exercise the error paths: invalid `-pc_type`, bad input on a single rank, diverged
//! solves, panicking monitors, double init, and MPI staying alive after PetscFinalize.

use std::env;
use std::panic::{self, AssertUnwindSafe};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use galvana_petsc::{DistMatrix, KspSolver, Petsc};
use mpi::collective::SystemOperation;
use mpi::traits::*;

const CHILD_ENV: &str = "GALVANA_PETSC_MPI_CHILD";
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// Prefix-scoped options so one options database drives all solver configurations.
const OPTIONS: &str = "-jac_ksp_type cg -jac_pc_type jacobi \
    -gamg_ksp_type cg -gamg_pc_type gamg \
    -hypre_ksp_type cg -hypre_pc_type hypre \
    -div_ksp_type cg -div_pc_type none \
    -bad_ksp_type cg -bad_pc_type nosuchpc";

fn main() {
    if env::var_os(CHILD_ENV).is_some() {
        child();
    } else {
        parent();
    }
}

fn parent() {
    let version = match Command::new("mpirun").arg("--version").output() {
        Ok(out) => String::from_utf8_lossy(&out.stdout).into_owned(),
        Err(e) => {
            println!(
                "SKIP mpi_poisson: mpirun not runnable ({e}); install an MPI to run this test"
            );
            return;
        }
    };
    // Open MPI refuses root without this flag and caps ranks at the core count otherwise.
    let extra: &[&str] = if version.contains("Open MPI") || version.contains("OpenRTE") {
        &["--allow-run-as-root", "--oversubscribe"]
    } else {
        &[]
    };
    let exe = env::current_exe().expect("test binary path");
    for np in [1, 2, 3] {
        let mut child = Command::new("mpirun")
            .args(extra)
            .args(["-np", &np.to_string()])
            .arg(&exe)
            .env(CHILD_ENV, "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn mpirun");
        // A deadlock (e.g. a rank skipping a collective) must fail the test, not hang it.
        let start = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if start.elapsed() > RUN_TIMEOUT {
                let _ = child.kill();
                panic!("mpirun -np {np} timed out after {RUN_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let out = child.wait_with_output().expect("collect output");
        let stdout = String::from_utf8_lossy(&out.stdout);
        println!(
            "--- mpirun -np {np} ---\n{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "mpirun -np {np} failed: {}",
            out.status
        );
        let passed = stdout
            .lines()
            .filter(|l| l.starts_with("PASS rank"))
            .count();
        assert_eq!(passed, np, "every rank must report PASS");
    }
    println!("mpi_poisson: ok");
}

/// 2D Poisson (-Δu = 0) on the unit square with Dirichlet data from `exact`, on an
/// `nx` × `ny` interior grid, split into contiguous uneven row blocks over the ranks.
struct Problem {
    n_global: usize,
    row_start: usize,
    row_ptr: Vec<usize>,
    cols: Vec<usize>,
    vals: Vec<f64>,
    b: Vec<f64>,
    u: Vec<f64>,
}

fn exact(x: f64, y: f64) -> f64 {
    1.0 + 2.0 * x + 3.0 * y
}

fn poisson2d(nx: usize, ny: usize, rank: usize, size: usize) -> Problem {
    let n_global = nx * ny;
    let (base, rem) = (n_global / size, n_global % size);
    let row_start = rank * base + rank.min(rem);
    let nlocal = base + usize::from(rank < rem);
    let (hx, hy) = (1.0 / (nx + 1) as f64, 1.0 / (ny + 1) as f64);
    let (cx, cy) = (1.0 / (hx * hx), 1.0 / (hy * hy));
    let mut p = Problem {
        n_global,
        row_start,
        row_ptr: vec![0],
        cols: vec![],
        vals: vec![],
        b: vec![],
        u: vec![],
    };
    for k in row_start..row_start + nlocal {
        let (i, j) = (k % nx, k / nx);
        let (x, y) = ((i + 1) as f64 * hx, (j + 1) as f64 * hy);
        let mut rhs = 0.0;
        // Neighbours inside the grid become matrix entries, boundary ones move to the rhs.
        let stencil = [
            (j > 0, k.wrapping_sub(nx), -cy, (x, 0.0)),
            (i > 0, k.wrapping_sub(1), -cx, (0.0, y)),
            (true, k, 2.0 * (cx + cy), (x, y)),
            (i + 1 < nx, k + 1, -cx, (1.0, y)),
            (j + 1 < ny, k + nx, -cy, (x, 1.0)),
        ];
        for (inside, col, c, (bx, by)) in stencil {
            if inside {
                p.cols.push(col);
                p.vals.push(c);
            } else {
                rhs -= c * exact(bx, by);
            }
        }
        p.row_ptr.push(p.cols.len());
        p.b.push(rhs);
        p.u.push(exact(x, y));
    }
    p
}

fn max_err(x: &[f64], u: &[f64], scale: f64) -> f64 {
    x.iter()
        .zip(u)
        .map(|(a, b)| (a - b * scale).abs())
        .fold(0.0, f64::max)
}

/// Solves with a monitor that records every call, and checks the monitor sequence.
fn solve_checked(ksp: &mut KspSolver, p: &Problem, x: &mut [f64]) -> galvana_petsc::SolveInfo {
    let mut calls: Vec<(usize, f64)> = Vec::new();
    let info = ksp
        .solve(&p.b, x, &mut |it, rnorm| calls.push((it, rnorm)))
        .expect("solve");
    let its: Vec<usize> = calls.iter().map(|c| c.0).collect();
    assert_eq!(
        its,
        (0..=info.iterations).collect::<Vec<_>>(),
        "monitor once per iteration"
    );
    assert_eq!(calls.last().unwrap().1, info.residual_norm);
    info
}

fn child() {
    let universe = mpi::initialize().expect("MPI init");
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let petsc = Petsc::init(OPTIONS).expect("PetscInitialize");
    assert!(Petsc::is_active());
    assert!(Petsc::init("").is_err(), "second init must be refused");

    let p = poisson2d(23, 17, rank, size);
    let mut a = DistMatrix::from_csr(p.n_global, p.row_start, &p.row_ptr, &p.cols, &p.vals)
        .expect("matrix");
    assert_eq!(a.local_rows(), p.row_start..p.row_start + p.u.len());

    let mut pcs = vec!["jacobi", "gamg"];
    if galvana_petsc::HAVE_HYPRE {
        pcs.push("hypre");
    }
    let mut solvers = Vec::new();
    for pc in pcs {
        let prefix = if pc == "jacobi" {
            "jac_".to_string()
        } else {
            format!("{pc}_")
        };
        let mut ksp = KspSolver::new(&a, Some(&prefix)).expect("KspSolver::new");
        assert_eq!(ksp.pc_type().unwrap(), pc);
        ksp.set_tolerances(1e-12, 1e-50, 10_000).unwrap();
        let mut x = vec![0.0; p.u.len()];
        let info = solve_checked(&mut ksp, &p, &mut x);
        let err = max_err(&x, &p.u, 1.0);
        println!(
            "rank {rank}/{size}: pc={pc} its={} reason={} err={err:.2e}",
            info.iterations, info.reason
        );
        assert!(info.converged, "{pc}: {info:?}");
        assert!(err < 1e-8, "{pc}: max error {err}");
        solvers.push((pc, ksp));
    }

    // Newton-style update: same pattern, doubled values, so the solution halves. The
    // solvers must notice the new values and rebuild their preconditioners.
    let doubled: Vec<f64> = p.vals.iter().map(|v| 2.0 * v).collect();
    a.update_values(&doubled).expect("update_values");
    drop(a); // the KSPs hold their own reference
    for (pc, ksp) in &mut solvers {
        let mut x = p.u.clone(); // nonzero initial guess is honoured
        let info = solve_checked(ksp, &p, &mut x);
        let err = max_err(&x, &p.u, 0.5);
        assert!(
            info.converged && err < 1e-8,
            "{pc} after update: {info:?} err {err}"
        );
    }

    // A non-converged solve is a result, not an error.
    let a = DistMatrix::from_csr(p.n_global, p.row_start, &p.row_ptr, &p.cols, &p.vals).unwrap();
    let mut ksp = KspSolver::new(&a, Some("div_")).unwrap();
    ksp.set_tolerances(1e-14, 1e-50, 3).unwrap();
    let mut x = vec![0.0; p.u.len()];
    let info = solve_checked(&mut ksp, &p, &mut x);
    assert!(
        !info.converged && info.reason == "DIVERGED_ITS" && info.iterations == 3,
        "{info:?}"
    );

    // A panicking monitor surfaces as a panic after the (collective) solve completes.
    let mut x = vec![0.0; p.u.len()];
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {})); // the panic is expected; keep the log readable
    let caught = panic::catch_unwind(AssertUnwindSafe(|| {
        ksp.solve(&p.b, &mut x, &mut |it, _| {
            assert!(it < 1, "monitor panic test")
        })
    }));
    panic::set_hook(default_hook);
    assert!(caught.is_err(), "monitor panic must propagate");
    let info = ksp
        .solve(&p.b, &mut x, &mut |_, _| {})
        .expect("solver usable after panic");
    assert_eq!(info.iterations, 3);

    // Unknown -pc_type: an Err naming it on every rank, no abort.
    let err = KspSolver::new(&a, Some("bad_"))
        .err()
        .expect("nosuchpc must fail");
    println!("rank {rank}: expected error: {err}");
    assert!(err.message.contains("nosuchpc"), "{err}");
    let err = ksp.set_pc_type("alsonotapc").unwrap_err();
    assert!(err.message.contains("alsonotapc"), "{err}");

    // Bad input on a single rank must fail on all ranks instead of deadlocking.
    let mut cols = p.cols.clone();
    if rank == size - 1 {
        *cols.last_mut().unwrap() = p.n_global;
    }
    let err = DistMatrix::from_csr(p.n_global, p.row_start, &p.row_ptr, &cols, &p.vals)
        .err()
        .expect("bad column");
    assert!(
        err.message.contains(if rank == size - 1 {
            "column index"
        } else {
            "another rank"
        }),
        "{err}"
    );
    if size > 1 {
        let start = if rank == 0 { 1 } else { p.row_start };
        let err = DistMatrix::from_csr(p.n_global, start, &p.row_ptr, &p.cols, &p.vals)
            .err()
            .expect("bad row_start");
        assert!(
            err.message
                .contains(if rank == 0 { "layout" } else { "another rank" }),
            "{err}"
        );
    }
    let (short_ptr, short_n) = (
        &p.row_ptr[..p.row_ptr.len() - 1],
        p.row_ptr[p.row_ptr.len() - 2],
    );
    let err = DistMatrix::from_csr(
        p.n_global,
        p.row_start,
        short_ptr,
        &p.cols[..short_n],
        &p.vals[..short_n],
    )
    .err()
    .expect("row counts not summing to n_global");
    assert!(err.message.contains("sum to"), "{err}");
    let err = ksp.solve(&p.b[1..], &mut x, &mut |_, _| {}).unwrap_err();
    assert!(err.message.contains("entries"), "{err}");

    drop((a, ksp, solvers));
    drop(petsc);
    assert!(!Petsc::is_active());
    // PETSc found MPI initialised, so PetscFinalize must have left it running.
    let mut total = 0i32;
    world.all_reduce_into(&1i32, &mut total, SystemOperation::sum());
    assert_eq!(total as usize, size);
    println!("PASS rank {rank}");
}
