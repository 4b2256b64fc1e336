//! Distributed linear-algebra self-check, run under `mpirun -np N` by `tests/mpi_linalg.rs`.
//! Solves the 1D finite-difference Poisson problem -u'' = 1, u(0) = u(1) = 0, whose discrete
//! solution equals the exact x(1-x)/2 at the nodes, with every Krylov method and preconditioner.

use galvana_engine::comm::Comm;
use galvana_engine::linalg::krylov::{solve, KrylovOptions, KspType};
use galvana_engine::linalg::pc::{BlockIlu0, Identity, Jacobi, Preconditioner};
use galvana_engine::linalg::{DistCsr, Layout};
use std::sync::Arc;

fn main() {
    let universe = mpi::initialize().expect("MPI init");
    let comm = Comm::new(universe.world());
    let n = 401; // interior unknowns
    let h = 1.0 / (n + 1) as f64;
    let ranges = Layout::even_ranges(n, comm.size());
    let (lo, hi) = (ranges[comm.rank()], ranges[comm.rank() + 1]);
    let mut ghosts = vec![];
    if lo > 0 {
        ghosts.push(lo - 1);
    }
    if hi < n {
        ghosts.push(hi);
    }
    let layout = Arc::new(Layout::new(&comm, ranges, ghosts));
    let mut row_ptr = vec![0];
    let mut entries: Vec<(u32, f64)> = vec![];
    for g in lo..hi {
        let mut row = vec![];
        if g > 0 {
            row.push((layout.local_of(g - 1).unwrap() as u32, -1.0 / (h * h)));
        }
        row.push(((g - lo) as u32, 2.0 / (h * h)));
        if g + 1 < n {
            row.push((layout.local_of(g + 1).unwrap() as u32, -1.0 / (h * h)));
        }
        row.sort_by_key(|e| e.0);
        entries.extend(row);
        row_ptr.push(entries.len());
    }
    let cols = entries.iter().map(|e| e.0).collect();
    let mut a = DistCsr::with_pattern(layout.clone(), row_ptr, cols);
    a.vals = entries.iter().map(|e| e.1).collect();
    let b = vec![1.0; hi - lo];
    let mut failures = 0;
    for kind in [KspType::Cg, KspType::Gmres, KspType::BiCgStab] {
        for pcname in ["none", "jacobi", "ilu0"] {
            let pc: Box<dyn Preconditioner> = match pcname {
                "none" => Box::new(Identity),
                "jacobi" => Box::new(Jacobi::new(&a).unwrap()),
                _ => Box::new(BlockIlu0::new(&a).unwrap()),
            };
            let opts = KrylovOptions {
                kind,
                rtol: 1e-12,
                atol: 1e-50,
                max_it: 5000,
                // Full GMRES (restart > n): restarted GMRES stagnates on the unpreconditioned
                // 1D Laplacian, which is a property of the method, not of this code.
                restart: 500,
            };
            let mut x = vec![0.0; layout.n_local()];
            let mut its = 0;
            let res = solve(&comm, &a, pc.as_ref(), &b, &mut x, &opts, &mut |k, _| {
                its = k
            });
            let mut err: f64 = 0.0;
            for g in lo..hi {
                let xx = (g + 1) as f64 * h;
                err = err.max((x[g - lo] - xx * (1.0 - xx) / 2.0).abs());
            }
            let err = comm.max(err);
            let ok = res.converged && err < 1e-8;
            if !ok {
                failures += 1;
            }
            if comm.is_root() {
                println!(
                    "{} {}+{}: {} in {} its (monitor saw {its}), max error {err:.3e}",
                    if ok { "PASS" } else { "FAIL" },
                    kind.name(),
                    pcname,
                    res.reason,
                    res.iterations
                );
            }
        }
    }
    // Finalise MPI before exiting, or mpirun reports an improper exit.
    drop(comm);
    drop(universe);
    std::process::exit(if failures == 0 { 0 } else { 1 });
}
