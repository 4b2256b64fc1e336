//! Partitioners: balance, edge cut, determinism and the dual graph.

use galvana_mesh::generate::{box_mesh, interval, rectangle};
use galvana_mesh::gmsh::read_msh;
use galvana_mesh::partition::{dual_graph, metis, quality, rcb, Partition};
use galvana_mesh::Mesh;
use std::path::PathBuf;

fn cube(n: usize, simplex: bool) -> Mesh {
    box_mesh(n, n, n, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], simplex).unwrap()
}

fn all_parts_used(p: &Partition) {
    let sizes = p.part_sizes();
    assert!(sizes.iter().all(|&s| s > 0), "empty part: {sizes:?}");
}

#[test]
fn dual_graph_of_structured_meshes() {
    let (nx, ny, nz) = (4, 3, 2);
    let m = box_mesh(nx, ny, nz, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], false).unwrap();
    let (xadj, adjncy) = dual_graph(&m);
    let interior = (nx - 1) * ny * nz + nx * (ny - 1) * nz + nx * ny * (nz - 1);
    assert_eq!(xadj.len(), m.num_cells() + 1);
    assert_eq!(adjncy.len(), 2 * interior);
    // Symmetric, sorted, no self loops; a corner hex has 3 neighbours, a centre one 6.
    for c in 0..m.num_cells() {
        let nb = &adjncy[xadj[c]..xadj[c + 1]];
        assert!(nb.windows(2).all(|w| w[0] < w[1]) && !nb.contains(&c));
        for &d in nb {
            assert!(adjncy[xadj[d]..xadj[d + 1]].contains(&c));
        }
    }
    assert_eq!(xadj[1] - xadj[0], 3);
    let t = cube(3, true);
    let (xadj, _) = dual_graph(&t);
    // Each tet has at most 4 face neighbours; the 6 tets of a Kuhn cube form a ring.
    assert!((0..t.num_cells()).all(|c| (1..=4).contains(&(xadj[c + 1] - xadj[c]))));
    let i = interval(5, 0.0, 1.0).unwrap();
    assert_eq!(dual_graph(&i).1.len(), 8);
}

#[test]
fn metis_box_quality() {
    let m = cube(20, false);
    let p = metis(&m, 4).unwrap();
    all_parts_used(&p);
    let q = quality(&m, &p);
    assert!(q.imbalance <= 1.05, "{q:?}");
    let r = rcb(&m, 4).unwrap();
    all_parts_used(&r);
    let qr = quality(&m, &r);
    assert!(qr.imbalance <= 1.01, "{qr:?}");
    // RCB's slabs/columns are near optimal on a cube; METIS must be close to them.
    assert!(
        q.edge_cut as f64 <= 1.15 * qr.edge_cut as f64,
        "metis {q:?} vs rcb {qr:?}"
    );
    eprintln!("20^3 hexes, 4 parts: metis {q:?}, rcb {qr:?}");
    // Two straight cuts of a 20^3 cube into 4 columns cut 2 * 400 facets.
    assert_eq!(qr.edge_cut, 800);
}

#[test]
fn partitions_are_deterministic() {
    let m = cube(10, true);
    for parts in [2, 3, 7] {
        let a = metis(&m, parts).unwrap();
        assert!(
            a == metis(&m, parts).unwrap(),
            "METIS differs between calls ({parts} parts)"
        );
        all_parts_used(&a);
        assert!(quality(&m, &a).imbalance <= 1.05);
        let b = rcb(&m, parts).unwrap();
        assert!(
            b == rcb(&m, parts).unwrap(),
            "RCB differs between calls ({parts} parts)"
        );
    }
}

#[test]
fn rcb_balances_any_part_count() {
    let m = rectangle(37, 23, [0.0, 3.0], [0.0, 1.0], true).unwrap();
    for parts in [2, 3, 5, 6, 7, 12, 31] {
        let p = rcb(&m, parts).unwrap();
        assert_eq!(p.parts, parts);
        all_parts_used(&p);
        let q = quality(&m, &p);
        assert!(
            q.imbalance <= 1.01 + parts as f64 * 2.0 / m.num_cells() as f64,
            "{parts}: {q:?}"
        );
    }
    // Parts of a 1D mesh are contiguous runs of cells.
    let line = interval(10, 0.0, 1.0).unwrap();
    let p = rcb(&line, 3).unwrap();
    assert_eq!(p.cell_part, [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
}

#[test]
fn trivial_and_invalid_part_counts() {
    let m = rectangle(2, 2, [0.0, 1.0], [0.0, 1.0], false).unwrap();
    for p in [metis(&m, 1).unwrap(), rcb(&m, 1).unwrap()] {
        assert_eq!(p.cell_part, [0; 4]);
    }
    assert!(metis(&m, 5).is_err() && rcb(&m, 5).is_err());
    assert!(metis(&m, 0).is_err() && rcb(&m, 0).is_err());
    // As many parts as cells: one cell each.
    for p in [metis(&m, 4).unwrap(), rcb(&m, 4).unwrap()] {
        assert_eq!(p.part_sizes(), [1; 4]);
    }
}

#[test]
fn metis_on_gmsh_heat_sink() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../input-decks/examples/meshes/heat_sink.msh");
    let m = read_msh(&path).unwrap();
    let p = metis(&m, 4).unwrap();
    all_parts_used(&p);
    let q = quality(&m, &p);
    let qr = quality(&m, &rcb(&m, 4).unwrap());
    assert!(q.imbalance <= 1.05, "{q:?}");
    assert!(qr.imbalance <= 1.01, "{qr:?}");
    assert!(
        q.edge_cut as f64 <= 1.15 * qr.edge_cut as f64,
        "metis {q:?} vs rcb {qr:?}"
    );
    eprintln!("heat sink, 4 parts: metis {q:?}, rcb {qr:?}");
}
