//! Krylov solvers and preconditioners on 1, 2 and 4 ranks against the exact discrete solution.
mod common;
use common::*;

#[test]
fn krylov_solvers_agree_with_exact_solution_on_1_2_4_ranks() {
    let exe = example("linalg_check");
    assert!(exe.exists(), "example not built: {}", exe.display());
    for np in [1, 2, 4] {
        let out = mpirun(np).arg(&exe).output().expect("mpirun runs");
        let s = check(&out, &format!("linalg_check on {np} ranks"));
        assert_eq!(s.matches("PASS").count(), 9, "{s}");
    }
}

#[test]
fn natural_ordering_scatter_is_exact_on_1_2_3_ranks() {
    let exe = example("natural_check");
    for np in [1, 2, 3] {
        let out = mpirun(np).arg(&exe).output().expect("mpirun runs");
        let s = check(&out, &format!("natural_check on {np} ranks"));
        assert_eq!(s.matches("PASS").count(), 2, "{s}");
    }
}
