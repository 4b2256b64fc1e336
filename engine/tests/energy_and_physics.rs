//! Physics against closed-form answers on small decks: linear 1D conduction (P1 and P2),
//! flux + convection, a volumetric source, and the discrete energy balance of a BDF1
//! transient, serially and on 2 ranks.
mod common;
use common::*;
use std::path::{Path, PathBuf};

const K: f64 = 10.0;
const L: f64 = 0.5;

fn interval_deck(order: usize, bcs: &str, extra: &str) -> String {
    format!(
        r#"[mesh]
type = "interval"
nx = 10
x = [0.0, {L}]

[materials.solid]
type = "constant"
k = {K}
rho = 1000.0
cp = 500.0
regions = ["domain"]

[physics]
type = "heat_conduction"
order = {order}

{bcs}
{extra}
[solver.nonlinear]
rtol = 1e-12
atol = 1e-11

[solver.linear]
type = "cg"
pc = "jacobi"
rtol = 1e-14
"#
    )
}

/// Run `text` as `<name>.toml` on `np` ranks; return the output directory.
fn run_ok(name: &str, text: &str, np: usize) -> PathBuf {
    let dir = tempdir(&format!("phys-{name}-np{np}"));
    let deck = write_deck(&dir, &format!("{name}.toml"), text);
    let out_dir = dir.join("out");
    let out = {
        let _g = mpi_lock();
        run_deck(np, &deck, &out_dir, &[])
    };
    assert_code(&out, 0, &format!("{name} on {np} rank(s)"));
    out_dir
}

/// (x, T) for every node of the last output, sorted by x.
fn profile(dir: &Path) -> Vec<(f64, f64)> {
    let g = read_geometry(dir);
    let steps = read_field_series(dir, "temperature");
    let last = steps.last().expect("an output step");
    let mut v: Vec<(f64, f64)> = g.iter().map(|p| p[0]).zip(last.stored.clone()).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

fn close(a: f64, b: f64, rtol: f64) -> bool {
    (a - b).abs() <= rtol * b.abs().max(f64::MIN_POSITIVE)
}

#[test]
fn steady_1d_conduction_is_linear_with_exact_fluxes() {
    let (t_hot, t_cold) = (400.0, 300.0);
    let bcs = format!(
        "[bcs.hot]\ntype = \"temperature\"\nboundary = [\"left\"]\nvalue = {t_hot:.1}\n\n\
         [bcs.cold]\ntype = \"temperature\"\nboundary = [\"right\"]\nvalue = {t_cold:.1}\n"
    );
    for order in [1, 2] {
        let dir = run_ok(
            &format!("linear-p{order}"),
            &interval_deck(order, &bcs, ""),
            1,
        );
        let p = profile(&dir);
        assert_eq!(p.len(), 10 * order + 1, "P{order}: number of nodes");
        for &(x, t) in &p {
            let exact = t_hot + (t_cold - t_hot) * x / L;
            assert!(
                (t - exact).abs() <= 1e-10 * exact,
                "P{order}: T({x}) = {t}, exact {exact}"
            );
        }
        // Heat enters at the hot end and leaves at the cold end: k A ΔT / L with A = 1 m².
        let q = K * (t_hot - t_cold) / L;
        let m = Csv::read(&dir.join("monitors.csv"));
        assert_eq!(m.rows.len(), 1, "a steady run has one output row");
        let (hot, cold) = (m.column("outflow_hot_W")[0], m.column("outflow_cold_W")[0]);
        assert!(
            close(hot, -q, 1e-9),
            "P{order}: outflow_hot_W = {hot}, expected {}",
            -q
        );
        assert!(
            close(cold, q, 1e-9),
            "P{order}: outflow_cold_W = {cold}, expected {q}"
        );
        let bal = m.column("power_balance_error_W")[0];
        assert!(bal.abs() <= 1e-9 * q, "P{order}: power balance error {bal}");
        assert!(close(m.column("min_temperature_K")[0], t_cold, 1e-12));
        assert!(close(m.column("max_temperature_K")[0], t_hot, 1e-12));
        assert!(close(
            m.column("mean_temperature_K")[0],
            0.5 * (t_hot + t_cold),
            1e-10
        ));
    }
}

#[test]
fn steady_flux_and_convection_balance() {
    let (q, h, t_inf) = (1000.0, 50.0, 300.0);
    let bcs = format!(
        "[bcs.heater]\ntype = \"heat_flux\"\nboundary = [\"left\"]\nq = {q:.1}\n\n\
         [bcs.cooler]\ntype = \"convection\"\nboundary = [\"right\"]\nh = {h:.1}\nt_inf = {t_inf:.1}\n"
    );
    let dir = run_ok("flux-convection", &interval_deck(1, &bcs, ""), 1);
    let m = Csv::read(&dir.join("monitors.csv"));
    let (heater, cooler) = (
        m.column("outflow_heater_W")[0],
        m.column("outflow_cooler_W")[0],
    );
    assert!(
        close(cooler, q, 1e-9),
        "outflow_cooler_W = {cooler}, imposed {q}"
    );
    assert!(
        close(heater, -q, 1e-9),
        "outflow_heater_W = {heater}, imposed {}",
        -q
    );
    // T(L) = t_inf + q/h and the gradient carries q: T(x) = T(L) + q (L - x) / k.
    let t_right = t_inf + q / h;
    for (x, t) in profile(&dir) {
        let exact = t_right + q * (L - x) / K;
        assert!(
            (t - exact).abs() <= 1e-10 * exact,
            "T({x}) = {t}, exact {exact}"
        );
    }
}

#[test]
fn steady_volumetric_source_gives_the_parabola() {
    // T(0) = T(L) = T0 and Q uniform: T = T0 + Q x (L - x) / (2k), exact at the nodes (1D);
    // each end carries half the generated heat out.
    let (t0, src) = (300.0, 2.0e4);
    let bcs = format!(
        "[bcs.ends]\ntype = \"temperature\"\nboundary = [\"left\", \"right\"]\nvalue = {t0:.1}\n"
    );
    let extra = format!(
        "[sources.heater]\ntype = \"volumetric\"\nregions = [\"domain\"]\nvalue = {src:.1}\n"
    );
    for order in [1, 2] {
        let dir = run_ok(
            &format!("source-p{order}"),
            &interval_deck(order, &bcs, &extra),
            1,
        );
        for (x, t) in profile(&dir) {
            let exact = t0 + src * x * (L - x) / (2.0 * K);
            assert!(
                (t - exact).abs() <= 1e-10 * exact,
                "P{order}: T({x}) = {t}, exact {exact}"
            );
        }
        let m = Csv::read(&dir.join("monitors.csv"));
        let power = m.column("source_power_W")[0];
        assert!(
            close(power, src * L, 1e-9),
            "P{order}: source_power_W = {power}"
        );
        let out = m.column("outflow_ends_W")[0];
        assert!(
            close(out, src * L, 1e-9),
            "P{order}: outflow_ends_W = {out}"
        );
    }
}

const DT: f64 = 10.0;
const TRANSIENT: &str = r#"[mesh]
type = "box"
nx = 6
ny = 3
nz = 2
x = [0.0, 0.06]
y = [0.0, 0.03]
z = [0.0, 0.02]

[materials.solid]
type = "constant"
k = 200.0
rho = 2700.0
cp = 900.0
regions = ["domain"]

[physics]
type = "heat_conduction"

[bcs.cooler]
type = "convection"
boundary = ["right"]
h = 1000.0
t_inf = 280.0

[bcs.heater]
type = "heat_flux"
boundary = ["left"]
q = 2000.0

[initial]
value = 350.0

[solver.nonlinear]
rtol = 1e-12
atol = 1e-12

[solver.linear]
type = "cg"
rtol = 1e-13

[time]
type = "transient"
scheme = "bdf1"
end = 200.0
dt = 10.0
"#;

#[test]
fn transient_bdf1_conserves_energy_on_1_and_2_ranks() {
    let serial = run_ok("bdf1", TRANSIENT, 1);
    let m = Csv::read(&serial.join("monitors.csv"));
    assert_eq!(
        m.rows.len(),
        21,
        "initial row + one per step (output interval 1)"
    );
    let t = m.column("time_s");
    let e = m.column("energy_J");
    let err = m.column("energy_balance_error_J");
    // E = rho cp V T for a uniform constant-property body.
    let e0 = 2700.0 * 900.0 * (0.06 * 0.03 * 0.02) * 350.0;
    assert!(
        close(e[0], e0, 1e-12),
        "initial energy_J = {}, expected {e0}",
        e[0]
    );
    assert_eq!(err[0], 0.0, "no balance error before the first step");
    let outflow_cols: Vec<usize> = m
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.starts_with("outflow_") && h.ends_with("_W"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(outflow_cols.len(), 2, "{:?}", m.header);
    let src = m.col("source_power_W");
    for i in 1..m.rows.len() {
        assert!(close(t[i], DT * i as f64, 1e-12), "time {i}: {}", t[i]);
        let change = (e[i] - e[0]).abs();
        assert!(change > 1.0, "the body must cool: ΔE = {change} J");
        assert!(
            err[i].abs() <= 1e-8 * change,
            "step {i}: energy_balance_error_J = {} vs energy change {change} J",
            err[i]
        );
        // Independently of the engine's own bookkeeping: backward Euler gives
        // E_n − E_{n−1} = dt (source − Σ outflow) with the powers at t_n.
        let out: f64 = outflow_cols.iter().map(|&j| m.rows[i][j]).sum();
        let predicted = DT * (m.rows[i][src] - out);
        let actual = e[i] - e[i - 1];
        assert!(
            (actual - predicted).abs() <= 1e-8 * actual.abs(),
            "step {i}: ΔE = {actual} J but dt·(source − outflow) = {predicted} J"
        );
    }
    // The heater delivers q A at every step.
    let heater = m.column("outflow_heater_W");
    assert!(
        heater
            .iter()
            .all(|&w| close(w, -2000.0 * 0.03 * 0.02, 1e-9)),
        "{heater:?}"
    );

    let par = run_ok("bdf1", TRANSIENT, 2);
    let m2 = Csv::read(&par.join("monitors.csv"));
    assert_monitors_agree(&m, &m2, 1e-10, "BDF1 transient, 1 vs 2 ranks");
    let (f1, f2) = (
        read_field_series(&serial, "temperature"),
        read_field_series(&par, "temperature"),
    );
    assert_eq!(f1.len(), f2.len());
    for (a, b) in f1.iter().zip(&f2) {
        let d = rel_max_diff(&a.original, &b.original);
        assert!(
            d <= 1e-10,
            "output {}: 1 vs 2 ranks differ by {d:.3e}",
            a.name
        );
    }
    let s2 = read_json(&par.join("summary.json"));
    assert_eq!(s2["ranks"], 2);
    assert_eq!(s2["steps"], 20);
}

/// The nonlinear cooldown example (NIST k(T), cp(T), lumped mass, MLI radiation) with fixed
/// steps of BDF2: the energy bookkeeping closes, and independently of it the BDF2 energy
/// difference (3Eₙ − 4Eₙ₋₁ + Eₙ₋₂)/2 equals dt·(source − outflow) at tₙ (BDF1 for the
/// first step).
#[test]
fn transient_nonlinear_bdf2_conserves_energy() {
    let text = std::fs::read_to_string(examples_dir().join("thermal_link_cooldown.toml")).unwrap();
    let text = set_key(&text, "[time]", "end", "end = 12.0");
    let text = set_key(&text, "[time]", "dt", "dt = 1.0");
    let text = set_key(&text, "[time]", "scheme", "scheme = \"bdf2\"");
    let text = set_key(&text, "[time]", "adaptive", "adaptive = false");
    let text = set_key(&text, "[output]", "interval", "interval = 1");
    let text = set_key(&text, "[solver.nonlinear]", "rtol", "rtol = 1e-11");
    let dir = run_ok("cooldown-bdf2", &text, 1);
    let m = Csv::read(&dir.join("monitors.csv"));
    assert_eq!(m.rows.len(), 13);
    let e = m.column("energy_J");
    let err = m.column("energy_balance_error_J");
    let src = m.column("source_power_W");
    let outs: Vec<usize> = (0..m.header.len())
        .filter(|&j| m.header[j].starts_with("outflow_"))
        .collect();
    for n in 1..m.rows.len() {
        let change = (e[n] - e[0]).abs();
        assert!(
            err[n].abs() <= 1e-8 * change,
            "step {n}: energy_balance_error_J = {} vs energy change {change} J",
            err[n]
        );
        let lhs = if n == 1 {
            e[1] - e[0]
        } else {
            (3.0 * e[n] - 4.0 * e[n - 1] + e[n - 2]) / 2.0
        };
        let out: f64 = outs.iter().map(|&j| m.rows[n][j]).sum();
        let rhs = 1.0 * (src[n] - out);
        assert!(
            (lhs - rhs).abs() <= 1e-8 * lhs.abs(),
            "step {n}: BDF energy difference {lhs} J vs dt·(source − outflow) = {rhs} J"
        );
    }
}
