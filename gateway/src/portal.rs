//! The web portal: one HTML shell for every `/portal/…` page and embedded assets (plain ES
//! modules and the vendored uPlot; no Node at run time, no build step). Pages call the same
//! `/api/v1` routes as any client, with the session cookie and its CSRF token.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

const SHELL: &str = include_str!("../portal/app.html");

/// `(name, content type, bytes)` of every asset.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../portal/app.js"),
    ),
    (
        "api.js",
        "text/javascript; charset=utf-8",
        include_str!("../portal/api.js"),
    ),
    (
        "jobs.js",
        "text/javascript; charset=utf-8",
        include_str!("../portal/jobs.js"),
    ),
    (
        "job.js",
        "text/javascript; charset=utf-8",
        include_str!("../portal/job.js"),
    ),
    (
        "editor.js",
        "text/javascript; charset=utf-8",
        include_str!("../portal/editor.js"),
    ),
    (
        "usage.js",
        "text/javascript; charset=utf-8",
        include_str!("../portal/usage.js"),
    ),
    (
        "datasets.js",
        "text/javascript; charset=utf-8",
        include_str!("../portal/datasets.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../portal/app.css"),
    ),
    (
        "uPlot.js",
        "text/javascript; charset=utf-8",
        include_str!("../portal/vendor/uPlot.iife.min.js"),
    ),
    (
        "uPlot.css",
        "text/css; charset=utf-8",
        include_str!("../portal/vendor/uPlot.min.css"),
    ),
];

fn secure(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    r
}

/// `GET /portal/…`: the shell; the page script renders the view for the path.
pub async fn shell() -> Response {
    let mut r = SHELL.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    secure(r)
}

pub async fn root() -> Redirect {
    Redirect::to("/portal/jobs")
}

/// `GET /assets/{name}`
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ct, body)) => {
            let mut r = (*body).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            secure(r)
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
