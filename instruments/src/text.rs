//! Shared pieces of the text parsers: decoding, numbers in any locale, and units.

use crate::dataset::Col;

/// Decode a text export: UTF-8 if it is valid UTF-8, else Latin-1 (Windows instrument
/// software writes `°` and `µ` as single bytes). A leading byte-order mark is dropped.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Lines with their 1-based numbers, without line terminators (`\n`, `\r\n`).
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// A number as instruments write it: `1.5E+003`, or with a decimal comma (`1,5`) when the
/// field has no point. Surrounding spaces and quotes are ignored; an empty field is `None`.
pub fn num(field: &str) -> Option<f64> {
    let f = field.trim().trim_matches('"').trim();
    if f.is_empty() {
        return None;
    }
    let ok = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    };
    if ok(f) {
        return f.parse().ok();
    }
    if !f.contains('.') && f.matches(',').count() == 1 {
        let g = f.replace(',', ".");
        if ok(&g) {
            return g.parse().ok();
        }
    }
    match f {
        "NaN" | "nan" => Some(f64::NAN),
        _ => None,
    }
}

/// Split `name/unit` (BioLogic, CH Instruments) or `name (unit)` (Parstat, Arbin) into parts.
pub fn split_unit(header: &str) -> (String, String) {
    let h = header.trim().trim_matches('"').trim();
    if let Some(open) = h.rfind('(') {
        if h.ends_with(')') && open > 0 {
            let unit = &h[open + 1..h.len() - 1];
            if is_unit(unit) {
                return (h[..open].trim().to_string(), unit.trim().to_string());
            }
        }
    }
    if let Some(slash) = h.rfind('/') {
        let unit = &h[slash + 1..];
        if is_unit(unit) {
            return (h[..slash].trim().to_string(), unit.trim().to_string());
        }
    }
    (h.to_string(), String::new())
}

fn is_unit(u: &str) -> bool {
    unit_factor(u.trim()).is_some()
}

/// The physical quantity of a unit and the factor to the schema's SI unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    Time,
    Potential,
    Current,
    Charge,
    Frequency,
    Impedance,
    Temperature,
}

/// Factor from `unit` to the schema unit of its quantity (`mA` -> (Current, 1e-3)).
pub fn unit_factor(unit: &str) -> Option<(Quantity, f64)> {
    use Quantity::*;
    let u = unit.trim();
    Some(match u {
        "s" | "S" | "sec" | "Sec" => (Time, 1.0),
        "min" | "Min" => (Time, 60.0),
        "h" | "hr" => (Time, 3600.0),
        "V" | "V vs. Ref." | "V vs. Ref" => (Potential, 1.0),
        "mV" => (Potential, 1e-3),
        "A" => (Current, 1.0),
        "mA" => (Current, 1e-3),
        "uA" | "\u{b5}A" | "\u{3bc}A" => (Current, 1e-6),
        "nA" => (Current, 1e-9),
        "Ah" | "A.h" | "A h" | "Amp-hr" => (Charge, 1.0),
        "mAh" | "mA.h" | "mA h" => (Charge, 1e-3),
        "C" | "As" => (Charge, 1.0 / 3600.0),
        "Hz" => (Frequency, 1.0),
        "kHz" => (Frequency, 1e3),
        "mHz" => (Frequency, 1e-3),
        "Ohm" | "ohm" | "ohms" | "Ohms" | "\u{3a9}" => (Impedance, 1.0),
        "mOhm" | "mohm" => (Impedance, 1e-3),
        "kOhm" | "kohm" => (Impedance, 1e3),
        "\u{b0}C" | "degC" | "deg C" | "Celsius" => (Temperature, 1.0),
        _ => return None,
    })
}

/// Keep, for each schema column, the candidate with the lowest rank (the first on ties), so
/// that e.g. `Ewe` wins over `<Ewe>` when a file has both.
pub fn dedupe(ranked: Vec<Option<(Col, f64, u8)>>) -> Vec<Option<(Col, f64)>> {
    let mut best: Vec<(Col, usize, u8)> = Vec::new();
    for (i, r) in ranked.iter().enumerate() {
        if let Some((c, _, rank)) = *r {
            match best.iter_mut().find(|b| b.0 == c) {
                Some(b) if rank < b.2 => *b = (c, i, rank),
                Some(_) => {}
                None => best.push((c, i, rank)),
            }
        }
    }
    ranked
        .iter()
        .enumerate()
        .map(|(i, r)| match r {
            Some((c, s, _)) if best.iter().any(|b| b.0 == *c && b.1 == i) => Some((*c, *s)),
            _ => None,
        })
        .collect()
}

/// Split a delimited line into fields, dropping one trailing empty field left by a
/// trailing delimiter.
pub fn fields(line: &str, delim: char) -> Vec<&str> {
    let mut f: Vec<&str> = line.split(delim).collect();
    if f.len() > 1 && f.last().is_some_and(|s| s.trim().is_empty()) {
        f.pop();
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_locales() {
        assert_eq!(num("1.0003201E+003"), Some(1000.3201));
        assert_eq!(num(" 2,5 "), Some(2.5));
        assert_eq!(num("-3,0E-3"), Some(-0.003));
        assert_eq!(num("\"7\""), Some(7.0));
        assert_eq!(num("1,234.5"), None);
        assert_eq!(num("abc"), None);
        assert_eq!(num(""), None);
        assert_eq!(num("inf"), None);
    }

    #[test]
    fn units_split_and_scale() {
        assert_eq!(split_unit("<I>/mA"), ("<I>".into(), "mA".into()));
        assert_eq!(
            split_unit("Elapsed Time (s)"),
            ("Elapsed Time".into(), "s".into())
        );
        assert_eq!(split_unit("Ph(Z)"), ("Ph(Z)".into(), "".into()));
        assert_eq!(unit_factor("mA.h"), Some((Quantity::Charge, 1e-3)));
        assert_eq!(unit_factor("kHz"), Some((Quantity::Frequency, 1e3)));
    }
}
