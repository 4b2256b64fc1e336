//! The posterior samples of an MCMC calibration as files: `samples.csv` (one row per stored
//! walker state) and `samples.h5` (the same rows, one 1-D dataset per column in the group
//! `samples`, with the parameter names, units, scales, bounds and the sampler's settings as
//! attributes). Both are written whole: temporary file, fsync, rename.

use galvana_physics::calibration::deck::Calibration;
use galvana_physics::calibration::mcmc::Chain;
use std::fmt::Write as _;
use std::path::Path;

/// What the HDF5 file's `schema` attribute says.
pub const SCHEMA: &str = "galvana calibration posterior samples";

/// `samples.csv`: `step, walker, <parameters>, [noise_sigma], log_prob`.
pub fn samples_csv(c: &Chain) -> String {
    let mut s = format!("step,walker,{},log_prob\n", c.names.join(","));
    let d = c.dim();
    for st in 0..c.len {
        for w in 0..c.walkers {
            let k = st * c.walkers + w;
            let _ = write!(s, "{},{w}", st * c.thin);
            for v in &c.samples[k * d..(k + 1) * d] {
                let _ = write!(s, ",{v}");
            }
            let _ = writeln!(s, ",{}", c.log_prob[k]);
        }
    }
    s
}

/// Unit of sampled quantity `q` (a parameter's, or the residual's for `noise_sigma`).
fn unit(cal: &Calibration, c: &Chain, q: usize) -> String {
    match cal.params.get(q) {
        Some(p) => p.unit.clone(),
        None if c.names[q] == "noise_sigma" => {
            if cal.is_spectrum() { "Ohm" } else { "V" }.to_string()
        }
        None => String::new(),
    }
}

/// Write `samples.h5` at `path` (serially: only the rank that writes the outputs calls it).
pub fn write_h5(path: &Path, cal: &Calibration, c: &Chain) -> Result<(), String> {
    crate::meshless::write_whole(path, |tmp| write_h5_to(tmp, cal, c))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn write_h5_to(tmp: &Path, cal: &Calibration, c: &Chain) -> Result<(), String> {
    let e = |x: galvana_h5::H5Error| x.to_string();
    let f = galvana_h5::File::create(tmp).map_err(e)?;
    f.set_attr_str("schema", SCHEMA).map_err(e)?;
    let g = f.group("samples").map_err(e)?;
    let d = c.dim();
    let n = c.len * c.walkers;
    let s = &cal.sampler;
    g.set_attr_str("method", "affine-invariant ensemble sampler (stretch move)")
        .map_err(e)?;
    g.set_attr_str("model", cal.model_name()).map_err(e)?;
    g.set_attr_str("dataset", &cal.dataset).map_err(e)?;
    g.set_attr_str("parameters", &c.names.join("\n"))
        .map_err(e)?;
    let units: Vec<String> = (0..d).map(|q| unit(cal, c, q)).collect();
    g.set_attr_str("units", &units.join("\n")).map_err(e)?;
    for (k, v) in [
        ("walkers", s.walkers),
        ("steps", s.steps),
        ("burn", s.burn),
        ("thin", s.thin),
        ("stored_per_walker", c.len),
        ("evaluations", c.evaluations),
    ] {
        g.set_attr_i64(k, v as i64).map_err(e)?;
    }
    g.set_attr_i64("seed", s.seed as i64).map_err(e)?;
    g.set_attr_f64("stretch", s.stretch).map_err(e)?;
    g.set_attr_f64_array("acceptance", &c.acceptance)
        .map_err(e)?;
    let steps: Vec<i64> = (0..n).map(|k| ((k / c.walkers) * c.thin) as i64).collect();
    let walkers: Vec<i64> = (0..n).map(|k| (k % c.walkers) as i64).collect();
    for (name, v, what) in [
        ("step", &steps, "sampler step after the burn-in"),
        ("walker", &walkers, "walker index"),
    ] {
        let ds = g.create_dataset::<i64>(name, &[n as u64]).map_err(e)?;
        ds.write_rows(0, v, 1).map_err(e)?;
        ds.set_attr_str("description", what).map_err(e)?;
    }
    for q in 0..d {
        let v: Vec<f64> = (0..n).map(|k| c.samples[k * d + q]).collect();
        let ds = g
            .create_dataset::<f64>(&c.names[q], &[n as u64])
            .map_err(e)?;
        ds.write_rows(0, &v, 1).map_err(e)?;
        ds.set_attr_str("units", &units[q]).map_err(e)?;
        if let Some(p) = cal.params.get(q) {
            ds.set_attr_str("scale", p.scale.name()).map_err(e)?;
            ds.set_attr_f64_array("bounds", &[p.lower, p.upper])
                .map_err(e)?;
        }
    }
    let ds = g
        .create_dataset::<f64>("log_prob", &[n as u64])
        .map_err(e)?;
    ds.write_rows(0, &c.log_prob, 1).map_err(e)?;
    ds.set_attr_str("description", "log posterior density (up to a constant)")
        .map_err(e)?;
    drop(ds);
    drop(g);
    f.close().map_err(e)
}
