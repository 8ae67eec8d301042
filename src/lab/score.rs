//! The lab's one scorer: precision, recall and F1 from counts ([`fractions`], [`percent`]), and
//! conlleval-style strict span scoring on top of them (a predicted span counts only if its
//! boundaries and type both match a gold span). Every evaluation (CoNLL-2003, CoNLL04, news) and
//! the trainers' model selection count through here.

use std::collections::BTreeMap;
use std::ops::Range;

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

/// Precision, recall and F1 as fractions (0..1) from `tp` of `predicted` and `gold`; 0 where
/// undefined. The reference news scorer's arithmetic, so `eval news` agrees with it to the digit.
pub(crate) fn fractions(tp: usize, predicted: usize, gold: usize) -> (f64, f64, f64) {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (p, r) = (ratio(tp, predicted), ratio(tp, gold));
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// [`fractions`] in percent, as conlleval prints them.
pub(crate) fn percent(tp: usize, predicted: usize, gold: usize) -> (f64, f64, f64) {
    let (p, r, f) = fractions(tp, predicted, gold);
    (100.0 * p, 100.0 * r, 100.0 * f)
}

impl Counts {
    pub(crate) fn precision(&self) -> f64 {
        percent(self.tp, self.tp + self.fp, self.tp + self.fn_).0
    }
    pub(crate) fn recall(&self) -> f64 {
        percent(self.tp, self.tp + self.fp, self.tp + self.fn_).1
    }
    pub(crate) fn f1(&self) -> f64 {
        percent(self.tp, self.tp + self.fp, self.tp + self.fn_).2
    }
}

/// Per-type counts, accumulated over documents.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scorer {
    pub by_type: BTreeMap<String, Counts>,
}

impl Scorer {
    /// Adds one document's (or sentence's) gold and predicted spans (token ranges + type).
    pub(crate) fn add(&mut self, gold: &[(Range<usize>, String)], pred: &[(Range<usize>, String)]) {
        let key = |s: &(Range<usize>, String)| (s.0.start, s.0.end, s.1.clone());
        let g: std::collections::BTreeSet<_> = gold.iter().map(key).collect();
        let p: std::collections::BTreeSet<_> = pred.iter().map(key).collect();
        for s in &p {
            let c = self.by_type.entry(s.2.clone()).or_default();
            if g.contains(s) {
                c.tp += 1;
            } else {
                c.fp += 1;
            }
        }
        for s in g.difference(&p) {
            self.by_type.entry(s.2.clone()).or_default().fn_ += 1;
        }
    }

    pub(crate) fn micro(&self) -> Counts {
        let mut t = Counts::default();
        for c in self.by_type.values() {
            t.tp += c.tp;
            t.fp += c.fp;
            t.fn_ += c.fn_;
        }
        t
    }

    /// A conlleval-like table.
    pub(crate) fn report(&self) -> String {
        let mut s = format!(
            "{:<8} {:>9} {:>9} {:>9} {:>7}\n",
            "type", "precision", "recall", "F1", "gold"
        );
        let row = |name: &str, c: &Counts| {
            format!(
                "{:<8} {:>9.2} {:>9.2} {:>9.2} {:>7}\n",
                name,
                c.precision(),
                c.recall(),
                c.f1(),
                c.tp + c.fn_
            )
        };
        for (t, c) in &self.by_type {
            s.push_str(&row(t, c));
        }
        s.push_str(&row("micro", &self.micro()));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_give_precision_recall_and_f1() {
        assert_eq!(percent(0, 0, 0), (0.0, 0.0, 0.0));
        let (p, r, f) = percent(1, 2, 4);
        assert_eq!((p, r), (50.0, 25.0));
        assert!((f - 100.0 / 3.0).abs() < 1e-9);
        let (p, r, f) = fractions(1, 2, 4);
        assert_eq!((p, r), (0.5, 0.25));
        assert!((f - 1.0 / 3.0).abs() < 1e-12);
    }

    fn spans(v: &[(usize, usize, &str)]) -> Vec<(Range<usize>, String)> {
        v.iter().map(|(a, b, t)| (*a..*b, t.to_string())).collect()
    }

    #[test]
    fn strict_matching_table() {
        // (gold, pred, tp, fp, fn)
        // (gold, pred, tp, fp, fn)
        type Spans<'a> = &'a [(usize, usize, &'a str)];
        let table: &[(Spans, Spans, usize, usize, usize)] = &[
            (&[(0, 2, "PER")], &[(0, 2, "PER")], 1, 0, 0),
            // Wrong boundary: one false positive and one miss, no partial credit.
            (&[(0, 2, "PER")], &[(0, 1, "PER")], 0, 1, 1),
            // Wrong type.
            (&[(3, 4, "LOC")], &[(3, 4, "ORG")], 0, 1, 1),
            (&[], &[(1, 2, "MISC")], 0, 1, 0),
            (&[(1, 2, "MISC")], &[], 0, 0, 1),
            (
                &[(0, 1, "LOC"), (2, 3, "LOC")],
                &[(0, 1, "LOC"), (2, 3, "LOC")],
                2,
                0,
                0,
            ),
        ];
        for (gold, pred, tp, fp, fn_) in table {
            let mut s = Scorer::default();
            s.add(&spans(gold), &spans(pred));
            let m = s.micro();
            assert_eq!(
                (m.tp, m.fp, m.fn_),
                (*tp, *fp, *fn_),
                "{gold:?} vs {pred:?}"
            );
        }
    }

    #[test]
    fn micro_f1_and_per_type_values() {
        let mut s = Scorer::default();
        s.add(
            &spans(&[(0, 1, "PER"), (2, 3, "LOC"), (4, 5, "LOC")]),
            &spans(&[(0, 1, "PER"), (2, 3, "LOC"), (6, 7, "ORG")]),
        );
        let m = s.micro();
        assert!((m.precision() - 66.666).abs() < 0.01);
        assert!((m.recall() - 66.666).abs() < 0.01);
        assert!((s.by_type["PER"].f1() - 100.0).abs() < 1e-9);
        assert_eq!(s.by_type["ORG"].f1(), 0.0);
        assert!(s.report().contains("micro"));
    }
}
