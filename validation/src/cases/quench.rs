//! Case 10: the quench model against the adiabatic hot-spot (MIITs) integral, Wilson's
//! normal-zone velocity for constant properties, and the energy balance of the example magnet.

use crate::fe;
use crate::report::{e3, Csv, Plot, Section, Series, Table};
use galvana_physics::quench::conductor::{ConductorMaterial, ConstantMaterial};
use galvana_physics::quench::copper::Copper;
use galvana_physics::quench::{run, Circuit, Conductor, Heater, Mesh, Settings};
use galvana_physics::superconductor::CriticalSurface;
use std::path::Path;

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../input-decks/examples/nbti_solenoid_quench.toml"
);

/// Ic falls linearly from j_max·A at `t_cs` to 0 at `t_c`, whatever the field.
struct Ramp {
    j_max: f64,
    t_cs: f64,
    t_c: f64,
}

impl CriticalSurface for Ramp {
    fn name(&self) -> String {
        "ramp".into()
    }
    fn jc(&self, _b: f64, t: f64) -> f64 {
        self.j_max * ((self.t_c - t) / (self.t_c - self.t_cs)).clamp(0.0, 1.0)
    }
    fn bc2(&self, t: f64) -> f64 {
        if t < self.t_c {
            100.0
        } else {
            0.0
        }
    }
    fn tc0(&self) -> f64 {
        self.t_c
    }
}

/// A circuit that never detects (the current stays at I_op).
fn unprotected() -> Circuit {
    Circuit {
        inductance: 1.0,
        dump_resistance: 0.1,
        threshold: 1e30,
        validation_time: 0.0,
        delay: 0.0,
    }
}

/// F(T) = A² ∫_{T0}^{T} C/ρ dT by Gauss quadrature of the material functions on 0.25 K cells
/// (cumulative at the cell edges, one more cell-fraction integral for the rest).
struct MiitsTable<'a> {
    m: &'a dyn ConductorMaterial,
    a2: f64,
    t0: f64,
    cum: Vec<f64>,
}

const CELL: f64 = 0.25;

impl<'a> MiitsTable<'a> {
    fn new(m: &'a dyn ConductorMaterial, a: f64, t0: f64, t_max: f64) -> Self {
        let n = ((t_max - t0) / CELL).ceil() as usize;
        let mut cum = vec![0.0];
        let f = |t: f64| m.volumetric_heat_capacity(t) / m.resistivity(t, 0.0);
        for k in 0..n {
            let lo = t0 + k as f64 * CELL;
            cum.push(cum[k] + fe::integrate(&f, lo, lo + CELL, 1));
        }
        Self {
            m,
            a2: a * a,
            t0,
            cum,
        }
    }

    fn at(&self, t: f64) -> f64 {
        let k = (((t - self.t0) / CELL).floor().max(0.0) as usize).min(self.cum.len() - 1);
        let lo = self.t0 + k as f64 * CELL;
        let f = |x: f64| self.m.volumetric_heat_capacity(x) / self.m.resistivity(x, 0.0);
        self.a2 * (self.cum[k] + fe::integrate(&f, lo, t, 1))
    }

    /// T with F(T) = target, by bisection.
    fn inverse(&self, target: f64) -> f64 {
        let (mut lo, mut hi) = (self.t0, self.t0 + CELL * (self.cum.len() - 1) as f64);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if self.at(mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }
}

pub fn run_case(quick: bool, log: &dyn Fn(&str)) -> Result<Section, String> {
    let mut s = Section::new(
        "quench",
        "10. Quench",
        "10. Quench: hot spot, normal-zone velocity, energy",
    );
    s.intro = "The 1D quench model (`physics/src/quench`: lumped-mass linear elements, implicit Euler \
        on the enthalpy, Newton, coupled to the circuit) against (1) the adiabatic hot spot: with \
        no conduction and the copper carrying a constant current I from T0, ∫I²dt = A²∫C/ρ dT \
        (the MIITs integral), evaluated here by Gauss quadrature of the material functions \
        (NIST copper, RRR 100), not through the solver; (2) the adiabatic normal-zone velocity \
        with constant properties, v = (J/C)·√(ρk/(T_t − T0)) (M. N. Wilson, *Superconducting \
        Magnets*, 1983, §9), measured as half the least-squares slope of the normal length over the last two thirds of the run, at several currents and \
        on refined meshes (the critical current falls linearly over T_t ± 0.05 K); (3) the \
        energy balance of the protected NbTi solenoid of `input-decks/examples/nbti_solenoid_quench.toml` \
        (inductance from its winding geometry)."
        .into();
    adiabatic(&mut s, quick, log)?;
    velocity(&mut s, quick, log)?;
    example(&mut s, log)?;
    Ok(s)
}

fn adiabatic(s: &mut Section, quick: bool, log: &dyn Fn(&str)) -> Result<(), String> {
    let cu = Copper::new(100.0)?;
    let (a, i, t0, t_end) = (1.0e-6, 400.0, 10.0, 0.6);
    let conductor = Conductor {
        a_cu: a,
        a_sc: 0.5e-6,
        stabiliser: Box::new(cu.clone()),
        surface: Box::new(Ramp {
            j_max: 0.0,
            t_cs: 0.0,
            t_c: 1.0,
        }),
        field_per_amp: 0.0,
    };
    let table = MiitsTable::new(&cu, a, t0, 400.0);
    let t_ref = table.inverse(i * i * t_end);
    let changes: &[f64] = if quick {
        &[0.002, 0.001, 0.0005]
    } else {
        &[0.002, 0.001, 0.0005, 0.00025]
    };
    let mut t = Table::new(
        format!("Adiabatic hot spot: {i} A in {} mm² of copper from {t0} K for {t_end} s; the MIITs integral gives {t_ref:.4} K", a * 1e6),
        &["max ΔT/T per step", "steps", "T_hot (K)", "rel. error", "error ratio", "max MIITs mismatch over t ≥ 0.05 s"],
    );
    let mut errs = Vec::new();
    let mut curve = Csv::new("quench_hot_spot", &["time_s", "T_solver", "T_miits"]);
    for (n, &ch) in changes.iter().enumerate() {
        let st = Settings {
            mesh: Mesh {
                length: 0.1,
                elements: 4,
            },
            heater: Heater {
                center: 0.05,
                length: 0.01,
                power: 0.0,
                duration: 0.0,
            },
            t_op: t0,
            i_op: i,
            t_end,
            dt_initial: 1e-5,
            dt_max: 1e-2,
            max_rel_change: ch,
            adiabatic: true,
        };
        let out = run(&conductor, &unprotected(), &st)?;
        let err = out.t_hot_max / t_ref - 1.0;
        let mismatch = out
            .rows
            .iter()
            .filter(|r| r.time >= 0.05)
            .map(|r| (table.at(r.t_hot) / (i * i * r.time) - 1.0).abs())
            .fold(0.0, f64::max);
        let ratio = errs
            .last()
            .map_or(String::new(), |p: &f64| format!("{:.2}", p / err));
        log(&format!(
            "  adiabatic change {ch}: T {:.4} K vs {t_ref:.4} K ({err:.2e})",
            out.t_hot_max
        ));
        t.row(vec![
            format!("{ch}"),
            out.rows.len().to_string(),
            format!("{:.4}", out.t_hot_max),
            e3(err),
            ratio,
            e3(mismatch),
        ]);
        errs.push(err);
        if n + 1 == changes.len() {
            let every = (out.rows.len() / 40).max(1);
            for r in out.rows.iter().step_by(every) {
                curve.row(vec![r.time, r.t_hot, table.inverse(i * i * r.time)]);
            }
        }
    }
    s.tables.push(t);
    let ratio = errs[errs.len() - 2] / errs[errs.len() - 1];
    s.check(
        "adiabatic hot spot: first-order convergence (error ratio as the step limit halves)",
        format!("{ratio:.2}"),
        "2 ± 0.4".into(),
        (ratio - 2.0).abs() <= 0.4,
    );
    let fin = errs[errs.len() - 1].abs();
    s.check(
        "adiabatic hot spot: finest error vs the MIITs integral",
        e3(fin),
        "< 2e-3".into(),
        fin < 2e-3,
    );
    s.csvs.push(curve);
    let mut p = Plot::new(
        "quench_hot_spot.png",
        "Adiabatic hot spot: solver vs MIITs integral",
        "t (s)",
        "T (K)",
        false,
        false,
    );
    p.add(Series::new(
        "MIITs integral",
        "quench_hot_spot",
        "time_s",
        "T_miits",
        "line",
    ));
    p.add(Series::new(
        "solver (finest)",
        "quench_hot_spot",
        "time_s",
        "T_solver",
        "marker",
    ));
    s.plots.push(p);
    Ok(())
}

fn velocity(s: &mut Section, quick: bool, log: &dyn Fn(&str)) -> Result<(), String> {
    let (c, rho, k, a) = (1.0e3, 2.0e-10, 500.0, 1.0e-6);
    let (t0, t_t, w) = (4.0, 6.0, 0.05);
    let mut t = Table::new(
        format!("Normal-zone velocity, constant properties: C = {c} J/(m³K), ρ = {rho:e} Ω·m, k = {k} W/(mK), A = 1 mm², T0 = {t0} K, T_t = {t_t} K"),
        &["current (A)", "elements (h, mm)", "max step (s)", "v measured (m/s)", "v Wilson (m/s)", "rel. error"],
    );
    let mut one = |i: f64, elements: usize| -> Result<(f64, f64, f64), String> {
        let conductor = Conductor {
            a_cu: a,
            a_sc: a,
            stabiliser: Box::new(ConstantMaterial {
                heat_capacity: c,
                resistivity: rho,
                conductivity: k,
            }),
            surface: Box::new(Ramp {
                j_max: i / a,
                t_cs: t_t - w,
                t_c: t_t + w,
            }),
            field_per_amp: 0.0,
        };
        let v_exact = i / a / c * (rho * k / (t_t - t0)).sqrt();
        // The front travels about 0.5 m each way after its start-up.
        let t_end = 0.5 / v_exact + 0.005;
        let dt_max = 2e-5 * 800.0 / elements as f64;
        let st = Settings {
            mesh: Mesh {
                length: 1.6,
                elements,
            },
            heater: Heater {
                center: 0.8,
                length: 0.02,
                power: 50.0 * i / 100.0,
                duration: 2e-3,
            },
            t_op: t0,
            i_op: i,
            t_end,
            dt_initial: 1e-6,
            dt_max,
            max_rel_change: 0.05,
            adiabatic: false,
        };
        let out = run(&conductor, &unprotected(), &st)?;
        // The normal length counts whole nodes (steps of h): a least-squares line through
        // it over the last two thirds of the run averages that quantisation out.
        let pts: Vec<(f64, f64)> = out
            .rows
            .iter()
            .filter(|r| r.time >= t_end / 3.0)
            .map(|r| (r.time, r.normal_length))
            .collect();
        let nf = pts.len() as f64;
        let (mt, ml) = pts
            .iter()
            .fold((0.0, 0.0), |(a, b), p| (a + p.0 / nf, b + p.1 / nf));
        let (sxy, sxx) = pts.iter().fold((0.0, 0.0), |(a, b), p| {
            (a + (p.0 - mt) * (p.1 - ml), b + (p.0 - mt) * (p.0 - mt))
        });
        // Two fronts: each moves at half the growth rate.
        let v = 0.5 * sxy / sxx;
        log(&format!(
            "  NZP {i} A, {elements} elements: v {v:.4} m/s vs {v_exact:.4} m/s"
        ));
        t.row(vec![
            format!("{i}"),
            format!("{elements} ({:.2})", 1600.0 / elements as f64),
            format!("{dt_max:.1e}"),
            format!("{v:.4}"),
            format!("{v_exact:.4}"),
            e3(v / v_exact - 1.0),
        ]);
        Ok((v, v_exact, v / v_exact - 1.0))
    };
    let meshes: &[usize] = if quick {
        &[200, 400, 800]
    } else {
        &[200, 400, 800, 1600]
    };
    let mut errs = Vec::new();
    for &n in meshes {
        errs.push(one(100.0, n)?.2);
    }
    let currents: &[f64] = if quick {
        &[50.0, 150.0]
    } else {
        &[50.0, 75.0, 125.0, 150.0]
    };
    let mut worst = errs[2].abs();
    for &i in currents {
        worst = worst.max(one(i, 800)?.2.abs());
    }
    // First-order convergence: extrapolate the finest pair.
    let nn = errs.len();
    let extrap = 2.0 * errs[nn - 1] - errs[nn - 2];
    t.row(vec![
        "100".into(),
        format!(
            "extrapolated from {} and {}",
            meshes[nn - 2],
            meshes[nn - 1]
        ),
        String::new(),
        String::new(),
        String::new(),
        e3(extrap),
    ]);
    s.tables.push(t);
    s.check(
        "normal-zone velocity at 100 A, first-order extrapolation of the finest pair, vs Wilson",
        e3(extrap),
        "< 3e-3".into(),
        extrap.abs() < 3e-3,
    );
    let decreasing = errs.windows(2).all(|p| p[1].abs() < p[0].abs());
    s.check(
        "normal-zone velocity: error falls as the mesh (and step) is refined",
        errs.iter().map(|e| e3(*e)).collect::<Vec<_>>().join(" → "),
        "decreasing".into(),
        decreasing,
    );
    s.check(
        "normal-zone velocity vs Wilson, 800 elements, all currents",
        e3(worst),
        "< 2e-2".into(),
        worst < 2e-2,
    );
    Ok(())
}

fn example(s: &mut Section, log: &dyn Fn(&str)) -> Result<(), String> {
    let (_, m) = match galvana_engine::quench_run::load(Path::new(EXAMPLE)) {
        Some(Ok(x)) => x,
        Some(Err(d)) => {
            return Err(format!(
                "{EXAMPLE}: {} diagnostic(s), first: {}",
                d.len(),
                d.first().map_or(String::new(), |x| x.message.clone())
            ))
        }
        None => return Err(format!("{EXAMPLE}: not a quench deck")),
    };
    let out = run(&m.conductor, &m.circuit, &m.settings)?;
    let l = m.circuit.inductance;
    let i0 = m.settings.i_op;
    let i_end = out.rows.last().map_or(i0, |r| r.current);
    let stored = 0.5 * l * i0 * i0;
    let after = out.e_joule - out.e_supply;
    let accounted = out.e_dump + after + 0.5 * l * i_end * i_end;
    log(&format!("  example: L {l:.5} H, stored {stored:.1} J, dump {:.1} J, conductor after switch {after:.2} J", out.e_dump));
    let mut t = Table::new(
        format!(
            "Protected NbTi solenoid (example deck): L = {l:.5} H from {}, I0 = {i0} A",
            m.inductance_source
        ),
        &["quantity", "value"],
    );
    for (q, v) in [
        ("stored ½LI0² (J)", format!("{stored:.2}")),
        ("dump resistor (J)", format!("{:.2}", out.e_dump)),
        (
            "conductor Joule heat after the switch (J)",
            format!("{after:.3}"),
        ),
        (
            "conductor Joule heat before the switch (J, from the supply)",
            format!("{:.3}", out.e_supply),
        ),
        (
            "left in the magnet ½LI_end² (J)",
            format!("{:.3e}", 0.5 * l * i_end * i_end),
        ),
        ("hot spot (K)", format!("{:.2}", out.t_hot_max)),
        ("MIITs (A²s)", format!("{:.4e}", out.miits)),
        (
            "detection / switch (s)",
            format!(
                "{:.4} / {:.4}",
                out.t_detect.unwrap_or(f64::NAN),
                out.t_switch.unwrap_or(f64::NAN)
            ),
        ),
    ] {
        t.row(vec![q.into(), v]);
    }
    s.tables.push(t);
    let disc = (out.e_magnet - (out.e_dump + after)).abs() / out.e_magnet;
    s.check("example: magnet energy released = dump + conductor heating after the switch (solver's accounts)", e3(disc), "< 1e-7".into(), disc < 1e-7);
    let cons = (out.e_conductor - (out.e_heater + out.e_joule)).abs() / out.e_conductor;
    s.check(
        "example: conductor enthalpy rise = heater + Joule heat",
        e3(cons),
        "< 1e-7".into(),
        cons < 1e-7,
    );
    // Against the analytic stored energy implicit Euler loses ½LΣ(ΔI)² (first order in dt).
    let bal = accounted / stored - 1.0;
    s.check(
        "example: ½LI0² = dump + conductor heating + ½LI_end² (implicit Euler dissipates O(dt))",
        e3(bal),
        "−1e-2 < · ≤ 1e-12".into(),
        bal > -1e-2 && bal <= 1e-12,
    );
    Ok(())
}
