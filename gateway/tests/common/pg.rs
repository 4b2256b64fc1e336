//! A fresh PostgreSQL database per test gateway, when `GALVANA_TEST_POSTGRES` names a server
//! (`postgres://user:pw@host:port`, as `scripts/postgres-local.sh up` prints).

use sqlx::{Connection, Executor};

/// Create (dropping any leftover) the database `gw_{name}_{pid}` and return its URL; `None`
/// when the tests run on SQLite. Done with sqlx itself rather than a `psql` client, so the
/// tests depend on nothing but the server.
pub fn fresh_database(name: &str) -> Option<String> {
    let base = std::env::var("GALVANA_TEST_POSTGRES").ok()?;
    let base = base.trim().trim_end_matches('/').to_string();
    assert!(
        base.starts_with("postgres://") || base.starts_with("postgresql://"),
        "GALVANA_TEST_POSTGRES must be a postgres:// URL without a database name, got {base:?}"
    );
    let db = format!("gw_{}_{}", name.replace('-', "_"), std::process::id());
    let admin = format!("{base}/postgres");
    let target = db.clone();
    // Tests call this from inside their own runtime; a separate thread gets its own.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut c = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("connect to {admin}: {e}"));
            for sql in [
                format!("drop database if exists {target}"),
                format!("create database {target}"),
            ] {
                c.execute(sql.as_str())
                    .await
                    .unwrap_or_else(|e| panic!("{sql} on {admin}: {e}"));
            }
        })
    })
    .join()
    .expect("creating the test database");
    Some(format!("{base}/{db}"))
}
