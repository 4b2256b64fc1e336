//! A racetrack coil (two straight sides joined by two half circles) as a polyline.

use super::{finite3, positive, Polyline, V3};
use std::f64::consts::PI;

/// A racetrack in the plane z = centre_z: straight sides of `straight` length parallel to x at
/// y = ±`radius`, joined by half circles of `radius` centred at x = ±straight/2; current
/// counter-clockwise seen from +z, times `turns` (a filamentary coil). Each half circle is cut
/// into `arc_segments` chords whose vertices lie on the arc (the stated discretisation:
/// relative field error O((π/n)²) near the arcs).
pub fn racetrack(
    centre: V3,
    straight: f64,
    radius: f64,
    arc_segments: usize,
    current: f64,
    turns: f64,
) -> Result<Polyline, String> {
    finite3("racetrack centre", centre)?;
    let s = positive("racetrack straight length", straight)?;
    let r = positive("racetrack radius", radius)?;
    let turns = positive("racetrack turns", turns)?;
    if arc_segments < 2 {
        return Err(format!(
            "racetrack needs arc_segments >= 2, got {arc_segments}"
        ));
    }
    let mut v = Vec::with_capacity(2 * arc_segments + 3);
    let [cx, cy, cz] = centre;
    // Right arc from (s/2, -r) to (s/2, r), then left arc from (-s/2, r) to (-s/2, -r).
    for (xc, t0) in [(0.5 * s, -0.5 * PI), (-0.5 * s, 0.5 * PI)] {
        for i in 0..=arc_segments {
            let t = t0 + PI * i as f64 / arc_segments as f64;
            v.push([cx + xc + r * t.cos(), cy + r * t.sin(), cz]);
        }
    }
    v.push(v[0]);
    Polyline::new(&v, current * turns)
}
