//! Inductance of a biot_savart deck's coils in series, when they are all coaxial on the z
//! axis: loops of round wire (`wire_radius`, uniform current) and thick solenoids (uniform
//! current density over the winding section).

use super::inductance::{loop_self, mutual_coaxial, WireCurrent};
use super::thick_inductance::{thick_mutual, thick_self, CoilSection};
use galvana_decks::Object;

enum Coaxial {
    Loop { r: f64, z: f64, wire: f64 },
    Thick(CoilSection),
}

/// Σᵢ Nᵢ² Lᵢ + Σ_{i≠j} Nᵢ Nⱼ Mᵢⱼ over the `[sources.<name>]` coils (turns signed by the axis
/// direction, ±z), or why it cannot be computed: a coil off the z axis, a loop without
/// `wire_radius`, a coil type other than `loop` and `solenoid`.
pub fn coaxial_series(mu0: f64, sources: &[(String, Object)]) -> Result<f64, String> {
    let mut coils = Vec::new();
    for (name, o) in sources {
        let kind = o.type_name.as_str();
        if kind != "loop" && kind != "solenoid" {
            return Err(format!("coil `{name}` is a {kind}, not a loop or solenoid"));
        }
        let c = o.get_f64_array("centre");
        let ax = o.get_f64_array("axis");
        if c[0] != 0.0 || c[1] != 0.0 || ax[0] != 0.0 || ax[1] != 0.0 || ax[2] == 0.0 {
            return Err(format!("coil `{name}` is not on the z axis"));
        }
        let sign = ax[2].signum();
        let turns = o.get_f64("turns") * sign;
        let coil = if kind == "loop" {
            let wire = o
                .opt_f64("wire_radius")
                .ok_or_else(|| format!("loop `{name}` has no wire_radius"))?;
            Coaxial::Loop {
                r: o.get_f64("radius"),
                z: c[2],
                wire,
            }
        } else {
            Coaxial::Thick(CoilSection::new(
                o.get_f64("r_in"),
                o.get_f64("r_out"),
                o.get_f64("length"),
                c[2],
                1.0,
            )?)
        };
        coils.push((turns, coil));
    }
    let section = |c: &Coaxial| match *c {
        Coaxial::Loop { r, z, .. } => CoilSection::new(r, r, 0.0, z, 1.0),
        Coaxial::Thick(s) => Ok(s),
    };
    let mut l = 0.0;
    for (i, (ni, ci)) in coils.iter().enumerate() {
        l += ni
            * ni
            * match *ci {
                Coaxial::Loop { r, wire, .. } => loop_self(mu0, r, wire, WireCurrent::Uniform)?,
                Coaxial::Thick(s) => thick_self(mu0, &s)?,
            };
        for (nj, cj) in &coils[i + 1..] {
            let m = match (ci, cj) {
                (Coaxial::Loop { r: r1, z: z1, .. }, Coaxial::Loop { r: r2, z: z2, .. }) => {
                    mutual_coaxial(mu0, *r1, *r2, z1 - z2)?
                }
                _ => thick_mutual(mu0, &section(ci)?, &section(cj)?)?,
            };
            l += 2.0 * ni * nj * m;
        }
    }
    Ok(l)
}
