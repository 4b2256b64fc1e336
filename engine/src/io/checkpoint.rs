//! Checkpoints: one HDF5 file per checkpoint, written collectively by all ranks in natural
//! (rank-count independent) order, so it restarts on any number of ranks.
//!
//! Crash safety: the file is written under a temporary name, synced, and renamed; a `latest`
//! file naming the newest good checkpoint is replaced atomically after that; every dataset
//! carries a checksum (see [`super::checksum`]) and the root a `complete` flag written last.
//! A reader verifies all of it and falls back to older checkpoints when one is damaged.

use super::checksum;
use crate::cli::write_atomic;
use crate::comm::Comm;
use crate::fem::assemble::Assembler;
use crate::solve::driver::{Resume, StepState, TransientState};
use galvana_h5::File as H5File;
use std::path::{Path, PathBuf};

/// File format tag stored in every checkpoint.
pub const FORMAT: &str = "galvana-checkpoint-1";

/// Scalars of the time loop, in the order stored in `/state/scalars`.
const SCALARS: [&str; 9] = [
    "step",
    "time",
    "dt_next",
    "dt_last",
    "energy_balance",
    "energy0",
    "newton_its",
    "linear_its",
    "rejected_steps",
];

/// What a checkpoint says about itself (read from its attributes).
#[derive(Clone, Debug)]
pub struct Meta {
    pub path: PathBuf,
    pub step: u64,
    pub time: f64,
    pub ranks: u64,
    pub version: String,
    pub deck_text: String,
    pub deck_sha256: String,
    pub num_dofs: u64,
    pub levels: usize,
    /// (dataset, elements, checksum ok)
    pub datasets: Vec<(String, u64, bool)>,
}

/// Extra run state the CLI stores alongside the time loop's.
#[derive(Clone, Debug, Default)]
pub struct RunExtras {
    pub output_times: Vec<f64>,
    pub monitor_seq: u64,
}

fn h5e(e: galvana_h5::H5Error) -> String {
    e.to_string()
}

/// The deck a checkpoint records (text as read and its SHA-256).
pub struct DeckInfo<'a> {
    pub text: &'a str,
    pub sha256: &'a str,
}

/// Write a checkpoint of `ts` into `dir` (collective). Returns the final path.
pub fn write(
    comm: &Comm,
    asm: &Assembler,
    deck: &DeckInfo,
    ts: &TransientState,
    extras: &RunExtras,
    dir: &Path,
    keep: usize,
) -> Result<PathBuf, String> {
    let step = ts.st.step;
    let name = format!("ckpt-{step}.h5");
    let final_path = dir.join(&name);
    let tmp = dir.join(format!(".{name}.tmp"));
    // Every rank must learn about a failure here, or the others wait forever.
    let mkdir = if comm.is_root() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create checkpoint directory {}: {e}", dir.display()))
            .err()
    } else {
        None
    };
    if comm.any(mkdir.is_some()) {
        return Err(
            mkdir.unwrap_or_else(|| "cannot create the checkpoint directory (rank 0)".into())
        );
    }
    let sp = &asm.space;
    let (size, rank) = (comm.size(), comm.rank());
    let root = comm.is_root();
    {
        let f = H5File::create_parallel(&tmp, comm.world()).map_err(h5e)?;
        f.set_attr_str("format", FORMAT).map_err(h5e)?;
        f.set_attr_str("galvana_version", env!("CARGO_PKG_VERSION"))
            .map_err(h5e)?;
        f.set_attr_i64("ranks", size as i64).map_err(h5e)?;
        // The deck as a byte dataset: attributes are limited to 64 KiB, decks are not.
        let bytes: Vec<u8> = if root {
            deck.text.as_bytes().to_vec()
        } else {
            Vec::new()
        };
        let ds = f
            .create_dataset::<u8>("meta/deck", &[deck.text.len() as u64])
            .map_err(h5e)?;
        ds.write_rows(0, &bytes, 1).map_err(h5e)?;
        let as_i64: Vec<i64> = bytes.iter().map(|&b| b as i64).collect();
        let bsum = comm.sum_u64(checksum::partial_i64(0, &as_i64));
        ds.set_attr_i64("checksum", bsum as i64).map_err(h5e)?;
        f.set_attr_str("deck_sha256", deck.sha256).map_err(h5e)?;
        f.set_attr_i64("step", step as i64).map_err(h5e)?;
        f.set_attr_f64("time", ts.st.time).map_err(h5e)?;
        f.set_attr_i64("num_dofs", sp.dofmap.num_dofs as i64)
            .map_err(h5e)?;
        f.set_attr_i64("levels", ts.levels.len() as i64)
            .map_err(h5e)?;
        f.set_attr_str("fields", &asm.kernel.field_names().join(","))
            .map_err(h5e)?;
        let nd = sp.dofmap.num_dofs as u64;
        let (lo, hi) = sp.natural_block(size, rank);
        // Mesh identity: DOF coordinates in natural order and the partition the run used.
        let new_of_nat = sp.new_of_natural();
        let coords: Vec<f64> = (lo..hi)
            .flat_map(|i| sp.dofmap.dof_coords[new_of_nat[i]])
            .collect();
        write_f64(
            comm,
            &f,
            "mesh/dof_coords",
            &[nd, 3],
            lo as u64 * 3,
            &coords,
            3,
        )?;
        let nc = sp.mesh.num_cells();
        let (clo, chi) = (rank * nc / size, (rank + 1) * nc / size);
        let part: Vec<i64> = (clo..chi).map(|c| sp.cell_part[c] as i64).collect();
        write_i64(
            comm,
            &f,
            "mesh/cell_partition",
            &[nc as u64],
            clo as u64,
            &part,
        )?;
        for c in 0..sp.ncomp {
            for (k, lvl) in ts.levels.iter().enumerate() {
                let nat = sp.to_natural(comm, lvl, c);
                write_f64(
                    comm,
                    &f,
                    &format!("state/level_{k}/comp_{c}"),
                    &[nd],
                    lo as u64,
                    &nat,
                    1,
                )?;
            }
        }
        let st = &ts.st;
        let scalars = [
            st.step as f64,
            st.time,
            ts.dt,
            st.dt,
            st.energy_out,
            st.energy0,
            st.total_newton_its as f64,
            st.total_linear_its as f64,
            st.rejected_steps as f64,
        ];
        let small = |v: &[f64]| if root { v.to_vec() } else { Vec::new() };
        write_f64(
            comm,
            &f,
            "state/scalars",
            &[SCALARS.len() as u64],
            0,
            &small(&scalars),
            1,
        )?;
        write_f64(
            comm,
            &f,
            "state/dt_history",
            &[st.dt_history.len() as u64],
            0,
            &small(&st.dt_history),
            1,
        )?;
        write_f64(
            comm,
            &f,
            "state/energies",
            &[ts.energies.len() as u64],
            0,
            &small(&ts.energies),
            1,
        )?;
        write_f64(
            comm,
            &f,
            "output/times",
            &[extras.output_times.len() as u64],
            0,
            &small(&extras.output_times),
            1,
        )?;
        write_f64(
            comm,
            &f,
            "output/monitor_seq",
            &[1],
            0,
            &small(&[extras.monitor_seq as f64]),
            1,
        )?;
        // Written last: a file without it was cut off while being written.
        let meta = meta_string(
            env!("CARGO_PKG_VERSION"),
            size as i64,
            deck.sha256,
            step as i64,
            ts.st.time,
            sp.dofmap.num_dofs as i64,
            ts.levels.len() as i64,
            &asm.kernel.field_names().join(","),
        );
        f.set_attr_i64("meta_checksum", checksum::partial_i64(0, &meta) as i64)
            .map_err(h5e)?;
        f.flush().map_err(h5e)?;
        f.set_attr_i64("complete", 1).map_err(h5e)?;
        f.flush().map_err(h5e)?;
    }
    comm.barrier();
    let mut err = None;
    if root {
        err = publish(&tmp, &final_path, dir, &name, keep).err();
    }
    if comm.any(err.is_some()) {
        return Err(err.unwrap_or_else(|| "checkpoint publication failed on rank 0".into()));
    }
    Ok(final_path)
}

/// fsync, rename into place, point `latest` at it, apply retention (rank 0).
fn publish(
    tmp: &Path,
    final_path: &Path,
    dir: &Path,
    name: &str,
    keep: usize,
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("checkpoint {}: {e}", final_path.display());
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::rename(tmp, final_path).map_err(io)?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io)?;
    write_atomic(&dir.join("latest"), format!("{name}\n").as_bytes()).map_err(io)?;
    // Retention: keep the newest `keep`; the one `latest` names is never deleted.
    let mut all = list(dir);
    all.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    for (_, p) in all.iter().skip(keep.max(1)) {
        if p != final_path {
            let _ = std::fs::remove_file(p);
        }
    }
    Ok(())
}

fn write_f64(
    comm: &Comm,
    f: &H5File,
    name: &str,
    shape: &[u64],
    offset: u64,
    data: &[f64],
    row_len: u64,
) -> Result<(), String> {
    let ds = f.create_dataset::<f64>(name, shape).map_err(h5e)?;
    ds.write_rows(offset / row_len, data, row_len)
        .map_err(h5e)?;
    let sum = comm.sum_u64(checksum::partial_f64(offset, data));
    ds.set_attr_i64("checksum", sum as i64).map_err(h5e)
}

fn write_i64(
    comm: &Comm,
    f: &H5File,
    name: &str,
    shape: &[u64],
    offset: u64,
    data: &[i64],
) -> Result<(), String> {
    let ds = f.create_dataset::<i64>(name, shape).map_err(h5e)?;
    ds.write_rows(offset, data, 1).map_err(h5e)?;
    let sum = comm.sum_u64(checksum::partial_i64(offset, data));
    ds.set_attr_i64("checksum", sum as i64).map_err(h5e)
}

/// `ckpt-<step>.h5` files in `dir`, with their steps (any order).
pub fn list(dir: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            let step = n
                .strip_prefix("ckpt-")?
                .strip_suffix(".h5")?
                .parse::<u64>()
                .ok()?;
            Some((step, e.path()))
        })
        .collect()
}

fn datasets_of(levels: usize, ncomp: usize) -> Vec<String> {
    let mut v = vec![
        "meta/deck".to_string(),
        "mesh/dof_coords".to_string(),
        "mesh/cell_partition".to_string(),
    ];
    for c in 0..ncomp {
        for k in 0..levels {
            v.push(format!("state/level_{k}/comp_{c}"));
        }
    }
    for s in [
        "state/scalars",
        "state/dt_history",
        "state/energies",
        "output/times",
        "output/monitor_seq",
    ] {
        v.push(s.to_string());
    }
    v
}

/// Open a checkpoint serially and verify format, completeness and every checksum.
pub fn verify(path: &Path) -> Result<Meta, String> {
    let shown = path.display().to_string();
    let f = H5File::open(path, false)
        .map_err(|e| format!("{shown}: not a readable HDF5 file ({e})"))?;
    let attr_s = |n: &str| {
        f.attr_str(n)
            .map_err(|e| format!("{shown}: missing attribute `{n}` ({e})"))
    };
    let attr_i = |n: &str| {
        f.attr_i64(n)
            .map_err(|e| format!("{shown}: missing attribute `{n}` ({e})"))
    };
    let file_len = std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{shown}: {e}"))?;
    let format = attr_s("format")?;
    if format != FORMAT {
        return Err(format!("{shown}: format `{format}`, expected `{FORMAT}`"));
    }
    if !f.has_attr("complete").unwrap_or(false) || attr_i("complete")? != 1 {
        return Err(format!(
            "{shown}: incomplete (the writer stopped before finishing it)"
        ));
    }
    let levels = attr_i("levels")? as usize;
    let ncomp = attr_s("fields")?.split(',').count();
    let mut datasets = Vec::new();
    let mut bad = Vec::new();
    for name in datasets_of(levels, ncomp) {
        let ds = f
            .open_dataset(&name)
            .map_err(|e| format!("{shown}: dataset `{name}` is missing ({e})"))?;
        let stored = ds
            .attr_i64("checksum")
            .map_err(|e| format!("{shown}: dataset `{name}` has no checksum ({e})"))?
            as u64;
        let n: u64 = ds.shape().iter().product();
        // A damaged header can claim any size; never allocate more than the file could hold.
        let elem = if name == "meta/deck" { 1 } else { 8 };
        if n.saturating_mul(elem) > file_len {
            return Err(format!("{shown}: dataset `{name}` claims {n} values, more than the {file_len}-byte file can hold (damaged header)"));
        }
        let sum = if name == "meta/deck" {
            let b = ds
                .read_all::<u8>()
                .map_err(|e| format!("{shown}: `{name}`: {e}"))?;
            checksum::partial_i64(0, &b.iter().map(|&x| x as i64).collect::<Vec<_>>())
        } else if name == "mesh/cell_partition" {
            checksum::partial_i64(
                0,
                &ds.read_all::<i64>()
                    .map_err(|e| format!("{shown}: `{name}`: {e}"))?,
            )
        } else {
            checksum::partial_f64(
                0,
                &ds.read_all::<f64>()
                    .map_err(|e| format!("{shown}: `{name}`: {e}"))?,
            )
        };
        if sum != stored {
            bad.push(name.clone());
        }
        datasets.push((name, n, sum == stored));
    }
    if !bad.is_empty() {
        return Err(format!("{shown}: checksum mismatch in {}", bad.join(", ")));
    }
    // The root attributes have their own checksum, and must agree with the checksummed state.
    let time = f.attr_f64("time").map_err(h5e)?;
    let meta = meta_string(
        &attr_s("galvana_version")?,
        attr_i("ranks")?,
        &attr_s("deck_sha256")?,
        attr_i("step")?,
        time,
        attr_i("num_dofs")?,
        levels as i64,
        &attr_s("fields")?,
    );
    let stored = attr_i("meta_checksum")? as u64;
    if checksum::partial_i64(0, &meta) != stored {
        return Err(format!("{shown}: checksum mismatch in the root attributes (step, time, sizes or deck hash were altered)"));
    }
    let scalars = f
        .open_dataset("state/scalars")
        .and_then(|d| d.read_all::<f64>())
        .map_err(h5e)?;
    if scalars.len() < 2 || scalars[0] != attr_i("step")? as f64 || scalars[1] != time {
        return Err(format!(
            "{shown}: the step and time attributes disagree with the stored state"
        ));
    }
    Ok(Meta {
        path: path.to_path_buf(),
        step: attr_i("step")? as u64,
        time: f.attr_f64("time").map_err(h5e)?,
        ranks: attr_i("ranks")? as u64,
        version: attr_s("galvana_version")?,
        deck_text: String::from_utf8(
            f.open_dataset("meta/deck")
                .and_then(|d| d.read_all::<u8>())
                .map_err(h5e)?,
        )
        .map_err(|_| format!("{shown}: the stored deck is not UTF-8"))?,
        deck_sha256: attr_s("deck_sha256")?,
        num_dofs: attr_i("num_dofs")? as u64,
        levels,
        datasets,
    })
}

/// The newest valid checkpoint in `dir`: the one `latest` names if it verifies, else the
/// newest that does. Returns it and a note for each one skipped.
pub fn find_latest(dir: &Path) -> Result<(Meta, Vec<String>), String> {
    let mut cands = list(dir);
    cands.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    if let Ok(l) = std::fs::read_to_string(dir.join("latest")) {
        let p = dir.join(l.trim());
        if let Some(i) = cands.iter().position(|(_, c)| *c == p) {
            let first = cands.remove(i);
            cands.insert(0, first);
        }
    }
    let mut skipped = Vec::new();
    for (_, p) in &cands {
        match verify(p) {
            Ok(m) => return Ok((m, skipped)),
            Err(e) => skipped.push(format!("skipping damaged checkpoint: {e}")),
        }
    }
    Err(if cands.is_empty() {
        format!("no checkpoint in {}", dir.display())
    } else {
        format!(
            "no valid checkpoint in {}:\n  {}",
            dir.display(),
            skipped.join("\n  ")
        )
    })
}

/// Read a verified checkpoint into this rank's local numbering.
pub fn read(comm: &Comm, asm: &Assembler, meta: &Meta) -> Result<(Resume, RunExtras), String> {
    let sp = &asm.space;
    let shown = meta.path.display().to_string();
    if meta.num_dofs as usize != sp.dofmap.num_dofs {
        return Err(format!(
            "{shown}: the checkpoint has {} unknowns per field but this mesh and order give {}; it belongs to another mesh",
            meta.num_dofs, sp.dofmap.num_dofs
        ));
    }
    let f = H5File::open(&meta.path, false).map_err(h5e)?;
    let rd = |n: &str| {
        f.open_dataset(n)
            .and_then(|d| d.read_all::<f64>())
            .map_err(|e| format!("{shown}: {n}: {e}"))
    };
    let coords = rd("mesh/dof_coords")?;
    let new_of_nat = sp.new_of_natural();
    let scale = sp
        .dofmap
        .dof_coords
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-300);
    for (i, &g) in new_of_nat.iter().enumerate() {
        let c = sp.dofmap.dof_coords[g];
        if (0..3).any(|k| (coords[3 * i + k] - c[k]).abs() > 1e-9 * scale) {
            return Err(format!("{shown}: DOF {i} is at another position than in this mesh; the checkpoint belongs to another mesh"));
        }
    }
    let nl = sp.n_local();
    let nc = sp.ncomp;
    let mut levels = vec![vec![0.0; nl]; meta.levels];
    for c in 0..nc {
        for (k, lvl) in levels.iter_mut().enumerate() {
            let nat = rd(&format!("state/level_{k}/comp_{c}"))?;
            for (l, v) in lvl.iter_mut().enumerate() {
                let g = sp.layout.global_of(l);
                if g % nc == c {
                    *v = nat[sp.original_dof[g / nc]];
                }
            }
        }
    }
    let s = rd("state/scalars")?;
    let state = StepState {
        step: s[0] as u64,
        time: s[1],
        dt: s[3],
        dt_history: rd("state/dt_history")?,
        energy_out: s[4],
        energy0: s[5],
        total_newton_its: s[6] as u64,
        total_linear_its: s[7] as u64,
        rejected_steps: s[8] as u64,
    };
    let _ = comm;
    let resume = Resume {
        state,
        levels,
        energies: rd("state/energies")?,
        dt_next: s[2],
    };
    let extras = RunExtras {
        output_times: rd("output/times")?,
        monitor_seq: rd("output/monitor_seq")?[0] as u64,
    };
    Ok((resume, extras))
}

/// The root attributes as integers for [`checksum::partial_i64`]: every string byte and the
/// bit patterns of the numbers, in a fixed order.
#[allow(clippy::too_many_arguments)]
fn meta_string(
    version: &str,
    ranks: i64,
    deck_sha: &str,
    step: i64,
    time: f64,
    num_dofs: i64,
    levels: i64,
    fields: &str,
) -> Vec<i64> {
    let mut v: Vec<i64> = Vec::new();
    for s in [version, deck_sha, fields] {
        v.push(s.len() as i64);
        v.extend(s.bytes().map(|b| b as i64));
    }
    v.extend([ranks, step, time.to_bits() as i64, num_dofs, levels]);
    v
}
