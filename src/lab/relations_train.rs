//! Training of the relation classifier: an averaged perceptron per predicate, the epoch count
//! picked on the dev set, then a Platt sigmoid per predicate and one probability threshold fitted
//! on dev. Deterministic: a fixed-seed shuffle, no clock, no threads.

use crate::enrich::relations::classifier::{weight_key, Classifier, CLASSES};
use rustc_hash::FxHashMap;

/// One candidate pair: the predicate its types allow, its features, whether it holds.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub class: usize,
    pub features: Vec<u64>,
    pub positive: bool,
}

/// What training found, for the log and the model-file comment.
#[derive(Debug, Clone)]
pub(crate) struct TrainReport {
    pub epochs: usize,
    /// Dev micro F1 (pairs) of the chosen epoch before calibration.
    pub dev_f1_raw: f64,
    /// Dev micro F1 (pairs) with the calibrated probability threshold.
    pub dev_f1: f64,
}

struct Averaged {
    /// key -> (current weight, sum of weights over time until `last`, time of last change)
    w: FxHashMap<u64, (f64, f64, u64)>,
    t: u64,
}

impl Averaged {
    fn score(&self, class: usize, features: &[u64]) -> f64 {
        features
            .iter()
            .filter_map(|&f| self.w.get(&weight_key(f, class)).map(|e| e.0))
            .sum()
    }

    fn update(&mut self, class: usize, features: &[u64], delta: f64) {
        for &f in features {
            let e = self.w.entry(weight_key(f, class)).or_insert((0.0, 0.0, 0));
            e.1 += e.0 * (self.t - e.2) as f64;
            e.2 = self.t;
            e.0 += delta;
        }
    }

    /// The averaged weights at the current time, small ones dropped (they do not change a decision
    /// and would only bloat the model file).
    fn snapshot(&self) -> FxHashMap<u64, f32> {
        let t = self.t.max(1) as f64;
        self.w
            .iter()
            .filter_map(|(&k, &(w, sum, last))| {
                let avg = (sum + w * (self.t - last) as f64) / t;
                let rounded = (avg * 10_000.0).round() / 10_000.0;
                (rounded != 0.0).then_some((k, rounded as f32))
            })
            .collect()
    }
}

fn f1_at(model: &Classifier, dev: &[Example], threshold: Option<f32>) -> f64 {
    let (mut tp, mut pred, mut gold) = (0, 0, 0);
    for ex in dev {
        let m = model.margin(ex.class, &ex.features);
        let yes = match threshold {
            None => m > 0.0,
            Some(t) => model.probability(ex.class, m) >= t,
        };
        pred += usize::from(yes);
        gold += usize::from(ex.positive);
        tp += usize::from(yes && ex.positive);
    }
    super::score::percent(tp, pred, gold).2
}

/// Dev precision a service threshold must reach per predicate: news readers want no relation
/// the article does not state, and news has many more candidate pairs per sentence than CoNLL04,
/// so the service works well above the F1-optimal point.
pub(crate) const SERVICE_PRECISION: f64 = 0.9;

/// Fewest dev predictions a precision estimate for a threshold may rest on.
const MIN_PREDICTED: usize = 10;

/// Per class, the lowest threshold from the tuned one up (steps of 0.05, at most 0.95) at which
/// dev precision reaches [`SERVICE_PRECISION`] with at least [`MIN_PREDICTED`] predictions; 0.95
/// when none does.
pub(crate) fn service_thresholds(model: &Classifier, dev: &[Example]) -> [f32; 5] {
    let mut out = [0.95f32; 5];
    for (c, slot) in out.iter_mut().enumerate() {
        let probs: Vec<(f32, bool)> = dev
            .iter()
            .filter(|e| e.class == c)
            .map(|e| {
                (
                    model.probability(c, model.margin(c, &e.features)),
                    e.positive,
                )
            })
            .collect();
        let first = (model.threshold * 20.0).round() as usize;
        for step in first..=19 {
            let t = step as f32 * 0.05;
            let (tp, pred) = probs
                .iter()
                .filter(|(p, _)| *p >= t)
                .fold((0, 0), |(tp, n), (_, pos)| (tp + usize::from(*pos), n + 1));
            if pred >= MIN_PREDICTED && tp as f64 >= SERVICE_PRECISION * pred as f64 {
                *slot = (t * 100.0).round() / 100.0;
                break;
            }
        }
    }
    out
}

fn log_loss(margins: &[(f64, bool)], a: f64, b: f64, t_pos: f64, t_neg: f64) -> f64 {
    margins
        .iter()
        .map(|&(m, y)| {
            let z = a * m + b;
            let t = if y { t_pos } else { t_neg };
            // log(1 + e^z) - t*z, written to stay finite for large |z|
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            softplus - t * z
        })
        .sum()
}

/// Platt scaling: Newton's method with a backtracking line search on the log loss, Platt's
/// smoothed targets, margins standardised first so the problem is well conditioned.
fn fit_platt(raw: &[(f64, bool)]) -> (f32, f32) {
    let pos = raw.iter().filter(|m| m.1).count() as f64;
    let neg = raw.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return (1.0, 0.0);
    }
    let n = raw.len() as f64;
    let mean = raw.iter().map(|m| m.0).sum::<f64>() / n;
    let sd = (raw.iter().map(|m| (m.0 - mean).powi(2)).sum::<f64>() / n)
        .sqrt()
        .max(1e-6);
    let margins: Vec<(f64, bool)> = raw.iter().map(|&(m, y)| (m / sd, y)).collect();
    let (t_pos, t_neg) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
    let (mut a, mut b) = (1.0f64, 0.0f64);
    let mut loss = log_loss(&margins, a, b, t_pos, t_neg);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
        for &(m, y) in &margins {
            let p = 1.0 / (1.0 + (-(a * m + b)).exp());
            let t = if y { t_pos } else { t_neg };
            let d = p - t;
            let s = (p * (1.0 - p)).max(1e-12);
            ga += d * m;
            gb += d;
            haa += s * m * m;
            hab += s * m;
            hbb += s;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-15 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        let mut step = 1.0;
        let mut improved = false;
        while step > 1e-6 {
            let (na, nb) = (a - step * da, b - step * db);
            let nl = log_loss(&margins, na, nb, t_pos, t_neg);
            if nl < loss {
                (a, b, loss) = (na, nb, nl);
                improved = true;
                break;
            }
            step /= 2.0;
        }
        if !improved || (step * da).abs() + (step * db).abs() < 1e-9 {
            break;
        }
    }
    ((a / sd) as f32, b as f32)
}

/// How many perceptrons, each on its own shuffle of the data, are averaged into the model: one
/// perceptron's result depends noticeably on the example order; the mean of a few does not.
pub(crate) const ENSEMBLE: usize = 5;

fn shuffle(order: &mut [usize], rng: &mut u64) {
    // Fisher-Yates with xorshift64: the same order on every run.
    for i in (1..order.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        order.swap(i, (*rng % (i as u64 + 1)) as usize);
    }
}

/// The mean of the members' averaged weights.
fn mean_snapshot_of(members: &[(Averaged, Vec<usize>, u64)]) -> FxHashMap<u64, f32> {
    let mut sum: FxHashMap<u64, f64> = FxHashMap::default();
    for (m, _, _) in members {
        for (k, w) in m.snapshot() {
            *sum.entry(k).or_default() += f64::from(w);
        }
    }
    let n = members.len().max(1) as f64;
    sum.into_iter()
        .filter_map(|(k, w)| {
            let rounded = (w / n * 10_000.0).round() / 10_000.0;
            (rounded != 0.0).then_some((k, rounded as f32))
        })
        .collect()
}

/// Trains on `train`, picks the epoch count (1..=max_epochs) with the best dev F1, then calibrates.
pub(crate) fn train(
    train: &[Example],
    dev: &[Example],
    max_epochs: usize,
) -> (Classifier, TrainReport) {
    let mut members: Vec<(Averaged, Vec<usize>, u64)> = (0..ENSEMBLE as u64)
        .map(|seed| {
            let model = Averaged {
                w: FxHashMap::default(),
                t: 0,
            };
            let rng = 0x2545_f491_4f6c_dd1d ^ (seed + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            (model, (0..train.len()).collect(), rng)
        })
        .collect();
    let mut best: Option<(f64, usize, FxHashMap<u64, f32>)> = None;
    for epoch in 1..=max_epochs.max(1) {
        for (model, order, rng) in &mut members {
            shuffle(order, rng);
            for &i in order.iter() {
                let ex = &train[i];
                model.t += 1;
                let s = model.score(ex.class, &ex.features);
                if (s > 0.0) != ex.positive {
                    model.update(ex.class, &ex.features, if ex.positive { 1.0 } else { -1.0 });
                }
            }
        }
        let snapshot = Classifier {
            weights: mean_snapshot_of(&members),
            platt: [(1.0, 0.0); 5],
            threshold: 0.5,
            service: [0.5; 5],
        };
        let f1 = f1_at(&snapshot, dev, None);
        if best.as_ref().is_none_or(|b| f1 > b.0) {
            best = Some((f1, epoch, snapshot.weights));
        }
    }
    let (dev_f1_raw, epochs, weights) = best.unwrap_or_default();
    let (clf, dev_f1) = calibrate(weights, dev);
    (
        clf,
        TrainReport {
            epochs,
            dev_f1_raw,
            dev_f1,
        },
    )
}

/// A classifier from raw weights: a Platt sigmoid per predicate fitted on dev, the tuned
/// threshold and the service thresholds. Returns it with its dev pair F1 at the tuned threshold.
pub(crate) fn calibrate(weights: FxHashMap<u64, f32>, dev: &[Example]) -> (Classifier, f64) {
    let mut clf = Classifier {
        weights,
        platt: [(1.0, 0.0); 5],
        threshold: 0.5,
        service: [0.5; 5],
    };
    for c in 0..CLASSES.len() {
        let margins: Vec<(f64, bool)> = dev
            .iter()
            .filter(|e| e.class == c)
            .map(|e| (f64::from(clf.margin(c, &e.features)), e.positive))
            .collect();
        clf.platt[c] = fit_platt(&margins);
    }
    // One threshold for all predicates, chosen for dev micro F1 from 0.5 up: a relation is only
    // reported when the calibrated probability says it is more likely true than not (news text
    // has more candidate pairs per sentence than CoNLL04, so recall-leaning thresholds cost more
    // precision there). Ties go to the one nearest 0.5.
    let mut best_t = (f64::MIN, 0.5f32);
    for step in 10..20 {
        let t = step as f32 * 0.05;
        let f = f1_at(&clf, dev, Some(t));
        let closer = (t - 0.5).abs() < (best_t.1 - 0.5).abs();
        if f > best_t.0 + 1e-9 || ((f - best_t.0).abs() <= 1e-9 && closer) {
            best_t = (f, t);
        }
    }
    clf.threshold = (best_t.1 * 100.0).round() / 100.0;
    clf.service = service_thresholds(&clf, dev);
    let dev_f1 = f1_at(&clf, dev, Some(clf.threshold));
    (clf, dev_f1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs with feature 1 ("killed" between) hold; pairs with feature 2 do not.
    fn toy(n: usize) -> Vec<Example> {
        (0..n)
            .map(|i| Example {
                class: 4,
                features: vec![0, if i % 2 == 0 { 1 } else { 2 }],
                positive: i % 2 == 0,
            })
            .collect()
    }

    #[test]
    fn learns_a_separable_signal_and_calibrates_it() {
        let (clf, report) = train(&toy(40), &toy(20), 5);
        assert!(report.dev_f1 > 99.0, "{report:?}");
        let yes = clf.probability(4, clf.margin(4, &[0, 1]));
        let no = clf.probability(4, clf.margin(4, &[0, 2]));
        assert!(yes > 0.8 && no < 0.2, "{yes} {no}");
        // Deterministic: a second run gives the same model.
        assert_eq!(train(&toy(40), &toy(20), 5).0, clf);
    }
}
