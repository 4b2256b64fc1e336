//! Checks `Space::to_natural` under mpirun: the natural-order block of a field equal to a
//! function of the DOF coordinates must equal that function at the natural coordinates.
use galvana_engine::comm::Comm;
use galvana_engine::fem::space::Space;
use std::sync::Arc;

fn main() {
    let universe = mpi::initialize().unwrap();
    let comm = Comm::new(universe.world());
    let mesh = galvana_mesh::generate::box_mesh(5, 4, 3, [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], true)
        .unwrap();
    let n = mesh.num_cells();
    let part = if comm.size() == 1 {
        vec![0; n]
    } else {
        galvana_mesh::partition::metis(&mesh, comm.size())
            .unwrap()
            .cell_part
    };
    for order in [1, 2] {
        let sp = Space::new(&comm, Arc::new(mesh.clone()), order, 1, part.clone()).unwrap();
        let f = |x: [f64; 3]| x[0] + 10.0 * x[1] + 100.0 * x[2];
        let mut u = vec![0.0; sp.n_local()];
        sp.interpolate(&|x, _| f(x), &mut u);
        let nat = sp.to_natural(&comm, &u, 0);
        let (lo, _) = sp.natural_block(comm.size(), comm.rank());
        let new_of_nat = sp.new_of_natural();
        let mut bad = 0;
        for (k, v) in nat.iter().enumerate() {
            let want = f(sp.dofmap.dof_coords[new_of_nat[lo + k]]);
            if (v - want).abs() > 1e-12 {
                bad += 1;
            }
        }
        let bad = comm.sum(bad as f64);
        if comm.is_root() {
            println!(
                "{} order {order}: {bad} misplaced",
                if bad == 0.0 { "PASS" } else { "FAIL" }
            );
        }
    }
}
