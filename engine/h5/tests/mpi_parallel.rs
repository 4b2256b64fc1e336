//! Collective row-slab writes under `mpirun -np 2` and `-np 4`.
//!
//! Run by `cargo test` (no harness): without `GALVANA_H5_MPI_OUT` set this process is the
//! launcher, which starts itself under `mpirun` and then checks the file with h5py; with it
//! set, the process is one MPI rank writing to that file.

mod common;

use galvana_h5::File;
use mpi::traits::*;
use std::path::Path;
use std::process::Command;

const ENV: &str = "GALVANA_H5_MPI_OUT";
const ROWS: u64 = 10;
const COLS: u64 = 3;

/// Rows of rank `r` of `p`: rank 0 owns none, the rest share the rows as evenly as possible.
fn owned(r: u64, p: u64) -> (u64, u64) {
    if r == 0 {
        return (0, 0);
    }
    let (r, p) = (r - 1, p - 1);
    (ROWS * r / p, ROWS * (r + 1) / p)
}

fn value(row: u64, col: u64) -> f64 {
    row as f64 * 10.0 + col as f64
}

fn rank_main(path: &Path) {
    let universe = mpi::initialize().expect("MPI initialises");
    let world = universe.world();
    let (rank, size) = (world.rank() as u64, world.size() as u64);
    let (lo, hi) = owned(rank, size);
    {
        let f = File::create_parallel(path, &world).unwrap();
        assert!(f.is_parallel());
        f.set_attr_i64("nranks", size as i64).unwrap();
        let g = f.group("data").unwrap();
        let a = g.create_dataset::<f64>("a", &[ROWS, COLS]).unwrap();
        let local: Vec<f64> = (lo..hi)
            .flat_map(|r| (0..COLS).map(move |c| value(r, c)))
            .collect();
        a.write_rows(lo, &local, COLS).unwrap();
        a.set_attr_str("units", "m").unwrap();
        let b = g.create_dataset::<i64>("b", &[ROWS]).unwrap();
        b.write_rows(lo, &(lo..hi).map(|r| -(r as i64)).collect::<Vec<_>>(), 1)
            .unwrap();
        // Every rank writes its own rank number into a one-row-per-rank dataset.
        let owner = g.create_dataset::<i32>("owner", &[size, 2]).unwrap();
        owner
            .write_rows(rank, &[rank as i32, size as i32], 2)
            .unwrap();
        // Nobody has rows at all.
        g.create_dataset::<u8>("empty", &[0, 4])
            .unwrap()
            .write_rows::<u8>(0, &[], 4)
            .unwrap();
        drop((g, a, b, owner)); // `close` insists that nothing else is open
        f.close().unwrap();
    }
    world.barrier();
    {
        // Reopen writable: a collective attribute write, then independent reads on every rank.
        let f = File::open_parallel(path, &world, true).unwrap();
        f.set_attr_f64("reopened", 1.5).unwrap();
        let a = f.open_dataset("data/a").unwrap();
        assert_eq!(a.shape(), [ROWS, COLS]);
        let all: Vec<f64> = a.read_all().unwrap();
        for r in 0..ROWS {
            for c in 0..COLS {
                assert_eq!(
                    all[(r * COLS + c) as usize],
                    value(r, c),
                    "rank {rank}: row {r} col {c}"
                );
            }
        }
        let mine: Vec<f64> = a.read_rows(lo, hi - lo).unwrap();
        assert_eq!(mine.len() as u64, (hi - lo) * COLS);
    }
    world.barrier();
    if rank == 0 {
        let f = File::open(path, false).unwrap();
        assert_eq!(f.attr_i64("nranks").unwrap(), size as i64);
        assert_eq!(f.attr_f64("reopened").unwrap(), 1.5);
        let b: Vec<i64> = f.open_dataset("data/b").unwrap().read_all().unwrap();
        assert_eq!(b, (0..ROWS as i64).map(|r| -r).collect::<Vec<_>>());
        let owner: Vec<i32> = f.open_dataset("data/owner").unwrap().read_all().unwrap();
        assert!(owner
            .chunks(2)
            .enumerate()
            .all(|(r, o)| o == [r as i32, size as i32]));
        println!("rank 0: {ROWS} rows written collectively by {size} ranks verified");
    }
}

fn launch(np: u64) {
    let path = common::scratch(&format!("parallel_np{np}.h5"));
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "-np",
            &np.to_string(),
            "-x",
            ENV,
        ])
        .arg(&exe)
        .env(ENV, &path)
        .output()
        .expect("mpirun starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "mpirun -np {np} failed ({}):\n{text}",
        out.status
    );
    assert!(text.contains("verified"), "no verification line:\n{text}");
    println!("mpirun -np {np}: ok");

    if !common::python_has("h5py, numpy") {
        return;
    }
    let script = r#"
import sys, h5py, numpy as np
np_ranks = int(sys.argv[2])
with h5py.File(sys.argv[1], "r") as f:
    r, c = np.meshgrid(np.arange(10), np.arange(3), indexing="ij")
    assert np.array_equal(f["data/a"][()], r * 10.0 + c), f["data/a"][()]
    assert np.array_equal(f["data/b"][()], -np.arange(10))
    o = f["data/owner"][()]
    assert np.array_equal(o[:, 0], np.arange(np_ranks)) and (o[:, 1] == np_ranks).all(), o
    assert f["data/empty"].shape == (0, 4)
    assert int(f.attrs["nranks"]) == np_ranks and float(f.attrs["reopened"]) == 1.5
print("h5py ok")
"#;
    common::run_python(script, &[path.to_str().unwrap(), &np.to_string()]);
}

fn main() {
    if let Some(path) = std::env::var_os(ENV) {
        rank_main(Path::new(&path));
        return;
    }
    // Behave enough like a libtest binary for `cargo test -- --list`.
    if std::env::args().any(|a| a == "--list") {
        println!("mpi_parallel: test");
        return;
    }
    if Command::new("mpirun").arg("--version").output().is_err() {
        eprintln!("SKIPPED mpi_parallel: mpirun not found");
        return;
    }
    for np in [2, 4] {
        launch(np);
    }
}
