//! User parameter files: `parameter_set = "cell.toml"` in a battery deck (relative to the
//! deck). The form is documented in `docs/battery.md` ("Parameter files"); `keys::KEYS` is
//! the single list of what a file holds, and a test checks the documentation names each key.
//! Functions (OCPs, diffusivities, conductivities, exchange currents) are read in `functions`.
//!
//! Every problem is reported with the file, line and column, the key, and what was expected;
//! unknown keys and sections get a "did you mean". All problems of a file are collected, not
//! just the first.

mod functions;
mod keys;

pub use functions::make_table;
pub use keys::{Key, Kind, KEYS};

use super::{Electrode, ExchangeCurrent, Func, ParameterSet, Role};
use galvana_decks::{did_you_mean, Span, Value, ValueKind};
use keys::expected;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// One problem in a parameter file (or a CSV file it names).
#[derive(Clone, Debug, PartialEq)]
pub struct FileError {
    pub path: String,
    /// 1-based; 0 when the problem has no position (the file cannot be read).
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub help: Option<String>,
}

impl FileError {
    /// `path:line:col: message` (`path: message` for a file that could not be read).
    pub fn located(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.path, self.message)
        } else {
            format!("{}:{}:{}: {}", self.path, self.line, self.col, self.message)
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located())?;
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// Read the parameter file at `path`.
pub fn load(path: &Path) -> Result<ParameterSet, Vec<FileError>> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![FileError {
            path: shown.clone(),
            line: 0,
            col: 0,
            message: format!("cannot read the parameter file: {e}"),
            help: None,
        }]
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| shown.clone());
    parse(&shown, &stem, dir, &text)
}

/// Parse parameter-file text; `shown` names it in messages, `dir` anchors the CSV files it
/// names, `stem` is the set's name unless the file gives one.
pub fn parse(
    shown: &str,
    stem: &str,
    dir: &Path,
    text: &str,
) -> Result<ParameterSet, Vec<FileError>> {
    let root = galvana_decks::parse_toml_file(shown, text).map_err(|diags| {
        diags
            .into_iter()
            .map(|d| FileError {
                path: shown.to_string(),
                line: d.line,
                col: d.col,
                message: d.message,
                help: d.help,
            })
            .collect::<Vec<_>>()
    })?;
    let mut r = Reader {
        path: shown,
        dir,
        errs: Vec::new(),
    };
    let empty = BTreeMap::new();
    let top = root.as_table().unwrap_or(&empty);
    let mut names: Vec<&str> = KEYS.iter().map(|(s, _)| *s).collect();
    names.push("name");
    for (k, v) in top {
        if !names.contains(&k.as_str()) {
            r.unknown(v, k, "at the top level of a parameter file", &names);
        }
    }
    let name = match top.get("name") {
        None => stem.to_string(),
        Some(v) => match v.as_str() {
            Some(s) if !s.trim().is_empty() => s.to_string(),
            _ => {
                r.err(
                    v.span,
                    format!("`name`: expected a non-empty string, found {}", found(v)),
                    None,
                );
                stem.to_string()
            }
        },
    };
    let secs: Vec<Section> = KEYS
        .iter()
        .map(|(sec, keys)| r.section(top, sec, keys))
        .collect();
    let (cell, neg, sep, pos, elec) = (&secs[0], &secs[1], &secs[2], &secs[3], &secs[4]);
    let neg = r.electrode(neg);
    let pos = r.electrode(pos);
    let v_min = cell.num("lower_voltage_cutoff");
    let v_max = cell.num("upper_voltage_cutoff");
    if v_min >= v_max {
        let at = cell.span_of("upper_voltage_cutoff");
        r.err(
            at,
            format!("`cell.upper_voltage_cutoff` = {v_max} V must exceed `cell.lower_voltage_cutoff` = {v_min} V"),
            None,
        );
    }
    let (s0, s100) = (
        cell.num_or("ocv_at_soc_0", v_min),
        cell.num_or("ocv_at_soc_100", v_max),
    );
    if s0 >= s100 {
        r.err(
            cell.span_of("ocv_at_soc_100"),
            format!("`cell.ocv_at_soc_100` = {s100} V must exceed `cell.ocv_at_soc_0` = {s0} V"),
            None,
        );
    }
    let (Some(neg), Some(pos)) = (neg, pos) else {
        return Err(r.finish());
    };
    let set = ParameterSet {
        name: name.into(),
        area: cell.num("electrode_height")
            * cell.num("electrode_width")
            * cell.num_or("electrodes_in_parallel", 1.0),
        c_n0: neg.1,
        c_p0: pos.1,
        neg: neg.0,
        pos: pos.0,
        sep_thickness: sep.num("thickness"),
        sep_porosity: sep.num("porosity"),
        sep_bruggeman: sep.num("bruggeman_electrolyte"),
        c_e0: elec.num("initial_concentration"),
        t_plus: elec.num("transference_number"),
        d_e: elec.func("diffusivity"),
        kappa_e: elec.func("conductivity"),
        nominal_capacity_ah: cell.num("nominal_capacity"),
        v_min,
        v_max,
        ocv_soc_0: s0,
        ocv_soc_100: s100,
        temperature: cell.num("temperature"),
    };
    if r.errs.is_empty() {
        Ok(set)
    } else {
        Err(r.finish())
    }
}

/// A section's values once read: numbers (NaN where missing or wrong, already reported) and
/// functions.
struct Section {
    name: &'static str,
    header: Span,
    nums: BTreeMap<&'static str, (f64, Span)>,
    funcs: BTreeMap<&'static str, Func>,
    j0: Option<ExchangeCurrent>,
}

impl Section {
    fn num(&self, k: &str) -> f64 {
        self.nums.get(k).map_or(f64::NAN, |v| v.0)
    }
    fn num_or(&self, k: &str, default: f64) -> f64 {
        self.nums.get(k).map_or(default, |v| v.0)
    }
    fn span_of(&self, k: &str) -> Span {
        self.nums.get(k).map_or(self.header, |v| v.1)
    }
    fn func(&self, k: &str) -> Func {
        self.funcs
            .get(k)
            .cloned()
            .unwrap_or_else(|| Func::constant(f64::NAN))
    }
}

struct Reader<'a> {
    path: &'a str,
    dir: &'a Path,
    errs: Vec<FileError>,
}

fn found(v: &Value) -> String {
    match &v.kind {
        ValueKind::String(s) => format!("the string \"{s}\""),
        ValueKind::Integer(i) => format!("{i}"),
        ValueKind::Float(x) => format!("{x}"),
        ValueKind::Bool(b) => format!("{b}"),
        ValueKind::Array(_) => "an array".into(),
        ValueKind::Table(_) => "a table".into(),
        ValueKind::Datetime(_) => "a date".into(),
        ValueKind::Invalid => "an invalid value".into(),
    }
}

impl Reader<'_> {
    fn err(&mut self, span: Span, message: String, help: Option<String>) {
        self.errs.push(FileError {
            path: self.path.to_string(),
            line: span.line,
            col: span.col,
            message,
            help,
        });
    }

    fn finish(mut self) -> Vec<FileError> {
        let me = self.path;
        self.errs.sort_by_key(|e| (e.path != me, e.line, e.col));
        self.errs.dedup();
        self.errs
    }

    fn unknown(&mut self, v: &Value, key: &str, place: &str, allowed: &[&str]) {
        let help = did_you_mean(key, allowed)
            .map(|c| format!("did you mean `{c}`?"))
            .or_else(|| {
                Some(format!(
                    "allowed: {}",
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
        self.err(
            v.key_span.unwrap_or(v.span),
            format!("unknown key `{key}` {place}"),
            help,
        );
    }

    fn section(
        &mut self,
        top: &BTreeMap<String, Value>,
        name: &'static str,
        keys: &[Key],
    ) -> Section {
        let mut out = Section {
            name,
            header: Span::START,
            nums: BTreeMap::new(),
            funcs: BTreeMap::new(),
            j0: None,
        };
        let Some(v) = top.get(name) else {
            self.err(
                Span::START,
                format!("the parameter file has no [{name}] section"),
                None,
            );
            return out;
        };
        out.header = v.span;
        let Some(t) = v.as_table() else {
            self.err(
                v.span,
                format!("`{name}`: expected a section [{name}], found {}", found(v)),
                None,
            );
            return out;
        };
        let allowed: Vec<&str> = keys.iter().map(|k| k.name).collect();
        for (k, item) in t {
            if !allowed.contains(&k.as_str()) {
                self.unknown(item, k, &format!("in [{name}]"), &allowed);
            }
        }
        for key in keys {
            let full = format!("{name}.{}", key.name);
            let Some(item) = t.get(key.name) else {
                if key.required {
                    self.err(
                        v.span,
                        format!("[{name}] lacks `{}`: {}", key.name, expected(key)),
                        None,
                    );
                }
                continue;
            };
            match key.kind {
                Kind::Function(Role::ExchangeCurrent) => out.j0 = self.j0(&full, key, item),
                Kind::Function(role) => {
                    if let Some(f) = self.func(&full, key, role, item) {
                        out.funcs.insert(key.name, f);
                    }
                }
                _ => {
                    if let Some(x) = self.number(&full, key, item) {
                        out.nums.insert(key.name, (x, item.span));
                    }
                }
            }
        }
        out
    }

    fn number(&mut self, full: &str, key: &Key, v: &Value) -> Option<f64> {
        let x = match &v.kind {
            ValueKind::Float(x) => *x,
            ValueKind::Integer(i) => *i as f64,
            _ => {
                let e = format!("`{full}`: expected {}, found {}", expected(key), found(v));
                self.err(v.span, e, None);
                return None;
            }
        };
        let ok = x.is_finite()
            && match key.kind {
                Kind::Positive => x > 0.0,
                Kind::NonNegative => x >= 0.0,
                Kind::Fraction => x > 0.0 && x <= 1.0,
                Kind::Transference => (0.0..1.0).contains(&x),
                Kind::Function(_) => true,
            };
        if !ok {
            let e = format!("`{full}` = {x}: expected {}", expected(key));
            self.err(v.span, e, None);
            return None;
        }
        Some(x)
    }

    /// Electrode from its section: the electrode and its initial concentration.
    fn electrode(&mut self, s: &Section) -> Option<(Electrode, f64)> {
        let eps_s = s.num("active_material_volume_fraction");
        let porosity = s.num("porosity");
        if eps_s + porosity > 1.0 + 1e-12 {
            self.err(
                s.span_of("porosity"),
                format!(
                    "[{}]: active_material_volume_fraction + porosity = {} exceeds 1",
                    s.name,
                    eps_s + porosity
                ),
                None,
            );
        }
        let c_max = s.num("maximum_concentration");
        let c0 = s.num("initial_concentration");
        if c0 > c_max {
            self.err(
                s.span_of("initial_concentration"),
                format!(
                    "`{}.initial_concentration` = {c0} mol/m3 exceeds maximum_concentration = {c_max} mol/m3",
                    s.name
                ),
                None,
            );
        }
        let e = Electrode {
            thickness: s.num("thickness"),
            particle_radius: s.num("particle_radius"),
            eps_s,
            porosity,
            bruggeman: s.num("bruggeman_electrolyte"),
            bruggeman_electrode: s.num("bruggeman_electrode"),
            conductivity: s.num("conductivity"),
            c_max,
            ocp: s.funcs.get("ocp")?.clone(),
            diffusivity: s.funcs.get("diffusivity")?.clone(),
            j0: s.j0.clone()?,
        };
        Some((e, c0))
    }
}
