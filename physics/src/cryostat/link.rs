//! Links between two nodes of the network: heat flows from `from` to `to`.

use super::mli::MliBlanket;
use super::radiation::RadiationLink;
use super::support::Support;

/// What carries the heat.
#[derive(Clone, Debug)]
pub enum LinkKind {
    /// A fixed conductance G, W/K: Q = G (T₁ − T₂).
    Conductance(f64),
    Radiation(RadiationLink),
    Mli(MliBlanket),
    Support(Support),
}

/// A named link between node indices `from` and `to`.
#[derive(Clone, Debug)]
pub struct Link {
    pub name: String,
    pub from: usize,
    pub to: usize,
    pub kind: LinkKind,
}

impl LinkKind {
    /// (Q from the side at t1 to the side at t2, ∂Q/∂t1, ∂Q/∂t2), W and W/K.
    pub fn flow(&self, t1: f64, t2: f64) -> (f64, f64, f64) {
        match self {
            LinkKind::Conductance(g) => (g * (t1 - t2), *g, -*g),
            LinkKind::Radiation(r) => r.flow(t1, t2),
            LinkKind::Mli(m) => m.flow(t1, t2),
            LinkKind::Support(s) => s.flow(t1, t2),
        }
    }

    /// The deck type name of this link.
    pub fn type_name(&self) -> &'static str {
        match self {
            LinkKind::Conductance(_) => "conductance",
            LinkKind::Radiation(_) => "radiation_link",
            LinkKind::Mli(_) => "mli_link",
            LinkKind::Support(_) => "support",
        }
    }
}
