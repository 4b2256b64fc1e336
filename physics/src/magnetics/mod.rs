//! Magnetostatics of prescribed currents: Biot–Savart fields of filaments and coils.
//!
//! Sources (one file each): [`Segment`], [`Polyline`], [`CircularLoop`] (exact, complete
//! elliptic integrals), [`ThickSolenoid`] (rectangular winding cross-section, Gauss–Legendre
//! over loops, closed-form on-axis field), [`racetrack`] and [`helix`] (as polylines). Fields are
//! evaluated on structure-of-arrays point sets ([`Points`]) in chunks, over threads
//! ([`field`]); [`inductance`] has loop and solenoid inductances.
//!
//! Units are SI (m, A, T). Filaments are lines: a point inside a source's *core radius* (its wire
//! radius, or 1e-12 of its size when none is given) gets the field of a round wire with uniform
//! current, which falls linearly to zero on the line, so no point ever returns NaN or inf.
//! No MPI here: the engine distributes point sets over ranks.

pub mod circular_loop;
pub mod deck;
pub mod elliptic;
mod eval;
pub mod frame;
pub mod helix;
pub mod inductance;
mod points;
pub mod polyline;
pub mod quadrature;
pub mod racetrack;
pub mod segment;
pub mod series_inductance;
pub mod solenoid;
pub mod targets;
pub mod thick_inductance;

pub use circular_loop::CircularLoop;
pub use eval::{field, field_on, Collection, Field, FieldSource};
pub use frame::Frame;
pub use points::{linspace, Points};
pub use polyline::Polyline;
pub use segment::Segment;
pub use solenoid::ThickSolenoid;

/// Vacuum permeability, H/m, CODATA 2018 recommended value (the default). Since the 2019 SI it
/// is measured, not exactly 4π·1e-7.
pub const MU0_CODATA2018: f64 = 1.256_637_062_12e-6;
/// Vacuum permeability, H/m, CODATA 2022 (what `scipy.constants.mu_0`, hence magpylib, uses).
pub const MU0_CODATA2022: f64 = 1.256_637_061_27e-6;

/// Relative core radius used when a source has no wire radius: small enough never to matter
/// for a point that is not on the filament, large enough to keep 1/d² finite.
pub const DEFAULT_CORE: f64 = 1e-12;

pub(crate) type V3 = [f64; 3];

pub(crate) fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
pub(crate) fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
pub(crate) fn norm(a: V3) -> f64 {
    dot(a, a).sqrt()
}

/// Checks a finite 3-vector (for constructors: bad input is an error, never a panic).
pub(crate) fn finite3(what: &str, v: V3) -> Result<V3, String> {
    if v.iter().all(|c| c.is_finite()) {
        Ok(v)
    } else {
        Err(format!("{what} must be finite, got {v:?}"))
    }
}

/// Checks a finite number.
pub(crate) fn finite(what: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{what} must be finite, got {v}"))
    }
}

/// Checks a finite, strictly positive number.
pub(crate) fn positive(what: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{what} must be finite and > 0, got {v}"))
    }
}

/// Normalises a direction (error for a zero or non-finite vector).
pub(crate) fn unit(what: &str, v: V3) -> Result<V3, String> {
    let n = norm(finite3(what, v)?);
    if n > 0.0 && n.is_finite() {
        Ok([v[0] / n, v[1] / n, v[2] / n])
    } else {
        Err(format!("{what} must be a non-zero vector, got {v:?}"))
    }
}
