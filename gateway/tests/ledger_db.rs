//! The ledger at the database level: append-only, idempotent settlement, exact totals.

use galvana_gateway::config::Config;
use galvana_gateway::db::{month_of, now};
use galvana_gateway::ledger::{self, AcctRecord};
use galvana_gateway::quota::Need;
use galvana_gateway::{admin, AppState};

#[path = "common/pg.rs"]
mod pg;

async fn state(name: &str) -> std::sync::Arc<AppState> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ledger-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut c = Config {
        data_dir: dir.clone(),
        ..Config::default()
    };
    c.database_url = Some(
        pg::fresh_database(&format!("ledger_{name}"))
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("gateway.db").display())),
    );
    // The test's own URL, not the environment's.
    assert!(
        std::env::var_os("DATABASE_URL").is_none(),
        "unset DATABASE_URL for this test"
    );
    AppState::open(c).await.unwrap()
}

#[tokio::test]
async fn the_ledger_refuses_edits_and_settles_once() {
    let st = state("once").await;
    admin::add_user(&st, "alice", None, false).await.unwrap();
    let pid = admin::add_project(&st, "pa", Some("researcher"), Some("alice"))
        .await
        .unwrap();
    let uid: i64 = 1;
    let month = month_of(now());
    // A job row with a reservation as the submit path records it.
    let mut tx = st.db.begin().await.unwrap();
    galvana_gateway::quota::reserve(
        &st,
        &mut tx,
        pid,
        "researcher",
        Need {
            core_s: 7200,
            gpu_s: 0,
        },
    )
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO jobs (project_id, user_id, name, kind, backend, dir, state, ntasks, gpus, array_tasks, walltime_s, \
         reserved_core_s, reserved_gpu_s, reservation_month, deck_hash, submitted_at, ended_at) \
         VALUES ($1, $2, 'j', 'run', 'slurm', '/nonexistent', 'completed', 2, 0, 1, 3600, 7200, 0, $3, 'h', $4, $4)",
    )
    .bind(pid)
    .bind(uid)
    .bind(&month)
    .bind(now())
    .execute(&mut *tx)
    .await
    .unwrap();
    ledger::append(
        &mut tx,
        ledger::NewEntry {
            project: pid,
            job: Some(1),
            kind: ledger::Kind::Reservation,
            month: &month,
            usage: Need {
                core_s: 7200,
                gpu_s: 0,
            },
            amount_micro: st.config.prices.amount_micro(7200, 0),
            source_key: Some("reserve:1".into()),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Two segments of a requeued campaign, imported three times.
    let recs = vec![
        AcctRecord {
            id: "55".into(),
            start: "2026-11-29T10:00:00".into(),
            month: month.clone(),
            state: "REQUEUED".into(),
            usage: Need {
                core_s: 1234,
                gpu_s: 0,
            },
        },
        AcctRecord {
            id: "55".into(),
            start: "2026-11-29T10:30:00".into(),
            month: month.clone(),
            state: "COMPLETED".into(),
            usage: Need {
                core_s: 4321,
                gpu_s: 0,
            },
        },
    ];
    assert_eq!(ledger::settle(&st, 1, &recs[..1], false).await.unwrap(), 1);
    assert_eq!(ledger::settle(&st, 1, &recs, true).await.unwrap(), 1);
    assert_eq!(ledger::settle(&st, 1, &recs, true).await.unwrap(), 0);
    let s = ledger::statement(&st, pid, "pa", &month).await.unwrap();
    let kinds: Vec<&str> = s.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["reservation", "charge", "charge", "release"]);
    assert_eq!(s.total.core_s, 1234 + 4321);
    assert_eq!(
        s.total.amount_micro,
        s.entries.iter().map(|e| e.amount_micro).sum::<i64>()
    );
    let committed = galvana_gateway::quota::committed(&st, pid, &month)
        .await
        .unwrap();
    assert_eq!(
        committed.core_s,
        1234 + 4321,
        "the reservation was replaced by actual usage"
    );

    // Append-only: the database itself refuses edits and deletions.
    let upd = sqlx::query("UPDATE ledger SET amount_micro = 0")
        .execute(&st.db)
        .await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM ledger").execute(&st.db).await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    assert_eq!(ledger::entries(&st, pid, None).await.unwrap().len(), 4);

    // Credits are negative amounts; the total still equals the sum.
    admin::credit(&st, "pa", 1.5, "goodwill").await.unwrap();
    let s2 = ledger::statement(&st, pid, "pa", &month).await.unwrap();
    assert_eq!(s2.total.amount_micro, s.total.amount_micro - 1_500_000);
    let csv = ledger::statement_csv(&s2);
    assert_eq!(csv.lines().count(), 1 + 5 + 1);
    assert!(csv.contains("goodwill"));
}
