//! Cell (element geometry) types and their local numbering conventions.
//!
//! Node orderings follow Gmsh/VTK for linear cells: triangle (0,0),(1,0),(0,1); quad
//! counter-clockwise from (-1,-1); tetrahedron (0,0,0),(1,0,0),(0,1,0),(0,0,1); hexahedron
//! bottom face counter-clockwise then top face.

/// Geometric cell type of a mesh entity (always the linear, vertex-only cell).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CellType {
    Point,
    Line,
    Triangle,
    Quad,
    Tetrahedron,
    Hexahedron,
}

impl CellType {
    /// Topological dimension.
    pub fn dim(self) -> usize {
        match self {
            CellType::Point => 0,
            CellType::Line => 1,
            CellType::Triangle | CellType::Quad => 2,
            CellType::Tetrahedron | CellType::Hexahedron => 3,
        }
    }

    /// Number of vertices.
    pub fn num_vertices(self) -> usize {
        match self {
            CellType::Point => 1,
            CellType::Line => 2,
            CellType::Triangle => 3,
            CellType::Quad => 4,
            CellType::Tetrahedron => 4,
            CellType::Hexahedron => 8,
        }
    }

    /// Whether the cell is a simplex (P-family elements) rather than a tensor-product cell (Q-family).
    pub fn is_simplex(self) -> bool {
        matches!(
            self,
            CellType::Point | CellType::Line | CellType::Triangle | CellType::Tetrahedron
        )
    }

    /// Local vertex pairs of the cell's edges.
    pub fn edges(self) -> &'static [[usize; 2]] {
        match self {
            CellType::Point => &[],
            CellType::Line => &[[0, 1]],
            CellType::Triangle => &[[0, 1], [1, 2], [2, 0]],
            CellType::Quad => &[[0, 1], [1, 2], [2, 3], [3, 0]],
            CellType::Tetrahedron => &[[0, 1], [1, 2], [2, 0], [0, 3], [1, 3], [2, 3]],
            CellType::Hexahedron => &[
                [0, 1],
                [1, 2],
                [2, 3],
                [3, 0],
                [4, 5],
                [5, 6],
                [6, 7],
                [7, 4],
                [0, 4],
                [1, 5],
                [2, 6],
                [3, 7],
            ],
        }
    }

    /// Local vertex lists of the cell's facets (codimension-1 entities), outward orientation.
    pub fn facets(self) -> &'static [&'static [usize]] {
        match self {
            CellType::Point => &[],
            CellType::Line => &[&[0], &[1]],
            CellType::Triangle => &[&[0, 1], &[1, 2], &[2, 0]],
            CellType::Quad => &[&[0, 1], &[1, 2], &[2, 3], &[3, 0]],
            CellType::Tetrahedron => &[&[0, 2, 1], &[0, 1, 3], &[1, 2, 3], &[0, 3, 2]],
            CellType::Hexahedron => &[
                &[0, 3, 2, 1],
                &[0, 1, 5, 4],
                &[1, 2, 6, 5],
                &[2, 3, 7, 6],
                &[3, 0, 4, 7],
                &[4, 5, 6, 7],
            ],
        }
    }

    /// Cell type of the facets.
    pub fn facet_type(self) -> CellType {
        match self {
            CellType::Point | CellType::Line => CellType::Point,
            CellType::Triangle | CellType::Quad => CellType::Line,
            CellType::Tetrahedron => CellType::Triangle,
            CellType::Hexahedron => CellType::Quad,
        }
    }

    /// Name used in messages and XDMF (`Triangle`, `Hexahedron`, ...).
    pub fn name(self) -> &'static str {
        match self {
            CellType::Point => "Polyvertex",
            CellType::Line => "Polyline",
            CellType::Triangle => "Triangle",
            CellType::Quad => "Quadrilateral",
            CellType::Tetrahedron => "Tetrahedron",
            CellType::Hexahedron => "Hexahedron",
        }
    }
}
