//! Candidate pairs for the classifier: two mentions of one sentence, not overlapping, at most
//! [`MAX_GAP`] tokens apart, whose types allow a classifier predicate; with their features.

use super::classifier;
use super::features::{self, pair_features, predicate_for, SentenceView};
use crate::enrich::gazetteer::Gazetteer;
use crate::enrich::{EntityType, Mention, Sentence, Token};
use std::ops::ControlFlow;

/// Most tokens between the two mentions of a candidate pair. Four in five CoNLL04 relations have
/// fewer than ten tokens between their arguments; pairs further apart are mostly unrelated, and
/// on dev a cap of 15 raises F1 (77.7 against 76.5 without) and precision, which matters more in
/// news sentences crowded with names.
pub(crate) const MAX_GAP: usize = 15;

/// Most candidate pairs scored in one sentence. With at most [`MAX_GAP`] tokens between the two
/// mentions a pair is local, and a news sentence has a few dozen; even a list of thirty names
/// yields fewer than a thousand. More means a table or a pasted data dump, where the first
/// thousand pairs are all the classifier can usefully read.
pub(crate) const MAX_PAIRS_PER_SENTENCE: usize = 1000;

/// Calls `f(subject, object, class, features)` for every candidate pair of one sentence: two
/// mentions that do not overlap, at most [`MAX_GAP`] tokens apart, whose types allow a classifier
/// predicate. `args` holds the sentence's mentions as (index in the caller's mention slice,
/// mention, type to use).
pub(crate) fn for_each_candidate(
    text: &str,
    tokens: &[Token<'_>],
    sentence: &Sentence,
    args: &[(usize, &Mention, EntityType)],
    gaz: Option<&Gazetteer>,
    mut f: impl FnMut(usize, usize, usize, &[u64]),
) {
    let _ = candidates_while(text, tokens, sentence, args, gaz, |s, o, class, feats| {
        f(args[s].0, args[o].0, class, feats);
        ControlFlow::Continue(())
    });
}

/// [`for_each_candidate`] with `s` and `o` as positions in `args`, stopping when `f` breaks.
pub(super) fn candidates_while(
    text: &str,
    tokens: &[Token<'_>],
    sentence: &Sentence,
    args: &[(usize, &Mention, EntityType)],
    gaz: Option<&Gazetteer>,
    mut f: impl FnMut(usize, usize, usize, &[u64]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let typed: Vec<(&Mention, EntityType)> = args.iter().map(|(_, m, t)| (*m, *t)).collect();
    if typed
        .iter()
        .filter(|(_, t)| features::classifier_type(*t).is_some())
        .count()
        < 2
    {
        return ControlFlow::Continue(());
    }
    let view = SentenceView::new(tokens, sentence, &typed, gaz);
    let lines = line_numbers(text, tokens, sentence);
    let mut feats = Vec::with_capacity(96);
    let window = GapWindow::new(view.args.iter().map(|a| a.tokens.clone()));
    for (s, sa) in view.args.iter().enumerate() {
        for (o, oa) in window.near(&sa.tokens).map(|o| (o, &view.args[o])) {
            let overlap = sa.tokens.start < oa.tokens.end && oa.tokens.start < sa.tokens.end;
            let gap = (sa.tokens.start.max(oa.tokens.start))
                .saturating_sub(sa.tokens.end.min(oa.tokens.end));
            if s == o || overlap || gap > MAX_GAP {
                continue;
            }
            // A line break between the two separates table rows, list items, a dateline from
            // the story: no relation is read across it.
            let (first, second) = if sa.tokens.start <= oa.tokens.start {
                (sa, oa)
            } else {
                (oa, sa)
            };
            let line_of = |i: usize| lines.get(i).copied().unwrap_or_default();
            if line_of(first.tokens.end.saturating_sub(1)) != line_of(second.tokens.start) {
                continue;
            }
            let (Some(st), Some(ot)) = (sa.coarse, oa.coarse) else {
                continue;
            };
            let Some(class) = predicate_for(st, ot).and_then(classifier::class_index) else {
                continue;
            };
            feats.clear();
            pair_features(&view, s, o, &mut feats);
            f(s, o, class, &feats)?;
        }
    }
    ControlFlow::Continue(())
}

/// The mentions of a sentence (token ranges in reading order, sorted by start) that may lie within
/// [`MAX_GAP`] tokens of a given one, found by binary search so that a sentence with thousands of
/// mentions costs in proportion to the pairs that can be candidates, not to its mentions squared.
/// Mentions not in reading order (training data may list them any way) get every index.
struct GapWindow {
    starts: Vec<usize>,
    /// `furthest_end[i]`: the largest end among mentions `0..=i` (mentions may nest).
    furthest_end: Vec<usize>,
    sorted: bool,
}

impl GapWindow {
    fn new(ranges: impl Iterator<Item = std::ops::Range<usize>>) -> Self {
        let mut starts: Vec<usize> = Vec::new();
        let mut furthest_end = Vec::new();
        let mut far = 0;
        let mut sorted = true;
        for r in ranges {
            sorted &= starts.last().is_none_or(|&s| s <= r.start);
            starts.push(r.start);
            far = r.end.max(far);
            furthest_end.push(far);
        }
        Self {
            starts,
            furthest_end,
            sorted,
        }
    }

    /// Indexes, in order, of every mention that is not more than [`MAX_GAP`] tokens from `r`
    /// (a superset: the caller still checks the gap). One before `r` must end at most MAX_GAP
    /// tokens before it starts; one after must start at most MAX_GAP tokens after it ends.
    fn near(&self, r: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        if !self.sorted {
            return 0..self.starts.len();
        }
        let low = r.start.saturating_sub(MAX_GAP);
        let from = self.furthest_end.partition_point(|&e| e < low);
        let high = r.end.saturating_add(MAX_GAP);
        let to = self.starts.partition_point(|&s| s <= high);
        from..to.max(from)
    }
}

/// For each token of the sentence (relative index), how many line breaks come before it within
/// the sentence.
pub(super) fn line_numbers(text: &str, tokens: &[Token<'_>], sentence: &Sentence) -> Vec<u32> {
    let range = sentence.tokens.start.min(tokens.len())..sentence.tokens.end.min(tokens.len());
    let mut out = Vec::with_capacity(range.len());
    let mut line = 0;
    let mut prev_end: Option<usize> = None;
    for t in &tokens[range] {
        if let Some(end) = prev_end {
            if text
                .get(end..t.byte_start)
                .is_some_and(|gap| gap.contains('\n'))
            {
                line += 1;
            }
        }
        out.push(line);
        prev_end = Some(t.byte_start + t.text.len());
    }
    out
}

/// Mention indexes per sentence, in reading order.
pub(super) fn by_sentence(n_sentences: usize, mentions: &[Mention]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); n_sentences];
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| (mentions[i].start, mentions[i].end));
    for i in order {
        if let Some(s) = out.get_mut(mentions[i].sentence) {
            s.push(i);
        }
    }
    out
}
