//! Gmsh MSH 4.1 reader: real meshes made with Gmsh, small hand-written files, and robustness.

mod meshcheck;

use galvana_mesh::gmsh::read_msh;
use galvana_mesh::{CellType, Mesh, MeshError};
use meshcheck::*;
use std::path::PathBuf;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../input-decks/examples/meshes")
        .join(name)
}

/// Count elements of a Gmsh type in an ASCII file by walking `$Elements` block headers; an
/// independent check on the reader.
fn count_ascii_elements(text: &str, gmsh_type: usize) -> usize {
    let mut lines = text.lines().skip_while(|l| l.trim() != "$Elements").skip(1);
    let header: Vec<usize> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    let mut count = 0;
    for _ in 0..header[0] {
        let b: Vec<usize> = lines
            .next()
            .unwrap()
            .split_whitespace()
            .map(|t| t.parse().unwrap())
            .collect();
        if b[2] == gmsh_type {
            count += b[3];
        }
        for _ in 0..b[3] {
            lines.next();
        }
    }
    count
}

fn region_measure(mesh: &Mesh, region: &str) -> f64 {
    let id = mesh.region_id(region).unwrap();
    (0..mesh.num_cells())
        .filter(|&c| mesh.cell_region[c] == id)
        .map(|c| cell_measure(mesh, c))
        .sum()
}

#[test]
fn heat_sink_ascii_and_binary_agree() {
    let a = read_msh(&example("heat_sink.msh")).unwrap();
    let b = read_msh(&example("heat_sink_binary.msh")).unwrap();
    assert_eq!(a, b);
}

#[test]
fn heat_sink_regions_and_boundaries() {
    let path = example("heat_sink.msh");
    let m = read_msh(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    m.validate().unwrap();
    assert_eq!((m.dim, m.cell_type), (3, CellType::Tetrahedron));
    assert_eq!(m.num_cells(), count_ascii_elements(&text, 4));
    assert!(
        m.num_cells() > 500 && m.num_cells() < 5000,
        "{}",
        m.num_cells()
    );
    let names: Vec<(u32, &str)> = m
        .region_names
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    assert_eq!(names, [(1, "base"), (2, "fin")]);

    // Flat-sided geometry: volumes are exact up to rounding, and every tet is positive.
    let (base, fins) = (0.040 * 0.030 * 0.005, 2.0 * 0.004 * 0.030 * 0.020);
    assert_close(total_measure(&m), base + fins, 1e-10, "total volume");
    assert_close(region_measure(&m, "base"), base, 1e-10, "base volume");
    assert_close(region_measure(&m, "fin"), fins, 1e-10, "fin volume");
    check_conforming(&m);

    let mut bnames: Vec<&str> = m.boundary_names().collect();
    bnames.sort();
    assert_eq!(
        bnames,
        ["bottom", "corner", "fin_edge", "fin_tips", "interface"]
    );
    assert_eq!(m.boundaries["bottom"].len(), count_bottom(&m));
    assert_close(
        boundary_measure(&m, "bottom"),
        0.040 * 0.030,
        1e-10,
        "bottom area",
    );
    assert_close(
        boundary_measure(&m, "fin_tips"),
        2.0 * 0.004 * 0.030,
        1e-10,
        "tips area",
    );
    assert_close(
        boundary_measure(&m, "interface"),
        2.0 * 0.004 * 0.030,
        1e-10,
        "interface",
    );
    assert_close(
        boundary_measure(&m, "fin_edge"),
        0.030,
        1e-10,
        "fin edge length",
    );
    assert_eq!(m.boundaries["fin_edge"].facet_type, Some(CellType::Line));
    let corner = &m.boundaries["corner"];
    assert_eq!(
        (corner.facet_type, corner.len()),
        (Some(CellType::Point), 1)
    );
    assert_eq!(m.coords[corner.facets[0]], [0.0, 0.0, 0.0]);

    // Outer boundary facets face outward; interface facets are shared by a base and a fin cell.
    for (name, dir) in [("bottom", [0.0, 0.0, -1.0]), ("fin_tips", [0.0, 0.0, 1.0])] {
        for f in m.boundaries[name].iter() {
            assert!(
                dot(facet_normal(&m.coords, CellType::Triangle, f), dir) > 0.0,
                "{name}"
            );
        }
    }
    let map = facet_map(&m);
    let (base_id, fin_id) = (m.region_id("base").unwrap(), m.region_id("fin").unwrap());
    for f in m.boundaries["interface"].iter() {
        let owners = &map[&sorted(f)];
        let mut regions: Vec<u32> = owners.iter().map(|(c, _)| m.cell_region[*c]).collect();
        regions.sort();
        assert_eq!(regions, [base_id, fin_id]);
    }
    // Every facet of the fin edge curve lies on the line x = 0.008, z = 0.025.
    for f in m.boundaries["fin_edge"].iter() {
        for &v in f {
            assert_close(m.coords[v][0], 0.008, 1e-12, "edge x");
            assert_close(m.coords[v][2], 0.025, 1e-12, "edge z");
        }
    }
}

/// Number of exterior cell facets lying in z = 0, counted from the cells alone.
fn count_bottom(m: &Mesh) -> usize {
    facet_map(m)
        .values()
        .filter(|o| o.len() == 1 && o[0].1.iter().all(|&v| m.coords[v][2] == 0.0))
        .count()
}

#[test]
fn plate_hole_2d() {
    let m = read_msh(&example("plate_hole.msh")).unwrap();
    m.validate().unwrap();
    assert_eq!((m.dim, m.cell_type), (2, CellType::Triangle));
    let text = std::fs::read_to_string(example("plate_hole.msh")).unwrap();
    assert_eq!(m.num_cells(), count_ascii_elements(&text, 2));
    assert_eq!(m.region_names.get(&1).map(String::as_str), Some("plate"));
    assert!(m.coords.iter().all(|x| x[2] == 0.0));
    let r = 0.01;
    let area = 0.1 * 0.05 - std::f64::consts::PI * r * r;
    // The polygonal hole is inscribed in the circle, so the mesh area is slightly larger.
    let a = total_measure(&m);
    assert!(a >= area && a < area * 1.002, "{a} vs {area}");
    let exterior = check_conforming(&m);
    let covered: usize = m.boundaries.values().map(|b| b.len()).sum();
    assert_eq!(
        covered, exterior,
        "the four groups cover the whole boundary"
    );
    assert_close(boundary_measure(&m, "left"), 0.05, 1e-12, "left");
    assert_close(boundary_measure(&m, "right"), 0.05, 1e-12, "right");
    assert_close(boundary_measure(&m, "walls"), 0.2, 1e-12, "walls");
    let hole = boundary_measure(&m, "hole");
    let circumference = 2.0 * std::f64::consts::PI * r;
    assert!(
        hole < circumference && hole > 0.98 * circumference,
        "{hole}"
    );
    for f in m.boundaries["hole"].iter() {
        for &v in f {
            assert_close(
                norm(sub(m.coords[v], [0.05, 0.025, 0.0])),
                r,
                1e-9,
                "hole vertex radius",
            );
        }
    }
    // Outward normals: out of the plate means into the hole, towards its centre.
    for f in m.boundaries["hole"].iter() {
        let n = facet_normal(&m.coords, CellType::Line, f);
        let to_centre = sub([0.05, 0.025, 0.0], m.coords[f[0]]);
        assert!(dot(n, to_centre) > 0.0);
    }
    for f in m.boundaries["left"].iter() {
        assert!(facet_normal(&m.coords, CellType::Line, f)[0] < 0.0);
    }
}

#[test]
fn missing_file_is_io_error() {
    let e = read_msh(&example("no_such_mesh.msh")).unwrap_err();
    assert!(matches!(e, MeshError::Io { .. }), "{e}");
}
