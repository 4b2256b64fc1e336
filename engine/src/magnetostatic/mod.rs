//! `magnetostatic` runs: deck checks, set-up (kernel, coils and their areas, force bodies) and
//! the monitors (energy, co-energy, flux linkage, inductance, Maxwell-stress forces).

pub mod post;

use crate::comm::Comm;
use crate::fem::assemble::Bc;
use crate::fem::space::Space;
use crate::setup::{at_key, Params};
use galvana_decks::{Deck, Diagnostic};
use galvana_mesh::fe::{map_cell, Quadrature};
use galvana_mesh::Mesh;
use galvana_physics::magnetostatic::deck::{self as mdeck, CoilDrive};
use galvana_physics::magnetostatic::{Geometry, MagneticMaterial, Magnetostatic};
use galvana_physics::ParamGetter;
use std::sync::Arc;

/// A coil as set up: its regions, cross-section area and drive.
#[derive(Clone, Debug)]
pub struct Coil {
    pub name: String,
    pub regions: Vec<u32>,
    /// Cross-section (m²) of its regions in the mesh plane.
    pub area: f64,
    pub drive: CoilDrive,
}

impl Coil {
    /// (turns, current in each turn).
    pub fn turns_current(&self) -> (f64, f64) {
        self.drive.turns_current(self.area)
    }
}

/// What the monitors need besides the assembler.
#[derive(Clone, Debug)]
pub struct Setup {
    pub kernel: Arc<Magnetostatic>,
    pub coils: Vec<Coil>,
    /// (name, region id) of each body whose force is reported.
    pub force_regions: Vec<(String, u32)>,
}

/// Cross-section (m²) of the cells in `regions` (replicated mesh: no communication).
pub fn region_area(mesh: &Mesh, regions: &[u32]) -> f64 {
    let q = Quadrature::new(mesh.cell_type, 1);
    let mut verts = vec![[0.0; 3]; mesh.cell_type.num_vertices()];
    let mut area = 0.0;
    for c in 0..mesh.num_cells() {
        if !regions.contains(&mesh.cell_region[c]) {
            continue;
        }
        for (v, &vi) in verts.iter_mut().zip(mesh.cell(c)) {
            *v = mesh.coords[vi];
        }
        for (xi, w) in q.points.iter().zip(&q.weights) {
            area += w * map_cell(mesh.cell_type, &verts, *xi).det.abs();
        }
    }
    area
}

fn region_ids(mesh: &Mesh, names: &[String]) -> Vec<u32> {
    names.iter().filter_map(|r| mesh.region_id(r)).collect()
}

/// Deck checks beyond the schema (materials, coils, bcs, geometry vs mesh), after the
/// region-ownership checks common to FEM decks.
pub fn check_deck(deck: &Deck, mesh: &Mesh, diags: &mut Vec<Diagnostic>) {
    let geometry = match mdeck::geometry(&Params(&deck.physics)) {
        Ok(g) => Some(g),
        Err(e) => {
            diags.push(at_key(deck, "physics", "", &deck.physics, e));
            None
        }
    };
    if let Err(e) =
        galvana_physics::thermal::HeatConductionOptions::from_params(&Params(&deck.physics))
    {
        let e = e.replace("heat_conduction", "magnetostatic");
        diags.push(at_key(deck, "physics", "", &deck.physics, e));
    }
    if mesh.dim != 2 {
        diags.push(deck.diag_at(
            &["mesh"],
            format!(
                "magnetostatic needs a 2D mesh (planar x-y or axisymmetric r-z), this one is {}D",
                mesh.dim
            ),
            None,
        ));
    }
    if geometry == Some(Geometry::Axisymmetric) {
        let min_r = mesh
            .coords
            .iter()
            .map(|c| c[0])
            .fold(f64::INFINITY, f64::min);
        let max_r = mesh.coords.iter().map(|c| c[0].abs()).fold(0.0, f64::max);
        if min_r < -1e-12 * max_r.max(1e-300) {
            diags.push(deck.diag_at(
                &["physics", "geometry"],
                format!("axisymmetric: x is the radius and must be >= 0, but the mesh reaches x = {min_r:e}"),
                None,
            ));
        }
    }
    for (name, obj) in &deck.materials {
        if let Err(e) = mdeck::build_material(&obj.type_name, &Params(obj)) {
            diags.push(at_key(deck, "materials", name, obj, e));
        }
    }
    for (name, obj) in &deck.bcs {
        if let Err(e) = mdeck::build_bc(&obj.type_name, &Params(obj)) {
            diags.push(at_key(deck, "bcs", name, obj, e));
        }
    }
    for (name, obj) in &deck.sources {
        if obj.type_name != "coil" {
            diags.push(deck.diag_at(
                &["sources", name, "type"],
                format!(
                    "source type `{}` cannot be used with magnetostatic (expected coil)",
                    obj.type_name
                ),
                None,
            ));
            continue;
        }
        match CoilDrive::from_params(&Params(obj)) {
            Err(e) => diags.push(at_key(deck, "sources", name, obj, e)),
            Ok(_) => {
                let ids = region_ids(mesh, &obj.opt_str_array("regions").unwrap_or_default());
                if !ids.is_empty() && region_area(mesh, &ids) <= 0.0 {
                    diags.push(deck.diag_at(
                        &["sources", name, "regions"],
                        "coil regions have no area",
                        None,
                    ));
                }
            }
        }
    }
    if deck.time.kind == galvana_decks::TimeKind::Transient {
        diags.push(deck.diag_at(
            &["time"],
            "magnetostatic is steady (eddy currents are not modelled): remove [time] or set type = \"steady\"",
            None,
        ));
    }
}

/// What [`build`] returns: the space, the kernel, the bcs and the monitor set-up.
pub type Built = (
    Space,
    Box<dyn galvana_physics::kernel::VolumeKernel>,
    Vec<Bc>,
    Setup,
);

/// Space, kernel, bcs and monitor set-up of a magnetostatic run.
pub fn build(
    comm: &Comm,
    deck: &Deck,
    mesh: Arc<Mesh>,
    cell_part: Vec<u32>,
) -> Result<Built, String> {
    let get = Params(&deck.physics);
    let geometry = mdeck::geometry(&get)?;
    let order = get.i64("order").unwrap_or(1) as usize;
    let space = Space::new(comm, mesh.clone(), order, 1, cell_part)?;
    let mut materials: Vec<(u32, Arc<MagneticMaterial>)> = Vec::new();
    for (name, obj) in &deck.materials {
        let m = Arc::new(
            mdeck::build_material(&obj.type_name, &Params(obj))
                .map_err(|e| format!("material `{name}`: {e}"))?,
        );
        for r in region_ids(&mesh, &obj.opt_str_array("regions").unwrap_or_default()) {
            materials.push((r, m.clone()));
        }
    }
    let mut coils = Vec::new();
    let mut currents = Vec::new();
    for (name, obj) in &deck.sources {
        let drive =
            CoilDrive::from_params(&Params(obj)).map_err(|e| format!("source `{name}`: {e}"))?;
        let regions = region_ids(&mesh, &obj.opt_str_array("regions").unwrap_or_default());
        let area = region_area(&mesh, &regions);
        let j = drive.density(area);
        currents.extend(regions.iter().map(|&r| (r, j)));
        coils.push(Coil {
            name: name.clone(),
            regions,
            area,
            drive,
        });
    }
    let kernel = Magnetostatic::new(geometry, materials, currents)?;
    let used: Vec<u32> = mesh.region_names.keys().copied().collect();
    kernel.check_regions(&used)?;
    let mut bcs = Vec::new();
    for (name, obj) in &deck.bcs {
        let k = mdeck::build_bc(&obj.type_name, &Params(obj))
            .map_err(|e| format!("bc `{name}`: {e}"))?;
        bcs.push(Bc {
            name: name.clone(),
            boundaries: obj.opt_str_array("boundary").unwrap_or_default(),
            kernel: Box::new(k),
        });
    }
    let force_regions = deck
        .physics
        .opt_str_array("force_regions")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| mesh.region_id(&n).map(|id| (n, id)))
        .collect();
    let kernel = Arc::new(kernel);
    let setup = Setup {
        kernel: kernel.clone(),
        coils,
        force_regions,
    };
    Ok((space, Box::new((*kernel).clone()), bcs, setup))
}
