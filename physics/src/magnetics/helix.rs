//! A helical coil as a fine polyline.

use super::frame::Frame;
use super::{finite3, positive, Polyline, V3};
use std::f64::consts::PI;

/// A right-handed helix about +z through `centre`: `turns` turns of `radius` over `length`,
/// each turn cut into `segments_per_turn` straight segments (the stated discretisation: the
/// polygon's field differs from the smooth helix's by O((2π/n)²) relative near the wire and
/// much less far from it). Vertices at t_i = i·2π·turns/n_seg (numpy-linspace convention):
/// (R cos t, R sin t, −ℓ/2 + ℓ t/t_max), as magpylib's reference helix.
pub fn helix(
    centre: V3,
    radius: f64,
    length: f64,
    turns: usize,
    segments_per_turn: usize,
    current: f64,
) -> Result<Polyline, String> {
    finite3("helix centre", centre)?;
    if turns == 0 {
        return Err("helix needs turns >= 1, got 0".into());
    }
    let frame = Frame::new(centre, [0.0, 0.0, 1.0], [1.0, 0.0, 0.0])?;
    helix_in(
        &frame,
        radius,
        length,
        turns as f64,
        segments_per_turn,
        current,
    )
}

/// The helix of [`helix`] in `frame` (axis e3, first vertex at radius·e1, winding right-handed
/// about e3), with a possibly fractional number of turns: ⌈turns·segments_per_turn⌉ equal
/// segments in the angle.
pub fn helix_in(
    frame: &Frame,
    radius: f64,
    length: f64,
    turns: f64,
    segments_per_turn: usize,
    current: f64,
) -> Result<Polyline, String> {
    let r = positive("helix radius", radius)?;
    let l = positive("helix length", length)?;
    let turns = positive("helix turns", turns)?;
    if segments_per_turn < 3 {
        return Err(format!(
            "helix needs segments_per_turn >= 3, got {segments_per_turn}"
        ));
    }
    // The tolerance keeps 100 × 100 from becoming 10,001 segments through rounding.
    let nseg = ((turns * segments_per_turn as f64) - 1e-9).ceil().max(1.0) as usize;
    let tmax = 2.0 * PI * turns;
    let t = super::linspace(0.0, tmax, nseg + 1);
    let v: Vec<V3> = t
        .iter()
        .map(|&t| frame.to_global([r * t.cos(), r * t.sin(), -l / 2.0 + l * t / tmax]))
        .collect();
    Polyline::new(&v, current)
}
