//! A two-triangle mesh with two time steps, read back by meshio's XDMF time-series reader.

mod common;

use galvana_h5::{field_dataset_path, File, XdmfMesh, XdmfSeries};

#[test]
fn two_triangles_two_steps_read_by_meshio() {
    let h5 = common::scratch("fields.h5");
    let xdmf = h5.with_extension("xdmf");
    let points = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    let cells: [i64; 6] = [0, 1, 2, 0, 2, 3];
    let times = [0.0, 0.5];

    let f = File::create(&h5).unwrap();
    {
        // Scoped: the file only really closes once its groups are dropped too.
        let mesh = f.group("mesh").unwrap();
        mesh.create_dataset::<f64>("geometry", &[4, 2])
            .unwrap()
            .write_rows(0, &points, 2)
            .unwrap();
        mesh.create_dataset::<i64>("topology", &[2, 3])
            .unwrap()
            .write_rows(0, &cells, 3)
            .unwrap();
    }

    let mut series = XdmfSeries::new(XdmfMesh {
        h5_file: "fields.h5".into(),
        topology_type: "Triangle".into(),
        num_cells: 2,
        nodes_per_cell: 3,
        num_nodes: 4,
        geometry_path: "/mesh/geometry".into(),
        topology_path: "/mesh/topology".into(),
        geometry_dim: 2,
    })
    .unwrap();
    for (k, &t) in times.iter().enumerate() {
        let u: Vec<f64> = (0..4).map(|i| 10.0 * k as f64 + i as f64).collect();
        let v: Vec<f64> = (0..8).map(|i| -(i as f64) - 100.0 * k as f64).collect();
        let (pu, pv) = (field_dataset_path("u", k), field_dataset_path("v", k));
        f.create_dataset::<f64>(&pu, &[4])
            .unwrap()
            .write_rows(0, &u, 1)
            .unwrap();
        f.create_dataset::<f64>(&pv, &[4, 2])
            .unwrap()
            .write_rows(0, &v, 2)
            .unwrap();
        f.flush().unwrap();
        series.add_step(t, &[("u", &pu, 1), ("v", &pv, 2)]);
        series.write_atomic(&xdmf).unwrap();
    }
    f.close().unwrap();
    assert_eq!(field_dataset_path("u", 1), "/fields/u/000001");
    // No temporary files left behind by the atomic rewrite.
    let leftovers: Vec<_> = std::fs::read_dir(xdmf.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    if !common::python_has("meshio, h5py, numpy") {
        return;
    }
    let script = r#"
import sys, numpy as np, meshio
with meshio.xdmf.TimeSeriesReader(sys.argv[1]) as r:
    points, cells = r.read_points_cells()
    assert np.array_equal(points, [[0, 0], [1, 0], [1, 1], [0, 1]]), points
    assert len(cells) == 1 and cells[0].type == "triangle", cells
    assert np.array_equal(cells[0].data, [[0, 1, 2], [0, 2, 3]]), cells[0].data
    assert r.num_steps == 2
    for k, t_expected in enumerate([0.0, 0.5]):
        t, pd, cd = r.read_data(k)
        assert t == t_expected, (k, t)
        assert np.array_equal(pd["u"], 10.0 * k + np.arange(4)), pd["u"]
        assert pd["v"].shape == (4, 2)
        assert np.array_equal(pd["v"].ravel(), -np.arange(8) - 100.0 * k), pd["v"]
print("meshio ok")
"#;
    common::run_python(script, &[xdmf.to_str().unwrap()]);
}
