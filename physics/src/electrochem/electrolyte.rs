//! The electrolyte: its species and how the potential is closed.

use super::{FARADAY, GAS_CONSTANT, VACUUM_PERMITTIVITY};
use crate::ParamGetter;

/// One dissolved species.
#[derive(Clone, Debug, PartialEq)]
pub struct Species {
    pub name: String,
    /// Charge number z.
    pub charge: f64,
    /// Diffusivity, m²/s.
    pub diffusivity: f64,
    /// Bulk (and initial) concentration, mol/m³.
    pub bulk: f64,
}

/// How the electric potential is determined.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PotentialModel {
    /// Σ z_i c_i = 0 everywhere: the last charged species follows from the others and the
    /// potential equation is charge conservation, ∇·(Σ z_i N_i) = 0.
    Electroneutrality,
    /// −∇·(ε∇φ) = F Σ z_i c_i, resolving the diffuse double layer (ε absolute, F/m).
    Poisson { permittivity: f64 },
}

/// Species, closure and temperature, with the layout of the unknowns.
#[derive(Clone, Debug)]
pub struct Electrolyte {
    pub species: Vec<Species>,
    pub model: PotentialModel,
    /// K.
    pub temperature: f64,
    /// Unknown index of each species; `None` for the species eliminated by electroneutrality.
    comp: Vec<Option<usize>>,
    /// The eliminated species and its coefficients: c_e = Σ_i a_i c_i over the other species.
    eliminated: Option<(usize, Vec<f64>)>,
}

impl Electrolyte {
    /// Checks the species data and lays out the unknowns: species in deck order (less the
    /// eliminated one), then the potential.
    pub fn new(
        species: Vec<Species>,
        model: PotentialModel,
        temperature: f64,
    ) -> Result<Self, String> {
        if species.is_empty() {
            return Err("nernst_planck: `species` must name at least one species".into());
        }
        for (i, s) in species.iter().enumerate() {
            if species[..i].iter().any(|o| o.name == s.name) {
                return Err(format!(
                    "nernst_planck: species `{}` is listed twice in `species`",
                    s.name
                ));
            }
            if !(s.diffusivity.is_finite() && s.diffusivity > 0.0) {
                return Err(format!(
                    "nernst_planck: `diffusivities` of `{}` must be > 0 m^2/s, got {}",
                    s.name, s.diffusivity
                ));
            }
            if !(s.bulk.is_finite() && s.bulk >= 0.0) {
                return Err(format!(
                    "nernst_planck: `concentrations` of `{}` must be >= 0 mol/m^3, got {}",
                    s.name, s.bulk
                ));
            }
            if !s.charge.is_finite() || s.charge.fract() != 0.0 {
                return Err(format!(
                    "nernst_planck: `charges` of `{}` must be an integer, got {}",
                    s.name, s.charge
                ));
            }
        }
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(format!(
                "nernst_planck: `temperature` must be > 0 K, got {temperature}"
            ));
        }
        let charge: f64 = species.iter().map(|s| s.charge * s.bulk).sum();
        let scale: f64 = species.iter().map(|s| (s.charge * s.bulk).abs()).sum();
        if charge.abs() > 1e-9 * scale.max(1e-300) {
            return Err(format!(
                "nernst_planck: the bulk `concentrations` carry a net charge of {charge:.6e} mol/m^3 \
                 (sum of z_i c_i); an electrolyte must be electroneutral"
            ));
        }
        let eliminated = match model {
            PotentialModel::Electroneutrality => {
                let e = species.iter().rposition(|s| s.charge != 0.0).ok_or(
                    "nernst_planck: electroneutrality needs at least one charged species; \
                     use potential_model = \"poisson\" or add the supporting ions",
                )?;
                let ze = species[e].charge;
                let a = species
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != e)
                    .map(|(_, s)| -s.charge / ze)
                    .collect();
                Some((e, a))
            }
            PotentialModel::Poisson { permittivity } => {
                if !(permittivity.is_finite() && permittivity > 0.0) {
                    return Err(format!(
                        "nernst_planck: `relative_permittivity` must be > 0, got {}",
                        permittivity / VACUUM_PERMITTIVITY
                    ));
                }
                None
            }
        };
        let mut comp = Vec::with_capacity(species.len());
        let mut k = 0;
        for i in 0..species.len() {
            if eliminated.as_ref().is_some_and(|(e, _)| *e == i) {
                comp.push(None);
            } else {
                comp.push(Some(k));
                k += 1;
            }
        }
        Ok(Self {
            species,
            model,
            temperature,
            comp,
            eliminated,
        })
    }

    /// From `[physics] type = "nernst_planck"`.
    pub fn from_params(get: &dyn ParamGetter) -> Result<Self, String> {
        let names = get
            .str_array("species")
            .ok_or("nernst_planck: missing required parameter `species`")?;
        let arr = |key: &str| -> Result<Vec<f64>, String> {
            let v = get
                .f64_array(key)
                .ok_or_else(|| format!("nernst_planck: missing required parameter `{key}`"))?;
            if v.len() != names.len() {
                return Err(format!(
                    "nernst_planck: `{key}` has {} values but `species` names {}; give one per species",
                    v.len(),
                    names.len()
                ));
            }
            Ok(v)
        };
        let (z, d, c) = (
            arr("charges")?,
            arr("diffusivities")?,
            arr("concentrations")?,
        );
        let species = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| Species {
                name,
                charge: z[i],
                diffusivity: d[i],
                bulk: c[i],
            })
            .collect();
        let model = match get.str("potential_model").as_deref() {
            None | Some("electroneutrality") => {
                if get.has("relative_permittivity") {
                    return Err("nernst_planck: `relative_permittivity` is not used with \
                                potential_model = \"electroneutrality\""
                        .into());
                }
                PotentialModel::Electroneutrality
            }
            Some("poisson") => PotentialModel::Poisson {
                permittivity: get.f64("relative_permittivity").unwrap_or(78.5)
                    * VACUUM_PERMITTIVITY,
            },
            Some(other) => {
                return Err(format!(
                    "nernst_planck: `potential_model` must be \"electroneutrality\" or \"poisson\", got \"{other}\""
                ))
            }
        };
        Self::new(species, model, get.f64("temperature").unwrap_or(298.15))
    }

    /// F/(RT), 1/V.
    pub fn f(&self) -> f64 {
        FARADAY / (GAS_CONSTANT * self.temperature)
    }

    /// Number of unknowns per node: the species with equations, then the potential.
    pub fn ncomp(&self) -> usize {
        self.comp.iter().flatten().count() + 1
    }

    /// Unknown index of the potential.
    pub fn potential_comp(&self) -> usize {
        self.ncomp() - 1
    }

    /// Unknown index of species `i`, or `None` when electroneutrality eliminated it.
    pub fn comp_of(&self, i: usize) -> Option<usize> {
        self.comp[i]
    }

    /// The species index named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.species.iter().position(|s| s.name == name)
    }

    /// The eliminated species and its coefficients over the unknown species, in unknown order.
    pub fn eliminated(&self) -> Option<(usize, &[f64])> {
        self.eliminated.as_ref().map(|(e, a)| (*e, a.as_slice()))
    }

    /// Concentration of species `i` from a point's unknowns.
    pub fn concentration(&self, u: &[f64], i: usize) -> f64 {
        match self.comp[i] {
            Some(k) => u[k],
            None => {
                let (_, a) = self.eliminated.as_ref().expect("eliminated species");
                a.iter().zip(u).map(|(a, c)| a * c).sum()
            }
        }
    }

    /// Bulk values of every unknown (species with equations, then potential 0).
    pub fn bulk_state(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self
            .species
            .iter()
            .enumerate()
            .filter(|(i, _)| self.comp[*i].is_some())
            .map(|(_, s)| s.bulk)
            .collect();
        v.push(0.0);
        v
    }

    /// Field names of the unknowns.
    pub fn field_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .species
            .iter()
            .enumerate()
            .filter(|(i, _)| self.comp[*i].is_some())
            .map(|(_, s)| format!("c_{}", s.name))
            .collect();
        v.push("potential".into());
        v
    }

    /// Debye length of the bulk electrolyte, m (Poisson only).
    pub fn debye_length(&self) -> Option<f64> {
        let PotentialModel::Poisson { permittivity } = self.model else {
            return None;
        };
        let ionic: f64 = self
            .species
            .iter()
            .map(|s| s.charge * s.charge * s.bulk)
            .sum();
        (ionic > 0.0).then(|| (permittivity / (FARADAY * self.f() * ionic)).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(name: &str, z: f64, c: f64) -> Species {
        Species {
            name: name.into(),
            charge: z,
            diffusivity: 1e-9,
            bulk: c,
        }
    }

    #[test]
    fn electroneutrality_eliminates_the_last_charged_species() {
        let e = Electrolyte::new(
            vec![
                sp("O", -3.0, 1.0),
                sp("R", -4.0, 0.0),
                sp("K", 1.0, 1003.0),
                sp("Cl", -1.0, 1000.0),
            ],
            PotentialModel::Electroneutrality,
            298.15,
        )
        .unwrap();
        assert_eq!(e.ncomp(), 4);
        assert_eq!(e.comp_of(3), None);
        // c_Cl = -(z_O c_O + z_R c_R + z_K c_K)/z_Cl
        let u = [1.0, 0.5, 1005.0, 0.0];
        assert!((e.concentration(&u, 3) - (-3.0 - 2.0 + 1005.0)).abs() < 1e-12);
    }

    #[test]
    fn charged_bulk_is_refused() {
        let err = Electrolyte::new(
            vec![sp("K", 1.0, 1.0), sp("Cl", -1.0, 2.0)],
            PotentialModel::Electroneutrality,
            298.15,
        )
        .unwrap_err();
        assert!(err.contains("net charge"), "{err}");
    }

    #[test]
    fn debye_length_of_a_millimolar_salt() {
        // 1 mM 1:1 electrolyte in water at 25 °C: λ_D ≈ 9.6 nm (textbook value).
        let e = Electrolyte::new(
            vec![sp("K", 1.0, 1.0), sp("Cl", -1.0, 1.0)],
            PotentialModel::Poisson {
                permittivity: 78.5 * VACUUM_PERMITTIVITY,
            },
            298.15,
        )
        .unwrap();
        let l = e.debye_length().unwrap();
        assert!((l - 9.6e-9).abs() < 0.1e-9, "{l}");
    }
}
