//! The relation classifier: a linear model over hashed pair features, one weight vector per
//! predicate (the argument types pick the predicate, the model says "related or not"), with a
//! Platt sigmoid per predicate turning the margin into a calibrated probability.
//!
//! Model file (`models/relations/classifier.txt`, written by `newsenrich train relations`):
//! ```text
//! newsenrich-relations 1
//! threshold 0.45
//! platt works_for -1.23 0.45        (one line per predicate: p = 1 / (1 + exp(-(a*margin + b))))
//! service works_for 0.7             (per predicate: the stricter threshold the service uses)
//! w 00ff00ff00ff00ff 0.1234         (one line per non-zero weight: key in hex, weight)
//! ```

use super::super::{ModelError, ModelFiles, Predicate};
use rustc_hash::FxHashMap;
use std::fmt::Write as _;

/// Predicates the classifier predicts, in model-file order.
pub(crate) const CLASSES: [Predicate; 5] = [
    Predicate::WorksFor,
    Predicate::ResidesIn,
    Predicate::BasedIn,
    Predicate::LocatedIn,
    Predicate::Killed,
];

/// Path of the model file under the models directory.
pub(crate) const MODEL_FILE: &str = "relations/classifier.txt";

const MAGIC: &str = "newsenrich-relations 1";

pub(crate) fn class_index(p: Predicate) -> Option<usize> {
    CLASSES.iter().position(|&c| c == p)
}

/// Weight key of a feature for one class: the feature hash mixed with a per-class constant, so one
/// flat map holds every class's weights.
pub(crate) fn weight_key(feature: u64, class: usize) -> u64 {
    feature ^ (class as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classifier {
    pub weights: FxHashMap<u64, f32>,
    /// `(a, b)` of the Platt sigmoid per class.
    pub platt: [(f32, f32); 5],
    /// Probability from which a pair counts as related at the dev-F1-optimal operating point
    /// (the fitted threshold; the CoNLL04 benchmark decides by it alone).
    pub threshold: f32,
    /// Per-class probability from which the service reports a relation: the precision-first
    /// operating point (see `train::service_thresholds`), never below `threshold`.
    pub service: [f32; 5],
}

impl Classifier {
    /// The raw margin of `class` for a pair with these features.
    pub(crate) fn margin(&self, class: usize, features: &[u64]) -> f32 {
        features
            .iter()
            .filter_map(|&f| self.weights.get(&weight_key(f, class)))
            .sum()
    }

    /// Calibrated probability that the pair holds `class`.
    pub(crate) fn probability(&self, class: usize, margin: f32) -> f32 {
        let (a, b) = self.platt[class];
        1.0 / (1.0 + (-(a * margin + b)).exp())
    }

    pub(crate) fn from_files(files: &ModelFiles) -> Result<Self, ModelError> {
        let text = files.read_text(MODEL_FILE)?;
        Self::parse(&text).map_err(|reason| ModelError::new(files.display(MODEL_FILE), reason))
    }

    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, MAGIC)) => {}
            _ => return Err(format!("first line is not {MAGIC:?}")),
        }
        let mut model = Classifier {
            weights: FxHashMap::default(),
            platt: [(1.0, 0.0); 5],
            threshold: 0.5,
            service: [0.0; 5],
        };
        let mut service: [Option<f32>; 5] = [None; 5];
        for (n, line) in lines {
            let bad = || format!("line {}: cannot parse {line:?}", n + 1);
            let mut parts = line.split_ascii_whitespace();
            match parts.next() {
                Some("w") => {
                    let key = parts.next().and_then(|k| u64::from_str_radix(k, 16).ok());
                    let w = parts.next().and_then(|w| w.parse::<f32>().ok());
                    let (Some(key), Some(w)) = (key, w) else {
                        return Err(bad());
                    };
                    model.weights.insert(key, w);
                }
                Some("platt") => {
                    let class = parts
                        .next()
                        .and_then(|p| CLASSES.iter().position(|c| c.as_str() == p));
                    let a = parts.next().and_then(|a| a.parse::<f32>().ok());
                    let b = parts.next().and_then(|b| b.parse::<f32>().ok());
                    let (Some(class), Some(a), Some(b)) = (class, a, b) else {
                        return Err(bad());
                    };
                    model.platt[class] = (a, b);
                }
                Some("service") => {
                    let class = parts
                        .next()
                        .and_then(|p| CLASSES.iter().position(|c| c.as_str() == p));
                    let t = parts.next().and_then(|t| t.parse::<f32>().ok());
                    let (Some(class), Some(t)) = (class, t) else {
                        return Err(bad());
                    };
                    service[class] = Some(t);
                }
                Some("threshold") => {
                    model.threshold = parts
                        .next()
                        .and_then(|t| t.parse::<f32>().ok())
                        .ok_or_else(bad)?;
                }
                None => {}
                Some(c) if c.starts_with('#') => {}
                Some(_) => return Err(bad()),
            }
        }
        // A model file from before service thresholds: the service uses the fitted one.
        for (slot, t) in model.service.iter_mut().zip(service) {
            *slot = t.unwrap_or(model.threshold);
        }
        Ok(model)
    }

    /// The model file text: weights sorted by key so a rebuild gives the same bytes.
    pub(crate) fn to_text(&self, comment: &str) -> String {
        let mut out = String::with_capacity(self.weights.len() * 28 + 256);
        out.push_str(MAGIC);
        out.push('\n');
        for line in comment.lines() {
            let _ = writeln!(out, "# {line}");
        }
        let _ = writeln!(out, "threshold {}", self.threshold);
        for (class, (a, b)) in CLASSES.iter().zip(self.platt) {
            let _ = writeln!(out, "platt {} {a} {b}", class.as_str());
        }
        for (class, t) in CLASSES.iter().zip(self.service) {
            let _ = writeln!(out, "service {} {t}", class.as_str());
        }
        let mut keys: Vec<(&u64, &f32)> = self.weights.iter().collect();
        keys.sort_unstable_by_key(|(k, _)| **k);
        for (k, w) in keys {
            let _ = writeln!(out, "w {k:016x} {w}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_text_round_trips() {
        let mut weights = FxHashMap::default();
        weights.insert(weight_key(42, 0), 1.5);
        weights.insert(weight_key(42, 4), -0.25);
        let m = Classifier {
            weights,
            platt: [
                (0.5, -1.0),
                (1.0, 0.0),
                (2.0, 0.5),
                (1.0, 0.0),
                (0.75, 0.25),
            ],
            threshold: 0.4,
            service: [0.4, 0.7, 0.55, 0.4, 0.9],
        };
        let parsed = Classifier::parse(&m.to_text("trained on test data")).unwrap();
        assert_eq!(parsed, m);
        assert_eq!(parsed.margin(0, &[42, 7]), 1.5);
        assert_eq!(parsed.margin(4, &[42]), -0.25);
        assert!((parsed.probability(0, 2.0) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn rejects_a_foreign_or_broken_file() {
        assert!(Classifier::parse("hello\n").is_err());
        assert!(Classifier::parse("newsenrich-relations 1\nw zz 1\n").is_err());
        assert!(Classifier::parse("newsenrich-relations 1\nplatt nope 1 2\n").is_err());
        assert!(Classifier::parse("newsenrich-relations 1\nservice killed x\n").is_err());
    }

    #[test]
    fn service_thresholds_default_to_the_fitted_one() {
        let m = Classifier::parse("newsenrich-relations 1\nthreshold 0.45\nservice killed 0.8\n")
            .unwrap();
        assert_eq!(m.service, [0.45, 0.45, 0.45, 0.45, 0.8]);
    }
}
