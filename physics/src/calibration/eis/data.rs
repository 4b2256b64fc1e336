//! A tiny reader for plain spectrum CSVs: columns frequency [Hz], Z' [Ω], Z'' [Ω] (further
//! columns ignored). Lines starting with '#' and one leading non-numeric header line are
//! skipped. Instrument formats are parsed elsewhere.

use super::complex::C64;
use std::path::Path;

/// A measured spectrum.
#[derive(Clone, Debug, Default)]
pub struct Spectrum {
    /// Frequencies [Hz].
    pub f: Vec<f64>,
    /// Impedances [Ω].
    pub z: Vec<C64>,
}

impl Spectrum {
    /// The usable rows of dataset columns (finite, frequency > 0); the others are left out.
    /// Calibration runs and the gateway's deck check both count rows this way.
    pub fn from_columns(f: &[f64], re: &[f64], im: &[f64]) -> Spectrum {
        let mut s = Spectrum::default();
        for ((&f, &re), &im) in f.iter().zip(re).zip(im) {
            if f.is_finite() && f > 0.0 && re.is_finite() && im.is_finite() {
                s.f.push(f);
                s.z.push(C64 { re, im });
            }
        }
        s
    }
}

/// Reads `path` (see the module doc); errors name the file, line and column.
pub fn read_csv(path: &Path) -> Result<Spectrum, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_csv(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses CSV text (see the module doc).
pub fn parse_csv(text: &str) -> Result<Spectrum, String> {
    let mut s = Spectrum::default();
    let mut seen_data = false;
    for (ln, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = t.split(',').map(str::trim).collect();
        let nums: Vec<Result<f64, _>> = cells.iter().take(3).map(|c| c.parse::<f64>()).collect();
        if !seen_data && nums.iter().any(|r| r.is_err()) {
            seen_data = true; // the header
            continue;
        }
        seen_data = true;
        if cells.len() < 3 {
            return Err(format!(
                "line {}: {} column(s), expected frequency, Z', Z''",
                ln + 1,
                cells.len()
            ));
        }
        let mut v = [0.0; 3];
        for (k, r) in nums.into_iter().enumerate() {
            v[k] = r.map_err(|_| {
                format!(
                    "line {}, column {} ({}): '{}' is not a number",
                    ln + 1,
                    k + 1,
                    ["frequency", "Z'", "Z''"][k],
                    cells[k]
                )
            })?;
        }
        s.f.push(v[0]);
        s.z.push(C64::new(v[1], v[2]));
    }
    if s.f.is_empty() {
        return Err("no data rows".into());
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_skips_header_and_reports_bad_cells() {
        let s = parse_csv("freq,re,im\n# note\n10,1.5,-2\n1, 2.5 ,-3,9\n").unwrap();
        assert_eq!(s.f, vec![10.0, 1.0]);
        assert_eq!(s.z[1], C64::new(2.5, -3.0));
        let e = parse_csv("10,1,2\n5,x,3\n").unwrap_err();
        assert!(e.contains("line 2, column 2 (Z')"), "{e}");
        let e = parse_csv("10,1\n").unwrap_err();
        assert!(e.contains("line 1") && e.contains("expected"), "{e}");
    }
}
