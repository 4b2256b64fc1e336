//! Function values in a parameter file: a built-in function's name, a number, a table, a CSV
//! file, or an inline table adding an Arrhenius factor; exchange currents by name or as
//! PyBaMM's rate-constant form.

use super::keys::{expected, opt, req, Key, Kind, FUNC_KEYS, J0_KEYS};
use super::{found, FileError, Reader};
use crate::battery::params::{builtin_func, builtin_functions, builtin_j0};
use crate::battery::params::{ExchangeCurrent, Func, Role, Table};
use crate::materials::MonotoneCubic;
use galvana_decks::{did_you_mean, Value, ValueKind};
use std::collections::BTreeMap;

impl Reader<'_> {
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

    pub(super) fn j0(&mut self, full: &str, key: &Key, v: &Value) -> Option<ExchangeCurrent> {
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

    pub(super) fn func(&mut self, full: &str, key: &Key, role: Role, v: &Value) -> Option<Func> {
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
