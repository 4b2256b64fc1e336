//! A deck registry without the engine (which links MPI): the physics crate's objects plus the
//! mesh object declarations.
//!
//! The mesh declarations come from `galvana_decks::mesh_types`, which the engine uses too;
//! `tests/local_e2e.rs` still compares the result with `galvana docs` of the real binary.

use galvana_decks::schema::Registry;
use galvana_decks::Deck;
use std::path::Path;

/// The mesh object declarations, shared with the engine through the deck crate.
pub fn register_mesh(reg: &mut Registry) {
    galvana_decks::mesh_types::register(reg);
}

/// Every object type the engine knows: mesh types plus the physics crate's.
pub fn registry() -> Registry {
    let mut reg = Registry::default();
    register_mesh(&mut reg);
    galvana_physics::register(&mut reg);
    reg
}

/// Load and check a deck (everything `galvana check` checks except mesh names, which need the
/// mesh). Errors come back as `path:line:col: error: …` lines.
pub fn load_deck(path: &Path) -> crate::Result<Deck> {
    Deck::load(path, &registry()).map_err(|diags| {
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        crate::Error::Invalid(lines.join("\n"))
    })
}

/// Check deck text (as [`load_deck`]); `path` is only used in messages.
pub fn parse_deck(path: &str, text: &str) -> crate::Result<Deck> {
    Deck::parse(path, text, &registry()).map_err(|diags| {
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        crate::Error::Invalid(lines.join("\n"))
    })
}
