//! A helical coil as a fine polyline.

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
    let r = positive("helix radius", radius)?;
    let l = positive("helix length", length)?;
    if turns == 0 || segments_per_turn < 3 {
        return Err(format!(
            "helix needs turns >= 1 and segments_per_turn >= 3, got {turns} and {segments_per_turn}"
        ));
    }
    let nseg = turns * segments_per_turn;
    let tmax = 2.0 * PI * turns as f64;
    let t = super::linspace(0.0, tmax, nseg + 1);
    let v: Vec<V3> = t
        .iter()
        .map(|&t| {
            [
                centre[0] + r * t.cos(),
                centre[1] + r * t.sin(),
                centre[2] + (-l / 2.0 + l * t / tmax),
            ]
        })
        .collect();
    Polyline::new(&v, current)
}
