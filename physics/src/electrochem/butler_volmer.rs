//! An electrode with Butler–Volmer kinetics (`[bcs.X] type = "butler_volmer"`).
//!
//! Reaction O + n e⁻ ⇌ R with z_O − z_R = n. Faradaic current density (anodic positive):
//!   i = n F k0 [c_R e^{(1−α) n f η} − c_O e^{−α n f η}],  η = E − φ_s − E0′
//! (Bard & Faulkner eq. 3.3.11 with the solution potential φ_s at the surface). Given an exchange
//! current density i0 at the bulk concentrations instead, n F k0 = i0 / (c_O*^{1−α} c_R*^α).
//! Outward species fluxes: N_O·n = −i/(nF), N_R·n = +i/(nF).
//!
//! The potential row gets the current leaving the electrolyte, −(i + i_dl)/F, under
//! electroneutrality (i_dl = C_dl dE/dt, the double-layer charging current with the solution
//! potential's own change neglected), or, with Poisson's equation, the Stern-layer condition
//! ε ∂φ/∂n = C_S (E − φ_s), i.e. b0 = −C_S (E − φ_s)/F.

use super::{Drive, Electrolyte, PotentialModel, FARADAY};
use crate::kernel::{BoundaryKernel, Point};
use crate::ParamGetter;
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use std::sync::{Arc, Mutex};

/// Kinetics of the electrode reaction.
#[derive(Clone, Debug)]
pub struct Kinetics {
    /// Species indices of the oxidised and reduced forms.
    pub oxidant: usize,
    pub reductant: usize,
    /// Unknown indices of the two.
    comp_o: usize,
    comp_r: usize,
    pub electrons: f64,
    /// n F k0, A m/mol.
    pub nfk0: f64,
    /// Cathodic transfer coefficient α (anodic 1 − α).
    pub alpha: f64,
    /// Formal potential E0′, V.
    pub formal_potential: f64,
}

/// The galvanostatic control state (the engine solves for the potential every step).
#[derive(Clone, Copy, Debug)]
struct State {
    potential: f64,
    accepted: f64,
    dt: f64,
}

/// An electrode: kinetics (none for a blocking electrode), drive and capacitances.
#[derive(Debug)]
pub struct Electrode {
    pub electrolyte: Arc<Electrolyte>,
    pub kinetics: Option<Kinetics>,
    pub drive: Drive,
    /// Double-layer capacitance, F/m² (electroneutrality).
    pub double_layer_capacitance: f64,
    /// Stern-layer capacitance, F/m² (Poisson).
    pub stern_capacitance: f64,
    /// A galvanostatic run stops when the potential leaves this range, V.
    pub potential_limits: (f64, f64),
    state: Mutex<State>,
}

const DRIVES: &[&str] = &[
    "potential_step",
    "linear_sweep",
    "cyclic_voltammetry",
    "galvanostatic",
    "open_circuit",
];

impl Electrode {
    /// From a `[bcs.X]` object.
    pub fn from_params(
        get: &dyn ParamGetter,
        electrolyte: Arc<Electrolyte>,
    ) -> Result<Self, String> {
        let ty = "butler_volmer";
        let species = |key: &str| -> Result<Option<usize>, String> {
            match get.str(key) {
                None => Ok(None),
                Some(name) => electrolyte.index_of(&name).map(Some).ok_or_else(|| {
                    let names: Vec<&str> = electrolyte
                        .species
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect();
                    format!(
                        "{ty}: `{key}` names species `{name}`, but the electrolyte has: {}",
                        names.join(", ")
                    )
                }),
            }
        };
        let (ox, red) = (species("oxidant")?, species("reductant")?);
        let (k0, i0) = (
            get.f64("rate_constant"),
            get.f64("exchange_current_density"),
        );
        let kinetics = match (ox, red, k0, i0) {
            (None, None, None, None) => None,
            (Some(o), Some(r), k0, i0) => {
                let n = get.i64("electrons").unwrap_or(1) as f64;
                let (so, sr) = (&electrolyte.species[o], &electrolyte.species[r]);
                if o == r {
                    return Err(format!("{ty}: `oxidant` and `reductant` must differ"));
                }
                let (Some(comp_o), Some(comp_r)) = (electrolyte.comp_of(o), electrolyte.comp_of(r))
                else {
                    return Err(format!(
                        "{ty}: electroneutrality eliminates the last charged species; list a \
                         supporting ion last in `species`, not `{}`",
                        if electrolyte.comp_of(o).is_none() { &so.name } else { &sr.name }
                    ));
                };
                if (so.charge - sr.charge - n).abs() > 1e-12 {
                    return Err(format!(
                        "{ty}: `electrons` = {n} does not balance the charges: z({}) - z({}) = {}",
                        so.name,
                        sr.name,
                        so.charge - sr.charge
                    ));
                }
                let alpha = get.f64("transfer_coefficient").unwrap_or(0.5);
                if !(alpha > 0.0 && alpha < 1.0) {
                    return Err(format!(
                        "{ty}: `transfer_coefficient` must be in (0, 1), got {alpha}"
                    ));
                }
                let nfk0 = match (k0, i0) {
                    (Some(k), None) if k.is_finite() && k > 0.0 => n * FARADAY * k,
                    (None, Some(i)) if i.is_finite() && i > 0.0 => {
                        if so.bulk <= 0.0 || sr.bulk <= 0.0 {
                            return Err(format!(
                                "{ty}: `exchange_current_density` is defined at the bulk \
                                 concentrations, which must both be > 0; give `rate_constant` instead"
                            ));
                        }
                        i / (so.bulk.powf(1.0 - alpha) * sr.bulk.powf(alpha))
                    }
                    (Some(k), None) => {
                        return Err(format!("{ty}: `rate_constant` must be > 0 m/s, got {k}"))
                    }
                    (None, Some(i)) => {
                        return Err(format!(
                            "{ty}: `exchange_current_density` must be > 0 A/m^2, got {i}"
                        ))
                    }
                    _ => {
                        return Err(format!(
                            "{ty}: give exactly one of `rate_constant` and `exchange_current_density`"
                        ))
                    }
                };
                Some(Kinetics {
                    oxidant: o,
                    reductant: r,
                    comp_o,
                    comp_r,
                    electrons: n,
                    nfk0,
                    alpha,
                    formal_potential: get.f64("formal_potential").unwrap_or(0.0),
                })
            }
            _ => {
                return Err(format!(
                    "{ty}: a reacting electrode needs `oxidant`, `reductant` and one of \
                     `rate_constant`/`exchange_current_density`; a blocking electrode gives none of them"
                ))
            }
        };
        if kinetics.is_none() {
            for k in ["electrons", "transfer_coefficient", "formal_potential"] {
                if get.has(k) {
                    return Err(format!("{ty}: `{k}` is not used by a blocking electrode (no `oxidant`/`reductant`)"));
                }
            }
        }
        let drive_name = get.str("drive").unwrap_or_else(|| "potential_step".into());
        let f = |k: &str| -> Result<f64, String> {
            get.f64(k)
                .ok_or_else(|| format!("{ty}: drive = \"{drive_name}\" needs `{k}`"))
        };
        let (drive, used): (Drive, &[&str]) = match drive_name.as_str() {
            "potential_step" => (
                Drive::PotentialStep {
                    potential: f("potential")?,
                },
                &["potential"],
            ),
            "linear_sweep" => {
                let rate = f("scan_rate")?;
                if rate == 0.0 || !rate.is_finite() {
                    return Err(format!("{ty}: `scan_rate` must be nonzero (signed, V/s)"));
                }
                (
                    Drive::LinearSweep {
                        initial: f("initial_potential")?,
                        rate,
                        final_potential: get.f64("final_potential"),
                    },
                    &["initial_potential", "scan_rate", "final_potential"],
                )
            }
            "cyclic_voltammetry" => {
                let rate = f("scan_rate")?;
                if !(rate.is_finite() && rate > 0.0) {
                    return Err(format!(
                        "{ty}: `scan_rate` must be > 0 V/s for cyclic voltammetry, got {rate}"
                    ));
                }
                let (initial, switching) = (f("initial_potential")?, f("switching_potential")?);
                if initial == switching {
                    return Err(format!(
                        "{ty}: `switching_potential` must differ from `initial_potential`"
                    ));
                }
                let cycles = get.i64("cycles").unwrap_or(1);
                if cycles < 1 {
                    return Err(format!("{ty}: `cycles` must be >= 1, got {cycles}"));
                }
                (
                    Drive::Cyclic {
                        initial,
                        switching,
                        rate,
                        cycles: cycles as u32,
                    },
                    &[
                        "initial_potential",
                        "switching_potential",
                        "scan_rate",
                        "cycles",
                    ],
                )
            }
            "galvanostatic" => (
                Drive::Galvanostatic {
                    current_density: f("current_density")?,
                },
                &["current_density", "potential_limits"],
            ),
            "open_circuit" => (
                Drive::Galvanostatic {
                    current_density: 0.0,
                },
                &["potential_limits"],
            ),
            other => {
                return Err(format!(
                    "{ty}: `drive` must be one of {}, got \"{other}\"",
                    DRIVES.join(", ")
                ))
            }
        };
        for k in [
            "potential",
            "initial_potential",
            "switching_potential",
            "final_potential",
            "scan_rate",
            "cycles",
            "current_density",
            "potential_limits",
        ] {
            if get.has(k) && !used.contains(&k) {
                return Err(format!(
                    "{ty}: `{k}` is not used by drive = \"{drive_name}\""
                ));
            }
        }
        if kinetics.is_none() && drive.current_density().is_some_and(|i| i != 0.0) {
            return Err(format!("{ty}: a blocking electrode (no kinetics) cannot pass a steady current; use a potential drive"));
        }
        let poisson = matches!(electrolyte.model, PotentialModel::Poisson { .. });
        let cdl = get.f64("double_layer_capacitance");
        let cs = get.f64("stern_capacitance");
        if poisson && cdl.is_some() {
            return Err(format!("{ty}: `double_layer_capacitance` is for electroneutrality; with potential_model = \"poisson\" the diffuse layer is resolved and `stern_capacitance` sets the compact layer"));
        }
        if !poisson && cs.is_some() {
            return Err(format!("{ty}: `stern_capacitance` needs potential_model = \"poisson\"; use `double_layer_capacitance`"));
        }
        let cs = match (poisson, cs) {
            (true, None) => return Err(format!("{ty}: potential_model = \"poisson\" needs `stern_capacitance` (F/m^2; about 0.1-0.2 for metals in water, large values approach a fixed surface potential)")),
            (_, Some(c)) if !(c.is_finite() && c > 0.0) => return Err(format!("{ty}: `stern_capacitance` must be > 0 F/m^2, got {c}")),
            (_, c) => c.unwrap_or(0.0),
        };
        let cdl = cdl.unwrap_or(0.0);
        if !(cdl.is_finite() && cdl >= 0.0) {
            return Err(format!(
                "{ty}: `double_layer_capacitance` must be >= 0 F/m^2, got {cdl}"
            ));
        }
        let limits = match get.f64_array("potential_limits") {
            Some(v) if v.len() == 2 && v[0] < v[1] => (v[0], v[1]),
            Some(v) => {
                return Err(format!(
                    "{ty}: `potential_limits` must be [low, high] with low < high, got {v:?}"
                ))
            }
            None => (-5.0, 5.0),
        };
        let e0 = Self::rest_potential(&electrolyte, kinetics.as_ref());
        Ok(Self {
            electrolyte,
            kinetics,
            drive,
            double_layer_capacitance: cdl,
            stern_capacitance: cs,
            potential_limits: limits,
            state: Mutex::new(State {
                potential: e0,
                accepted: e0,
                dt: 1.0,
            }),
        })
    }

    /// The equilibrium (Nernst) potential of the bulk when both forms are present, else E0′.
    fn rest_potential(el: &Electrolyte, k: Option<&Kinetics>) -> f64 {
        let Some(k) = k else { return 0.0 };
        let (co, cr) = (el.species[k.oxidant].bulk, el.species[k.reductant].bulk);
        if co > 0.0 && cr > 0.0 {
            k.formal_potential + (co / cr).ln() / (k.electrons * el.f())
        } else {
            k.formal_potential
        }
    }

    /// Whether the engine must solve for the potential (the current is imposed).
    pub fn is_galvanostatic(&self) -> bool {
        self.drive.current_density().is_some()
    }

    /// The electrode potential at t (for current drives, the value being solved for).
    pub fn potential(&self, t: f64) -> f64 {
        self.drive
            .potential(t)
            .unwrap_or_else(|| self.state.lock().unwrap().potential)
    }

    /// Set the potential being tried for this step (current drives).
    pub fn set_potential(&self, e: f64) {
        self.state.lock().unwrap().potential = e;
    }

    /// The potential of the last accepted step (current drives).
    pub fn accepted_potential(&self) -> f64 {
        self.state.lock().unwrap().accepted
    }

    /// Start a step of size dt from the accepted state.
    pub fn begin_step(&self, dt: f64) {
        let mut s = self.state.lock().unwrap();
        s.dt = dt;
        s.potential = s.accepted;
    }

    /// The tried potential becomes the accepted one.
    pub fn accept(&self) {
        let mut s = self.state.lock().unwrap();
        s.accepted = s.potential;
    }

    /// dE/dt used for the double-layer charging current.
    pub fn potential_rate(&self, t: f64) -> f64 {
        if self.is_galvanostatic() {
            let s = self.state.lock().unwrap();
            (s.potential - s.accepted) / s.dt
        } else {
            self.drive.potential_rate(t)
        }
    }

    /// Faradaic current density and its derivatives with respect to c_O, c_R and φ_s.
    pub fn faradaic(&self, c_o: f64, c_r: f64, phi: f64, t: f64) -> [f64; 4] {
        let Some(k) = &self.kinetics else {
            return [0.0; 4];
        };
        let nf = k.electrons * self.electrolyte.f();
        let eta = self.potential(t) - phi - k.formal_potential;
        // Clamped exponents: far beyond any real overpotential, and finite.
        let ea = ((1.0 - k.alpha) * nf * eta).clamp(-600.0, 600.0).exp();
        let ec = (-k.alpha * nf * eta).clamp(-600.0, 600.0).exp();
        let i = k.nfk0 * (c_r * ea - c_o * ec);
        let di_dphi = -k.nfk0 * nf * ((1.0 - k.alpha) * c_r * ea + k.alpha * c_o * ec);
        [i, -k.nfk0 * ec, k.nfk0 * ea, di_dphi]
    }

    /// Unknown indices of the oxidant and reductant, if the electrode reacts.
    pub fn reacting_comps(&self) -> Option<(usize, usize)> {
        self.kinetics.as_ref().map(|k| (k.comp_o, k.comp_r))
    }

    /// Deck parameters of `type = "butler_volmer"`.
    pub fn spec() -> ObjectSpec {
        let float = ParamKind::Float {
            min: None,
            max: None,
        };
        let pos = ParamKind::Float {
            min: Some(0.0),
            max: None,
        };
        ObjectSpec {
            type_name: "butler_volmer",
            description: "An electrode with Butler-Volmer kinetics for O + n e- = R (or a blocking \
                          electrode without kinetics), driven by a potential step, linear sweep, \
                          cyclic voltammetry, a galvanostatic current or open circuit.",
            params: vec![
                crate::thermal::bcs::boundary_param(),
                ParamSpec::maybe("oxidant", ParamKind::String, "", "Species name of the oxidised form O."),
                ParamSpec::maybe("reductant", ParamKind::String, "", "Species name of the reduced form R."),
                ParamSpec::maybe("electrons", ParamKind::Int { min: Some(1), max: Some(10) }, "", "Electrons transferred n (default 1); z_O - z_R must equal n."),
                ParamSpec::maybe("rate_constant", pos.clone(), "m/s", "Standard heterogeneous rate constant k0."),
                ParamSpec::maybe("exchange_current_density", pos.clone(), "A/m^2", "Exchange current density at the bulk concentrations (instead of rate_constant)."),
                ParamSpec::maybe("transfer_coefficient", ParamKind::Float { min: Some(0.0), max: Some(1.0) }, "", "Cathodic transfer coefficient alpha (default 0.5); anodic 1 - alpha."),
                ParamSpec::maybe("formal_potential", float.clone(), "V", "Formal potential E0' of the couple (default 0)."),
                ParamSpec::optional("drive", ParamKind::Choice(DRIVES), "", "\"potential_step\"", "What is imposed on the electrode."),
                ParamSpec::maybe("potential", float.clone(), "V", "potential_step: the electrode potential for t > 0."),
                ParamSpec::maybe("initial_potential", float.clone(), "V", "linear_sweep, cyclic_voltammetry: the potential at t = 0."),
                ParamSpec::maybe("switching_potential", float.clone(), "V", "cyclic_voltammetry: where the sweep turns back."),
                ParamSpec::maybe("final_potential", float.clone(), "V", "linear_sweep: hold here once reached."),
                ParamSpec::maybe("scan_rate", float.clone(), "V/s", "linear_sweep (signed) and cyclic_voltammetry (> 0)."),
                ParamSpec::maybe("cycles", ParamKind::Int { min: Some(1), max: None }, "", "cyclic_voltammetry: number of cycles (default 1)."),
                ParamSpec::maybe("current_density", float, "A/m^2", "galvanostatic: the imposed mean current density, anodic positive."),
                ParamSpec::maybe("potential_limits", ParamKind::FloatArray { len: Some(2) }, "V", "galvanostatic, open_circuit: the run ends when the potential leaves [low, high] (default [-5, 5])."),
                ParamSpec::maybe("double_layer_capacitance", pos.clone(), "F/m^2", "Electroneutrality only: charging current C_dl dE/dt (default 0)."),
                ParamSpec::maybe("stern_capacitance", pos, "F/m^2", "Poisson only (required there): compact-layer capacitance between the metal and the reaction plane."),
            ],
        }
    }
}

/// The boundary kernel of an [`Electrode`].
pub struct ButlerVolmer(pub Arc<Electrode>);

impl ButlerVolmer {
    /// Deck parameters (see [`Electrode::spec`]).
    pub fn spec() -> ObjectSpec {
        Electrode::spec()
    }
}

impl BoundaryKernel for ButlerVolmer {
    fn flux(&self, p: &Point, _normal: [f64; 3], b0: &mut [f64], db0: &mut [f64]) {
        let e = &*self.0;
        let el = &*e.electrolyte;
        let n = el.ncomp();
        let pc = el.potential_comp();
        let phi = p.u[pc];
        let mut current = 0.0;
        let mut dcur = vec![0.0; n];
        if let (Some(k), Some((ko, kr))) = (&e.kinetics, e.reacting_comps()) {
            let [i, di_o, di_r, di_phi] = e.faradaic(p.u[ko], p.u[kr], phi, p.t);
            let s = 1.0 / (k.electrons * FARADAY);
            b0[ko] -= i * s;
            b0[kr] += i * s;
            for (d, v) in [(ko, di_o), (kr, di_r), (pc, di_phi)] {
                db0[ko * n + d] -= v * s;
                db0[kr * n + d] += v * s;
                dcur[d] += v;
            }
            current = i;
        }
        match el.model {
            PotentialModel::Electroneutrality => {
                let charging = e.double_layer_capacitance * e.potential_rate(p.t);
                b0[pc] -= (current + charging) / FARADAY;
                for d in 0..n {
                    db0[pc * n + d] -= dcur[d] / FARADAY;
                }
            }
            PotentialModel::Poisson { .. } => {
                let cs = e.stern_capacitance / FARADAY;
                b0[pc] -= cs * (e.potential(p.t) - phi);
                db0[pc * n + pc] += cs;
            }
        }
    }
}
