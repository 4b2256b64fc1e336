//! Hooks a physics gives the run driver: extra monitor columns, and a global scalar solved
//! together with every step (a galvanostatic electrode's potential).

/// Monitor columns a physics adds after the standard ones.
pub trait ExtraColumns {
    fn columns(&self) -> Vec<String>;
    /// Values at an accepted state at time `t`: `flows[bc * ncomp + c]` is the outflow of
    /// component c through bc (natural flux, or the reaction of essential conditions) and
    /// `integrals[c]` is ∫u_c dV. Called once per accepted state, in time order.
    fn values(&self, t: f64, flows: &[f64], integrals: &[f64]) -> Vec<f64>;
    /// As [`ExtraColumns::values`], for physics that integrate the state `u` itself (local
    /// vector, ghosts current; collective). Defaults to `values`.
    fn values_at(&self, t: f64, flows: &[f64], integrals: &[f64], u: &[f64]) -> Vec<f64> {
        let _ = u;
        self.values(t, flows, integrals)
    }
}

/// A scalar x solved with each time step so that a measured quantity meets its target:
/// mismatch(x) = target − measured(x), decreasing in x.
pub trait ScalarControl {
    /// Whether the control takes part at all (a potentiostatic electrode does not).
    fn active(&self) -> bool;
    /// A new step of size dt begins from the last accepted value.
    fn begin_step(&self, dt: f64);
    fn value(&self) -> f64;
    fn set(&self, x: f64);
    /// The tried value becomes the accepted one.
    fn accept(&self);
    /// target − measured at time t, from the outflows `flows[bc * ncomp + c]` of the solved
    /// state.
    fn mismatch(&self, t: f64, flows: &[f64]) -> f64;
    /// |mismatch| below which the step is solved.
    fn tolerance(&self, t: f64) -> f64;
    /// The admissible range of x; the run ends when the target needs x outside it.
    fn limits(&self) -> (f64, f64);
    /// What x is, for messages ("potential of electrode `we`").
    fn describe(&self) -> String;
}
