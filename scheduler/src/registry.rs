//! A deck registry without the engine (which links MPI): the physics crate's objects plus the
//! mesh object declarations.
//!
//! The mesh declarations duplicate `engine/src/mesh_objects.rs::register` (they should move to
//! the mesh crate so both can share them); `tests/local_e2e.rs` compares them with the
//! `galvana docs` output of the real binary so a drift is caught.

use galvana_decks::schema::{ObjectSpec, ParamKind as K, ParamSpec as P, Registry, SectionKind};
use galvana_decks::Deck;
use std::path::Path;

const PARTITIONER: P = P::optional(
    "partitioner",
    K::Choice(&["metis", "rcb"]),
    "",
    "\"metis\"",
    "How cells are split over MPI ranks: METIS graph partitioning or recursive coordinate bisection",
);
const CELLS: P = P::optional(
    "cells",
    K::Choice(&["simplex", "tensor"]),
    "",
    "\"tensor\"",
    "Cell shape: simplices (triangles/tetrahedra) or tensor-product cells (quadrilaterals/hexahedra)",
);
const REGIONS: P = P::maybe(
    "regions",
    K::StringArray,
    "",
    "Names of regions laid out along `region_axis`, split at `region_breaks` (default: one region `domain`)",
);
const BREAKS: P = P::maybe(
    "region_breaks",
    K::FloatArray { len: None },
    "m",
    "Increasing coordinates separating the regions along `region_axis` (one fewer than `regions`); a cell belongs to the region containing its centroid",
);
const AXIS: P = P::optional(
    "region_axis",
    K::Choice(&["x", "y", "z"]),
    "",
    "\"x\"",
    "Axis along which `regions` are laid out",
);

fn n(name: &'static str, what: &'static str) -> P {
    let kind = K::Int {
        min: Some(1),
        max: Some(100_000),
    };
    P::required(name, kind, "", what)
}
fn range(name: &'static str, what: &'static str) -> P {
    P::required(name, K::FloatArray { len: Some(2) }, "m", what)
}

fn mesh(reg: &mut Registry, type_name: &'static str, description: &'static str, params: Vec<P>) {
    let spec = ObjectSpec {
        type_name,
        description,
        params,
    };
    reg.add(SectionKind::Mesh, spec);
}

/// The mesh object types (same declarations as the engine's).
pub fn register_mesh(reg: &mut Registry) {
    mesh(
        reg,
        "interval",
        "Uniform 1D mesh of line cells on [x0, x1]; boundaries `left`, `right`; region `domain`.",
        vec![
            n("nx", "Number of cells"),
            range("x", "Interval [x0, x1]"),
            REGIONS,
            BREAKS,
            AXIS,
            PARTITIONER,
        ],
    );
    mesh(reg, "rectangle",
        "Structured 2D mesh of a rectangle; boundaries `left`, `right`, `bottom`, `top`; region `domain`.",
        vec![n("nx", "Cells along x"), n("ny", "Cells along y"), range("x", "Extent [x0, x1]"),
             range("y", "Extent [y0, y1]"), CELLS, REGIONS, BREAKS, AXIS, PARTITIONER]);
    mesh(reg, "box",
        "Structured 3D mesh of a box; boundaries `left`/`right` (x), `bottom`/`top` (y), `back`/`front` (z); region `domain`.",
        vec![n("nx", "Cells along x"), n("ny", "Cells along y"), n("nz", "Cells along z"),
             range("x", "Extent [x0, x1]"), range("y", "Extent [y0, y1]"), range("z", "Extent [z0, z1]"),
             CELLS, REGIONS, BREAKS, AXIS, PARTITIONER]);
    mesh(reg, "gmsh",
        "A Gmsh MSH 4.1 file (ASCII or binary). Physical groups of the top dimension become regions, lower-dimensional ones boundaries.",
        vec![
            P::required("file", K::Path, "", "Path of the .msh file, relative to the deck"),
            P::optional("scale", K::Float { min: Some(0.0), max: None }, "", "1.0", "Factor applied to coordinates (e.g. 1e-3 for a mesh drawn in mm)"),
            PARTITIONER,
        ]);
}

/// Every object type the engine knows: mesh types plus the physics crate's.
pub fn registry() -> Registry {
    let mut reg = Registry::default();
    register_mesh(&mut reg);
    galvana_physics::register(&mut reg);
    reg
}

/// Load and check a deck (everything `galvana check` checks except mesh names, which need the
/// mesh). Errors come back as `path:line:col: error: …` lines.
pub fn load_deck(path: &Path) -> crate::Result<Deck> {
    Deck::load(path, &registry()).map_err(|diags| {
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        crate::Error::Invalid(lines.join("\n"))
    })
}

/// Check deck text (as [`load_deck`]); `path` is only used in messages.
pub fn parse_deck(path: &str, text: &str) -> crate::Result<Deck> {
    Deck::parse(path, text, &registry()).map_err(|diags| {
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        crate::Error::Invalid(lines.join("\n"))
    })
}
