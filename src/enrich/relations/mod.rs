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

mod candidates;
pub(crate) mod classifier;
pub(crate) mod evidence;
pub(crate) mod features;
mod merge;
pub(crate) mod patterns;
mod places;

use super::entities::{Resolved, ISO3166};
use super::gazetteer::Gazetteer;
use super::{
    Deadline, Degradation, EntityType, Mention, ModelError, ModelFiles, Predicate, Relation,
    Sentence, Span, Token,
};
use candidates::{by_sentence, candidates_while};
pub(crate) use candidates::{for_each_candidate, MAX_PAIRS_PER_SENTENCE};
use classifier::Classifier;
pub(crate) use merge::finish;
use merge::round3;
use places::place_then_region;
use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

#[derive(Clone)]
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

impl RelationModel {
    /// Loads `relations/classifier.txt` and the gazetteer from the models directory.
    pub(crate) fn load(dir: &Path) -> Result<Self, ModelError> {
        let files = ModelFiles::dir(dir);
        Self::from_files(&files, Arc::new(Gazetteer::from_files(&files)?))
    }

    /// Loads `relations/classifier.txt` of `files`, sharing a gazetteer already loaded (the
    /// enricher's).
    pub(crate) fn from_files(
        files: &ModelFiles,
        gazetteer: Arc<Gazetteer>,
    ) -> Result<Self, ModelError> {
        let classifier = Classifier::from_files(files)?;
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

#[cfg(test)]
mod tests;
