//! 1D Poisson demo: -u'' = 2 on (0, 1), u(0) = u(1) = 0, exact u = x(1 - x). The 3-point
//! stencil is exact for quadratics, so the discrete solution equals u at the nodes.
//!
//! ```sh
//! cargo build -p galvana-petsc --example poisson1d
//! mpirun -np 2 target/debug/examples/poisson1d -ksp_type cg -pc_type gamg
//! ```
//! Command-line arguments form the PETSc options string (default: CG + Jacobi).

use galvana_petsc::{DistMatrix, KspSolver, Petsc};
use mpi::traits::*;

fn main() {
    let universe = mpi::initialize().expect("MPI init");
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = if args.is_empty() {
        "-ksp_type cg -pc_type jacobi".to_string()
    } else {
        args.join(" ")
    };

    let petsc = Petsc::init(&options).unwrap_or_else(|e| panic!("rank {rank}: {e}"));
    let n = 1000;
    let h = 1.0 / (n + 1) as f64;
    let (start, end) = (rank * n / size, (rank + 1) * n / size);
    let (mut row_ptr, mut cols, mut vals, mut b, mut exact) =
        (vec![0], vec![], vec![], vec![], vec![]);
    for i in start..end {
        for (j, v) in [(i.wrapping_sub(1), -1.0), (i, 2.0), (i + 1, -1.0)] {
            if j < n {
                cols.push(j);
                vals.push(v / (h * h));
            }
        }
        row_ptr.push(cols.len());
        b.push(2.0);
        let x = (i + 1) as f64 * h;
        exact.push(x * (1.0 - x));
    }

    let result = (|| {
        let a = DistMatrix::from_csr(n, start, &row_ptr, &cols, &vals)?;
        let mut ksp = KspSolver::new(&a, None)?;
        ksp.set_tolerances(1e-12, 1e-50, 10_000)?;
        let mut x = vec![0.0; end - start];
        let info = ksp.solve(&b, &mut x, &mut |_, _| {})?;
        Ok::<_, galvana_petsc::PetscError>((info, ksp.pc_type()?, x))
    })();
    let (info, pc, x) = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rank {rank}: {e}");
            drop(petsc);
            std::process::exit(1);
        }
    };
    let err = x
        .iter()
        .zip(&exact)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!(
        "rank {rank}/{size}: pc={pc} iterations={} reason={} max error={err:.3e}",
        info.iterations, info.reason
    );
    drop(petsc);
    if !info.converged || err > 1e-8 {
        std::process::exit(1);
    }
}
