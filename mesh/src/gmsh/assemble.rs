//! Turn the raw MSH tables into a [`Mesh`]: choose the volume cells, map physical groups to
//! regions and boundaries, renumber nodes and orient boundary facets outward.

use super::sections::RawMsh;
use crate::cell::CellType;
use crate::mesh::{Boundary, Mesh, MeshError};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn fail(file: &str, msg: impl Into<String>) -> MeshError {
    MeshError::Parse {
        file: file.to_string(),
        line: None,
        offset: None,
        msg: msg.into(),
    }
}

pub(super) fn assemble(raw: RawMsh, file: &str) -> Result<Mesh, MeshError> {
    let top_dim = raw
        .blocks
        .iter()
        .filter(|b| !b.nodes.is_empty())
        .map(|b| b.dim)
        .max()
        .ok_or_else(|| fail(file, "the file contains no elements"))?;
    if top_dim == 0 {
        return Err(fail(
            file,
            "the file contains only point elements, no cells",
        ));
    }

    // Physical groups per dimension, from the names table and the entities that use them.
    let mut groups: BTreeMap<usize, BTreeSet<i32>> = BTreeMap::new();
    for &(dim, tag) in raw.physical_names.keys() {
        groups.entry(dim).or_default().insert(tag);
    }
    for (&(dim, _), tags) in &raw.entity_physicals {
        groups.entry(dim).or_default().extend(tags);
    }
    let physicals = |dim: usize, entity: i32| -> &[i32] {
        raw.entity_physicals
            .get(&(dim, entity))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    };

    // Regions: one per top-dimensional physical group; without any, all cells form "domain".
    let top_groups = groups.remove(&top_dim).unwrap_or_default();
    let mut region_names = BTreeMap::new();
    if top_groups.is_empty() {
        region_names.insert(0, "domain".to_string());
    }
    for &tag in &top_groups {
        let name = raw.physical_names.get(&(top_dim, tag)).cloned();
        region_names.insert(tag as u32, name.unwrap_or_else(|| format!("region_{tag}")));
    }

    let mut cell_type: Option<CellType> = None;
    let mut cells: Vec<u64> = Vec::new();
    let mut cell_region: Vec<u32> = Vec::new();
    for b in raw
        .blocks
        .iter()
        .filter(|b| b.dim == top_dim && !b.nodes.is_empty())
    {
        // A cell in several physical groups goes to the first group listed for its entity.
        let region = if top_groups.is_empty() {
            0
        } else {
            match physicals(top_dim, b.entity).first() {
                Some(&tag) => tag as u32,
                None => continue,
            }
        };
        match cell_type {
            Some(t) if t != b.cell_type => {
                return Err(fail(
                    file,
                    format!(
                        "mixed volume cell types ({} and {}, entity {}): a Galvana mesh holds one \
                         cell type; mesh all volumes with the same element type",
                        t.name(),
                        b.cell_type.name(),
                        b.entity
                    ),
                ))
            }
            _ => cell_type = Some(b.cell_type),
        }
        cells.extend_from_slice(&b.nodes);
        let n = b.nodes.len() / b.cell_type.num_vertices();
        cell_region.resize(cell_region.len() + n, region);
    }
    let cell_type = cell_type.ok_or_else(|| {
        fail(
            file,
            format!("no element of dimension {top_dim} belongs to a physical group"),
        )
    })?;

    // Boundaries: every lower-dimensional physical group, interior ones included (groups of a
    // higher dimension than any element, named but never meshed, are ignored).
    let mut boundary_tags: BTreeMap<String, (Option<CellType>, Vec<u64>)> = BTreeMap::new();
    let mut owner: HashMap<String, (usize, i32)> = HashMap::new();
    for (&dim, tags) in groups.range(..top_dim) {
        for &tag in tags {
            let name = match raw.physical_names.get(&(dim, tag)) {
                Some(n) => n.clone(),
                None if dim + 1 == top_dim => format!("boundary_{tag}"),
                None => format!("boundary_{dim}d_{tag}"),
            };
            if let Some((d, t)) = owner.insert(name.clone(), (dim, tag)) {
                return Err(fail(
                    file,
                    format!(
                        "physical groups (dimension {d}, tag {t}) and (dimension {dim}, tag \
                         {tag}) are both named '{name}'; boundary names must be unique"
                    ),
                ));
            }
            let mut facet_type: Option<CellType> = None;
            let mut facets = Vec::new();
            for b in raw
                .blocks
                .iter()
                .filter(|b| b.dim == dim && !b.nodes.is_empty())
            {
                if !physicals(dim, b.entity).contains(&tag) {
                    continue;
                }
                if facet_type.is_some_and(|t| t != b.cell_type) {
                    return Err(fail(
                        file,
                        format!("physical group '{name}' mixes element types; use one type"),
                    ));
                }
                facet_type = Some(b.cell_type);
                facets.extend_from_slice(&b.nodes);
            }
            boundary_tags.insert(name, (facet_type, facets));
        }
    }

    // Keep only referenced nodes, numbered in file order.
    let index =
        TagMap::new(&raw.node_tags).map_err(|t| fail(file, format!("duplicate node tag {t}")))?;
    let mut used = vec![false; raw.node_tags.len()];
    let mut to_file_index = |tags: &[u64]| -> Result<Vec<usize>, MeshError> {
        tags.iter()
            .map(|&t| {
                let i = index.get(t).ok_or_else(|| {
                    fail(
                        file,
                        format!("an element refers to node tag {t}, which is not in $Nodes"),
                    )
                })?;
                used[i] = true;
                Ok(i)
            })
            .collect()
    };
    let mut cells = to_file_index(&cells)?;
    let mut boundaries: BTreeMap<String, Boundary> = BTreeMap::new();
    for (name, (facet_type, tags)) in boundary_tags {
        let facets = to_file_index(&tags)?;
        boundaries.insert(name, Boundary { facet_type, facets });
    }
    let mut new_index = vec![usize::MAX; used.len()];
    let mut coords = Vec::new();
    for (i, _) in used.iter().enumerate().filter(|(_, &u)| u) {
        new_index[i] = coords.len();
        coords.push(raw.coords[i]);
    }
    cells.iter_mut().for_each(|v| *v = new_index[*v]);
    for b in boundaries.values_mut() {
        b.facets.iter_mut().for_each(|v| *v = new_index[*v]);
    }

    flatten_unused_axes(file, top_dim, &mut coords)?;
    orient_outward(cell_type, &cells, &mut boundaries);

    let mesh = Mesh {
        dim: top_dim,
        coords,
        cell_type,
        cells,
        cell_region,
        region_names,
        boundaries,
    };
    mesh.validate().map_err(|e| fail(file, e.to_string()))?;
    Ok(mesh)
}

/// Node tag → position in the file. Dense when tags are compact (the usual 1..N), hashed
/// otherwise, so huge sparse tags cannot blow up memory.
enum TagMap {
    Dense(Vec<usize>),
    Sparse(HashMap<u64, usize>),
}

impl TagMap {
    fn new(tags: &[u64]) -> Result<TagMap, u64> {
        let max = tags.iter().copied().max().unwrap_or(0);
        let dense_limit = (tags.len() as u64).saturating_mul(2).saturating_add(1024);
        if max <= dense_limit {
            let mut map = vec![usize::MAX; max as usize + 1];
            for (i, &t) in tags.iter().enumerate() {
                if std::mem::replace(&mut map[t as usize], i) != usize::MAX {
                    return Err(t);
                }
            }
            Ok(TagMap::Dense(map))
        } else {
            let mut map = HashMap::with_capacity(tags.len());
            for (i, &t) in tags.iter().enumerate() {
                if map.insert(t, i).is_some() {
                    return Err(t);
                }
            }
            Ok(TagMap::Sparse(map))
        }
    }

    fn get(&self, tag: u64) -> Option<usize> {
        match self {
            TagMap::Dense(m) => m
                .get(usize::try_from(tag).ok()?)
                .copied()
                .filter(|&i| i != usize::MAX),
            TagMap::Sparse(m) => m.get(&tag).copied(),
        }
    }
}

/// The data model stores unused coordinates as zero: a 2D mesh must lie in the plane z = 0 and a
/// 1D mesh on the x axis (up to rounding, which is then cleared).
fn flatten_unused_axes(file: &str, dim: usize, coords: &mut [[f64; 3]]) -> Result<(), MeshError> {
    let scale = coords
        .iter()
        .flat_map(|x| x.iter())
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let tol = 1e-10 * scale;
    for (i, x) in coords.iter_mut().enumerate() {
        for (axis, name) in [(1, "y"), (2, "z")] {
            if axis < dim {
                continue;
            }
            if x[axis].abs() > tol {
                let shape = if dim == 2 {
                    "the plane z = 0"
                } else {
                    "the x axis"
                };
                return Err(fail(
                    file,
                    format!(
                        "a {dim}D mesh must lie in {shape}, but vertex {i} has {name} = {}",
                        x[axis]
                    ),
                ));
            }
            x[axis] = 0.0;
        }
    }
    Ok(())
}

type FacetKey = [usize; 4];

fn facet_key(f: &[usize]) -> FacetKey {
    let mut k = [usize::MAX; 4];
    k[..f.len()].copy_from_slice(f);
    k.sort_unstable();
    k
}

/// Gmsh orients boundary elements like their geometric surface, not like the mesh; facets that
/// are faces of exactly one cell are rewritten in that cell's outward order so normals computed
/// from boundary facets point out of the domain. Interior facets keep the file's order.
fn orient_outward(
    cell_type: CellType,
    cells: &[usize],
    boundaries: &mut BTreeMap<String, Boundary>,
) {
    let facet_type = cell_type.facet_type();
    if facet_type == CellType::Point {
        return;
    }
    let mut owners: HashMap<FacetKey, (usize, usize, usize)> = HashMap::new();
    for b in boundaries
        .values()
        .filter(|b| b.facet_type == Some(facet_type))
    {
        for f in b.iter() {
            owners.insert(facet_key(f), (0, 0, 0));
        }
    }
    if owners.is_empty() {
        return;
    }
    let nv = cell_type.num_vertices();
    for (c, cell) in cells.chunks_exact(nv).enumerate() {
        for (l, local) in cell_type.facets().iter().enumerate() {
            let mut f = [0usize; 4];
            for (k, &i) in local.iter().enumerate() {
                f[k] = cell[i];
            }
            if let Some(o) = owners.get_mut(&facet_key(&f[..local.len()])) {
                *o = (o.0 + 1, c, l);
            }
        }
    }
    let local_facets = cell_type.facets();
    for b in boundaries
        .values_mut()
        .filter(|b| b.facet_type == Some(facet_type))
    {
        let n = facet_type.num_vertices();
        for f in b.facets.chunks_exact_mut(n) {
            if let Some(&(1, c, l)) = owners.get(&facet_key(f)) {
                let cell = &cells[c * nv..(c + 1) * nv];
                for (k, &i) in local_facets[l].iter().enumerate() {
                    f[k] = cell[i];
                }
            }
        }
    }
}
