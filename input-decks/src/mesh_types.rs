//! The built-in mesh object types of `[mesh]` (generators and file readers) and their
//! parameters. They live here, with the deck language, so that every tool that checks decks
//! (the engine, the scheduler, the gateway) knows them without linking the engine.

use crate::schema::{ObjectSpec, ParamKind as K, ParamSpec as P, Registry, SectionKind};

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
    P::required(
        name,
        K::Int {
            min: Some(1),
            max: Some(100_000),
        },
        "",
        what,
    )
}
fn range(name: &'static str, what: &'static str) -> P {
    P::required(name, K::FloatArray { len: Some(2) }, "m", what)
}

/// Register the mesh object types.
pub fn register(reg: &mut Registry) {
    reg.add(
        SectionKind::Mesh,
        ObjectSpec {
            type_name: "interval",
            description: "1D mesh of line cells on [x0, x1], uniform or graded; boundaries `left`, `right`; region `domain`.",
            params: vec![
                n("nx", "Number of cells"),
                range("x", "Interval [x0, x1]"),
                P::optional(
                    "grading",
                    K::Float { min: Some(0.0), max: None },
                    "",
                    "1.0",
                    "Ratio of each cell's width to the previous one's, from x0 to x1 (1 = uniform; > 1 refines toward x0, e.g. an electrode or a Debye layer)",
                ),
                REGIONS,
                BREAKS,
                AXIS,
                PARTITIONER,
            ],
        },
    );
    reg.add(
        SectionKind::Mesh,
        ObjectSpec {
            type_name: "rectangle",
            description: "Structured 2D mesh of a rectangle; boundaries `left`, `right`, `bottom`, `top`; region `domain`.",
            params: vec![
                n("nx", "Cells along x"),
                n("ny", "Cells along y"),
                range("x", "Extent [x0, x1]"),
                range("y", "Extent [y0, y1]"),
                CELLS,
                REGIONS,
                BREAKS,
                AXIS,
                PARTITIONER,
            ],
        },
    );
    reg.add(
        SectionKind::Mesh,
        ObjectSpec {
            type_name: "box",
            description: "Structured 3D mesh of a box; boundaries `left`/`right` (x), `bottom`/`top` (y), `back`/`front` (z); region `domain`.",
            params: vec![
                n("nx", "Cells along x"),
                n("ny", "Cells along y"),
                n("nz", "Cells along z"),
                range("x", "Extent [x0, x1]"),
                range("y", "Extent [y0, y1]"),
                range("z", "Extent [z0, z1]"),
                CELLS,
                REGIONS,
                BREAKS,
                AXIS,
                PARTITIONER,
            ],
        },
    );
    reg.add(
        SectionKind::Mesh,
        ObjectSpec {
            type_name: "gmsh",
            description: "A Gmsh MSH 4.1 file (ASCII or binary). Physical groups of the top dimension become regions, lower-dimensional ones boundaries.",
            params: vec![
                P::required("file", K::Path, "", "Path of the .msh file, relative to the deck"),
                P::optional("scale", K::Float { min: Some(0.0), max: None }, "", "1.0", "Factor applied to coordinates (e.g. 1e-3 for a mesh drawn in mm)"),
                PARTITIONER,
            ],
        },
    );
}
