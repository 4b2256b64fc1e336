//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`, generated from the route table
//! below (which a test holds against the router).

use serde_json::{json, Map, Value};

/// Method, path (OpenAPI form), summary, least role needed (`-` for none).
pub const ROUTES: &[(&str, &str, &str, &str)] = &[
    ("post", "/api/v1/login", "Log in with user name and password; sets the session cookie and returns the CSRF token", "-"),
    ("post", "/api/v1/logout", "End the browser session", "any"),
    ("get", "/api/v1/me", "The caller, their projects and roles, and the session's CSRF token", "any"),
    ("post", "/api/v1/check", "Check a deck as `galvana check` does, with the datasets the job would take ({project, datasets}: members); diagnostics with line and column, and its quota cost", "any"),
    ("get", "/api/v1/projects", "Projects the caller belongs to", "any"),
    ("get", "/api/v1/projects/{id}/usage", "Quota meters for a month: allowance, committed, reserved, charged, left", "viewer"),
    ("get", "/api/v1/projects/{id}/ledger", "Ledger entries (optionally one month)", "member"),
    ("get", "/api/v1/projects/{id}/statements", "Months with ledger entries", "member"),
    ("get", "/api/v1/projects/{id}/statements/{month}", "Monthly statement as JSON, or CSV with ?format=csv or a .csv suffix", "member"),
    ("get", "/api/v1/jobs", "Jobs of the caller's projects, newest first (filters: project, state, kind; paging: before, limit)", "viewer"),
    ("post", "/api/v1/jobs", "Submit a deck (or a sweep over it): checked, quota reserved, sent to the scheduler", "member"),
    ("get", "/api/v1/jobs/{id}", "A job and its campaign (segments, restarts, progress)", "viewer"),
    ("post", "/api/v1/jobs/{id}/cancel", "Cancel a job", "member"),
    ("get", "/api/v1/jobs/{id}/files", "Files of the job directory", "viewer"),
    ("get", "/api/v1/jobs/{id}/files/{path}", "Download a file of the job (?tail=BYTES for the end, ?download=true to save)", "viewer"),
    ("get", "/api/v1/jobs/{id}/residuals", "Live residual stream (Server-Sent Events; id = seq; resumable with Last-Event-ID; ends with an `end` event)", "viewer"),
    ("get", "/api/v1/jobs/{id}/residuals/history", "The residual stream so far as plot series, decimated on the server (?max_points=, ?task=), with last_seq to follow live", "viewer"),
    ("post", "/api/v1/jobs/{id}/restart", "A new job continuing from one of this job's checkpoints ({checkpoint: path})", "member"),
    ("get", "/api/v1/examples", "Example decks to start from", "any"),
    ("get", "/api/v1/jobs/{id}/checkpoints", "Checkpoint files of the job's runs", "viewer"),
    ("get", "/api/v1/campaigns", "Restart campaigns (single-deck jobs)", "viewer"),
    ("get", "/api/v1/campaigns/{id}", "A campaign: tasks, segments with actions and reasons", "viewer"),
    ("get", "/api/v1/sweeps", "Sweeps (job arrays)", "viewer"),
    ("get", "/api/v1/sweeps/{id}", "A sweep: one row per task with parameters, state and final monitors", "viewer"),
    ("get", "/api/v1/datasets", "Instrument datasets of the caller's projects, newest first (?project=)", "viewer"),
    ("post", "/api/v1/datasets", "Upload an instrument export (body: the file's bytes; ?project=&name=[&format=&map=]): parsed into the normalised dataset and stored with the original", "member"),
    ("get", "/api/v1/datasets/{id}", "A dataset: format, instrument, technique, rows, columns, size, sha256", "viewer"),
    ("get", "/api/v1/datasets/{id}/cycles", "Cycling analysis: per-cycle capacities, coulombic and energy efficiency, retention, pulse resistances", "viewer"),
    ("get", "/api/v1/datasets/{id}/files/{which}", "Download `original` (as uploaded) or `normalised.csv`", "viewer"),
    ("delete", "/api/v1/datasets/{id}", "Delete a dataset and its files", "member"),
    ("get", "/api/v1/openapi.json", "This document", "-"),
];

fn body(props: Value, required: &[&str]) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": {
        "type": "object", "properties": props, "required": required, "additionalProperties": false
    }}}})
}

fn request_body(method: &str, path: &str) -> Option<Value> {
    match (method, path) {
        ("post", "/api/v1/login") => Some(body(
            json!({"user": {"type": "string"}, "password": {"type": "string"}}),
            &["user", "password"],
        )),
        ("post", "/api/v1/jobs/{id}/restart") => Some(body(
            json!({"checkpoint": {"type": "string"}}),
            &["checkpoint"],
        )),
        ("post", "/api/v1/check") => Some(body(
            json!({
                "deck": {"type": "string", "description": "deck text (TOML)"},
                "project": {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "project the job would go to (name or id); needed with `datasets`; members only"},
                "datasets": {"type": "array", "items": {"type": "integer"}, "maxItems": 16, "description": "datasets of the project placed next to the deck, as `POST /jobs` places them, so files the deck names (a calibration's dataset) are checked"}
            }),
            &["deck"],
        )),
        ("post", "/api/v1/jobs") => Some(body(
            json!({
                "project": {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "project name or id"},
                "deck": {"type": "string", "description": "deck text (TOML)"},
                "sweep": {"type": "string", "description": "sweep file text; its `deck` key is set to this deck"},
                "name": {"type": "string"},
                "max_segments": {"type": "integer", "minimum": 1},
                "max_failures": {"type": "integer", "minimum": 1},
                "datasets": {"type": "array", "items": {"type": "integer"}, "maxItems": 16, "description": "datasets of the project placed next to the deck under their file names"}
            }),
            &["project", "deck"],
        )),
        _ => None,
    }
}

fn params(path: &str) -> Vec<Value> {
    let mut v = Vec::new();
    for seg in path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let schema = if name == "id" {
                json!({"type": "integer"})
            } else {
                json!({"type": "string"})
            };
            v.push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
        }
    }
    v
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for (method, path, summary, role) in ROUTES {
        let mut op = json!({
            "summary": summary,
            "parameters": params(path),
            "responses": {
                "200": {"description": "OK"},
                "401": {"description": "not authenticated"},
                "403": {"description": "role too low, or missing CSRF token on a browser session"},
                "404": {"description": "no such object, or it belongs to a project the caller is not in"}
            },
            "x-galvana-role": role,
        });
        if *role == "-" {
            op["security"] = json!([]);
        }
        if let Some(b) = request_body(method, path) {
            op["requestBody"] = b;
        }
        if *path == "/api/v1/jobs" && *method == "post" {
            op["responses"]["201"] = json!({"description": "submitted"});
            op["responses"]["402"] =
                json!({"description": "quota exceeded; the message says what is left"});
            op["responses"]["422"] =
                json!({"description": "invalid deck: `diagnostics` with line, col, message, help"});
            op["responses"]["502"] = json!({"description": "the scheduler refused the job"});
        }
        if *path == "/api/v1/datasets" && *method == "post" {
            op["requestBody"] = json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
            op["responses"]["201"] = json!({"description": "stored"});
            op["responses"]["413"] =
                json!({"description": "over the upload size or the project's dataset storage"});
            op["responses"]["422"] = json!({"description": "the file cannot be read: the message names the file and the line or byte offset"});
        }
        if *path == "/api/v1/datasets/{id}/cycles" {
            op["responses"]["422"] =
                json!({"description": "not cycling data (no time, current and potential)"});
        }
        if *method == "delete" {
            op["responses"]["204"] = json!({"description": "deleted"});
        }
        if path.ends_with("/residuals") {
            op["responses"]["200"] =
                json!({"description": "text/event-stream", "content": {"text/event-stream": {}}});
        }
        paths
            .entry(path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(method.to_string(), op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Galvana gateway", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Submit decks, follow jobs and their residuals, read usage and statements. Every object belongs to a project; objects of projects you are not in answer 404."},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "API token from `galvana-gateway token`"},
            "session": {"type": "apiKey", "in": "cookie", "name": "galvana_session", "description": "browser session; state-changing requests also need the X-CSRF-Token header"}
        }},
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
    })
}
