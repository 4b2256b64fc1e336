//! Checkpoint write/verify/read benchmark for a 3D thermal problem (run under mpirun).
//!
//! Builds an N³ Q1 box (N = 100 gives 101³ = 1 030 301 unknowns) through the same set-up path
//! as `galvana run`, fills a BDF2 time-loop state (three solution levels), and times
//! `io::checkpoint::write` (collective HDF5 write, fsync, rename, `latest`, retention),
//! then — after dropping the file from the page cache (`dd iflag=nocache`), so the restart
//! reads from disk — the restart path of `galvana run --restart latest`: `verify` on rank 0
//! (choosing the checkpoint), `verify` on every rank, and `read` into the local numbering.
//! The state read back is compared with the state written.
//!
//! usage: checkpoint_bench [--n N] [--repeat R] [--dir DIR]
//! Rank 0 prints a table and one `RESULT key=value ...` line for scripts (benches/checkpoint.sh).
use galvana_engine::comm::Comm;
use galvana_engine::io::checkpoint::{self, DeckInfo, RunExtras};
use galvana_engine::setup;
use galvana_engine::solve::driver::{StepState, TransientState};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn deck_text(n: usize) -> String {
    format!(
        r#"# checkpoint_bench: transient conduction in a unit cube
[mesh]
type = "box"
nx = {n}
ny = {n}
nz = {n}
x = [0.0, 1.0]
y = [0.0, 1.0]
z = [0.0, 1.0]
partitioner = "rcb"

[materials.solid]
type = "constant"
k = 15.0
rho = 8000.0
cp = 500.0
regions = ["domain"]

[physics]
type = "heat_conduction"
order = 1
lumped_mass = true

[bcs.hot]
type = "temperature"
boundary = ["left"]
value = 400.0

[initial]
value = 300.0

[time]
type = "transient"
scheme = "bdf2"
end = 100.0
dt = 1.0

[checkpoint]
interval_steps = 1
keep = 1
"#
    )
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Ask the kernel to drop `path` from the page cache (GNU dd: `iflag=nocache count=0`).
fn drop_cache(path: &Path) -> bool {
    std::process::Command::new("dd")
        .arg(format!("if={}", path.display()))
        .args(["iflag=nocache", "count=0", "status=none"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--n").map_or(100, |s| s.parse().expect("--n N"));
    let repeat: usize = arg(&args, "--repeat").map_or(3, |s| s.parse().expect("--repeat R"));
    let dir = PathBuf::from(arg(&args, "--dir").unwrap_or_else(|| "checkpoint-bench".into()));

    let universe = mpi::initialize().expect("MPI initialises");
    let comm = Comm::new(universe.world());
    let root = comm.is_root();
    let size = comm.size();
    let ckdir = dir.join(format!("np{size}"));
    let deck_path = dir.join(format!("bench-n{n}-np{size}.toml"));
    if root {
        std::fs::create_dir_all(&ckdir).unwrap();
        // Start from an empty checkpoint directory.
        for (_, p) in checkpoint::list(&ckdir) {
            let _ = std::fs::remove_file(p);
        }
        std::fs::write(&deck_path, deck_text(n)).unwrap();
    }
    comm.barrier();

    let t = Instant::now();
    let reg = setup::registry();
    let (deck, mesh) = setup::load_checked(&deck_path, &reg).unwrap_or_else(|d| {
        panic!(
            "bench deck: {}",
            d.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let problem = setup::build_problem(&comm, &deck, mesh, None, None).expect("problem set-up");
    let asm = problem.assembler;
    let sp = &asm.space;
    let setup_s = t.elapsed().as_secs_f64();

    // A BDF2 time-loop state: three levels of a smooth field, controller and balance scalars.
    let nlev = 3;
    let levels: Vec<Vec<f64>> = (0..nlev)
        .map(|k| {
            let mut u = vec![0.0; sp.n_local()];
            let s = 1.0 + 0.01 * k as f64;
            sp.interpolate(
                &|x, _| 300.0 + 100.0 * (s * x[0]).sin() * (2.0 * x[1]).cos() + x[2] / s,
                &mut u,
            );
            u
        })
        .collect();
    let mut ts = TransientState {
        st: StepState {
            step: 1000,
            time: 1234.5,
            dt: 0.5,
            dt_history: vec![0.5, 0.5, 0.25],
            energy_out: 1.25,
            energy0: 2.5,
            total_linear_its: 123_456,
            total_newton_its: 2_345,
            rejected_steps: 3,
        },
        levels,
        energies: vec![1.0e6, 1.1e6],
        dt: 0.5,
    };
    let extras = RunExtras {
        output_times: (0..200).map(|i| i as f64 * 0.5).collect(),
        monitor_seq: 98_765,
    };
    let sha = deck.hash();
    let info = DeckInfo {
        text: &deck.text,
        sha256: &sha,
    };
    let unknowns = sp.n_global();
    // The state a checkpoint must carry: the solution levels (doubles), all ranks together.
    let state_bytes = (nlev * unknowns * 8) as u64;

    let mut write_s = Vec::new();
    let mut path = PathBuf::new();
    for r in 0..repeat {
        ts.st.step = 1000 + r as u64;
        comm.barrier();
        let t = Instant::now();
        path = checkpoint::write(&comm, &asm, &info, &ts, &extras, &ckdir, 1)
            .expect("checkpoint write");
        comm.barrier();
        write_s.push(t.elapsed().as_secs_f64());
    }
    let file_bytes = std::fs::metadata(&path).unwrap().len();

    // Restart, as `galvana run --restart latest` does it, from disk.
    let dropped = if root { drop_cache(&path) } else { true };
    let dropped = !comm.any(!dropped);
    comm.barrier();
    let t = Instant::now();
    if root {
        let (m, skipped) = checkpoint::find_latest(&ckdir).expect("a valid checkpoint");
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(m.path, path);
    }
    comm.barrier();
    let verify_root_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let meta = checkpoint::verify(&path).expect("verify on every rank");
    comm.barrier();
    let verify_all_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (resume, back) = checkpoint::read(&comm, &asm, &meta).expect("read");
    comm.barrier();
    let read_s = t.elapsed().as_secs_f64();

    // What came back is what went in (owned entries; ghosts are refreshed by the driver).
    let no = sp.n_owned();
    let mut bad = 0usize;
    for (a, b) in ts.levels.iter().zip(&resume.levels) {
        bad += a[..no]
            .iter()
            .zip(&b[..no])
            .filter(|(x, y)| x.to_bits() != y.to_bits())
            .count();
    }
    let bad = comm.sum(bad as f64) as usize;
    let ok = bad == 0
        && resume.levels.len() == nlev
        && resume.state.step == ts.st.step
        && resume.dt_next == ts.dt
        && back.output_times == extras.output_times
        && back.monitor_seq == extras.monitor_seq;

    if root {
        let w = median(&write_s);
        let mbps = file_bytes as f64 / w / 1e6;
        let restart_s = verify_root_s + verify_all_s + read_s;
        println!("checkpoint_bench: {n}^3 Q1 box, {unknowns} unknowns, {size} rank(s), {nlev} levels; set-up {setup_s:.1} s");
        println!(
            "  state in memory   {state_bytes} bytes ({:.1} MB)",
            state_bytes as f64 / 1e6
        );
        println!(
            "  checkpoint file   {file_bytes} bytes ({:.1} MB, {:.3}x the state)",
            file_bytes as f64 / 1e6,
            file_bytes as f64 / state_bytes as f64
        );
        println!(
            "  write             {} s (median {w:.3} s, {mbps:.1} MB/s)",
            write_s
                .iter()
                .map(|x| format!("{x:.3}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        println!(
            "  restart           verify (rank 0) {verify_root_s:.3} s + verify (all) {verify_all_s:.3} s + read {read_s:.3} s = {restart_s:.3} s (page cache dropped: {dropped})"
        );
        println!(
            "  read-back check   {}",
            if ok { "identical" } else { "MISMATCH" }
        );
        println!(
            "RESULT ranks={size} unknowns={unknowns} state_bytes={state_bytes} file_bytes={file_bytes} write_s={w:.4} write_MBps={mbps:.1} verify_root_s={verify_root_s:.4} verify_all_s={verify_all_s:.4} read_s={read_s:.4} restart_s={restart_s:.4} cache_dropped={dropped} readback_ok={ok}"
        );
    }
    if !ok {
        drop(comm);
        drop(universe);
        std::process::exit(1);
    }
}
