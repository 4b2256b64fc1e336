//! From a checked deck to a runnable problem: registry, mesh, cross-checks against the mesh
//! (boundary and region names), partition, physics objects, solvers.

use crate::comm::Comm;
use crate::fem::assemble::{Assembler, Bc};
use crate::fem::space::Space;
use crate::linalg::krylov::{KrylovOptions, KspType};
use crate::solve::bdf::Scheme;
use crate::solve::driver::TimeConfig;
use crate::solve::linear::{LinearSolver, PcType};
use crate::solve::newton::NewtonOptions;
use galvana_decks::{did_you_mean, Deck, Diagnostic, Object, Registry};
use galvana_mesh::Mesh;
use galvana_physics::thermal::{HeatConduction, HeatConductionOptions};
use galvana_physics::ParamGetter;
use std::path::Path;
use std::sync::Arc;

/// Every object type this build knows.
pub fn registry() -> Registry {
    let mut reg = Registry::default();
    crate::mesh_objects::register(&mut reg);
    galvana_physics::register(&mut reg);
    reg
}

/// Deck objects seen through the physics crate's parameter interface.
pub struct Params<'a>(pub &'a Object);

impl ParamGetter for Params<'_> {
    fn f64(&self, name: &str) -> Option<f64> {
        self.0.opt_f64(name)
    }
    fn str(&self, name: &str) -> Option<String> {
        self.0.opt_str(name).map(str::to_string)
    }
    fn table(&self, name: &str) -> Option<Vec<(f64, f64)>> {
        self.0.opt_table(name)
    }
    fn i64(&self, name: &str) -> Option<i64> {
        self.0.opt_i64(name)
    }
    fn f64_array(&self, name: &str) -> Option<Vec<f64>> {
        self.0.opt_f64_array(name)
    }
    fn str_array(&self, name: &str) -> Option<Vec<String>> {
        self.0.opt_str_array(name)
    }
    fn has(&self, name: &str) -> bool {
        self.0.params.contains_key(name)
    }
}

/// Load and check a deck, then build its mesh and check every mesh name the deck uses.
/// Errors come back as diagnostics with positions in the deck.
pub fn load_checked(path: &Path, reg: &Registry) -> Result<(Deck, Mesh), Vec<Diagnostic>> {
    let deck = Deck::load(path, reg)?;
    if let Err(e) = crate::mesh_objects::check_size(&deck.mesh) {
        return Err(vec![deck.diag_at(&["mesh"], e, None)]);
    }
    let mesh = crate::mesh_objects::build(&deck.mesh, &deck.dir()).map_err(|e| {
        let at: &[&str] = if deck.mesh.type_name == "gmsh" {
            &["mesh", "file"]
        } else {
            &["mesh"]
        };
        vec![deck.diag_at(at, format!("cannot build the mesh: {e}"), None)]
    })?;
    let mut diags = Vec::new();
    let boundaries: Vec<&str> = mesh.boundary_names().collect();
    for (name, bc) in &deck.bcs {
        for (i, b) in bc
            .opt_str_array("boundary")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if !mesh.boundaries.contains_key(b) {
                let idx = i.to_string();
                diags.push(deck.diag_at(
                    &["bcs", name, "boundary", &idx],
                    format!(
                        "unknown boundary `{b}`; the mesh has: {}",
                        boundaries.join(", ")
                    ),
                    did_you_mean(b, &boundaries).map(|s| format!("did you mean `{s}`?")),
                ));
            }
        }
    }
    let regions: Vec<&str> = mesh.region_names.values().map(|s| s.as_str()).collect();
    let mut check_regions = |section: &str, items: &[(String, Object)]| {
        for (name, obj) in items {
            for (i, r) in obj
                .opt_str_array("regions")
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if mesh.region_id(r).is_none() {
                    let idx = i.to_string();
                    diags.push(deck.diag_at(
                        &[section, name, "regions", &idx],
                        format!("unknown region `{r}`; the mesh has: {}", regions.join(", ")),
                        did_you_mean(r, &regions).map(|s| format!("did you mean `{s}`?")),
                    ));
                }
            }
        }
    };
    check_regions("materials", &deck.materials);
    check_regions("sources", &deck.sources);
    // The only postprocessor types are biot_savart field targets (line, plane).
    for (name, obj) in &deck.postprocessors {
        diags.push(deck.diag_at(
            &["postprocessors", name, "type"],
            format!(
                "postprocessor type `{}` is for biot_savart decks (field targets)",
                obj.type_name
            ),
            Some(format!(
                "remove [postprocessors.{name}]: `{}` decks write their own monitors",
                deck.physics.type_name
            )),
        ));
    }
    if deck.physics.type_name == "nernst_planck" {
        crate::electrochem::check_deck(&deck, &mut diags);
        return if diags.is_empty() {
            Ok((deck, mesh))
        } else {
            Err(diags)
        };
    }
    // Every region needs exactly one material.
    let mut owner: std::collections::BTreeMap<&str, &str> = Default::default();
    for (mname, obj) in &deck.materials {
        for r in obj.opt_str_array("regions").unwrap_or_default() {
            if let Some(prev) = owner.insert(
                regions.iter().find(|x| **x == r).copied().unwrap_or(""),
                mname,
            ) {
                if !prev.is_empty() && mesh.region_id(&r).is_some() {
                    diags.push(deck.diag_at(
                        &["materials", mname, "regions"],
                        format!("region `{r}` already has material `{prev}`"),
                        None,
                    ));
                }
            }
        }
    }
    for r in &regions {
        if !owner.contains_key(r) {
            diags.push(deck.diag_at(
                &["materials"],
                format!("region `{r}` has no material; list it in some material's `regions`"),
                None,
            ));
        }
    }
    if deck.physics.type_name == "magnetostatic" {
        crate::magnetostatic::check_deck(&deck, &mesh, &mut diags);
        return if diags.is_empty() {
            Ok((deck, mesh))
        } else {
            Err(diags)
        };
    }
    // Values the schema admits but the physics refuses (a zero conductivity, say) are deck
    // errors too, reported at the key the physics names.
    let at_key = |section: &str, name: &str, obj: &Object, msg: String| {
        at_key(&deck, section, name, obj, msg)
    };
    for (name, obj) in &deck.materials {
        if let Err(e) = galvana_physics::build_material(&obj.type_name, &Params(obj)) {
            diags.push(at_key("materials", name, obj, e));
        }
    }
    for (name, obj) in &deck.bcs {
        if let Err(e) = galvana_physics::build_thermal_bc(&obj.type_name, &Params(obj)) {
            diags.push(at_key("bcs", name, obj, e));
        }
    }
    for (name, obj) in &deck.sources {
        if let Err(e) = galvana_physics::build_source(&obj.type_name, &Params(obj), Vec::new()) {
            diags.push(at_key("sources", name, obj, e));
        }
    }
    if let Err(e) = HeatConductionOptions::from_params(&Params(&deck.physics)) {
        diags.push(at_key("physics", "", &deck.physics, e));
    }
    if deck.time.kind == galvana_decks::TimeKind::Transient && deck.initial.value.is_none() {
        diags.push(deck.diag_at(
            &["initial"],
            "a transient run needs an initial value: set `[initial] value = ...`",
            None,
        ));
    }
    if diags.is_empty() {
        Ok((deck, mesh))
    } else {
        Err(diags)
    }
}

/// A diagnostic at the first key in backquotes of `msg` that `obj` sets, else at the object.
pub(crate) fn at_key(
    deck: &Deck,
    section: &str,
    name: &str,
    obj: &Object,
    msg: String,
) -> Diagnostic {
    let key = msg
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|k| obj.params.contains_key(*k))
        .map(str::to_string);
    let path: Vec<&str> = [section, name]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    match key {
        Some(k) => {
            let mut p = path.clone();
            p.push(&k);
            deck.diag_at(&p, msg, None)
        }
        None => deck.diag_at(&path, msg, None),
    }
}

/// A problem ready to run on this rank.
pub struct Problem {
    pub assembler: Assembler,
    pub linear: LinearSolver,
    pub newton: NewtonOptions,
    pub time: TimeConfig,
    /// Initial value of each component.
    pub initial: Vec<f64>,
    /// Electrolyte and electrodes of a `nernst_planck` run.
    pub electrochem: Option<crate::electrochem::Setup>,
    /// Coils and force bodies of a `magnetostatic` run.
    pub magnetostatic: Option<crate::magnetostatic::Setup>,
}

/// The physics-specific parts of a problem.
struct Physics {
    space: Space,
    kernel: Box<dyn galvana_physics::kernel::VolumeKernel>,
    bcs: Vec<Bc>,
    quadrature: Option<usize>,
    lumped: bool,
    initial: Vec<f64>,
    electrochem: Option<crate::electrochem::Setup>,
    magnetostatic: Option<crate::magnetostatic::Setup>,
}

/// Build the distributed problem for `deck` on `mesh`.
pub fn build_problem(
    comm: &Comm,
    deck: &Deck,
    mesh: Mesh,
    ksp_override: Option<&str>,
    petsc_override: Option<&str>,
) -> Result<Problem, String> {
    let mesh = Arc::new(mesh);
    let parts = comm.size();
    let partitioner = deck.mesh.opt_str("partitioner").unwrap_or("metis");
    let cell_part = if parts == 1 {
        vec![0u32; mesh.num_cells()]
    } else if partitioner == "rcb" {
        galvana_mesh::partition::rcb(&mesh, parts)
            .map_err(|e| e.to_string())?
            .cell_part
    } else {
        galvana_mesh::partition::metis(&mesh, parts)
            .map_err(|e| e.to_string())?
            .cell_part
    };
    if parts > 1 && comm.is_root() {
        let q = galvana_mesh::partition::quality(
            &mesh,
            &galvana_mesh::partition::Partition {
                parts,
                cell_part: cell_part.clone(),
            },
        );
        crate::say!(
            "Partition ({partitioner}, {parts} parts): imbalance {:.3}, edge cut {} cell faces",
            q.imbalance,
            q.edge_cut
        );
    }
    let Physics {
        space,
        kernel,
        bcs,
        quadrature,
        lumped,
        initial,
        mut electrochem,
        magnetostatic,
    } = if deck.physics.type_name == "magnetostatic" {
        let (space, kernel, bcs, setup) =
            crate::magnetostatic::build(comm, deck, mesh.clone(), cell_part)?;
        let opts = HeatConductionOptions::from_params(&Params(&deck.physics))?;
        Physics {
            initial: vec![0.0],
            space,
            kernel,
            bcs,
            quadrature: opts.quadrature_order.map(|q| q as usize),
            lumped: false,
            electrochem: None,
            magnetostatic: Some(setup),
        }
    } else if deck.physics.type_name == "nernst_planck" {
        let (space, kernel, bcs, setup) =
            crate::electrochem::build(comm, deck, mesh.clone(), cell_part)?;
        let opts = HeatConductionOptions::from_params(&Params(&deck.physics))?;
        Physics {
            initial: setup.electrolyte.bulk_state(),
            space,
            kernel,
            bcs,
            quadrature: opts.quadrature_order.map(|q| q as usize),
            lumped: deck.physics.opt_bool("lumped_mass").unwrap_or(false),
            electrochem: Some(setup),
            magnetostatic: None,
        }
    } else {
        thermal_physics(comm, deck, mesh, cell_part)?
    };
    let assembler = Assembler::new(space, kernel, bcs, quadrature, lumped)?;
    if let Some(ec) = electrochem.as_mut() {
        for e in &mut ec.electrodes {
            e.area = assembler.boundary_measure(comm, e.bc);
        }
    }
    let (linear, newton, time) = solvers(deck, ksp_override, petsc_override)?;
    Ok(Problem {
        assembler,
        linear,
        newton,
        time,
        initial,
        electrochem,
        magnetostatic,
    })
}

/// Space, kernel, bcs and initial value of `heat_conduction`.
fn thermal_physics(
    comm: &Comm,
    deck: &Deck,
    mesh: Arc<Mesh>,
    cell_part: Vec<u32>,
) -> Result<Physics, String> {
    let opts = HeatConductionOptions::from_params(&Params(&deck.physics))?;
    let space = Space::new(comm, mesh.clone(), opts.order as usize, 1, cell_part)?;
    let mut materials = Vec::new();
    for (name, obj) in &deck.materials {
        let m = galvana_physics::build_material(&obj.type_name, &Params(obj))
            .map_err(|e| format!("material `{name}`: {e}"))?;
        for r in obj.opt_str_array("regions").unwrap_or_default() {
            materials.push((
                mesh.region_id(&r)
                    .ok_or_else(|| format!("unknown region {r}"))?,
                m.clone(),
            ));
        }
    }
    let mut sources = Vec::new();
    for (name, obj) in &deck.sources {
        let regions = obj
            .opt_str_array("regions")
            .unwrap_or_default()
            .iter()
            .filter_map(|r| mesh.region_id(r))
            .collect();
        sources.push(
            galvana_physics::build_source(&obj.type_name, &Params(obj), regions)
                .map_err(|e| format!("source `{name}`: {e}"))?,
        );
    }
    let kernel = HeatConduction::new(materials, sources);
    let used: Vec<u32> = mesh.region_names.keys().copied().collect();
    kernel.check_regions(&used)?;
    let mut bcs = Vec::new();
    let mut dirichlet_values = Vec::new();
    for (name, obj) in &deck.bcs {
        let k = galvana_physics::build_thermal_bc(&obj.type_name, &Params(obj))
            .map_err(|e| format!("bc `{name}`: {e}"))?;
        if k.is_dirichlet(0) {
            if let Some(v) = obj.opt_f64("value") {
                dirichlet_values.push(v);
            }
        }
        bcs.push(Bc {
            name: name.clone(),
            boundaries: obj.opt_str_array("boundary").unwrap_or_default(),
            kernel: k,
        });
    }
    let initial_value = deck.initial.value.unwrap_or_else(|| {
        if dirichlet_values.is_empty() {
            300.0
        } else {
            dirichlet_values.iter().sum::<f64>() / dirichlet_values.len() as f64
        }
    });
    Ok(Physics {
        space,
        kernel: Box::new(kernel),
        bcs,
        quadrature: opts.quadrature_order.map(|q| q as usize),
        lumped: deck.physics.opt_bool("lumped_mass").unwrap_or(false),
        initial: vec![initial_value],
        electrochem: None,
        magnetostatic: None,
    })
}

/// Linear and nonlinear solvers and the time configuration from `[solver]` and `[time]`.
fn solvers(
    deck: &Deck,
    ksp_override: Option<&str>,
    petsc_override: Option<&str>,
) -> Result<(LinearSolver, NewtonOptions, TimeConfig), String> {
    let lin = &deck.solver.linear;
    let kind = match lin.ksp_type {
        galvana_decks::KspType::Cg => KspType::Cg,
        galvana_decks::KspType::Gmres => KspType::Gmres,
        galvana_decks::KspType::Bicgstab => KspType::BiCgStab,
    };
    let pc = match lin.pc {
        galvana_decks::PcType::None => PcType::None,
        galvana_decks::PcType::Jacobi => PcType::Jacobi,
        galvana_decks::PcType::BlockJacobi | galvana_decks::PcType::Ilu0 => PcType::BlockJacobiIlu0,
    };
    let mut kopts = KrylovOptions {
        kind,
        rtol: lin.rtol,
        atol: lin.atol,
        max_it: lin.max_it as usize,
        restart: lin.restart as usize,
    };
    #[cfg(not(feature = "petsc"))]
    let _ = petsc_override;
    let backend = match ksp_override {
        Some("petsc") => galvana_decks::Backend::Petsc,
        Some("native") => galvana_decks::Backend::Native,
        _ => deck.solver.backend,
    };
    let linear = match backend {
        galvana_decks::Backend::Native => {
            kopts.restart = kopts.restart.max(1);
            LinearSolver::Native { opts: kopts, pc }
        }
        #[cfg(feature = "petsc")]
        galvana_decks::Backend::Petsc => {
            // Command-line options come after the deck's, so they win (PETSc takes the last).
            let o = [deck.solver.petsc_options.as_deref(), petsc_override].iter().flatten().copied().collect::<Vec<_>>().join(" ");
            LinearSolver::Petsc(crate::solve::petsc_backend::PetscSolver::new(&o, lin.rtol, lin.atol, lin.max_it as usize)?)
        }
        #[cfg(not(feature = "petsc"))]
        galvana_decks::Backend::Petsc => {
            return Err("this galvana was built without PETSc; rebuild with `--features petsc` (needs Debian petsc-dev) or set `[solver] backend = \"native\"`".into())
        }
    };
    let nl = &deck.solver.nonlinear;
    let newton = NewtonOptions {
        rtol: nl.rtol,
        atol: nl.atol,
        max_it: nl.max_it as usize,
        line_search: nl.line_search == galvana_decks::LineSearch::Backtracking,
        stol: nl.stol,
    };
    let t = &deck.time;
    let time = TimeConfig {
        steady: t.kind == galvana_decks::TimeKind::Steady,
        scheme: if t.scheme == galvana_decks::TimeScheme::Bdf1 {
            Scheme::Bdf1
        } else {
            Scheme::Bdf2
        },
        start: t.start,
        end: t.end.unwrap_or(t.start),
        dt: t.dt.unwrap_or(1.0),
        dt_min: t.dt_min.unwrap_or(0.0),
        dt_max: t.dt_max.unwrap_or(f64::INFINITY),
        adaptive: t.adaptive,
        target_error: t.target_error,
        growth: t.growth,
        max_steps: t.max_steps,
    };
    Ok((linear, newton, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_declarations_are_consistent() {
        let problems = galvana_decks::lint_registry(&registry());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn committed_deck_reference_is_current() {
        let generated = galvana_decks::reference_markdown(&registry());
        let committed = include_str!("../../docs/deck-reference.md");
        assert!(
            generated == committed,
            "docs/deck-reference.md is stale: regenerate with `galvana docs > docs/deck-reference.md`"
        );
    }
}
