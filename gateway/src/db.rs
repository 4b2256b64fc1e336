//! The database: SQLite by default, PostgreSQL when the URL says so, through sqlx's `Any`
//! driver. Queries use `$N` parameters and portable SQL so one text serves both; the schema
//! differs only in how ids are generated (see `migrations/`).

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Row};
use std::borrow::Cow;

pub type Db = AnyPool;

/// Which SQL dialect the pool speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn of_url(url: &str) -> Result<Dialect, String> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Dialect::Postgres)
        } else {
            Err(format!(
                "database URL must start with sqlite: or postgres:, not `{}`",
                url.split(':').next().unwrap_or("")
            ))
        }
    }
}

fn migrations(d: Dialect) -> Vec<Migration> {
    let sql = match d {
        Dialect::Sqlite => [
            include_str!("../migrations/sqlite/0001_init.sql"),
            include_str!("../migrations/sqlite/0002_datasets.sql"),
        ],
        Dialect::Postgres => [
            include_str!("../migrations/postgres/0001_init.sql"),
            include_str!("../migrations/postgres/0002_datasets.sql"),
        ],
    };
    ["init", "datasets"]
        .into_iter()
        .zip(sql)
        .enumerate()
        .map(|(i, (name, sql))| {
            Migration::new(
                i as i64 + 1,
                Cow::Borrowed(name),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect()
}

/// Connect and bring the schema up to date.
pub async fn open(url: &str) -> Result<(Db, Dialect), String> {
    sqlx::any::install_default_drivers();
    let dialect = Dialect::of_url(url)?;
    if dialect == Dialect::Sqlite {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .map(|p| p.split('?').next().unwrap_or(p))
        {
            if let Some(dir) = std::path::Path::new(path).parent() {
                let _ = std::fs::create_dir_all(dir);
            }
        }
    }
    let pool = AnyPoolOptions::new()
        .max_connections(match dialect {
            Dialect::Sqlite => 8,
            Dialect::Postgres => 16,
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if dialect == Dialect::Sqlite {
                    // WAL lets readers run beside the writer; the busy timeout makes writers
                    // queue instead of failing.
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA busy_timeout = 30000")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA foreign_keys = ON")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA synchronous = FULL")
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", redact(url)))?;
    let migrator = Migrator {
        migrations: Cow::Owned(migrations(dialect)),
        ..Migrator::DEFAULT
    };
    migrator
        .run(&pool)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    Ok((pool, dialect))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    galvana_scheduler::now() as i64
}

/// `YYYY-MM` (UTC) of a Unix time.
pub fn month_of(t: i64) -> String {
    let d =
        time::OffsetDateTime::from_unix_timestamp(t).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}", d.year(), d.month() as u8)
}

/// RFC 3339 (UTC) of a Unix time.
pub fn rfc3339(t: i64) -> String {
    let d =
        time::OffsetDateTime::from_unix_timestamp(t).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    d.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Column getters that turn decode errors into messages.
pub trait RowExt {
    fn i(&self, col: &str) -> i64;
    fn oi(&self, col: &str) -> Option<i64>;
    fn s(&self, col: &str) -> String;
    fn os(&self, col: &str) -> Option<String>;
}

impl RowExt for AnyRow {
    fn i(&self, col: &str) -> i64 {
        self.try_get::<i64, _>(col).unwrap_or_default()
    }
    fn oi(&self, col: &str) -> Option<i64> {
        self.try_get::<Option<i64>, _>(col).ok().flatten()
    }
    fn s(&self, col: &str) -> String {
        self.try_get::<String, _>(col).unwrap_or_default()
    }
    fn os(&self, col: &str) -> Option<String> {
        self.try_get::<Option<String>, _>(col).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_times() {
        assert_eq!(month_of(0), "1970-01");
        assert_eq!(month_of(1_795_000_000), "2026-11");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://gw:secret@localhost/db"),
            "postgres://gw:***@localhost/db"
        );
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
