//! Nernst–Planck transport (`[physics] type = "nernst_planck"`).
//!
//! Species i: ∂c_i/∂t + ∇·N_i = 0, N_i = −D_i (∇c_i + z_i f c_i ∇φ), f = F/(RT).
//! Pointwise: m = c_i, f1 = −N_i. The potential row is scaled by 1/F so every row is a molar
//! flux balance and Newton's norms weigh them alike:
//! - electroneutrality: f1 = −Σ z_i N_i over all species (charge conservation), no mass;
//! - Poisson: f1 = (ε/F)∇φ, f0 = −Σ z_i c_i.

use super::{Electrolyte, PotentialModel, FARADAY};
use crate::kernel::{Jacobian, Point, Residual, VolumeKernel};
use galvana_decks::schema::{ObjectSpec, ParamKind, ParamSpec};
use std::sync::Arc;

/// The Nernst–Planck volume kernel.
#[derive(Debug)]
pub struct NernstPlanck {
    pub electrolyte: Arc<Electrolyte>,
}

impl NernstPlanck {
    pub fn new(electrolyte: Arc<Electrolyte>) -> Self {
        Self { electrolyte }
    }

    /// Deck parameters of `[physics] type = "nernst_planck"`.
    pub fn spec() -> ObjectSpec {
        let arr = ParamKind::FloatArray { len: None };
        ObjectSpec {
            type_name: "nernst_planck",
            description: "Multi-species Nernst-Planck transport with migration, closed by \
                          electroneutrality or Poisson's equation; electrodes are \
                          `butler_volmer` boundary conditions.",
            params: vec![
                ParamSpec::required(
                    "species",
                    ParamKind::StringArray,
                    "",
                    "Names of the dissolved species (fields are named c_<name>).",
                ),
                ParamSpec::required(
                    "charges",
                    arr.clone(),
                    "",
                    "Charge number z of each species (integers).",
                ),
                ParamSpec::required(
                    "diffusivities",
                    arr.clone(),
                    "m^2/s",
                    "Diffusivity of each species.",
                ),
                ParamSpec::required(
                    "concentrations",
                    arr,
                    "mol/m^3",
                    "Bulk concentration of each species: the initial state and the value \
                     `bulk` boundaries hold. Must be electroneutral.",
                ),
                ParamSpec::optional(
                    "potential_model",
                    ParamKind::Choice(&["electroneutrality", "poisson"]),
                    "",
                    "\"electroneutrality\"",
                    "electroneutrality: the last charged species follows from the others and \
                     the potential solves charge conservation; poisson: resolve the diffuse \
                     double layer (use a mesh graded to a fraction of the Debye length).",
                ),
                ParamSpec::maybe(
                    "relative_permittivity",
                    ParamKind::Float {
                        min: Some(0.0),
                        max: None,
                    },
                    "",
                    "Relative permittivity of the solvent (poisson only; default 78.5, water \
                     at 25 C).",
                ),
                ParamSpec::optional(
                    "temperature",
                    ParamKind::Float {
                        min: Some(0.0),
                        max: None,
                    },
                    "K",
                    "298.15",
                    "Temperature (isothermal).",
                ),
                ParamSpec::optional(
                    "order",
                    ParamKind::Int {
                        min: Some(1),
                        max: Some(2),
                    },
                    "",
                    "1",
                    "Polynomial order of the Lagrange elements.",
                ),
                ParamSpec::optional(
                    "lumped_mass",
                    ParamKind::Bool,
                    "",
                    "false",
                    "Lump the accumulation term onto the nodes (order 1 only): keeps steep \
                     transients free of undershoots (negative concentrations) on coarse meshes.",
                ),
                ParamSpec::maybe(
                    "quadrature_order",
                    ParamKind::Int {
                        min: Some(1),
                        max: None,
                    },
                    "",
                    "Exactness degree of the cell quadrature (default: the engine's choice).",
                ),
            ],
        }
    }
}

impl VolumeKernel for NernstPlanck {
    fn ncomp(&self) -> usize {
        self.electrolyte.ncomp()
    }

    fn field_names(&self) -> Vec<String> {
        self.electrolyte.field_names()
    }

    fn field_units(&self) -> Vec<&'static str> {
        let mut u = vec!["mol_m3"; self.ncomp() - 1];
        u.push("V");
        u
    }

    fn balance_columns(&self) -> crate::kernel::BalanceColumns {
        crate::kernel::BalanceColumns::AMOUNT
    }

    fn algebraic(&self) -> Vec<bool> {
        let mut a = vec![false; self.ncomp()];
        a[self.ncomp() - 1] = true;
        a
    }

    fn balance_weights(&self) -> Vec<f64> {
        let mut w = vec![1.0; self.ncomp() - 1];
        w.push(0.0);
        w
    }

    fn mass(&self, p: &Point, m: &mut [f64], dm_du: &mut [f64]) {
        let n = self.ncomp();
        dm_du.iter_mut().for_each(|v| *v = 0.0);
        for k in 0..n - 1 {
            m[k] = p.u[k];
            dm_du[k * n + k] = 1.0;
        }
        m[n - 1] = 0.0;
    }

    fn residual(&self, p: &Point, r: &mut Residual) {
        let el = &*self.electrolyte;
        let f = el.f();
        let pc = el.potential_comp();
        let gphi = p.grad_u[pc];
        let mut charge_flux = [0.0; 3];
        let mut charge = 0.0;
        for (i, s) in el.species.iter().enumerate() {
            let (c, gc) = match el.comp_of(i) {
                Some(k) => (p.u[k], p.grad_u[k]),
                None => {
                    let (_, a) = el.eliminated().unwrap();
                    let mut g = [0.0; 3];
                    for (ak, gk) in a.iter().zip(p.grad_u) {
                        for (gx, gkx) in g.iter_mut().zip(gk) {
                            *gx += ak * gkx;
                        }
                    }
                    (el.concentration(p.u, i), g)
                }
            };
            let zf = s.charge * f;
            // −N_i = D (∇c + z f c ∇φ)
            let mut mn = [0.0; 3];
            for x in 0..3 {
                mn[x] = s.diffusivity * (gc[x] + zf * c * gphi[x]);
                charge_flux[x] += s.charge * mn[x];
            }
            charge += s.charge * c;
            if let Some(k) = el.comp_of(i) {
                r.f0[k] = 0.0;
                r.f1[k] = mn;
            }
        }
        match el.model {
            PotentialModel::Electroneutrality => {
                r.f0[pc] = 0.0;
                r.f1[pc] = charge_flux;
            }
            PotentialModel::Poisson { permittivity } => {
                let e = permittivity / FARADAY;
                r.f0[pc] = -charge;
                r.f1[pc] = [e * gphi[0], e * gphi[1], e * gphi[2]];
            }
        }
    }

    fn jacobian(&self, p: &Point, j: &mut Jacobian) {
        let el = &*self.electrolyte;
        let n = el.ncomp();
        let f = el.f();
        let pc = el.potential_comp();
        let gphi = p.grad_u[pc];
        let diag = |v: f64| [[v, 0.0, 0.0], [0.0, v, 0.0], [0.0, 0.0, v]];
        let elim = el.eliminated().map(|(e, a)| (&el.species[e], a));
        let mut sigma = 0.0; // Σ z² D c over all species: ∂(charge flux)/∂∇φ / f
        for (i, s) in el.species.iter().enumerate() {
            let c = el.concentration(p.u, i);
            let (d, z) = (s.diffusivity, s.charge);
            sigma += z * z * d * c;
            let Some(k) = el.comp_of(i) else { continue };
            let kk = k * n + k;
            j.g3[kk] = diag(d);
            j.g2[kk] = [
                d * z * f * gphi[0],
                d * z * f * gphi[1],
                d * z * f * gphi[2],
            ];
            j.g3[k * n + pc] = diag(d * z * f * c);
            if el.model == PotentialModel::Electroneutrality {
                // The charge row through species k, directly and through the eliminated one.
                let (mut dg, mut dv) = (z * d, z * z * d);
                if let Some((se, a)) = elim {
                    dg += se.charge * se.diffusivity * a[k];
                    dv += se.charge * se.charge * se.diffusivity * a[k];
                }
                j.g3[pc * n + k] = diag(dg);
                j.g2[pc * n + k] = [dv * f * gphi[0], dv * f * gphi[1], dv * f * gphi[2]];
            } else {
                j.g0[pc * n + k] = -z;
            }
        }
        j.g3[pc * n + pc] = match el.model {
            PotentialModel::Electroneutrality => diag(f * sigma),
            PotentialModel::Poisson { permittivity } => diag(permittivity / FARADAY),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::electrochem::{Species, VACUUM_PERMITTIVITY};

    fn electrolyte(model: PotentialModel) -> Arc<Electrolyte> {
        let sp = |n: &str, z: f64, d: f64, c: f64| Species {
            name: n.into(),
            charge: z,
            diffusivity: d,
            bulk: c,
        };
        Arc::new(
            Electrolyte::new(
                vec![
                    sp("O", -3.0, 7.2e-10, 1.0),
                    sp("R", -4.0, 6.7e-10, 0.5),
                    sp("K", 1.0, 1.96e-9, 105.0),
                    sp("Cl", -1.0, 2.03e-9, 100.0),
                ],
                model,
                298.15,
            )
            .unwrap(),
        )
    }

    /// The pointwise Jacobian agrees with central differences of the residual in every value
    /// and gradient entry.
    fn check_jacobian(model: PotentialModel) {
        let k = NernstPlanck::new(electrolyte(model));
        let n = k.ncomp();
        let u0: Vec<f64> = (0..n)
            .map(|c| {
                if c == n - 1 {
                    0.03
                } else {
                    0.7 + 40.0 * c as f64
                }
            })
            .collect();
        let g0: Vec<[f64; 3]> = (0..n)
            .map(|c| [10.0 + c as f64, -3.0 * c as f64, 0.5])
            .collect();
        let eval = |u: &[f64], g: &[[f64; 3]]| {
            let mut r = Residual::zeros(n);
            k.residual(
                &Point {
                    x: [0.0; 3],
                    t: 0.0,
                    u,
                    grad_u: g,
                    region: 0,
                },
                &mut r,
            );
            r
        };
        let mut j = Jacobian::zeros(n);
        k.jacobian(
            &Point {
                x: [0.0; 3],
                t: 0.0,
                u: &u0,
                grad_u: &g0,
                region: 0,
            },
            &mut j,
        );
        for d in 0..n {
            let h = 1e-6 * u0[d].abs().max(1e-3);
            let (mut up, mut um) = (u0.clone(), u0.clone());
            up[d] += h;
            um[d] -= h;
            let (rp, rm) = (eval(&up, &g0), eval(&um, &g0));
            for c in 0..n {
                let fd0 = (rp.f0[c] - rm.f0[c]) / (2.0 * h);
                assert!(
                    (fd0 - j.g0[c * n + d]).abs() <= 1e-6 * fd0.abs().max(1e-9),
                    "g0 {c},{d}"
                );
                for x in 0..3 {
                    let fd = (rp.f1[c][x] - rm.f1[c][x]) / (2.0 * h);
                    let an = j.g2[c * n + d][x];
                    assert!(
                        (fd - an).abs() <= 1e-4 * fd.abs().max(1e-12),
                        "g2 {c},{d},{x}: {fd} vs {an}"
                    );
                }
            }
            for y in 0..3 {
                let hg = 1e-6 * g0[d][y].abs().max(1.0);
                let (mut gp, mut gm) = (g0.clone(), g0.clone());
                gp[d][y] += hg;
                gm[d][y] -= hg;
                let (rp, rm) = (eval(&u0, &gp), eval(&u0, &gm));
                for c in 0..n {
                    for x in 0..3 {
                        let fd = (rp.f1[c][x] - rm.f1[c][x]) / (2.0 * hg);
                        let an = j.g3[c * n + d][x][y];
                        assert!(
                            (fd - an).abs() <= 1e-4 * fd.abs().max(1e-15),
                            "g3 {c},{d},{x},{y}: {fd} vs {an}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn jacobian_matches_differences_electroneutral() {
        check_jacobian(PotentialModel::Electroneutrality);
    }

    #[test]
    fn jacobian_matches_differences_poisson() {
        check_jacobian(PotentialModel::Poisson {
            permittivity: 78.5 * VACUUM_PERMITTIVITY,
        });
    }

    #[test]
    fn bulk_state_carries_no_charge_flux_or_charge() {
        for model in [
            PotentialModel::Electroneutrality,
            PotentialModel::Poisson {
                permittivity: 78.5 * VACUUM_PERMITTIVITY,
            },
        ] {
            let el = electrolyte(model);
            let k = NernstPlanck::new(el.clone());
            let u = el.bulk_state();
            let g = vec![[0.0; 3]; k.ncomp()];
            let mut r = Residual::zeros(k.ncomp());
            k.residual(
                &Point {
                    x: [0.0; 3],
                    t: 0.0,
                    u: &u,
                    grad_u: &g,
                    region: 0,
                },
                &mut r,
            );
            assert!(r.f0.iter().all(|v| v.abs() < 1e-12), "{:?}", r.f0);
            assert!(r.f1.iter().flatten().all(|v| v.abs() < 1e-20));
        }
    }
}
