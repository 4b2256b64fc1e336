//! The distributed function space: a replicated mesh (every rank holds all of it, as MOOSE's
//! default ReplicatedMesh), a cell partition, and a DOF numbering in which each rank owns a
//! contiguous range. Each rank assembles the cells that touch its DOFs (its partition plus a
//! one-cell ghost layer), in global cell order, so its rows are complete without off-rank
//! assembly and are bitwise the same whatever the rank count.

use crate::comm::Comm;
use crate::linalg::Layout;
use galvana_mesh::fe::DofMap;
use galvana_mesh::Mesh;
use std::sync::Arc;

/// A continuous Lagrange space of `ncomp` components distributed over the ranks.
/// Global index of component c of DOF d is `d * ncomp + c`.
pub struct Space {
    pub mesh: Arc<Mesh>,
    pub dofmap: DofMap,
    pub ncomp: usize,
    pub layout: Arc<Layout>,
    /// Partition of each cell.
    pub cell_part: Vec<u32>,
    /// Cells this rank assembles (global order).
    pub local_cells: Vec<usize>,
    /// Local slots (owned ++ ghosts) of each local cell's DOFs, `dofs_per_cell * ncomp` per cell.
    pub cell_slots: Vec<u32>,
    /// DOF ownership ranges (in DOFs, not components).
    pub dof_ranges: Vec<usize>,
    /// Original (pre-renumbering) DOF id of each DOF: the same for every rank count.
    pub original_dof: Vec<usize>,
    /// Sparsity of owned rows: row pointer and local column slots.
    pub row_ptr: Vec<usize>,
    pub cols: Vec<u32>,
}

impl Space {
    /// Build the space: number DOFs, assign owners from the cell partition, renumber owner-
    /// contiguously and build the sparsity and halo plan.
    pub fn new(
        comm: &Comm,
        mesh: Arc<Mesh>,
        order: usize,
        ncomp: usize,
        cell_part: Vec<u32>,
    ) -> Result<Self, String> {
        let mut dofmap = DofMap::new(&mesh, order).map_err(|e| e.to_string())?;
        let nd = dofmap.num_dofs;
        let npc = dofmap.dofs_per_cell;
        let ncells = mesh.num_cells();
        let size = comm.size();
        // A DOF belongs to the lowest-numbered partition among the cells that contain it.
        let mut owner = vec![u32::MAX; nd];
        for c in 0..ncells {
            let p = cell_part[c];
            for &d in dofmap.cell(c) {
                owner[d] = owner[d].min(p);
            }
        }
        let mut order_idx: Vec<usize> = (0..nd).collect();
        order_idx.sort_by_key(|&d| (owner[d], d));
        let mut new_of_old = vec![0usize; nd];
        for (new, &old) in order_idx.iter().enumerate() {
            new_of_old[old] = new;
        }
        let original_dof = order_idx.clone();
        dofmap.renumber(&new_of_old);
        let mut dof_ranges = vec![0usize; size + 1];
        for &o in &owner {
            dof_ranges[o as usize + 1] += 1;
        }
        for r in 0..size {
            dof_ranges[r + 1] += dof_ranges[r];
        }
        let rank = comm.rank();
        let (dlo, dhi) = (dof_ranges[rank], dof_ranges[rank + 1]);
        let owned = |d: usize| d >= dlo && d < dhi;
        let local_cells: Vec<usize> = (0..ncells)
            .filter(|&c| dofmap.cell(c).iter().any(|&d| owned(d)))
            .collect();

        // DOF -> local cells adjacency, for the sparsity of owned rows.
        let n_owned_dofs = dhi - dlo;
        let mut cnt = vec![0usize; n_owned_dofs + 1];
        for &c in &local_cells {
            for &d in dofmap.cell(c) {
                if owned(d) {
                    cnt[d - dlo + 1] += 1;
                }
            }
        }
        for i in 0..n_owned_dofs {
            cnt[i + 1] += cnt[i];
        }
        let mut adj = vec![0usize; cnt[n_owned_dofs]];
        let mut fill = cnt.clone();
        for &c in &local_cells {
            for &d in dofmap.cell(c) {
                if owned(d) {
                    adj[fill[d - dlo]] = c;
                    fill[d - dlo] += 1;
                }
            }
        }
        // Row patterns at DOF level (global DOF ids), then expanded per component.
        let mut dof_row_ptr = vec![0usize; n_owned_dofs + 1];
        let mut dof_cols: Vec<usize> = Vec::with_capacity(n_owned_dofs * npc * 2);
        let mut scratch = Vec::new();
        let mut ghost_dofs = Vec::new();
        for i in 0..n_owned_dofs {
            scratch.clear();
            for &c in &adj[cnt[i]..cnt[i + 1]] {
                scratch.extend_from_slice(dofmap.cell(c));
            }
            scratch.sort_unstable();
            scratch.dedup();
            for &d in &scratch {
                if !owned(d) {
                    ghost_dofs.push(d);
                }
            }
            dof_cols.extend_from_slice(&scratch);
            dof_row_ptr[i + 1] = dof_cols.len();
        }
        drop(adj);
        ghost_dofs.sort_unstable();
        ghost_dofs.dedup();
        let ranges: Vec<usize> = dof_ranges.iter().map(|&r| r * ncomp).collect();
        let ghosts: Vec<usize> = ghost_dofs
            .iter()
            .flat_map(|&d| (0..ncomp).map(move |c| d * ncomp + c))
            .collect();
        let layout = Arc::new(Layout::new(comm, ranges, ghosts));
        let slot = |g: usize| {
            layout
                .local_of(g)
                .expect("DOF of a local cell is owned or ghost") as u32
        };

        let mut row_ptr = Vec::with_capacity(n_owned_dofs * ncomp + 1);
        row_ptr.push(0);
        let mut cols = Vec::with_capacity(dof_cols.len() * ncomp * ncomp);
        for i in 0..n_owned_dofs {
            for _c in 0..ncomp {
                let start = cols.len();
                for &d in &dof_cols[dof_row_ptr[i]..dof_row_ptr[i + 1]] {
                    for e in 0..ncomp {
                        cols.push(slot(d * ncomp + e));
                    }
                }
                cols[start..].sort_unstable();
                row_ptr.push(cols.len());
            }
        }
        let mut cell_slots = Vec::with_capacity(local_cells.len() * npc * ncomp);
        for &c in &local_cells {
            for &d in dofmap.cell(c) {
                for e in 0..ncomp {
                    cell_slots.push(slot(d * ncomp + e));
                }
            }
        }
        Ok(Self {
            mesh,
            dofmap,
            ncomp,
            layout,
            cell_part,
            local_cells,
            cell_slots,
            dof_ranges,
            original_dof,
            row_ptr,
            cols,
        })
    }

    pub fn n_owned(&self) -> usize {
        self.layout.n_owned()
    }
    pub fn n_local(&self) -> usize {
        self.layout.n_local()
    }
    pub fn n_global(&self) -> usize {
        self.layout.n_global()
    }
    /// First owned DOF (not component index).
    pub fn dof_lo(&self) -> usize {
        self.dof_ranges[self.layout.rank]
    }
    pub fn dof_hi(&self) -> usize {
        self.dof_ranges[self.layout.rank + 1]
    }

    /// This rank's block `[lo, hi)` of the natural (original, rank-count independent) DOF
    /// numbering, an even split: output and checkpoints are written in natural order so files
    /// do not depend on the rank count.
    pub fn natural_block(&self, size: usize, rank: usize) -> (usize, usize) {
        let n = self.dofmap.num_dofs;
        (rank * n / size, (rank + 1) * n / size)
    }

    /// Redistribute owned DOF values (component `c` of a local vector) into this rank's block
    /// of the natural numbering (PETSc's "natural ordering" scatter), with one all-to-all.
    pub fn to_natural(&self, comm: &Comm, x: &[f64], c: usize) -> Vec<f64> {
        let size = comm.size();
        let nc = self.ncomp;
        let n = self.dofmap.num_dofs;
        // The rank whose even block [r n / size, (r+1) n / size) holds natural id o.
        let owner = |o: usize| {
            let mut r = (o * size / n).min(size - 1);
            while r * n / size > o {
                r -= 1;
            }
            while (r + 1) * n / size <= o {
                r += 1;
            }
            r
        };
        let (dlo, dhi) = (self.dof_lo(), self.dof_hi());
        if size == 1 {
            let mut out = vec![0.0; n];
            for d in dlo..dhi {
                out[self.original_dof[d]] = x[(d - dlo) * nc + c];
            }
            return out;
        }
        let mut counts = vec![0i32; size];
        for d in dlo..dhi {
            counts[owner(self.original_dof[d])] += 1;
        }
        let displs: Vec<i32> = counts
            .iter()
            .scan(0, |a, &v| {
                let s = *a;
                *a += v;
                Some(s)
            })
            .collect();
        let mut fill = displs.clone();
        let total = dhi - dlo;
        let mut ids = vec![0u64; total];
        let mut vals = vec![0.0f64; total];
        for d in dlo..dhi {
            let o = self.original_dof[d];
            let r = owner(o);
            let k = fill[r] as usize;
            ids[k] = o as u64;
            vals[k] = x[(d - dlo) * nc + c];
            fill[r] += 1;
        }
        let mut rcounts = vec![0i32; size];
        {
            use mpi::traits::*;
            comm.timed(|| comm.world().all_to_all_into(&counts[..], &mut rcounts[..]));
        }
        let rdispls: Vec<i32> = rcounts
            .iter()
            .scan(0, |a, &v| {
                let s = *a;
                *a += v;
                Some(s)
            })
            .collect();
        let rtotal: usize = rcounts.iter().map(|&v| v as usize).sum();
        let mut rids = vec![0u64; rtotal];
        let mut rvals = vec![0.0f64; rtotal];
        {
            use mpi::datatype::{Partition, PartitionMut};
            use mpi::traits::*;
            let w = comm.world();
            comm.timed(|| {
                w.all_to_all_varcount_into(
                    &Partition::new(&ids[..], &counts[..], &displs[..]),
                    &mut PartitionMut::new(&mut rids[..], &rcounts[..], &rdispls[..]),
                );
                w.all_to_all_varcount_into(
                    &Partition::new(&vals[..], &counts[..], &displs[..]),
                    &mut PartitionMut::new(&mut rvals[..], &rcounts[..], &rdispls[..]),
                );
            });
        }
        let (lo, hi) = self.natural_block(size, comm.rank());
        let mut out = vec![0.0; hi - lo];
        for (id, v) in rids.iter().zip(&rvals) {
            out[*id as usize - lo] = *v;
        }
        out
    }

    /// New (owner-contiguous) DOF number of each natural DOF.
    pub fn new_of_natural(&self) -> Vec<usize> {
        let mut m = vec![0usize; self.original_dof.len()];
        for (new, &orig) in self.original_dof.iter().enumerate() {
            m[orig] = new;
        }
        m
    }

    /// A zeroed matrix with this space's pattern.
    pub fn new_matrix(&self) -> crate::linalg::DistCsr {
        crate::linalg::DistCsr::with_pattern(
            self.layout.clone(),
            self.row_ptr.clone(),
            self.cols.clone(),
        )
    }

    /// Local slots of local cell number `k` (index into `local_cells`).
    pub fn slots(&self, k: usize) -> &[u32] {
        let n = self.dofmap.dofs_per_cell * self.ncomp;
        &self.cell_slots[k * n..(k + 1) * n]
    }

    /// Interpolate a function into a local vector (owned and ghost slots).
    pub fn interpolate(&self, f: &dyn Fn([f64; 3], usize) -> f64, x: &mut [f64]) {
        for l in 0..self.n_local() {
            let g = self.layout.global_of(l);
            let (d, c) = (g / self.ncomp, g % self.ncomp);
            x[l] = f(self.dofmap.dof_coords[d], c);
        }
    }
}
