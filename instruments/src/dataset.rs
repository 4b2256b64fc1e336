//! The normalised instrument dataset (DESIGN.md "Normalised instrument dataset"): fixed
//! column names in SI units plus metadata about where the numbers came from.

use crate::error::{ParseError, Result};

/// A column of the normalised schema. The order of [`Col::ALL`] is the output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Col {
    Time,
    Potential,
    Current,
    Charge,
    Cycle,
    Step,
    Frequency,
    ZReal,
    ZImag,
    Temperature,
}

impl Col {
    pub const ALL: [Col; 10] = [
        Col::Time,
        Col::Potential,
        Col::Current,
        Col::Charge,
        Col::Cycle,
        Col::Step,
        Col::Frequency,
        Col::ZReal,
        Col::ZImag,
        Col::Temperature,
    ];

    /// The column's name in CSV headers and HDF5 dataset names.
    pub fn name(self) -> &'static str {
        match self {
            Col::Time => "time_s",
            Col::Potential => "potential_V",
            Col::Current => "current_A",
            Col::Charge => "charge_Ah",
            Col::Cycle => "cycle",
            Col::Step => "step",
            Col::Frequency => "frequency_Hz",
            Col::ZReal => "z_real_ohm",
            Col::ZImag => "z_imag_ohm",
            Col::Temperature => "temperature_C",
        }
    }

    /// The unit of the normalised column ("1" for counters).
    pub fn unit(self) -> &'static str {
        match self {
            Col::Time => "s",
            Col::Potential => "V",
            Col::Current => "A",
            Col::Charge => "A h",
            Col::Cycle | Col::Step => "1",
            Col::Frequency => "Hz",
            Col::ZReal | Col::ZImag => "ohm",
            Col::Temperature => "degC",
        }
    }

    /// Parse a normalised column name (`time_s`, ...).
    pub fn from_name(s: &str) -> Option<Col> {
        Col::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// One column of the source file and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceColumn {
    /// The name as written in the file (without the unit, where the file separates them).
    pub name: String,
    /// The unit as written in the file ("" when none is given).
    pub unit: String,
    /// The normalised column it fills, if any, and the factor applied (value * scale).
    pub maps_to: Option<(Col, f64)>,
}

impl SourceColumn {
    /// `name [unit] -> target * scale` (or `-> (not kept)`), for metadata attributes.
    pub fn describe(&self) -> String {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" [{}]", self.unit)
        };
        match self.maps_to {
            Some((c, 1.0)) => format!("{}{unit} -> {}", self.name, c.name()),
            Some((c, s)) => format!("{}{unit} -> {} (x {s})", self.name, c.name()),
            None => format!("{}{unit} -> (not kept)", self.name),
        }
    }
}

/// Where the numbers came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// Maker and software, e.g. "BioLogic EC-Lab".
    pub instrument: String,
    /// The technique as the file names it (e.g. "Potentio Electrochemical Impedance Spectroscopy").
    pub technique: String,
    /// Start of the experiment as written in the file (not reinterpreted: time zones and
    /// day/month order are not recorded by most instruments).
    pub start_time: Option<String>,
    /// The source file name.
    pub source_file: String,
    pub original_columns: Vec<SourceColumn>,
    /// Other facts worth keeping (e.g. `aborted = true`).
    pub notes: Vec<(String, String)>,
}

/// A normalised dataset: equal-length columns in schema order, plus metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub meta: Metadata,
    columns: Vec<(Col, Vec<f64>)>,
}

impl Dataset {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.1.len())
    }
    /// The values of `col`, if the source had it.
    pub fn column(&self, col: Col) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|c| c.0 == col)
            .map(|c| c.1.as_slice())
    }
    /// Mutable values of `col` (for sign fixes that need fields outside the schema).
    pub(crate) fn column_mut(&mut self, col: Col) -> Option<&mut Vec<f64>> {
        self.columns
            .iter_mut()
            .find(|c| c.0 == col)
            .map(|c| &mut c.1)
    }
    /// The present columns in schema order.
    pub fn columns(&self) -> impl Iterator<Item = (Col, &[f64])> {
        self.columns.iter().map(|(c, v)| (*c, v.as_slice()))
    }
}

/// Collects rows of a source table whose columns map (or not) onto the schema.
pub struct TableBuilder {
    path: String,
    meta: Metadata,
    /// Per source column: the schema column and factor.
    map: Vec<Option<(Col, f64)>>,
    data: Vec<(Col, Vec<f64>)>,
}

impl TableBuilder {
    /// `meta.original_columns` defines the source columns and their mapping.
    pub fn new(path: &str, meta: Metadata, header_line: usize) -> Result<Self> {
        let map: Vec<Option<(Col, f64)>> =
            meta.original_columns.iter().map(|c| c.maps_to).collect();
        let mut data: Vec<(Col, Vec<f64>)> = Vec::new();
        for m in map.iter().flatten() {
            if data.iter().any(|d| d.0 == m.0) {
                return Err(ParseError::line(
                    path,
                    header_line,
                    format!("two source columns map to {}", m.0.name()),
                ));
            }
            data.push((m.0, Vec::new()));
        }
        if data.is_empty() {
            return Err(ParseError::line(
                path,
                header_line,
                "no column maps to the normalised schema (expected e.g. time, potential, current, frequency or impedance columns)",
            ));
        }
        data.sort_by_key(|d| d.0);
        Ok(TableBuilder {
            path: path.to_string(),
            meta,
            map,
            data,
        })
    }

    /// Number of source columns.
    pub fn width(&self) -> usize {
        self.map.len()
    }

    /// Add one row given the value of each source column (`None` for unmapped text cells).
    /// `line` is used in errors; only mapped columns must be numeric.
    pub fn push(&mut self, line: usize, cells: &[Option<f64>]) -> Result<()> {
        if cells.len() != self.map.len() {
            return Err(ParseError::line(
                &self.path,
                line,
                format!(
                    "expected {} fields (one per header column), found {}",
                    self.map.len(),
                    cells.len()
                ),
            ));
        }
        for (i, m) in self.map.iter().enumerate() {
            if let Some((col, scale)) = m {
                let Some(v) = cells[i] else {
                    return Err(ParseError::line(
                        &self.path,
                        line,
                        format!(
                            "field {} ({}) is not a number",
                            i + 1,
                            self.meta.original_columns[i].name
                        ),
                    ));
                };
                let slot = self.data.iter_mut().find(|d| d.0 == *col).expect("mapped");
                slot.1.push(v * scale);
            }
        }
        Ok(())
    }

    pub fn rows(&self) -> usize {
        self.data[0].1.len()
    }

    /// Mutable access to one normalised column (for sign fixes that depend on other fields).
    pub fn column_mut(&mut self, col: Col) -> Option<&mut Vec<f64>> {
        self.data.iter_mut().find(|d| d.0 == col).map(|d| &mut d.1)
    }

    /// Set the start time once the first row shows it.
    pub fn set_start_time(&mut self, t: Option<String>) {
        self.meta.start_time = t;
    }

    /// Add a column computed by the parser (e.g. a cycle index from table sections).
    pub fn add_column(&mut self, col: Col, values: Vec<f64>) {
        self.data.retain(|d| d.0 != col);
        self.data.push((col, values));
        self.data.sort_by_key(|d| d.0);
    }

    /// The finished dataset; `end_line` names where data was expected if there is none.
    pub fn finish(self, end_line: usize) -> Result<Dataset> {
        let n = self.rows();
        if n == 0 {
            return Err(ParseError::line(
                &self.path,
                end_line,
                "no data rows (expected at least one row after the header)",
            ));
        }
        debug_assert!(self.data.iter().all(|d| d.1.len() == n));
        Ok(Dataset {
            meta: self.meta,
            columns: self.data,
        })
    }
}
