//! The Galvana input-deck language.

pub mod schema;
