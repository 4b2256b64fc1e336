//! Global DOF numbering on small hand-built meshes: counts, sharing, DOF coordinates, P2/Q2
//! interpolation, facet DOF order, boundary DOFs and renumbering.

use galvana_mesh::fe::{map_cell, map_facet, DofMap, Element};
use galvana_mesh::{Boundary, CellType, Mesh};
use std::collections::BTreeMap;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn mesh(dim: usize, cell_type: CellType, coords: Vec<[f64; 3]>, cells: Vec<usize>) -> Mesh {
    let n = cells.len() / cell_type.num_vertices();
    Mesh {
        dim,
        coords,
        cell_type,
        cells,
        cell_region: vec![0; n],
        region_names: BTreeMap::from([(0, "domain".to_string())]),
        boundaries: BTreeMap::new(),
    }
}

fn add_boundary(m: &mut Mesh, name: &str, t: CellType, facets: Vec<usize>) {
    m.boundaries.insert(
        name.into(),
        Boundary {
            facet_type: Some(t),
            facets,
        },
    );
}

/// Two unit-ish rectangles side by side, sharing the edge 1-4.
fn two_quads() -> Mesh {
    let c = vec![
        [0.0, 0.0, 0.0],
        [1.5, 0.0, 0.0],
        [2.5, 0.0, 0.0],
        [0.0, 0.8, 0.0],
        [1.5, 0.8, 0.0],
        [2.5, 0.8, 0.0],
    ];
    let mut m = mesh(2, CellType::Quad, c, vec![0, 1, 4, 3, 1, 2, 5, 4]);
    add_boundary(&mut m, "left", CellType::Line, vec![3, 0]);
    add_boundary(&mut m, "corner", CellType::Point, vec![5]);
    m
}

/// Two affine triangles sharing the edge 0-2.
fn two_triangles() -> Mesh {
    let c = vec![
        [0.0, 0.0, 0.0],
        [1.2, 0.1, 0.0],
        [1.0, 1.1, 0.0],
        [-0.1, 0.9, 0.0],
    ];
    mesh(2, CellType::Triangle, c, vec![0, 1, 2, 0, 2, 3])
}

/// Two positively oriented tetrahedra sharing the face 1-2-3.
fn two_tets() -> Mesh {
    let c = vec![
        [0.0, 0.0, 0.0],
        [1.0, 0.1, 0.0],
        [0.1, 1.0, 0.0],
        [0.0, 0.2, 1.0],
        [1.0, 1.1, 1.2],
    ];
    let mut m = mesh(3, CellType::Tetrahedron, c, vec![0, 1, 2, 3, 1, 2, 3, 4]);
    add_boundary(&mut m, "base", CellType::Triangle, vec![0, 2, 1]);
    add_boundary(&mut m, "wire", CellType::Line, vec![0, 3]);
    m
}

/// Two boxes side by side along x, sharing the face 1-2-6-5 / x = 1.
fn two_hexes() -> Mesh {
    let (xs, y, z) = ([0.0, 1.0, 2.5], 0.7, 1.3);
    let mut c = Vec::new();
    for zz in [0.0, z] {
        for yy in [0.0, y] {
            for x in xs {
                c.push([x, yy, zz]);
            }
        }
    }
    // Vertex (i, j, k) = i + 3 j + 6 k.
    let v = |i: usize, j: usize, k: usize| i + 3 * j + 6 * k;
    let mut cells = Vec::new();
    for i in 0..2 {
        cells.extend([
            v(i, 0, 0),
            v(i + 1, 0, 0),
            v(i + 1, 1, 0),
            v(i, 1, 0),
            v(i, 0, 1),
            v(i + 1, 0, 1),
            v(i + 1, 1, 1),
            v(i, 1, 1),
        ]);
    }
    let mut m = mesh(3, CellType::Hexahedron, c, cells);
    // z = 0, outward (right-hand rule gives -z).
    add_boundary(
        &mut m,
        "bottom",
        CellType::Quad,
        vec![0, 3, 4, 1, 1, 4, 5, 2],
    );
    add_boundary(&mut m, "edge", CellType::Line, vec![0, 1]);
    add_boundary(&mut m, "vertex", CellType::Point, vec![11]);
    m
}

fn line_mesh() -> Mesh {
    let mut m = mesh(
        1,
        CellType::Line,
        vec![[0.0; 3], [0.4, 0.0, 0.0], [1.0, 0.0, 0.0]],
        vec![0, 1, 1, 2],
    );
    add_boundary(&mut m, "right", CellType::Point, vec![2]);
    m
}

fn all_meshes() -> Vec<Mesh> {
    vec![
        line_mesh(),
        two_quads(),
        two_triangles(),
        two_tets(),
        two_hexes(),
    ]
}

fn verts(m: &Mesh, idx: &[usize]) -> Vec<[f64; 3]> {
    idx.iter().map(|&v| m.coords[v]).collect()
}

fn assert_close(a: [f64; 3], b: [f64; 3], what: &str) {
    assert!(
        (0..3).all(|i| (a[i] - b[i]).abs() < 1e-12),
        "{what}: {a:?} vs {b:?}"
    );
}

#[test]
fn fe_dofmap_counts_and_sharing() {
    // (mesh, V, E, F, C-dofs for order 2)
    let cases = [
        (line_mesh(), 3, 2, 0, 0),
        (two_quads(), 6, 7, 0, 2),
        (two_triangles(), 4, 5, 0, 0),
        (two_tets(), 5, 9, 0, 0),
        (two_hexes(), 12, 20, 11, 2),
    ];
    for (m, v, e, f, c) in cases {
        let p1 = DofMap::new(&m, 1).unwrap();
        assert_eq!(p1.num_dofs, v);
        assert_eq!(p1.cell_dofs, m.cells);
        assert_eq!(p1.dof_coords, m.coords);
        let p2 = DofMap::new(&m, 2).unwrap();
        assert_eq!(p2.num_dofs, v + e + f + c, "{:?}", m.cell_type);
        assert_eq!(
            p2.dofs_per_cell,
            Element::lagrange(m.cell_type, 2).unwrap().num_dofs()
        );
        assert_eq!(p2.dof_coords.len(), p2.num_dofs);
        // Every DOF is used; vertex DOFs are the vertices.
        let mut used = vec![false; p2.num_dofs];
        p2.cell_dofs.iter().for_each(|&d| used[d] = true);
        assert!(used.iter().all(|&u| u));
        for cell in 0..m.num_cells() {
            assert_eq!(&p2.cell(cell)[..m.cell_type.num_vertices()], m.cell(cell));
        }
        assert!(DofMap::new(&m, 3).is_err());
    }
    // The shared quad edge 1-4 is local edge 1 of cell 0 and local edge 3 of cell 1.
    let q = DofMap::new(&two_quads(), 2).unwrap();
    assert_eq!(q.cell(0)[4 + 1], q.cell(1)[4 + 3]);
    // The shared hex face x = 1 is face 1 (x+) of cell 0 and face 0 (x-) of cell 1.
    let h = DofMap::new(&two_hexes(), 2).unwrap();
    assert_eq!(h.cell(0)[20 + 1], h.cell(1)[20]);
    assert_ne!(h.cell(0)[26], h.cell(1)[26]);
    // Deterministic.
    assert_eq!(
        DofMap::new(&two_tets(), 2).unwrap(),
        DofMap::new(&two_tets(), 2).unwrap()
    );
}

#[test]
fn fe_dofmap_coords_are_mapped_reference_nodes() {
    for m in all_meshes() {
        let dm = DofMap::new(&m, 2).unwrap();
        for c in 0..m.num_cells() {
            let v = verts(&m, m.cell(c));
            for (j, &xi) in dm.element.ref_dof_coords().iter().enumerate() {
                assert_close(
                    dm.dof_coords[dm.cell(c)[j]],
                    map_cell(m.cell_type, &v, xi).x,
                    "dof node",
                );
            }
            // Edge DOFs sit at edge midpoints.
            let nv = m.cell_type.num_vertices();
            for (k, e) in m.cell_type.edges().iter().enumerate() {
                let mid: Vec<f64> = (0..3).map(|a| 0.5 * (v[e[0]][a] + v[e[1]][a])).collect();
                assert_close(
                    dm.dof_coords[dm.cell(c)[nv + k]],
                    [mid[0], mid[1], mid[2]],
                    "edge midpoint",
                );
            }
        }
    }
}

/// A quadratic (plus x²y²z² on the tensor meshes, whose cells are affine boxes) is interpolated
/// exactly; values and physical gradients are checked at random points.
#[test]
fn fe_dofmap_p2_interpolation_is_exact() {
    let mut rng = Lcg(3);
    for m in all_meshes() {
        let tensor = !m.cell_type.is_simplex();
        let f = |x: [f64; 3]| {
            let mut v = 1.0 + 2.0 * x[0] - x[1] + 0.5 * x[2] + x[0] * x[0] - 3.0 * x[0] * x[1]
                + x[1] * x[2]
                + 0.7 * x[2] * x[2];
            if tensor {
                v += x[0] * x[0] * x[1] * x[1] * (1.0 + x[2] * x[2]);
            }
            v
        };
        let grad = |x: [f64; 3]| {
            let mut g = [
                2.0 + 2.0 * x[0] - 3.0 * x[1],
                -1.0 - 3.0 * x[0] + x[2],
                0.5 + x[1] + 1.4 * x[2],
            ];
            if tensor {
                let s = 1.0 + x[2] * x[2];
                g[0] += 2.0 * x[0] * x[1] * x[1] * s;
                g[1] += 2.0 * x[0] * x[0] * x[1] * s;
                g[2] += 2.0 * x[0] * x[0] * x[1] * x[1] * x[2];
            }
            g
        };
        let dm = DofMap::new(&m, 2).unwrap();
        let u: Vec<f64> = dm.dof_coords.iter().map(|&x| f(x)).collect();
        let d = m.dim;
        let el = &dm.element;
        let mut phi = vec![0.0; el.num_dofs()];
        let mut dphi = vec![[0.0; 3]; el.num_dofs()];
        for c in 0..m.num_cells() {
            let v = verts(&m, m.cell(c));
            for _ in 0..10 {
                let mut xi = [0.0; 3];
                loop {
                    for a in xi.iter_mut().take(d) {
                        *a = if tensor {
                            2.0 * rng.next() - 1.0
                        } else {
                            rng.next()
                        };
                    }
                    if tensor || xi.iter().sum::<f64>() < 1.0 {
                        break;
                    }
                }
                el.tabulate(xi, &mut phi, &mut dphi);
                let map = map_cell(m.cell_type, &v, xi);
                let uh: f64 = dm.cell(c).iter().zip(&phi).map(|(&k, p)| u[k] * p).sum();
                assert!(
                    (uh - f(map.x)).abs() < 1e-11,
                    "{:?}: {uh} vs {}",
                    m.cell_type,
                    f(map.x)
                );
                let mut gh = [0.0; 3];
                for (i, &k) in dm.cell(c).iter().enumerate() {
                    let g = galvana_mesh::fe::push_gradient(&map, d, dphi[i]);
                    (0..3).for_each(|a| gh[a] += u[k] * g[a]);
                }
                let ge = grad(map.x);
                for a in 0..d {
                    assert!(
                        (gh[a] - ge[a]).abs() < 1e-10,
                        "{:?} grad {a}: {} vs {}",
                        m.cell_type,
                        gh[a],
                        ge[a]
                    );
                }
            }
        }
    }
}

/// All rotations and reflections of a vertex list.
fn orderings(f: &[usize]) -> Vec<Vec<usize>> {
    let n = f.len();
    let mut out = Vec::new();
    for r in 0..n {
        let rot: Vec<usize> = (0..n).map(|i| f[(i + r) % n]).collect();
        let mut rev = rot.clone();
        rev.reverse();
        out.push(rot);
        out.push(rev);
    }
    out
}

/// Facet DOFs, checked against the facet element's nodes mapped through the facet.
fn check_facet(m: &Mesh, dm: &DofMap, ft: CellType, f: &[usize]) {
    let el = Element::lagrange(ft, dm.order).unwrap();
    let dofs = dm
        .facet_dofs(ft, f)
        .unwrap_or_else(|| panic!("{ft:?} {f:?} not found"));
    assert_eq!(dofs.len(), el.num_dofs());
    let fv = verts(m, f);
    for (j, &xi) in el.ref_dof_coords().iter().enumerate() {
        assert_close(
            dm.dof_coords[dofs[j]],
            map_facet(ft, &fv, xi, m.dim).x,
            &format!("{ft:?} {f:?} dof {j}"),
        );
    }
}

#[test]
fn fe_dofmap_facet_dofs_in_facet_element_order() {
    for m in all_meshes() {
        for order in [1, 2] {
            let dm = DofMap::new(&m, order).unwrap();
            let ct = m.cell_type;
            for c in 0..m.num_cells() {
                let cv = m.cell(c);
                for f in ct.facets() {
                    let g: Vec<usize> = f.iter().map(|&i| cv[i]).collect();
                    for o in orderings(&g) {
                        check_facet(&m, &dm, ct.facet_type(), &o);
                    }
                }
                for e in ct.edges() {
                    check_facet(&m, &dm, CellType::Line, &[cv[e[1]], cv[e[0]]]);
                }
                // The cell itself, in its own vertex order.
                check_facet(&m, &dm, ct, cv);
            }
        }
    }
    let q = DofMap::new(&two_quads(), 2).unwrap();
    assert_eq!(
        q.facet_dofs(CellType::Line, &[0, 4]),
        None,
        "quad diagonal is not an edge"
    );
    assert_eq!(q.facet_dofs(CellType::Line, &[0, 99]), None);
    assert_eq!(q.facet_dofs(CellType::Line, &[0, 0]), None);
    assert_eq!(q.facet_dofs(CellType::Line, &[0]), None);
    assert_eq!(
        q.facet_dofs(CellType::Quad, &[0, 1, 3, 4]),
        None,
        "crossed vertex order"
    );
    let t = DofMap::new(&two_tets(), 2).unwrap();
    assert_eq!(t.facet_dofs(CellType::Triangle, &[0, 1, 4]), None);
    assert_eq!(t.facet_dofs(CellType::Line, &[0, 4]), None);
    let h = DofMap::new(&two_hexes(), 2).unwrap();
    assert_eq!(
        h.facet_dofs(CellType::Quad, &[0, 1, 10, 9]),
        None,
        "diagonal plane of a hex"
    );
}

#[test]
fn fe_dofmap_boundary_dofs() {
    let m = two_quads();
    let dm = DofMap::new(&m, 2).unwrap();
    let left = dm.boundary_dofs(&m, "left");
    assert_eq!(left.len(), 3);
    assert!(left.iter().all(|&d| dm.dof_coords[d][0] == 0.0));
    assert_eq!(dm.boundary_dofs(&m, "corner"), vec![5]);
    assert!(dm.boundary_dofs(&m, "nope").is_empty());

    let m = two_hexes();
    for order in [1, 2] {
        let dm = DofMap::new(&m, order).unwrap();
        let bottom = dm.boundary_dofs(&m, "bottom");
        let want: Vec<usize> = (0..dm.num_dofs)
            .filter(|&d| dm.dof_coords[d][2] == 0.0)
            .collect();
        assert_eq!(bottom, want);
        assert_eq!(bottom.len(), if order == 1 { 6 } else { 6 + 7 + 2 });
        assert_eq!(dm.boundary_dofs(&m, "edge").len(), order + 1);
        assert_eq!(dm.boundary_dofs(&m, "vertex"), vec![11]);
    }
    let m = two_tets();
    let dm = DofMap::new(&m, 2).unwrap();
    assert_eq!(dm.boundary_dofs(&m, "base").len(), 6);
    assert_eq!(dm.boundary_dofs(&m, "wire").len(), 3);
    let m = line_mesh();
    assert_eq!(
        DofMap::new(&m, 2).unwrap().boundary_dofs(&m, "right"),
        vec![2]
    );
}

#[test]
fn fe_dofmap_renumber_round_trip() {
    let mut rng = Lcg(5);
    for m in all_meshes() {
        let orig = DofMap::new(&m, 2).unwrap();
        let n = orig.num_dofs;
        // Fisher–Yates shuffle.
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (rng.next() * (i + 1) as f64) as usize;
            p.swap(i, j);
        }
        let mut dm = orig.clone();
        dm.renumber(&p);
        for (a, b) in dm.cell_dofs.iter().zip(&orig.cell_dofs) {
            assert_eq!(*a, p[*b]);
        }
        for (d, &pd) in p.iter().enumerate() {
            assert_eq!(dm.dof_coords[pd], orig.dof_coords[d]);
        }
        for c in 0..m.num_cells() {
            for f in m.cell_type.facets() {
                let g: Vec<usize> = f.iter().map(|&i| m.cell(c)[i]).collect();
                let ft = m.cell_type.facet_type();
                let old = orig.facet_dofs(ft, &g).unwrap();
                assert_eq!(
                    dm.facet_dofs(ft, &g).unwrap(),
                    old.iter().map(|&d| p[d]).collect::<Vec<_>>()
                );
            }
        }
        let mut inv = vec![0; n];
        for (o, &nw) in p.iter().enumerate() {
            inv[nw] = o;
        }
        dm.renumber(&inv);
        assert_eq!(dm, orig);
    }
}

/// The generated meshes' boundary facets are entities of the DOF map, their DOFs lie on the
/// boundary plane, and every boundary DOF is found.
#[test]
fn fe_dofmap_on_generated_meshes() {
    use galvana_mesh::generate::{box_mesh, interval, rectangle};
    let meshes = [
        interval(3, 0.0, 1.0).unwrap(),
        rectangle(2, 3, [0.0, 1.0], [0.0, 2.0], false).unwrap(),
        rectangle(2, 3, [0.0, 1.0], [0.0, 2.0], true).unwrap(),
        box_mesh(2, 1, 2, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], false).unwrap(),
        box_mesh(2, 1, 2, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], true).unwrap(),
    ];
    for m in meshes {
        for order in [1, 2] {
            let dm = DofMap::new(&m, order).unwrap();
            for c in 0..m.num_cells() {
                let v = verts(&m, m.cell(c));
                assert!(map_cell(m.cell_type, &v, dm.element.ref_dof_coords()[0]).det > 0.0);
            }
            for (name, b) in &m.boundaries {
                let ft = b.facet_type.unwrap();
                for f in b.iter() {
                    check_facet(&m, &dm, ft, f);
                }
                // Axis-aligned boundary: the coordinate fixed on all its vertices.
                let fixed = (0..m.dim)
                    .find(|&a| {
                        b.facets
                            .iter()
                            .all(|&v| m.coords[v][a] == m.coords[b.facets[0]][a])
                    })
                    .unwrap_or_else(|| panic!("boundary {name} is not axis-aligned"));
                let x0 = m.coords[b.facets[0]][fixed];
                let want: Vec<usize> = (0..dm.num_dofs)
                    .filter(|&d| dm.dof_coords[d][fixed] == x0)
                    .collect();
                assert_eq!(dm.boundary_dofs(&m, name), want, "{:?} {name}", m.cell_type);
            }
        }
    }
}
