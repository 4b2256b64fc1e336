//! Section-level parsing of MSH 4.1 files into raw tables (tags as in the file).

use super::cursor::{clip, Cursor};
use crate::cell::CellType;
use crate::mesh::MeshError;
use std::collections::HashMap;

/// One `$Elements` entity block of a supported linear type.
pub(super) struct ElementBlock {
    pub dim: usize,
    pub entity: i32,
    pub cell_type: CellType,
    /// Flat node tags, `cell_type.num_vertices()` per element.
    pub nodes: Vec<u64>,
}

/// Everything Galvana uses from an MSH file, before renumbering.
#[derive(Default)]
pub(super) struct RawMsh {
    /// (dim, physical tag) → name.
    pub physical_names: HashMap<(usize, i32), String>,
    /// (dim, entity tag) → physical tags, in file order.
    pub entity_physicals: HashMap<(usize, i32), Vec<i32>>,
    /// Node tags and coordinates in file order.
    pub node_tags: Vec<u64>,
    pub coords: Vec<[f64; 3]>,
    pub blocks: Vec<ElementBlock>,
}

/// Linear element types Galvana reads, by Gmsh element type number.
fn element_type(t: i32) -> Option<CellType> {
    Some(match t {
        1 => CellType::Line,
        2 => CellType::Triangle,
        3 => CellType::Quad,
        4 => CellType::Tetrahedron,
        5 => CellType::Hexahedron,
        15 => CellType::Point,
        _ => return None,
    })
}

/// Human name of an unsupported Gmsh element type, for error messages.
fn unsupported_name(t: i32) -> String {
    let name = match t {
        6 => "6-node prism",
        7 => "5-node pyramid",
        8 => "3-node second-order line",
        9 => "6-node second-order triangle",
        10 => "9-node second-order quadrangle",
        11 => "10-node second-order tetrahedron",
        12 => "27-node second-order hexahedron",
        13 => "18-node second-order prism",
        14 => "14-node second-order pyramid",
        16 => "8-node second-order quadrangle",
        17 => "20-node second-order hexahedron",
        18 => "15-node second-order prism",
        19 => "13-node second-order pyramid",
        20..=140 => "higher-order element",
        _ => "unknown element type",
    };
    format!("element type {t} ({name})")
}

/// Parse all sections of an MSH 4.1 file.
pub(super) fn parse(cur: &mut Cursor) -> Result<RawMsh, MeshError> {
    let mut raw = RawMsh::default();
    let mut seen_format = false;
    let mut seen_nodes = false;
    let mut seen_elements = false;
    while !cur.at_end() {
        let start = cur.pos();
        let header = cur.token("a section header")?;
        let Some(name) = header.strip_prefix('$') else {
            return Err(cur.err_at(
                start,
                format!(
                    "expected a section header such as $Nodes, found '{}'",
                    clip(header)
                ),
            ));
        };
        if !seen_format && name != "MeshFormat" {
            return Err(cur.err_at(
                start,
                "file does not start with $MeshFormat; not an MSH file?",
            ));
        }
        match name {
            "MeshFormat" if !seen_format => {
                mesh_format(cur)?;
                seen_format = true;
            }
            "PhysicalNames" => physical_names(cur, &mut raw)?,
            "Entities" => entities(cur, &mut raw)?,
            "PartitionedEntities" => return Err(cur.err_at(
                start,
                "partitioned MSH files ($PartitionedEntities) are not supported; save the mesh \
                     without partitions (Galvana partitions meshes itself)",
            )),
            "Nodes" if !seen_nodes => {
                nodes(cur, &mut raw)?;
                seen_nodes = true;
            }
            "Elements" if !seen_elements => {
                elements(cur, &mut raw)?;
                seen_elements = true;
            }
            "MeshFormat" | "Nodes" | "Elements" => {
                return Err(cur.err_at(start, format!("duplicate section ${name}")))
            }
            _ => cur.skip_section(name)?,
        }
    }
    if !seen_format {
        return Err(cur.err("empty file; not an MSH file"));
    }
    if !seen_nodes || !seen_elements {
        return Err(cur.err("file has no $Nodes or no $Elements section"));
    }
    Ok(raw)
}

fn mesh_format(cur: &mut Cursor) -> Result<(), MeshError> {
    let start = cur.pos();
    let version = cur.token("the MSH version")?;
    if version != "4.1" {
        return Err(cur.err_at(
            start,
            format!(
                "MSH version {} is not supported; save as MSH 4.1 (gmsh -format msh41)",
                clip(version)
            ),
        ));
    }
    let file_type: i32 = cur.ascii("the file type (0 ASCII, 1 binary)")?;
    let start = cur.pos();
    let data_size: usize = cur.ascii("the data size")?;
    if data_size != 4 && data_size != 8 {
        return Err(cur.err_at(
            start,
            format!("unsupported data size {data_size} (need 4 or 8)"),
        ));
    }
    cur.size_t = data_size;
    match file_type {
        0 => {}
        1 => {
            cur.end_of_line();
            let start = cur.pos();
            let one = cur.raw_i32_le()?;
            cur.big_endian = match one {
                1 => false,
                0x0100_0000 => true,
                _ => return Err(cur.err_at(start, format!("bad endianness check value {one}"))),
            };
            cur.binary = true;
        }
        t => return Err(cur.err(format!("unknown file type {t} (need 0 or 1)"))),
    }
    cur.expect_end("MeshFormat")
}

fn dimension(cur: &mut Cursor, what: &str) -> Result<usize, MeshError> {
    let start = cur.pos();
    let d = cur.int(what)?;
    match usize::try_from(d) {
        Ok(d) if d <= 3 => Ok(d),
        _ => Err(cur.err_at(start, format!("{what} {d} is not 0, 1, 2 or 3"))),
    }
}

fn physical_names(cur: &mut Cursor, raw: &mut RawMsh) -> Result<(), MeshError> {
    // Always text, even in binary files.
    let n: usize = cur.ascii("the number of physical names")?;
    for _ in 0..n {
        let start = cur.pos();
        let dim: usize = cur.ascii("a physical group dimension")?;
        if dim > 3 {
            return Err(cur.err_at(start, format!("physical group dimension {dim} is not 0..3")));
        }
        let start = cur.pos();
        let tag: i32 = cur.ascii("a physical tag")?;
        if tag <= 0 {
            return Err(cur.err_at(start, format!("physical tag {tag} is not positive")));
        }
        let name = cur.quoted("physical name")?;
        raw.physical_names.insert((dim, tag), name);
    }
    cur.expect_end("PhysicalNames")
}

fn entities(cur: &mut Cursor, raw: &mut RawMsh) -> Result<(), MeshError> {
    if cur.binary {
        cur.end_of_line();
    }
    let mut counts = [0usize; 4];
    for (d, c) in counts.iter_mut().enumerate() {
        *c = cur.count(&format!("number of dimension-{d} entities"))?;
    }
    for (dim, &n) in counts.iter().enumerate() {
        for _ in 0..n {
            let tag = cur.int("an entity tag")?;
            // Points store a position, other entities a bounding box.
            let doubles = if dim == 0 { 3 } else { 6 };
            for _ in 0..doubles {
                cur.double("an entity coordinate")?;
            }
            let np = cur.count("number of physical tags")?;
            let mut phys = Vec::with_capacity(np);
            for _ in 0..np {
                let start = cur.pos();
                let p = cur.int("a physical tag")?;
                if p <= 0 {
                    return Err(cur.err_at(start, format!("physical tag {p} is not positive")));
                }
                phys.push(p);
            }
            if dim > 0 {
                let nb = cur.count("number of bounding entities")?;
                for _ in 0..nb {
                    cur.int("a bounding entity tag")?;
                }
            }
            if !phys.is_empty() {
                raw.entity_physicals.insert((dim, tag), phys);
            }
        }
    }
    cur.expect_end("Entities")
}

fn nodes(cur: &mut Cursor, raw: &mut RawMsh) -> Result<(), MeshError> {
    if cur.binary {
        cur.end_of_line();
    }
    let blocks = cur.count("number of node blocks")?;
    let total = cur.count("number of nodes")?;
    cur.size("minimum node tag")?;
    cur.size("maximum node tag")?;
    raw.node_tags.reserve(total);
    raw.coords.reserve(total);
    for _ in 0..blocks {
        let dim = dimension(cur, "node block entity dimension")?;
        cur.int("node block entity tag")?;
        let start = cur.pos();
        let parametric = cur.int("parametric flag")?;
        if parametric != 0 && parametric != 1 {
            return Err(cur.err_at(start, format!("parametric flag {parametric} is not 0 or 1")));
        }
        let n = cur.count("number of nodes in block")?;
        for _ in 0..n {
            raw.node_tags.push(cur.size("a node tag")?);
        }
        // Parametric nodes carry u (curves), u v (surfaces) or u v w (volumes) after x y z.
        let extra = if parametric == 1 { dim } else { 0 };
        for _ in 0..n {
            let x = [
                cur.double("node x")?,
                cur.double("node y")?,
                cur.double("node z")?,
            ];
            for _ in 0..extra {
                cur.double("a parametric coordinate")?;
            }
            raw.coords.push(x);
        }
    }
    if raw.node_tags.len() != total {
        return Err(cur.err(format!(
            "$Nodes header announces {total} nodes but the blocks hold {}",
            raw.node_tags.len()
        )));
    }
    cur.expect_end("Nodes")
}

fn elements(cur: &mut Cursor, raw: &mut RawMsh) -> Result<(), MeshError> {
    if cur.binary {
        cur.end_of_line();
    }
    let blocks = cur.count("number of element blocks")?;
    let total = cur.count("number of elements")?;
    cur.size("minimum element tag")?;
    cur.size("maximum element tag")?;
    let mut read = 0usize;
    for _ in 0..blocks {
        let dim = dimension(cur, "element block entity dimension")?;
        let entity = cur.int("element block entity tag")?;
        let start = cur.pos();
        let t = cur.int("element type")?;
        let Some(cell_type) = element_type(t) else {
            return Err(cur.err_at(
                start,
                format!(
                    "{} is not supported: Galvana reads linear points, lines, triangles, \
                     quadrangles, tetrahedra and hexahedra only (mesh with Mesh.ElementOrder = 1 \
                     and without prisms or pyramids)",
                    unsupported_name(t)
                ),
            ));
        };
        if cell_type.dim() != dim {
            return Err(cur.err_at(
                start,
                format!("element type {t} does not have dimension {dim} of its block"),
            ));
        }
        let n = cur.count("number of elements in block")?;
        let nv = cell_type.num_vertices();
        let mut nodes = Vec::with_capacity(n.saturating_mul(nv).min(cur.remaining()));
        for _ in 0..n {
            cur.size("an element tag")?;
            for _ in 0..nv {
                nodes.push(cur.size("an element node tag")?);
            }
        }
        read += n;
        raw.blocks.push(ElementBlock {
            dim,
            entity,
            cell_type,
            nodes,
        });
    }
    if read != total {
        return Err(cur.err(format!(
            "$Elements header announces {total} elements but the blocks hold {read}"
        )));
    }
    cur.expect_end("Elements")
}
