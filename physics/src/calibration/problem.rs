//! What a calibration fits: named parameters with bounds and a scale (the optimiser and the
//! sampler work in the transformed space u = ln θ for `log`, u = θ for `linear`), and a model
//! that turns a parameter vector θ into a residual vector (model − data, one entry per data
//! point). Evaluations come in batches, so a runner can spread them over ranks and threads.

/// How a parameter is moved by the optimiser and what the prior is flat in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// u = θ; uniform prior on [lower, upper].
    Linear,
    /// u = ln θ (θ > 0); log-uniform prior on [lower, upper].
    Log,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "linear" => Some(Scale::Linear),
            "log" => Some(Scale::Log),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scale::Linear => "linear",
            Scale::Log => "log",
        }
    }
}

/// One fitted parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    /// SI unit ("" for none).
    pub unit: String,
    pub initial: f64,
    pub lower: f64,
    pub upper: f64,
    pub scale: Scale,
}

impl Param {
    pub fn new(name: &str, unit: &str, initial: f64, lower: f64, upper: f64, scale: Scale) -> Self {
        Param {
            name: name.into(),
            unit: unit.into(),
            initial,
            lower,
            upper,
            scale,
        }
    }

    /// θ → u.
    pub fn to_u(&self, theta: f64) -> f64 {
        match self.scale {
            Scale::Linear => theta,
            Scale::Log => theta.ln(),
        }
    }

    /// u → θ.
    pub fn from_u(&self, u: f64) -> f64 {
        match self.scale {
            Scale::Linear => u,
            Scale::Log => u.exp(),
        }
    }

    /// dθ/du at u.
    pub fn dtheta_du(&self, u: f64) -> f64 {
        match self.scale {
            Scale::Linear => 1.0,
            Scale::Log => u.exp(),
        }
    }

    /// The bounds in u.
    pub fn u_bounds(&self) -> (f64, f64) {
        (self.to_u(self.lower), self.to_u(self.upper))
    }

    /// Why the declaration is unusable, if it is (bounds out of order, initial value outside
    /// them, a log scale on a non-positive range).
    pub fn check(&self) -> Result<(), String> {
        let n = &self.name;
        if !(self.lower.is_finite() && self.upper.is_finite() && self.initial.is_finite()) {
            return Err(format!(
                "`{n}`: initial, lower and upper must be finite numbers"
            ));
        }
        if self.lower >= self.upper {
            return Err(format!(
                "`{n}`: lower = {} must be below upper = {}",
                self.lower, self.upper
            ));
        }
        if !(self.initial >= self.lower && self.initial <= self.upper) {
            return Err(format!(
                "`{n}`: initial = {} lies outside [{}, {}]",
                self.initial, self.lower, self.upper
            ));
        }
        if self.scale == Scale::Log && self.lower <= 0.0 {
            return Err(format!(
                "`{n}`: a log scale needs lower > 0, found {}",
                self.lower
            ));
        }
        Ok(())
    }
}

/// θ of all parameters from u.
pub fn theta_of(params: &[Param], u: &[f64]) -> Vec<f64> {
    params.iter().zip(u).map(|(p, &x)| p.from_u(x)).collect()
}

/// u of all parameters from θ.
pub fn u_of(params: &[Param], theta: &[f64]) -> Vec<f64> {
    params.iter().zip(theta).map(|(p, &x)| p.to_u(x)).collect()
}

/// A model whose residuals (model − data) at parameters θ are fitted.
pub trait Model: Sync {
    /// The residual vector at θ (always the same length); `Err` when the model fails there
    /// (the optimiser rejects the point, the sampler gives it zero probability).
    fn residuals(&self, theta: &[f64]) -> Result<Vec<f64>, String>;
}

/// Evaluates many parameter vectors at once (serially here; the engine spreads them over MPI
/// ranks and threads). The results must not depend on how the batch is spread.
pub trait Evaluator {
    fn eval(&mut self, thetas: &[Vec<f64>]) -> Vec<Result<Vec<f64>, String>>;
}

/// Evaluates a batch one after the other on this thread.
pub struct Serial<'a, M: Model>(pub &'a M);

impl<M: Model> Evaluator for Serial<'_, M> {
    fn eval(&mut self, thetas: &[Vec<f64>]) -> Vec<Result<Vec<f64>, String>> {
        thetas.iter().map(|t| self.0.residuals(t)).collect()
    }
}

/// A model from a closure (tests, simple fits).
pub struct FnModel<F: Fn(&[f64]) -> Result<Vec<f64>, String> + Sync>(pub F);

impl<F: Fn(&[f64]) -> Result<Vec<f64>, String> + Sync> Model for FnModel<F> {
    fn residuals(&self, theta: &[f64]) -> Result<Vec<f64>, String> {
        (self.0)(theta)
    }
}
