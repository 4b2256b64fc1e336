//! The billing ledger: append-only entries (`reservation`, `charge`, `release`, `credit`) in
//! micro-credits, priced per TRES from the configuration.
//!
//! Entries that come from outside (accounting records, the release of a job's reservation)
//! carry a unique `source_key`, so importing the same records again inserts nothing: the
//! import is idempotent by construction. The database refuses updates and deletes (triggers).

use crate::config::Prices;
use crate::db::{month_of, now, rfc3339, RowExt};
use crate::error::ApiResult;
use crate::quota::{self, hours, Need};
use crate::AppState;
use serde::Serialize;
use sqlx::Any;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Reservation,
    Charge,
    Release,
    Credit,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Reservation => "reservation",
            Kind::Charge => "charge",
            Kind::Release => "release",
            Kind::Credit => "credit",
        }
    }
}

pub struct NewEntry<'a> {
    pub project: i64,
    pub job: Option<i64>,
    pub kind: Kind,
    pub month: &'a str,
    pub usage: Need,
    pub amount_micro: i64,
    pub source_key: Option<String>,
    pub note: String,
}

/// Append an entry; `false` when an entry with the same source key exists (nothing written).
pub async fn append(
    tx: &mut sqlx::Transaction<'_, Any>,
    e: NewEntry<'_>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "INSERT INTO ledger (project_id, job_id, kind, month, core_s, gpu_s, amount_micro, source_key, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (source_key) DO NOTHING",
    )
    .bind(e.project)
    .bind(e.job)
    .bind(e.kind.name())
    .bind(e.month)
    .bind(e.usage.core_s)
    .bind(e.usage.gpu_s)
    .bind(e.amount_micro)
    .bind(e.source_key)
    .bind(e.note)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One accounting record of a job run (a `sacct` row, or a local run).
#[derive(Clone, Debug, PartialEq)]
pub struct AcctRecord {
    /// Scheduler job id of the run (`123`, `123_4`).
    pub id: String,
    /// Start time as the scheduler prints it (distinguishes requeued runs of one id).
    pub start: String,
    /// `YYYY-MM` the run ended in.
    pub month: String,
    pub state: String,
    pub usage: Need,
}

impl AcctRecord {
    /// Finished runs only (running ones are charged when they end). Requeued runs are
    /// finished segments.
    pub fn from_usage(u: &galvana_scheduler::Usage) -> Option<AcctRecord> {
        use galvana_scheduler::JobState;
        let ended = u.state.is_terminal() || u.state == JobState::Requeued;
        let end = u
            .end
            .as_deref()
            .filter(|e| e.len() >= 7 && *e != "Unknown")?;
        if !ended {
            return None;
        }
        let month = if end.as_bytes()[4] == b'-' && end[..4].chars().all(|c| c.is_ascii_digit()) {
            end[..7].to_string()
        } else {
            month_of(now())
        };
        Some(AcctRecord {
            id: u.id.clone(),
            start: u.start.clone().unwrap_or_default(),
            month,
            state: u.state.name().to_string(),
            usage: Need {
                core_s: u.cpu_seconds() as i64,
                gpu_s: u.gpu_seconds() as i64,
            },
        })
    }
}

/// Charge the records of `job` (idempotent), and when `job_ended`, release its reservation.
/// Returns how many charges were new.
pub async fn settle(
    st: &AppState,
    job: i64,
    records: &[AcctRecord],
    job_ended: bool,
) -> ApiResult<usize> {
    let j = sqlx::query(
        "SELECT project_id, backend, reserved_core_s, reserved_gpu_s, reservation_month, settled_at FROM jobs WHERE id = $1",
    )
    .bind(job)
    .fetch_one(&st.db)
    .await?;
    let project = j.i("project_id");
    let backend = j.s("backend");
    let prices: &Prices = &st.config.prices;
    let mut tx = st.db.begin().await?;
    let mut new = 0;
    for r in records {
        let key = format!("acct:{backend}:{}:{}", r.id, r.start);
        let fresh = append(
            &mut tx,
            NewEntry {
                project,
                job: Some(job),
                kind: Kind::Charge,
                month: &r.month,
                usage: r.usage,
                amount_micro: prices.amount_micro(r.usage.core_s, r.usage.gpu_s),
                source_key: Some(key),
                note: format!("job run {} ({}), started {}", r.id, r.state, r.start),
            },
        )
        .await?;
        if fresh {
            quota::adjust(&mut tx, project, &r.month, r.usage).await?;
            new += 1;
        }
    }
    if job_ended {
        let reserved = Need {
            core_s: j.i("reserved_core_s"),
            gpu_s: j.i("reserved_gpu_s"),
        };
        let month = j.s("reservation_month");
        let fresh = append(
            &mut tx,
            NewEntry {
                project,
                job: Some(job),
                kind: Kind::Release,
                month: &month,
                usage: Need {
                    core_s: -reserved.core_s,
                    gpu_s: -reserved.gpu_s,
                },
                amount_micro: -prices.amount_micro(reserved.core_s, reserved.gpu_s),
                source_key: Some(format!("release:{job}")),
                note: "reservation released; the charges above are the actual usage".into(),
            },
        )
        .await?;
        if fresh {
            quota::adjust(
                &mut tx,
                project,
                &month,
                Need {
                    core_s: -reserved.core_s,
                    gpu_s: -reserved.gpu_s,
                },
            )
            .await?;
        }
        sqlx::query("UPDATE jobs SET settled_at = $1 WHERE id = $2 AND settled_at IS NULL")
            .bind(now())
            .bind(job)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(new)
}

/// A ledger entry as the API shows it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub created_at: String,
    pub kind: String,
    pub job_id: Option<i64>,
    pub month: String,
    pub core_hours: f64,
    pub gpu_hours: f64,
    pub core_s: i64,
    pub gpu_s: i64,
    /// Micro-credits (exact); `amount` is the same in credits.
    pub amount_micro: i64,
    pub amount: f64,
    pub note: String,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Totals {
    pub core_s: i64,
    pub gpu_s: i64,
    pub amount_micro: i64,
}

/// A month's statement for a project: every entry, totals per kind and overall.
#[derive(Clone, Debug, Serialize)]
pub struct Statement {
    pub project: String,
    pub month: String,
    pub currency: &'static str,
    pub entries: Vec<Entry>,
    pub by_kind: std::collections::BTreeMap<String, Totals>,
    pub total: Totals,
    pub total_amount: f64,
}

pub async fn entries(st: &AppState, project: i64, month: Option<&str>) -> ApiResult<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT id, created_at, kind, job_id, month, core_s, gpu_s, amount_micro, note FROM ledger \
         WHERE project_id = $1 AND ($2 = '' OR month = $2) ORDER BY id",
    )
    .bind(project)
    .bind(month.unwrap_or(""))
    .fetch_all(&st.db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Entry {
            id: r.i("id"),
            created_at: rfc3339(r.i("created_at")),
            kind: r.s("kind"),
            job_id: r.oi("job_id"),
            month: r.s("month"),
            core_hours: hours(r.i("core_s")),
            gpu_hours: hours(r.i("gpu_s")),
            core_s: r.i("core_s"),
            gpu_s: r.i("gpu_s"),
            amount_micro: r.i("amount_micro"),
            amount: r.i("amount_micro") as f64 / 1e6,
            note: r.s("note"),
        })
        .collect())
}

pub async fn statement(
    st: &AppState,
    project: i64,
    name: &str,
    month: &str,
) -> ApiResult<Statement> {
    let entries = entries(st, project, Some(month)).await?;
    // The database's own sums, so a test can hold them against the sum of the entries.
    let rows = sqlx::query(
        "SELECT kind, CAST(SUM(core_s) AS BIGINT) AS c, CAST(SUM(gpu_s) AS BIGINT) AS g, \
         CAST(SUM(amount_micro) AS BIGINT) AS a FROM ledger WHERE project_id = $1 AND month = $2 GROUP BY kind",
    )
    .bind(project)
    .bind(month)
    .fetch_all(&st.db)
    .await?;
    let mut by_kind = std::collections::BTreeMap::new();
    let mut total = Totals::default();
    for r in rows {
        let t = Totals {
            core_s: r.i("c"),
            gpu_s: r.i("g"),
            amount_micro: r.i("a"),
        };
        total.core_s += t.core_s;
        total.gpu_s += t.gpu_s;
        total.amount_micro += t.amount_micro;
        by_kind.insert(r.s("kind"), t);
    }
    Ok(Statement {
        project: name.to_string(),
        month: month.to_string(),
        currency: "credits",
        entries,
        total_amount: total.amount_micro as f64 / 1e6,
        by_kind,
        total,
    })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn credits(micro: i64) -> String {
    let sign = if micro < 0 { "-" } else { "" };
    let m = micro.unsigned_abs();
    format!("{sign}{}.{:06}", m / 1_000_000, m % 1_000_000)
}

/// The statement as CSV: one row per entry, then a `total` row.
pub fn statement_csv(s: &Statement) -> String {
    let mut out =
        String::from("id,created_at,kind,job_id,month,core_hours,gpu_hours,amount_credits,note\n");
    for e in &s.entries {
        out.push_str(&format!(
            "{},{},{},{},{},{:.6},{:.6},{},{}\n",
            e.id,
            e.created_at,
            e.kind,
            e.job_id.map(|j| j.to_string()).unwrap_or_default(),
            e.month,
            e.core_hours,
            e.gpu_hours,
            credits(e.amount_micro),
            csv_field(&e.note)
        ));
    }
    out.push_str(&format!(
        ",,total,,{},{:.6},{:.6},{},{}\n",
        s.month,
        hours(s.total.core_s),
        hours(s.total.gpu_s),
        credits(s.total.amount_micro),
        csv_field(&format!("statement for project {}", s.project))
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use galvana_scheduler::{JobState, Usage};

    #[test]
    fn credits_are_exact() {
        assert_eq!(credits(1_234_567), "1.234567");
        assert_eq!(credits(-5), "-0.000005");
        assert_eq!(credits(0), "0.000000");
    }

    #[test]
    fn records_from_accounting() {
        let mut u = Usage {
            id: "42".into(),
            state: JobState::Completed,
            elapsed_s: 100,
            start: Some("2026-11-29T10:00:00".into()),
            end: Some("2026-11-29T10:01:40".into()),
            ..Default::default()
        };
        u.alloc_tres.insert("cpu".into(), "4".into());
        u.alloc_tres.insert("gres/gpu".into(), "2".into());
        let r = AcctRecord::from_usage(&u).unwrap();
        assert_eq!(r.month, "2026-11");
        assert_eq!(
            r.usage,
            Need {
                core_s: 400,
                gpu_s: 200
            }
        );
        u.state = JobState::Running;
        u.end = Some("Unknown".into());
        assert!(AcctRecord::from_usage(&u).is_none());
    }
}
