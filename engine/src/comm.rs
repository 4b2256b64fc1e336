//! A thin wrapper over the MPI world communicator: the collectives the engine needs, with the
//! time spent in them accumulated for the `-log_view`-style summary.

use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use std::cell::Cell;
use std::time::Instant;

/// The engine's communicator (MPI_COMM_WORLD).
pub struct Comm {
    /// `None` for [`Comm::solo`]: one process that never initialised MPI.
    world: Option<SimpleCommunicator>,
    rank: usize,
    size: usize,
    comm_seconds: Cell<f64>,
}

impl Comm {
    /// Wrap the world communicator of an initialised MPI universe.
    pub fn new(world: SimpleCommunicator) -> Self {
        let rank = world.rank() as usize;
        let size = world.size() as usize;
        Self {
            world: Some(world),
            rank,
            size,
            comm_seconds: Cell::new(0.0),
        }
    }

    /// A world of one process without MPI: for serial runs that need no MPI library call
    /// (singleton `MPI_Init` alone can take seconds). Every collective is then the identity;
    /// [`Comm::world`] and [`Comm::raw`] are unavailable (parallel HDF5, PETSc need MPI).
    pub fn solo() -> Self {
        Self {
            world: None,
            rank: 0,
            size: 1,
            comm_seconds: Cell::new(0.0),
        }
    }

    /// Whether an MPI launcher (Open MPI, MPICH/Hydra, PMIx, Slurm's srun) started this
    /// process as one rank of several, so that MPI must be initialised.
    pub fn launched() -> bool {
        const LAUNCHER_VARS: &[&str] = &[
            "OMPI_COMM_WORLD_SIZE",
            "PMI_SIZE",
            "PMI_RANK",
            "PMIX_RANK",
            "SLURM_STEP_ID",
        ];
        LAUNCHER_VARS.iter().any(|v| std::env::var_os(v).is_some())
    }

    /// The MPI world: callers that need it run only under [`Comm::new`]; the serial paths
    /// that build a [`Comm::solo`] never reach HDF5 or PETSc.
    fn mpi(&self) -> &SimpleCommunicator {
        self.world
            .as_ref()
            .expect("Comm::solo has no MPI world: this path must initialise MPI")
    }

    pub fn rank(&self) -> usize {
        self.rank
    }
    pub fn size(&self) -> usize {
        self.size
    }
    pub fn is_root(&self) -> bool {
        self.rank == 0
    }
    pub fn world(&self) -> &SimpleCommunicator {
        self.mpi()
    }
    /// The raw MPI handle (for HDF5 and PETSc).
    pub fn raw(&self) -> mpi::ffi::MPI_Comm {
        self.mpi().as_raw()
    }

    /// Seconds spent in communication so far.
    pub fn comm_seconds(&self) -> f64 {
        self.comm_seconds.get()
    }

    pub(crate) fn timed<R>(&self, f: impl FnOnce() -> R) -> R {
        let t0 = Instant::now();
        let r = f();
        self.comm_seconds
            .set(self.comm_seconds.get() + t0.elapsed().as_secs_f64());
        r
    }

    pub fn sum(&self, x: f64) -> f64 {
        if self.size == 1 {
            return x;
        }
        let mut y = 0.0;
        self.timed(|| {
            self.mpi()
                .all_reduce_into(&x, &mut y, SystemOperation::sum())
        });
        y
    }

    /// Element-wise sum over ranks, in place.
    pub fn sum_in_place(&self, x: &mut [f64]) {
        if self.size == 1 {
            return;
        }
        let send = x.to_vec();
        self.timed(|| {
            self.mpi()
                .all_reduce_into(&send[..], x, SystemOperation::sum())
        });
    }

    /// Element-wise maximum over ranks, in place.
    pub fn max_in_place(&self, x: &mut [f64]) {
        if self.size == 1 {
            return;
        }
        let send = x.to_vec();
        self.timed(|| {
            self.mpi()
                .all_reduce_into(&send[..], x, SystemOperation::max())
        });
    }

    pub fn max(&self, x: f64) -> f64 {
        if self.size == 1 {
            return x;
        }
        let mut y = 0.0;
        self.timed(|| {
            self.mpi()
                .all_reduce_into(&x, &mut y, SystemOperation::max())
        });
        y
    }

    pub fn min(&self, x: f64) -> f64 {
        -self.max(-x)
    }

    pub fn sum_u64(&self, x: u64) -> u64 {
        if self.size == 1 {
            return x;
        }
        let mut y = 0u64;
        self.timed(|| {
            self.mpi()
                .all_reduce_into(&x, &mut y, SystemOperation::sum())
        });
        y
    }

    /// Logical OR of a flag over ranks (used to agree on errors so that every rank fails together).
    pub fn any(&self, flag: bool) -> bool {
        self.sum_u64(flag as u64) > 0
    }

    pub fn all_gather_u64(&self, x: u64) -> Vec<u64> {
        let mut out = vec![0u64; self.size];
        if self.size == 1 {
            out[0] = x;
            return out;
        }
        self.timed(|| self.mpi().all_gather_into(&x, &mut out[..]));
        out
    }

    pub fn barrier(&self) {
        if self.size > 1 {
            self.timed(|| self.mpi().barrier());
        }
    }

    /// This rank's index among the ranks on its node, and how many share the node (an MPI
    /// split by shared memory; the launcher's environment is only a fallback in
    /// [`galvana_gpu::select::local_rank_hint`]).
    pub fn node_local(&self) -> (usize, usize) {
        if self.size == 1 {
            return (0, 1);
        }
        let node = self.timed(|| self.mpi().split_shared(self.rank as i32));
        (node.rank() as usize, node.size() as usize)
    }

    /// Broadcast a string from rank 0.
    pub fn broadcast_string(&self, s: &str) -> String {
        if self.size == 1 {
            return s.to_string();
        }
        let root = self.mpi().process_at_rank(0);
        let mut len = s.len() as u64;
        root.broadcast_into(&mut len);
        let mut buf = if self.rank == 0 {
            s.as_bytes().to_vec()
        } else {
            vec![0u8; len as usize]
        };
        root.broadcast_into(&mut buf[..]);
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// Every rank's `bytes` on rank 0, in rank order (`None` on the other ranks).
    pub fn gather_bytes(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        if self.size == 1 {
            return Some(vec![bytes.to_vec()]);
        }
        use mpi::datatype::PartitionMut;
        let root = self.mpi().process_at_rank(0);
        let n = bytes.len() as i32;
        self.timed(|| {
            if self.rank != 0 {
                root.gather_into(&n);
                root.gather_varcount_into(bytes);
                return None;
            }
            let mut counts = vec![0i32; self.size];
            root.gather_into_root(&n, &mut counts[..]);
            let displs: Vec<i32> = counts
                .iter()
                .scan(0, |acc, &c| {
                    let d = *acc;
                    *acc += c;
                    Some(d)
                })
                .collect();
            let mut all = vec![0u8; counts.iter().map(|&c| c as usize).sum()];
            {
                let mut part = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
                root.gather_varcount_into_root(bytes, &mut part);
            }
            Some(
                (0..self.size)
                    .map(|r| {
                        let d = displs[r] as usize;
                        all[d..d + counts[r] as usize].to_vec()
                    })
                    .collect(),
            )
        })
    }

    /// How many ranks share this rank's node (shared-memory domain).
    pub fn ranks_on_node(&self) -> usize {
        if self.size == 1 {
            return 1;
        }
        self.mpi().split_shared(self.rank as i32).size().max(1) as usize
    }
}
