//! Magnetostatic FEM against independent truth (run by `cargo test`; one process, because MPI
//! initialises once): sphere in a uniform field (linear, nonlinear), Newton's quadratic
//! convergence, air-core coils vs closed forms and Biot–Savart, planar manufactured solutions
//! and a straight conductor, and Maxwell-stress force vs virtual work.

mod coil;
mod force;
mod meshes;
mod planar;
mod solve;
mod sphere;

use galvana_engine::comm::Comm;

fn main() {
    let universe = mpi::initialize().expect("MPI initialises");
    let comm = Comm::new(universe.world());
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    type Case = (&'static str, fn(&Comm) -> Result<(), String>);
    let cases: [Case; 10] = [
        ("sphere_linear", sphere::linear),
        ("sphere_nonlinear_newton", sphere::nonlinear),
        ("sphere_permanent_magnet", sphere::magnet),
        ("coil_thick", coil::thick),
        ("coil_thin_inductance", coil::thin),
        ("planar_manufactured", planar::manufactured),
        ("planar_conductor", planar::conductor),
        ("force_plunger", force::plunger),
        ("force_coaxial_coils", force::coaxial_coils),
        ("quadratic_check_rejects_linear", |_| {
            // The quadratic-convergence judge must fail a linearly converging history.
            let linear: Vec<f64> = (0..12).map(|k| 0.3f64.powi(k)).collect();
            match sphere::quadratic(&linear) {
                Err(_) => Ok(()),
                Ok(()) => Err("a linear history passed the quadratic check".into()),
            }
        }),
    ];
    let mut failed = Vec::new();
    for (name, f) in cases {
        if filter.as_deref().is_some_and(|p| !name.contains(p)) {
            continue;
        }
        println!("--- {name}");
        let t = std::time::Instant::now();
        match f(&comm) {
            Ok(()) => println!("ok {name} ({:.1} s)", t.elapsed().as_secs_f64()),
            Err(e) => {
                println!("FAILED {name}: {e}");
                failed.push(name);
            }
        }
    }
    if !failed.is_empty() {
        eprintln!("failed: {failed:?}");
        std::process::exit(1);
    }
}
