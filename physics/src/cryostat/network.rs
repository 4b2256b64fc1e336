//! The network: node 0 is the surroundings at a fixed temperature, nodes 1..=B the bodies,
//! then one massless node per cooler stage that sits behind a contact conductance. The
//! unknowns are the temperatures of every node but the surroundings.

use super::body::Body;
use super::cooler::Stage;
use super::link::Link;

/// A fixed heat load (current leads, wiring, ...) on a body node.
#[derive(Clone, Debug)]
pub struct Load {
    pub name: String,
    pub node: usize,
    /// W.
    pub power: f64,
}

/// A cooler stage and where it acts.
#[derive(Clone, Debug)]
pub struct StageAt {
    pub stage: Stage,
    /// The body it cools.
    pub body: usize,
    /// The node at the stage temperature: `body`, or the stage's own massless node.
    pub node: usize,
}

/// What a node is.
#[derive(Clone, Debug)]
pub enum Node {
    /// The surroundings (vacuum vessel), K.
    Fixed(f64),
    Body(Body),
    /// The cold head of the stage with this index in `Network::stages`.
    Stage(usize),
}

/// Bodies, links, loads and stages.
#[derive(Clone, Debug)]
pub struct Network {
    pub nodes: Vec<(String, Node)>,
    pub links: Vec<Link>,
    pub loads: Vec<Load>,
    pub stages: Vec<StageAt>,
}

/// Net heat into every unknown node and its Jacobian with respect to the unknowns.
pub struct Balance {
    pub net: Vec<f64>,
    /// Row-major n × n, ∂net_i/∂T_j.
    pub jac: Vec<f64>,
}

impl Network {
    /// A network with only the surroundings at `ambient` K.
    pub fn new(ambient: f64) -> Self {
        Self {
            nodes: vec![(super::AMBIENT.into(), Node::Fixed(ambient))],
            links: Vec::new(),
            loads: Vec::new(),
            stages: Vec::new(),
        }
    }

    /// Adds a body; returns its node index.
    pub fn add_body(&mut self, body: Body) -> usize {
        self.nodes.push((body.name.clone(), Node::Body(body)));
        self.nodes.len() - 1
    }

    /// Attaches `stage` to the body at node `body` (a massless node is added when the stage
    /// has a contact conductance).
    pub fn add_stage(&mut self, stage: Stage, body: usize) {
        let node = if stage.contact_conductance.is_some() {
            self.nodes.push((
                format!("{}_coldhead", stage.name),
                Node::Stage(self.stages.len()),
            ));
            self.nodes.len() - 1
        } else {
            body
        };
        self.stages.push(StageAt { stage, body, node });
    }

    /// Number of unknowns (all nodes but the surroundings).
    pub fn unknowns(&self) -> usize {
        self.nodes.len() - 1
    }

    /// The surroundings' temperature.
    pub fn ambient(&self) -> f64 {
        match self.nodes[0].1 {
            Node::Fixed(t) => t,
            _ => unreachable!("node 0 is the surroundings"),
        }
    }

    /// Node temperatures from the unknowns.
    pub fn temperatures(&self, x: &[f64]) -> Vec<f64> {
        std::iter::once(self.ambient())
            .chain(x.iter().copied())
            .collect()
    }

    /// The body at node `i`, if it is one.
    pub fn body(&self, i: usize) -> Option<&Body> {
        match &self.nodes[i].1 {
            Node::Body(b) => Some(b),
            _ => None,
        }
    }

    /// Heat flow of every link (from → to), W, at node temperatures `t`.
    pub fn link_flows(&self, t: &[f64]) -> Vec<f64> {
        self.links
            .iter()
            .map(|l| l.kind.flow(t[l.from], t[l.to]).0)
            .collect()
    }

    /// Cooling power of every stage, W, at node temperatures `t`.
    pub fn stage_powers(&self, t: &[f64]) -> Vec<f64> {
        self.stages
            .iter()
            .map(|s| s.stage.power(t[s.node]).0)
            .collect()
    }

    /// Heat entering the bodies from outside the network (links from the surroundings and the
    /// fixed loads), W.
    pub fn heat_in(&self, t: &[f64]) -> f64 {
        let links: f64 = self
            .links
            .iter()
            .map(|l| {
                let q = l.kind.flow(t[l.from], t[l.to]).0;
                f64::from(l.from == 0 && l.to != 0) * q - f64::from(l.to == 0 && l.from != 0) * q
            })
            .sum();
        links + self.loads.iter().map(|l| l.power).sum::<f64>()
    }

    /// Net heat into each unknown node (index i − 1 for node i) and its Jacobian.
    pub fn balance(&self, t: &[f64]) -> Balance {
        let n = self.unknowns();
        let mut net = vec![0.0; n];
        let mut jac = vec![0.0; n * n];
        // ∂/∂T of node `a` (no column for the surroundings).
        let mut add = |row: usize, val: f64, d: &[(usize, f64)]| {
            if row == 0 {
                return;
            }
            net[row - 1] += val;
            for &(col, dv) in d {
                if col > 0 {
                    jac[(row - 1) * n + col - 1] += dv;
                }
            }
        };
        for l in &self.links {
            let (q, d1, d2) = l.kind.flow(t[l.from], t[l.to]);
            add(l.to, q, &[(l.from, d1), (l.to, d2)]);
            add(l.from, -q, &[(l.from, -d1), (l.to, -d2)]);
        }
        for ld in &self.loads {
            add(ld.node, ld.power, &[]);
        }
        for s in &self.stages {
            if let Some(g) = s.stage.contact_conductance {
                let q = g * (t[s.body] - t[s.node]);
                add(s.node, q, &[(s.body, g), (s.node, -g)]);
                add(s.body, -q, &[(s.body, -g), (s.node, g)]);
            }
            let (p, dp) = s.stage.power(t[s.node]);
            add(s.node, -p, &[(s.node, -dp)]);
        }
        Balance { net, jac }
    }
}

/// Solves the dense system `a x = b` (row-major n × n) by Gaussian elimination with partial
/// pivoting; `None` if it is singular.
pub fn solve_dense(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))?;
        if a[p * n + c] == 0.0 || !a[p * n + c].is_finite() {
            return None;
        }
        if p != c {
            for k in 0..n {
                a.swap(p * n + k, c * n + k);
            }
            b.swap(p, c);
        }
        for r in c + 1..n {
            let f = a[r * n + c] / a[c * n + c];
            if f != 0.0 {
                for k in c..n {
                    a[r * n + k] -= f * a[c * n + k];
                }
                b[r] -= f * b[c];
            }
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r * n + k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r * n + r];
    }
    Some(x)
}
