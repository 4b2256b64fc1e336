//! `nernst_planck` runs: deck checks, set-up, electrode monitors and the galvanostat.
//!
//! Integrals over the mesh are per unit length (2D) or per unit area (1D) of the directions the
//! mesh leaves out, so in 1D a "current" column is a current density (A/m²) and an amount is
//! mol/m².

use crate::comm::Comm;
use crate::fem::assemble::Bc;
use crate::fem::space::Space;
use crate::setup::{at_key, Params};
use crate::solve::control::{ExtraColumns, ScalarControl};
use galvana_decks::{Deck, Diagnostic};
use galvana_mesh::Mesh;
use galvana_physics::electrochem::{self, Electrode, Electrolyte, PotentialModel, FARADAY};
use galvana_physics::kernel::VolumeKernel;
use std::cell::RefCell;
use std::sync::Arc;

/// An electrode and where it sits.
#[derive(Clone, Debug)]
pub struct ElectrodeBc {
    /// Index of its bc in the assembler.
    pub bc: usize,
    pub name: String,
    pub electrode: Arc<Electrode>,
    /// Measure of its boundary (m², or m in 2D, 1 in 1D).
    pub area: f64,
}

/// The electrolyte and electrodes of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    pub electrolyte: Arc<Electrolyte>,
    pub electrodes: Vec<ElectrodeBc>,
}

/// Deck checks beyond the schema: species data, electrodes, sections that do not apply.
pub fn check_deck(deck: &Deck, diags: &mut Vec<Diagnostic>) {
    if !deck.materials.is_empty() {
        diags.push(deck.diag_at(
            &["materials"],
            "nernst_planck takes no [materials]: species properties are in [physics]",
            None,
        ));
    }
    if !deck.sources.is_empty() {
        diags.push(deck.diag_at(
            &["sources"],
            "nernst_planck has no volumetric sources (homogeneous reactions are not modelled yet)",
            None,
        ));
    }
    if deck.initial.value.is_some() {
        diags.push(deck.diag_at(
            &["initial", "value"],
            "nernst_planck starts from the bulk `concentrations` of [physics]; remove [initial] value",
            None,
        ));
    }
    let el = match Electrolyte::from_params(&Params(&deck.physics)) {
        Ok(e) => Arc::new(e),
        Err(e) => {
            diags.push(at_key(deck, "physics", "", &deck.physics, e));
            return;
        }
    };
    if let Err(e) =
        galvana_physics::thermal::HeatConductionOptions::from_params(&Params(&deck.physics))
    {
        diags.push(at_key(
            deck,
            "physics",
            "",
            &deck.physics,
            e.replace("heat_conduction", "nernst_planck"),
        ));
    }
    let mut galvanostatic = Vec::new();
    let mut reference = false;
    for (name, obj) in &deck.bcs {
        match electrochem::build_bc(&obj.type_name, &Params(obj), &el) {
            Err(e) => diags.push(at_key(deck, "bcs", name, obj, e)),
            Ok(b) => {
                reference |= obj.type_name == "bulk";
                if b.electrode.as_ref().is_some_and(|e| e.is_galvanostatic()) {
                    galvanostatic.push(name.clone());
                }
            }
        }
    }
    if galvanostatic.len() > 1 {
        diags.push(deck.diag_at(
            &["bcs", &galvanostatic[1]],
            format!(
                "only one electrode per run may be current-driven; `{}` already is",
                galvanostatic[0]
            ),
            None,
        ));
    }
    if !reference && diags.is_empty() {
        diags.push(deck.diag_at(
            &["bcs"],
            "nernst_planck needs a `bulk` boundary: it holds the bulk concentrations and sets the \
             reference of the potential",
            None,
        ));
    }
}

/// Space, kernel, bcs and electrodes of a problem.
pub type Parts = (Space, Box<dyn VolumeKernel>, Vec<Bc>, Setup);

/// Space, kernel and bcs of a `nernst_planck` deck (already checked).
pub fn build(
    comm: &Comm,
    deck: &Deck,
    mesh: Arc<Mesh>,
    cell_part: Vec<u32>,
) -> Result<Parts, String> {
    let el = Arc::new(Electrolyte::from_params(&Params(&deck.physics))?);
    let order = deck.physics.opt_i64("order").unwrap_or(1) as usize;
    let space = Space::new(comm, mesh, order, el.ncomp(), cell_part)?;
    let mut bcs = Vec::new();
    let mut electrodes = Vec::new();
    for (name, obj) in &deck.bcs {
        let b = electrochem::build_bc(&obj.type_name, &Params(obj), &el)
            .map_err(|e| format!("bc `{name}`: {e}"))?;
        if let Some(e) = b.electrode {
            electrodes.push(ElectrodeBc {
                bc: bcs.len(),
                name: name.clone(),
                electrode: e,
                area: 0.0,
            });
        }
        bcs.push(Bc {
            name: name.clone(),
            boundaries: obj.opt_str_array("boundary").unwrap_or_default(),
            kernel: b.kernel,
        });
    }
    if comm.is_root() {
        if let Some(l) = el.debye_length() {
            crate::say!("Debye length of the bulk electrolyte: {l:.4e} m");
        }
    }
    let kernel = Box::new(electrochem::NernstPlanck::new(el.clone()));
    Ok((
        space,
        kernel,
        bcs,
        Setup {
            electrolyte: el,
            electrodes,
        },
    ))
}

impl Setup {
    fn ncomp(&self) -> usize {
        self.electrolyte.ncomp()
    }

    /// Faradaic current (anodic positive) through electrode `e` from the outflows.
    fn faradaic(&self, e: &ElectrodeBc, flows: &[f64]) -> f64 {
        let nc = self.ncomp();
        match (&e.electrode.kinetics, e.electrode.reacting_comps()) {
            (Some(k), Some((ko, _))) => -k.electrons * FARADAY * flows[e.bc * nc + ko],
            _ => 0.0,
        }
    }

    /// Under electroneutrality: the whole current through `e`; with Poisson: the metal's
    /// surface charge ∫σ_M ds = ∫C_S(E − φ_s) ds.
    fn potential_row_flow(&self, e: &ElectrodeBc, flows: &[f64]) -> f64 {
        let nc = self.ncomp();
        -FARADAY * flows[e.bc * nc + nc - 1]
    }

    fn poisson(&self) -> bool {
        matches!(self.electrolyte.model, PotentialModel::Poisson { .. })
    }
}

/// Electrode potentials and currents and species amounts as monitor columns.
pub struct Monitors {
    setup: Setup,
    /// Per electrode, the last (time, metal charge) seen (Poisson charging current).
    last_charge: RefCell<Vec<Option<(f64, f64)>>>,
}

impl Monitors {
    pub fn new(setup: Setup) -> Self {
        let n = setup.electrodes.len();
        Self {
            setup,
            last_charge: RefCell::new(vec![None; n]),
        }
    }
}

impl ExtraColumns for Monitors {
    fn columns(&self) -> Vec<String> {
        let mut c = Vec::new();
        for e in &self.setup.electrodes {
            let n = &e.name;
            c.push(format!("potential_{n}_V"));
            c.push(format!("current_{n}_A"));
            c.push(format!("current_density_{n}_A_m2"));
            c.push(format!("faradaic_current_{n}_A"));
        }
        for s in &self.setup.electrolyte.species {
            c.push(format!("amount_{}_mol", s.name));
        }
        c
    }

    fn values(&self, t: f64, flows: &[f64], integrals: &[f64]) -> Vec<f64> {
        let mut v = Vec::new();
        let mut last = self.last_charge.borrow_mut();
        for (k, e) in self.setup.electrodes.iter().enumerate() {
            let faradaic = self.setup.faradaic(e, flows);
            let total = if self.setup.poisson() {
                let q = self.setup.potential_row_flow(e, flows);
                let charging = match last[k] {
                    Some((t0, q0)) if t > t0 => (q - q0) / (t - t0),
                    _ => 0.0,
                };
                last[k] = Some((t, q));
                faradaic + charging
            } else {
                self.setup.potential_row_flow(e, flows)
            };
            v.push(e.electrode.potential(t));
            v.push(total);
            v.push(if e.area > 0.0 { total / e.area } else { 0.0 });
            v.push(faradaic);
        }
        let el = &self.setup.electrolyte;
        for i in 0..el.species.len() {
            v.push(el.concentration(integrals, i));
        }
        v
    }
}

/// Solves for the potential of the one current-driven electrode at every step.
pub struct Galvanostat {
    setup: Setup,
    index: usize,
    /// Metal charge of the tried and the accepted state (Poisson).
    charge: RefCell<(f64, f64)>,
    dt: RefCell<f64>,
}

impl Galvanostat {
    /// The control for `setup`'s current-driven electrode, if it has one.
    pub fn new(setup: &Setup) -> Option<Self> {
        let index = setup
            .electrodes
            .iter()
            .position(|e| e.electrode.is_galvanostatic())?;
        Some(Self {
            setup: setup.clone(),
            index,
            charge: RefCell::new((f64::NAN, f64::NAN)),
            dt: RefCell::new(1.0),
        })
    }

    fn electrode(&self) -> &ElectrodeBc {
        &self.setup.electrodes[self.index]
    }

    fn target(&self) -> f64 {
        let e = self.electrode();
        e.electrode.drive.current_density().unwrap_or(0.0) * e.area
    }
}

impl ScalarControl for Galvanostat {
    fn active(&self) -> bool {
        true
    }
    fn begin_step(&self, dt: f64) {
        *self.dt.borrow_mut() = dt;
        self.electrode().electrode.begin_step(dt);
    }
    fn value(&self) -> f64 {
        self.electrode().electrode.accepted_potential()
    }
    fn set(&self, x: f64) {
        self.electrode().electrode.set_potential(x);
    }
    fn accept(&self) {
        self.electrode().electrode.accept();
        let mut c = self.charge.borrow_mut();
        c.1 = c.0;
    }
    fn mismatch(&self, _t: f64, flows: &[f64]) -> f64 {
        let e = self.electrode();
        let measured = if self.setup.poisson() {
            let q = self.setup.potential_row_flow(e, flows);
            let mut c = self.charge.borrow_mut();
            c.0 = q;
            let charging = if c.1.is_nan() {
                0.0
            } else {
                (q - c.1) / *self.dt.borrow()
            };
            self.setup.faradaic(e, flows) + charging
        } else {
            self.setup.potential_row_flow(e, flows)
        };
        self.target() - measured
    }
    fn tolerance(&self, _t: f64) -> f64 {
        let e = self.electrode();
        // Relative to the imposed current, with a floor for open circuit (1 nA/m²).
        1e-8 * self.target().abs() + 1e-9 * e.area
    }
    fn limits(&self) -> (f64, f64) {
        self.electrode().electrode.potential_limits
    }
    fn describe(&self) -> String {
        format!("the potential of electrode `{}`", self.electrode().name)
    }
}
