//! Evaluation targets of biot_savart decks (`[postprocessors.<name>]`): lines, planes, points
//! read from a CSV file, and the nodes of a mesh (optionally of some of its regions).

use super::{Points, V3};
use crate::battery::deck::DeckError;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use galvana_decks::Object;
use std::collections::BTreeSet;
use std::path::Path;

pub const TARGET_TYPES: &[&str] = &["line", "plane", "points", "mesh"];

const V3K: ParamKind = ParamKind::FloatArray { len: Some(3) };

pub fn target_specs() -> Vec<ObjectSpec> {
    vec![
        ObjectSpec {
            type_name: "line",
            description: "biot_savart target: `n` evenly spaced points from `start` to `end`; writes line_<name>.csv (x, y, z, Bx, By, Bz, B).",
            params: vec![
                ParamSpec::required("start", V3K, "m", "First point."),
                ParamSpec::required("end", V3K, "m", "Last point."),
                ParamSpec::optional("n", ParamKind::Int { min: Some(2), max: Some(10_000_000) }, "", "101", "Number of points."),
            ],
        },
        ObjectSpec {
            type_name: "plane",
            description: "biot_savart target: the grid `origin + i·u/(n_u−1) + j·v/(n_v−1)`; writes plane_<name>.csv (i slowest) and a grid in field_map.h5/.xdmf.",
            params: vec![
                ParamSpec::required("origin", V3K, "m", "Corner of the grid."),
                ParamSpec::required("u", V3K, "m", "First edge vector."),
                ParamSpec::required("v", V3K, "m", "Second edge vector."),
                ParamSpec::optional("n_u", ParamKind::Int { min: Some(2), max: Some(100_000) }, "", "51", "Points along u."),
                ParamSpec::optional("n_v", ParamKind::Int { min: Some(2), max: Some(100_000) }, "", "51", "Points along v."),
            ],
        },
        ObjectSpec {
            type_name: "points",
            description: "biot_savart target: the points of a CSV file (a header naming columns x, y and z or x_m, y_m, z_m, other columns ignored, `#` lines skipped); writes points_<name>.csv in file order.",
            params: vec![
                ParamSpec::required("file", ParamKind::Path, "", "CSV file, relative to the deck."),
                ParamSpec::optional("scale", ParamKind::Float { min: Some(0.0), max: None }, "m", "1.0",
                    "Metres per file unit (0.001 for a file in mm)."),
            ],
        },
        ObjectSpec {
            type_name: "mesh",
            description: "biot_savart target: the nodes of a Gmsh mesh (.msh 2.2 or 4.1), all of them or those of the cells in `regions` (e.g. the winding, for the peak field on the conductor); writes mesh_<name>.csv and the mesh with B at its nodes in field_map.h5/.xdmf.",
            params: vec![
                ParamSpec::required("file", ParamKind::Path, "", "Gmsh mesh file, relative to the deck."),
                ParamSpec::maybe("regions", ParamKind::StringArray, "",
                    "Physical groups (cell regions) whose nodes are evaluated (default: all cells)."),
                ParamSpec::optional("scale", ParamKind::Float { min: Some(0.0), max: None }, "m", "1.0",
                    "Metres per mesh unit (0.001 for a mesh in mm)."),
            ],
        },
    ]
}

/// A mesh as read from a file, reduced to what a field target needs.
#[derive(Clone, Debug, Default)]
pub struct NodeMesh {
    pub coords: Vec<V3>,
    /// XDMF topology name of the cells (`Tetrahedron`, `Triangle`, ...).
    pub topology_type: String,
    pub nodes_per_cell: usize,
    /// Flat connectivity, `nodes_per_cell` per cell.
    pub cells: Vec<usize>,
    pub cell_region: Vec<u32>,
    pub region_names: Vec<(u32, String)>,
}

/// The cells of a mesh target, numbered over the target's points.
#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    pub topology_type: String,
    pub nodes_per_cell: usize,
    pub cells: Vec<usize>,
}

/// One evaluation target.
pub struct Target {
    pub name: String,
    pub kind: String,
    pub points: Points,
    /// (n_u, n_v) of a plane target.
    pub grid: Option<(usize, usize)>,
    /// Cells of a mesh target.
    pub topology: Option<Topology>,
}

impl NodeMesh {
    /// The nodes of the cells in `regions` (all cells if empty), in the mesh's node order and
    /// scaled by `scale`, with those cells renumbered over them. Errors name unknown regions.
    pub fn restrict(&self, regions: &[String], scale: f64) -> Result<(Points, Topology), String> {
        let mut ids = BTreeSet::new();
        for r in regions {
            match self.region_names.iter().find(|(_, n)| n == r) {
                Some((id, _)) => {
                    ids.insert(*id);
                }
                None => {
                    let names: Vec<&str> =
                        self.region_names.iter().map(|(_, n)| n.as_str()).collect();
                    return Err(format!(
                        "unknown region `{r}`; the mesh has: {}",
                        names.join(", ")
                    ));
                }
            }
        }
        let npc = self.nodes_per_cell.max(1);
        let keep = |c: usize| ids.is_empty() || ids.contains(&self.cell_region[c]);
        let mut used = vec![false; self.coords.len()];
        let ncells = self.cells.len() / npc;
        for c in (0..ncells).filter(|&c| keep(c)) {
            for &v in &self.cells[c * npc..(c + 1) * npc] {
                *used
                    .get_mut(v)
                    .ok_or("mesh cell refers to a missing node")? = true;
            }
        }
        let mut number = vec![usize::MAX; self.coords.len()];
        let mut points = Points::default();
        for (v, &u) in used.iter().enumerate() {
            if u {
                number[v] = points.len();
                let p = self.coords[v];
                points.push([p[0] * scale, p[1] * scale, p[2] * scale]);
            }
        }
        if points.is_empty() {
            return Err("the selected cells have no nodes".into());
        }
        let cells = (0..ncells)
            .filter(|&c| keep(c))
            .flat_map(|c| {
                self.cells[c * npc..(c + 1) * npc]
                    .iter()
                    .map(|&v| number[v])
            })
            .collect();
        Ok((
            points,
            Topology {
                topology_type: self.topology_type.clone(),
                nodes_per_cell: npc,
                cells,
            },
        ))
    }
}

/// Points from CSV text: the first line that is neither blank nor a `#` comment is a header
/// naming columns `x`, `y`, `z` or `x_m`, `y_m`, `z_m` (any order, case-insensitive, other columns
/// ignored); every
/// further line is one point. Errors are `file:line: message`.
pub fn read_points_csv(text: &str, file: &str, scale: f64) -> Result<Points, String> {
    let mut cols: Option<[usize; 3]> = None;
    let mut out = Points::default();
    for (k, line) in text.lines().enumerate() {
        let ln = k + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = t.split(',').map(str::trim).collect();
        let Some(c) = cols else {
            // `x_m` as well: the unit suffix of the project's CSV convention.
            let find = |name: &str| {
                fields.iter().position(|f| {
                    f.eq_ignore_ascii_case(name) || f.eq_ignore_ascii_case(&format!("{name}_m"))
                })
            };
            match (find("x"), find("y"), find("z")) {
                (Some(x), Some(y), Some(z)) => cols = Some([x, y, z]),
                _ => {
                    return Err(format!(
                        "{file}:{ln}: expected a header naming columns x, y, z, got `{t}`"
                    ))
                }
            }
            continue;
        };
        let mut p = [0.0; 3];
        for (j, (&col, name)) in c.iter().zip(["x", "y", "z"]).enumerate() {
            let f = fields.get(col).ok_or_else(|| {
                format!(
                    "{file}:{ln}: expected at least {} fields (column `{name}`), got {}",
                    col + 1,
                    fields.len()
                )
            })?;
            let v: f64 = f.parse().map_err(|_| {
                format!("{file}:{ln}: column `{name}`: expected a number, got `{f}`")
            })?;
            if !v.is_finite() {
                return Err(format!("{file}:{ln}: column `{name}`: {v} is not finite"));
            }
            p[j] = v * scale;
        }
        out.push(p);
    }
    match cols {
        None => Err(format!("{file}: no header line (x, y, z)")),
        Some(_) if out.is_empty() => Err(format!("{file}: no points after the header")),
        Some(_) => Ok(out),
    }
}

fn v3(o: &Object, k: &str) -> V3 {
    let a = o.get_f64_array(k);
    [a[0], a[1], a[2]]
}

/// Builds the target `[postprocessors.<name>]`; files are relative to `dir`, meshes read by
/// `read_mesh` (the engine's Gmsh reader; its errors name the file and line).
pub fn build_target(
    name: &str,
    o: &Object,
    dir: &Path,
    read_mesh: &dyn Fn(&Path) -> Result<NodeMesh, String>,
) -> Result<Target, DeckError> {
    let te = |k: &str, m: String| DeckError {
        key: vec!["postprocessors".into(), name.into(), k.into()],
        message: m,
        help: None,
    };
    let mut grid = None;
    let mut topology = None;
    let scale = o.opt_f64("scale").unwrap_or(1.0);
    if !(scale > 0.0 && scale.is_finite()) {
        return Err(te(
            "scale",
            format!("`scale` of target `{name}` must be > 0, got {scale}"),
        ));
    }
    let points = match o.type_name.as_str() {
        "line" => {
            let n = o.get_i64("n") as usize;
            Points::line(v3(o, "start"), v3(o, "end"), n).map_err(|m| te("start", m))?
        }
        "plane" => {
            let (nu, nv) = (o.get_i64("n_u") as usize, o.get_i64("n_v") as usize);
            grid = Some((nu, nv));
            Points::plane(v3(o, "origin"), v3(o, "u"), v3(o, "v"), nu, nv)
                .map_err(|m| te("origin", m))?
        }
        "points" => {
            let f = o.get_str("file");
            let path = dir.join(f);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| te("file", format!("cannot read {}: {e}", path.display())))?;
            read_points_csv(&text, &path.display().to_string(), scale)
                .map_err(|m| te("file", m))?
        }
        "mesh" => {
            let path = dir.join(o.get_str("file"));
            let mesh = read_mesh(&path).map_err(|m| te("file", m))?;
            let regions = o.opt_str_array("regions").unwrap_or_default();
            let (p, t) = mesh
                .restrict(&regions, scale)
                .map_err(|m| te(if regions.is_empty() { "file" } else { "regions" }, m))?;
            topology = Some(t);
            p
        }
        other => {
            return Err(DeckError {
                key: vec!["postprocessors".into(), name.into(), "type".into()],
                message: format!(
                    "postprocessor type `{other}` in [postprocessors.{name}] is not a biot_savart target"
                ),
                help: Some(format!("target types: {}", TARGET_TYPES.join(", "))),
            })
        }
    };
    Ok(Target {
        name: name.into(),
        kind: o.type_name.clone(),
        points,
        grid,
        topology,
    })
}
