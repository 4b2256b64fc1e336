//! 3D Poisson benchmark of the engine's real path: Q1 hexahedra from `box_mesh` on the unit
//! cube, `Space` + `Assembler` with the heat-conduction kernel (k = 1), homogeneous Dirichlet on
//! all six sides, a source whose exact solution is u = x(1−x)y(1−y)z(1−z). Times assembly, the
//! native CG + Jacobi solve to ‖r‖/‖b‖ < 1e-8, the same matrix in PETSc (CG with Jacobi, GAMG and
//! BoomerAMG, `--features petsc`), memory, and a STREAM-like triad measured in the same run.
//!
//! `mpirun -np P poisson-bench --sizes 64,96,128 --json out.json`; rank 0 prints Markdown.
//! `poisson-bench --merge a.json b.json` prints the 1-vs-N-rank table of earlier runs.
//! See benches/README.md.

use galvana_benches::mem::{self, Rss};
use galvana_benches::model::{csr_bytes, CgTraffic};
use galvana_benches::report::{self, CaseRow, KernelRow, RunReport, SolverRow, StreamRow};
use galvana_benches::stream;
use galvana_engine::comm::Comm;
use galvana_engine::fem::assemble::{Assembler, Bc, TimeTerms};
use galvana_engine::fem::space::Space;
use galvana_engine::linalg::krylov::{self, KrylovOptions, KspType};
use galvana_engine::linalg::pc::Jacobi;
use galvana_engine::linalg::pc::Preconditioner;
use galvana_engine::linalg::vector::{cg_update, local_dot, norm2, xpby};
use galvana_engine::linalg::DistCsr;
use galvana_physics::materials::{Constant, ThermalMaterial};
use galvana_physics::thermal::bcs::FixedTemperature;
use galvana_physics::thermal::{HeatConduction, Source};
use mpi::traits::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RTOL: f64 = 1e-8;
const MAX_IT: usize = 20_000;

struct Args {
    sizes: Vec<usize>,
    reps: usize,
    amg_solves: usize,
    stream_elems: usize,
    stream_iters: usize,
    petsc: bool,
    json: Option<String>,
    partitioner: String,
    merge: Vec<String>,
    kernels: bool,
    baseline: bool,
}

const USAGE: &str = "usage: poisson-bench [--sizes 64,96,128] [--reps 3] [--amg-solves 2] \
[--stream-elems 80000000] [--stream-iters 20] [--no-petsc] [--kernels] [--baseline] [--partitioner rcb|metis] [--json FILE]\n\
       poisson-bench --merge RUN1.json RUN2.json ...";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        sizes: vec![64, 96, 128],
        reps: 3,
        amg_solves: 2,
        stream_elems: stream::DEFAULT_ELEMS,
        stream_iters: 20,
        petsc: true,
        json: None,
        partitioner: "rcb".into(),
        merge: Vec::new(),
        kernels: false,
        baseline: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let num = |s: String| s.parse::<usize>().map_err(|e| format!("{s}: {e}"));
        match arg.as_str() {
            "--sizes" => {
                a.sizes = val("--sizes")?
                    .split(',')
                    .map(|s| num(s.trim().to_string()))
                    .collect::<Result<_, _>>()?
            }
            "--reps" => a.reps = num(val("--reps")?)?.max(1),
            "--amg-solves" => a.amg_solves = num(val("--amg-solves")?)?.max(1),
            "--stream-elems" => a.stream_elems = num(val("--stream-elems")?)?.max(1000),
            "--stream-iters" => a.stream_iters = num(val("--stream-iters")?)?.max(2),
            "--no-petsc" => a.petsc = false,
            "--kernels" => a.kernels = true,
            "--baseline" => a.baseline = true,
            "--json" => a.json = Some(val("--json")?),
            "--partitioner" => a.partitioner = val("--partitioner")?,
            "--merge" => a.merge.extend(it.by_ref()),
            "-h" | "--help" => return Err(USAGE.into()),
            _ => return Err(format!("unknown argument {arg}\n{USAGE}")),
        }
    }
    if a.sizes.iter().any(|&n| n < 2) {
        return Err("sizes must be >= 2".into());
    }
    if a.partitioner != "rcb" && a.partitioner != "metis" {
        return Err(format!("--partitioner {}: use rcb or metis", a.partitioner));
    }
    Ok(a)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if !args.merge.is_empty() {
        let runs: Vec<RunReport> = args
            .merge
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{p}: {e}"))
            })
            .collect();
        print!("{}", report::render_scaling(&runs));
        return;
    }
    let universe = mpi::initialize().expect("MPI initialises");
    let comm = Comm::new(universe.world());
    let code = run(&comm, &args);
    drop(comm);
    drop(universe);
    std::process::exit(code);
}

/// Wall seconds of a collective phase: barrier, run, max over ranks.
fn timed<R>(comm: &Comm, f: impl FnOnce() -> R) -> (R, f64) {
    comm.barrier();
    let t0 = Instant::now();
    let r = f();
    let t = t0.elapsed().as_secs_f64();
    (r, comm.max(t))
}

/// Barrier that sleeps instead of spinning, so an idle rank does not steal a core from a
/// measurement on another rank (Open MPI's blocking barrier busy-polls).
fn polite_barrier(comm: &Comm) {
    if comm.size() == 1 {
        return;
    }
    let mut req = comm.world().immediate_barrier();
    loop {
        match req.test() {
            Ok(_) => return,
            Err(r) => {
                req = r;
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
}

fn say(comm: &Comm, msg: &str) {
    if comm.is_root() {
        eprintln!("[poisson-bench] {msg}");
    }
}

fn sum_rss(comm: &Comm, r: Rss) -> Rss {
    Rss {
        current: comm.sum_u64(r.current),
        peak: comm.sum_u64(r.peak),
    }
}

/// STREAM with 1 stream (rank 0 alone, one thread) and with 2 streams (two threads in a single
/// rank, or one thread on each of the first two ranks).
fn measure_stream(comm: &Comm, args: &Args, phase: &str) -> Vec<StreamRow> {
    let mut rows = Vec::new();
    let row = |s: &stream::StreamTimes, how: &str| StreamRow {
        phase: phase.into(),
        streams: s.streams,
        how: how.into(),
        elems: s.elems,
        triad_gbs: s.triad_gbs(),
        copy_gbs: s.copy_gbs(),
        read_gbs: s.read_gbs(),
    };
    // One stream on rank 0; the others sleep.
    comm.barrier();
    if comm.is_root() {
        let s = stream::run_threads(args.stream_elems, 1, args.stream_iters);
        assert!(s.max_err == 0.0, "STREAM triad result wrong");
        rows.push(row(&s, "thread"));
    }
    polite_barrier(comm);
    if comm.size() == 1 {
        let s = stream::run_threads(args.stream_elems, 2, args.stream_iters);
        assert!(s.max_err == 0.0, "STREAM triad result wrong");
        rows.push(row(&s, "threads"));
    } else {
        // One thread per rank, each with its share of the arrays, in lock-step.
        let p = comm.size();
        let r = comm.rank();
        let len = (r + 1) * args.stream_elems / p - r * args.stream_elems / p;
        let (tt, tc, tr, err) = stream::one_stream(len, args.stream_iters, &mut || comm.barrier());
        let max_all = |v: &[f64]| -> Vec<f64> { v[1..].iter().map(|&t| comm.max(t)).collect() };
        let (tt, tc, tr) = (max_all(&tt), max_all(&tc), max_all(&tr));
        assert!(comm.max(err) == 0.0, "STREAM triad result wrong");
        let s = stream::StreamTimes {
            streams: p,
            elems: args.stream_elems,
            triad: tt,
            copy: tc,
            read: tr,
            max_err: 0.0,
        };
        if comm.is_root() {
            rows.push(row(&s, "ranks"));
        }
    }
    for r in &rows {
        say(
            comm,
            &format!(
                "STREAM {phase}: {} {}: triad {:.1} GB/s, copy {:.1} GB/s, read {:.1} GB/s (medians)",
                r.streams,
                r.how,
                galvana_benches::median(&r.triad_gbs),
                galvana_benches::median(&r.copy_gbs),
                galvana_benches::median(&r.read_gbs)
            ),
        );
    }
    rows
}

fn exact(x: [f64; 3]) -> f64 {
    let g = |t: f64| t * (1.0 - t);
    g(x[0]) * g(x[1]) * g(x[2])
}

fn source(x: [f64; 3]) -> f64 {
    let g = |t: f64| t * (1.0 - t);
    2.0 * (g(x[1]) * g(x[2]) + g(x[0]) * g(x[2]) + g(x[0]) * g(x[1]))
}

/// The assembled problem on this rank.
struct Problem {
    assembler: Assembler,
    a: DistCsr,
    b: Vec<f64>,
}

fn build(comm: &Comm, n: usize, partitioner: &str, row: &mut CaseRow) -> Problem {
    let cells_per_dir = n + 1;
    let (mesh, t_mesh) = timed(comm, || {
        galvana_mesh::generate::box_mesh(
            cells_per_dir,
            cells_per_dir,
            cells_per_dir,
            [0.0, 1.0],
            [0.0, 1.0],
            [0.0, 1.0],
            false,
        )
        .expect("box mesh")
    });
    let mesh = Arc::new(mesh);
    let ((space, jac), t_space) = timed(comm, || {
        let parts = comm.size();
        let cell_part = if parts == 1 {
            vec![0u32; mesh.num_cells()]
        } else if partitioner == "metis" {
            galvana_mesh::partition::metis(&mesh, parts)
                .expect("metis")
                .cell_part
        } else {
            galvana_mesh::partition::rcb(&mesh, parts)
                .expect("rcb")
                .cell_part
        };
        let space = Space::new(comm, mesh.clone(), 1, 1, cell_part).expect("space");
        let jac = space.new_matrix();
        (space, jac)
    });
    let material: Arc<dyn ThermalMaterial> =
        Arc::new(Constant::new(1.0, 1.0, 1.0).expect("material"));
    let materials = mesh
        .region_names
        .keys()
        .map(|&r| (r, material.clone()))
        .collect();
    let kernel = HeatConduction::new(materials, vec![Source::function(vec![], |x, _| source(x))]);
    let bcs = vec![Bc {
        name: "walls".into(),
        boundaries: ["left", "right", "bottom", "top", "back", "front"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        kernel: Box::new(FixedTemperature::function(|_, _| 0.0)),
    }];
    let assembler = Assembler::new(space, Box::new(kernel), bcs, None, false).expect("assembler");
    let sp = &assembler.space;
    let (nl, no) = (sp.n_local(), sp.n_owned());
    let mut u = vec![0.0; nl];
    assembler.apply_dirichlet(&mut u, 0.0);
    let mut r = vec![0.0; nl];
    let mut a = jac;
    comm.barrier();
    let t0 = Instant::now();
    assembler.assemble(&u, 0.0, &TimeTerms::default(), &mut r, Some(&mut a));
    assembler.constrain(&mut r, Some(&mut a));
    let t_asm = comm.max(t0.elapsed().as_secs_f64());
    // Residual R(u=0) = A·0 − b, so b = −R.
    let b: Vec<f64> = r[..no].iter().map(|v| -v).collect();

    row.n = n;
    row.cells = mesh.num_cells();
    row.dofs = sp.n_global();
    row.nnz = a.nnz_global(comm);
    row.ghosts = comm.sum_u64(sp.layout.ghosts.len() as u64);
    row.mesh_s = t_mesh;
    row.space_s = t_space;
    row.assembly_s = t_asm;
    row.assembled_cells_max = comm.max(sp.local_cells.len() as f64) as usize;
    let mb = csr_bytes(no, a.cols.len());
    row.matrix_bytes = comm.sum(mb);
    Problem { assembler, a, b }
}

/// ‖b − A x‖/‖b‖ and the max nodal error against the exact solution.
fn check_solution(comm: &Comm, p: &Problem, x_owned: &[f64]) -> (f64, f64) {
    let sp = &p.assembler.space;
    let (nl, no) = (sp.n_local(), sp.n_owned());
    let mut x = vec![0.0; nl];
    x[..no].copy_from_slice(&x_owned[..no]);
    let mut ax = vec![0.0; nl];
    p.a.spmv(comm, &mut x, &mut ax);
    let res: Vec<f64> = (0..no).map(|i| p.b[i] - ax[i]).collect();
    let rel = norm2(comm, &res, no) / norm2(comm, &p.b, no);
    let mut err: f64 = 0.0;
    for (l, xv) in x[..no].iter().enumerate() {
        let d = sp.layout.global_of(l);
        err = err.max((xv - exact(sp.dofmap.dof_coords[d])).abs());
    }
    (rel, comm.max(err))
}

/// Times each pass of the native CG iteration alone on this problem (`--kernels`).
fn kernel_breakdown(comm: &Comm, p: &Problem, pc: &Jacobi, reps: usize) -> Vec<KernelRow> {
    let a = &p.a;
    let (n, nl, nnz, g) = (
        a.n_owned(),
        a.layout.n_local(),
        a.cols.len(),
        a.layout.ghosts.len(),
    );
    let (n_, nnz_, g_) = (n as f64, nnz as f64, g as f64);
    let mut pv: Vec<f64> = (0..nl).map(|i| 1.0 + (i % 7) as f64).collect();
    let mut q = vec![0.0; nl];
    let mut x = vec![0.0; nl];
    let mut r = vec![1.0; nl];
    let mut z = vec![0.0; nl];
    let mut rows = Vec::new();
    let mut time = |name: &str, bytes: f64, f: &mut dyn FnMut()| {
        f();
        let ts: Vec<f64> = (0..reps).map(|_| timed(comm, &mut *f).1).collect();
        rows.push(KernelRow {
            name: name.into(),
            bytes: comm.sum(bytes),
            seconds: galvana_benches::median(&ts),
        });
    };
    time("halo update of p", 16.0 * g_, &mut || {
        a.layout.update_ghosts(comm, &mut pv)
    });
    let spmv_bytes = 12.0 * nnz_ + 8.0 * (n_ + 1.0) + 8.0 * (n_ + g_) + 8.0 * n_;
    time("SpMV, original loop (before)", spmv_bytes, &mut || {
        galvana_benches::baseline::spmv_local(a, &pv, &mut q)
    });
    time("SpMV q = Ap", spmv_bytes, &mut || a.spmv_local(&pv, &mut q));
    time("SpMV fused with (p,q)", spmv_bytes, &mut || {
        std::hint::black_box(comm.sum(a.spmv_local_dot(&pv, &mut q)));
    });
    let op = a.validated();
    time("SpMV fused with (p,q), validated", spmv_bytes, &mut || {
        std::hint::black_box(comm.sum(op.spmv_local_dot(&pv, &mut q)));
    });
    time("x += αp, r −= αq, ‖r‖²", 48.0 * n_, &mut || {
        std::hint::black_box(cg_update(1e-3, &pv, &q, &mut x, &mut r, n));
    });
    time("Jacobi z = D⁻¹r", 24.0 * n_, &mut || {
        pc.apply(&r[..n], &mut z[..n])
    });
    time("(r,z)", 16.0 * n_, &mut || {
        std::hint::black_box(comm.sum(local_dot(&r[..n], &z[..n])));
    });
    time("p = z + βp", 24.0 * n_, &mut || xpby(&z, 0.5, &mut pv, n));
    rows
}

fn native_solve(comm: &Comm, p: &Problem, pc: &Jacobi, row: &mut SolverRow) -> Vec<f64> {
    let sp = &p.assembler.space;
    let mut x = vec![0.0; sp.n_local()];
    let mut b = vec![0.0; sp.n_local()];
    b[..sp.n_owned()].copy_from_slice(&p.b);
    let opts = KrylovOptions {
        kind: KspType::Cg,
        rtol: RTOL,
        atol: 0.0,
        max_it: MAX_IT,
        restart: 30,
    };
    let (res, t) = timed(comm, || {
        krylov::solve(comm, &p.a, pc, &b, &mut x, &opts, &mut |_, _| {})
    });
    row.iterations = res.iterations;
    row.converged = res.converged;
    row.solve_s.push(t);
    x
}

/// The pre-optimisation CG loop (`galvana_benches::baseline`), timed like [`native_solve`].
fn baseline_solve(comm: &Comm, p: &Problem, pc: &Jacobi, row: &mut SolverRow) {
    let sp = &p.assembler.space;
    let mut x = vec![0.0; sp.n_local()];
    let ((its, ok), t) = timed(comm, || {
        galvana_benches::baseline::cg(comm, &p.a, pc, &p.b, &mut x, RTOL, MAX_IT)
    });
    row.iterations = its;
    row.converged = ok;
    row.solve_s.push(t);
    let (rel, err) = check_solution(comm, p, &x);
    row.true_rel_res = rel;
    row.max_err = err;
}

#[cfg(feature = "petsc")]
mod petsc {
    //! The PETSc side: one matrix, one KSP per preconditioner (options prefixes), all in this
    //! process.
    use super::*;
    use galvana_petsc::{sys, DistMatrix, KspSolver, Petsc};

    extern "C" {
        // Part of libpetsc (linked through galvana-petsc); not in its bindgen allowlist.
        fn KSPSetUp(ksp: sys::KSP) -> sys::PetscErrorCode;
    }

    /// (prefix, label) of the three solvers.
    pub const SOLVERS: [(&str, &str); 3] = [
        ("jac_", "PETSc CG+Jacobi"),
        ("gamg_", "PETSc CG+GAMG"),
        ("boomer_", "PETSc CG+BoomerAMG"),
    ];

    pub fn init() -> Result<Petsc, String> {
        let mut opts = String::new();
        for (pre, _) in SOLVERS {
            opts += &format!("-{pre}ksp_type cg -{pre}ksp_norm_type unpreconditioned ");
        }
        opts += "-jac_pc_type jacobi -gamg_pc_type gamg -boomer_pc_type hypre -boomer_pc_hypre_type boomeramg";
        Petsc::init(&opts).map_err(|e| e.to_string())
    }

    pub fn version() -> String {
        let (a, b, c) = galvana_petsc::VERSION;
        format!(
            "{a}.{b}.{c}{}",
            if galvana_petsc::HAVE_HYPRE {
                ", with hypre"
            } else {
                ", no hypre"
            }
        )
    }

    pub fn matrix(comm: &Comm, p: &Problem) -> (DistMatrix, f64) {
        timed(comm, || {
            let a = &p.a;
            let cols = a.global_columns();
            DistMatrix::from_csr(
                a.layout.n_global(),
                a.layout.lo(),
                &a.row_ptr,
                &cols,
                &a.vals,
            )
            .expect("PETSc matrix")
        })
    }

    /// A fresh KSP for `prefix`, set up (timed).
    pub fn ksp(comm: &Comm, m: &DistMatrix, prefix: &str) -> (KspSolver, f64) {
        let mut k = KspSolver::new(m, Some(prefix)).expect("KSP");
        k.set_tolerances(RTOL, 0.0, MAX_IT).expect("tolerances");
        let (rc, t) = timed(comm, || unsafe { KSPSetUp(k.as_raw()) });
        assert_eq!(rc, 0, "KSPSetUp({prefix}) failed with PETSc error {rc}");
        (k, t)
    }

    pub fn solve(comm: &Comm, p: &Problem, k: &mut KspSolver, row: &mut SolverRow) -> Vec<f64> {
        let mut x = vec![0.0; p.b.len()];
        let (info, t) = timed(comm, || k.solve(&p.b, &mut x, &mut |_, _| {}));
        let info = info.expect("KSPSolve");
        row.iterations = info.iterations;
        row.converged = info.converged;
        row.solve_s.push(t);
        x
    }
}

fn run(comm: &Comm, args: &Args) -> i32 {
    let t_run = Instant::now();
    let mut rep = RunReport {
        ranks: comm.size(),
        cpus_available: std::thread::available_parallelism().map_or(1, |n| n.get()),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        ..Default::default()
    };
    #[cfg(feature = "petsc")]
    let petsc_handle = if args.petsc {
        match petsc::init() {
            Ok(h) => {
                rep.petsc = petsc::version();
                Some(h)
            }
            Err(e) => {
                say(comm, &format!("PETSc init failed, continuing without: {e}"));
                None
            }
        }
    } else {
        None
    };
    #[cfg(not(feature = "petsc"))]
    if args.petsc {
        say(
            comm,
            "built without the `petsc` feature: native solver only",
        );
    }
    say(
        comm,
        &format!(
            "{} rank(s), {} CPU(s) available to rank 0, sizes {:?}",
            comm.size(),
            rep.cpus_available,
            args.sizes
        ),
    );
    rep.stream = measure_stream(comm, args, "start");

    for &n in &args.sizes {
        let mut row = CaseRow::default();
        comm.barrier();
        mem::release_free_memory();
        mem::reset_peak();
        let before = mem::rss();
        let prob = build(comm, n, &args.partitioner, &mut row);
        row.rss_before = comm.sum_u64(before.current);
        say(
            comm,
            &format!(
                "{n}³: {} DOFs, {} cells, nnz {}: mesh {:.2} s, space {:.2} s, assembly {:.2} s",
                row.dofs, row.cells, row.nnz, row.mesh_s, row.space_s, row.assembly_s
            ),
        );
        let no = prob.a.n_owned();
        row.traffic = {
            let t = CgTraffic::fused(no, prob.a.cols.len(), prob.a.layout.ghosts.len());
            let mut s = [t.matrix_entries, t.row_ptr, t.vectors, t.ghosts];
            comm.sum_in_place(&mut s);
            galvana_benches::model::CgTraffic {
                matrix_entries: s[0],
                row_ptr: s[1],
                vectors: s[2],
                ghosts: s[3],
            }
        };
        let mut native = SolverRow {
            name: "native CG+Jacobi".into(),
            ..Default::default()
        };
        let (pc, t_pc) = timed(comm, || Jacobi::new(&prob.a).expect("Jacobi"));
        native.setup_s = t_pc;
        #[cfg(feature = "petsc")]
        let mut pet: Option<(
            galvana_petsc::DistMatrix,
            galvana_petsc::KspSolver,
            SolverRow,
        )> = None;
        let mut x_native = Vec::new();
        for k in 0..args.reps {
            x_native = native_solve(comm, &prob, &pc, &mut native);
            say(
                comm,
                &format!(
                    "{n}³ native CG+Jacobi rep {k}: {} its, {:.3} s ({:.2} ms/it)",
                    native.iterations,
                    native.solve_s[k],
                    1e3 * native.solve_s[k] / native.iterations.max(1) as f64
                ),
            );
            if args.baseline {
                let mut base = row.baseline.take().unwrap_or_else(|| SolverRow {
                    name: "native CG+Jacobi, before optimisation".into(),
                    setup_s: native.setup_s,
                    ..Default::default()
                });
                baseline_solve(comm, &prob, &pc, &mut base);
                let tb = base.solve_s[k];
                row.native_over_baseline.push(native.solve_s[k] / tb);
                say(
                    comm,
                    &format!(
                        "{n}³ native CG+Jacobi before optimisation rep {k}: {} its, {:.3} s ({:.2} ms/it); after/before {:.2}",
                        base.iterations,
                        tb,
                        1e3 * tb / base.iterations.max(1) as f64,
                        native.solve_s[k] / tb
                    ),
                );
                row.baseline = Some(base);
            }
            if k == 0 {
                row.peak_engine = sum_rss(comm, mem::rss()).peak;
                #[cfg(feature = "petsc")]
                if petsc_handle.is_some() {
                    mem::reset_peak();
                    let (m, t_mat) = petsc::matrix(comm, &prob);
                    row.petsc_matrix_s = t_mat;
                    let (ksp, t_setup) = petsc::ksp(comm, &m, "jac_");
                    let srow = SolverRow {
                        name: petsc::SOLVERS[0].1.into(),
                        setup_s: t_setup,
                        ..Default::default()
                    };
                    pet = Some((m, ksp, srow));
                }
            }
            #[cfg(feature = "petsc")]
            if let Some((_, ksp, srow)) = pet.as_mut() {
                let x = petsc::solve(comm, &prob, ksp, srow);
                let tn = native.solve_s[k];
                let tp = srow.solve_s[k];
                row.native_over_petsc_jacobi.push(tn / tp);
                say(
                    comm,
                    &format!(
                        "{n}³ PETSc CG+Jacobi rep {k}: {} its, {:.3} s; native/PETSc {:.2}",
                        srow.iterations,
                        tp,
                        tn / tp
                    ),
                );
                if k + 1 == args.reps {
                    let (rel, err) = check_solution(comm, &prob, &x);
                    srow.true_rel_res = rel;
                    srow.max_err = err;
                }
            }
        }
        if args.kernels {
            row.kernels = kernel_breakdown(comm, &prob, &pc, 20);
            for k in &row.kernels {
                say(
                    comm,
                    &format!(
                        "{n}³ kernel {}: {:.3} ms, {:.1} GB/s",
                        k.name,
                        1e3 * k.seconds,
                        k.bytes / k.seconds / 1e9
                    ),
                );
            }
        }
        let (rel, err) = check_solution(comm, &prob, &x_native);
        native.true_rel_res = rel;
        native.max_err = err;
        drop(x_native);
        row.native = native;

        #[cfg(feature = "petsc")]
        if let Some((m, ksp, srow)) = pet.take() {
            drop(ksp);
            row.petsc.push(srow);
            for (prefix, label) in &petsc::SOLVERS[1..] {
                if *prefix == "boomer_" && !galvana_petsc::HAVE_HYPRE {
                    continue;
                }
                let (mut ksp, t_setup) = petsc::ksp(comm, &m, prefix);
                let mut srow = SolverRow {
                    name: label.to_string(),
                    setup_s: t_setup,
                    ..Default::default()
                };
                let mut x = Vec::new();
                for _ in 0..args.amg_solves {
                    x = petsc::solve(comm, &prob, &mut ksp, &mut srow);
                }
                let (rel, err) = check_solution(comm, &prob, &x);
                srow.true_rel_res = rel;
                srow.max_err = err;
                say(
                    comm,
                    &format!(
                        "{n}³ {label}: setup {:.3} s, {} its, solve {:.3} s",
                        srow.setup_s,
                        srow.iterations,
                        srow.solve_median()
                    ),
                );
                row.petsc.push(srow);
            }
            drop(m);
            row.peak_petsc = sum_rss(comm, mem::rss()).peak;
        }
        rep.cases.push(row);
        drop(prob);
    }

    rep.stream.extend(measure_stream(comm, args, "end"));
    rep.wall_s = t_run.elapsed().as_secs_f64();
    let ok = rep
        .cases
        .iter()
        .all(|c| c.native.converged && c.petsc.iter().all(|s| s.converged));
    if comm.is_root() {
        print!("{}", report::render_run(&rep));
        if let Some(path) = &args.json {
            let text = serde_json::to_string_pretty(&rep).expect("serialise");
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("writing {path}: {e}");
            }
        }
    }
    #[cfg(feature = "petsc")]
    drop(petsc_handle);
    if ok {
        0
    } else {
        1
    }
}
