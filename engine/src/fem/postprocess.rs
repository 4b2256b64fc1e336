//! Postprocessors: integrals and extrema of the solution, each counted exactly once across
//! ranks (a cell by the owner of its first DOF).

use super::assemble::Assembler;
use crate::comm::Comm;
use galvana_mesh::fe::{map_cell, Element, Quadrature};
use galvana_physics::kernel::{Point, Residual};

/// Volume integrals of one state.
#[derive(Clone, Debug, Default)]
pub struct VolumeIntegrals {
    pub volume: f64,
    /// ∫ u_c dV per component.
    pub integral: Vec<f64>,
    /// ∫ m(u) dV per component (the conserved quantity; for heat, J).
    pub mass: Vec<f64>,
    /// ∫ f0 dV per component (for heat −∫Q dV, W).
    pub f0: Vec<f64>,
    pub min: Vec<f64>,
    pub max: Vec<f64>,
}

/// Compute volume integrals and extrema of `u` (ghosts current) at time t.
pub fn volume_integrals(comm: &Comm, asm: &Assembler, u: &[f64], t: f64) -> VolumeIntegrals {
    let sp = &asm.space;
    let mesh = &sp.mesh;
    let nc = sp.ncomp;
    let el: &Element = &sp.dofmap.element;
    let nd = el.num_dofs();
    let q = Quadrature::new(mesh.cell_type, asm.quad_degree);
    let mut phi = vec![0.0; nd];
    let mut dphi = vec![[0.0; 3]; nd];
    let mut local = vec![0.0; 1 + 3 * nc];
    let mut uq = vec![0.0; nc];
    let gq = vec![[0.0; 3]; nc];
    let mut m = vec![0.0; nc];
    let mut dm = vec![0.0; nc * nc];
    let mut res = Residual::zeros(nc);
    let mut verts = vec![[0.0; 3]; mesh.cell_type.num_vertices()];
    let (dlo, dhi) = (sp.dof_lo(), sp.dof_hi());
    for (k, &c) in sp.local_cells.iter().enumerate() {
        let first = sp.dofmap.cell(c)[0];
        if first < dlo || first >= dhi {
            continue;
        }
        let slots = sp.slots(k);
        for (v, &vi) in verts.iter_mut().zip(mesh.cell(c)) {
            *v = mesh.coords[vi];
        }
        for (xi, w) in q.points.iter().zip(&q.weights) {
            el.tabulate(*xi, &mut phi, &mut dphi);
            let map = map_cell(mesh.cell_type, &verts, *xi);
            let wd = w * map.det.abs();
            for cc in 0..nc {
                uq[cc] = (0..nd)
                    .map(|i| phi[i] * u[slots[i * nc + cc] as usize])
                    .sum();
            }
            // Gradients are not needed by mass or the source part of f0 for the physics we
            // ship; f0 here is evaluated with zero gradient by design (sources, reactions).
            let p = Point {
                x: map.x,
                t,
                u: &uq,
                grad_u: &gq,
                region: mesh.cell_region[c],
            };
            if !asm.lumped {
                asm.kernel.mass(&p, &mut m, &mut dm);
                for cc in 0..nc {
                    local[1 + nc + cc] += wd * m[cc];
                }
            } else {
                // The same nodal rule as the assembled mass term, so balances close exactly.
                for i in 0..nd {
                    let pi = Point {
                        x: mesh.coords[mesh.cell(c)[i]],
                        u: &u_node(u, slots, i, nc),
                        ..p
                    };
                    asm.kernel.mass(&pi, &mut m, &mut dm);
                    for cc in 0..nc {
                        local[1 + nc + cc] += wd * phi[i] * m[cc];
                    }
                }
            }
            res.clear();
            asm.kernel.residual(&p, &mut res);
            local[0] += wd;
            for cc in 0..nc {
                local[1 + cc] += wd * uq[cc];
                local[1 + 2 * nc + cc] += wd * res.f0[cc];
            }
        }
    }
    comm.sum_in_place(&mut local);
    let n = sp.n_owned();
    let mut min = vec![f64::INFINITY; nc];
    let mut max = vec![f64::NEG_INFINITY; nc];
    for (l, v) in u[..n].iter().enumerate() {
        let c = (sp.layout.lo() + l) % nc;
        min[c] = min[c].min(*v);
        max[c] = max[c].max(*v);
    }
    for c in 0..nc {
        min[c] = comm.min(min[c]);
        max[c] = comm.max(max[c]);
    }
    VolumeIntegrals {
        volume: local[0],
        integral: local[1..1 + nc].to_vec(),
        mass: local[1 + nc..1 + 2 * nc].to_vec(),
        f0: local[1 + 2 * nc..].to_vec(),
        min,
        max,
    }
}

fn u_node(u: &[f64], slots: &[u32], i: usize, nc: usize) -> Vec<f64> {
    (0..nc).map(|c| u[slots[i * nc + c] as usize]).collect()
}

/// Per-cell averages over the quadrature points of the kernel's derived cell fields, for every
/// cell of the mesh in global order (`ncells × Σ components`, on every rank). Collective.
pub fn cell_averages(comm: &Comm, asm: &Assembler, u: &[f64], t: f64) -> Vec<f64> {
    let ncf: usize = asm.kernel.cell_fields().iter().map(|f| f.1).sum();
    let sp = &asm.space;
    let mesh = &sp.mesh;
    let nc = sp.ncomp;
    let el: &Element = &sp.dofmap.element;
    let nd = el.num_dofs();
    let q = Quadrature::new(mesh.cell_type, asm.quad_degree);
    let (mut phi, mut dphi) = (vec![0.0; nd], vec![[0.0; 3]; nd]);
    let mut verts = vec![[0.0; 3]; mesh.cell_type.num_vertices()];
    let (mut uq, mut gq) = (vec![0.0; nc], vec![[0.0; 3]; nc]);
    let mut val = vec![0.0; ncf];
    let mut out = vec![0.0; mesh.num_cells() * ncf];
    if ncf == 0 {
        return out;
    }
    for (k, &c) in sp.local_cells.iter().enumerate() {
        // Each cell once: by the rank of its partition.
        if sp.cell_part[c] as usize != comm.rank() {
            continue;
        }
        let slots = sp.slots(k);
        for (v, &vi) in verts.iter_mut().zip(mesh.cell(c)) {
            *v = mesh.coords[vi];
        }
        let mut wsum = 0.0;
        for (xi, w) in q.points.iter().zip(&q.weights) {
            el.tabulate(*xi, &mut phi, &mut dphi);
            let map = galvana_mesh::fe::map_cell(mesh.cell_type, &verts, *xi);
            for cc in 0..nc {
                uq[cc] = 0.0;
                gq[cc] = [0.0; 3];
                for i in 0..nd {
                    let ui = u[slots[i * nc + cc] as usize];
                    uq[cc] += phi[i] * ui;
                    let g = galvana_mesh::fe::push_gradient(&map, mesh.dim, dphi[i]);
                    for x in 0..3 {
                        gq[cc][x] += g[x] * ui;
                    }
                }
            }
            let p = Point {
                x: map.x,
                t,
                u: &uq,
                grad_u: &gq,
                region: mesh.cell_region[c],
            };
            asm.kernel.cell_values(&p, &mut val);
            let wd = w * map.det.abs();
            wsum += wd;
            for (o, v) in out[c * ncf..(c + 1) * ncf].iter_mut().zip(&val) {
                *o += wd * v;
            }
        }
        out[c * ncf..(c + 1) * ncf]
            .iter_mut()
            .for_each(|o| *o /= wsum);
    }
    comm.sum_in_place(&mut out);
    out
}
