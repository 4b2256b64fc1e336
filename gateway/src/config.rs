//! `gateway.toml`: where things live, which scheduler backend, plans and prices.
//!
//! Every key is optional; [`Config::default`] is a single-host gateway on the local backend.
//! Unknown keys are errors (a misspelt price must not silently fall back to a default).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A plan: what a project may use per calendar month (UTC).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Core-hours per month (ranks × wall-clock hours).
    pub core_hours: f64,
    /// GPU-hours per month.
    #[serde(default)]
    pub gpu_hours: f64,
}

/// Prices per TRES hour, in credits (statements show credits with 6 decimals).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    pub cpu_hour: f64,
    pub gpu_hour: f64,
}

impl Prices {
    /// Price of `core_s` core-seconds and `gpu_s` GPU-seconds in micro-credits, rounded to the
    /// nearest micro-credit (integers keep statement totals exact).
    pub fn amount_micro(&self, core_s: i64, gpu_s: i64) -> i64 {
        let cpu = (self.cpu_hour * 1e6).round() as i128;
        let gpu = (self.gpu_hour * 1e6).round() as i128;
        let num = core_s as i128 * cpu + gpu_s as i128 * gpu;
        // Round half away from zero.
        let q = (num.abs() + 1800) / 3600;
        (q * num.signum()) as i64
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on (put TLS in a reverse proxy in front; see the README).
    pub listen: String,
    /// Database, job directories and scheduler state live here.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default `sqlite://DATA_DIR/gateway.db`.
    /// `$DATABASE_URL` overrides it.
    pub database_url: Option<String>,
    /// `slurm`, `rest` or `local`.
    pub backend: String,
    /// The `galvana` binary the batch scripts run (default: next to this binary, then `PATH`).
    pub galvana_bin: Option<PathBuf>,
    /// Seconds between scheduler polls of active jobs.
    pub poll_interval_s: f64,
    /// Largest deck accepted, bytes.
    pub max_deck_bytes: usize,
    /// Browser sessions last this long, seconds.
    pub session_ttl_s: i64,
    /// Plan given to new projects when none is named.
    pub default_plan: String,
    pub plans: BTreeMap<String, Plan>,
    pub prices: Prices,
    /// Most residual-stream subscribers at once (beyond this: 503).
    pub max_streams: usize,
    /// Largest instrument export accepted by `POST /datasets`, bytes.
    pub max_upload_bytes: usize,
    /// Most bytes of instrument exports a project may keep.
    pub max_project_dataset_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        let plans = [
            ("free", 100.0, 0.0),
            ("researcher", 10_000.0, 200.0),
            ("team", 100_000.0, 2_000.0),
        ]
        .into_iter()
        .map(|(n, c, g)| {
            (
                n.to_string(),
                Plan {
                    core_hours: c,
                    gpu_hours: g,
                },
            )
        })
        .collect();
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("galvana-gateway-data"),
            database_url: None,
            backend: "local".into(),
            galvana_bin: None,
            poll_interval_s: 5.0,
            max_deck_bytes: 256 * 1024,
            session_ttl_s: 12 * 3600,
            default_plan: "free".into(),
            plans,
            prices: Prices {
                cpu_hour: 0.02,
                gpu_hour: 1.0,
            },
            max_streams: 4096,
            max_upload_bytes: 64 << 20,
            max_project_dataset_bytes: 2 << 30,
        }
    }
}

impl Config {
    /// Read `path`; a missing file gives the defaults with `data_dir` set to its directory.
    pub fn load(path: &Path) -> Result<Config, String> {
        let mut c: Config = match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config {
                data_dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
                ..Config::default()
            },
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        if c.data_dir.is_relative() {
            let base = path.parent().unwrap_or(Path::new("."));
            c.data_dir = base.join(&c.data_dir);
        }
        c.validate()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(c)
    }

    pub fn validate(&self) -> Result<(), String> {
        if !self.plans.contains_key(&self.default_plan) {
            return Err(format!(
                "default_plan `{}` is not one of the plans ({})",
                self.default_plan,
                self.plans.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        for (n, p) in &self.plans {
            if !(p.core_hours >= 0.0 && p.gpu_hours >= 0.0) {
                return Err(format!("plan `{n}`: allowances must be >= 0"));
            }
        }
        if !(self.prices.cpu_hour >= 0.0 && self.prices.gpu_hour >= 0.0) {
            return Err("prices must be >= 0".into());
        }
        self.backend_kind()?;
        if self.poll_interval_s.is_nan() || self.poll_interval_s <= 0.0 {
            return Err("poll_interval_s must be > 0".into());
        }
        Ok(())
    }

    pub fn backend_kind(&self) -> Result<galvana_scheduler::BackendKind, String> {
        self.backend.parse()
    }

    pub fn database_url(&self) -> String {
        std::env::var("DATABASE_URL")
            .ok()
            .or_else(|| self.database_url.clone())
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}?mode=rwc",
                    self.data_dir.join("gateway.db").display()
                )
            })
    }

    /// Job directories of project `project`.
    pub fn project_dir(&self, project: i64) -> PathBuf {
        self.data_dir.join("projects").join(project.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_round_to_micro_credits() {
        let p = Prices {
            cpu_hour: 0.02,
            gpu_hour: 1.0,
        };
        assert_eq!(p.amount_micro(3600, 0), 20_000);
        assert_eq!(p.amount_micro(0, 3600), 1_000_000);
        // 1 core-second = 5.555… micro-credits.
        assert_eq!(p.amount_micro(1, 0), 6);
        assert_eq!(p.amount_micro(-1, 0), -6);
        assert_eq!(p.amount_micro(-7200, -3600), -1_040_000);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = toml::from_str::<Config>("prices = { cpu_hour = 1.0, gpu_hour = 2.0, gpu = 3 }")
            .unwrap_err();
        assert!(e.to_string().contains("unknown field `gpu`"), "{e}");
        let c: Config =
            toml::from_str("backend = \"slurm\"\n[plans.big]\ncore_hours = 5.0\n").unwrap();
        assert_eq!(c.plans.len(), 1);
        assert!(c.validate().unwrap_err().contains("default_plan `free`"));
    }
}
