//! Relation extraction: typed, directed relations between the entities of one article.
//!
//! Two sources, merged per article:
//! - [`classifier`]: a linear model over mention pairs in one sentence, trained on CoNLL04, for
//!   `works_for`, `resides_in`, `based_in`, `located_in`, `killed`, with calibrated confidence;
//! - [`patterns`]: precise hand-written patterns for `leader_of` (with `role`), `citizen_of`,
//!   `met_with` and `predecessor_of`.
//!
//! Relations are between entities: one per (subject, predicate, object), the most confident
//! reading kept; `met_with` is symmetric and emitted once, with the earlier-mentioned entity as
//! subject. Where a pattern relates two entities, a classifier guess about the same two entities
//! is dropped (the pattern is the more specific reading: "Apple CEO Tim Cook" is `leader_of`, not
//! also `works_for`). A `located_in` with a country as subject and a country, state or city as
//! object is dropped: a country is never inside one.

pub(crate) mod classifier;
pub(crate) mod evidence;
pub(crate) mod features;
pub(crate) mod patterns;

use super::entities::{Resolved, ISO3166};
use super::gazetteer::{is_us_state_abbreviation, Gazetteer};
use super::{
    Deadline, Degradation, EntityType, Mention, ModelError, Predicate, Relation, Sentence, Span,
    Token,
};
use classifier::Classifier;
use features::{pair_features, predicate_for, SentenceView};
use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

pub(crate) struct RelationModel {
    classifier: Classifier,
    rule: DecisionRule,
    /// Place facts for the features (see [`features::Place`]); without it those features are
    /// off, as in unit tests.
    gazetteer: Option<Arc<Gazetteer>>,
}

/// Which classifier readings count as relations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DecisionRule {
    /// Probability from which a pair counts as related, per predicate (in the classifier's class
    /// order, [`classifier::CLASSES`]).
    pub thresholds: [f32; 5],
    /// Report only what the wording states: `resides_in` and `based_in` only with a stating
    /// phrase, no person or organisation relation from a table row (see [`evidence`]).
    pub require_evidence: bool,
}

impl DecisionRule {
    /// What the service reports: the classifier's per-predicate precision-first thresholds,
    /// with the evidence checks.
    pub(crate) fn service(classifier: &Classifier) -> Self {
        Self {
            thresholds: classifier.service,
            require_evidence: true,
        }
    }

    /// One threshold for every predicate and no evidence check: the bare classifier.
    pub(crate) fn bare(threshold: f32) -> Self {
        Self {
            thresholds: [threshold; 5],
            require_evidence: false,
        }
    }
}

/// A relation between two mentions (indexes into the mention slice), as the classifier reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MentionRelation {
    pub subject: usize,
    pub object: usize,
    pub predicate: Predicate,
    pub confidence: f32,
}

/// A relation between two entities (indexes into `Resolved::entities`) before ids are written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub subject: usize,
    pub predicate: Predicate,
    pub object: usize,
    pub role: Option<String>,
    pub confidence: f32,
    pub evidence: Span,
}

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

/// Candidate pairs scored between two looks at the clock (a look costs about as much as scoring a
/// pair; a few hundred pairs take well under a millisecond).
const CLOCK_EVERY: usize = 256;

/// Limits on relation extraction for one article (from the article's [`crate::enrich::Budget`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Candidate pairs scored in the whole article.
    pub max_pairs: usize,
    pub deadline: Deadline,
}

impl Limits {
    pub(crate) fn none() -> Self {
        Self {
            max_pairs: usize::MAX,
            deadline: Deadline::never(),
        }
    }
}

/// The relations of one article and how their extraction was cut short, if it was.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Extracted {
    pub relations: Vec<Relation>,
    pub degraded: Vec<Degradation>,
}

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
fn candidates_while(
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
        .filter(|(_, t)| features::Coarse::of(*t).is_some())
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

/// Verbs of travel: between a person and a place they say the person went there, not that they
/// live there ("Trump left Canada early", "the minister visited Seoul").
const TRAVEL: [&str; 20] = [
    "left",
    "leaves",
    "leaving",
    "visited",
    "visit",
    "visits",
    "visiting",
    "arrived",
    "arrives",
    "arriving",
    "flew",
    "flies",
    "traveled",
    "travelled",
    "travels",
    "toured",
    "tours",
    "departed",
    "landed",
    "trip",
];

/// Words that do speak of residence, so a travel verb near them does not veto: "returned home to".
const RESIDENCE: [&str; 9] = [
    "lives", "lived", "living", "home", "resident", "native", "born", "moved", "hometown",
];

/// True when the words between two mentions tell of a visit rather than of residence.
fn travel_not_residence(tokens: &[Token<'_>], a: &Mention, b: &Mention) -> bool {
    let (from, to) = if a.start < b.start {
        (a.tokens.end, b.tokens.start)
    } else {
        (b.tokens.end, a.tokens.start)
    };
    let between = tokens.get(from..to).unwrap_or_default();
    let has = |list: &[&str]| {
        between
            .iter()
            .any(|t| list.iter().any(|w| t.text.eq_ignore_ascii_case(w)))
    };
    has(&TRAVEL) && !has(&RESIDENCE)
}

/// For each token of the sentence (relative index), how many line breaks come before it within
/// the sentence.
fn line_numbers(text: &str, tokens: &[Token<'_>], sentence: &Sentence) -> Vec<u32> {
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
fn by_sentence(n_sentences: usize, mentions: &[Mention]) -> Vec<Vec<usize>> {
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

/// Of two relations with the same predicate between the same two mentions in both directions
/// (possible only for same-type pairs: `located_in`, `killed`), keeps the more confident one:
/// a place is not inside what it contains, and a killer is rarely killed by their victim.
/// Looks at `out[from..]`, one sentence's relations.
fn keep_one_direction(out: &mut Vec<MentionRelation>, from: usize) {
    let mut drop = vec![false; out.len()];
    // (predicate, subject, object) -> index of the relation found first with them.
    let mut seen: FxHashMap<(Predicate, usize, usize), usize> = FxHashMap::default();
    for j in from..out.len() {
        let b = &out[j];
        if let Some(&i) = seen.get(&(b.predicate, b.object, b.subject)) {
            // A tie keeps the one found first (the earlier mention as subject).
            if b.confidence > out[i].confidence {
                drop[i] = true;
            } else {
                drop[j] = true;
            }
        }
        seen.entry((b.predicate, b.subject, b.object)).or_insert(j);
    }
    let mut k = 0;
    out.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

fn round3(x: f32) -> f32 {
    (x.clamp(0.0, 1.0) * 1000.0).round() / 1000.0
}

impl RelationModel {
    /// Loads `relations/classifier.txt` and the gazetteer from the models directory.
    pub(crate) fn load(dir: &Path) -> Result<Self, ModelError> {
        Self::load_with(dir, Arc::new(Gazetteer::load(dir)?))
    }

    /// Loads `relations/classifier.txt`, sharing a gazetteer already loaded (the enricher's).
    pub(crate) fn load_with(dir: &Path, gazetteer: Arc<Gazetteer>) -> Result<Self, ModelError> {
        let classifier = Classifier::load(dir)?;
        Ok(Self {
            rule: DecisionRule::service(&classifier),
            classifier,
            gazetteer: Some(gazetteer),
        })
    }

    /// A model deciding by the service rule, without place facts; [`RelationModel::load`] gives
    /// the same rule with the gazetteer.
    pub(crate) fn from_classifier(classifier: Classifier) -> Self {
        Self {
            rule: DecisionRule::service(&classifier),
            classifier,
            gazetteer: None,
        }
    }

    /// The same model with place facts from `gazetteer`.
    pub(crate) fn with_gazetteer(mut self, gazetteer: impl Into<Arc<Gazetteer>>) -> Self {
        self.gazetteer = Some(gazetteer.into());
        self
    }

    /// The same model deciding by `rule`.
    pub(crate) fn with_rule(mut self, rule: DecisionRule) -> Self {
        self.rule = rule;
        self
    }

    /// The probability threshold the classifier was fitted with: the one that maximised pair
    /// F1 on its development set (written in the model file).
    pub(crate) fn fitted_threshold(&self) -> f32 {
        self.classifier.threshold
    }

    pub(crate) fn name(&self) -> &str {
        "rel-perceptron-v1"
    }

    /// Classifier relations between mentions; `types[i]` is the type to use for `mentions[i]`.
    pub(crate) fn classify(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        mentions: &[Mention],
        types: &[EntityType],
    ) -> Vec<MentionRelation> {
        self.classify_within(text, tokens, sentences, mentions, types, &Limits::none())
            .0
    }

    /// [`RelationModel::classify`] within `limits`, with how it was cut short.
    pub(crate) fn classify_within(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        mentions: &[Mention],
        types: &[EntityType],
        limits: &Limits,
    ) -> (Vec<MentionRelation>, Vec<Degradation>) {
        let mut out = Vec::new();
        let mut degraded = Vec::new();
        let mut pairs = 0usize;
        for (si, idxs) in by_sentence(sentences.len(), mentions).iter().enumerate() {
            if idxs.len() < 2 {
                continue;
            }
            if limits.deadline.passed() {
                degraded.push(Degradation::RelationsTruncatedTimeBudget);
                break;
            }
            let args: Vec<(usize, &Mention, EntityType)> = idxs
                .iter()
                .map(|&i| {
                    (
                        i,
                        &mentions[i],
                        types.get(i).copied().unwrap_or(mentions[i].etype),
                    )
                })
                .collect();
            let sentence = &sentences[si];
            let table = self.rule.require_evidence
                && evidence::table_like(tokens.get(sentence.tokens.clone()).unwrap_or_default());
            let from = out.len();
            let gaz = self.gazetteer.as_deref();
            let mut in_sentence = 0usize;
            let mut stop = None;
            let _ = candidates_while(text, tokens, sentence, &args, gaz, |s, o, class, feats| {
                in_sentence += 1;
                pairs += 1;
                if pairs > limits.max_pairs {
                    stop = Some(Degradation::PairsTruncated);
                    return ControlFlow::Break(());
                }
                if in_sentence > MAX_PAIRS_PER_SENTENCE {
                    degraded.push(Degradation::PairsTruncated);
                    return ControlFlow::Break(());
                }
                if pairs % CLOCK_EVERY == 0 && limits.deadline.passed() {
                    stop = Some(Degradation::RelationsTruncatedTimeBudget);
                    return ControlFlow::Break(());
                }
                if let Some(r) = self.decide(tokens, &args, table, s, o, class, feats) {
                    out.push(r);
                }
                ControlFlow::Continue(())
            });
            keep_one_direction(&mut out, from);
            if let Some(why) = stop {
                degraded.push(why);
                break;
            }
        }
        (out, degraded)
    }

    /// The classifier's reading of one candidate pair (positions `s`, `o` in the sentence's
    /// `args`), if it is a relation by the model's decision rule.
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        tokens: &[Token<'_>],
        args: &[(usize, &Mention, EntityType)],
        table: bool,
        s: usize,
        o: usize,
        class: usize,
        feats: &[u64],
    ) -> Option<MentionRelation> {
        let predicate = classifier::CLASSES[class];
        let (subj, obj) = (args[s].1, args[o].1);
        if predicate == Predicate::ResidesIn && travel_not_residence(tokens, subj, obj) {
            return None;
        }
        let threshold = self.rule.thresholds[class];
        let margin = self.classifier.margin(class, feats);
        let p = self.classifier.probability(class, margin);
        // The evidence test walks the sentence's mentions: only for pairs the model accepts.
        if p < threshold
            || (self.rule.require_evidence && !self.stated(tokens, args, predicate, s, o, table))
        {
            return None;
        }
        Some(MentionRelation {
            subject: args[s].0,
            object: args[o].0,
            predicate,
            confidence: round3(p),
        })
    }

    /// The service's evidence test for a candidate (positions `s`, `o` in `args`, which holds the
    /// sentence's mentions with their types; `table` says the sentence is a table row).
    fn stated(
        &self,
        tokens: &[Token<'_>],
        args: &[(usize, &Mention, EntityType)],
        predicate: Predicate,
        s: usize,
        o: usize,
        table: bool,
    ) -> bool {
        let (Some(&(s, subj, _)), Some(&(_, obj, _))) = (args.get(s), args.get(o)) else {
            return false;
        };
        match predicate {
            // Places inside places read well from datelines and lists ("VENICE, Italy").
            Predicate::LocatedIn => evidence::containment_stated(tokens, subj, obj),
            _ if table => false,
            Predicate::WorksFor => {
                let others: Vec<&Mention> = args
                    .iter()
                    .filter(|(i, _, t)| *t == EntityType::Person && *i != s)
                    .map(|(_, m, _)| *m)
                    .collect();
                !evidence::source_not_employer(tokens, subj, obj)
                    && !evidence::title_of_another(tokens, obj, &others)
            }
            Predicate::ResidesIn => {
                // Another person between the two: the residence words are about them.
                let (lo, hi) = (subj.end.min(obj.end), subj.start.max(obj.start));
                let person_between = args
                    .iter()
                    .any(|(_, m, t)| *t == EntityType::Person && m.start >= lo && m.end <= hi);
                !person_between && evidence::residence_stated(tokens, subj, obj)
            }
            Predicate::BasedIn => evidence::base_stated(tokens, subj, obj),
            _ => true,
        }
    }

    pub(crate) fn extract(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        mentions: &[Mention],
        resolved: &Resolved,
    ) -> Vec<Relation> {
        let limits = Limits::none();
        self.extract_within(text, tokens, sentences, mentions, resolved, &limits)
            .relations
    }

    /// [`RelationModel::extract`] within `limits`, with how it was cut short.
    pub(crate) fn extract_within(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        mentions: &[Mention],
        resolved: &Resolved,
        limits: &Limits,
    ) -> Extracted {
        let entity_of = |i: usize| resolved.mention_entity.get(i).copied();
        let types: Vec<EntityType> = (0..mentions.len())
            .map(|i| {
                entity_of(i)
                    .and_then(|e| resolved.entities.get(e))
                    .map_or(mentions[i].etype, |e| e.etype)
            })
            .collect();
        let mut found = patterns::find(tokens, sentences, mentions, resolved);
        found.extend(place_then_region(
            tokens,
            mentions,
            resolved,
            self.gazetteer.as_deref(),
        ));
        let pattern_pairs: FxHashSet<(usize, usize)> =
            found.iter().map(|f| (f.subject, f.object)).collect();
        let (classified, degraded) =
            self.classify_within(text, tokens, sentences, mentions, &types, limits);
        for r in classified {
            let (Some(s), Some(o)) = (entity_of(r.subject), entity_of(r.object)) else {
                continue;
            };
            let covered = pattern_pairs.contains(&(s, o)) || pattern_pairs.contains(&(o, s));
            // A country is never inside another country ("Britain condemns Iraq").
            let is_country = |e: usize| {
                resolved
                    .entities
                    .get(e)
                    .is_some_and(|e| e.links.contains_key(ISO3166))
            };
            // Nor inside a city or state: a country as subject is always a misreading.
            let gpe = |e: usize| {
                resolved
                    .entities
                    .get(e)
                    .is_some_and(|e| e.etype == EntityType::Gpe)
            };
            let countries = r.predicate == Predicate::LocatedIn && is_country(s) && gpe(o);
            if covered || countries || belongs_to_nearer_person(tokens, mentions, &types, &r) {
                continue;
            }
            let sentence = &sentences[mentions[r.subject].sentence];
            found.push(Found {
                subject: s,
                predicate: r.predicate,
                object: o,
                role: None,
                confidence: r.confidence,
                evidence: Span {
                    start: sentence.start,
                    end: sentence.end,
                },
            });
        }
        Extracted {
            relations: finish(found, resolved),
            degraded,
        }
    }
}

/// "A defeated B of the Socialist Party": an organisation after "of" right behind another person
/// is that person's, not the subject's. True for a `works_for` whose object follows "B of (the)"
/// with B a person between the two arguments.
fn belongs_to_nearer_person(
    tokens: &[Token<'_>],
    mentions: &[Mention],
    types: &[EntityType],
    r: &MentionRelation,
) -> bool {
    if r.predicate != Predicate::WorksFor {
        return false;
    }
    let (Some(s), Some(o)) = (mentions.get(r.subject), mentions.get(r.object)) else {
        return false;
    };
    if s.tokens.end > o.tokens.start {
        return false;
    }
    let of_before = |start: usize| -> Option<usize> {
        let t = |i: usize| tokens.get(i).map(|t| t.text.to_lowercase());
        match (t(start.wrapping_sub(2)), t(start.wrapping_sub(1))) {
            (Some(a), Some(b)) if a == "of" && b == "the" => Some(start - 2),
            (_, Some(b)) if b == "of" => Some(start - 1),
            _ => None,
        }
    };
    let Some(of) = of_before(o.tokens.start) else {
        return false;
    };
    // The mention ending right before "of" is another person, after the subject. Mentions are
    // in reading order, so it is among the few that start before "of" (no scan of them all).
    let idx = mentions.partition_point(|m| m.tokens.start < of);
    (idx.saturating_sub(3)..idx).any(|j| {
        let m = &mentions[j];
        types.get(j) == Some(&EntityType::Person)
            && m.tokens.end == of
            && m.tokens.start >= s.tokens.end
    })
}

/// Confidence of a "Town, Region" apposition.
const PLACE_REGION: f32 = 0.85;

/// "Kelso, Tarrowshire", "Abuja, Nigeria", "Shamokin, Pa.": a place, a comma and a country or
/// state, not inside a list ("Mali, Niger and Chad"): the first lies in the second. The first must
/// not be a country, and when the gazetteer puts it in other countries only, the pair is left out.
/// Linear: only neighbouring mentions are compared.
pub(crate) fn place_then_region(
    tokens: &[Token<'_>],
    mentions: &[Mention],
    resolved: &Resolved,
    gaz: Option<&Gazetteer>,
) -> Vec<Found> {
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| (mentions[i].start, mentions[i].end));
    let entity = |i: usize| {
        resolved
            .mention_entity
            .get(i)
            .and_then(|&e| Some((e, resolved.entities.get(e)?)))
    };
    let is_place = |i: usize| {
        entity(i).is_some_and(|(_, e)| matches!(e.etype, EntityType::Gpe | EntityType::Loc))
    };
    let text_of = |a: usize, b: usize| tokens.get(a..b).unwrap_or_default();
    let mut out = Vec::new();
    for w in 0..order.len().saturating_sub(1) {
        let (i, j) = (order[w], order[w + 1]);
        let (a, b) = (&mentions[i], &mentions[j]);
        if a.sentence != b.sentence || !is_place(i) || !is_place(j) {
            continue;
        }
        if !matches!(text_of(a.tokens.end, b.tokens.start), [t] if t.text == ",") {
            continue;
        }
        // A list: another place before the first ("Mali, Niger, …") or after the second
        // ("…, Niger, and Chad"; "…, Niger and Chad").
        let prev_place = w > 0
            && {
                let p = order[w - 1];
                is_place(p)
                    && mentions[p].sentence == a.sentence
                    && matches!(text_of(mentions[p].tokens.end, a.tokens.start), [t] if t.text == "," || t.text == "and")
            };
        let next = text_of(b.tokens.end, b.tokens.end + 2);
        let list_after = matches!(next.first(), Some(t) if t.text == "and" || t.text == "or")
            || (matches!(next.first(), Some(t) if t.text == ",")
                && order
                    .get(w + 2)
                    .is_some_and(|&n| is_place(n) && mentions[n].tokens.start <= b.tokens.end + 2))
            || (matches!(next, [c, t] if c.text == "," && (t.text == "and" || t.text == "or")));
        if prev_place || list_after {
            continue;
        }
        let (Some((ea, place_a)), Some((eb, place_b))) = (entity(i), entity(j)) else {
            continue;
        };
        if place_a.links.contains_key(ISO3166) {
            continue; // a country is inside nothing
        }
        let b_code = place_b.links.get(ISO3166).map(|c| c.as_str());
        let b_state = is_us_state_abbreviation(&b.text)
            || gaz.is_some_and(|g| {
                g.lookup_all(&b.text)
                    .any(|e| e.kind == super::gazetteer::GazKind::State)
            });
        if b_code.is_none() && !b_state {
            continue;
        }
        // The gazetteer's own knowledge of the first place, when it has some, must agree.
        if let (Some(code), Some(g)) = (b_code, gaz) {
            let inside: Vec<&str> = g
                .lookup_all(&a.text)
                .filter(|e| {
                    matches!(
                        e.kind,
                        super::gazetteer::GazKind::City | super::gazetteer::GazKind::State
                    )
                })
                .filter_map(|e| e.code.as_deref())
                .collect();
            if !inside.is_empty() && !inside.contains(&code) {
                continue;
            }
        }
        out.push(Found {
            subject: ea,
            predicate: Predicate::LocatedIn,
            object: eb,
            role: None,
            confidence: PLACE_REGION,
            evidence: Span {
                start: a.start,
                end: b.end,
            },
        });
    }
    out
}

/// The argument types each predicate allows (DESIGN §4): subject type, then object type.
pub(crate) fn types_allowed(p: Predicate, s: EntityType, o: EntityType) -> bool {
    use EntityType::*;
    let place = matches!(o, Gpe | Loc);
    match p {
        Predicate::LeaderOf => s == Person && matches!(o, Org | Gpe),
        Predicate::WorksFor => s == Person && o == Org,
        Predicate::CitizenOf => s == Person && o == Gpe,
        Predicate::ResidesIn => s == Person && place,
        Predicate::BasedIn => s == Org && place,
        Predicate::LocatedIn => matches!(s, Gpe | Loc | Event) && place,
        Predicate::MetWith | Predicate::PredecessorOf | Predicate::Killed => {
            s == Person && o == Person
        }
    }
}

/// Deduplicates (highest confidence wins), orders symmetric pairs, drops self-relations and
/// relations whose argument types the predicate does not allow ([`types_allowed`]: the entity's
/// final type, after merging, may differ from the mention's the classifier read), sorts by
/// evidence position and writes entity ids.
pub(crate) fn finish(found: Vec<Found>, resolved: &Resolved) -> Vec<Relation> {
    let mut best: Vec<Found> = Vec::with_capacity(found.len());
    // (subject, predicate, object) -> index in `best`.
    let mut index: FxHashMap<(usize, Predicate, usize), usize> = FxHashMap::default();
    let etype = |e: usize| resolved.entities.get(e).map(|e| e.etype);
    for mut f in found {
        if f.subject == f.object {
            continue;
        }
        let (Some(s), Some(o)) = (etype(f.subject), etype(f.object)) else {
            continue;
        };
        if !types_allowed(f.predicate, s, o) {
            continue;
        }
        if f.predicate == Predicate::MetWith && f.subject > f.object {
            std::mem::swap(&mut f.subject, &mut f.object);
        }
        f.confidence = round3(f.confidence);
        let key = (f.subject, f.predicate, f.object);
        match index.get(&key).and_then(|&i| best.get_mut(i)) {
            Some(b) if b.confidence < f.confidence => *b = f,
            Some(_) => {}
            None => {
                index.insert(key, best.len());
                best.push(f);
            }
        }
    }
    // The leader of an organisation is not also reported as its employee.
    let leads: FxHashSet<(usize, usize)> = best
        .iter()
        .filter(|f| f.predicate == Predicate::LeaderOf)
        .map(|f| (f.subject, f.object))
        .collect();
    best.retain(|f| f.predicate != Predicate::WorksFor || !leads.contains(&(f.subject, f.object)));
    best.sort_by_key(|f| (f.evidence.start, f.predicate, f.subject, f.object));
    best.into_iter()
        .filter_map(|f| {
            Some(Relation {
                subject: resolved.entities.get(f.subject)?.id.clone(),
                predicate: f.predicate,
                object: resolved.entities.get(f.object)?.id.clone(),
                role: f.role,
                confidence: f.confidence,
                evidence: f.evidence,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
