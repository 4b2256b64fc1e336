//! Field output: one HDF5 file written collectively by all ranks plus an XDMF index that
//! ParaView opens as a time series, and `monitors.csv` of postprocessors (rank 0).

use crate::comm::Comm;
use crate::fem::assemble::Assembler;
use crate::solve::driver::{OutputSink, PostRow};
use galvana_h5::xdmf::{Center, XdmfField, XdmfMesh, XdmfSeries};
use galvana_h5::File as H5File;
use galvana_mesh::CellType;
use std::io::Write;
use std::path::{Path, PathBuf};

/// XDMF topology name and nodes per cell of the output cells.
pub fn xdmf_topology(cell: CellType, order: usize) -> Result<(&'static str, usize), String> {
    Ok(match (cell, order) {
        (CellType::Line, 1) => ("Polyline", 2),
        (CellType::Line, 2) => ("Edge_3", 3),
        (CellType::Triangle, 1) => ("Triangle", 3),
        (CellType::Triangle, 2) => ("Triangle_6", 6),
        (CellType::Quad, 1) => ("Quadrilateral", 4),
        (CellType::Quad, 2) => ("Quadrilateral_9", 9),
        (CellType::Tetrahedron, 1) => ("Tetrahedron", 4),
        (CellType::Tetrahedron, 2) => ("Tetrahedron_10", 10),
        (CellType::Hexahedron, 1) => ("Hexahedron", 8),
        (CellType::Hexahedron, 2) => ("Hexahedron_27", 27),
        _ => {
            return Err(format!(
                "no XDMF topology for {} of order {order}",
                cell.name()
            ))
        }
    })
}

/// Writes `fields.h5` + `fields.xdmf` and `monitors.csv` into an output directory.
pub struct FieldWriter {
    dir: PathBuf,
    write_fields: bool,
    h5: Option<H5File>,
    xdmf: Option<XdmfSeries>,
    csv: Option<std::io::BufWriter<std::fs::File>>,
    field_names: Vec<String>,
    out_index: usize,
    times: Vec<f64>,
    resume: Option<ResumeInfo>,
    /// Write `monitors.csv` (`[output] monitors`).
    pub monitors: bool,
}

impl FieldWriter {
    pub fn new(dir: &Path, write_fields: bool) -> Self {
        Self {
            dir: dir.to_path_buf(),
            write_fields,
            h5: None,
            xdmf: None,
            csv: None,
            field_names: vec![],
            out_index: 0,
            times: vec![],
            resume: None,
            monitors: true,
        }
    }

    fn write_mesh(&mut self, comm: &Comm, asm: &Assembler) -> Result<(), String> {
        let sp = &asm.space;
        let e = |e: galvana_h5::H5Error| e.to_string();
        let path = self.dir.join("fields.h5");
        // On a restart the series continues in the existing file (natural ordering makes it
        // valid for any rank count); otherwise a new file.
        let reuse = self.resume.is_some() && path.exists();
        let file = if reuse {
            H5File::open_parallel(&path, comm.world(), true).map_err(e)?
        } else {
            H5File::create_parallel(&path, comm.world()).map_err(e)?
        };
        let (topo, npc) = xdmf_topology(sp.mesh.cell_type, sp.dofmap.order)?;
        let nd = sp.dofmap.num_dofs;
        let ncells = sp.mesh.num_cells();
        let (size, rank) = (comm.size(), comm.rank());
        if !reuse {
            let g = file.group("mesh").map_err(e)?;
            let (lo, hi) = sp.natural_block(size, rank);
            let new_of_nat = sp.new_of_natural();
            let geom: Vec<f64> = (lo..hi)
                .flat_map(|i| sp.dofmap.dof_coords[new_of_nat[i]])
                .collect();
            g.create_dataset::<f64>("geometry", &[nd as u64, 3])
                .map_err(e)?
                .write_rows(lo as u64, &geom, 3)
                .map_err(e)?;
            let ids: Vec<i64> = (lo..hi).map(|i| i as i64).collect();
            g.create_dataset::<i64>("original_dof", &[nd as u64])
                .map_err(e)?
                .write_rows(lo as u64, &ids, 1)
                .map_err(e)?;
            // Cells in global order, an even block per rank; connectivity in natural DOF ids.
            let (clo, chi) = (rank * ncells / size, (rank + 1) * ncells / size);
            let topo_data: Vec<i64> = (clo..chi)
                .flat_map(|c| sp.dofmap.cell(c).iter().map(|&d| sp.original_dof[d] as i64))
                .collect();
            g.create_dataset::<i64>("topology", &[ncells as u64, npc as u64])
                .map_err(e)?
                .write_rows(clo as u64, &topo_data, npc as u64)
                .map_err(e)?;
            let part: Vec<i64> = (clo..chi).map(|c| sp.cell_part[c] as i64).collect();
            g.create_dataset::<i64>("partition", &[ncells as u64])
                .map_err(e)?
                .write_rows(clo as u64, &part, 1)
                .map_err(e)?;
            let region: Vec<i64> = (clo..chi).map(|c| sp.mesh.cell_region[c] as i64).collect();
            g.create_dataset::<i64>("region", &[ncells as u64])
                .map_err(e)?
                .write_rows(clo as u64, &region, 1)
                .map_err(e)?;
            file.flush().map_err(e)?;
        }
        let mut series = XdmfSeries::new(XdmfMesh {
            h5_file: "fields.h5".into(),
            topology_type: topo.into(),
            num_cells: ncells as u64,
            nodes_per_cell: npc,
            num_nodes: nd as u64,
            geometry_path: "/mesh/geometry".into(),
            topology_path: "/mesh/topology".into(),
            geometry_dim: 3,
        })?;
        if let Some(r) = self.resume.as_ref().filter(|_| reuse) {
            for (k, t) in r.output_times.iter().enumerate() {
                let fields: Vec<(String, String)> = self
                    .field_names
                    .iter()
                    .map(|n| (n.clone(), format!("/fields/{n}/{k:06}")))
                    .collect();
                let refs: Vec<(&str, &str, usize)> = fields
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str(), 1))
                    .collect();
                series.add_step(*t, &refs);
            }
        }
        self.xdmf = Some(series);
        self.h5 = Some(file);
        Ok(())
    }
}

/// Where a restarted run continues its output.
#[derive(Clone, Debug, Default)]
pub struct ResumeInfo {
    /// Times already in the series (their datasets are kept); the next output gets this index.
    pub output_times: Vec<f64>,
}

impl FieldWriter {
    /// Continue the output series of an earlier run in `dir` after `resume.output_times`.
    pub fn resume(dir: &Path, write_fields: bool, resume: ResumeInfo) -> Self {
        let mut w = Self::new(dir, write_fields);
        w.out_index = resume.output_times.len();
        w.resume = Some(resume);
        w
    }
}

impl OutputSink for FieldWriter {
    fn output_times(&self) -> Vec<f64> {
        self.times.clone()
    }

    fn begin(&mut self, comm: &Comm, asm: &Assembler, columns: &[String]) -> Result<(), String> {
        self.field_names = asm.kernel.field_names();
        if self.write_fields {
            self.write_mesh(comm, asm)?;
        }
        if let Some(r) = &self.resume {
            self.times = r.output_times.clone();
        }
        if comm.is_root() && self.monitors {
            let path = self.dir.join("monitors.csv");
            let mut text = format!("time_s,{}\n", columns.join(","));
            // A restart keeps the rows up to the checkpoint and drops any written after it.
            if let (Some(r), Ok(old)) = (&self.resume, std::fs::read_to_string(&path)) {
                for line in old.lines().skip(1).take(r.output_times.len()) {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            crate::cli::write_atomic(&path, text.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            self.csv = Some(std::io::BufWriter::new(f));
        }
        Ok(())
    }

    fn write(
        &mut self,
        comm: &Comm,
        asm: &Assembler,
        u: &[f64],
        _step: u64,
        row: &PostRow,
    ) -> Result<(), String> {
        let sp = &asm.space;
        if let (Some(h5), Some(x)) = (self.h5.as_ref(), self.xdmf.as_mut()) {
            let (lo, _) = sp.natural_block(comm.size(), comm.rank());
            let mut fields = Vec::new();
            for (c, name) in self.field_names.iter().enumerate() {
                let g = h5
                    .group(&format!("fields/{name}"))
                    .map_err(|e| e.to_string())?;
                let ds_name = format!("{:06}", self.out_index);
                let vals = sp.to_natural(comm, u, c);
                // A restarted run overwrites datasets an interrupted run wrote past its checkpoint.
                let ds = if g.exists(&ds_name).map_err(|e| e.to_string())? {
                    g.open_dataset(&ds_name)
                } else {
                    g.create_dataset::<f64>(&ds_name, &[sp.dofmap.num_dofs as u64])
                }
                .map_err(|e| e.to_string())?;
                ds.write_rows(lo as u64, &vals, 1)
                    .map_err(|e| e.to_string())?;
                ds.set_attr_f64("time", row.time)
                    .map_err(|e| e.to_string())?;
                fields.push((name.clone(), format!("/fields/{name}/{ds_name}"), 1usize));
            }
            let mut xfields: Vec<XdmfField> = fields
                .iter()
                .map(|(n, d, c)| XdmfField {
                    name: n.clone(),
                    dataset: d.clone(),
                    ncomp: *c,
                    center: Center::Node,
                })
                .collect();
            xfields.extend(write_cell_fields(
                comm,
                asm,
                u,
                row.time,
                h5,
                self.out_index,
            )?);
            h5.flush().map_err(|e| e.to_string())?;
            x.add_step_fields(row.time, xfields);
            if comm.is_root() {
                x.write_atomic(&self.dir.join("fields.xdmf"))
                    .map_err(|e| e.to_string())?;
            }
        }
        if let Some(w) = self.csv.as_mut() {
            let vals: Vec<String> = row.values.iter().map(|v| format!("{v:.12e}")).collect();
            writeln!(w, "{:.12e},{}", row.time, vals.join(",")).map_err(|e| e.to_string())?;
            w.flush().map_err(|e| e.to_string())?;
        }
        self.out_index += 1;
        self.times.push(row.time);
        Ok(())
    }
}

/// Writes the kernel's derived cell fields (e.g. B) of one output as `/cell_fields/<name>/<k>`,
/// cells in global order, an even block per rank.
fn write_cell_fields(
    comm: &Comm,
    asm: &Assembler,
    u: &[f64],
    time: f64,
    h5: &H5File,
    index: usize,
) -> Result<Vec<XdmfField>, String> {
    let specs = asm.kernel.cell_fields();
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let all = crate::fem::postprocess::cell_averages(comm, asm, u, time);
    let ncells = asm.space.mesh.num_cells();
    let ncf: usize = specs.iter().map(|s| s.1).sum();
    let (clo, chi) = (
        comm.rank() * ncells / comm.size(),
        (comm.rank() + 1) * ncells / comm.size(),
    );
    let mut out = Vec::new();
    let mut off = 0;
    for (name, k) in specs {
        let g = h5
            .group(&format!("cell_fields/{name}"))
            .map_err(|e| e.to_string())?;
        let ds_name = format!("{index:06}");
        let ds = if g.exists(&ds_name).map_err(|e| e.to_string())? {
            g.open_dataset(&ds_name)
        } else if k == 1 {
            g.create_dataset::<f64>(&ds_name, &[ncells as u64])
        } else {
            g.create_dataset::<f64>(&ds_name, &[ncells as u64, k as u64])
        }
        .map_err(|e| e.to_string())?;
        let block: Vec<f64> = (clo..chi)
            .flat_map(|c| all[c * ncf + off..c * ncf + off + k].to_vec())
            .collect();
        ds.write_rows(clo as u64, &block, k as u64)
            .map_err(|e| e.to_string())?;
        ds.set_attr_f64("time", time).map_err(|e| e.to_string())?;
        out.push(XdmfField {
            dataset: format!("/cell_fields/{name}/{ds_name}"),
            name,
            ncomp: k,
            center: Center::Cell,
        });
        off += k;
    }
    Ok(out)
}
