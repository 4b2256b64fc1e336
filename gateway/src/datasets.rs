//! Datasets: instrument exports uploaded to a project, parsed by galvana-instruments into the
//! normalised dataset (DESIGN.md), kept with the original bytes, and analysed (cycling).
//!
//! A dataset lives in `DATA/projects/<project>/datasets/<id>/`: `original/<name>` (as
//! uploaded) and `normalised.csv`. Files are written into a staging directory, fsynced and
//! renamed into place before the row is committed, so a dataset is either whole or absent.
//! Uploads are bounded per request (`max_upload_bytes`) and per project
//! (`max_project_dataset_bytes`); the check and the insert are one statement (under a
//! per-project advisory lock on PostgreSQL), so concurrent uploads cannot overshoot.

use crate::auth::{require, Caller, Role};
use crate::db::{now, rfc3339, Dialect, RowExt};
use crate::error::{ApiError, ApiResult};
use crate::jobs::project_by_ref;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use galvana_instruments::{Dataset, Format, Mapping};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Project name or id.
    pub project: String,
    /// The file's name (kept for the download and shown in lists).
    pub name: String,
    /// Format name instead of detection (`galvana import --format`).
    pub format: Option<String>,
    /// Column mapping for plain tables (`galvana import --map`).
    pub map: Option<String>,
}

/// A file name safe to store: its last path component, at most 200 bytes of
/// `[A-Za-z0-9._ ()+-]`, not starting with a dot.
fn clean_name(name: &str) -> ApiResult<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let ok = |c: char| c.is_ascii_alphanumeric() || "._ ()+-,".contains(c);
    if base.is_empty() || base.len() > 200 || base.starts_with('.') || !base.chars().all(ok) {
        return Err(ApiError::bad_request(
            "`name` must be a file name of at most 200 characters from A-Z a-z 0-9 . _ - + , ( ) and space, not starting with a dot",
        ));
    }
    Ok(base.to_string())
}

fn project_ref(s: &str) -> Value {
    s.parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(s))
}

fn describe(id: i64, project: &str, r: &sqlx::any::AnyRow) -> Value {
    json!({
        "id": id,
        "project": project,
        "project_id": r.i("project_id"),
        "name": r.s("name"),
        "format": r.s("format"),
        "instrument": r.s("instrument"),
        "technique": r.s("technique"),
        "rows": r.i("rows_count"),
        "columns": r.s("columns").split(',').filter(|c| !c.is_empty()).collect::<Vec<_>>(),
        "bytes": r.i("bytes"),
        "sha256": r.s("sha256"),
        "created_at": rfc3339(r.i("created_at")),
    })
}

fn write_synced(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// `POST /api/v1/datasets?project=P&name=FILE[&format=F][&map=M]`, body = the file's bytes.
/// 201 with the dataset; 422 when the file cannot be read (the parser's message names the
/// file and line or byte offset); 413 over the size limits.
pub async fn upload(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (project, pname, _) = project_by_ref(&st, &c, &project_ref(&q.project)).await?;
    require(&st, &c, project, Role::Member, "project").await?;
    let name = clean_name(&q.name)?;
    if body.len() > st.config.max_upload_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "uploads are limited to {} bytes",
                st.config.max_upload_bytes
            ),
        ));
    }
    let format = match q.format.as_deref() {
        None => None,
        Some(f) => Some(Format::from_name(f).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            ApiError::bad_request(format!(
                "format `{f}` is unknown; expected one of {}",
                names.join(", ")
            ))
        })?),
    };
    let map = match q.map.as_deref().map(Mapping::parse) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => return Err(ApiError::bad_request(format!("map: {e}"))),
    };
    // Parse off the async threads: Arbin .res goes through mdb-export.
    let (ds, detected, bytes) = {
        let (name, body) = (name.clone(), body.clone());
        tokio::task::spawn_blocking(move || {
            let fmt = match format {
                Some(f) => f,
                None => galvana_instruments::detect(&body),
            };
            galvana_instruments::parse(&body, &name, Some(fmt), map.as_ref())
                .map(|d| (d, fmt, body))
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreadable",
                e.to_string(),
            )
        })?
    };
    let sha = format!("{:x}", Sha256::digest(&bytes));
    let csv = galvana_instruments::csv_out::to_csv(&ds);
    let staging = st
        .config
        .data_dir
        .join("staging")
        .join(crate::auth::new_secret("ds-"));
    {
        let (dir, name, bytes, csv) = (staging.clone(), name.clone(), bytes.clone(), csv.clone());
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(dir.join("original"))?;
            write_synced(&dir.join("original").join(&name), &bytes)?;
            write_synced(&dir.join("normalised.csv"), csv.as_bytes())
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    }
    let size = (bytes.len() + csv.len()) as i64;
    let columns: Vec<&str> = ds.columns().map(|c| c.0.name()).collect();
    let result = insert(
        &st, &c, project, &name, detected, &ds, &columns, size, &sha, &staging,
    )
    .await;
    let _ = std::fs::remove_dir_all(&staging);
    let id = result?;
    st.metrics.dataset_uploaded(size as u64);
    let row = sqlx::query("SELECT * FROM datasets WHERE id = $1")
        .bind(id)
        .fetch_one(&st.db)
        .await?;
    Ok((StatusCode::CREATED, Json(describe(id, &pname, &row))))
}

/// Insert the row (if the project has room) and move the staged files into place, in one
/// transaction: the row commits only after the rename.
#[allow(clippy::too_many_arguments)]
async fn insert(
    st: &AppState,
    c: &Caller,
    project: i64,
    name: &str,
    fmt: Format,
    ds: &Dataset,
    columns: &[&str],
    size: i64,
    sha: &str,
    staging: &std::path::Path,
) -> ApiResult<i64> {
    let mut tx = st.db.begin().await?;
    if st.dialect == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(4242, $1::int)")
            .bind(project)
            .execute(&mut *tx)
            .await?;
    }
    let limit = st.config.max_project_dataset_bytes.min(i64::MAX as u64) as i64;
    let row = sqlx::query(
        "INSERT INTO datasets (project_id, user_id, name, format, instrument, technique, rows_count, columns, bytes, sha256, dir, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', $11 \
         WHERE (SELECT COALESCE(SUM(bytes), 0) FROM datasets WHERE project_id = $1) + $9 <= $12 \
         RETURNING id",
    )
    .bind(project)
    .bind(c.user_id)
    .bind(name)
    .bind(fmt.name())
    .bind(&ds.meta.instrument)
    .bind(&ds.meta.technique)
    .bind(ds.rows() as i64)
    .bind(columns.join(","))
    .bind(size)
    .bind(sha)
    .bind(now())
    .bind(limit)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        let used: i64 = sqlx::query(
            "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS used FROM datasets WHERE project_id = $1",
        )
        .bind(project)
        .fetch_one(&mut *tx)
        .await?
        .i("used");
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "dataset_quota_exceeded",
            format!(
                "this dataset needs {size} bytes (original and normalised); the project keeps {used} of its {limit} bytes of datasets"
            ),
        ));
    };
    let id = row.i("id");
    let dir = dataset_dir(st, project, id);
    sqlx::query("UPDATE datasets SET dir = $1 WHERE id = $2")
        .bind(dir.display().to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    {
        let (from, to) = (staging.to_path_buf(), dir.clone());
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(to.parent().expect("has a parent"))?;
            std::fs::rename(&from, &to)
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    }
    if let Err(e) = tx.commit().await {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e.into());
    }
    Ok(id)
}

fn dataset_dir(st: &AppState, project: i64, id: i64) -> PathBuf {
    st.config
        .data_dir
        .join("projects")
        .join(project.to_string())
        .join("datasets")
        .join(id.to_string())
}

/// The dataset's row and project name, if the caller has `need` in its project (404 otherwise).
async fn access(
    st: &AppState,
    c: &Caller,
    id: i64,
    need: Role,
) -> ApiResult<(sqlx::any::AnyRow, String)> {
    let row = sqlx::query(
        "SELECT d.*, p.name AS project_name FROM datasets d JOIN projects p ON p.id = d.project_id WHERE d.id = $1",
    )
    .bind(id)
    .fetch_optional(&st.db)
    .await?
    .ok_or_else(|| ApiError::not_found("dataset"))?;
    require(st, c, row.i("project_id"), need, "dataset").await?;
    let p = row.s("project_name");
    Ok((row, p))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub project: Option<String>,
}

/// `GET /api/v1/datasets[?project=P]`: the caller's projects' datasets, newest first.
pub async fn list(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let rows = match &q.project {
        Some(p) => {
            let (id, _, _) = project_by_ref(&st, &c, &project_ref(p)).await?;
            sqlx::query("SELECT d.*, p.name AS project_name FROM datasets d JOIN projects p ON p.id = d.project_id WHERE d.project_id = $1 ORDER BY d.id DESC")
                .bind(id)
                .fetch_all(&st.db)
                .await?
        }
        None if c.is_admin => sqlx::query("SELECT d.*, p.name AS project_name FROM datasets d JOIN projects p ON p.id = d.project_id ORDER BY d.id DESC")
            .fetch_all(&st.db)
            .await?,
        None => sqlx::query("SELECT d.*, p.name AS project_name FROM datasets d JOIN projects p ON p.id = d.project_id JOIN memberships m ON m.project_id = d.project_id WHERE m.user_id = $1 ORDER BY d.id DESC")
            .bind(c.user_id)
            .fetch_all(&st.db)
            .await?,
    };
    let items: Vec<Value> = rows
        .iter()
        .map(|r| describe(r.i("id"), &r.s("project_name"), r))
        .collect();
    Ok(Json(json!({ "datasets": items })))
}

/// `GET /api/v1/datasets/{id}`.
pub async fn get(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (row, p) = access(&st, &c, id, Role::Viewer).await?;
    Ok(Json(describe(id, &p, &row)))
}

/// `GET /api/v1/datasets/{id}/original` and `/normalised.csv`: downloads.
pub async fn download(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path((id, which)): Path<(i64, String)>,
) -> ApiResult<Response> {
    let (row, _) = access(&st, &c, id, Role::Viewer).await?;
    let dir = PathBuf::from(row.s("dir"));
    let (path, name, ctype) = match which.as_str() {
        "original" => (
            dir.join("original").join(row.s("name")),
            row.s("name"),
            "application/octet-stream",
        ),
        "normalised.csv" => (
            dir.join("normalised.csv"),
            format!("{}.normalised.csv", row.s("name")),
            "text/csv; charset=utf-8",
        ),
        _ => return Err(ApiError::not_found("file")),
    };
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| ApiError::not_found("file"))?;
    let mut r = Response::new(axum::body::Body::from(bytes));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// `GET /api/v1/datasets/{id}/cycles`: the cycling analysis (capacity fade, efficiencies,
/// pulse resistances) as `galvana cycles --to x.json` writes it; 422 for data without
/// time, current and potential.
pub async fn cycles(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (row, _) = access(&st, &c, id, Role::Viewer).await?;
    let path = PathBuf::from(row.s("dir")).join("normalised.csv");
    let name = row.s("name");
    let text = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let ds = galvana_instruments::parse(&bytes, &name, Some(Format::Csv), None)
            .map_err(|e| e.to_string())?;
        use galvana_instruments::cycling::{analyse, to_json, Options, Record};
        let r = Record::from_dataset(&ds)?;
        let a = analyse(&r, &Options::default())?;
        Ok(to_json(&a))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_cycling_data", e))?;
    let mut r = Response::new(axum::body::Body::from(text));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(r)
}

/// `DELETE /api/v1/datasets/{id}` (members): the row, then the files.
pub async fn delete(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let (row, _) = access(&st, &c, id, Role::Member).await?;
    sqlx::query("DELETE FROM datasets WHERE id = $1")
        .bind(id)
        .execute(&st.db)
        .await?;
    let dir = PathBuf::from(row.s("dir"));
    let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(dir)).await;
    Ok(StatusCode::NO_CONTENT)
}
