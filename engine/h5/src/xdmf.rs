//! XDMF 3 time-series descriptions of HDF5 output, for ParaView/VisIt/meshio.
//!
//! The XML only points into the HDF5 file: the mesh (`geometry`: `f64` `[num_nodes, dim]`,
//! `topology`: `i64` `[num_cells, nodes_per_cell]`, 0-based node numbers) is written once and
//! every step references it again; field datasets are `f64`, `[num_nodes]` for scalars or
//! `[num_nodes, ncomp]` (`[num_cells, ...]` for cell-centred fields), conventionally at
//! [`crate::field_dataset_path`]. The XML is rewritten after every step with
//! [`XdmfSeries::write_atomic`], so a viewer never sees a half-written file.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::Path;

/// XDMF topology names and their fixed node counts (`None`: given by the caller).
const TOPOLOGIES: &[(&str, Option<usize>)] = &[
    ("Polyvertex", None),
    ("Polyline", None),
    ("Polygon", None),
    ("Triangle", Some(3)),
    ("Quadrilateral", Some(4)),
    ("Tetrahedron", Some(4)),
    ("Pyramid", Some(5)),
    ("Wedge", Some(6)),
    ("Hexahedron", Some(8)),
    ("Edge_3", Some(3)),
    ("Triangle_6", Some(6)),
    ("Quadrilateral_8", Some(8)),
    ("Quadrilateral_9", Some(9)),
    ("Tetrahedron_10", Some(10)),
    ("Pyramid_13", Some(13)),
    ("Wedge_15", Some(15)),
    ("Wedge_18", Some(18)),
    ("Hexahedron_20", Some(20)),
    ("Hexahedron_27", Some(27)),
];

/// The mesh part of a series: one cell type, stored in the HDF5 file `h5_file`.
#[derive(Debug, Clone, PartialEq)]
pub struct XdmfMesh {
    /// HDF5 file name relative to the directory of the `.xdmf` file (e.g. `"fields.h5"`).
    pub h5_file: String,
    /// XDMF topology type, e.g. `"Triangle"`, `"Tetrahedron_10"`, `"Polyline"`.
    pub topology_type: String,
    pub num_cells: u64,
    /// Nodes per cell; must match the topology type's count where that is fixed.
    pub nodes_per_cell: usize,
    pub num_nodes: u64,
    /// Geometry dataset path, e.g. `"/mesh/geometry"`.
    pub geometry_path: String,
    /// Topology dataset path, e.g. `"/mesh/topology"`.
    pub topology_path: String,
    /// 2 (`XY`) or 3 (`XYZ`); 1-D meshes must store padded 2-D coordinates.
    pub geometry_dim: usize,
}

/// Where a field lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Center {
    Node,
    Cell,
}

/// One field of a step.
#[derive(Debug, Clone, PartialEq)]
pub struct XdmfField {
    pub name: String,
    /// Dataset path inside the HDF5 file.
    pub dataset: String,
    /// Components per node/cell (1 scalar, 2-3 vector, 6 symmetric / 9 full tensor).
    pub ncomp: usize,
    pub center: Center,
}

/// A temporal collection of grids sharing one mesh.
#[derive(Debug, Clone, PartialEq)]
pub struct XdmfSeries {
    mesh: XdmfMesh,
    steps: Vec<(f64, Vec<XdmfField>)>,
}

/// Escape text for an XML attribute value or element text.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

impl XdmfSeries {
    /// Start a series on `mesh`; fails on an unknown topology or inconsistent sizes.
    pub fn new(mesh: XdmfMesh) -> Result<Self, String> {
        let Some(&(_, fixed)) = TOPOLOGIES.iter().find(|(n, _)| *n == mesh.topology_type) else {
            return Err(format!(
                "unknown XDMF topology type '{}'",
                mesh.topology_type
            ));
        };
        if fixed.is_some_and(|k| k != mesh.nodes_per_cell) || mesh.nodes_per_cell == 0 {
            return Err(format!(
                "topology '{}' cannot have {} nodes per cell",
                mesh.topology_type, mesh.nodes_per_cell
            ));
        }
        if !(2..=3).contains(&mesh.geometry_dim) {
            return Err(format!(
                "geometry dimension must be 2 or 3, not {}",
                mesh.geometry_dim
            ));
        }
        if mesh.h5_file.contains(':') {
            // The DataItem text is "file:path"; readers split on ':'.
            return Err(format!(
                "HDF5 file name '{}' must not contain ':'",
                mesh.h5_file
            ));
        }
        Ok(Self {
            mesh,
            steps: Vec::new(),
        })
    }

    /// The mesh description.
    pub fn mesh(&self) -> &XdmfMesh {
        &self.mesh
    }

    /// Number of steps added so far.
    pub fn num_steps(&self) -> usize {
        self.steps.len()
    }

    /// Add a step at `time` with node-centred fields `(name, dataset_path, ncomp)`.
    pub fn add_step(&mut self, time: f64, fields: &[(&str, &str, usize)]) {
        let fields = fields
            .iter()
            .map(|&(name, dataset, ncomp)| XdmfField {
                name: name.into(),
                dataset: dataset.into(),
                ncomp,
                center: Center::Node,
            })
            .collect();
        self.steps.push((time, fields));
    }

    /// Add a step at `time` with fields of any centring.
    pub fn add_step_fields(&mut self, time: f64, fields: Vec<XdmfField>) {
        self.steps.push((time, fields));
    }

    /// A `DataItem` pointing at an HDF5 dataset.
    fn data_item(&self, out: &mut String, indent: &str, dims: &str, number: &str, path: &str) {
        let _ = writeln!(
            out,
            "{indent}<DataItem Dimensions=\"{dims}\" NumberType=\"{number}\" Precision=\"8\" \
             Format=\"HDF\">{}:{}</DataItem>",
            esc(&self.mesh.h5_file),
            esc(path)
        );
    }

    /// The XDMF document.
    pub fn to_xml(&self) -> String {
        let m = &self.mesh;
        let mut o = String::new();
        o.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        o.push_str("<Xdmf Version=\"3.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n");
        o.push_str("  <Domain>\n");
        o.push_str(
            "    <Grid Name=\"TimeSeries\" GridType=\"Collection\" CollectionType=\"Temporal\">\n",
        );
        for (k, (time, fields)) in self.steps.iter().enumerate() {
            let _ = writeln!(o, "      <Grid Name=\"step_{k:06}\" GridType=\"Uniform\">");
            // `{:?}` prints the shortest representation that round-trips exactly.
            let _ = writeln!(o, "        <Time Value=\"{time:?}\"/>");
            let npe = if matches!(
                m.topology_type.as_str(),
                "Polyvertex" | "Polyline" | "Polygon"
            ) {
                format!(" NodesPerElement=\"{}\"", m.nodes_per_cell)
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "        <Topology TopologyType=\"{}\" NumberOfElements=\"{}\"{npe}>",
                m.topology_type, m.num_cells
            );
            let dims = format!("{} {}", m.num_cells, m.nodes_per_cell);
            self.data_item(&mut o, "          ", &dims, "Int", &m.topology_path);
            o.push_str("        </Topology>\n");
            let geo = if m.geometry_dim == 2 { "XY" } else { "XYZ" };
            let _ = writeln!(o, "        <Geometry GeometryType=\"{geo}\">");
            let dims = format!("{} {}", m.num_nodes, m.geometry_dim);
            self.data_item(&mut o, "          ", &dims, "Float", &m.geometry_path);
            o.push_str("        </Geometry>\n");
            for f in fields {
                let (center, count) = match f.center {
                    Center::Node => ("Node", m.num_nodes),
                    Center::Cell => ("Cell", m.num_cells),
                };
                let kind = match f.ncomp {
                    1 => "Scalar",
                    2 | 3 => "Vector",
                    6 => "Tensor6",
                    9 => "Tensor",
                    _ => "Matrix",
                };
                let _ = writeln!(
                    o,
                    "        <Attribute Name=\"{}\" AttributeType=\"{kind}\" Center=\"{center}\">",
                    esc(&f.name)
                );
                let dims = if f.ncomp == 1 {
                    count.to_string()
                } else {
                    format!("{count} {}", f.ncomp)
                };
                self.data_item(&mut o, "          ", &dims, "Float", &f.dataset);
                o.push_str("        </Attribute>\n");
            }
            o.push_str("      </Grid>\n");
        }
        o.push_str("    </Grid>\n  </Domain>\n</Xdmf>\n");
        o
    }

    /// Write the document to `path` atomically: a temporary file in the same directory is
    /// written and synced, then renamed over `path`.
    pub fn write_atomic(&self, path: &Path) -> io::Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "XDMF path has no file name")
        })?;
        let tmp = dir.join(format!(
            ".{}.tmp{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(self.to_xml().as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result?;
        // Persist the rename itself; not all platforms/filesystems allow syncing a directory.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mesh(top: &str, npc: usize) -> XdmfMesh {
        XdmfMesh {
            h5_file: "out.h5".into(),
            topology_type: top.into(),
            num_cells: 2,
            nodes_per_cell: npc,
            num_nodes: 4,
            geometry_path: "/mesh/geometry".into(),
            topology_path: "/mesh/topology".into(),
            geometry_dim: 2,
        }
    }

    #[test]
    fn validates_topology() {
        assert!(XdmfSeries::new(mesh("Triangle", 3)).is_ok());
        assert!(XdmfSeries::new(mesh("Triangle", 4)).is_err());
        assert!(XdmfSeries::new(mesh("Triangel", 3)).is_err());
        assert!(XdmfSeries::new(mesh("Polyline", 2)).is_ok());
        let mut m = mesh("Triangle", 3);
        m.geometry_dim = 1;
        assert!(XdmfSeries::new(m).is_err());
    }

    #[test]
    fn xml_shape() {
        let mut s = XdmfSeries::new(mesh("Polyline", 2)).unwrap();
        s.add_step(
            0.1,
            &[
                ("u<1>", "/fields/u/000000", 1),
                ("v", "/fields/v/000000", 2),
            ],
        );
        let x = s.to_xml();
        assert!(x.contains("NodesPerElement=\"2\""));
        assert!(x.contains("<Time Value=\"0.1\"/>"));
        assert!(x.contains("Name=\"u&lt;1&gt;\""));
        assert!(x.contains("Dimensions=\"4 2\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">out.h5:/fields/v/000000<"));
        assert!(x.contains("AttributeType=\"Vector\""));
    }
}
