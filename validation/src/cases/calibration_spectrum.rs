//! Part (d) of case 9 (calibration): physics-model EIS recovery. A spectrum of the linearised
//! SPM, SPMe or DFN (Chen2020 at rest, SOC 0.1, 1 kHz .. 10 µHz, 5 per decade) made with known
//! parameters plus 0.5 % relative Gaussian noise is fitted back by least squares through the
//! same impedance (`[calibration] model = "cell_spectrum"`, modulus weighting); every truth
//! must lie within 2σ of its estimate and the residual noise estimate within 25 % of 0.5 %.

use crate::report::{e3, Section, Table};
use galvana_engine::calibration_io::MpiEval;
use galvana_engine::comm::Comm;
use galvana_physics::battery::deck::Battery;
use galvana_physics::battery::experiment::Step;
use galvana_physics::battery::params;
use galvana_physics::battery::spme::Points;
use galvana_physics::calibration::battery::{knob, KNOBS};
use galvana_physics::calibration::lsq::{least_squares, LsqOptions};
use galvana_physics::calibration::problem::Param;
use galvana_physics::calibration::spectrum::CellSpectrumFit;
use galvana_physics::calibration::synthetic::noisy_spectrum;

const SIGMA: f64 = 0.005;

/// (model, [(name, truth, initial, lower, upper)], noise seed). The SPM and SPMe have no
/// double layer: their charge-transfer resistance is a series resistance, so a contact
/// resistance is fitted instead of an exchange current; the DFN's exchange current shapes its
/// porous-electrode current distribution and is fitted with the contact resistance known.
type Case = (&'static str, [(&'static str, f64, f64, f64, f64); 2], u64);
const CASES: [Case; 3] = [
    (
        "spm",
        [
            ("diffusivity_n_factor", 0.5, 1.0, 0.05, 20.0),
            ("contact_resistance", 0.01, 0.0, -0.05, 0.1),
        ],
        5,
    ),
    (
        "spme",
        [
            ("diffusivity_n_factor", 0.5, 1.0, 0.05, 20.0),
            ("contact_resistance", 0.01, 0.0, -0.05, 0.1),
        ],
        9,
    ),
    (
        "dfn",
        [
            ("diffusivity_n_factor", 0.5, 1.0, 0.05, 20.0),
            ("exchange_current_n_factor", 0.3, 1.0, 0.01, 100.0),
        ],
        7,
    ),
];

fn cell(model: &str) -> Battery {
    let p = params::chen2020();
    let initial = params::stoichiometries_at_soc(&p, 0.1);
    Battery {
        model: model.into(),
        params: p,
        initial,
        steps: Vec::<Step>::new(),
        points: Points {
            x_n: 10,
            x_s: 10,
            x_p: 10,
            r_n: 10,
            r_p: 10,
        },
        period: 1.0,
        field_times: Vec::new(),
    }
}

/// Adds the recovery table and its checks to `s`.
pub fn physics_eis_recovery(
    s: &mut Section,
    comm: &Comm,
    pool: &rayon::ThreadPool,
    log: &dyn Fn(&str),
) -> Result<(), String> {
    let f: Vec<f64> = (0..=40)
        .map(|k| 1e3 * 10f64.powf(-k as f64 / 5.0))
        .collect();
    let mut t = Table::new(
        format!(
            "Physics-model EIS recovery: Chen2020 at rest, SOC 0.1, {} frequencies 1 kHz .. 10 µHz, noise 0.5 % of |Z|, least squares (modulus weighting)",
            f.len()
        ),
        &["model", "parameter", "truth", "estimate ± σ", "|Δ|/σ", "σ estimate"],
    );
    let (mut worst_z, mut worst_sigma) = (0.0f64, 0.0f64);
    for (model, truth, seed) in CASES {
        let knobs: Vec<usize> = truth.iter().map(|t| knob(t.0).expect("knob")).collect();
        let theta: Vec<f64> = truth.iter().map(|t| t.1).collect();
        let mut fit = CellSpectrumFit {
            cell: cell(model),
            knobs,
            f: f.clone(),
            z: vec![],
            modulus_weighting: true,
        };
        fit.z = noisy_spectrum(&fit.curve(&theta)?, SIGMA, seed);
        let params: Vec<Param> = truth
            .iter()
            .map(|t| {
                let k = &KNOBS[knob(t.0).expect("knob")];
                Param::new(t.0, k.unit, t.2, t.3, t.4, k.scale)
            })
            .collect();
        let mut ev = MpiEval {
            comm,
            pool,
            model: &fit,
            len: 2 * f.len(),
        };
        let l = least_squares(&params, &LsqOptions::default(), &mut ev, &mut |_| {})?;
        log(&format!(
            "  EIS recovery {model}: {} iterations, rms {:.3e}",
            l.iterations, l.rms
        ));
        worst_sigma = worst_sigma.max((l.sigma / SIGMA - 1.0).abs());
        for (k, p) in params.iter().enumerate() {
            let z = (l.theta[k] - theta[k]).abs() / l.std_errors[k];
            worst_z = worst_z.max(if z.is_finite() { z } else { f64::INFINITY });
            t.row(vec![
                model.to_uppercase(),
                p.name.clone(),
                format!("{}", theta[k]),
                format!("{:.5e} ± {:.3e}", l.theta[k], l.std_errors[k]),
                format!("{z:.2}"),
                e3(l.sigma),
            ]);
        }
    }
    s.tables.push(t);
    s.check(
        "physics-model EIS recovery: least squares",
        format!("max |Δ|/σ = {worst_z:.2} over SPM, SPMe, DFN"),
        "every truth within 2σ".into(),
        worst_z < 2.0,
    );
    s.check(
        "physics-model EIS recovery: noise estimate",
        format!("max |s/σ − 1| = {worst_sigma:.3}"),
        "< 0.25 (82 residuals per fit)".into(),
        worst_sigma < 0.25,
    );
    Ok(())
}
