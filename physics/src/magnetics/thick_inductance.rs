//! Self and mutual inductance of coaxial coils of rectangular winding section (uniform
//! current density), from the filament mutual inductance M(r₁, r₂, z₁ − z₂) integrated over
//! both sections: M₁₂ = N₁N₂/(A₁A₂) ∫∫∫∫ M dr₁ dz₁ dr₂ dz₂, and L = M of a coil with itself.
//!
//! M has a logarithmic singularity where the two filaments coincide (r₁ = r₂, z₁ = z₂), so a
//! tensor Gauss rule converges slowly there. The integral is rewritten in the differences:
//! - axially, ∫∫ f(z₁ − z₂) dz₁ dz₂ = ∫ f(u) ω(u) du with ω(u) the overlap length of the
//!   first interval and the second shifted by u (piecewise linear, so exact between its kinks);
//! - radially, (r₁, r₂) → (s = r₁ − r₂, r₂), whose r₂-range is piecewise linear in s.
//!
//! The singular line becomes the point s = u = 0. Both u and s are integrated with
//! Gauss–Legendre panels split at every kink and graded geometrically (ratio 2) towards 0;
//! in u the grading stops at the scale |s| (below it M is smooth in u). Each graded panel sees
//! the log singularity from a distance of at least its own length, where an 8-point rule
//! is accurate to about 1e-13, so the result converges to near round-off (measured in
//! `physics/tests/thick_inductance.rs`). A coil with r_in = r_out is a current sheet:
//! its radial integral is a point evaluation; likewise a coil of zero length (a flat disk)
//! axially, and a filament (a loop, for mutual inductances) in both.

use super::elliptic::ellip;
use super::inductance::sheet_solenoid;
use super::quadrature::gauss_legendre;
use super::{finite, positive};

/// A coaxial coil: `turns` turns spread uniformly over r_in ≤ r ≤ r_out, z_lo ≤ z ≤ z_hi.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoilSection {
    pub r_in: f64,
    pub r_out: f64,
    pub z_lo: f64,
    pub z_hi: f64,
    pub turns: f64,
}

impl CoilSection {
    /// A coil centred at axial position `z0`. Errors for r_in ≤ 0, r_out < r_in, length < 0,
    /// turns ≤ 0 or non-finite input; a filament loop is r_in = r_out, length 0.
    pub fn new(r_in: f64, r_out: f64, length: f64, z0: f64, turns: f64) -> Result<Self, String> {
        let r_in = positive("coil inner radius", r_in)?;
        let r_out = finite("coil outer radius", r_out)?;
        if r_out < r_in {
            return Err(format!("coil outer radius {r_out} < inner radius {r_in}"));
        }
        let length = finite("coil length", length)?;
        if length < 0.0 {
            return Err(format!("coil length must be >= 0, got {length}"));
        }
        let z0 = finite("coil centre", z0)?;
        let turns = positive("coil turns", turns)?;
        Ok(Self {
            r_in,
            r_out,
            z_lo: z0 - 0.5 * length,
            z_hi: z0 + 0.5 * length,
            turns,
        })
    }

    fn width(&self) -> f64 {
        self.r_out - self.r_in
    }

    fn length(&self) -> f64 {
        self.z_hi - self.z_lo
    }
}

/// Self-inductance (H) of a coil of rectangular section with uniform current density; an
/// error for a filament (zero width and length), whose self-inductance needs a wire size.
pub fn thick_self(mu0: f64, c: &CoilSection) -> Result<f64, String> {
    if c.width() == 0.0 && c.length() == 0.0 {
        return Err(format!(
            "a coil of zero width and length (r = {}) has no finite self-inductance",
            c.r_in
        ));
    }
    if c.width() == 0.0 {
        return sheet_solenoid(mu0, c.r_in, c.length(), c.turns);
    }
    thick_mutual(mu0, c, c)
}

/// Mutual inductance (H) of two coaxial coils of rectangular section (uniform current
/// density in each); the sections may touch or overlap (then it is the integral as written,
/// and a coil with itself gives its self-inductance).
pub fn thick_mutual(mu0: f64, a: &CoilSection, b: &CoilSection) -> Result<f64, String> {
    thick_mutual_nodes(mu0, a, b, 8)
}

/// [`thick_mutual`] with `nodes` Gauss–Legendre nodes per panel (8 is the default; more
/// nodes are for convergence studies).
pub fn thick_mutual_nodes(
    mu0: f64,
    a: &CoilSection,
    b: &CoilSection,
    nodes: usize,
) -> Result<f64, String> {
    for c in [a, b] {
        CoilSection::new(
            c.r_in,
            c.r_out,
            c.length(),
            0.5 * (c.z_lo + c.z_hi),
            c.turns,
        )?;
    }
    if a.width() == 0.0
        && a.length() == 0.0
        && a.r_in == b.r_in
        && b.width() == 0.0
        && b.length() == 0.0
        && a.z_lo == b.z_lo
    {
        return Err("coincident filaments have no finite mutual inductance".into());
    }
    let q = Quad::new(nodes);
    let (wa, wb) = (a.width(), b.width());
    let axial = |r1: f64, r2: f64| axial_integral(&q, mu0, r1, r2, a, b);
    let radial = match (wa > 0.0, wb > 0.0) {
        (true, true) => {
            // s = r1 − r2; r2 ∈ [max(b.r_in, a.r_in − s), min(b.r_out, a.r_out − s)].
            let kinks = [
                a.r_in - b.r_out,
                a.r_in - b.r_in,
                a.r_out - b.r_out,
                a.r_out - b.r_in,
            ];
            let span = kinks[3] - kinks[0];
            q.graded(&kinks, 0.0, 1e-9 * span, |s| {
                let lo = b.r_in.max(a.r_in - s);
                let hi = b.r_out.min(a.r_out - s);
                if hi <= lo {
                    return 0.0;
                }
                q.radial(lo, hi, |r2| axial(r2 + s, r2))
            }) / (wa * wb)
        }
        (true, false) => {
            q.graded(&[a.r_in, a.r_out], b.r_in, 1e-9 * wa, |r1| {
                axial(r1, b.r_in)
            }) / wa
        }
        (false, true) => {
            q.graded(&[b.r_in, b.r_out], a.r_in, 1e-9 * wb, |r2| {
                axial(a.r_in, r2)
            }) / wb
        }
        (false, false) => axial(a.r_in, b.r_in),
    };
    let per = |x: f64| if x > 0.0 { x } else { 1.0 };
    Ok(a.turns * b.turns * radial / (per(a.length()) * per(b.length())))
}

/// ∫∫ M(r1, r2, z1 − z2) dz1 dz2 over the two axial ranges, as ∫ M(u) ω(u) du; a range of
/// zero length is a point (weight 1).
fn axial_integral(q: &Quad, mu0: f64, r1: f64, r2: f64, a: &CoilSection, b: &CoilSection) -> f64 {
    let kinks = [
        a.z_lo - b.z_hi,
        a.z_lo - b.z_lo,
        a.z_hi - b.z_hi,
        a.z_hi - b.z_lo,
    ];
    let span = kinks[3] - kinks[0];
    if span == 0.0 {
        return filament_mutual(mu0, r1, r2, kinks[0]);
    }
    // Below |s| the integrand is smooth in u; for coincident radii (sheets) go to 1e-18 of the span.
    let floor = (0.5 * (r1 - r2).abs()).max(1e-18 * span);
    let thin = a.length() == 0.0 || b.length() == 0.0;
    q.graded(&kinks, 0.0, floor, |u| {
        let w = if thin {
            1.0
        } else {
            (a.z_hi.min(b.z_hi + u) - a.z_lo.max(b.z_lo + u)).max(0.0)
        };
        if w == 0.0 {
            0.0
        } else {
            w * filament_mutual(mu0, r1, r2, u)
        }
    })
}

/// Maxwell's M of two coaxial filaments (as [`super::inductance::mutual_coaxial`], without the
/// argument checks, which the callers have done).
fn filament_mutual(mu0: f64, r1: f64, r2: f64, d: f64) -> f64 {
    let b2 = (r1 + r2) * (r1 + r2) + d * d;
    let a2 = (r1 - r2) * (r1 - r2) + d * d;
    let el = ellip(4.0 * r1 * r2 / b2, a2 / b2);
    8.0 * mu0 * r1 * r1 * r2 * r2 * (el.d - el.g) / (b2 * b2.sqrt())
}

/// The Gauss–Legendre rules used here.
struct Quad {
    x: Vec<f64>,
    w: Vec<f64>,
}

/// Most geometric levels towards a singular point (2^−60 of a panel is below round-off).
const MAX_LEVELS: usize = 60;

impl Quad {
    fn new(nodes: usize) -> Self {
        let (x, w) = gauss_legendre(nodes.max(1));
        Self { x, w }
    }

    fn panel(&self, lo: f64, hi: f64, f: &mut impl FnMut(f64) -> f64) -> f64 {
        let h = 0.5 * (hi - lo);
        let mut sum = 0.0;
        for (&xi, &wi) in self.x.iter().zip(&self.w) {
            sum += wi * f(lo + h * (xi + 1.0));
        }
        h * sum
    }

    /// ∫ f over [min(kinks), max(kinks)], split at the kinks and at `p`; each piece graded
    /// geometrically towards its end nearest `p` until the panels are `floor` long or no longer
    /// than their distance from `p`.
    fn graded(&self, kinks: &[f64], p: f64, floor: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
        let mut pts: Vec<f64> = kinks.to_vec();
        let (lo, hi) = pts
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        if p > lo && p < hi {
            pts.push(p);
        }
        pts.sort_by(|x, y| x.total_cmp(y));
        pts.dedup();
        let mut sum = 0.0;
        for win in pts.windows(2) {
            let (x, y) = (win[0], win[1]);
            let len = y - x;
            if len <= 0.0 {
                continue;
            }
            // Grade towards the end nearer p.
            let (e, dir, dist) = if (x - p).abs() <= (y - p).abs() {
                (x, 1.0, (x - p).abs())
            } else {
                (y, -1.0, (y - p).abs())
            };
            let scale = dist.max(floor);
            let levels = if scale >= len {
                1
            } else {
                ((len / scale).log2().ceil() as usize + 1).min(MAX_LEVELS)
            };
            let mut far = len;
            for _ in 1..levels {
                let near = 0.5 * far;
                sum += dir * self.panel(e + dir * near, e + dir * far, &mut f);
                far = near;
            }
            sum += dir * self.panel(e, e + dir * far, &mut f);
        }
        sum
    }

    /// ∫ f over [lo, hi] (0 < lo < hi) for a smooth f: geometric panels (each end at most
    /// twice the other), since the filament inductance varies on the scale of the radius.
    fn radial(&self, lo: f64, hi: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
        let n = ((hi / lo).log2().ceil() as usize).clamp(1, 64);
        let ratio = (hi / lo).powf(1.0 / n as f64);
        let mut sum = 0.0;
        let mut a = lo;
        for i in 0..n {
            let b = if i + 1 == n { hi } else { a * ratio };
            sum += self.panel(a, b, &mut f);
            a = b;
        }
        sum
    }
}

impl super::ThickSolenoid {
    /// Self-inductance (H) of this solenoid's winding ([`thick_self`]; the current sheet when
    /// r_in = r_out).
    pub fn inductance(&self, mu0: f64) -> Result<f64, String> {
        thick_self(
            mu0,
            &CoilSection::new(self.r_in, self.r_out, self.length, 0.0, self.turns)?,
        )
    }
}
