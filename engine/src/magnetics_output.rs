//! Output files of Biot–Savart runs: one CSV per target and `field_map.h5` + `.xdmf` with the
//! plane grids and mesh targets (B as a node vector, so ParaView shows it on the grid or mesh).

use crate::cli::write_atomic;
use galvana_physics::magnetics::deck::Topology;
use galvana_physics::magnetics::{Field, Points};
use std::fmt::Write as _;
use std::path::Path;

/// CSV text x,y,z,Bx,By,Bz,B (full precision, round-trips).
pub fn csv(points: &Points, b: &Field) -> String {
    let mut s = String::with_capacity(100 * points.len() + 20);
    s.push_str("x,y,z,Bx,By,Bz,B\n");
    for i in 0..points.len() {
        let p = points.get(i);
        let v = b.get(i);
        let _ = writeln!(
            s,
            "{:e},{:e},{:e},{:e},{:e},{:e},{:e}",
            p[0],
            p[1],
            p[2],
            v[0],
            v[1],
            v[2],
            b.magnitude(i)
        );
    }
    s
}

/// How a target's points are connected in the field map.
pub enum Grid<'a> {
    /// A plane target: n_u × n_v structured grid.
    Plane(usize, usize),
    /// A mesh target: its cells over the target's points.
    Mesh(&'a Topology),
}

/// One target in the field map.
pub struct MapEntry<'a> {
    pub name: String,
    pub grid: Grid<'a>,
    pub points: &'a Points,
    pub field: Field,
}

/// All entries in one HDF5 file (`/<name>/xyz`, `/<name>/B`, `/<name>/B_magnitude`, rows in
/// CSV order; `/<name>/topology` for meshes) and an XDMF index that opens planes as 2DSMesh
/// grids and meshes as unstructured grids in ParaView.
pub fn write_field_map(dir: &Path, entries: &[MapEntry]) -> Result<(), String> {
    let h5 = dir.join("field_map.h5");
    let tmp = dir.join("field_map.h5.tmp");
    let e = |e: galvana_h5::H5Error| e.to_string();
    let f = galvana_h5::File::create(&tmp).map_err(e)?;
    let mut grids = String::new();
    for m in entries {
        let (name, p, b) = (&m.name, m.points, &m.field);
        let n = p.len() as u64;
        let mut xyz = Vec::with_capacity(3 * p.len());
        let mut bv = Vec::with_capacity(3 * p.len());
        let mut bm = Vec::with_capacity(p.len());
        for i in 0..p.len() {
            xyz.extend_from_slice(&p.get(i));
            bv.extend_from_slice(&b.get(i));
            bm.push(b.magnitude(i));
        }
        f.create_dataset::<f64>(&format!("{name}/xyz"), &[n, 3])
            .and_then(|d| d.write_rows(0, &xyz, 3))
            .map_err(e)?;
        f.create_dataset::<f64>(&format!("{name}/B"), &[n, 3])
            .and_then(|d| d.write_rows(0, &bv, 3))
            .map_err(e)?;
        f.create_dataset::<f64>(&format!("{name}/B_magnitude"), &[n])
            .and_then(|d| d.write_rows(0, &bm, 1))
            .map_err(e)?;
        let item = |path: &str, dims: String, ty: &str| {
            format!(
                "<DataItem Dimensions=\"{dims}\" NumberType=\"{ty}\" Precision=\"8\" Format=\"HDF\">field_map.h5:/{name}/{path}</DataItem>"
            )
        };
        let topology = match &m.grid {
            Grid::Plane(nu, nv) => {
                format!("<Topology TopologyType=\"2DSMesh\" Dimensions=\"{nu} {nv}\"/>")
            }
            Grid::Mesh(t) => {
                let npc = t.nodes_per_cell as u64;
                let nc = t.cells.len() as u64 / npc.max(1);
                let conn: Vec<i64> = t.cells.iter().map(|&c| c as i64).collect();
                f.create_dataset::<i64>(&format!("{name}/topology"), &[nc, npc])
                    .and_then(|d| d.write_rows(0, &conn, npc))
                    .map_err(e)?;
                // Polyvertex and Polyline cells need their node count spelled out.
                let npe = if matches!(t.topology_type.as_str(), "Polyvertex" | "Polyline") {
                    format!(" NodesPerElement=\"{npc}\"")
                } else {
                    String::new()
                };
                format!(
                    "<Topology TopologyType=\"{}\" NumberOfElements=\"{nc}\"{npe}>{}</Topology>",
                    t.topology_type,
                    item("topology", format!("{nc} {npc}"), "Int")
                )
            }
        };
        let _ = write!(
            grids,
            "    <Grid Name=\"{name}\" GridType=\"Uniform\">\n      {topology}\n      <Geometry GeometryType=\"XYZ\">{}</Geometry>\n      <Attribute Name=\"B\" AttributeType=\"Vector\" Center=\"Node\">{}</Attribute>\n      <Attribute Name=\"B_magnitude\" AttributeType=\"Scalar\" Center=\"Node\">{}</Attribute>\n    </Grid>\n",
            item("xyz", format!("{n} 3"), "Float"),
            item("B", format!("{n} 3"), "Float"),
            item("B_magnitude", format!("{n}"), "Float"),
        );
    }
    f.close().map_err(e)?;
    crate::meshless::persist(&tmp, &h5).map_err(|e| e.to_string())?;
    let xml = format!(
        "<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n  <Domain>\n  <Grid Name=\"field_map\" GridType=\"Collection\" CollectionType=\"Spatial\">\n{grids}  </Grid>\n  </Domain>\n</Xdmf>\n"
    );
    write_atomic(&dir.join("field_map.xdmf"), xml.as_bytes()).map_err(|e| e.to_string())
}
