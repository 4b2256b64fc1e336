//! Row ownership and the halo (ghost) exchange plan of a distributed vector or matrix.
//!
//! Each rank owns a contiguous range of global indices (PETSc's convention). Local storage of a
//! distributed vector is `owned ++ ghosts`, ghosts sorted by global index, so that ghosts from
//! one owner are contiguous and can be received into one slice.

use crate::comm::Comm;
use mpi::traits::*;

/// Ownership ranges and the ghost exchange plan for one rank.
#[derive(Clone, Debug)]
pub struct Layout {
    /// `ranges[r]..ranges[r+1]` are the global indices owned by rank r.
    pub ranges: Vec<usize>,
    pub rank: usize,
    /// Global indices of the ghosts, sorted.
    pub ghosts: Vec<usize>,
    /// (rank, first ghost slot, count) to receive from each neighbour.
    recv: Vec<(usize, usize, usize)>,
    /// (rank, local owned indices) to send to each neighbour.
    send: Vec<(usize, Vec<usize>)>,
}

impl Layout {
    /// Build the plan; `ghosts` are this rank's needed non-owned global indices (any order).
    pub fn new(comm: &Comm, ranges: Vec<usize>, mut ghosts: Vec<usize>) -> Self {
        let rank = comm.rank();
        let size = comm.size();
        ghosts.sort_unstable();
        ghosts.dedup();
        let (lo, hi) = (ranges[rank], ranges[rank + 1]);
        debug_assert!(ghosts.iter().all(|&g| g < lo || g >= hi));
        let owner_of = |g: usize| ranges.partition_point(|&s| s <= g) - 1;
        let mut recv = Vec::new();
        let mut i = 0;
        while i < ghosts.len() {
            let r = owner_of(ghosts[i]);
            let start = i;
            while i < ghosts.len() && ghosts[i] < ranges[r + 1] {
                i += 1;
            }
            recv.push((r, start, i - start));
        }
        // Tell each owner which of its indices we need: counts via all-to-all, then the lists.
        let mut send = Vec::new();
        if size > 1 {
            let mut want = vec![0i32; size];
            for &(r, _, n) in &recv {
                want[r] = n as i32;
            }
            let mut give = vec![0i32; size];
            comm.timed(|| comm.world().all_to_all_into(&want[..], &mut give[..]));
            let sdispl: Vec<i32> = prefix(&want);
            let rdispl: Vec<i32> = prefix(&give);
            let req: Vec<u64> = ghosts.iter().map(|&g| g as u64).collect();
            let total: usize = give.iter().map(|&c| c as usize).sum();
            let mut got = vec![0u64; total];
            {
                let sp = mpi::datatype::Partition::new(&req[..], &want[..], &sdispl[..]);
                let mut rp = mpi::datatype::PartitionMut::new(&mut got[..], &give[..], &rdispl[..]);
                comm.timed(|| comm.world().all_to_all_varcount_into(&sp, &mut rp));
            }
            for r in 0..size {
                if give[r] > 0 {
                    let s = rdispl[r] as usize;
                    let list = got[s..s + give[r] as usize]
                        .iter()
                        .map(|&g| g as usize - lo)
                        .collect();
                    send.push((r, list));
                }
            }
        }
        Self {
            ranges,
            rank,
            ghosts,
            recv,
            send,
        }
    }

    /// A layout with no ghosts.
    pub fn owned_only(comm: &Comm, ranges: Vec<usize>) -> Self {
        Self::new(comm, ranges, Vec::new())
    }

    /// Even split of `n` indices over the ranks.
    pub fn even_ranges(n: usize, size: usize) -> Vec<usize> {
        (0..=size).map(|r| r * n / size).collect()
    }

    pub fn n_global(&self) -> usize {
        *self.ranges.last().unwrap()
    }
    pub fn lo(&self) -> usize {
        self.ranges[self.rank]
    }
    pub fn hi(&self) -> usize {
        self.ranges[self.rank + 1]
    }
    pub fn n_owned(&self) -> usize {
        self.hi() - self.lo()
    }
    /// Owned plus ghost slots.
    pub fn n_local(&self) -> usize {
        self.n_owned() + self.ghosts.len()
    }

    /// Local slot of a global index, if owned or ghost here.
    pub fn local_of(&self, g: usize) -> Option<usize> {
        if g >= self.lo() && g < self.hi() {
            Some(g - self.lo())
        } else {
            self.ghosts
                .binary_search(&g)
                .ok()
                .map(|k| self.n_owned() + k)
        }
    }

    /// Global index of a local slot.
    pub fn global_of(&self, l: usize) -> usize {
        if l < self.n_owned() {
            self.lo() + l
        } else {
            self.ghosts[l - self.n_owned()]
        }
    }

    /// Number of neighbour ranks (for statistics).
    pub fn num_neighbours(&self) -> usize {
        self.recv.len().max(self.send.len())
    }

    /// Fill the ghost slots of `x` (length `n_local`) from their owners.
    pub fn update_ghosts(&self, comm: &Comm, x: &mut [f64]) {
        if self.recv.is_empty() && self.send.is_empty() {
            return;
        }
        let n_owned = self.n_owned();
        let sendbufs: Vec<Vec<f64>> = self
            .send
            .iter()
            .map(|(_, idx)| idx.iter().map(|&i| x[i]).collect())
            .collect();
        let world = comm.world();
        let (_, ghosts) = x.split_at_mut(n_owned);
        comm.timed(|| {
            mpi::request::multiple_scope(self.recv.len() + self.send.len(), |scope, coll| {
                let mut rest: &mut [f64] = ghosts;
                let mut consumed = 0;
                for &(r, start, n) in &self.recv {
                    let (_, tail) = std::mem::take(&mut rest).split_at_mut(start - consumed);
                    let (buf, tail) = tail.split_at_mut(n);
                    rest = tail;
                    consumed = start + n;
                    coll.add(
                        world
                            .process_at_rank(r as i32)
                            .immediate_receive_into_with_tag(scope, buf, 7),
                    );
                }
                for ((r, _), buf) in self.send.iter().zip(&sendbufs) {
                    coll.add(world.process_at_rank(*r as i32).immediate_send_with_tag(
                        scope,
                        &buf[..],
                        7,
                    ));
                }
                let mut out = Vec::new();
                coll.wait_all(&mut out);
            });
        });
    }
}

fn prefix(counts: &[i32]) -> Vec<i32> {
    counts
        .iter()
        .scan(0, |acc, &c| {
            let s = *acc;
            *acc += c;
            Some(s)
        })
        .collect()
}
