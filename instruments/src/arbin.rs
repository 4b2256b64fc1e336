//! What Arbin's exports have in common (the `.xlsx` export and the `.res` database use the
//! same column names): the mapping onto the schema.

use crate::dataset::Col;

/// Schema column of an Arbin column (`Test_Time(s)`, `Voltage(V)`, ...).
pub fn target(name: &str) -> Option<(Col, f64, u8)> {
    let base = name.split('(').next().unwrap_or(name).trim();
    Some(match base {
        "Test_Time" => (Col::Time, 1.0, 0),
        "Voltage" => (Col::Potential, 1.0, 0),
        "Current" => (Col::Current, 1.0, 0),
        "Cycle_Index" => (Col::Cycle, 1.0, 0),
        "Step_Index" => (Col::Step, 1.0, 0),
        _ if base.starts_with("Aux_Temperature") => (Col::Temperature, 1.0, 0),
        _ => return None,
    })
}

/// Net charge: Arbin keeps charge and discharge capacity as two non-negative counters, the
/// schema one signed value (positive = charge passed), so `charge_Ah = Charge - Discharge`.
pub fn net_charge(charge: &[f64], discharge: &[f64]) -> Vec<f64> {
    charge.iter().zip(discharge).map(|(c, d)| c - d).collect()
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD hh:mm:ss.mmm`.
pub fn excel_date(serial: f64) -> Option<String> {
    if !(0.0..3e6).contains(&serial) {
        return None;
    }
    let ms = (serial * 86_400_000.0).round() as i64;
    let (days, ms) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let s = ms / 1000;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days - 25569 + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn excel_dates() {
        // Excel: =DATE(2020,10,19) is serial 44123; serial 1 is 1899-12-31.
        assert_eq!(
            super::excel_date(44123.0).unwrap(),
            "2020-10-19 00:00:00.000"
        );
        assert_eq!(super::excel_date(1.5).unwrap(), "1899-12-31 12:00:00.000");
        assert_eq!(super::excel_date(-1.0), None);
    }
}
