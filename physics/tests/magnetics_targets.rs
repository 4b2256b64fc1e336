//! Point sets of biot_savart targets: CSV points (header by name, scale, errors at their line)
//! and the nodes of mesh regions (renumbered cells that still join the same coordinates).
use galvana_physics::magnetics::targets::{read_points_csv, NodeMesh};

#[test]
fn csv_points_follow_the_header_and_scale() {
    let p = read_points_csv(
        "# from a probe list\n\nZ_m, x_m, label, y_m\n3, 1, a, 2\n-6,4,b,5\n",
        "p.csv",
        1e-3,
    )
    .unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(p.get(0), [1e-3, 2e-3, 3e-3]);
    assert_eq!(p.get(1), [4e-3, 5e-3, -6e-3]);
}

#[test]
fn csv_mistakes_name_file_and_line() {
    let cases = [
        (
            "a,b,c\n1,2,3\n",
            "p.csv:1: expected a header naming columns x, y, z",
        ),
        (
            "x,y,z\n1,2,3\n4,5\n",
            "p.csv:3: expected at least 3 fields (column `z`)",
        ),
        (
            "x,y,z\n1,2,3\n\n# c\n4,5,nan\n",
            "p.csv:5: column `z`: NaN is not finite",
        ),
        (
            "x,y,z\n1,two,3\n",
            "p.csv:2: column `y`: expected a number, got `two`",
        ),
        ("x,y,z\n", "p.csv: no points after the header"),
        ("# only a comment\n", "p.csv: no header line"),
    ];
    for (text, msg) in cases {
        let e = read_points_csv(text, "p.csv", 1.0).unwrap_err();
        assert!(e.starts_with(msg), "{text:?}: {e}");
    }
}

/// Two triangles in region 1 ("a") and one in region 2 ("b") over five nodes.
fn mesh() -> NodeMesh {
    NodeMesh {
        coords: vec![
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
            [2.0, 0.0, 0.0],
        ],
        topology_type: "Triangle".into(),
        nodes_per_cell: 3,
        cells: vec![0, 1, 2, 0, 2, 3, 1, 4, 2],
        cell_region: vec![1, 1, 2],
        region_names: vec![(1, "a".into()), (2, "b".into())],
    }
}

#[test]
fn region_nodes_are_renumbered_in_mesh_order() {
    let m = mesh();
    let (p, t) = m.restrict(&["b".into()], 2.0).unwrap();
    assert_eq!(p.len(), 3);
    assert_eq!(p.get(0), [2.0, 0.0, 0.0]);
    assert_eq!(p.get(2), [4.0, 0.0, 0.0]);
    assert_eq!(t.cells, vec![0, 2, 1]);
    for (k, &v) in [1usize, 4, 2].iter().enumerate() {
        let c = m.coords[v];
        assert_eq!(p.get(t.cells[k]), [2.0 * c[0], 2.0 * c[1], 2.0 * c[2]]);
    }
    let (all, ta) = m.restrict(&[], 1.0).unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(ta.cells, m.cells);
    let e = m.restrict(&["c".into()], 1.0).unwrap_err();
    assert!(e.contains("unknown region `c`; the mesh has: a, b"), "{e}");
}
