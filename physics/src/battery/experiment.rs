//! Experiments written as PyBaMM users write them: `"Discharge at 1C until 2.5 V"`,
//! `"Charge at 0.5C until 4.2 V"`, `"Hold at 4.2 V until C/50"`, `"Rest for 1 hour"`,
//! currents in C-rate, A or mA, power in W, durations in s, min or h.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

pub use super::profile::Profile;

/// What the cell is asked to do in one step.
#[derive(Clone, Debug, PartialEq)]
pub enum Drive {
    /// Constant current [A], positive on discharge.
    Current(f64),
    /// Constant power [W], positive on discharge.
    Power(f64),
    /// Constant voltage [V].
    Voltage(f64),
    Rest,
    /// A current that follows a profile read from a CSV file (`Run <file>`).
    Profile(Arc<Profile>),
}

/// When a step ends.
#[derive(Clone, Debug, PartialEq)]
pub enum Until {
    /// Terminal voltage reaches this [V] (from either side).
    Voltage(f64),
    /// |current| falls to this [A] (CV holds).
    CurrentBelow(f64),
    /// After this many seconds.
    Duration(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub text: String,
    pub drive: Drive,
    /// The step ends at the first of these (and always at the cell's voltage limits).
    pub until: Vec<Until>,
}

#[derive(Debug, PartialEq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn num(s: &str, what: &str, whole: &str) -> Result<f64, ParseError> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| {
            ParseError(format!(
                "`{whole}`: {what} `{s}` is not a non-negative number"
            ))
        })
}

/// A current like `1C`, `C/2`, `0.5 C`, `2 A`, `500 mA` in amperes (C-rate × nominal capacity).
fn current(s: &str, capacity_ah: f64, whole: &str) -> Result<f64, ParseError> {
    let t = s.trim().replace(' ', "");
    if let Some(d) = t.strip_prefix("C/") {
        return Ok(capacity_ah / num(d, "C-rate divisor", whole)?);
    }
    if let Some(v) = t.strip_suffix("mA") {
        return Ok(num(v, "current", whole)? / 1000.0);
    }
    if let Some(v) = t.strip_suffix('A') {
        return num(v, "current", whole);
    }
    if let Some(v) = t.strip_suffix('C') {
        return Ok(num(v, "C-rate", whole)? * capacity_ah);
    }
    Err(ParseError(format!(
        "`{whole}`: `{s}` is not a current (write e.g. `1C`, `C/2`, `2 A` or `500 mA`)"
    )))
}

/// A duration like `1 hour`, `30 minutes`, `10 s` in seconds.
fn duration(s: &str, whole: &str) -> Result<f64, ParseError> {
    let t = s.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| ParseError(format!("`{whole}`: `{t}` has no time unit (s, min, h)")))?;
    let (v, unit) = t.split_at(split);
    let v = num(v, "duration", whole)?;
    let k = match unit.trim() {
        "s" | "sec" | "second" | "seconds" => 1.0,
        "min" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hour" | "hours" => 3600.0,
        u => {
            return Err(ParseError(format!(
                "`{whole}`: unknown time unit `{u}` (use s, min or h)"
            )))
        }
    };
    Ok(v * k)
}

fn volts(s: &str, whole: &str) -> Result<f64, ParseError> {
    let t = s.trim();
    let v = t.strip_suffix('V').ok_or_else(|| {
        ParseError(format!(
            "`{whole}`: `{t}` is not a voltage (write e.g. `4.2 V`)"
        ))
    })?;
    num(v, "voltage", whole)
}

/// Parse one step; `capacity_ah` turns C-rates into amperes. A drive-cycle step's file
/// (`Run drive_cycle.csv`) is read relative to the working directory.
pub fn parse_step(text: &str, capacity_ah: f64) -> Result<Step, ParseError> {
    parse_step_at(text, capacity_ah, None)
}

/// As [`parse_step`], with a drive-cycle step's file relative to `dir` (the deck's folder).
pub fn parse_step_at(text: &str, capacity_ah: f64, dir: Option<&Path>) -> Result<Step, ParseError> {
    let whole = text.trim();
    if let Some(rest) = whole.strip_prefix("Run ") {
        return drive_cycle(whole, rest, dir);
    }
    let lower = whole.to_string();
    let (head, conds) = match lower.split_once(" until ") {
        Some((h, c)) => (h.trim().trim_end_matches(" or").trim(), Some(c.trim())),
        None => (lower.as_str(), None),
    };
    let (head, for_dur) = match head.split_once(" for ") {
        Some((h, d)) => (h.trim(), Some(d.trim())),
        None if head.starts_with("Rest for ") => ("Rest", head.strip_prefix("Rest for ")),
        None => (head, None),
    };
    let mut until = Vec::new();
    if let Some(d) = for_dur {
        until.push(Until::Duration(duration(d, whole)?));
    }
    let drive = if let Some(rest) = head
        .strip_prefix("Discharge at ")
        .or_else(|| head.strip_prefix("Charge at "))
    {
        let sign = if head.starts_with("Charge") {
            -1.0
        } else {
            1.0
        };
        if let Some(w) = rest.trim().strip_suffix('W') {
            Drive::Power(sign * num(w, "power", whole)?)
        } else {
            Drive::Current(sign * current(rest, capacity_ah, whole)?)
        }
    } else if let Some(v) = head.strip_prefix("Hold at ") {
        Drive::Voltage(volts(v, whole)?)
    } else if head == "Rest" {
        Drive::Rest
    } else {
        return Err(ParseError(format!(
            "`{whole}`: a step starts with `Discharge at`, `Charge at`, `Hold at`, `Rest for` or `Run`"
        )));
    };
    if let Some(c) = conds {
        for part in c.split(" or ") {
            let p = part.trim();
            if p.ends_with('V') {
                until.push(Until::Voltage(volts(p, whole)?));
            } else {
                until.push(Until::CurrentBelow(current(p, capacity_ah, whole)?));
            }
        }
    }
    if until.is_empty() {
        return Err(ParseError(format!(
            "`{whole}`: say when the step ends (`until 2.5 V`, `until C/50`, `for 1 hour`)"
        )));
    }
    if matches!(drive, Drive::Rest) && until.iter().any(|u| !matches!(u, Until::Duration(_))) {
        return Err(ParseError(format!(
            "`{whole}`: a rest ends after a duration"
        )));
    }
    Ok(Step {
        text: whole.to_string(),
        drive,
        until,
    })
}

/// `Run <file> [until <V> V [or <V> V]]`: the current follows the file's profile for its
/// whole length, ended early by the given voltages (and always by the cell's limits).
fn drive_cycle(whole: &str, rest: &str, dir: Option<&Path>) -> Result<Step, ParseError> {
    let (file, conds) = match rest.split_once(" until ") {
        Some((f, c)) => (f.trim(), Some(c)),
        None => (rest.trim(), None),
    };
    if file.is_empty() {
        return Err(ParseError(format!(
            "`{whole}`: name the current profile's CSV file, e.g. `Run drive_cycle.csv`"
        )));
    }
    let path = match dir {
        Some(d) if Path::new(file).is_relative() => d.join(file),
        _ => Path::new(file).to_path_buf(),
    };
    let profile = Profile::read(&path).map_err(|e| ParseError(format!("`{whole}`: {e}")))?;
    let mut until = vec![Until::Duration(profile.duration())];
    for part in conds.into_iter().flat_map(|c| c.split(" or ")) {
        let p = part.trim();
        if !p.ends_with('V') {
            return Err(ParseError(format!(
                "`{whole}`: a drive cycle ends early only at a voltage (`until 3 V`), not `{p}`"
            )));
        }
        until.push(Until::Voltage(volts(p, whole)?));
    }
    Ok(Step {
        text: whole.to_string(),
        drive: Drive::Profile(Arc::new(profile)),
        until,
    })
}

/// Parse a whole experiment, repeated `cycles` times.
pub fn parse(steps: &[String], cycles: usize, capacity_ah: f64) -> Result<Vec<Step>, ParseError> {
    let one: Vec<Step> = steps
        .iter()
        .map(|s| parse_step(s, capacity_ah))
        .collect::<Result<_, _>>()?;
    Ok((0..cycles.max(1))
        .flat_map(|_| one.iter().cloned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pybamm_style_steps() {
        let s = parse_step("Discharge at 1C until 2.5 V", 5.0).unwrap();
        assert_eq!(
            (s.drive, s.until),
            (Drive::Current(5.0), vec![Until::Voltage(2.5)])
        );
        let s = parse_step("Charge at C/2 until 4.2 V", 5.0).unwrap();
        assert_eq!(s.drive, Drive::Current(-2.5));
        let s = parse_step("Hold at 4.2 V until C/50", 5.0).unwrap();
        assert_eq!(
            (s.drive, s.until),
            (Drive::Voltage(4.2), vec![Until::CurrentBelow(0.1)])
        );
        let s = parse_step("Rest for 1 hour", 5.0).unwrap();
        assert_eq!(
            (s.drive, s.until),
            (Drive::Rest, vec![Until::Duration(3600.0)])
        );
        let s = parse_step("Discharge at 10 W for 30 minutes or until 3 V", 5.0).unwrap();
        assert_eq!(s.drive, Drive::Power(10.0));
        let s = parse_step("Discharge at 500 mA for 30 min", 5.0).unwrap();
        assert_eq!(
            (s.drive, s.until),
            (Drive::Current(0.5), vec![Until::Duration(1800.0)])
        );
        let s = parse_step("Hold at 4.1 V until 50 mA", 5.0).unwrap();
        assert_eq!(s.until, vec![Until::CurrentBelow(0.05)]);
        assert_eq!(parse(&["Rest for 10 s".into()], 3, 5.0).unwrap().len(), 3);
    }

    #[test]
    fn mistakes_are_named() {
        for (bad, needle) in [
            ("Discharge at 1X until 2.5 V", "not a current"),
            ("Discharge at 1C", "say when the step ends"),
            ("Rest for 5 fortnights", "unknown time unit"),
            ("Relax for 1 hour", "a step starts with"),
            ("Hold at 4.2 until C/50", "not a voltage"),
        ] {
            let e = parse_step(bad, 5.0).unwrap_err().0;
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }
}
