//! The CoNLL04 data set as the lab reads it: sentences of tokens with gold entities and relations
//! (JSON), their labels mapped to ours, and the text and gold mentions a sentence gives. Used by
//! its evaluation (`eval_conll04`), the relation trainer and the CoNLL04 tagger data
//! (`conll04_ner`), so none of them depends on another.

use super::detok::{detokenize, TokenSpans};
use crate::enrich::{EntityType, Mention, Predicate, Sentence, Token};
use anyhow::Context;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
pub(crate) struct GoldEntity {
    #[serde(rename = "type")]
    pub label: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Deserialize)]
pub(crate) struct GoldRelation {
    #[serde(rename = "type")]
    pub label: String,
    pub head: usize,
    pub tail: usize,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Conll04Sentence {
    pub tokens: Vec<String>,
    pub entities: Vec<GoldEntity>,
    pub relations: Vec<GoldRelation>,
}

pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<Conll04Sentence>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The pipeline predicate of a CoNLL04 relation label.
pub(crate) fn predicate_of(label: &str) -> Option<Predicate> {
    Some(match label {
        "Work_For" => Predicate::WorksFor,
        "Live_In" => Predicate::ResidesIn,
        "OrgBased_In" => Predicate::BasedIn,
        "Located_In" => Predicate::LocatedIn,
        "Kill" => Predicate::Killed,
        _ => return None,
    })
}

/// The pipeline type given to a gold CoNLL04 entity (Loc becomes GPE: the classifier treats GPE and
/// LOC alike).
pub(crate) fn type_of(label: &str) -> EntityType {
    match label {
        "Peop" => EntityType::Person,
        "Org" => EntityType::Org,
        "Loc" => EntityType::Gpe,
        _ => EntityType::Misc,
    }
}

/// The CoNLL04 label a pipeline type is scored as.
pub(crate) fn label_of(t: EntityType) -> Option<&'static str> {
    match t {
        EntityType::Person => Some("Peop"),
        EntityType::Org => Some("Org"),
        EntityType::Gpe | EntityType::Loc => Some("Loc"),
        _ => None,
    }
}

/// The sentence as running text (see [`detokenize`]) and where each token landed in it.
pub(crate) fn joined(tokens: &[String]) -> (String, TokenSpans) {
    detokenize(tokens)
}

/// Gold entities as mentions over the runtime tokenizer's tokens, all in one sentence (a CoNLL04
/// item is one sentence), in the gold order so mention `i` is gold entity `i`.
pub(crate) fn gold_mentions(
    item: &Conll04Sentence,
    spans: &TokenSpans,
    text: &str,
    tokens: &[Token<'_>],
) -> Vec<Mention> {
    item.entities
        .iter()
        .map(|e| {
            let start = spans.starts[e.start];
            let end = spans.ends[e.end - 1];
            let first = tokens
                .iter()
                .position(|t| t.end > start)
                .unwrap_or(tokens.len());
            let last = tokens
                .iter()
                .rposition(|t| t.start < end)
                .map_or(first, |i| i + 1);
            Mention {
                start,
                end,
                tokens: first..last.max(first),
                sentence: 0,
                etype: type_of(&e.label),
                text: text.chars().skip(start).take(end - start).collect(),
                confidence: 1.0,
            }
        })
        .collect()
}

pub(crate) fn whole(text: &str, tokens: &[Token<'_>]) -> Sentence {
    Sentence {
        tokens: 0..tokens.len(),
        start: 0,
        end: text.chars().count(),
    }
}
