//! Residual and Jacobian assembly from pointwise kernels.

use super::space::Space;
use crate::linalg::DistCsr;
use galvana_mesh::fe::{map_cell, map_facet, push_gradient, Element, Quadrature};
use galvana_mesh::CellType;
use galvana_physics::kernel::{BoundaryKernel, Jacobian, Point, Residual, VolumeKernel};

/// A boundary condition applied on a set of named boundaries.
pub struct Bc {
    pub name: String,
    pub boundaries: Vec<String>,
    pub kernel: Box<dyn BoundaryKernel>,
}

/// The BDF time-derivative weights: ṁ = (a[0] m(u) + a[1] m(u¹) + a[2] m(u²)), a already divided by dt.
#[derive(Clone, Debug, Default)]
pub struct TimeTerms<'a> {
    pub a: [f64; 3],
    /// Local vectors of the previous levels (ghosts current).
    pub old: Vec<&'a [f64]>,
}

struct Tab {
    phi: Vec<f64>,
    dphi: Vec<[f64; 3]>,
    weights: Vec<f64>,
    points: Vec<[f64; 3]>,
    nd: usize,
}

fn tabulate(el: &Element, q: &Quadrature) -> Tab {
    let nd = el.num_dofs();
    let nq = q.weights.len();
    let mut phi = vec![0.0; nq * nd];
    let mut dphi = vec![[0.0; 3]; nq * nd];
    for (k, xi) in q.points.iter().enumerate() {
        el.tabulate(
            *xi,
            &mut phi[k * nd..(k + 1) * nd],
            &mut dphi[k * nd..(k + 1) * nd],
        );
    }
    Tab {
        phi,
        dphi,
        weights: q.weights.clone(),
        points: q.points.clone(),
        nd,
    }
}

/// Facets of natural boundary conditions that touch owned DOFs, with their DOFs.
struct FacetSet {
    bc: usize,
    facet_type: CellType,
    /// Vertex lists (facet_type.num_vertices() each) and DOF lists (facet element's dofs each).
    vertices: Vec<usize>,
    dofs: Vec<usize>,
}

/// Everything needed to assemble one problem on one rank.
pub struct Assembler {
    pub space: Space,
    pub kernel: Box<dyn VolumeKernel>,
    pub bcs: Vec<Bc>,
    cell_tab: Tab,
    facet_sets: Vec<FacetSet>,
    facet_tabs: Vec<(CellType, Tab)>,
    /// Local slot and bc index of each constrained component in owned ∪ ghost slots.
    pub dirichlet: Vec<(u32, usize)>,
    /// Flag per local slot.
    pub is_dirichlet: Vec<bool>,
    /// Nodal (lumped) evaluation of the mass term, order 1 only.
    pub lumped: bool,
    /// Cell quadrature degree (postprocessors use the same rule for consistent balances).
    pub quad_degree: usize,
}

impl Assembler {
    pub fn new(
        space: Space,
        kernel: Box<dyn VolumeKernel>,
        bcs: Vec<Bc>,
        quad_degree: Option<usize>,
        lumped: bool,
    ) -> Result<Self, String> {
        let order = space.dofmap.order;
        if lumped && order != 1 {
            return Err("lumped_mass needs order = 1 (nodal quadrature of P2/Q2 has zero or negative weights)".into());
        }
        let cell_type = space.mesh.cell_type;
        // Degree 2p+1 integrates the mass and stiffness terms exactly on affine cells with margin
        // for the nonlinear coefficients.
        let deg = quad_degree.unwrap_or(2 * order + 1);
        let cell_tab = tabulate(&space.dofmap.element, &Quadrature::new(cell_type, deg));
        let ncomp = space.ncomp;
        let mut dirichlet = Vec::new();
        let mut is_dirichlet = vec![false; space.n_local()];
        let mut facet_sets = Vec::new();
        let (dlo, dhi) = (space.dof_lo(), space.dof_hi());
        for (bi, bc) in bcs.iter().enumerate() {
            for name in &bc.boundaries {
                let b = space
                    .mesh
                    .boundaries
                    .get(name)
                    .ok_or_else(|| format!("bc '{}': unknown boundary '{name}'", bc.name))?;
                for c in 0..ncomp {
                    if bc.kernel.is_dirichlet(c) {
                        for d in space.dofmap.boundary_dofs(&space.mesh, name) {
                            if let Some(l) = space.layout.local_of(d * ncomp + c) {
                                if !is_dirichlet[l] {
                                    is_dirichlet[l] = true;
                                    dirichlet.push((l as u32, bi));
                                }
                            }
                        }
                    }
                }
                let Some(ft) = b.facet_type else { continue };
                if ft.dim() + 1 != cell_type.dim() {
                    continue; // lower-dimensional groups carry no surface flux
                }
                let mut fs = FacetSet {
                    bc: bi,
                    facet_type: ft,
                    vertices: Vec::new(),
                    dofs: Vec::new(),
                };
                for f in b.iter() {
                    let dofs = space.dofmap.facet_dofs(ft, f).ok_or_else(|| {
                        format!("boundary '{name}': a facet is not a face of any cell")
                    })?;
                    if dofs.iter().any(|&d| d >= dlo && d < dhi) {
                        fs.vertices.extend_from_slice(f);
                        fs.dofs.extend_from_slice(&dofs);
                    }
                }
                facet_sets.push(fs);
            }
        }
        let mut facet_tabs: Vec<(CellType, Tab)> = Vec::new();
        for fs in &facet_sets {
            if !facet_tabs.iter().any(|(t, _)| *t == fs.facet_type) {
                let el = Element::lagrange(fs.facet_type, order).map_err(|e| e.to_string())?;
                facet_tabs.push((
                    fs.facet_type,
                    tabulate(&el, &Quadrature::new(fs.facet_type, deg)),
                ));
            }
        }
        Ok(Self {
            space,
            kernel,
            bcs,
            cell_tab,
            facet_sets,
            facet_tabs,
            dirichlet,
            is_dirichlet,
            lumped,
            quad_degree: deg,
        })
    }

    /// Set constrained slots of `u` to their Dirichlet values at time t.
    pub fn apply_dirichlet(&self, u: &mut [f64], t: f64) {
        let nc = self.space.ncomp;
        for &(l, bi) in &self.dirichlet {
            let g = self.space.layout.global_of(l as usize);
            let (d, c) = (g / nc, g % nc);
            if let Some(v) = self.bcs[bi]
                .kernel
                .dirichlet(self.space.dofmap.dof_coords[d], t, c)
            {
                u[l as usize] = v;
            }
        }
    }

    /// Assemble the residual into `r` (owned entries) and, if given, the Jacobian. `u` and the old
    /// levels must have current ghosts. Constrained rows are left *unmodified* here; see
    /// [`Assembler::constrain`].
    pub fn assemble(
        &self,
        u: &[f64],
        t: f64,
        time: &TimeTerms,
        r: &mut [f64],
        mut jac: Option<&mut DistCsr>,
    ) {
        let sp = &self.space;
        let mesh = &sp.mesh;
        let nc = sp.ncomp;
        let dim = mesh.dim;
        let tab = &self.cell_tab;
        let nd = tab.nd;
        let ne = nd * nc;
        let n_owned = sp.n_owned();
        r[..n_owned].iter_mut().for_each(|v| *v = 0.0);
        if let Some(j) = jac.as_deref_mut() {
            j.zero();
        }
        let transient = time.a.iter().any(|&a| a != 0.0);
        let mut re = vec![0.0; ne];
        let mut ke = vec![0.0; ne * ne];
        let mut ue = vec![0.0; ne];
        let mut olde: Vec<Vec<f64>> = vec![vec![0.0; ne]; time.old.len()];
        let mut grads = vec![[0.0; 3]; nd];
        let mut uq = vec![0.0; nc];
        let mut gq = vec![[0.0; 3]; nc];
        let mut res = Residual::zeros(nc);
        let mut jq = Jacobian::zeros(nc);
        let mut m = vec![0.0; nc];
        let mut dm = vec![0.0; nc * nc];
        let mut mo = vec![0.0; nc];
        let mut uo = vec![0.0; nc];
        let mut verts = vec![[0.0; 3]; mesh.cell_type.num_vertices()];
        let lumped = self.lumped && transient;
        let mut lw = vec![0.0; nd];
        for (k, &c) in sp.local_cells.iter().enumerate() {
            let slots = sp.slots(k);
            for (i, &s) in slots.iter().enumerate() {
                ue[i] = u[s as usize];
                for (lvl, o) in time.old.iter().enumerate() {
                    olde[lvl][i] = o[s as usize];
                }
            }
            for (v, &vi) in verts.iter_mut().zip(mesh.cell(c)) {
                *v = mesh.coords[vi];
            }
            re.iter_mut().for_each(|v| *v = 0.0);
            if jac.is_some() {
                ke.iter_mut().for_each(|v| *v = 0.0);
            }
            let region = mesh.cell_region[c];
            lw.iter_mut().for_each(|v| *v = 0.0);
            for q in 0..tab.weights.len() {
                let map = map_cell(mesh.cell_type, &verts, tab.points[q]);
                let wdet = tab.weights[q] * map.det.abs();
                let phi = &tab.phi[q * nd..(q + 1) * nd];
                for i in 0..nd {
                    lw[i] += wdet * phi[i];
                }
                for i in 0..nd {
                    grads[i] = push_gradient(&map, dim, tab.dphi[q * nd + i]);
                }
                for cc in 0..nc {
                    let (mut v, mut g) = (0.0, [0.0; 3]);
                    for i in 0..nd {
                        let ui = ue[i * nc + cc];
                        v += phi[i] * ui;
                        for x in 0..3 {
                            g[x] += grads[i][x] * ui;
                        }
                    }
                    uq[cc] = v;
                    gq[cc] = g;
                }
                let p = Point {
                    x: map.x,
                    t,
                    u: &uq,
                    grad_u: &gq,
                    region,
                };
                res.clear();
                self.kernel.residual(&p, &mut res);
                if transient && !lumped {
                    self.kernel.mass(&p, &mut m, &mut dm);
                    for cc in 0..nc {
                        res.f0[cc] += time.a[0] * m[cc];
                    }
                    for (lvl, oe) in olde.iter().enumerate() {
                        for cc in 0..nc {
                            uo[cc] = (0..nd).map(|i| phi[i] * oe[i * nc + cc]).sum();
                        }
                        let po = Point { u: &uo, ..p };
                        let mut dmo = vec![0.0; nc * nc];
                        self.kernel.mass(&po, &mut mo, &mut dmo);
                        for cc in 0..nc {
                            res.f0[cc] += time.a[lvl + 1] * mo[cc];
                        }
                    }
                }
                for i in 0..nd {
                    for cc in 0..nc {
                        let f1 = res.f1[cc];
                        re[i * nc + cc] += wdet
                            * (res.f0[cc] * phi[i]
                                + f1[0] * grads[i][0]
                                + f1[1] * grads[i][1]
                                + f1[2] * grads[i][2]);
                    }
                }
                if jac.is_some() {
                    jq.clear();
                    self.kernel.jacobian(&p, &mut jq);
                    if transient && !lumped {
                        for x in 0..nc * nc {
                            jq.g0[x] += time.a[0] * dm[x];
                        }
                    }
                    add_element_jacobian(&mut ke, &jq, phi, &grads, nd, nc, wdet);
                }
            }
            if lumped {
                self.add_lumped_mass(
                    mesh.cell(c),
                    region,
                    t,
                    time,
                    &ue,
                    &olde,
                    &lw,
                    &mut re,
                    jac.is_some().then_some(&mut ke[..]),
                );
            }
            for (i, &s) in slots.iter().enumerate() {
                if (s as usize) < n_owned {
                    r[s as usize] += re[i];
                }
            }
            if let Some(j) = jac.as_deref_mut() {
                for (a, &sa) in slots.iter().enumerate() {
                    if (sa as usize) >= n_owned {
                        continue;
                    }
                    for (b, &sb) in slots.iter().enumerate() {
                        let pos = j
                            .find(sa as usize, sb)
                            .expect("pattern holds every cell coupling");
                        j.vals[pos] += ke[a * ne + b];
                    }
                }
            }
        }
        self.assemble_facets_filtered(u, t, r, jac, None);
    }

    fn assemble_facets_filtered(
        &self,
        u: &[f64],
        t: f64,
        r: &mut [f64],
        mut jac: Option<&mut DistCsr>,
        only_bc: Option<usize>,
    ) {
        let sp = &self.space;
        let nc = sp.ncomp;
        let n_owned = sp.n_owned();
        let mut b0 = vec![0.0; nc];
        let mut db0 = vec![0.0; nc * nc];
        for fs in &self.facet_sets {
            if only_bc.is_some_and(|b| b != fs.bc) {
                continue;
            }
            let tab = &self
                .facet_tabs
                .iter()
                .find(|(t, _)| *t == fs.facet_type)
                .unwrap()
                .1;
            let nd = tab.nd;
            let nv = fs.facet_type.num_vertices();
            let kernel = &self.bcs[fs.bc].kernel;
            let nf = fs.vertices.len() / nv;
            let mut verts = vec![[0.0; 3]; nv];
            let mut slots = vec![0u32; nd * nc];
            let mut uq = vec![0.0; nc];
            let gq = vec![[0.0; 3]; nc];
            for f in 0..nf {
                for (v, &vi) in verts.iter_mut().zip(&fs.vertices[f * nv..(f + 1) * nv]) {
                    *v = sp.mesh.coords[vi];
                }
                for (i, &d) in fs.dofs[f * nd..(f + 1) * nd].iter().enumerate() {
                    for cc in 0..nc {
                        slots[i * nc + cc] =
                            sp.layout.local_of(d * nc + cc).expect("facet DOF is local") as u32;
                    }
                }
                for q in 0..tab.weights.len() {
                    let fm = map_facet(fs.facet_type, &verts, tab.points[q], sp.mesh.dim);
                    let w = tab.weights[q] * fm.scale;
                    let phi = &tab.phi[q * nd..(q + 1) * nd];
                    for cc in 0..nc {
                        uq[cc] = (0..nd)
                            .map(|i| phi[i] * u[slots[i * nc + cc] as usize])
                            .sum();
                    }
                    let p = Point {
                        x: fm.x,
                        t,
                        u: &uq,
                        grad_u: &gq,
                        region: 0,
                    };
                    b0.iter_mut().for_each(|v| *v = 0.0);
                    db0.iter_mut().for_each(|v| *v = 0.0);
                    kernel.flux(&p, fm.normal, &mut b0, &mut db0);
                    for i in 0..nd {
                        for cc in 0..nc {
                            let s = slots[i * nc + cc] as usize;
                            if s < n_owned {
                                r[s] += w * b0[cc] * phi[i];
                                if let Some(j) = jac.as_deref_mut() {
                                    for jj in 0..nd {
                                        for dd in 0..nc {
                                            let col = slots[jj * nc + dd];
                                            let pos =
                                                j.find(s, col).expect("facet coupling in pattern");
                                            j.vals[pos] += w * db0[cc * nc + dd] * phi[i] * phi[jj];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Mass term by nodal quadrature: node i gets W_i ṁ(u_i), W_i = ∫φ_i (order 1: DOF i is vertex i).
    #[allow(clippy::too_many_arguments)]
    fn add_lumped_mass(
        &self,
        cell_vertices: &[usize],
        region: u32,
        t: f64,
        time: &TimeTerms,
        ue: &[f64],
        olde: &[Vec<f64>],
        lw: &[f64],
        re: &mut [f64],
        ke: Option<&mut [f64]>,
    ) {
        let nc = self.space.ncomp;
        let nd = lw.len();
        let ne = nd * nc;
        let mut m = vec![0.0; nc];
        let mut dm = vec![0.0; nc * nc];
        let mut mo = vec![0.0; nc];
        let mut dmo = vec![0.0; nc * nc];
        let g = vec![[0.0; 3]; nc];
        let mut ke = ke;
        for i in 0..nd {
            let x = self.space.mesh.coords[cell_vertices[i]];
            let p = Point {
                x,
                t,
                u: &ue[i * nc..(i + 1) * nc],
                grad_u: &g,
                region,
            };
            self.kernel.mass(&p, &mut m, &mut dm);
            for cc in 0..nc {
                re[i * nc + cc] += lw[i] * time.a[0] * m[cc];
            }
            for (lvl, oe) in olde.iter().enumerate() {
                let po = Point {
                    u: &oe[i * nc..(i + 1) * nc],
                    ..p
                };
                self.kernel.mass(&po, &mut mo, &mut dmo);
                for cc in 0..nc {
                    re[i * nc + cc] += lw[i] * time.a[lvl + 1] * mo[cc];
                }
            }
            if let Some(ke) = ke.as_deref_mut() {
                for cc in 0..nc {
                    for dd in 0..nc {
                        ke[(i * nc + cc) * ne + i * nc + dd] +=
                            lw[i] * time.a[0] * dm[cc * nc + dd];
                    }
                }
            }
        }
    }

    /// Outward flux ∫ b0_c ds of each component through each bc's natural-condition facets
    /// (entry `bc * ncomp + c`), summed over ranks by owned rows (Σφ_i = 1 makes the row sum
    /// the facet integral, counted once).
    pub fn natural_flux(&self, comm: &crate::comm::Comm, u: &[f64], t: f64) -> Vec<f64> {
        let n_owned = self.space.n_owned();
        let nc = self.space.ncomp;
        let mut out = vec![0.0; self.bcs.len() * nc];
        let mut r = vec![0.0; self.space.n_local()];
        for bi in 0..self.bcs.len() {
            r[..n_owned].iter_mut().for_each(|v| *v = 0.0);
            self.assemble_facets_filtered(u, t, &mut r, None, Some(bi));
            for (l, v) in r[..n_owned].iter().enumerate() {
                out[bi * nc + self.space.layout.global_of(l) % nc] += v;
            }
        }
        comm.sum_in_place(&mut out);
        out
    }

    /// Measure (length, area) of the natural-condition facets of bc `bi`, summed over ranks.
    pub fn boundary_measure(&self, comm: &crate::comm::Comm, bi: usize) -> f64 {
        let sp = &self.space;
        let (dlo, dhi) = (sp.dof_lo(), sp.dof_hi());
        let mut total = 0.0;
        for fs in self.facet_sets.iter().filter(|f| f.bc == bi) {
            let tab = &self
                .facet_tabs
                .iter()
                .find(|(t, _)| *t == fs.facet_type)
                .unwrap()
                .1;
            let (nd, nv) = (tab.nd, fs.facet_type.num_vertices());
            let mut verts = vec![[0.0; 3]; nv];
            for f in 0..fs.vertices.len() / nv {
                // Each facet counted once: by the rank owning its lowest DOF.
                let dofs = &fs.dofs[f * nd..(f + 1) * nd];
                let d0 = *dofs.iter().min().unwrap();
                if d0 < dlo || d0 >= dhi {
                    continue;
                }
                for (v, &vi) in verts.iter_mut().zip(&fs.vertices[f * nv..(f + 1) * nv]) {
                    *v = sp.mesh.coords[vi];
                }
                for q in 0..tab.weights.len() {
                    total += tab.weights[q]
                        * map_facet(fs.facet_type, &verts, tab.points[q], sp.mesh.dim).scale;
                }
            }
        }
        let mut v = [total];
        comm.sum_in_place(&mut v);
        v[0]
    }

    /// Impose the essential conditions: constrained residual rows become zero (u already holds
    /// the values), and constrained rows and columns of the Jacobian become identity, which keeps
    /// a symmetric Jacobian symmetric. Returns the reaction (the unconstrained residual) summed per
    /// bc and component (entry `bc * ncomp + c`), the consistent boundary flux through
    /// Dirichlet boundaries.
    pub fn constrain(&self, r: &mut [f64], jac: Option<&mut DistCsr>) -> Vec<f64> {
        let n_owned = self.space.n_owned();
        let nc = self.space.ncomp;
        let mut reaction = vec![0.0; self.bcs.len() * nc];
        for &(l, bi) in &self.dirichlet {
            if (l as usize) < n_owned {
                reaction[bi * nc + self.space.layout.global_of(l as usize) % nc] += r[l as usize];
                r[l as usize] = 0.0;
            }
        }
        if let Some(j) = jac {
            for row in 0..n_owned {
                let row_fixed = self.is_dirichlet[row];
                for k in j.row_ptr[row]..j.row_ptr[row + 1] {
                    let col = j.cols[k] as usize;
                    if row_fixed || self.is_dirichlet[col] {
                        j.vals[k] = if col == row { 1.0 } else { 0.0 };
                    }
                }
            }
        }
        reaction
    }
}

fn add_element_jacobian(
    ke: &mut [f64],
    jq: &Jacobian,
    phi: &[f64],
    grads: &[[f64; 3]],
    nd: usize,
    nc: usize,
    w: f64,
) {
    let ne = nd * nc;
    for cc in 0..nc {
        for dd in 0..nc {
            let x = cc * nc + dd;
            let (g0, g1, g2, g3) = (jq.g0[x], jq.g1[x], jq.g2[x], &jq.g3[x]);
            for i in 0..nd {
                let gi = grads[i];
                // ∇φ_i · g3 (row vector) and g2·∇φ_i are shared by every j.
                let gig3 = [
                    gi[0] * g3[0][0] + gi[1] * g3[1][0] + gi[2] * g3[2][0],
                    gi[0] * g3[0][1] + gi[1] * g3[1][1] + gi[2] * g3[2][1],
                    gi[0] * g3[0][2] + gi[1] * g3[1][2] + gi[2] * g3[2][2],
                ];
                let g2gi = g2[0] * gi[0] + g2[1] * gi[1] + g2[2] * gi[2];
                let row = (i * nc + cc) * ne;
                for j in 0..nd {
                    let gj = grads[j];
                    let v = g0 * phi[i] * phi[j]
                        + phi[i] * (g1[0] * gj[0] + g1[1] * gj[1] + g1[2] * gj[2])
                        + g2gi * phi[j]
                        + (gig3[0] * gj[0] + gig3[1] * gj[1] + gig3[2] * gj[2]);
                    ke[row + j * nc + dd] += w * v;
                }
            }
        }
    }
}
