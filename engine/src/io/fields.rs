//! Field output: one HDF5 file written collectively by all ranks plus an XDMF index that
//! ParaView opens as a time series, and `monitors.csv` of postprocessors (rank 0).

use crate::comm::Comm;
use crate::fem::assemble::Assembler;
use crate::solve::driver::{OutputSink, PostRow};
use galvana_h5::xdmf::{XdmfMesh, XdmfSeries};
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
        }
    }

    fn write_mesh(&mut self, comm: &Comm, asm: &Assembler) -> Result<(), String> {
        let sp = &asm.space;
        let file = H5File::create_parallel(&self.dir.join("fields.h5"), comm.world())
            .map_err(|e| e.to_string())?;
        let (topo, npc) = xdmf_topology(sp.mesh.cell_type, sp.dofmap.order)?;
        let nd_global = sp.dofmap.num_dofs as u64;
        let (dlo, dhi) = (sp.dof_lo(), sp.dof_hi());
        let g = file.group("mesh").map_err(|e| e.to_string())?;
        let geom: Vec<f64> = (dlo..dhi).flat_map(|d| sp.dofmap.dof_coords[d]).collect();
        let ds = g
            .create_dataset::<f64>("geometry", &[nd_global, 3])
            .map_err(|e| e.to_string())?;
        ds.write_rows(dlo as u64, &geom, 3)
            .map_err(|e| e.to_string())?;
        let orig: Vec<i64> = (dlo..dhi).map(|d| sp.original_dof[d] as i64).collect();
        let ds = g
            .create_dataset::<i64>("original_dof", &[nd_global])
            .map_err(|e| e.to_string())?;
        ds.write_rows(dlo as u64, &orig, 1)
            .map_err(|e| e.to_string())?;
        // Each cell is written by the rank that owns its first DOF.
        let mine: Vec<usize> = sp
            .local_cells
            .iter()
            .copied()
            .filter(|&c| {
                let f = sp.dofmap.cell(c)[0];
                f >= dlo && f < dhi
            })
            .collect();
        let counts = comm.all_gather_u64(mine.len() as u64);
        let offset: u64 = counts[..comm.rank()].iter().sum();
        let total: u64 = counts.iter().sum();
        let topo_data: Vec<i64> = mine
            .iter()
            .flat_map(|&c| sp.dofmap.cell(c).iter().map(|&d| d as i64))
            .collect();
        let ds = g
            .create_dataset::<i64>("topology", &[total, npc as u64])
            .map_err(|e| e.to_string())?;
        ds.write_rows(offset, &topo_data, npc as u64)
            .map_err(|e| e.to_string())?;
        let part: Vec<i64> = mine.iter().map(|&c| sp.cell_part[c] as i64).collect();
        let ds = g
            .create_dataset::<i64>("partition", &[total])
            .map_err(|e| e.to_string())?;
        ds.write_rows(offset, &part, 1).map_err(|e| e.to_string())?;
        let region: Vec<i64> = mine
            .iter()
            .map(|&c| sp.mesh.cell_region[c] as i64)
            .collect();
        let ds = g
            .create_dataset::<i64>("region", &[total])
            .map_err(|e| e.to_string())?;
        ds.write_rows(offset, &region, 1)
            .map_err(|e| e.to_string())?;
        file.flush().map_err(|e| e.to_string())?;
        self.xdmf = Some(XdmfSeries::new(XdmfMesh {
            h5_file: "fields.h5".into(),
            topology_type: topo.into(),
            num_cells: total,
            nodes_per_cell: npc,
            num_nodes: nd_global,
            geometry_path: "/mesh/geometry".into(),
            topology_path: "/mesh/topology".into(),
            geometry_dim: 3,
        })?);
        self.h5 = Some(file);
        Ok(())
    }
}

impl OutputSink for FieldWriter {
    fn begin(&mut self, comm: &Comm, asm: &Assembler, columns: &[String]) -> Result<(), String> {
        self.field_names = asm.kernel.field_names();
        if self.write_fields {
            self.write_mesh(comm, asm)?;
        }
        if comm.is_root() {
            let f = std::fs::File::create(self.dir.join("monitors.csv"))
                .map_err(|e| format!("{}: {e}", self.dir.join("monitors.csv").display()))?;
            let mut w = std::io::BufWriter::new(f);
            writeln!(w, "time_s,{}", columns.join(",")).map_err(|e| e.to_string())?;
            w.flush().map_err(|e| e.to_string())?;
            self.csv = Some(w);
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
        let nc = sp.ncomp;
        if let (Some(h5), Some(x)) = (self.h5.as_ref(), self.xdmf.as_mut()) {
            let n_owned_dofs = sp.dof_hi() - sp.dof_lo();
            let mut fields = Vec::new();
            for (c, name) in self.field_names.iter().enumerate() {
                let g = h5
                    .group(&format!("fields/{name}"))
                    .map_err(|e| e.to_string())?;
                let ds_name = format!("{:06}", self.out_index);
                let vals: Vec<f64> = (0..n_owned_dofs).map(|d| u[d * nc + c]).collect();
                let ds = g
                    .create_dataset::<f64>(&ds_name, &[sp.dofmap.num_dofs as u64])
                    .map_err(|e| e.to_string())?;
                ds.write_rows(sp.dof_lo() as u64, &vals, 1)
                    .map_err(|e| e.to_string())?;
                ds.set_attr_f64("time", row.time)
                    .map_err(|e| e.to_string())?;
                fields.push((name.clone(), format!("/fields/{name}/{ds_name}"), 1usize));
            }
            h5.flush().map_err(|e| e.to_string())?;
            let refs: Vec<(&str, &str, usize)> = fields
                .iter()
                .map(|(a, b, c)| (a.as_str(), b.as_str(), *c))
                .collect();
            x.add_step(row.time, &refs);
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
        Ok(())
    }
}
