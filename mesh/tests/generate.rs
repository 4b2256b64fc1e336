//! Checks of the structured generators against independently computed geometry and topology.

mod meshcheck;

use galvana_mesh::generate::{
    box_graded, box_mesh, interval, interval_graded, rectangle, rectangle_graded,
};
use galvana_mesh::{CellType, Mesh};
use meshcheck::*;
use std::collections::HashMap;

/// Boundaries partition the exterior facets, and each boundary facet is a cell face with the
/// cell's outward orientation.
fn check_boundaries(mesh: &Mesh) {
    mesh.validate().unwrap();
    let exterior = check_conforming(mesh);
    let map = facet_map(mesh);
    let mut seen: HashMap<Vec<usize>, &str> = HashMap::new();
    for (name, b) in &mesh.boundaries {
        assert_eq!(b.facet_type, Some(mesh.cell_type.facet_type()), "{name}");
        for f in b.iter() {
            let key = sorted(f);
            let owners = map
                .get(&key)
                .unwrap_or_else(|| panic!("{name}: {f:?} is no cell facet"));
            assert_eq!(owners.len(), 1, "{name}: facet {f:?} is interior");
            assert!(
                same_orientation(f, &owners[0].1),
                "{name}: {f:?} vs {:?}",
                owners[0].1
            );
            if let Some(other) = seen.insert(key, name) {
                panic!("facet {f:?} in both {other} and {name}");
            }
        }
    }
    assert_eq!(
        seen.len(),
        exterior,
        "boundaries must cover all exterior facets"
    );
    assert_eq!(
        mesh.region_names.get(&0).map(String::as_str),
        Some("domain")
    );
    assert!(mesh.cell_region.iter().all(|&r| r == 0));
}

#[test]
fn interval_counts_and_measure() {
    let m = interval(7, -1.0, 2.5).unwrap();
    assert_eq!((m.dim, m.cell_type), (1, CellType::Line));
    assert_eq!((m.num_vertices(), m.num_cells()), (8, 7));
    assert_close(total_measure(&m), 3.5, 1e-14, "length");
    check_boundaries(&m);
    assert_eq!(m.boundaries["left"].facets, vec![0]);
    assert_eq!(m.boundaries["right"].facets, vec![7]);
    assert_eq!(m.coords[7], [2.5, 0.0, 0.0]);

    let g = interval_graded(5, 0.0, 1.0, 0.5).unwrap();
    let widths: Vec<f64> = (0..5).map(|c| cell_measure(&g, c)).collect();
    for w in widths.windows(2) {
        assert_close(w[1] / w[0], 0.5, 1e-12, "grading");
    }
    assert_close(total_measure(&g), 1.0, 1e-14, "graded length");
}

#[test]
fn rectangle_quads_and_triangles() {
    for simplex in [false, true] {
        let (nx, ny) = (5, 3);
        let m = rectangle(nx, ny, [1.0, 3.0], [-1.0, 0.5], simplex).unwrap();
        let per = if simplex { 2 } else { 1 };
        assert_eq!(m.dim, 2);
        assert_eq!(
            m.cell_type,
            if simplex {
                CellType::Triangle
            } else {
                CellType::Quad
            }
        );
        assert_eq!(m.num_vertices(), (nx + 1) * (ny + 1));
        assert_eq!(m.num_cells(), nx * ny * per);
        assert_close(total_measure(&m), 2.0 * 1.5, 1e-13, "area");
        check_boundaries(&m);
        for (name, len, n) in [
            ("left", 1.5, ny),
            ("right", 1.5, ny),
            ("bottom", 2.0, nx),
            ("top", 2.0, nx),
        ] {
            assert_eq!(m.boundaries[name].len(), n, "{name}");
            assert_close(boundary_measure(&m, name), len, 1e-13, name);
        }
        // Outward normals: left points to -x, top to +y.
        let b = &m.boundaries["left"];
        for f in b.iter() {
            assert!(facet_normal(&m.coords, CellType::Line, f)[0] < 0.0);
        }
        for f in m.boundaries["top"].iter() {
            assert!(facet_normal(&m.coords, CellType::Line, f)[1] > 0.0);
        }
    }
}

#[test]
fn box_hexes_and_tets() {
    for simplex in [false, true] {
        let (nx, ny, nz) = (4, 3, 2);
        let (x, y, z) = ([0.0, 2.0], [0.0, 1.0], [-0.5, 0.25]);
        let m = box_mesh(nx, ny, nz, x, y, z, simplex).unwrap();
        let per = if simplex { 6 } else { 1 };
        assert_eq!(m.dim, 3);
        assert_eq!(m.num_vertices(), 5 * 4 * 3);
        assert_eq!(m.num_cells(), nx * ny * nz * per);
        assert_close(total_measure(&m), 2.0 * 1.0 * 0.75, 1e-13, "volume");
        check_boundaries(&m);
        let ft = if simplex {
            CellType::Triangle
        } else {
            CellType::Quad
        };
        let fper = if simplex { 2 } else { 1 };
        let sides = [
            ("left", 0.75, ny * nz, [-1.0, 0.0, 0.0]),
            ("right", 0.75, ny * nz, [1.0, 0.0, 0.0]),
            ("bottom", 1.5, nx * nz, [0.0, -1.0, 0.0]),
            ("top", 1.5, nx * nz, [0.0, 1.0, 0.0]),
            ("back", 2.0, nx * ny, [0.0, 0.0, -1.0]),
            ("front", 2.0, nx * ny, [0.0, 0.0, 1.0]),
        ];
        for (name, area, n, normal) in sides {
            let b = &m.boundaries[name];
            assert_eq!(b.facet_type, Some(ft));
            assert_eq!(b.len(), n * fper, "{name}");
            assert_close(boundary_measure(&m, name), area, 1e-13, name);
            for f in b.iter() {
                assert!(
                    dot(facet_normal(&m.coords, ft, f), normal) > 0.0,
                    "{name} normal"
                );
            }
        }
    }
}

#[test]
fn graded_meshes_stay_valid() {
    let r = rectangle_graded(6, 4, [0.0, 1.0], [0.0, 2.0], [1.3, 0.7], true).unwrap();
    assert_close(total_measure(&r), 2.0, 1e-13, "graded area");
    check_boundaries(&r);
    let b = box_graded(
        [3, 4, 5],
        [[0.0, 1.0], [0.0, 1.0], [0.0, 3.0]],
        [2.0, 1.0, 0.8],
        true,
    )
    .unwrap();
    assert_close(total_measure(&b), 3.0, 1e-13, "graded volume");
    check_boundaries(&b);
    // The first x cell is half the width of the second with ratio 2.
    let xs: Vec<f64> = (0..4).map(|i| b.coords[i][0]).collect();
    assert_close((xs[2] - xs[1]) / (xs[1] - xs[0]), 2.0, 1e-12, "ratio");
}

#[test]
fn invalid_arguments_are_errors() {
    assert!(interval(0, 0.0, 1.0).is_err());
    assert!(interval(3, 1.0, 1.0).is_err());
    assert!(interval(3, 2.0, 1.0).is_err());
    assert!(interval(3, f64::NAN, 1.0).is_err());
    assert!(interval(3, 0.0, f64::INFINITY).is_err());
    assert!(rectangle(0, 2, [0.0, 1.0], [0.0, 1.0], false).is_err());
    assert!(rectangle(2, 2, [0.0, 1.0], [0.0, f64::NAN], true).is_err());
    assert!(rectangle_graded(2, 2, [0.0, 1.0], [0.0, 1.0], [-1.0, 1.0], true).is_err());
    assert!(box_mesh(1, 1, 0, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], false).is_err());
    assert!(box_mesh(1, 1, 1, [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], true).is_err());
    assert!(box_mesh(usize::MAX, 2, 2, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], true).is_err());
    let e = interval(0, 0.0, 1.0).unwrap_err().to_string();
    assert!(e.contains("at least 1"), "{e}");
}
