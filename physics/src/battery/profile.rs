//! Current profiles for drive-cycle steps (`"Run drive_cycle.csv"`): a CSV of time [s] and
//! current [A] (positive on discharge), linear between rows; a jump is two rows at one time.

use std::path::Path;

/// A current profile: current [A] (positive on discharge) against time since the start of
/// the step [s], linear between the rows (a jump is written as two rows at the same time);
/// the step lasts until the last row's time.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// Where it was read from (for messages).
    pub source: String,
    pub t: Vec<f64>,
    pub i: Vec<f64>,
}

impl Profile {
    /// The current at `tau` s into the step; at a jump, the value after it.
    pub fn current_at(&self, tau: f64) -> f64 {
        let k = self.t.partition_point(|&t| t <= tau);
        if k == 0 {
            return self.i[0];
        }
        if k >= self.t.len() {
            return *self.i.last().expect("a profile has rows");
        }
        let (t0, t1) = (self.t[k - 1], self.t[k]);
        let s = (tau - t0) / (t1 - t0);
        self.i[k - 1] + s * (self.i[k] - self.i[k - 1])
    }

    /// The current just before `tau` (the value before a jump at `tau`).
    pub fn current_before(&self, tau: f64) -> f64 {
        let k = self.t.partition_point(|&t| t < tau);
        if k == 0 {
            return self.i[0];
        }
        if k >= self.t.len() {
            return *self.i.last().expect("a profile has rows");
        }
        let (t0, t1) = (self.t[k - 1], self.t[k]);
        let s = (tau - t0) / (t1 - t0);
        self.i[k - 1] + s * (self.i[k] - self.i[k - 1])
    }

    /// The first row time after `tau` (+`eps`), where the current's slope may change.
    pub fn next_breakpoint(&self, tau: f64, eps: f64) -> Option<f64> {
        let k = self.t.partition_point(|&t| t <= tau + eps);
        self.t.get(k).copied()
    }

    /// Whether the current jumps at `tau` (two rows at that time).
    pub fn jumps_at(&self, tau: f64, eps: f64) -> bool {
        self.t
            .windows(2)
            .any(|w| (w[0] - tau).abs() <= eps && (w[1] - tau).abs() <= eps)
    }

    pub fn duration(&self) -> f64 {
        *self.t.last().expect("a profile has rows")
    }

    /// The exact charge of the profile from 0 to `tau` [A.h] (trapezoids are exact on a
    /// piecewise-linear current).
    pub fn charge_ah(&self, tau: f64) -> f64 {
        let mut q = 0.0;
        for w in 0..self.t.len().saturating_sub(1) {
            let (t0, t1) = (self.t[w], self.t[w + 1]);
            if t0 >= tau {
                break;
            }
            if t1 <= t0 {
                continue;
            }
            let end = t1.min(tau);
            let i_end = self.i[w] + (end - t0) / (t1 - t0) * (self.i[w + 1] - self.i[w]);
            q += 0.5 * (self.i[w] + i_end) * (end - t0);
        }
        q / 3600.0
    }
}

impl Profile {
    /// Read a profile: optional `#` comment lines, an optional header (`time_s,current_A`),
    /// then rows `time_s,current_A`; times start at 0 and never decrease, at most two rows
    /// share a time (a jump). Errors name the file, line and column.
    pub fn read(path: &Path) -> Result<Profile, String> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{source}: cannot read the current profile: {e}"))?;
        Profile::parse(&text, &source)
    }

    /// As [`Profile::read`], from the text; `source` names it in messages.
    pub fn parse(text: &str, source: &str) -> Result<Profile, String> {
        let (mut t, mut i) = (Vec::new(), Vec::new());
        let mut header_allowed = true;
        for (ln, line) in text.lines().enumerate() {
            let ln = ln + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split(',').collect();
            if header_allowed && fields[0].trim().parse::<f64>().is_err() {
                let names: Vec<String> = fields.iter().map(|f| f.trim().to_lowercase()).collect();
                if names != ["time_s", "current_a"] {
                    return Err(format!(
                        "{source}:{ln}:1: expected the header `time_s,current_A` or a first row of numbers, found `{trimmed}`"
                    ));
                }
                header_allowed = false;
                continue;
            }
            header_allowed = false;
            if fields.len() != 2 {
                return Err(format!(
                    "{source}:{ln}:1: expected 2 columns (time_s, current_A), found {}",
                    fields.len()
                ));
            }
            let mut col = 1;
            let mut vals = [0.0; 2];
            for (k, f) in fields.iter().enumerate() {
                let what = ["time_s", "current_A"][k];
                vals[k] = f
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        format!(
                            "{source}:{ln}:{col}: {what} `{}` is not a finite number",
                            f.trim()
                        )
                    })?;
                col += f.len() + 1;
            }
            let [tv, iv] = vals;
            if t.is_empty() && tv != 0.0 {
                return Err(format!(
                    "{source}:{ln}:1: the profile must start at time_s = 0, found {tv}"
                ));
            }
            if let Some(&last) = t.last() {
                if tv < last {
                    return Err(format!(
                        "{source}:{ln}:1: time_s {tv} is before the previous row's {last} (times must not decrease)"
                    ));
                }
                let n = t.len();
                if tv == last && n >= 2 && t[n - 2] == last {
                    return Err(format!(
                        "{source}:{ln}:1: a third row at time_s {tv} (a jump is two rows at one time)"
                    ));
                }
            }
            t.push(tv);
            i.push(iv);
        }
        if t.len() < 2 || *t.last().unwrap_or(&0.0) <= 0.0 {
            return Err(format!(
                "{source}: a current profile needs at least two rows spanning a positive time"
            ));
        }
        Ok(Profile {
            source: source.to_string(),
            t,
            i,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_interpolates_and_integrates() {
        let p = Profile::parse(
            "# a test\ntime_s,current_A\n0,1\n10,3\n10,-2\n20,-2\n",
            "t.csv",
        )
        .unwrap();
        assert_eq!(p.current_at(5.0), 2.0);
        assert_eq!(p.current_before(10.0), 3.0);
        assert_eq!(p.current_at(10.0), -2.0);
        assert!(p.jumps_at(10.0, 1e-9) && !p.jumps_at(5.0, 1e-9));
        assert_eq!(p.next_breakpoint(0.0, 1e-9), Some(10.0));
        assert_eq!(p.duration(), 20.0);
        // 20 A.s then −20 A.s.
        assert!((p.charge_ah(10.0) - 20.0 / 3600.0).abs() < 1e-15);
        assert!(p.charge_ah(20.0).abs() < 1e-15);
        assert!((p.charge_ah(15.0) - 10.0 / 3600.0).abs() < 1e-15);
    }

    #[test]
    fn mistakes_name_line_and_column() {
        for (text, needle) in [
            ("time_s,current_A\n0,1\n5,x\n", "t.csv:3:3: current_A `x`"),
            ("0,1\n5\n", "t.csv:2:1: expected 2 columns"),
            (
                "1,1\n5,1\n",
                "t.csv:1:1: the profile must start at time_s = 0",
            ),
            ("0,1\n5,1\n4,1\n", "t.csv:3:1: time_s 4 is before"),
            ("0,1\n5,1\n5,2\n5,3\n", "t.csv:4:1: a third row"),
            ("t,i\n0,1\n", "t.csv:1:1: expected the header"),
            ("0,1\n", "at least two rows"),
        ] {
            let e = Profile::parse(text, "t.csv").unwrap_err();
            assert!(e.contains(needle), "{text:?}: {e}");
        }
    }
}
