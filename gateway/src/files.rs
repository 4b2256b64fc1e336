//! A job's files: listing and download, confined to the job's directory.
//!
//! Paths are checked twice: lexically (relative, no `..`, no NUL) and after resolving links
//! (the canonical path must stay under the canonical job directory), so neither `../` nor a
//! symbolic link written by a run can reach other files. Responses are never rendered as HTML
//! by browsers (`nosniff`, a sandboxing CSP, no `text/html`).

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::jobs::job_access;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Component, PathBuf};
use std::sync::Arc;

const MAX_ENTRIES: usize = 10_000;

fn walk(root: &std::path::Path) -> Vec<Value> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(ft) = e.file_type() else { continue };
            let p = e.path();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                let md = e.metadata().ok();
                let rel = p.strip_prefix(root).unwrap_or(&p).display().to_string();
                if rel.starts_with(".") || rel.contains("/.") {
                    continue;
                }
                out.push(json!({
                    "path": rel,
                    "size": md.as_ref().map(|m| m.len()),
                    "modified": md
                        .and_then(|m| m.modified().ok())
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map(|d| crate::db::rfc3339(d.as_secs() as i64)),
                }));
                if out.len() >= MAX_ENTRIES {
                    return out;
                }
            }
        }
    }
    out.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    out
}

/// `GET /api/v1/jobs/{id}/files`
pub async fn list(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (_, dir, _) = job_access(&st, &c, id, Role::Viewer).await?;
    let files = tokio::task::spawn_blocking(move || walk(&dir))
        .await
        .map_err(ApiError::internal)?;
    let truncated = files.len() >= MAX_ENTRIES;
    Ok(Json(json!({"files": files, "truncated": truncated})))
}

/// The file `rel` under `dir`, or 404: never outside `dir`.
pub fn confine(dir: &std::path::Path, rel: &str) -> Option<PathBuf> {
    let p = std::path::Path::new(rel);
    if rel.is_empty()
        || rel.contains('\0')
        || !p.components().all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let root = dir.canonicalize().ok()?;
    let full = root.join(p).canonicalize().ok()?;
    (full.starts_with(&root) && full.is_file()).then_some(full)
}

fn content_type(p: &std::path::Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "jsonl" => "application/x-ndjson",
        "h5" | "hdf5" => "application/x-hdf5",
        "xdmf" | "xmf" => "application/xml",
        "png" => "image/png",
        "toml" | "out" | "txt" | "log" | "sh" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[derive(Deserialize)]
pub struct FileQuery {
    /// Only the last this many bytes (log tails).
    pub tail: Option<u64>,
    /// Ask the browser to save the file.
    pub download: Option<bool>,
}

/// `GET /api/v1/jobs/{id}/files/{*path}`
pub async fn get(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path((id, rel)): Path<(i64, String)>,
    Query(q): Query<FileQuery>,
) -> ApiResult<Response> {
    let (_, dir, _) = job_access(&st, &c, id, Role::Viewer).await?;
    let full = {
        let rel = rel.clone();
        tokio::task::spawn_blocking(move || confine(&dir, &rel))
            .await
            .map_err(ApiError::internal)?
    }
    .ok_or_else(|| ApiError::not_found("file"))?;
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let mut f = tokio::fs::File::open(&full)
        .await
        .map_err(|_| ApiError::not_found("file"))?;
    let len = f.metadata().await.map_err(ApiError::internal)?.len();
    let start = q.tail.map(|t| len.saturating_sub(t)).unwrap_or(0);
    if start > 0 {
        f.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(ApiError::internal)?;
    }
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(f.take(len - start)));
    let name = full
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file")
        .replace(['"', '\\', '\r', '\n'], "_");
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&full)),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len - start));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    let disp = if q.download.unwrap_or(false) {
        "attachment"
    } else {
        "inline"
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{disp}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    *r.status_mut() = StatusCode::OK;
    Ok(r)
}

/// `GET /api/v1/jobs/{id}/checkpoints`: every checkpoint file of the job's runs.
pub async fn checkpoints(
    State(st): State<Arc<AppState>>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (_, dir, _) = job_access(&st, &c, id, Role::Viewer).await?;
    let list = tokio::task::spawn_blocking(move || {
        walk(&dir)
            .into_iter()
            .filter(|f| {
                let p = f["path"].as_str().unwrap_or("");
                p.contains("checkpoints/") && p.ends_with(".h5")
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(ApiError::internal)?;
    Ok(Json(json!({"checkpoints": list})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confinement() {
        let d = std::env::temp_dir().join(format!("gw-confine-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("job/run")).unwrap();
        std::fs::write(d.join("job/run/monitors.csv"), "t\n").unwrap();
        std::fs::write(d.join("../secret-gw-confine"), "x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.join("job/link")).unwrap();
        assert!(confine(&d, "job/run/monitors.csv").is_some());
        for bad in [
            "../secret-gw-confine",
            "/etc/passwd",
            "job/../../secret-gw-confine",
            "job/link",
            "job",
            "",
        ] {
            assert!(confine(&d, bad).is_none(), "{bad}");
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}
