//! Galvana's gateway: a light axum server between users (REST API, later the portal) and the
//! batch scheduler. It never links MPI or CUDA: jobs run through `galvana-scheduler`.
//!
//! ```text
//! client ──/api/v1──▶ auth (token | session+CSRF) ──▶ project role ──▶ handler
//!                                                     │
//!     submit: check deck ─▶ reserve quota + ledger (one tx) ─▶ write job dir ─▶ scheduler
//!     poller: scheduler state ─▶ jobs table; accounting ─▶ ledger charges, release
//!     residuals: SSE of the run's residuals.jsonl (one shared feed per file; laggards read the file)
//! ```

pub mod account;
pub mod admin;
pub mod auth;
pub mod campaigns;
pub mod check;
pub mod config;
pub mod datasets;
pub mod db;
pub mod deckcheck;
pub mod error;
pub mod examples;
pub mod files;
pub mod history;
pub mod jobs;
pub mod ledger;
pub mod metrics;
pub mod openapi;
pub mod poller;
pub mod portal;
pub mod quota;
pub mod sse;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;

/// Everything a handler needs.
pub struct AppState {
    pub db: db::Db,
    pub dialect: db::Dialect,
    pub config: config::Config,
    pub backend: galvana_scheduler::BackendKind,
    pub metrics: metrics::Metrics,
    /// Wakes the poller early (after a submit or cancel).
    pub poke: tokio::sync::Notify,
    /// Segments per job when its accounting was last read (see `poller`).
    pub segments_seen: std::sync::Mutex<std::collections::HashMap<i64, usize>>,
    /// Residual-stream feeds, one per stream file.
    pub hub: sse::Hub,
}

impl AppState {
    /// Open the database (migrating it) and check the configuration.
    pub async fn open(config: config::Config) -> Result<Arc<AppState>, String> {
        config.validate()?;
        let backend = config.backend_kind()?;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| format!("{}: {e}", config.data_dir.display()))?;
        let (db, dialect) = db::open(&config.database_url()).await?;
        Ok(Arc::new(AppState {
            db,
            dialect,
            config,
            backend,
            metrics: metrics::Metrics::default(),
            poke: tokio::sync::Notify::new(),
            segments_seen: Default::default(),
            hub: Default::default(),
        }))
    }

    pub fn poke_poller(&self) {
        self.poke.notify_one();
    }
}

/// Set the scheduler's environment for this gateway (call before starting threads): its state
/// (campaign index, local queue) lives under the data directory.
pub fn scheduler_env(config: &config::Config) {
    let state = config.data_dir.join("state");
    // SAFETY: called from main before the runtime or any other thread starts.
    unsafe {
        std::env::set_var("GALVANA_STATE_DIR", &state);
        if let Some(b) = &config.galvana_bin {
            std::env::set_var("GALVANA_BIN", b);
        }
    }
}

/// The whole HTTP surface.
pub fn router(st: Arc<AppState>) -> Router {
    let upload_limit = st.config.max_upload_bytes;
    let api = Router::new()
        .route("/login", post(account::login))
        .route("/logout", post(account::logout))
        .route("/me", get(account::me))
        .route("/check", post(check::check))
        .route("/projects", get(account::projects))
        .route("/projects/{id}/usage", get(account::usage))
        .route("/projects/{id}/ledger", get(account::ledger_entries))
        .route("/projects/{id}/statements", get(account::statement_months))
        .route("/projects/{id}/statements/{month}", get(account::statement))
        .route("/jobs", get(jobs::list).post(jobs::submit))
        .route("/jobs/{id}", get(jobs::get))
        .route("/jobs/{id}/cancel", post(jobs::cancel))
        .route("/jobs/{id}/files", get(files::list))
        .route("/jobs/{id}/files/{*path}", get(files::get))
        .route("/jobs/{id}/residuals", get(sse::residuals))
        .route("/jobs/{id}/residuals/history", get(history::history))
        .route("/jobs/{id}/restart", post(jobs::restart))
        .route("/examples", get(examples::list))
        .route("/jobs/{id}/checkpoints", get(files::checkpoints))
        .route("/campaigns", get(campaigns::list))
        .route("/campaigns/{id}", get(campaigns::get))
        .route("/sweeps", get(campaigns::sweeps))
        .route("/sweeps/{id}", get(campaigns::sweep))
        .route(
            "/datasets",
            get(datasets::list)
                .post(datasets::upload)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/datasets/{id}",
            get(datasets::get).delete(datasets::delete),
        )
        .route("/datasets/{id}/cycles", get(datasets::cycles))
        .route("/datasets/{id}/files/{which}", get(datasets::download))
        .route("/openapi.json", get(|| async { Json(openapi::document()) }));
    let limit = 2 * st.config.max_deck_bytes + 64 * 1024;
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/", get(portal::root))
        .route("/portal", get(portal::shell))
        .route("/portal/", get(portal::shell))
        .route("/portal/{*rest}", get(portal::shell))
        .route("/assets/{name}", get(portal::asset))
        .route("/metrics", get(metrics::render))
        .layer(axum::middleware::from_fn_with_state(
            st.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(st)
}

/// Serve until the process is stopped, with the poller running beside.
pub async fn serve(st: Arc<AppState>) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&st.config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", st.config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!(
        "galvana-gateway: listening on http://{addr} (backend {}, database {})",
        st.backend,
        db::redact(&st.config.database_url())
    );
    tokio::spawn(poller::run(st.clone()));
    axum::serve(listener, router(st))
        .with_graceful_shutdown(async {
            // SIGINT from a terminal, SIGTERM from systemd or a container runtime.
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
            }
            eprintln!("galvana-gateway: shutting down");
        })
        .await
        .map_err(|e| e.to_string())
}
