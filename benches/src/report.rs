//! Results of one `poisson-bench` run (one rank count) and their Markdown rendering.

use crate::model::CgTraffic;
use crate::{max, median, min};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// One STREAM measurement in the run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StreamRow {
    /// When in the run: `start` or `end`.
    pub phase: String,
    /// Concurrent streams.
    pub streams: usize,
    /// `threads` (of one process) or `ranks` (one thread each).
    pub how: String,
    pub elems: usize,
    /// Triad GB/s per repetition.
    pub triad_gbs: Vec<f64>,
    /// Copy GB/s per repetition.
    pub copy_gbs: Vec<f64>,
    /// Read-only sum GB/s per repetition.
    #[serde(default)]
    pub read_gbs: Vec<f64>,
}

/// One solver on one problem.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SolverRow {
    /// e.g. `native CG+Jacobi`, `PETSc CG+GAMG`.
    pub name: String,
    pub iterations: usize,
    pub converged: bool,
    /// Set-up seconds (preconditioner construction; PETSc: `KSPSetUp` on a fresh KSP).
    pub setup_s: f64,
    /// Solve seconds per repetition (max over ranks).
    pub solve_s: Vec<f64>,
    /// True relative residual ‖b − A x‖/‖b‖ of the last solution, computed by the engine.
    pub true_rel_res: f64,
    /// Max nodal |u_h − u_exact|.
    pub max_err: f64,
}

impl SolverRow {
    pub fn solve_median(&self) -> f64 {
        median(&self.solve_s)
    }
    pub fn ms_per_it(&self) -> f64 {
        1e3 * self.solve_median() / self.iterations.max(1) as f64
    }
}

/// One pass of the CG iteration timed alone (`--kernels`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct KernelRow {
    pub name: String,
    /// Model bytes, summed over ranks.
    pub bytes: f64,
    /// Median seconds (max over ranks).
    pub seconds: f64,
}

/// One grid size.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CaseRow {
    /// Interior nodes per direction (the mesh has n+1 cells per direction).
    pub n: usize,
    pub cells: usize,
    /// Matrix rows: all (n+2)³ nodes, the Dirichlet ones as identity rows.
    pub dofs: usize,
    pub nnz: u64,
    /// Ghost slots summed over ranks.
    pub ghosts: u64,
    pub mesh_s: f64,
    pub space_s: f64,
    /// `Assembler::assemble` (matrix and right-hand side) plus `constrain`, max over ranks.
    pub assembly_s: f64,
    /// Cells assembled by the busiest rank (its partition plus a ghost layer).
    pub assembled_cells_max: usize,
    /// Bytes of the engine's CSR arrays, summed over ranks.
    pub matrix_bytes: f64,
    /// RSS before the case, summed over ranks.
    pub rss_before: u64,
    /// Peak RSS up to the end of the first native solve, summed over ranks.
    pub peak_engine: u64,
    /// Peak RSS over the PETSc part, summed over ranks (0 without PETSc).
    pub peak_petsc: u64,
    /// Per-iteration bytes of the native CG (model), summed over ranks.
    pub traffic: CgTraffic,
    pub native: SolverRow,
    pub petsc: Vec<SolverRow>,
    /// Seconds to convert and assemble the CSR into a PETSc matrix.
    pub petsc_matrix_s: f64,
    /// native / PETSc CG+Jacobi solve time, per interleaved repetition pair.
    pub native_over_petsc_jacobi: Vec<f64>,
    /// The CG loop as it was before optimisation (`--baseline`), timed interleaved with the
    /// current one.
    #[serde(default)]
    pub baseline: Option<SolverRow>,
    /// current / before solve time, per interleaved repetition pair.
    #[serde(default)]
    pub native_over_baseline: Vec<f64>,
    /// Per-pass timings of the native CG iteration (empty unless `--kernels`).
    #[serde(default)]
    pub kernels: Vec<KernelRow>,
}

impl CaseRow {
    /// Implied bandwidth of the native CG iteration in GB/s (model bytes / median time per it).
    pub fn native_gbs(&self) -> f64 {
        self.traffic.total() / (1e-3 * self.native.ms_per_it()) / 1e9
    }
}

/// One run of the benchmark binary.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunReport {
    pub ranks: usize,
    /// Cores this process may run on (after mpirun's binding).
    pub cpus_available: usize,
    pub command: String,
    /// `3.18.5 (hypre)` or empty without the `petsc` feature.
    pub petsc: String,
    pub stream: Vec<StreamRow>,
    pub cases: Vec<CaseRow>,
    pub wall_s: f64,
}

impl RunReport {
    /// Triad GB/s (median over all repetitions at start and end) for `streams` streams.
    pub fn triad(&self, streams: usize) -> f64 {
        let all: Vec<f64> = self
            .stream
            .iter()
            .filter(|s| s.streams == streams)
            .flat_map(|s| s.triad_gbs.iter().copied())
            .collect();
        median(&all)
    }

    /// Read-only GB/s (median over all repetitions at start and end) for `streams` streams.
    pub fn read(&self, streams: usize) -> f64 {
        let all: Vec<f64> = self
            .stream
            .iter()
            .filter(|s| s.streams == streams)
            .flat_map(|s| s.read_gbs.iter().copied())
            .collect();
        median(&all)
    }

    /// Largest relative difference between the start and end triad medians (a noise gauge).
    pub fn stream_drift(&self) -> f64 {
        let mut worst: f64 = 0.0;
        for s in self.stream.iter().filter(|s| s.phase == "start") {
            if let Some(e) = self
                .stream
                .iter()
                .find(|e| e.phase == "end" && e.streams == s.streams)
            {
                let (a, b) = (median(&s.triad_gbs), median(&e.triad_gbs));
                worst = worst.max((a - b).abs() / a.min(b));
            }
        }
        worst
    }
}

fn gb(bytes: f64) -> String {
    format!("{:.3}", bytes / 1e9)
}

fn sep(cols: usize) -> String {
    format!("|{}\n", "---|".repeat(cols))
}

fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Markdown tables of one run.
pub fn render_run(r: &RunReport) -> String {
    let mut o = String::new();
    let p = r.ranks;
    let _ = writeln!(
        o,
        "### {p} rank{} (`{}`)\n",
        if p == 1 { "" } else { "s" },
        r.command
    );
    // STREAM
    let _ = writeln!(
        o,
        "STREAM-like triad/copy measured in this run (GB/s; median [min–max] of the repetitions; {} doubles per array in total):\n",
        r.stream.first().map_or(0, |s| s.elems)
    );
    o.push_str("| when | streams | triad | copy | read-only sum |\n");
    o.push_str(&sep(5));
    for s in &r.stream {
        let _ = writeln!(
            o,
            "| {} | {} {} | {:.1} [{:.1}–{:.1}] | {:.1} [{:.1}–{:.1}] | {:.1} [{:.1}–{:.1}] |",
            s.phase,
            s.streams,
            s.how,
            median(&s.triad_gbs),
            min(&s.triad_gbs),
            max(&s.triad_gbs),
            median(&s.copy_gbs),
            min(&s.copy_gbs),
            max(&s.copy_gbs),
            median(&s.read_gbs),
            min(&s.read_gbs),
            max(&s.read_gbs)
        );
    }
    let _ = writeln!(
        o,
        "\nStart/end drift of the triad medians: {:.0} %.\n",
        100.0 * r.stream_drift()
    );

    // Problem, assembly, memory
    o.push_str("Problem, assembly and memory (sums over ranks; \"peak\" = VmHWM − VmRSS before the case):\n\n");
    o.push_str("| grid | DOFs | cells | nnz | mesh [s] | space [s] | assembly [s] | µs/cell (wall) | µs/cell (busiest rank) | CSR B/DOF | engine peak B/DOF | with PETSc peak B/DOF |\n");
    o.push_str(&sep(12));
    for c in &r.cases {
        let per = |b: f64| b / c.dofs as f64;
        let _ =
            writeln!(
            o,
            "| {n}³ | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} | {} |",
            thousands(c.dofs as u64),
            thousands(c.cells as u64),
            thousands(c.nnz),
            c.mesh_s,
            c.space_s,
            c.assembly_s,
            1e6 * c.assembly_s / c.cells as f64,
            1e6 * c.assembly_s / c.assembled_cells_max.max(1) as f64,
            per(c.matrix_bytes),
            per(c.peak_engine.saturating_sub(c.rss_before) as f64),
            if c.peak_petsc > 0 {
                format!("{:.0}", per(c.peak_petsc.saturating_sub(c.rss_before) as f64))
            } else {
                "–".into()
            },
            n = c.n,
        );
    }

    // Native CG vs STREAM
    let triad = r.triad(p);
    let read = r.read(p);
    let _ = writeln!(
        o,
        "\nNative CG + Jacobi: time per iteration and implied bandwidth against the triad with {p} stream{} ({triad:.1} GB/s, median of this run) and against the read-only sum ({read:.1} GB/s):\n",
        if p == 1 { "" } else { "s" }
    );
    o.push_str("| grid | its | solve [s] (median) | solve range [s] | ms/it | model GB/it | GB/s | of STREAM triad | of read-only | ‖b−Ax‖/‖b‖ | max err vs exact |\n");
    o.push_str(&sep(11));
    for c in &r.cases {
        let nat = &c.native;
        let bw = c.native_gbs();
        let _ = writeln!(
            o,
            "| {}³ | {} | {:.3} | {:.3}–{:.3} | {:.2} | {} | {:.1} | {:.0} % | {:.0} % | {:.1e} | {:.1e} |",
            c.n,
            nat.iterations,
            nat.solve_median(),
            min(&nat.solve_s),
            max(&nat.solve_s),
            nat.ms_per_it(),
            gb(c.traffic.total()),
            bw,
            100.0 * bw / triad,
            100.0 * bw / read,
            nat.true_rel_res,
            nat.max_err
        );
    }

    if r.cases.iter().any(|c| c.baseline.is_some()) {
        o.push_str("\nEffect of the optimisation: the CG loop before it (engine commit 8e83746, reproduced in `src/baseline.rs`) and the current one, interleaved in this run on the same matrix (ms/it: median; ratio: median and range over the repetition pairs):\n\n");
        o.push_str("| grid | its before / after | ms/it before | ms/it after | after / before |\n");
        o.push_str(&sep(5));
        for c in &r.cases {
            if let Some(b) = &c.baseline {
                let _ = writeln!(
                    o,
                    "| {}³ | {} / {} | {:.2} | {:.2} | {:.2} ({:.2}–{:.2}) |",
                    c.n,
                    b.iterations,
                    c.native.iterations,
                    b.ms_per_it(),
                    c.native.ms_per_it(),
                    median(&c.native_over_baseline),
                    min(&c.native_over_baseline),
                    max(&c.native_over_baseline)
                );
            }
        }
    }

    if r.cases.iter().any(|c| !c.kernels.is_empty()) {
        let _ = writeln!(
            o,
            "\nThe passes of one native CG iteration timed alone (median of 20; GB/s from the model bytes of each pass):\n"
        );
        o.push_str("| grid | pass | model MB | ms | GB/s | of triad | of read-only |\n");
        o.push_str(&sep(7));
        for c in &r.cases {
            let mut sum = (0.0, 0.0);
            for k in c.kernels.iter().filter(|k| {
                k.name != "SpMV q = Ap"
                    && k.name != "SpMV fused with (p,q)"
                    && !k.name.contains("before")
            }) {
                sum = (sum.0 + k.bytes, sum.1 + k.seconds);
            }
            for k in &c.kernels {
                let bw = k.bytes / k.seconds / 1e9;
                let _ = writeln!(
                    o,
                    "| {}³ | {} | {:.1} | {:.3} | {:.1} | {:.0} % | {:.0} % |",
                    c.n,
                    k.name,
                    k.bytes / 1e6,
                    1e3 * k.seconds,
                    bw,
                    100.0 * bw / triad,
                    100.0 * bw / read
                );
            }
            if !c.kernels.is_empty() {
                let bw = sum.0 / sum.1 / 1e9;
                let _ = writeln!(
                    o,
                    "| {}³ | sum of the passes of the fused loop (vs {:.3} ms/it in the solve) | {:.1} | {:.3} | {:.1} | {:.0} % | {:.0} % |",
                    c.n,
                    c.native.ms_per_it(),
                    sum.0 / 1e6,
                    1e3 * sum.1,
                    bw,
                    100.0 * bw / triad,
                    100.0 * bw / read
                );
            }
        }
    }

    // Solvers
    if r.cases.iter().any(|c| !c.petsc.is_empty()) {
        let _ = writeln!(
            o,
            "\nTime to ‖b−Ax‖/‖b‖ < 1e-8 (zero initial guess; same matrix and right-hand side for every solver; PETSc {}). \"native / this\" = native CG+Jacobi setup+solve over this solver's setup+solve; for PETSc CG+Jacobi it is the median (and range) of the solve-time ratios of the interleaved repetition pairs. Below 1: native faster.\n",
            r.petsc
        );
        o.push_str("| grid | solver | its | setup [s] | solve [s] (median) | setup+solve [s] | ms/it | native / this | ‖b−Ax‖/‖b‖ |\n");
        o.push_str(&sep(9));
        for c in &r.cases {
            let nat_total = c.native.setup_s + c.native.solve_median();
            for s in std::iter::once(&c.native).chain(&c.petsc) {
                let total = s.setup_s + s.solve_median();
                let ratio = if s.name.contains("PETSc CG+Jacobi")
                    && !c.native_over_petsc_jacobi.is_empty()
                {
                    format!(
                        "{:.2} (pairs {:.2}–{:.2})",
                        median(&c.native_over_petsc_jacobi),
                        min(&c.native_over_petsc_jacobi),
                        max(&c.native_over_petsc_jacobi)
                    )
                } else {
                    format!("{:.2}", nat_total / total)
                };
                let _ = writeln!(
                    o,
                    "| {}³ | {}{} | {} | {:.3} | {:.3} | {:.3} | {:.2} | {} | {:.1e} |",
                    c.n,
                    s.name,
                    if s.converged { "" } else { " (NOT converged)" },
                    s.iterations,
                    s.setup_s,
                    s.solve_median(),
                    total,
                    s.ms_per_it(),
                    ratio,
                    s.true_rel_res
                );
            }
        }
        let _ = writeln!(
            o,
            "\nPETSc matrix conversion (global columns + MatSetValues + assembly) [s]: {}",
            r.cases
                .iter()
                .map(|c| format!("{}³ {:.2}", c.n, c.petsc_matrix_s))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(o, "\nWhole run: {:.0} s.", r.wall_s);
    o
}

/// 1-vs-N-rank comparison of several runs (one per rank count).
pub fn render_scaling(runs: &[RunReport]) -> String {
    let mut o = String::new();
    let Some(base) = runs.iter().min_by_key(|r| r.ranks) else {
        return o;
    };
    o.push_str("| grid | ranks | assembly [s] | native solve [s] | native ms/it | native GB/s | of triad (same streams) | speed-up solve | PETSc CG+Jacobi solve [s] | speed-up |\n");
    o.push_str(&sep(10));
    for c0 in &base.cases {
        for r in runs {
            let Some(c) = r.cases.iter().find(|c| c.n == c0.n) else {
                continue;
            };
            let pj = |c: &CaseRow| {
                c.petsc
                    .iter()
                    .find(|s| s.name.contains("Jacobi"))
                    .map(|s| s.solve_median())
            };
            let (pj_c, pj_0) = (pj(c), pj(c0));
            let _ = writeln!(
                o,
                "| {}³ | {} | {:.2} | {:.3} | {:.2} | {:.1} | {:.0} % | {:.2} | {} | {} |",
                c.n,
                r.ranks,
                c.assembly_s,
                c.native.solve_median(),
                c.native.ms_per_it(),
                c.native_gbs(),
                100.0 * c.native_gbs() / r.triad(r.ranks),
                c0.native.solve_median() / c.native.solve_median(),
                pj_c.map_or("–".into(), |t| format!("{t:.3}")),
                match (pj_c, pj_0) {
                    (Some(t), Some(t0)) => format!("{:.2}", t0 / t),
                    _ => "–".into(),
                }
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ranks: usize, solve: f64) -> RunReport {
        let native = SolverRow {
            name: "native CG+Jacobi".into(),
            iterations: 10,
            converged: true,
            solve_s: vec![solve, solve * 1.1],
            ..Default::default()
        };
        RunReport {
            ranks,
            command: "poisson-bench".into(),
            stream: vec![StreamRow {
                phase: "start".into(),
                streams: ranks,
                how: "threads".into(),
                elems: 1000,
                triad_gbs: vec![10.0, 20.0],
                copy_gbs: vec![5.0],
                read_gbs: vec![12.0],
            }],
            cases: vec![CaseRow {
                n: 8,
                cells: 729,
                dofs: 1000,
                traffic: CgTraffic::fused(1000, 27000, 0),
                native,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn renders_tables_and_scaling() {
        let r1 = sample(1, 1.0);
        assert_eq!(r1.triad(1), 15.0);
        let md = render_run(&r1);
        assert!(md.contains("### 1 rank"), "{md}");
        assert!(md.contains("| 8³ | 10 |"), "{md}");
        let json = serde_json::to_string(&r1).unwrap();
        let back: RunReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back.cases[0].native.iterations, 10);
        let sc = render_scaling(&[r1, sample(2, 0.5)]);
        assert_eq!(sc.lines().count(), 4, "{sc}");
        assert!(sc.contains("| 8³ | 2 |"), "{sc}");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(2197000), "2,197,000");
    }
}
