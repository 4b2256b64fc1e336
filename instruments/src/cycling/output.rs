//! Tables (CSV) and one JSON document of an analysis, for the CLI and the portal.

use super::{Analysis, Cycle};
use std::fmt::Write;

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:e}")
    } else {
        String::new()
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

/// One row per cycle: `cycle,t_start_s,t_end_s,charge_Ah,discharge_Ah,charge_Wh,discharge_Wh,
/// coulombic_efficiency,energy_efficiency,mean_charge_V,mean_discharge_V,capacity_out_Ah,retention,complete`.
/// Retention is capacity out relative to the first cycle with both directions.
pub fn cycles_csv(a: &Analysis) -> String {
    let mut s = String::from("cycle,t_start_s,t_end_s,charge_Ah,discharge_Ah,charge_Wh,discharge_Wh,coulombic_efficiency,energy_efficiency,mean_charge_V,mean_discharge_V,capacity_out_Ah,retention,complete\n");
    let base = reference(&a.cycles);
    for c in &a.cycles {
        let (vc, vd) = c.mean_potentials();
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            c.number,
            num(c.t_start),
            num(c.t_end),
            num(c.charge_ah),
            num(c.discharge_ah),
            num(c.charge_wh),
            num(c.discharge_wh),
            opt(c.coulombic_efficiency()),
            opt(c.energy_efficiency()),
            opt(vc),
            opt(vd),
            num(c.capacity_out()),
            opt(retention(c, base)),
            c.complete,
        );
    }
    s
}

/// Capacity out relative to the reference, for cycles that have both directions.
fn retention(c: &Cycle, base: Option<f64>) -> Option<f64> {
    if !c.complete {
        return None;
    }
    c.coulombic_efficiency()?;
    base.map(|b| c.capacity_out() / b)
}

/// Capacity out of the first cycle that has both directions (the retention reference).
fn reference(cycles: &[Cycle]) -> Option<f64> {
    cycles
        .iter()
        .find(|c| c.complete && c.coulombic_efficiency().is_some())
        .map(Cycle::capacity_out)
}

/// One row per step.
pub fn steps_csv(a: &Analysis) -> String {
    let mut s = String::from("step,instrument_step,cycle,kind,mode,first_row,last_row,t_start_s,t_end_s,duration_s,charge_Ah,energy_Wh,mean_current_A,v_start_V,v_end_V,logged_charge_Ah,counter_Ah\n");
    for (k, st) in a.steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "{k},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            opt(st.instrument_step),
            st.cycle,
            st.kind.name(),
            st.mode.name(),
            st.first_row,
            st.last_row,
            num(st.t_start),
            num(st.t_end),
            num(st.duration()),
            num(st.charge_ah),
            num(st.energy_wh),
            num(st.mean_current()),
            num(st.v_start),
            num(st.v_end),
            num(st.logged_charge_ah),
            opt(st.counter_ah),
        );
    }
    s
}

fn json_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:e}")
    } else {
        "null".into()
    }
}

fn json_opt(v: Option<f64>) -> String {
    v.map(json_num).unwrap_or_else(|| "null".into())
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The whole analysis as one JSON object: `rest_current_A`, `cycle_source`, `notes`,
/// `cycles` (as in [`cycles_csv`]), `pulses` (resistances); steps are left to the CSV.
pub fn to_json(a: &Analysis) -> String {
    let base = reference(&a.cycles);
    let cycles: Vec<String> = a
        .cycles
        .iter()
        .map(|c| {
            let (vc, vd) = c.mean_potentials();
            format!(
                "{{\"cycle\":{},\"t_start_s\":{},\"t_end_s\":{},\"charge_Ah\":{},\"discharge_Ah\":{},\"charge_Wh\":{},\"discharge_Wh\":{},\"coulombic_efficiency\":{},\"energy_efficiency\":{},\"mean_charge_V\":{},\"mean_discharge_V\":{},\"capacity_out_Ah\":{},\"retention\":{},\"complete\":{}}}",
                c.number,
                json_num(c.t_start),
                json_num(c.t_end),
                json_num(c.charge_ah),
                json_num(c.discharge_ah),
                json_num(c.charge_wh),
                json_num(c.discharge_wh),
                json_opt(c.coulombic_efficiency()),
                json_opt(c.energy_efficiency()),
                json_opt(vc),
                json_opt(vd),
                json_num(c.capacity_out()),
                json_opt(retention(c, base)),
                c.complete,
            )
        })
        .collect();
    let pulses: Vec<String> = a
        .pulses
        .iter()
        .map(|p| {
            format!(
                "{{\"step\":{},\"cycle\":{},\"time_s\":{},\"from\":{},\"to\":{},\"current_before_A\":{},\"current_after_A\":{},\"r_instant_ohm\":{},\"instant_delay_s\":{},\"r_delayed_ohm\":{}}}",
                p.step,
                p.cycle,
                json_num(p.time),
                json_str(p.from.name()),
                json_str(p.to.name()),
                json_num(p.current_before),
                json_num(p.current_after),
                json_num(p.r_instant_ohm),
                json_num(p.instant_delay_s),
                json_opt(p.r_delayed_ohm),
            )
        })
        .collect();
    let notes: Vec<String> = a.notes.iter().map(|n| json_str(n)).collect();
    format!(
        "{{\"rest_current_A\":{},\"cycle_source\":{},\"steps\":{},\"notes\":[{}],\"cycles\":[{}],\"pulses\":[{}]}}\n",
        json_num(a.rest_current),
        json_str(a.cycle_source.name()),
        a.steps.len(),
        notes.join(","),
        cycles.join(","),
        pulses.join(",")
    )
}
