//! Galvana's parallel runtime: MPI distribution of a replicated mesh, distributed linear
//! algebra, Newton–Krylov, BDF time stepping, output, and the commands of the `galvana` binary.

// Index loops over several parallel arrays read better than zipped iterators in numerical kernels.
#![allow(clippy::needless_range_loop)]

/// `println!` that carries on when standard output is closed: `galvana run deck | head` must
/// not kill a run (Rust's `println!` panics on a broken pipe). Diagnostics go to stderr.
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `print!` that carries on when standard output is closed (see [`say!`]).
#[macro_export]
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

pub mod battery_eis;
pub mod battery_run;
pub mod battery_sweep;
pub mod calibration_io;
pub mod calibration_run;
pub mod calibration_samples;
pub mod cli;
pub mod comm;
pub mod compute;
pub mod cryostat_run;
pub mod cycles;
pub mod electrochem;
pub mod fem;
pub mod fit_eis;
pub mod import;
pub mod io;
pub mod linalg;
pub mod magnetics_output;
pub mod magnetics_run;
pub mod magnetostatic;
pub mod mesh_objects;
pub mod meshless;
pub mod monitor;
pub mod quench_run;
pub mod restart;
pub mod setup;
pub mod solve;
pub mod timing;
