//! What an electrode is driven by: a potential program or a current. Waveforms start at t = 0.

/// An electrode's drive.
#[derive(Clone, Debug, PartialEq)]
pub enum Drive {
    /// E = `potential` for t > 0 (chronoamperometry).
    PotentialStep { potential: f64 },
    /// E = `initial` + `rate`·t, held at `final_potential` once reached (linear sweep
    /// voltammetry; `rate` is signed).
    LinearSweep {
        initial: f64,
        rate: f64,
        final_potential: Option<f64>,
    },
    /// Triangle wave from `initial` to `switching` and back at |`rate`|, `cycles` times, then
    /// held at `initial`.
    Cyclic {
        initial: f64,
        switching: f64,
        rate: f64,
        cycles: u32,
    },
    /// A constant current density (A/m², anodic positive); the potential follows.
    Galvanostatic { current_density: f64 },
}

impl Drive {
    /// The imposed potential at t, or `None` when the current is imposed.
    pub fn potential(&self, t: f64) -> Option<f64> {
        let t = t.max(0.0);
        match *self {
            Drive::PotentialStep { potential } => Some(potential),
            Drive::LinearSweep {
                initial,
                rate,
                final_potential,
            } => {
                let e = initial + rate * t;
                Some(match final_potential {
                    Some(f) if (rate > 0.0 && e > f) || (rate < 0.0 && e < f) => f,
                    _ => e,
                })
            }
            Drive::Cyclic {
                initial,
                switching,
                rate,
                cycles,
            } => {
                let half = (switching - initial).abs() / rate;
                if t >= 2.0 * half * cycles as f64 {
                    return Some(initial);
                }
                let phase = t % (2.0 * half);
                let s = (switching - initial).signum();
                Some(if phase <= half {
                    initial + s * rate * phase
                } else {
                    switching - s * rate * (phase - half)
                })
            }
            Drive::Galvanostatic { .. } => None,
        }
    }

    /// dE/dt of the potential program at t (0 for a step after t = 0 and for current drives).
    pub fn potential_rate(&self, t: f64) -> f64 {
        match *self {
            Drive::PotentialStep { .. } | Drive::Galvanostatic { .. } => 0.0,
            Drive::LinearSweep {
                initial,
                rate,
                final_potential,
            } => match final_potential {
                Some(f) if ((f - initial) / rate) <= t => 0.0,
                _ => rate,
            },
            Drive::Cyclic {
                initial,
                switching,
                rate,
                cycles,
            } => {
                let half = (switching - initial).abs() / rate;
                if t >= 2.0 * half * cycles as f64 {
                    return 0.0;
                }
                let s = (switching - initial).signum();
                if t % (2.0 * half) < half {
                    s * rate
                } else {
                    -s * rate
                }
            }
        }
    }

    /// The imposed current density, A/m², when the drive is a current.
    pub fn current_density(&self) -> Option<f64> {
        match *self {
            Drive::Galvanostatic { current_density } => Some(current_density),
            _ => None,
        }
    }

    /// How long the program lasts (CV and bounded sweeps), s.
    pub fn duration(&self) -> Option<f64> {
        match *self {
            Drive::Cyclic {
                initial,
                switching,
                rate,
                cycles,
            } => Some(2.0 * (switching - initial).abs() / rate * cycles as f64),
            Drive::LinearSweep {
                initial,
                rate,
                final_potential: Some(f),
            } => Some((f - initial) / rate),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclic_waveform_turns_at_the_switching_potential() {
        let d = Drive::Cyclic {
            initial: 0.3,
            switching: -0.2,
            rate: 0.1,
            cycles: 2,
        };
        assert!((d.potential(0.0).unwrap() - 0.3).abs() < 1e-15);
        assert!((d.potential(2.5).unwrap() - 0.05).abs() < 1e-12);
        assert!((d.potential(5.0).unwrap() + 0.2).abs() < 1e-12);
        assert!((d.potential(7.5).unwrap() - 0.05).abs() < 1e-12);
        assert!((d.potential(12.5).unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(d.potential_rate(1.0), -0.1);
        assert_eq!(d.potential_rate(6.0), 0.1);
        assert_eq!(d.duration(), Some(20.0));
        assert!((d.potential(25.0).unwrap() - 0.3).abs() < 1e-15);
        assert_eq!(d.potential_rate(25.0), 0.0);
    }

    #[test]
    fn linear_sweep_holds_at_its_final_potential() {
        let d = Drive::LinearSweep {
            initial: 0.0,
            rate: -0.05,
            final_potential: Some(-0.5),
        };
        assert!((d.potential(4.0).unwrap() + 0.2).abs() < 1e-15);
        assert_eq!(d.potential(20.0), Some(-0.5));
        assert_eq!(d.potential_rate(4.0), -0.05);
        assert_eq!(d.potential_rate(11.0), 0.0);
    }
}
