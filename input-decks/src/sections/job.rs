//! `[job]`: resources for the batch scheduler (Slurm).

use super::{uint, FixedSection};
use crate::check::Checker;
use crate::schema::{ParamKind, ParamSpec};
use crate::value::Object;

/// Declaration of `[job]`.
pub fn spec() -> FixedSection {
    let count = |min| ParamKind::Int {
        min: Some(min),
        max: None,
    };
    FixedSection {
        path: "job",
        description: "Batch job resources, read by `galvana submit`.",
        params: vec![
            ParamSpec::optional("ranks", count(1), "", "1", "MPI ranks."),
            ParamSpec::optional(
                "nodes",
                count(1),
                "",
                "1",
                "Compute nodes (at most `ranks`).",
            ),
            ParamSpec::optional("gpus_per_rank", count(0), "", "0", "GPUs per MPI rank."),
            ParamSpec::optional(
                "walltime",
                ParamKind::String,
                "",
                "\"01:00:00\"",
                "Time limit as \"HH:MM:SS\" or \"D-HH:MM:SS\".",
            ),
            ParamSpec::maybe("partition", ParamKind::String, "", "Slurm partition."),
            ParamSpec::maybe("account", ParamKind::String, "", "Slurm account to charge."),
            ParamSpec::maybe("qos", ParamKind::String, "", "Slurm quality of service."),
            ParamSpec::optional(
                "extra_sbatch",
                ParamKind::StringArray,
                "",
                "[]",
                "Extra `#SBATCH` lines, e.g. [\"--exclusive\"].",
            ),
        ],
    }
}

/// `[job]`, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct JobOptions {
    pub ranks: u64,
    pub nodes: u64,
    pub gpus_per_rank: u64,
    /// As written, e.g. "01:00:00".
    pub walltime: String,
    /// `walltime` in seconds.
    pub walltime_seconds: u64,
    pub partition: Option<String>,
    pub account: Option<String>,
    pub qos: Option<String>,
    pub extra_sbatch: Vec<String>,
}

impl JobOptions {
    pub(crate) fn from_object(o: &Object) -> Self {
        let walltime = o.get_str("walltime").to_string();
        Self {
            ranks: uint(o, "ranks"),
            nodes: uint(o, "nodes"),
            gpus_per_rank: uint(o, "gpus_per_rank"),
            walltime_seconds: parse_walltime(&walltime).unwrap_or(0),
            walltime,
            partition: o.opt_str("partition").map(str::to_string),
            account: o.opt_str("account").map(str::to_string),
            qos: o.opt_str("qos").map(str::to_string),
            extra_sbatch: o.get_str_array("extra_sbatch"),
        }
    }
}

/// Seconds in a walltime written "HH:MM:SS" or "D-HH:MM:SS" (hours below 24 when days are
/// given); `None` if malformed or zero.
pub fn parse_walltime(s: &str) -> Option<u64> {
    fn num(s: &str, max_digits: usize) -> Option<u64> {
        let ok = !s.is_empty() && s.len() <= max_digits && s.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| s.parse().ok()).flatten()
    }
    let (days, hms) = match s.split_once('-') {
        Some((d, rest)) => (Some(num(d, 4)?), rest),
        None => (None, s),
    };
    let mut parts = hms.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || m.len() != 2 || sec.len() != 2 {
        return None;
    }
    let (h, m, sec) = (
        num(h, if days.is_some() { 2 } else { 6 })?,
        num(m, 2)?,
        num(sec, 2)?,
    );
    if m >= 60 || sec >= 60 || (days.is_some() && h >= 24) {
        return None;
    }
    let total = days.unwrap_or(0) * 86_400 + h * 3600 + m * 60 + sec;
    (total > 0).then_some(total)
}

/// Cross-parameter checks of `[job]`.
pub(crate) fn check(ck: &mut Checker, job: &Object) {
    if let Some(v) = job.get("walltime") {
        let s = v.as_str().unwrap_or_default();
        if parse_walltime(s).is_none() {
            ck.error(
                v.span,
                format!("invalid walltime \"{s}\": expected \"HH:MM:SS\" or \"D-HH:MM:SS\" (longer than zero)"),
                Some("e.g. walltime = \"02:30:00\" or \"1-12:00:00\"".into()),
            );
        }
    }
    if let (Some(ranks), Some(nodes)) = (job.opt_i64("ranks"), job.opt_i64("nodes")) {
        if nodes > ranks {
            let span = job.get("nodes").map(|v| v.span).unwrap_or(job.header);
            ck.error(
                span,
                format!("`nodes` = {nodes} exceeds `ranks` = {ranks}: every node needs a rank"),
                None,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_walltime;

    #[test]
    fn walltimes() {
        assert_eq!(parse_walltime("01:00:00"), Some(3600));
        assert_eq!(parse_walltime("48:00:00"), Some(172_800));
        assert_eq!(parse_walltime("1:00:00"), Some(3600));
        assert_eq!(
            parse_walltime("1-12:30:05"),
            Some(86_400 + 12 * 3600 + 30 * 60 + 5)
        );
        assert_eq!(parse_walltime("1-2:00:00"), Some(86_400 + 7200));
        for bad in [
            "",
            "01:60:00",
            "01:00",
            "00:00:00",
            "1-24:00:00",
            "a-01:00:00",
            "01:00:00:00",
            "-01:00:00",
            "01:0:00",
            "1-",
            "+1:00:00",
        ] {
            assert_eq!(parse_walltime(bad), None, "{bad}");
        }
    }
}
