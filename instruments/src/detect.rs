//! Format detection by content (the extension is only a tie-breaker for plain tables).

use crate::csv_generic::Mapping;
use crate::dataset::Dataset;
use crate::error::{ParseError, Result};
use crate::{
    arbin_res, arbin_xlsx, biologic_mpr, biologic_mpt, chi, csv_generic, gamry_dta, maccor,
    versastudio, zplot,
};

/// The formats this crate knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    BiologicMpt,
    BiologicMpr,
    GamryDta,
    ZPlot,
    ChInstruments,
    VersaStudio,
    Maccor,
    Parstat,
    PowerSuite,
    ArbinRes,
    Xlsx,
    /// A delimited table with a recognisable header or a column mapping.
    Csv,
}

impl Format {
    /// The name used by `galvana import --format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::BiologicMpt => "biologic-mpt",
            Format::BiologicMpr => "biologic-mpr",
            Format::GamryDta => "gamry-dta",
            Format::ZPlot => "zplot",
            Format::ChInstruments => "chi",
            Format::VersaStudio => "versastudio",
            Format::Maccor => "maccor",
            Format::Parstat => "parstat",
            Format::PowerSuite => "powersuite",
            Format::ArbinRes => "arbin-res",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
    pub const ALL: [Format; 12] = [
        Format::BiologicMpt,
        Format::BiologicMpr,
        Format::GamryDta,
        Format::ZPlot,
        Format::ChInstruments,
        Format::VersaStudio,
        Format::Maccor,
        Format::Parstat,
        Format::PowerSuite,
        Format::ArbinRes,
        Format::Xlsx,
        Format::Csv,
    ];
    pub fn from_name(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// Guess the format from the first bytes.
pub fn detect(bytes: &[u8]) -> Format {
    let first_line = || {
        let end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len())
            .min(4096);
        crate::text::decode(&bytes[..end])
    };
    if biologic_mpt::sniff(bytes) {
        Format::BiologicMpt
    } else if biologic_mpr::sniff(bytes) {
        Format::BiologicMpr
    } else if gamry_dta::sniff(bytes) {
        Format::GamryDta
    } else if zplot::sniff(bytes) {
        Format::ZPlot
    } else if versastudio::sniff(bytes) {
        Format::VersaStudio
    } else if maccor::sniff(bytes) {
        Format::Maccor
    } else if chi::sniff(bytes) {
        Format::ChInstruments
    } else if arbin_res::sniff(bytes) {
        Format::ArbinRes
    } else if bytes.starts_with(b"PK\x03\x04") {
        Format::Xlsx
    } else if first_line().starts_with("Potential (V)\tCurrent (A)\tElapsed Time (s)") {
        Format::Parstat
    } else if first_line().replace(' ', "").trim_end() == "Frequency\tZre\tZimg" {
        Format::PowerSuite
    } else {
        Format::Csv
    }
}

/// Parse `bytes` as `format` (detected when `None`). `mapping` applies to plain tables.
pub fn parse(
    bytes: &[u8],
    path: &str,
    format: Option<Format>,
    mapping: Option<&Mapping>,
) -> Result<Dataset> {
    if bytes.is_empty() {
        return Err(ParseError::file(path, "empty file"));
    }
    let f = format.unwrap_or_else(|| detect(bytes));
    if mapping.is_some() && !matches!(f, Format::Csv | Format::Parstat | Format::PowerSuite) {
        return Err(ParseError::file(
            path,
            format!(
                "a column mapping applies to plain tables only, and this is a {} file",
                f.name()
            ),
        ));
    }
    match f {
        Format::BiologicMpt => biologic_mpt::parse(bytes, path),
        Format::GamryDta => gamry_dta::parse(bytes, path),
        Format::ZPlot => zplot::parse(bytes, path),
        Format::ChInstruments => chi::parse(bytes, path),
        Format::VersaStudio => versastudio::parse(bytes, path),
        Format::Maccor => maccor::parse(bytes, path),
        Format::Parstat => csv_generic::parse(
            bytes,
            path,
            mapping,
            "Princeton Applied Research Parstat (text export)",
        ),
        Format::PowerSuite => csv_generic::parse(
            bytes,
            path,
            mapping,
            "Princeton Applied Research PowerSuite (text export)",
        ),
        Format::Csv => csv_generic::parse(bytes, path, mapping, "generic table"),
        Format::BiologicMpr => biologic_mpr::parse(bytes, path),
        Format::Xlsx => arbin_xlsx::parse(bytes, path),
        Format::ArbinRes => arbin_res::parse(bytes, path),
    }
}
