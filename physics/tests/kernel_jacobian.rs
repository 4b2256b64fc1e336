//! HeatConduction's Jacobian and mass derivative against finite differences of its residual
//! and mass, pointwise and assembled on a P1 triangle (the assembler's contract).

mod common;

use common::{assemble_1d, Rng};
use galvana_physics::kernel::{Jacobian, Point, Residual, VolumeKernel};
use galvana_physics::materials::{nist, Constant, Tabulated, ThermalMaterial};
use galvana_physics::thermal::bcs::Convection;
use galvana_physics::thermal::{HeatConduction, Source};
use std::sync::Arc;

fn arc(m: Box<dyn ThermalMaterial>) -> Arc<dyn ThermalMaterial> {
    Arc::from(m)
}

/// Regions 1..=7 with strongly nonlinear k(T), plus constant, field and T-dependent sources.
fn kernel() -> HeatConduction {
    let tab = Tabulated::new(
        &[
            (5.0, 2.0),
            (20.0, 40.0),
            (60.0, 45.0),
            (150.0, 300.0),
            (290.0, 310.0),
        ],
        &[(5.0, 1.0), (300.0, 500.0)],
        3000.0,
    )
    .unwrap();
    let mats: Vec<(u32, Arc<dyn ThermalMaterial>)> = vec![
        (1, arc(nist("copper_rrr100").unwrap())),
        (2, arc(nist("ss304").unwrap())),
        (3, Arc::new(tab)),
        (4, arc(nist("g10_normal").unwrap())),
        (5, arc(nist("al6061_t6").unwrap())),
        (6, Arc::new(Constant::new(3.0, 100.0, 200.0).unwrap())),
        (7, arc(nist("copper_rrr50").unwrap())),
    ];
    let sources = vec![
        Source::constant(vec![1, 2], 1.5e4),
        Source::function(vec![3], |x, t| 1e3 * (x[0] + 2.0 * x[1] - x[2]) * (1.0 + t)),
        // Joule-like heating with a resistivity rising with T.
        Source::temperature_dependent(vec![2, 5, 7], |_, _, t| {
            (2e3 * (1.0 + 1e-4 * t * t), 2e3 * 2e-4 * t)
        }),
    ];
    HeatConduction::new(mats, sources)
}

fn eval(k: &HeatConduction, x: [f64; 3], t: f64, u: f64, g: [f64; 3], region: u32) -> Residual {
    let (uu, gg) = ([u], [g]);
    let p = Point {
        x,
        t,
        u: &uu,
        grad_u: &gg,
        region,
    };
    let mut r = Residual::zeros(1);
    k.residual(&p, &mut r);
    r
}

fn assert_close(what: &str, fd: f64, an: f64, scale: f64) {
    assert!(
        (fd - an).abs() <= 1e-6 * scale,
        "{what}: finite difference {fd} vs analytic {an} (scale {scale})"
    );
}

#[test]
fn pointwise_jacobian_matches_finite_differences() {
    let k = kernel();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..400 {
        let region = rng.uniform(1.0, 8.0).floor() as u32;
        let x = [
            rng.uniform(-1.0, 1.0),
            rng.uniform(-1.0, 1.0),
            rng.uniform(-1.0, 1.0),
        ];
        let t = rng.uniform(0.0, 10.0);
        let u = rng.uniform(5.0, 295.0);
        let g = [
            rng.uniform(-1e3, 1e3),
            rng.uniform(-1e3, 1e3),
            rng.uniform(-1e3, 1e3),
        ];
        let (uu, gg) = ([u], [g]);
        let p = Point {
            x,
            t,
            u: &uu,
            grad_u: &gg,
            region,
        };
        let mut j = Jacobian::zeros(1);
        k.jacobian(&p, &mut j);

        // d/du: f0 -> g0, f1 -> g2.
        let h = 1e-6 * u;
        let (rp, rm) = (
            eval(&k, x, t, u + h, g, region),
            eval(&k, x, t, u - h, g, region),
        );
        let r0 = eval(&k, x, t, u, g, region);
        let f1_scale = r0.f1[0].iter().map(|v| v.abs()).fold(0.0, f64::max) / u;
        assert_close(
            "g0",
            (rp.f0[0] - rm.f0[0]) / (2.0 * h),
            j.g0[0],
            1.0 + r0.f0[0].abs() / u,
        );
        for a in 0..3 {
            let fd = (rp.f1[0][a] - rm.f1[0][a]) / (2.0 * h);
            assert_close(
                &format!("g2[{a}] region {region} T={u}"),
                fd,
                j.g2[0][a],
                1.0 + f1_scale,
            );
        }
        // d/d(grad u): f0 -> g1, f1 -> g3.
        for d in 0..3 {
            let hg = 1e-6 * (1.0 + g[d].abs());
            let (mut gp, mut gm) = (g, g);
            gp[d] += hg;
            gm[d] -= hg;
            let (rp, rm) = (eval(&k, x, t, u, gp, region), eval(&k, x, t, u, gm, region));
            assert_close("g1", (rp.f0[0] - rm.f0[0]) / (2.0 * hg), j.g1[0][d], 1.0);
            for a in 0..3 {
                let fd = (rp.f1[0][a] - rm.f1[0][a]) / (2.0 * hg);
                assert_close(
                    &format!("g3[{a}][{d}]"),
                    fd,
                    j.g3[0][a][d],
                    1.0 + j.g3[0][0][0],
                );
            }
        }
    }
}

#[test]
fn mass_derivative_matches_finite_differences() {
    let k = kernel();
    let mut rng = Rng(12345);
    for _ in 0..300 {
        let region = rng.uniform(1.0, 8.0).floor() as u32;
        let u = rng.uniform(4.5, 299.5);
        let m_at = |u: f64| {
            let (uu, gg) = ([u], [[0.0; 3]]);
            let p = Point {
                x: [0.0; 3],
                t: 0.0,
                u: &uu,
                grad_u: &gg,
                region,
            };
            let (mut m, mut dm) = ([0.0], [0.0]);
            k.mass(&p, &mut m, &mut dm);
            (m[0], dm[0])
        };
        let h = 1e-4 * u;
        let fd = (m_at(u + h).0 - m_at(u - h).0) / (2.0 * h);
        let dm = m_at(u).1;
        assert!(
            (fd - dm).abs() <= 1e-6 * dm,
            "region {region} T={u}: {fd} vs {dm}"
        );
        assert!(dm > 0.0);
    }
}

/// Assembles R_i = Σ_q w_q (f0 φ_i + f1·∇φ_i) and J_ij from g0..g3 on a P1 triangle exactly as
/// kernel.rs specifies, and compares J with finite differences of R in the nodal values.
#[test]
fn assembled_triangle_jacobian_matches_finite_differences() {
    let k = kernel();
    let mut rng = Rng(777);
    // Edge-midpoint rule: exact for quadratics on triangles, weights area/3.
    let bary = [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5]];
    for trial in 0..60 {
        let region = 1 + trial % 7;
        let v: Vec<[f64; 2]> = (0..3)
            .map(|_| [rng.uniform(0.0, 0.01), rng.uniform(0.0, 0.01)])
            .collect();
        let det =
            (v[1][0] - v[0][0]) * (v[2][1] - v[0][1]) - (v[2][0] - v[0][0]) * (v[1][1] - v[0][1]);
        if det.abs() < 1e-6 {
            continue;
        }
        let area = 0.5 * det.abs();
        // Gradients of the barycentric basis functions.
        let dphi = [
            [(v[1][1] - v[2][1]) / det, (v[2][0] - v[1][0]) / det, 0.0],
            [(v[2][1] - v[0][1]) / det, (v[0][0] - v[2][0]) / det, 0.0],
            [(v[0][1] - v[1][1]) / det, (v[1][0] - v[0][0]) / det, 0.0],
        ];
        let u0: Vec<f64> = (0..3).map(|_| rng.uniform(20.0, 280.0)).collect();
        let residual = |u: &[f64]| -> Vec<f64> {
            let mut r = vec![0.0; 3];
            for b in &bary {
                let uq: f64 = (0..3).map(|i| b[i] * u[i]).sum();
                let mut g = [0.0; 3];
                for i in 0..3 {
                    for d in 0..3 {
                        g[d] += u[i] * dphi[i][d];
                    }
                }
                let x = [
                    b[0] * v[0][0] + b[1] * v[1][0] + b[2] * v[2][0],
                    b[0] * v[0][1] + b[1] * v[1][1] + b[2] * v[2][1],
                    0.0,
                ];
                let res = eval(&k, x, 0.5, uq, g, region);
                for i in 0..3 {
                    let f1dot: f64 = (0..3).map(|d| res.f1[0][d] * dphi[i][d]).sum();
                    r[i] += area / 3.0 * (res.f0[0] * b[i] + f1dot);
                }
            }
            r
        };
        // Analytic assembled Jacobian from g0..g3.
        let mut jac = [[0.0; 3]; 3];
        for b in &bary {
            let uq: f64 = (0..3).map(|i| b[i] * u0[i]).sum();
            let mut g = [0.0; 3];
            for i in 0..3 {
                for d in 0..3 {
                    g[d] += u0[i] * dphi[i][d];
                }
            }
            let x = [
                b[0] * v[0][0] + b[1] * v[1][0] + b[2] * v[2][0],
                b[0] * v[0][1] + b[1] * v[1][1] + b[2] * v[2][1],
                0.0,
            ];
            let (uu, gg) = ([uq], [g]);
            let p = Point {
                x,
                t: 0.5,
                u: &uu,
                grad_u: &gg,
                region,
            };
            let mut jq = Jacobian::zeros(1);
            k.jacobian(&p, &mut jq);
            let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
            for i in 0..3 {
                for j in 0..3 {
                    let g3dphi = [
                        dot(jq.g3[0][0], dphi[j]),
                        dot(jq.g3[0][1], dphi[j]),
                        dot(jq.g3[0][2], dphi[j]),
                    ];
                    jac[i][j] += area / 3.0
                        * (jq.g0[0] * b[i] * b[j]
                            + b[i] * dot(jq.g1[0], dphi[j])
                            + dot(jq.g2[0], dphi[i]) * b[j]
                            + dot(dphi[i], g3dphi));
                }
            }
        }
        let r0 = residual(&u0);
        let scale = r0.iter().map(|v| v.abs()).fold(0.0, f64::max) / 100.0
            + jac.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
        for j in 0..3 {
            let h = 1e-5 * u0[j];
            let (mut up, mut um) = (u0.clone(), u0.clone());
            up[j] += h;
            um[j] -= h;
            let (rp, rm) = (residual(&up), residual(&um));
            for i in 0..3 {
                let fd = (rp[i] - rm[i]) / (2.0 * h);
                assert!(
                    (fd - jac[i][j]).abs() <= 1e-6 * scale,
                    "region {region}: J[{i}][{j}] fd {fd} vs {}",
                    jac[i][j]
                );
            }
        }
    }
}

/// The same check through the 1D helper (which also adds a boundary term), for many states.
#[test]
fn assembled_1d_jacobian_with_bc_matches_finite_differences() {
    let k = kernel();
    let conv = Convection::new(25.0, 77.0).unwrap();
    let x: Vec<f64> = (0..=8)
        .map(|i| 0.02 * i as f64 * (1.0 + 0.1 * i as f64))
        .collect();
    let mut rng = Rng(4242);
    for _ in 0..20 {
        let u: Vec<f64> = x.iter().map(|_| rng.uniform(10.0, 290.0)).collect();
        let (r0, j) = assemble_1d(&k, &x, &u, 1, [&conv, &conv]);
        let scale = j.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max)
            + r0.iter().map(|v| v.abs()).fold(0.0, f64::max) / 100.0;
        for c in 0..x.len() {
            let h = 1e-5 * u[c];
            let (mut up, mut um) = (u.clone(), u.clone());
            up[c] += h;
            um[c] -= h;
            let (rp, _) = assemble_1d(&k, &x, &up, 1, [&conv, &conv]);
            let (rm, _) = assemble_1d(&k, &x, &um, 1, [&conv, &conv]);
            for r in 0..x.len() {
                let fd = (rp[r] - rm[r]) / (2.0 * h);
                assert!(
                    (fd - j[r][c]).abs() <= 1e-6 * scale,
                    "J[{r}][{c}]: {fd} vs {}",
                    j[r][c]
                );
            }
        }
    }
}

#[test]
fn residual_values_and_field_names() {
    let k = kernel();
    assert_eq!(k.ncomp(), 1);
    assert_eq!(k.field_names(), vec!["temperature".to_string()]);
    // Region 6: constant k = 3, source only none -> f0 = 0, f1 = 3 grad T.
    let r = eval(&k, [0.0; 3], 0.0, 100.0, [1.0, -2.0, 0.5], 6);
    assert_eq!(r.f0[0], 0.0);
    assert_eq!(r.f1[0], [3.0, -6.0, 1.5]);
    // Region 1: constant source 1.5e4 -> f0 = -1.5e4 (heat generated enters with a minus sign).
    let r = eval(&k, [0.0; 3], 0.0, 100.0, [0.0; 3], 1);
    assert_eq!(r.f0[0], -1.5e4);
    // Region 2: constant + T-dependent source add up.
    let r = eval(&k, [0.0; 3], 0.0, 100.0, [0.0; 3], 2);
    assert!((r.f0[0] + 1.5e4 + 2e3 * 2.0).abs() < 1e-9);
    // heat_flux = -k grad T.
    let (uu, gg) = ([100.0], [[1.0, 0.0, 0.0]]);
    let p = Point {
        x: [0.0; 3],
        t: 0.0,
        u: &uu,
        grad_u: &gg,
        region: 6,
    };
    assert_eq!(k.heat_flux(&p), [-3.0, 0.0, 0.0]);
}

#[test]
fn check_regions_reports_problems() {
    let k = kernel();
    assert!(k.check_regions(&[1, 2, 3, 4, 5, 6, 7]).is_ok());
    let e = k.check_regions(&[1, 9, 9, 12]).unwrap_err();
    assert!(e.contains("[9, 12]"), "{e}");

    let c: Arc<dyn ThermalMaterial> = Arc::new(Constant::new(1.0, 1.0, 1.0).unwrap());
    let dup = HeatConduction::new(vec![(1, c.clone()), (1, c.clone())], vec![]);
    assert!(dup
        .check_regions(&[1])
        .unwrap_err()
        .contains("more than one material"));
    let bad_src = HeatConduction::new(
        vec![(1, c.clone())],
        vec![Source::constant(vec![1, 3], 1.0)],
    );
    assert!(bad_src
        .check_regions(&[1])
        .unwrap_err()
        .contains("source 0"));
    // An empty region list means "everywhere" and is always fine.
    let all = HeatConduction::new(vec![(1, c)], vec![Source::constant(vec![], 1.0)]);
    assert!(all.check_regions(&[1]).is_ok());
}

#[test]
#[should_panic(expected = "no material for region 42")]
fn unknown_region_panics_instead_of_zero_conductivity() {
    let k = kernel();
    eval(&k, [0.0; 3], 0.0, 100.0, [1.0, 0.0, 0.0], 42);
}
