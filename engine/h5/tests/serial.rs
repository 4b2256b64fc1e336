//! Serial round trips, checked again by an independent reader (h5py).

mod common;

use galvana_h5::{File, Group};

const ROWS: u64 = 5;

fn geometry(r: u64, c: u64) -> f64 {
    r as f64 * 10.0 + c as f64 + 0.5
}
fn topology(r: u64, c: u64) -> i64 {
    r as i64 * 100 + c as i64 - 7
}

fn write_sample(path: &std::path::Path) {
    let f = File::create(path).unwrap();
    assert!(!f.is_parallel());
    f.set_attr_str("title", "Galvana run ünïcode").unwrap();
    f.set_attr_str("empty", "").unwrap();
    f.set_attr_i64("version", 3).unwrap();
    let mesh = f.group("mesh").unwrap();
    mesh.set_attr_f64("scale", 0.25).unwrap();
    mesh.set_attr_f64_array("origin", &[1.0, -2.0, 3.5])
        .unwrap();

    let geo = mesh.create_dataset::<f64>("geometry", &[ROWS, 3]).unwrap();
    let rows = |lo: u64, hi: u64, len: u64, v: &dyn Fn(u64, u64) -> f64| -> Vec<f64> {
        (lo..hi)
            .flat_map(|r| (0..len).map(move |c| (r, c)))
            .map(|(r, c)| v(r, c))
            .collect()
    };
    // Several slabs, one of them empty, written out of order.
    geo.write_rows(2, &rows(2, 5, 3, &geometry), 3).unwrap();
    geo.write_rows(2, &[] as &[f64], 3).unwrap();
    geo.write_rows(0, &rows(0, 2, 3, &geometry), 3).unwrap();
    geo.set_attr_str("units", "m").unwrap();

    let topo = mesh.create_dataset::<i64>("topology", &[ROWS, 4]).unwrap();
    for r in 0..ROWS {
        let row: Vec<i64> = (0..4).map(|c| topology(r, c)).collect();
        topo.write_rows(r, &row, 4).unwrap();
    }
    // Nested creation of intermediate groups and the other element types.
    let deep = f.group("a/b/c").unwrap();
    assert_eq!(deep.path(), "/a/b/c");
    deep.create_dataset::<u8>("flags", &[4])
        .unwrap()
        .write_rows(0, &[1u8, 0, 255, 7], 1)
        .unwrap();
    deep.create_dataset::<i32>("ids", &[3])
        .unwrap()
        .write_rows(0, &[-1i32, 0, 1], 1)
        .unwrap();
    f.create_dataset::<u64>("fields/u/000000", &[2, 2])
        .unwrap()
        .write_rows(0, &[u64::MAX, 1, 2, 3], 2)
        .unwrap();
    // Replacing an attribute may change its type.
    geo.set_attr_i64("step", 1).unwrap();
    geo.set_attr_f64("step", 2.5).unwrap();
    f.flush().unwrap();
    drop((mesh, geo, topo, deep)); // `close` insists that nothing else is open
    f.close().unwrap();
}

fn check_sample(f: &File) {
    assert_eq!(f.attr_str("title").unwrap(), "Galvana run ünïcode");
    assert_eq!(f.attr_str("empty").unwrap(), "");
    assert_eq!(f.attr_i64("version").unwrap(), 3);
    assert_eq!(f.attr_f64("version").unwrap(), 3.0); // converted by HDF5
    assert!(f.has_attr("title").unwrap() && !f.has_attr("nope").unwrap());
    assert_eq!(f.members().unwrap(), ["a", "fields", "mesh"]);
    assert!(f.exists("a/b/c/flags").unwrap());
    assert!(!f.exists("a/x/y").unwrap());
    assert!(f.exists("/").unwrap());

    let mesh: Group = f.group("mesh").unwrap();
    assert_eq!(mesh.members().unwrap(), ["geometry", "topology"]);
    assert_eq!(mesh.attr_f64("scale").unwrap(), 0.25);
    assert_eq!(mesh.attr_f64_array("origin").unwrap(), [1.0, -2.0, 3.5]);
    assert!(mesh.attr_f64("origin").is_err()); // three values, not one

    let geo = f.open_dataset("mesh/geometry").unwrap();
    assert_eq!(geo.shape(), [ROWS, 3]);
    assert_eq!(geo.path(), "/mesh/geometry");
    let all: Vec<f64> = geo.read_all().unwrap();
    for r in 0..ROWS {
        for c in 0..3 {
            assert_eq!(all[(r * 3 + c) as usize], geometry(r, c));
        }
    }
    assert_eq!(geo.read_rows::<f64>(3, 1).unwrap(), [30.5, 31.5, 32.5]);
    assert!(geo.read_rows::<f64>(3, 0).unwrap().is_empty());
    assert_eq!(geo.attr_str("units").unwrap(), "m");
    assert_eq!(geo.attr_f64("step").unwrap(), 2.5);

    let topo = mesh.open_dataset("topology").unwrap();
    let t: Vec<i64> = topo.read_all().unwrap();
    assert_eq!(t[4 * 4 + 3], topology(4, 3));
    // Conversion on read: i32 dataset as i64, u8 as f64.
    assert_eq!(
        f.open_dataset("/a/b/c/ids")
            .unwrap()
            .read_all::<i64>()
            .unwrap(),
        [-1, 0, 1]
    );
    assert_eq!(
        f.open_dataset("a/b/c/flags")
            .unwrap()
            .read_all::<f64>()
            .unwrap(),
        [1.0, 0.0, 255.0, 7.0]
    );
    assert_eq!(
        f.open_dataset("fields/u/000000")
            .unwrap()
            .read_all::<u64>()
            .unwrap(),
        [u64::MAX, 1, 2, 3]
    );
}

#[test]
fn round_trip_and_h5py() {
    let _serial = common::one_at_a_time();
    let path = common::scratch("serial.h5");
    write_sample(&path);
    check_sample(&File::open(&path, false).unwrap());

    // Reopen writable and add to it.
    {
        let f = File::open(&path, true).unwrap();
        f.group("mesh")
            .unwrap()
            .set_attr_str("note", "appended")
            .unwrap();
    }
    assert_eq!(
        File::open(&path, false)
            .unwrap()
            .group("mesh")
            .unwrap()
            .attr_str("note")
            .unwrap(),
        "appended"
    );

    if !common::python_has("h5py, numpy") {
        return;
    }
    let script = r#"
import sys, h5py, numpy as np
s = lambda v: v.decode() if isinstance(v, bytes) else str(v)
with h5py.File(sys.argv[1], "r") as f:
    assert s(f.attrs["title"]) == "Galvana run ünïcode", f.attrs["title"]
    assert int(f.attrs["version"]) == 3
    r, c = np.meshgrid(np.arange(5), np.arange(3), indexing="ij")
    g = f["mesh/geometry"]
    assert g.dtype == np.float64 and g.shape == (5, 3)
    assert np.array_equal(g[()], r * 10.0 + c + 0.5), g[()]
    assert s(g.attrs["units"]) == "m"
    r, c = np.meshgrid(np.arange(5), np.arange(4), indexing="ij")
    t = f["mesh/topology"]
    assert t.dtype == np.int64 and np.array_equal(t[()], r * 100 + c - 7)
    assert float(f["mesh"].attrs["scale"]) == 0.25
    assert list(f["mesh"].attrs["origin"]) == [1.0, -2.0, 3.5]
    assert s(f["mesh"].attrs["note"]) == "appended"
    assert f["a/b/c/flags"].dtype == np.uint8 and list(f["a/b/c/flags"][()]) == [1, 0, 255, 7]
    assert f["a/b/c/ids"].dtype == np.int32 and list(f["a/b/c/ids"][()]) == [-1, 0, 1]
    u = f["fields/u/000000"]
    assert u.dtype == np.uint64 and u[0, 0] == 2**64 - 1
print("h5py ok")
"#;
    common::run_python(script, &[path.to_str().unwrap()]);
}

#[test]
fn reads_h5py_written_file() {
    let _serial = common::one_at_a_time();
    // Variable-length strings and scalar datasets come from other tools, not from us.
    if !common::python_has("h5py, numpy") {
        return;
    }
    let path = common::scratch("from_h5py.h5");
    let script = r#"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["name"] = "vlen string"
    f.attrs["dt"] = np.float32(0.5)
    f["scalar"] = 42.0
    f.create_dataset("m", data=np.arange(6, dtype=np.int16).reshape(2, 3))
"#;
    common::run_python(script, &[path.to_str().unwrap()]);
    let f = File::open(&path, false).unwrap();
    assert_eq!(f.attr_str("name").unwrap(), "vlen string");
    assert_eq!(f.attr_f64("dt").unwrap(), 0.5);
    let s = f.open_dataset("scalar").unwrap();
    assert!(s.shape().is_empty());
    assert_eq!(s.read_all::<f64>().unwrap(), [42.0]);
    let m = f.open_dataset("m").unwrap();
    assert_eq!(m.row_len(), 3);
    assert_eq!(m.read_rows::<i64>(1, 1).unwrap(), [3, 4, 5]);
}

#[test]
fn misuse_is_an_error() {
    let _serial = common::one_at_a_time();
    let path = common::scratch("misuse.h5");
    let f = File::create(&path).unwrap();
    let d = f.create_dataset::<f64>("d", &[2, 3]).unwrap();
    let e = d.write_rows(0, &[1.0; 6], 2).unwrap_err();
    assert!(e.message().contains("row length 2"), "{e}");
    let e = d.write_rows(0, &[1.0; 5], 3).unwrap_err();
    assert!(e.message().contains("whole rows"), "{e}");
    let e = d.write_rows(1, &[1.0; 6], 3).unwrap_err();
    assert!(e.message().contains("exceed"), "{e}");
    assert!(d.read_rows::<f64>(2, 1).is_err());

    let e = f.create_dataset::<f64>("d", &[1]).unwrap_err();
    assert!(
        e.message().contains("'/d'") && e.message().contains("misuse.h5"),
        "{e}"
    );
    assert!(e.message().contains("already exists"), "{e}");
    let e = f.open_dataset("missing/x").unwrap_err();
    assert!(e.message().contains("'/missing/x'"), "{e}");
    let e = d.attr_f64("nope").unwrap_err();
    assert!(
        e.message().contains("'nope'") && e.message().contains("'/d'"),
        "{e}"
    );
    d.set_attr_f64("x", 1.0).unwrap();
    assert!(d
        .attr_str("x")
        .unwrap_err()
        .message()
        .contains("not a single string"));
    // A dataset is not a group.
    assert!(f.group("d").is_err());
    assert!(f.create_dataset::<f64>("scalar", &[]).is_err());
    // A zero-row dataset is fine.
    let z = f.create_dataset::<i64>("z", &[0, 4]).unwrap();
    z.write_rows(0, &[] as &[i64], 4).unwrap();
    assert!(z.read_all::<i64>().unwrap().is_empty());
}

#[test]
fn handles_are_send_and_sync() {
    let _serial = common::one_at_a_time();
    fn is<T: Send + Sync>() {}
    is::<File>();
    is::<Group>();
    is::<galvana_h5::Dataset>();
    // Concurrent use from several threads is serialised by the library lock.
    let path = common::scratch("threads.h5");
    let f = File::create(&path).unwrap();
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let f = &f;
            s.spawn(move || {
                let d = f.create_dataset::<u64>(&format!("t{t}"), &[100]).unwrap();
                d.write_rows(0, &(0..100).map(|i| i * t).collect::<Vec<_>>(), 1)
                    .unwrap();
                assert_eq!(d.read_all::<u64>().unwrap()[99], 99 * t);
            });
        }
    });
    assert_eq!(f.members().unwrap().len(), 4);
    let g = f.group("still_open").unwrap();
    let e = f.close().unwrap_err();
    assert!(
        e.message().contains("1 group/dataset handle(s) still open"),
        "{e}"
    );
    drop(g); // closes the file for real
    assert!(File::open(&path, false)
        .unwrap()
        .exists("still_open")
        .unwrap());
}
