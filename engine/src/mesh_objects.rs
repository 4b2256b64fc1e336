//! Mesh objects of the deck's `[mesh]` section: generators and file readers, each declaring its
//! parameters, and the partitioner choice.

use galvana_decks::Object;
use galvana_mesh::Mesh;
use std::path::Path;

/// Register the mesh object types (declared with the deck language).
pub use galvana_decks::mesh_types::register;

/// Build the mesh an object describes. `deck_dir` resolves relative file paths.
pub fn build(obj: &Object, deck_dir: &Path) -> Result<Mesh, String> {
    use galvana_mesh::generate;
    let pair = |k: &str| {
        let v = obj.get_f64_array(k);
        [v[0], v[1]]
    };
    let simplex = obj.opt_str("cells") == Some("simplex");
    let r = match obj.type_name.as_str() {
        "interval" => generate::interval_graded(
            obj.get_i64("nx") as usize,
            pair("x")[0],
            pair("x")[1],
            obj.opt_f64("grading").unwrap_or(1.0),
        ),
        "rectangle" => generate::rectangle(
            obj.get_i64("nx") as usize,
            obj.get_i64("ny") as usize,
            pair("x"),
            pair("y"),
            simplex,
        ),
        "box" => generate::box_mesh(
            obj.get_i64("nx") as usize,
            obj.get_i64("ny") as usize,
            obj.get_i64("nz") as usize,
            pair("x"),
            pair("y"),
            pair("z"),
            simplex,
        ),
        "gmsh" => {
            let path = deck_dir.join(obj.get_str("file"));
            galvana_mesh::gmsh::read_msh(&path).map(|mut m| {
                let s = obj.get_f64("scale");
                if s != 1.0 {
                    m.coords
                        .iter_mut()
                        .for_each(|c| c.iter_mut().for_each(|x| *x *= s));
                }
                m
            })
        }
        other => return Err(format!("unknown mesh type `{other}`")),
    };
    let mut mesh = r.map_err(|e| e.to_string())?;
    if let Some(names) = obj.opt_str_array("regions") {
        split_regions(
            &mut mesh,
            &names,
            &obj.opt_f64_array("region_breaks").unwrap_or_default(),
            obj.opt_str("region_axis").unwrap_or("x"),
        )?;
    }
    Ok(mesh)
}

/// Assign generated cells to named regions by the centroid coordinate along `axis`.
fn split_regions(
    mesh: &mut Mesh,
    names: &[String],
    breaks: &[f64],
    axis: &str,
) -> Result<(), String> {
    if names.is_empty() || breaks.len() + 1 != names.len() {
        return Err(format!(
            "`regions` has {} names, so `region_breaks` needs {} values, not {}",
            names.len(),
            names.len().saturating_sub(1),
            breaks.len()
        ));
    }
    if breaks.windows(2).any(|w| w[1] <= w[0]) {
        return Err("`region_breaks` must increase".into());
    }
    let a = match axis {
        "y" => 1,
        "z" => 2,
        _ => 0,
    };
    let nv = mesh.cell_type.num_vertices();
    for c in 0..mesh.num_cells() {
        let x = mesh.cells[c * nv..(c + 1) * nv]
            .iter()
            .map(|&v| mesh.coords[v][a])
            .sum::<f64>()
            / nv as f64;
        mesh.cell_region[c] = breaks.partition_point(|&b| b <= x) as u32;
    }
    mesh.region_names = names
        .iter()
        .enumerate()
        .map(|(i, n)| (i as u32, n.clone()))
        .collect();
    let mut used = vec![false; names.len()];
    mesh.cell_region
        .iter()
        .for_each(|&r| used[r as usize] = true);
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(format!(
            "region `{}` gets no cells; move `region_breaks` or refine the mesh",
            names[i]
        ));
    }
    Ok(())
}

/// Refuse meshes that cannot fit: every rank holds the whole mesh (replicated), so a
/// generated mesh must fit in this node's available memory with room for the solver.
pub fn check_size(obj: &Object) -> Result<(), String> {
    let n = |k: &str| obj.opt_i64(k).unwrap_or(1).max(1) as f64;
    let simplex = obj.opt_str("cells") == Some("simplex");
    let (cells, verts_per_cell, vertices) = match obj.type_name.as_str() {
        "interval" => (n("nx"), 2.0, n("nx") + 1.0),
        "rectangle" => {
            let c = n("nx") * n("ny");
            if simplex {
                (2.0 * c, 3.0, (n("nx") + 1.0) * (n("ny") + 1.0))
            } else {
                (c, 4.0, (n("nx") + 1.0) * (n("ny") + 1.0))
            }
        }
        "box" => {
            let c = n("nx") * n("ny") * n("nz");
            let v = (n("nx") + 1.0) * (n("ny") + 1.0) * (n("nz") + 1.0);
            if simplex {
                (6.0 * c, 4.0, v)
            } else {
                (c, 8.0, v)
            }
        }
        _ => return Ok(()),
    };
    // Connectivity, coordinates, regions, DOF maps and the partition: about 3× the raw arrays.
    let bytes = 3.0 * (cells * (verts_per_cell * 8.0 + 8.0) + vertices * 24.0);
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb * 1024.0)
        .unwrap_or(f64::INFINITY);
    if bytes > available || cells > 2.0e9 {
        return Err(format!(
            "this mesh has {cells:.3e} cells and needs about {:.1} GB on every rank (the mesh is replicated), but {:.1} GB are available; use fewer cells or a Gmsh mesh",
            bytes / 1e9,
            available / 1e9
        ));
    }
    Ok(())
}
