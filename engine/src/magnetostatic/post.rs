//! Integrated magnetostatic quantities of a solved state: stored energy and co-energy, coil
//! flux linkages and inductances, and forces on bodies by the Maxwell stress tensor.
//!
//! Force (Arkkio's / the "eggshell" method): with w the piecewise-linear function equal to 1
//! at the nodes of the body and 0 at all others, ∇w is non-zero only in the layer of cells
//! touching the body from outside, and F_i = −∫ T_ij ∂_j w dV with T = H⊗B − ½(H·B) I. Because
//! ∇·T = 0 in that layer (no current, linear material), this equals the surface integral of
//! T·n over any surface around the body, but averages it over the layer, which is more
//! accurate than a line integral through one row of cells. Axisymmetric: F_z only (F_r nets
//! to zero by symmetry), with dV = 2πr dr dz.

use super::Setup;
use crate::comm::Comm;
use crate::fem::assemble::Assembler;
use crate::solve::control::ExtraColumns;
use galvana_mesh::fe::{map_cell, push_gradient, Element, Quadrature};
use galvana_physics::magnetostatic::Geometry;

/// Integrated quantities; per metre of depth for planar runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quantities {
    /// W = ∫ ∫₀^B H·dB dV (J or J/m).
    pub energy: f64,
    /// W' = ∫ ∫₀^H B·dH dV (J or J/m).
    pub coenergy: f64,
    /// Flux linkage of each coil (Wb or Wb/m), along its current's positive direction.
    pub linkage: Vec<f64>,
    /// Force on each body (N or N/m): (Fx, Fy) planar, (0, Fz) axisymmetric.
    pub force: Vec<[f64; 2]>,
}

/// Computes the quantities of `u` (ghosts current). Collective.
pub fn quantities(comm: &Comm, asm: &Assembler, setup: &Setup, u: &[f64]) -> Quantities {
    let sp = &asm.space;
    let mesh = &sp.mesh;
    let k = &setup.kernel;
    let geometry = k.geometry;
    let el = &sp.dofmap.element;
    let nd = el.num_dofs();
    let q = Quadrature::new(mesh.cell_type, asm.quad_degree);
    let p1 = Element::lagrange(mesh.cell_type, 1).expect("P1 element of the mesh's cells");
    let nv = mesh.cell_type.num_vertices();
    let (mut phi, mut dphi) = (vec![0.0; nd], vec![[0.0; 3]; nd]);
    let (mut phi1, mut dphi1) = (vec![0.0; nv], vec![[0.0; 3]; nv]);
    let mut verts = vec![[0.0; 3]; nv];
    // Nodes of each body, for the weight w.
    let in_body: Vec<Vec<bool>> = setup
        .force_regions
        .iter()
        .map(|&(_, r)| {
            let mut f = vec![false; mesh.num_vertices()];
            for c in 0..mesh.num_cells() {
                if mesh.cell_region[c] == r {
                    mesh.cell(c).iter().for_each(|&v| f[v] = true);
                }
            }
            f
        })
        .collect();
    let nc = setup.coils.len();
    let nb = in_body.len();
    // energy, coenergy, ∫ coil potential per coil, force (2 per body)
    let mut acc = vec![0.0; 2 + nc + 2 * nb];
    let (dlo, dhi) = (sp.dof_lo(), sp.dof_hi());
    for (kc, &c) in sp.local_cells.iter().enumerate() {
        let first = sp.dofmap.cell(c)[0];
        if first < dlo || first >= dhi {
            continue;
        }
        let slots = sp.slots(kc);
        let region = mesh.cell_region[c];
        for (v, &vi) in verts.iter_mut().zip(mesh.cell(c)) {
            *v = mesh.coords[vi];
        }
        let coil_of: Vec<usize> = (0..nc)
            .filter(|&i| setup.coils[i].regions.contains(&region))
            .collect();
        // Bodies whose weight varies over this cell (some but not all nodes in the body).
        let bands: Vec<usize> = (0..nb)
            .filter(|&b| {
                let n = mesh.cell(c).iter().filter(|&&v| in_body[b][v]).count();
                n > 0 && n < nv
            })
            .collect();
        for (xi, w) in q.points.iter().zip(&q.weights) {
            el.tabulate(*xi, &mut phi, &mut dphi);
            let map = map_cell(mesh.cell_type, &verts, *xi);
            let wd = w * map.det.abs() * geometry.measure(map.x);
            let (mut uq, mut g) = (0.0, [0.0; 3]);
            for i in 0..nd {
                let ui = u[slots[i] as usize];
                uq += phi[i] * ui;
                let gi = push_gradient(&map, 2, dphi[i]);
                for x in 0..2 {
                    g[x] += gi[x] * ui;
                }
            }
            let b = k.b_field(map.x, g);
            let (we, wc) = k.energy_densities(region, b);
            acc[0] += wd * we;
            acc[1] += wd * wc;
            for &i in &coil_of {
                // Planar: ∫ A_z dS; axisymmetric: ∫ 2π r A_φ dr dz = ∫ 2π ψ dr dz.
                let a = match geometry {
                    Geometry::Planar => uq,
                    Geometry::Axisymmetric => uq / map.x[0],
                };
                acc[2 + i] += wd * a;
            }
            if !bands.is_empty() {
                let h = k.h_field(region, b);
                let hb = 0.5 * (h[0] * b[0] + h[1] * b[1]);
                let t = [
                    [h[0] * b[0] - hb, h[0] * b[1]],
                    [h[1] * b[0], h[1] * b[1] - hb],
                ];
                p1.tabulate(*xi, &mut phi1, &mut dphi1);
                for &bi in &bands {
                    let mut gw = [0.0; 2];
                    for (i, &v) in mesh.cell(c).iter().enumerate() {
                        if in_body[bi][v] {
                            let gi = push_gradient(&map, 2, dphi1[i]);
                            gw[0] += gi[0];
                            gw[1] += gi[1];
                        }
                    }
                    for i in 0..2 {
                        acc[2 + nc + 2 * bi + i] -= wd * (t[i][0] * gw[0] + t[i][1] * gw[1]);
                    }
                }
            }
        }
    }
    comm.sum_in_place(&mut acc);
    let linkage = setup
        .coils
        .iter()
        .enumerate()
        .map(|(i, coil)| {
            let (n, _) = coil.turns_current();
            // N turns spread evenly over the cross-section; the sign follows the coil's own
            // current direction so that L = Λ/I comes out positive.
            n / coil.area * acc[2 + i]
        })
        .collect();
    let force = (0..nb)
        .map(|b| {
            let f = [acc[2 + nc + 2 * b], acc[2 + nc + 2 * b + 1]];
            match geometry {
                Geometry::Planar => f,
                Geometry::Axisymmetric => [0.0, f[1]],
            }
        })
        .collect();
    Quantities {
        energy: acc[0],
        coenergy: acc[1],
        linkage,
        force,
    }
}

/// The monitor columns of a magnetostatic run (see [`Monitors::columns`]).
pub struct Monitors<'a> {
    pub comm: &'a Comm,
    pub asm: &'a Assembler,
    pub setup: Setup,
}

impl Monitors<'_> {
    fn unit(&self, si: &str) -> String {
        match self.setup.kernel.geometry {
            Geometry::Planar => format!("{si}_m"),
            Geometry::Axisymmetric => si.to_string(),
        }
    }
}

impl ExtraColumns for Monitors<'_> {
    /// `stored_energy_J`, `coenergy_J`, per coil `flux_linkage_<coil>_Wb`,
    /// `inductance_<coil>_H` (Λ/I with every coil on), with one coil also
    /// `inductance_energy_H` (2W/I², the secant inductance), per body `force_<body>_N`
    /// (axisymmetric F_z) or `force_x_<body>_N_m`, `force_y_<body>_N_m` (planar). Planar
    /// columns are per metre of depth (`_J_m`, `_Wb_m`, `_H_m`).
    fn columns(&self) -> Vec<String> {
        let mut c = vec![
            format!("stored_energy_{}", self.unit("J")),
            format!("coenergy_{}", self.unit("J")),
        ];
        for coil in &self.setup.coils {
            c.push(format!("flux_linkage_{}_{}", coil.name, self.unit("Wb")));
            c.push(format!("inductance_{}_{}", coil.name, self.unit("H")));
        }
        if self.setup.coils.len() == 1 {
            c.push(format!("inductance_energy_{}", self.unit("H")));
        }
        for (name, _) in &self.setup.force_regions {
            match self.setup.kernel.geometry {
                Geometry::Planar => {
                    c.push(format!("force_x_{name}_N_m"));
                    c.push(format!("force_y_{name}_N_m"));
                }
                Geometry::Axisymmetric => c.push(format!("force_{name}_N")),
            }
        }
        c
    }

    /// Without the state there is nothing to integrate; the driver calls `values_at`.
    fn values(&self, _t: f64, _flows: &[f64], _integrals: &[f64]) -> Vec<f64> {
        vec![f64::NAN; self.columns().len()]
    }

    fn values_at(&self, _t: f64, _flows: &[f64], _integrals: &[f64], u: &[f64]) -> Vec<f64> {
        let q = quantities(self.comm, self.asm, &self.setup, u);
        let mut v = vec![q.energy, q.coenergy];
        for (coil, l) in self.setup.coils.iter().zip(&q.linkage) {
            let (_, i) = coil.turns_current();
            v.push(*l);
            v.push(if i != 0.0 { l / i } else { f64::NAN });
        }
        if let [coil] = self.setup.coils.as_slice() {
            let (_, i) = coil.turns_current();
            v.push(if i != 0.0 {
                2.0 * q.energy / (i * i)
            } else {
                f64::NAN
            });
        }
        for f in &q.force {
            match self.setup.kernel.geometry {
                Geometry::Planar => v.extend_from_slice(f),
                Geometry::Axisymmetric => v.push(f[1]),
            }
        }
        v
    }
}
