//! User parameter files: `parameter_set = "cell.toml"` in a battery deck (relative to the
//! deck). The form is documented in `docs/battery.md` ("Parameter files"); `KEYS` below is
//! the single list of what a file holds, and a test checks the documentation names each key.
//!
//! Every problem is reported with the file, line and column, the key, and what was expected;
//! unknown keys and sections get a "did you mean". All problems of a file are collected, not
//! just the first.

use super::{builtin_func, builtin_functions, builtin_j0, Electrode, ExchangeCurrent, Func};
use super::{ParameterSet, Role, Table};
use crate::materials::MonotoneCubic;
use galvana_decks::{did_you_mean, Span, Value, ValueKind};
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

/// What a key holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A number > 0.
    Positive,
    /// A number ≥ 0.
    NonNegative,
    /// A number in (0, 1].
    Fraction,
    /// A number in [0, 1).
    Transference,
    /// A function (see the module docs of the format).
    Function(Role),
}

/// One key of a section.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub unit: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn req(name: &'static str, unit: &'static str, kind: Kind) -> Key {
    Key {
        name,
        unit,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, unit: &'static str, kind: Kind) -> Key {
    Key {
        name,
        unit,
        kind,
        required: false,
    }
}

const CELL: &[Key] = &[
    req("electrode_height", "m", Kind::Positive),
    req("electrode_width", "m", Kind::Positive),
    opt("electrodes_in_parallel", "", Kind::Positive),
    req("nominal_capacity", "A.h", Kind::Positive),
    req("lower_voltage_cutoff", "V", Kind::Positive),
    req("upper_voltage_cutoff", "V", Kind::Positive),
    opt("ocv_at_soc_0", "V", Kind::Positive),
    opt("ocv_at_soc_100", "V", Kind::Positive),
    req("temperature", "K", Kind::Positive),
];

const ELECTRODE: &[Key] = &[
    req("thickness", "m", Kind::Positive),
    req("particle_radius", "m", Kind::Positive),
    req("active_material_volume_fraction", "", Kind::Fraction),
    req("porosity", "", Kind::Fraction),
    req("bruggeman_electrolyte", "", Kind::NonNegative),
    req("bruggeman_electrode", "", Kind::NonNegative),
    req("conductivity", "S/m", Kind::Positive),
    req("maximum_concentration", "mol/m3", Kind::Positive),
    req("initial_concentration", "mol/m3", Kind::NonNegative),
    req("ocp", "V", Kind::Function(Role::Ocp)),
    req(
        "diffusivity",
        "m2/s",
        Kind::Function(Role::ParticleDiffusivity),
    ),
    req(
        "exchange_current_density",
        "A/m2",
        Kind::Function(Role::ExchangeCurrent),
    ),
];

const SEPARATOR: &[Key] = &[
    req("thickness", "m", Kind::Positive),
    req("porosity", "", Kind::Fraction),
    req("bruggeman_electrolyte", "", Kind::NonNegative),
];

const ELECTROLYTE: &[Key] = &[
    req("initial_concentration", "mol/m3", Kind::Positive),
    req("transference_number", "", Kind::Transference),
    req(
        "diffusivity",
        "m2/s",
        Kind::Function(Role::ElectrolyteDiffusivity),
    ),
    req(
        "conductivity",
        "S/m",
        Kind::Function(Role::ElectrolyteConductivity),
    ),
];

/// The sections of a parameter file and their keys (besides the top-level `name`).
pub const KEYS: &[(&str, &[Key])] = &[
    ("cell", CELL),
    ("negative_electrode", ELECTRODE),
    ("separator", SEPARATOR),
    ("positive_electrode", ELECTRODE),
    ("electrolyte", ELECTROLYTE),
];

/// Keys of an inline-table function (`{ table = [...], activation_energy = 3e4 }`).
const FUNC_KEYS: &[&str] = &["value", "table", "csv", "activation_energy"];
const J0_KEYS: &[&str] = &["rate_constant", "activation_energy"];

fn expected(k: &Key) -> String {
    let unit = if k.unit.is_empty() {
        String::new()
    } else {
        format!(" [{}]", k.unit)
    };
    match k.kind {
        Kind::Positive => format!("a number > 0{unit}"),
        Kind::NonNegative => format!("a number >= 0{unit}"),
        Kind::Fraction => "a number in (0, 1]".into(),
        Kind::Transference => "a number in [0, 1)".into(),
        Kind::Function(Role::ExchangeCurrent) => format!(
            "{}{unit}: a built-in function's name or {{ rate_constant = ..., activation_energy = ... }}",
            Role::ExchangeCurrent.describe()
        ),
        Kind::Function(Role::Ocp) => format!(
            "{}{unit}: a built-in function's name, a table [[sto, U], ...] or a CSV file",
            Role::Ocp.describe()
        ),
        Kind::Function(r) => format!(
            "{}{unit}: a number, a built-in function's name, a table [[x, y], ...], a CSV file, or an inline table with `activation_energy`",
            r.describe()
        ),
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
        ocv_soc_0: cell.num_or("ocv_at_soc_0", v_min),
        ocv_soc_100: cell.num_or("ocv_at_soc_100", v_max),
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

    fn builtin(&mut self, full: &str, role: Role, name: &str, v: &Value) -> Option<Func> {
        if let Some(f) = builtin_func(name, role) {
            return Some(f);
        }
        self.no_builtin(full, role, name, v);
        None
    }

    fn no_builtin(&mut self, full: &str, role: Role, name: &str, v: &Value) {
        let all = builtin_functions();
        if let Some((_, other)) = all.iter().find(|(n, _)| *n == name) {
            let e = format!(
                "`{full}`: `{name}` is {}, not {}",
                other.describe(),
                role.describe()
            );
            self.err(v.span, e, None);
            return;
        }
        let same: Vec<&str> = all
            .iter()
            .filter(|(_, r)| *r == role)
            .map(|(n, _)| *n)
            .collect();
        let help = did_you_mean(name, &same)
            .map(|c| format!("did you mean `{c}`?"))
            .or_else(|| Some(format!("built-in: {}", same.join(", "))));
        let csv = if role == Role::ExchangeCurrent {
            ""
        } else {
            " (a CSV file must end in `.csv`)"
        };
        self.err(
            v.span,
            format!("`{full}`: unknown built-in function `{name}`{csv}"),
            help,
        );
    }

    fn j0(&mut self, full: &str, key: &Key, v: &Value) -> Option<ExchangeCurrent> {
        match &v.kind {
            ValueKind::String(name) => {
                let j = builtin_j0(name);
                if j.is_none() {
                    self.no_builtin(full, Role::ExchangeCurrent, name, v);
                }
                j
            }
            ValueKind::Table(t) => {
                for (k, item) in t {
                    if !J0_KEYS.contains(&k.as_str()) {
                        self.unknown(item, k, &format!("in `{full}`"), J0_KEYS);
                    }
                }
                let k_spec = req("rate_constant", "A/m2 (m3/mol)^1.5", Kind::Positive);
                let e_spec = opt("activation_energy", "J/mol", Kind::NonNegative);
                let m_ref = match t.get("rate_constant") {
                    Some(x) => self.number(&format!("{full}.rate_constant"), &k_spec, x)?,
                    None => {
                        let e = format!("`{full}` lacks `rate_constant` ({})", expected(&k_spec));
                        self.err(v.span, e, None);
                        return None;
                    }
                };
                let activation_energy = match t.get("activation_energy") {
                    Some(x) => self.number(&format!("{full}.activation_energy"), &e_spec, x)?,
                    None => 0.0,
                };
                Some(ExchangeCurrent::RateConstant {
                    m_ref,
                    activation_energy,
                })
            }
            _ => {
                let e = format!("`{full}`: expected {}, found {}", expected(key), found(v));
                self.err(v.span, e, None);
                None
            }
        }
    }

    fn func(&mut self, full: &str, key: &Key, role: Role, v: &Value) -> Option<Func> {
        match &v.kind {
            ValueKind::Float(_) | ValueKind::Integer(_) if role == Role::Ocp => {
                let e = format!(
                    "`{full}`: an OCP must vary with stoichiometry; expected {}",
                    expected(key)
                );
                self.err(v.span, e, None);
                None
            }
            ValueKind::Float(_) | ValueKind::Integer(_) => {
                let pos = req(key.name, key.unit, Kind::Positive);
                self.number(full, &pos, v).map(Func::constant)
            }
            ValueKind::String(s) if s.to_ascii_lowercase().ends_with(".csv") => {
                self.csv(full, role, s, v)
            }
            ValueKind::String(s) => self.builtin(full, role, s, v),
            ValueKind::Array(_) => self.table(full, role, v),
            ValueKind::Table(t) => self.inline(full, key, role, t, v),
            _ => {
                let e = format!("`{full}`: expected {}, found {}", expected(key), found(v));
                self.err(v.span, e, None);
                None
            }
        }
    }

    /// `{ value | table | csv = ..., activation_energy = E }`.
    fn inline(
        &mut self,
        full: &str,
        key: &Key,
        role: Role,
        t: &BTreeMap<String, Value>,
        v: &Value,
    ) -> Option<Func> {
        let mut bad = false;
        for (k, item) in t {
            if !FUNC_KEYS.contains(&k.as_str()) {
                self.unknown(item, k, &format!("in `{full}`"), FUNC_KEYS);
                bad = true;
            }
        }
        let given: Vec<&str> = ["value", "table", "csv"]
            .into_iter()
            .filter(|k| t.contains_key(*k))
            .collect();
        if given.len() != 1 {
            let e = format!(
                "`{full}`: give exactly one of `value`, `table` or `csv` (found {})",
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(", ")
                }
            );
            self.err(v.span, e, None);
            return None;
        }
        let sub = format!("{full}.{}", given[0]);
        let item = &t[given[0]];
        let f = match given[0] {
            "value" => self.func(&sub, key, role, item)?,
            "table" => self.table(&sub, role, item)?,
            _ => match item.as_str() {
                Some(s) => self.csv(&sub, role, s, item)?,
                None => {
                    let e = format!("`{sub}`: expected a CSV file name, found {}", found(item));
                    self.err(item.span, e, None);
                    return None;
                }
            },
        };
        let e_act = match t.get("activation_energy") {
            Some(x) if role == Role::Ocp => {
                let e = format!(
                    "`{full}.activation_energy`: OCPs take no Arrhenius factor (the models are isothermal)"
                );
                self.err(x.span, e, None);
                return None;
            }
            Some(x) => {
                let spec = req("activation_energy", "J/mol", Kind::NonNegative);
                self.number(&format!("{full}.activation_energy"), &spec, x)?
            }
            None => 0.0,
        };
        (!bad).then(|| f.with_arrhenius(e_act))
    }

    /// `[[x, y], ...]` written in the file.
    fn table(&mut self, full: &str, role: Role, v: &Value) -> Option<Func> {
        let rows = v.as_array().unwrap_or(&[]);
        let mut pts = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            match row.as_pairs_row() {
                Some(p) => pts.push(p),
                None => {
                    let e = format!(
                        "`{full}` row {}: expected [x, y] (two numbers), found {}",
                        i + 1,
                        found(row)
                    );
                    self.err(row.span, e, None);
                    return None;
                }
            }
        }
        match make_table(role, &pts) {
            Ok(f) => Some(f),
            Err(m) => {
                self.err(v.span, format!("`{full}`: {m}"), None);
                None
            }
        }
    }

    /// A two-column CSV file (PyBaMM's form: `#` comments, optionally one header line).
    fn csv(&mut self, full: &str, role: Role, name: &str, v: &Value) -> Option<Func> {
        let path = self.dir.join(name);
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                self.err(v.span, format!("`{full}`: cannot read {shown}: {e}"), None);
                return None;
            }
        };
        let mut pts = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            let xy = (f.len() >= 2)
                .then(|| Some((f[0].parse::<f64>().ok()?, f[1].parse::<f64>().ok()?)))
                .flatten();
            match xy {
                Some(p) => pts.push(p),
                // One header line before the data is allowed.
                None if pts.is_empty() && !f[0].is_empty() && f[0].parse::<f64>().is_err() => {}
                None => {
                    self.errs.push(FileError {
                        path: shown.clone(),
                        line: n + 1,
                        col: 1,
                        message: format!(
                            "expected two numbers `x,y` (for `{full}` in {}), found `{l}`",
                            self.path
                        ),
                        help: None,
                    });
                    return None;
                }
            }
        }
        match make_table(role, &pts) {
            Ok(f) => Some(f),
            Err(m) => {
                let e = format!("`{full}`: {shown}: {m}");
                self.err(v.span, e, None);
                None
            }
        }
    }
}

trait PairRow {
    fn as_pairs_row(&self) -> Option<(f64, f64)>;
}

impl PairRow for Value {
    fn as_pairs_row(&self) -> Option<(f64, f64)> {
        match self.as_array()? {
            [x, y] => Some((x.as_f64()?, y.as_f64()?)),
            _ => None,
        }
    }
}

/// A monotone-cubic table for `role`, with the checks its values need.
pub fn make_table(role: Role, pts: &[(f64, f64)]) -> Result<Func, String> {
    if pts.len() < 2 {
        return Err(format!(
            "a table needs at least 2 points, found {}",
            pts.len()
        ));
    }
    let sto = matches!(role, Role::Ocp | Role::ParticleDiffusivity);
    if sto {
        if let Some((x, _)) = pts.iter().find(|(x, _)| !(0.0..=1.0).contains(x)) {
            return Err(format!("stoichiometry {x} is outside [0, 1]"));
        }
    } else if let Some((x, _)) = pts.iter().find(|(x, _)| *x < 0.0) {
        return Err(format!("concentration {x} is negative"));
    }
    if role != Role::Ocp {
        if let Some((x, y)) = pts.iter().find(|(_, y)| *y <= 0.0) {
            return Err(format!("value {y} at {x} is not positive"));
        }
    }
    let curve = MonotoneCubic::new(pts)?;
    Ok(Func::table(Table {
        curve,
        linear_extrapolation: role == Role::Ocp,
    }))
}
