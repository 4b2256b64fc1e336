//! Gmsh reader on small hand-written files and on generator meshes written out as MSH 4.1
//! (ASCII and binary, both endiannesses, both data sizes) by a minimal writer below.

mod meshcheck;

use galvana_mesh::generate::{box_mesh, interval, rectangle};
use galvana_mesh::gmsh::parse_msh;
use galvana_mesh::{CellType, Mesh, MeshError};

const NAMES: &str = "$PhysicalNames\n2\n1 5 \"inlet\"\n2 7 \"fluid\"\n$EndPhysicalNames\n";
const ENTITIES: &str = "$Entities\n0 2 1 0\n1 0 0 0 0 1 0 1 5 0\n2 1 0 0 1 1 0 1 9 0\n\
                        1 0 0 0 2 1 0 1 7 0\n$EndEntities\n";
/// Non-contiguous tags, a parametric block (one extra u per node on a curve), an unused node.
const NODES: &str = "$Nodes\n3 7 10 99\n2 1 0 4\n10\n20\n50\n40\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n\
                     1 2 1 2\n30\n60\n2 0 0 0.0\n2 1 0 1.0\n2 1 0 1\n99\n5 5 0\n$EndNodes\n";
const ELEMENTS: &str = "$Elements\n3 4 1 4\n2 1 3 2\n1 10 20 50 40\n2 20 30 60 50\n\
                        1 1 1 1\n3 10 40\n1 2 1 1\n4 20 50\n$EndElements\n";

fn small(names: &str, entities: &str, nodes: &str, elements: &str) -> String {
    format!(
        "$MeshFormat\n4.1 0 8\n$EndMeshFormat\n$Comments\nmade by hand\n$EndComments\n\
         {names}{entities}{nodes}{elements}$NodeData\n1\n\"T\"\n$EndNodeData\n"
    )
}

fn parse(text: &str) -> Result<Mesh, MeshError> {
    parse_msh(text.as_bytes(), "small.msh")
}

#[test]
fn small_ascii_file() {
    let m = parse(&small(NAMES, ENTITIES, NODES, ELEMENTS)).unwrap();
    assert_eq!((m.dim, m.cell_type), (2, CellType::Quad));
    // Node 99 is unused and dropped; the rest keep file order.
    let x = [
        [0., 0., 0.],
        [1., 0., 0.],
        [1., 1., 0.],
        [0., 1., 0.],
        [2., 0., 0.],
        [2., 1., 0.],
    ];
    assert_eq!(m.coords, x);
    assert_eq!(m.cells, [0, 1, 2, 3, 1, 4, 5, 2]);
    assert_eq!(m.cell_region, [7, 7]);
    assert_eq!(m.region_names.get(&7).map(String::as_str), Some("fluid"));
    // "inlet" was written 10 -> 40 and is turned to the outward 40 -> 10; the interior
    // unnamed group keeps the file's order.
    assert_eq!(m.boundaries["inlet"].facets, [3, 0]);
    assert_eq!(m.boundaries["boundary_9"].facets, [1, 2]);
    assert_eq!(m.boundaries.len(), 2);
}

#[test]
fn small_file_without_physical_groups() {
    let entities = ENTITIES
        .replace(" 1 5 0\n", " 0 0\n")
        .replace(" 1 9 0\n", " 0 0\n")
        .replace(" 1 7 0\n", " 0 0\n");
    let m = parse(&small("", &entities, NODES, ELEMENTS)).unwrap();
    assert_eq!(m.num_cells(), 2);
    assert_eq!(m.region_names.get(&0).map(String::as_str), Some("domain"));
    assert!(m.boundaries.is_empty());
    assert_eq!(m.num_vertices(), 6);
    // No $Entities at all behaves the same.
    assert_eq!(parse(&small("", "", NODES, ELEMENTS)).unwrap(), m);
}

fn parse_err(text: &str) -> (String, Option<usize>) {
    match parse(text).unwrap_err() {
        e @ MeshError::Parse { line, .. } => (e.to_string(), line),
        e => panic!("not a parse error: {e}"),
    }
}

#[test]
fn small_file_errors() {
    let ok = small(NAMES, ENTITIES, NODES, ELEMENTS);
    let (msg, _) = parse_err(&ok.replace("4.1 0 8", "2.2 0 8"));
    assert!(msg.contains("version 2.2"), "{msg}");

    let (msg, line) = parse_err(&ok.replace("2 1 3 2\n", "2 1 10 2\n"));
    assert!(
        msg.contains("element type 10") && msg.contains("second-order quadrangle"),
        "{msg}"
    );
    let expect = ok.lines().position(|l| l == "2 1 3 2").unwrap() + 1;
    assert_eq!(line, Some(expect), "{msg}");

    let (msg, _) = parse_err(&ok.replace("2 1 3 2\n", "2 1 7 2\n"));
    assert!(msg.contains("pyramid"), "{msg}");

    let mixed = "$Elements\n2 3 1 3\n2 1 3 1\n1 10 20 50 40\n2 1 2 2\n2 20 30 60\n3 20 60 50\n$EndElements\n";
    let (msg, _) = parse_err(&small(NAMES, ENTITIES, NODES, mixed));
    assert!(msg.contains("mixed volume cell types"), "{msg}");

    let (msg, _) = parse_err(&ok.replace("1 10 20 50 40", "1 10 20 50 41"));
    assert!(msg.contains("node tag 41"), "{msg}");

    let (msg, _) = parse_err(&ok.replace("\n99\n", "\n60\n"));
    assert!(msg.contains("duplicate node tag 60"), "{msg}");

    let (msg, _) = parse_err(&ok.replace("2 0 0 0.0", "2 0 0.5 0.0"));
    assert!(msg.contains("plane z = 0"), "{msg}");

    let (msg, _) = parse_err(&ok.replace(
        "$Entities",
        "$PartitionedEntities\n$EndPartitionedEntities\n$Entities",
    ));
    assert!(msg.contains("partitioned"), "{msg}");

    let (msg, line) = parse_err(&ok.replace("1 1 0\n0 1 0", "1 1 0\n0 x 0"));
    assert!(msg.contains("node y") && line.is_some(), "{msg}");

    let (msg, _) = parse_err(&ok.replace("1 2 1 2\n", "1 2 1 3\n"));
    assert!(!msg.is_empty());
    let names = "$PhysicalNames\n2\n1 5 \"inlet\"\n1 9 \"inlet\"\n$EndPhysicalNames\n";
    let (msg, _) = parse_err(&small(names, ENTITIES, NODES, ELEMENTS));
    assert!(msg.contains("both named 'inlet'"), "{msg}");

    let (msg, _) = parse_err("");
    assert!(msg.contains("empty"), "{msg}");
}

/// Minimal MSH 4.1 writer for tests: one entity per region and per boundary.
struct Writer {
    out: Vec<u8>,
    binary: bool,
    big_endian: bool,
    size_t: usize,
}

impl Writer {
    fn text(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }
    fn sep(&mut self) {
        if !self.binary {
            self.out.push(b' ');
        }
    }
    fn int(&mut self, v: i32) {
        if self.binary {
            let b = if self.big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            };
            self.out.extend_from_slice(&b);
        } else {
            self.text(&v.to_string());
        }
        self.sep();
    }
    fn size(&mut self, v: u64) {
        match (self.binary, self.size_t, self.big_endian) {
            (false, _, _) => self.text(&v.to_string()),
            (true, 4, false) => self.out.extend_from_slice(&(v as u32).to_le_bytes()),
            (true, 4, true) => self.out.extend_from_slice(&(v as u32).to_be_bytes()),
            (true, _, false) => self.out.extend_from_slice(&v.to_le_bytes()),
            (true, _, true) => self.out.extend_from_slice(&v.to_be_bytes()),
        }
        self.sep();
    }
    fn double(&mut self, v: f64) {
        if self.binary {
            let b = if self.big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            };
            self.out.extend_from_slice(&b);
        } else {
            self.text(&format!("{v:e}"));
        }
        self.sep();
    }
    fn newline(&mut self) {
        if !self.binary {
            self.out.push(b'\n');
        }
    }
}

fn gmsh_type(t: CellType) -> i32 {
    match t {
        CellType::Point => 15,
        CellType::Line => 1,
        CellType::Triangle => 2,
        CellType::Quad => 3,
        CellType::Tetrahedron => 4,
        CellType::Hexahedron => 5,
    }
}

/// Write `mesh` with node tags 3i + 7 (sparse), region tag id + 1, boundary k tag k + 1.
fn write_msh(mesh: &Mesh, binary: bool, big_endian: bool, size_t: usize) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::new(),
        binary,
        big_endian,
        size_t,
    };
    let tag = |v: usize| 3 * v as u64 + 7;
    let bnd: Vec<(&String, _)> = mesh.boundaries.iter().collect();
    w.text(&format!("$MeshFormat\n4.1 {} {size_t}\n", binary as i32));
    if binary {
        w.int(1);
        w.text("\n");
    }
    w.text("$EndMeshFormat\n$PhysicalNames\n");
    w.text(&format!("{}\n{} 1 \"domain\"\n", bnd.len() + 1, mesh.dim));
    for (k, (name, b)) in bnd.iter().enumerate() {
        w.text(&format!(
            "{} {} \"{name}\"\n",
            b.facet_type.unwrap().dim(),
            k + 1
        ));
    }
    w.text("$EndPhysicalNames\n$Entities\n");
    let mut counts = [0u64; 4];
    counts[mesh.dim] += 1;
    for (_, b) in &bnd {
        counts[b.facet_type.unwrap().dim()] += 1;
    }
    counts.iter().for_each(|&c| w.size(c));
    w.newline();
    let mut entities: Vec<(usize, i32, i32)> = vec![(mesh.dim, 1, 1)];
    for (k, (_, b)) in bnd.iter().enumerate() {
        entities.push((b.facet_type.unwrap().dim(), k as i32 + 2, k as i32 + 1));
    }
    entities.sort_by_key(|e| e.0);
    for &(dim, etag, ptag) in &entities {
        w.int(etag);
        (0..if dim == 0 { 3 } else { 6 }).for_each(|_| w.double(0.0));
        w.size(1);
        w.int(ptag);
        if dim > 0 {
            w.size(0);
        }
        w.newline();
    }
    w.text("\n$EndEntities\n$Nodes\n");
    let n = mesh.num_vertices() as u64;
    [1, n, tag(0), tag(n as usize - 1)]
        .iter()
        .for_each(|&v| w.size(v));
    w.newline();
    w.int(mesh.dim as i32);
    w.int(1);
    w.int(0);
    w.size(n);
    w.newline();
    (0..mesh.num_vertices()).for_each(|v| w.size(tag(v)));
    w.newline();
    for x in &mesh.coords {
        x.iter().for_each(|&c| w.double(c));
        w.newline();
    }
    w.text("\n$EndNodes\n$Elements\n");
    let total = mesh.num_cells() + bnd.iter().map(|(_, b)| b.len()).sum::<usize>();
    [bnd.len() as u64 + 1, total as u64, 1, total as u64]
        .iter()
        .for_each(|&v| w.size(v));
    w.newline();
    let mut blocks: Vec<(usize, i32, CellType, &[usize])> =
        vec![(mesh.dim, 1, mesh.cell_type, &mesh.cells)];
    for (k, (_, b)) in bnd.iter().enumerate() {
        let t = b.facet_type.unwrap();
        blocks.push((t.dim(), k as i32 + 2, t, &b.facets));
    }
    let mut element = 1;
    for (dim, etag, t, conn) in blocks {
        w.int(dim as i32);
        w.int(etag);
        w.int(gmsh_type(t));
        w.size((conn.len() / t.num_vertices()) as u64);
        w.newline();
        for e in conn.chunks(t.num_vertices()) {
            w.size(element);
            element += 1;
            e.iter().for_each(|&v| w.size(tag(v)));
            w.newline();
        }
    }
    w.text("\n$EndElements\n");
    w.out
}

#[test]
fn generator_meshes_round_trip_in_all_encodings() {
    let meshes = [
        interval(5, 0.0, 2.0).unwrap(),
        rectangle(4, 3, [0.0, 1.0], [0.0, 2.0], false).unwrap(),
        rectangle(4, 3, [0.0, 1.0], [0.0, 2.0], true).unwrap(),
        box_mesh(3, 2, 2, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], false).unwrap(),
        box_mesh(8, 8, 8, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], true).unwrap(),
    ];
    for original in meshes {
        // Physical tags are positive, so the single region comes back with id 1.
        let mut expect = original.clone();
        expect.cell_region.iter_mut().for_each(|r| *r = 1);
        expect.region_names = [(1, "domain".to_string())].into();
        for (binary, big_endian, size_t) in [
            (false, false, 8),
            (true, false, 8),
            (true, true, 8),
            (true, false, 4),
            (true, true, 4),
        ] {
            let bytes = write_msh(&original, binary, big_endian, size_t);
            let m = parse_msh(&bytes, "written.msh").unwrap_or_else(|e| {
                panic!(
                    "{:?} binary={binary} be={big_endian}: {e}",
                    original.cell_type
                )
            });
            assert_eq!(
                m, expect,
                "{:?} binary={binary} be={big_endian} size_t={size_t}",
                original.cell_type
            );
        }
    }
}
