//! Time integration of the quench: implicit Euler on the conductor enthalpy (so energy is
//! conserved step by step), a tridiagonal Newton solve per step with the conductance lagged,
//! and the circuit equation solved implicitly with the conductor at each iteration.

use super::circuit::Circuit;
use super::conductor::Conductor;

/// Uniform 1D mesh along the modelled length of conductor.
#[derive(Clone, Debug, PartialEq)]
pub struct Mesh {
    /// Modelled conductor length, m (the rest of the winding stays at the operating temperature).
    pub length: f64,
    pub elements: usize,
}

/// The quench trigger: a heat pulse on a short length of conductor.
#[derive(Clone, Debug, PartialEq)]
pub struct Heater {
    /// Centre of the heated length, m from the start of the modelled length.
    pub center: f64,
    pub length: f64,
    /// Heat per length while on, W/m.
    pub power: f64,
    pub duration: f64,
}

/// Run settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub mesh: Mesh,
    pub heater: Heater,
    /// Operating (bath) temperature, K.
    pub t_op: f64,
    /// Operating current, A.
    pub i_op: f64,
    /// End time, s (the run also stops once the current has fallen below 1e-4 of I_op).
    pub t_end: f64,
    pub dt_initial: f64,
    pub dt_max: f64,
    /// Largest temperature change per step, relative to the node temperature.
    pub max_rel_change: f64,
    /// Turn conduction off (adiabatic conductor: for checks against the MIITs integral).
    pub adiabatic: bool,
}

/// One accepted time step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    pub time: f64,
    pub current: f64,
    /// Resistive voltage of the modelled conductor, V.
    pub v_resistive: f64,
    /// Voltage across the dump resistor (0 before the switch opens), V.
    pub v_dump: f64,
    pub t_hot: f64,
    /// ∫ I² dt so far, A²·s.
    pub miits: f64,
    /// Length of conductor with a non-zero electric field, m.
    pub normal_length: f64,
}

/// Result of a quench run.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub rows: Vec<Row>,
    pub t_detect: Option<f64>,
    pub t_switch: Option<f64>,
    pub t_hot_max: f64,
    pub miits: f64,
    /// Node positions (m) and final temperatures (K).
    pub x: Vec<f64>,
    pub temperature: Vec<f64>,
    /// Energy balance, J: put in by the heater, dissipated in the conductor (Joule) and in the
    /// dump, released by the magnet after the switch opened (discrete, as integrated).
    pub e_heater: f64,
    pub e_joule: f64,
    pub e_dump: f64,
    /// Joule heat dissipated before the switch opened (fed by the supply), J.
    pub e_supply: f64,
    pub e_magnet: f64,
    /// Newton iterations over the run (a cost measure).
    pub newton_iterations: usize,
    /// Conductor enthalpy rise, J (equals e_heater + e_joule up to the solver tolerance).
    pub e_conductor: f64,
}

struct State {
    t: Vec<f64>,
    i: f64,
}

fn validate(c: &Conductor, circ: &Circuit, s: &Settings) -> Result<(), String> {
    c.validate()?;
    circ.validate()?;
    if s.mesh.elements < 2 || !s.mesh.length.is_finite() || s.mesh.length <= 0.0 {
        return Err("quench mesh needs a length > 0 and at least 2 elements".into());
    }
    let h = &s.heater;
    if !(h.length > 0.0 && h.power >= 0.0 && h.duration >= 0.0) {
        return Err("heater needs length > 0, power >= 0 and duration >= 0".into());
    }
    let checks = [
        ("operating temperature", s.t_op),
        ("operating current", s.i_op),
        ("end time", s.t_end),
        ("initial time step", s.dt_initial),
        ("largest time step", s.dt_max),
        ("max_rel_change", s.max_rel_change),
    ];
    for (what, v) in checks {
        if !(v.is_finite() && v > 0.0) {
            return Err(format!("quench {what} must be finite and > 0, got {v}"));
        }
    }
    Ok(())
}

/// Tridiagonal solve (Thomas); `a` sub-, `b` main, `c` super-diagonal; result in `d`.
fn thomas(a: &[f64], b: &mut [f64], c: &[f64], d: &mut [f64]) {
    let n = b.len();
    for k in 1..n {
        let w = a[k] / b[k - 1];
        b[k] -= w * c[k - 1];
        d[k] -= w * d[k - 1];
    }
    d[n - 1] /= b[n - 1];
    for k in (0..n - 1).rev() {
        d[k] = (d[k] - c[k] * d[k + 1]) / b[k];
    }
}

struct Stepper<'a> {
    c: &'a Conductor,
    s: &'a Settings,
    x: Vec<f64>,
    mass: Vec<f64>,
    heat_share: Vec<f64>,
    h: f64,
    iterations: std::cell::Cell<usize>,
}

impl Stepper<'_> {
    /// Lumped resistive voltage and normal length at temperatures `t`, current `i`.
    fn voltage(&self, t: &[f64], i: f64) -> (f64, f64) {
        let (mut v, mut len) = (0.0, 0.0);
        for (k, &tk) in t.iter().enumerate() {
            let e = self.c.local(tk, i).e;
            v += self.mass[k] * e;
            if e > 0.0 {
                len += self.mass[k];
            }
        }
        (v, len)
    }

    /// Newton for the temperatures at the new time; `old_h` holds the enthalpies per length
    /// at the start of the step. With `circuit` = (circuit, I_n) the current is solved too:
    /// before each temperature update, L (I − I_n)/dt + R_dump I + V(T, I) = 0 is solved for I
    /// at the latest temperatures (a block Gauss–Seidel Newton; the coupling per step is weak).
    fn solve_t(
        &self,
        old_h: &[f64],
        guess: &mut [f64],
        current: &mut f64,
        circuit: Option<(&Circuit, f64)>,
        dt: f64,
        heater_on: bool,
    ) -> bool {
        let n = old_h.len();
        let (mut a, mut b, mut cc, mut r) =
            (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for _ in 0..60 {
            let mut di_last: f64 = 0.0;
            if let Some((circ, i_old)) = circuit {
                for _ in 0..2 {
                    let g = |i: f64| {
                        circ.inductance * (i - i_old) / dt
                            + circ.dump_resistance * i
                            + self.voltage(guess, i).0
                    };
                    let i0 = *current;
                    let di = 1e-7 * i0.abs() + 1e-9;
                    let g0 = g(i0);
                    let step = g0 / ((g(i0 + di) - g0) / di);
                    *current = (i0 - step).max(0.0);
                    di_last = di_last.max((*current - i0).abs());
                    if step.abs() <= 1e-13 * self.s.i_op {
                        break;
                    }
                }
            }
            let i = *current;
            for k in 0..n {
                let tk = guess[k];
                let q = self.c.local(tk, i).q;
                let dtk = 1e-7 * tk.abs() + 1e-9;
                let dq = (self.c.local(tk + dtk, i).q - q) / dtk;
                let heat = if heater_on {
                    self.heat_share[k] * self.s.heater.power
                } else {
                    0.0
                };
                let m = self.mass[k];
                r[k] = m * (self.c.enthalpy(tk) - old_h[k]) / dt - m * (q + heat);
                b[k] = m * self.c.heat_capacity(tk) / dt - m * dq;
                a[k] = 0.0;
                cc[k] = 0.0;
            }
            if !self.s.adiabatic {
                for e in 0..n - 1 {
                    // Full Newton: the conductance's own temperature derivative included.
                    let tm = 0.5 * (guess[e] + guess[e + 1]);
                    let kc = self.c.conductance(tm, i) / self.h;
                    let dtm = 1e-7 * tm + 1e-9;
                    let dkc = (self.c.conductance(tm + dtm, i) / self.h - kc) / dtm;
                    let jump = guess[e + 1] - guess[e];
                    let f = kc * jump;
                    let half = 0.5 * dkc * jump;
                    r[e] -= f;
                    r[e + 1] += f;
                    b[e] += kc - half;
                    cc[e] -= kc + half;
                    a[e + 1] += half - kc;
                    b[e + 1] += kc + half;
                }
            }
            thomas(&a, &mut b, &cc, &mut r);
            let mut worst: f64 = 0.0;
            for k in 0..n {
                let d = r[k].clamp(-0.5 * guess[k], 0.5 * guess[k] + 50.0);
                guess[k] -= d;
                worst = worst.max(d.abs() / guess[k].abs().max(1.0));
                if !guess[k].is_finite() || guess[k] <= 0.0 {
                    return false;
                }
            }
            self.iterations.set(self.iterations.get() + 1);
            if worst < 1e-10 && di_last <= 1e-12 * self.s.i_op {
                return true;
            }
        }
        false
    }
}

/// Runs a quench from the operating state.
pub fn run(c: &Conductor, circ: &Circuit, s: &Settings) -> Result<Outcome, String> {
    validate(c, circ, s)?;
    let n = s.mesh.elements + 1;
    let h = s.mesh.length / s.mesh.elements as f64;
    let x: Vec<f64> = (0..n).map(|k| k as f64 * h).collect();
    let mass: Vec<f64> = (0..n)
        .map(|k| if k == 0 || k == n - 1 { 0.5 * h } else { h })
        .collect();
    // Heater power is shared by overlap of each node's control volume with the heated length.
    let (h0, h1) = (
        s.heater.center - 0.5 * s.heater.length,
        s.heater.center + 0.5 * s.heater.length,
    );
    let heat_share: Vec<f64> = (0..n)
        .map(|k| {
            let lo = (x[k] - 0.5 * h).max(0.0);
            let hi = (x[k] + 0.5 * h).min(s.mesh.length);
            ((hi.min(h1) - lo.max(h0)).max(0.0)) / mass[k]
        })
        .collect();
    let heated: f64 = heat_share.iter().zip(&mass).map(|(f, m)| f * m).sum();
    if heated <= 0.0 {
        return Err("the heater does not overlap the modelled conductor".into());
    }
    let st = Stepper {
        c,
        s,
        x,
        mass,
        heat_share,
        h,
        iterations: std::cell::Cell::new(0),
    };
    let mut state = State {
        t: vec![s.t_op; n],
        i: s.i_op,
    };
    let h_start: f64 = state
        .t
        .iter()
        .zip(&st.mass)
        .map(|(t, m)| m * c.enthalpy(*t))
        .sum();
    let mut out = Outcome {
        rows: Vec::new(),
        t_detect: None,
        t_switch: None,
        t_hot_max: s.t_op,
        miits: 0.0,
        x: Vec::new(),
        temperature: Vec::new(),
        e_heater: 0.0,
        e_joule: 0.0,
        e_dump: 0.0,
        e_supply: 0.0,
        e_magnet: 0.0,
        e_conductor: 0.0,
        newton_iterations: 0,
    };
    let (mut time, mut dt) = (0.0, s.dt_initial.min(s.dt_max));
    let mut above_since: Option<f64> = None;
    let mut guess = state.t.clone();
    let mut old_h = vec![0.0; n];
    let mut steps = 0usize;
    while time < s.t_end * (1.0 - 1e-12) && state.i.abs() > 1e-4 * s.i_op {
        steps += 1;
        if steps > 2_000_000 {
            return Err(format!(
                "quench run did not finish in 2e6 steps (t = {time} s)"
            ));
        }
        // Land on the heater's end and the switch opening.
        let mut stop = s.t_end;
        if time < s.heater.duration {
            stop = stop.min(s.heater.duration);
        }
        if let Some(ts) = out.t_switch {
            if time < ts {
                stop = stop.min(ts);
            }
        }
        let dt_try = dt.min(stop - time).max(1e-14);
        let heater_on = time < s.heater.duration;
        let switched = out.t_switch.is_some_and(|ts| time >= ts - 1e-15);
        guess.copy_from_slice(&state.t);
        for (h, t) in old_h.iter_mut().zip(&state.t) {
            *h = c.enthalpy(*t);
        }
        let mut i_new = state.i;
        let circuit = if switched {
            Some((circ, state.i))
        } else {
            None
        };
        let ok = st.solve_t(&old_h, &mut guess, &mut i_new, circuit, dt_try, heater_on);
        let ratio = state
            .t
            .iter()
            .zip(&guess)
            .map(|(o, n)| (n - o).abs() / (s.max_rel_change * o))
            .fold(0.0, f64::max)
            .max(if switched {
                (i_new - state.i).abs() / (0.01 * state.i.abs().max(1e-30))
            } else {
                0.0
            });
        if !ok || ratio > 2.0 {
            dt = dt_try * if ok { (0.9 / ratio).max(0.1) } else { 0.25 };
            if dt < 1e-12 {
                return Err(format!(
                    "quench time step fell below 1e-12 s at t = {time} s"
                ));
            }
            continue;
        }
        // Accept: energies with the same discretisation as the step.
        let (v, normal) = st.voltage(&guess, i_new);
        let heat = if heater_on {
            s.heater.power * heated * dt_try
        } else {
            0.0
        };
        out.e_heater += heat;
        out.e_joule += v * i_new.abs() * dt_try;
        if !switched {
            out.e_supply += v * i_new.abs() * dt_try;
        }
        if switched {
            out.e_dump += circ.dump_resistance * i_new * i_new * dt_try;
            out.e_magnet += circ.inductance * (state.i - i_new) * i_new;
        }
        out.miits += i_new * i_new * dt_try;
        time += dt_try;
        state.t.copy_from_slice(&guess);
        state.i = i_new;
        let t_hot = state.t.iter().cloned().fold(0.0, f64::max);
        out.t_hot_max = out.t_hot_max.max(t_hot);
        // Detection: above threshold continuously for the validation time.
        if out.t_detect.is_none() {
            if v > circ.threshold {
                let since = *above_since.get_or_insert(time);
                if time - since >= circ.validation_time {
                    out.t_detect = Some(time);
                    out.t_switch = Some(time + circ.delay);
                }
            } else {
                above_since = None;
            }
        }
        out.rows.push(Row {
            time,
            current: state.i,
            v_resistive: v,
            v_dump: if switched {
                circ.dump_resistance * state.i
            } else {
                0.0
            },
            t_hot,
            miits: out.miits,
            normal_length: normal,
        });
        dt = (dt_try * (0.9 / ratio.max(1e-3)).min(1.5)).min(s.dt_max);
    }
    let h_end: f64 = state
        .t
        .iter()
        .zip(&st.mass)
        .map(|(t, m)| m * c.enthalpy(*t))
        .sum();
    out.e_conductor = h_end - h_start;
    out.newton_iterations = st.iterations.get();
    out.x = st.x;
    out.temperature = state.t;
    Ok(out)
}
