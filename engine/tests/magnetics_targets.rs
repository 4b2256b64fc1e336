//! Biot–Savart targets beyond lines and planes (points from a CSV file, the nodes of a Gmsh
//! mesh or of some of its regions) and runs over MPI ranks: the field on mesh nodes equals a
//! direct evaluation at those coordinates, the output files do not depend on the number of
//! ranks, and file mistakes name the file and line.
mod common;
use common::*;
use galvana_physics::magnetics::{field, CircularLoop, MU0_CODATA2018};
use std::path::Path;

const COIL: &str = r#"
[physics]
type = "biot_savart"

[sources.ring]
type = "loop"
centre = [0.01, 0.02, 0.03]
axis = [0.0, 1.0, 1.0]
radius = 0.02
current = 50.0
turns = 10.0
"#;

fn heat_sink(dir: &Path) -> std::path::PathBuf {
    let m = dir.join("heat_sink.msh");
    std::fs::copy(examples_dir().join("meshes/heat_sink.msh"), &m).unwrap();
    m
}

#[test]
fn field_on_mesh_nodes_equals_direct_evaluation() {
    let dir = tempdir("magnetics-mesh");
    let msh = heat_sink(&dir);
    let deck = format!(
        "{COIL}\n[postprocessors.fin]\ntype = \"mesh\"\nfile = \"heat_sink.msh\"\nregions = [\"fin\"]\n\n[postprocessors.all]\ntype = \"mesh\"\nfile = \"heat_sink.msh\"\n"
    );
    let path = write_deck(&dir, "mesh.toml", &deck);
    let out = run_deck(1, &path, &dir.join("out"), &["-q"]);
    assert_code(&out, 0, "mesh targets");

    let mesh = galvana_mesh::gmsh::read_msh(&msh).unwrap();
    let fin = mesh.region_id("fin").unwrap();
    let npc = mesh.cell_type.num_vertices();
    let fin_cells: Vec<usize> = (0..mesh.num_cells())
        .filter(|&c| mesh.cell_region[c] == fin)
        .collect();
    let mut nodes: Vec<usize> = fin_cells
        .iter()
        .flat_map(|&c| mesh.cell(c).to_vec())
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    assert!(
        nodes.len() < mesh.num_vertices(),
        "the fin is part of the mesh"
    );

    let ring = CircularLoop::new([0.01, 0.02, 0.03], [0.0, 1.0, 1.0], 0.02, 500.0).unwrap();
    let xyz: Vec<[f64; 3]> = nodes.iter().map(|&v| mesh.coords[v]).collect();
    let pts = galvana_physics::magnetics::Points::from_xyz(&xyz).unwrap();
    let direct = field(&ring, &pts, MU0_CODATA2018, 1);
    let csv = Csv::read(&dir.join("out/mesh_fin.csv"));
    assert_eq!(csv.rows.len(), nodes.len());
    for (k, row) in csv.rows.iter().enumerate() {
        assert_eq!(&row[..3], &xyz[k], "node {k} in mesh order");
        assert_eq!(&row[3..6], &direct.get(k), "B at node {k}");
    }
    let all = Csv::read(&dir.join("out/mesh_all.csv"));
    assert_eq!(all.rows.len(), mesh.num_vertices());

    // The map holds the fin's cells over the target's nodes: the same tetrahedra.
    let h5 = galvana_h5::File::open(&dir.join("out/field_map.h5"), false).unwrap();
    let top: Vec<i64> = h5.open_dataset("fin/topology").unwrap().read_all().unwrap();
    let geo: Vec<f64> = h5.open_dataset("fin/xyz").unwrap().read_all().unwrap();
    let b: Vec<f64> = h5.open_dataset("fin/B").unwrap().read_all().unwrap();
    assert_eq!(top.len(), fin_cells.len() * npc);
    for (j, &c) in fin_cells.iter().enumerate() {
        for (a, &v) in mesh.cell(c).iter().enumerate() {
            let t = top[j * npc + a] as usize;
            assert_eq!(&geo[3 * t..3 * t + 3], &mesh.coords[v]);
        }
    }
    assert_eq!(b[..3], direct.get(0));
    let xdmf = std::fs::read_to_string(dir.join("out/field_map.xdmf")).unwrap();
    assert!(xdmf.contains(&format!(
        "TopologyType=\"Tetrahedron\" NumberOfElements=\"{}\"",
        fin_cells.len()
    )));
    let summary = read_json(&dir.join("out/summary.json"));
    let t = &summary["targets"][0];
    assert_eq!(t["name"], "fin");
    // serde_json parses floats to within an ulp.
    let peak = direct.peak().unwrap().0;
    assert!((t["peak_B_T"].as_f64().unwrap() / peak - 1.0).abs() < 1e-15);
}

/// Every output file but summary.json's timing and rank count, read for comparison.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            n.ends_with(".csv") || n.ends_with(".xdmf")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_str().unwrap().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    let mut s = read_json(&dir.join("summary.json"));
    for k in ["wall_s", "ranks", "threads"] {
        s.as_object_mut().unwrap().remove(k);
    }
    files.push(("summary.json".into(), s.to_string().into_bytes()));
    // HDF5 files carry creation times, so compare their datasets bit for bit.
    let h5 = galvana_h5::File::open(&dir.join("field_map.h5"), false).unwrap();
    for d in ["xy/B", "xy/xyz", "xy/B_magnitude", "fin/B", "fin/xyz"] {
        let v: Vec<f64> = h5.open_dataset(d).unwrap().read_all().unwrap();
        files.push((d.into(), v.iter().flat_map(|x| x.to_le_bytes()).collect()));
    }
    let t: Vec<i64> = h5.open_dataset("fin/topology").unwrap().read_all().unwrap();
    files.push((
        "fin/topology".into(),
        t.iter().flat_map(|x| x.to_le_bytes()).collect(),
    ));
    files
}

#[test]
fn outputs_are_bit_identical_on_one_two_and_three_ranks() {
    let dir = tempdir("magnetics-mpi");
    heat_sink(&dir);
    std::fs::write(
        dir.join("pts.csv"),
        "# probe points\nz,y,x\n0.0,0.0,0.0\n0.01,0.02,0.03\n0.1,-0.2,0.3\n",
    )
    .unwrap();
    let deck = format!(
        r#"{COIL}
[sources.coil]
type = "helix"
axis = [1.0, 0.0, 0.0]
direction = [0.0, 0.0, 1.0]
radius = 0.03
pitch = 0.005
turns = 7.5
current = 20.0
segments_per_turn = 48
wire_radius = 0.0005

[sources.track]
type = "racetrack"
centre = [0.0, 0.0, -0.05]
straight = 0.1
radius = 0.04
current = 100.0
turns = 20.0
arc_segments = 24

[postprocessors.xy]
type = "plane"
origin = [-0.1, -0.1, 0.0]
u = [0.2, 0.0, 0.0]
v = [0.0, 0.2, 0.0]
n_u = 67
n_v = 41

[postprocessors.axis]
type = "line"
start = [-0.2, 0.0, 0.0]
end = [0.2, 0.0, 0.0]
n = 1001

[postprocessors.probes]
type = "points"
file = "pts.csv"

[postprocessors.fin]
type = "mesh"
file = "heat_sink.msh"
regions = ["fin"]
"#
    );
    let path = write_deck(&dir, "mpi.toml", &deck);
    let out = run_deck(1, &path, &dir.join("np1"), &["-q"]);
    assert_code(&out, 0, "serial run");
    let reference = outputs(&dir.join("np1"));
    assert_eq!(reference.len(), 5 + 1 + 6);
    let probes = Csv::read(&dir.join("np1/points_probes.csv"));
    assert_eq!(
        probes.rows[2][..3],
        [0.3, -0.2, 0.1],
        "columns by header name"
    );
    let _g = mpi_lock();
    for np in [2, 3] {
        let o = dir.join(format!("np{np}"));
        let out = run_deck(np, &path, &o, &["-q"]);
        assert_code(&out, 0, &format!("{np} ranks"));
        let got = outputs(&o);
        for (a, b) in reference.iter().zip(&got) {
            assert_eq!(a.0, b.0);
            assert!(a.1 == b.1, "{} differs on {np} ranks", a.0);
        }
        assert_eq!(read_json(&o.join("summary.json"))["ranks"], np);
        let events = read_jsonl(&o.join("residuals.jsonl"));
        let progress: Vec<_> = events.iter().filter(|e| e["kind"] == "progress").collect();
        assert_eq!(
            progress.len(),
            4,
            "one progress event per target, from rank 0 only"
        );
        assert_eq!(progress[3]["fraction"], 1.0);
        assert_eq!(events.last().unwrap()["kind"], "done");
    }
}

#[test]
fn file_mistakes_name_the_file_and_line() {
    let dir = tempdir("magnetics-files");
    std::fs::write(dir.join("pts.csv"), "x,y,z\n0,0,0\n# a comment\n1,oops,2\n").unwrap();
    // The heat sink mesh with the first node's y coordinate spoilt (4 lines below `$Nodes`).
    let good = std::fs::read_to_string(heat_sink(&dir)).unwrap();
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    let bad_line = lines.iter().position(|l| l == "$Nodes").unwrap() + 4;
    let f: Vec<&str> = lines[bad_line].split(' ').collect();
    lines[bad_line] = format!("{} zero {}", f[0], f[2]);
    std::fs::write(dir.join("bad.msh"), lines.join("\n") + "\n").unwrap();
    let bad_at = format!("line {}", bad_line + 1);
    let target = |body: &str| format!("{COIL}\n[postprocessors.t]\n{body}\n");
    let cases: Vec<(String, &str, Vec<&str>)> = vec![
        (target("type = \"points\"\nfile = \"pts.csv\""), "file = \"pts.csv\"", vec!["pts.csv:4:", "column `y`", "oops"]),
        (target("type = \"points\"\nfile = \"none.csv\""), "file = \"none.csv\"", vec!["cannot read", "none.csv"]),
        (target("type = \"mesh\"\nfile = \"bad.msh\""), "file = \"bad.msh\"", vec!["bad.msh", &bad_at]),
        (
            target("type = \"mesh\"\nfile = \"heat_sink.msh\"\nregions = [\"fins\"]"),
            "regions = [",
            vec!["unknown region `fins`", "fin"],
        ),
        (
            target("type = \"line\"\nstart = [0.0, 0.0, 0.0]\nend = [1.0, 0.0, 0.0]")
                .replace("axis = [0.0, 1.0, 1.0]\nradius = 0.02\ncurrent = 50.0\nturns = 10.0", "axis = [1.0, 0.0, 0.0]\ndirection = [2.0, 0.0, 0.0]\nradius = 0.02\npitch = 0.01\ncurrent = 1.0\nturns = 3.0")
                .replace("type = \"loop\"", "type = \"helix\""),
            "direction = [2.0",
            vec!["parallel to the axis"],
        ),
    ];
    for (k, (text, at, msgs)) in cases.iter().enumerate() {
        let file = format!("bad{k}.toml");
        write_deck(&dir, &file, text);
        let out = galvana_in(&dir, &["check", &file]);
        assert_code(&out, 3, &format!("case {k}"));
        let err = stderr(&out);
        let (line, _) = position_of(text, at);
        assert!(
            err.contains(&format!("{file}:{line}:")),
            "case {k}: line {line}:\n{err}"
        );
        for m in msgs {
            assert!(err.contains(m), "case {k}: `{m}` in\n{err}");
        }
        let out = run_deck(1, &dir.join(&file), &dir.join(format!("out{k}")), &["-q"]);
        assert_code(&out, 3, &format!("run of case {k}"));
        assert!(
            !dir.join(format!("out{k}")).exists(),
            "no output for an invalid deck"
        );
    }
}
