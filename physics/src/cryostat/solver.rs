//! Time integration (backward Euler on the bodies' enthalpies, Newton per step, adaptive step)
//! and the steady state (pseudo-transient continuation, then Newton on the balance alone).

use super::network::{solve_dense, Network, Node};

/// Step control and tolerances of a transient run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// s.
    pub end_time: f64,
    /// Largest step, s.
    pub max_step: f64,
    /// First step, s.
    pub initial_step: f64,
    /// Largest temperature change of any node in one step, K (the step-size control).
    pub max_change: f64,
    /// Newton stops when no temperature moves by more than this, K.
    pub tolerance: f64,
}

/// The state after one accepted step.
#[derive(Clone, Debug)]
pub struct Row {
    pub time: f64,
    /// Temperatures of all nodes (index 0: the surroundings), K.
    pub temperatures: Vec<f64>,
    /// Heat flow of every link, W.
    pub flows: Vec<f64>,
    /// Cooling power of every stage, W.
    pub powers: Vec<f64>,
}

/// A finished transient run.
#[derive(Clone, Debug)]
pub struct Transient {
    /// The initial state, then one row per step.
    pub rows: Vec<Row>,
    /// First time each node reached its body's target temperature (None: never, or no target).
    pub cooldown: Vec<Option<f64>>,
    pub newton_iterations: usize,
    pub rejected_steps: usize,
    /// ∫ heat into the bodies from the surroundings and loads dt, J.
    pub heat_in: f64,
    /// ∫ cooling power of all stages dt, J.
    pub cooling: f64,
    /// Σ m (h(T_end) − h(T_0)), J.
    pub enthalpy_change: f64,
}

impl Transient {
    /// Enthalpy change minus net heat in, J (zero to the Newton tolerance).
    pub fn balance_error(&self) -> f64 {
        self.enthalpy_change - (self.heat_in - self.cooling)
    }
}

/// A steady state.
#[derive(Clone, Debug)]
pub struct Steady {
    pub temperatures: Vec<f64>,
    pub flows: Vec<f64>,
    pub powers: Vec<f64>,
    /// Largest |net heat| left at any node, W.
    pub residual: f64,
    pub iterations: usize,
}

/// Per-step progress: (step, time s, dt s, Newton iterations, last update K).
pub type Progress<'a> = &'a mut dyn FnMut(usize, f64, f64, usize, f64);

/// The initial unknowns: bodies at their initial temperatures, cold heads at their body's.
fn initial(net: &Network) -> Vec<f64> {
    (1..net.nodes.len())
        .map(|i| match &net.nodes[i].1 {
            Node::Body(b) => b.initial_temperature,
            Node::Stage(s) => match &net.nodes[net.stages[*s].body].1 {
                Node::Body(b) => b.initial_temperature,
                _ => net.ambient(),
            },
            Node::Fixed(t) => *t,
        })
        .collect()
}

/// Newton for one backward-Euler step of length `dt` from `old` (`dt = None`: the steady
/// balance). Returns the new unknowns, the iterations and the last update, or `None` when it
/// does not converge in 60 iterations.
fn newton(net: &Network, old: &[f64], dt: Option<f64>, tol: f64) -> Option<(Vec<f64>, usize, f64)> {
    let n = old.len();
    let mut x = old.to_vec();
    for it in 1..=60 {
        let t = net.temperatures(&x);
        let b = net.balance(&t);
        let mut r = vec![0.0; n];
        let mut jac = vec![0.0; n * n];
        for i in 0..n {
            r[i] = -b.net[i];
            for j in 0..n {
                jac[i * n + j] = -b.jac[i * n + j];
            }
            if let (Some(dt), Some(body)) = (dt, net.body(i + 1)) {
                r[i] += (body.enthalpy(x[i]) - body.enthalpy(old[i])) / dt;
                jac[i * n + i] += body.heat_capacity(x[i]) / dt;
            }
        }
        let dx = solve_dense(jac, r.iter().map(|v| -v).collect())?;
        // Keep temperatures positive: never more than halve one in an iteration.
        let mut scale: f64 = 1.0;
        for i in 0..n {
            if x[i] + dx[i] < 0.5 * x[i] {
                scale = scale.min(0.5 * x[i] / -dx[i]);
            }
        }
        let mut big: f64 = 0.0;
        for i in 0..n {
            x[i] += scale * dx[i];
            big = big.max((scale * dx[i]).abs());
        }
        if !x.iter().all(|v| v.is_finite()) {
            return None;
        }
        if scale == 1.0 && big <= tol {
            return Some((x, it, big));
        }
    }
    None
}

fn row(net: &Network, time: f64, x: &[f64]) -> Row {
    let t = net.temperatures(x);
    Row {
        time,
        flows: net.link_flows(&t),
        powers: net.stage_powers(&t),
        temperatures: t,
    }
}

fn total_enthalpy(net: &Network, x: &[f64]) -> f64 {
    (0..x.len())
        .filter_map(|i| net.body(i + 1).map(|b| b.enthalpy(x[i])))
        .sum()
}

/// Integrates from the bodies' initial temperatures to `s.end_time`.
pub fn run_transient(net: &Network, s: &Settings, progress: Progress) -> Result<Transient, String> {
    let mut x = initial(net);
    let h0 = total_enthalpy(net, &x);
    let mut rows = vec![row(net, 0.0, &x)];
    let targets: Vec<Option<f64>> = (0..net.nodes.len())
        .map(|i| net.body(i).and_then(|b| b.target_temperature))
        .collect();
    let mut cooldown: Vec<Option<f64>> = (0..net.nodes.len())
        .map(|i| {
            targets[i]
                .filter(|&tt| rows[0].temperatures[i] <= tt)
                .map(|_| 0.0)
        })
        .collect();
    let (mut time, mut dt) = (0.0, s.initial_step.min(s.max_step));
    let (mut its_total, mut rejected, mut heat_in, mut cooling) = (0, 0, 0.0, 0.0);
    let dt_min = 1e-12 * s.end_time.max(1.0);
    while time < s.end_time * (1.0 - 1e-12) {
        dt = dt.min(s.end_time - time);
        let Some((xn, its, upd)) = newton(net, &x, Some(dt), s.tolerance) else {
            rejected += 1;
            dt *= 0.25;
            if dt < dt_min {
                return Err(format!(
                    "Newton did not converge at t = {time} s even with dt = {dt:e} s"
                ));
            }
            continue;
        };
        let change = xn
            .iter()
            .zip(&x)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        if change > 2.0 * s.max_change && dt > dt_min {
            rejected += 1;
            dt *= 0.9 * s.max_change / change;
            continue;
        }
        its_total += its;
        time += dt;
        let r = row(net, time, &xn);
        heat_in += dt * net.heat_in(&r.temperatures);
        cooling += dt * r.powers.iter().sum::<f64>();
        let prev = &rows[rows.len() - 1];
        for i in 0..net.nodes.len() {
            if let (None, Some(tt)) = (cooldown[i], targets[i]) {
                let (a, b) = (prev.temperatures[i], r.temperatures[i]);
                if b <= tt {
                    // Linear in time between the two steps.
                    cooldown[i] = Some(prev.time + dt * (a - tt) / (a - b));
                }
            }
        }
        progress(rows.len(), time, dt, its, upd);
        rows.push(r);
        x = xn;
        let grow = if change > 0.0 {
            (0.9 * s.max_change / change).clamp(0.2, 2.0)
        } else {
            2.0
        };
        dt = (dt * grow).min(s.max_step);
    }
    Ok(Transient {
        enthalpy_change: total_enthalpy(net, &x) - h0,
        rows,
        cooldown,
        newton_iterations: its_total,
        rejected_steps: rejected,
        heat_in,
        cooling,
    })
}

/// The steady state: backward-Euler steps of doubling length from the initial temperatures
/// (pseudo-transient continuation, robust from 300 K) until they stop moving, then Newton on
/// the balance alone.
pub fn solve_steady(net: &Network, tol: f64) -> Result<Steady, String> {
    let mut x = initial(net);
    let mut dt = 1.0;
    let mut iterations = 0;
    for _ in 0..200 {
        match newton(net, &x, Some(dt), tol) {
            Some((xn, its, _)) => {
                iterations += its;
                let change = xn
                    .iter()
                    .zip(&x)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                x = xn;
                dt *= 2.0;
                if change < 1e-6 && dt > 1e8 {
                    break;
                }
            }
            None => dt *= 0.25,
        }
    }
    let (x, its, _) = newton(net, &x, None, tol)
        .ok_or("Newton on the steady heat balance did not converge (is every body linked to a cooler or the surroundings?)")?;
    iterations += its;
    let t = net.temperatures(&x);
    let residual = net
        .balance(&t)
        .net
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    Ok(Steady {
        flows: net.link_flows(&t),
        powers: net.stage_powers(&t),
        temperatures: t,
        residual,
        iterations,
    })
}
