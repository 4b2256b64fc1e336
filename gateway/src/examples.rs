//! Example decks as templates (`GET /api/v1/examples`): the self-contained ones (generated
//! meshes), so they run from a job directory as they are.

use crate::auth::Caller;
use axum::Json;
use serde_json::{json, Value};

pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "thermal_link_cooldown",
        include_str!("../../input-decks/examples/thermal_link_cooldown.toml"),
    ),
    (
        "battery_cccv",
        include_str!("../../input-decks/examples/battery_cccv.toml"),
    ),
];

/// The first comment line of a deck: its title.
fn title(text: &str) -> String {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix('#'))
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

pub async fn list(_c: Caller) -> Json<Value> {
    let v: Vec<Value> = EXAMPLES
        .iter()
        .map(|(n, t)| json!({"name": n, "title": title(t), "deck": t}))
        .collect();
    Json(json!({ "examples": v }))
}
