//! A racetrack coil (two straight sides joined by two half circles) as a polyline.

use super::frame::Frame;
use super::{finite3, positive, Polyline, V3};
use std::f64::consts::PI;

/// A racetrack in the plane z = centre_z: straight sides of `straight` length parallel to x at
/// y = ±`radius`, joined by half circles of `radius` centred at x = ±straight/2; current
/// counter-clockwise seen from +z, times `turns` (a filamentary coil). Each half circle is cut
/// into `arc_segments` chords whose vertices lie on the arc (the stated discretisation:
/// relative field error O((π/n)²) near the arcs). `straight = 0` gives a regular polygon of
/// 2·`arc_segments` sides inscribed in the circle.
pub fn racetrack(
    centre: V3,
    straight: f64,
    radius: f64,
    arc_segments: usize,
    current: f64,
    turns: f64,
) -> Result<Polyline, String> {
    finite3("racetrack centre", centre)?;
    let frame = Frame::new(centre, [0.0, 0.0, 1.0], [1.0, 0.0, 0.0])?;
    racetrack_in(&frame, straight, radius, arc_segments, current, turns)
}

/// The racetrack of [`racetrack`] in `frame`: the coil plane is e1–e2, the straight sides run
/// along e1, the current turns right-handed about e3.
pub fn racetrack_in(
    frame: &Frame,
    straight: f64,
    radius: f64,
    arc_segments: usize,
    current: f64,
    turns: f64,
) -> Result<Polyline, String> {
    if !(straight.is_finite() && straight >= 0.0) {
        return Err(format!(
            "racetrack straight length must be finite and >= 0, got {straight}"
        ));
    }
    let s = straight;
    let r = positive("racetrack radius", radius)?;
    let turns = positive("racetrack turns", turns)?;
    if arc_segments < 2 {
        return Err(format!(
            "racetrack needs arc_segments >= 2, got {arc_segments}"
        ));
    }
    let mut v = Vec::with_capacity(2 * arc_segments + 3);
    // Right arc from (s/2, -r) to (s/2, r), then left arc from (-s/2, r) to (-s/2, -r).
    for (xc, t0) in [(0.5 * s, -0.5 * PI), (-0.5 * s, 0.5 * PI)] {
        for i in 0..=arc_segments {
            let t = t0 + PI * i as f64 / arc_segments as f64;
            v.push(frame.to_global([xc + r * t.cos(), r * t.sin(), 0.0]));
        }
    }
    v.push(v[0]);
    Polyline::new(&v, current * turns)
}
