//! Data shared by the stages of the core. Offsets are in chars (Unicode scalar values), end exclusive.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;

/// One token of the article text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token's text, a slice of the article.
    pub text: &'a str,
    /// Char offset of the first char.
    pub start: usize,
    /// Char offset one past the last char.
    pub end: usize,
    /// Byte offset of the first byte (for slicing the article without re-counting chars).
    pub byte_start: usize,
}

impl Token<'_> {
    /// The token starts with an upper-case letter ("Kelso", "NATO").
    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    /// The token starts with a lower-case letter.
    pub fn is_lowercase_word(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_lowercase)
    }
}

/// A sentence as a range of token indexes, with its char span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub tokens: Range<usize>,
    pub start: usize,
    pub end: usize,
}

/// Entity types of the v1 schema. The statistical tagger labels the four coarse CoNLL classes
/// (`ner::labels::TagType`), which become Person, Org, Loc and Misc (`TagType::entity_type`);
/// the gazetteer then refines Loc and Misc, and rules add Date, Money and Percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityType {
    Person,
    Org,
    /// Countries, cities, states: places with a government.
    Gpe,
    /// Non-political places: rivers, mountains, regions, seas.
    Loc,
    /// Nationalities, religious and political groups.
    Norp,
    Event,
    Misc,
    Date,
    Money,
    Percent,
}

impl EntityType {
    pub const ALL: [EntityType; 10] = [
        EntityType::Person,
        EntityType::Org,
        EntityType::Gpe,
        EntityType::Loc,
        EntityType::Norp,
        EntityType::Event,
        EntityType::Misc,
        EntityType::Date,
        EntityType::Money,
        EntityType::Percent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "PERSON",
            EntityType::Org => "ORG",
            EntityType::Gpe => "GPE",
            EntityType::Loc => "LOC",
            EntityType::Norp => "NORP",
            EntityType::Event => "EVENT",
            EntityType::Misc => "MISC",
            EntityType::Date => "DATE",
            EntityType::Money => "MONEY",
            EntityType::Percent => "PERCENT",
        }
    }
}

/// One span of text that names something.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Char offsets into the article.
    pub start: usize,
    pub end: usize,
    /// Token indexes covered by the mention.
    pub tokens: Range<usize>,
    /// Index of the sentence holding the mention.
    pub sentence: usize,
    pub etype: EntityType,
    /// The mention text (`text[start..end]` in chars).
    pub text: String,
    /// Tagger confidence in [0, 1] (1.0 for rule and gazetteer mentions).
    pub confidence: f32,
}

impl Mention {
    /// For each of `n` tokens, whether one of `mentions` covers it.
    pub fn covered(n: usize, mentions: &[Mention]) -> Vec<bool> {
        let mut covered = vec![false; n];
        for m in mentions {
            if let Some(c) = covered.get_mut(m.tokens.clone()) {
                c.fill(true);
            }
        }
        covered
    }

    /// The mention over `tokens[range]` (non-empty) of sentence `sentence`; its text is the
    /// tokens with one space wherever the article has a gap between them.
    pub fn over(
        tokens: &[Token<'_>],
        range: Range<usize>,
        sentence: usize,
        etype: EntityType,
        confidence: f32,
    ) -> Mention {
        let span = tokens.get(range.clone()).unwrap_or_default();
        let mut text = String::new();
        for (j, t) in span.iter().enumerate() {
            if j > 0 && span[j - 1].end < t.start {
                text.push(' ');
            }
            text.push_str(t.text);
        }
        Mention {
            start: span.first().map_or(0, |t| t.start),
            end: span.last().map_or(0, |t| t.end),
            tokens: range,
            sentence,
            etype,
            text,
            confidence,
        }
    }
}

/// A mention as written into the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionSpan {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One real-world thing named in the article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// "E1", "E2", … in order of first mention.
    pub id: String,
    #[serde(rename = "type")]
    pub etype: EntityType,
    /// The fullest form of the name.
    pub name: String,
    /// How central the entity is to the article, in [0, 1].
    pub salience: f32,
    pub mentions: Vec<MentionSpan>,
    /// Stable identifiers, e.g. `{"iso3166": "KR"}`.
    pub links: BTreeMap<String, String>,
}

/// Relation predicates of the v1 schema (directed subject -> object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Predicate {
    /// PERSON -> ORG|GPE, with `role` ("President", "CEO", …).
    LeaderOf,
    /// PERSON -> ORG: member, employee, spokesperson.
    WorksFor,
    /// PERSON -> GPE.
    CitizenOf,
    /// PERSON -> GPE|LOC.
    ResidesIn,
    /// ORG -> GPE|LOC.
    BasedIn,
    /// GPE|LOC|EVENT -> GPE|LOC.
    LocatedIn,
    /// PERSON -> PERSON, symmetric, emitted once.
    MetWith,
    /// PERSON -> PERSON: subject held the object's position before them.
    PredecessorOf,
    /// PERSON -> PERSON.
    Killed,
}

impl Predicate {
    pub const ALL: [Predicate; 9] = [
        Predicate::LeaderOf,
        Predicate::WorksFor,
        Predicate::CitizenOf,
        Predicate::ResidesIn,
        Predicate::BasedIn,
        Predicate::LocatedIn,
        Predicate::MetWith,
        Predicate::PredecessorOf,
        Predicate::Killed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Predicate::LeaderOf => "leader_of",
            Predicate::WorksFor => "works_for",
            Predicate::CitizenOf => "citizen_of",
            Predicate::ResidesIn => "resides_in",
            Predicate::BasedIn => "based_in",
            Predicate::LocatedIn => "located_in",
            Predicate::MetWith => "met_with",
            Predicate::PredecessorOf => "predecessor_of",
            Predicate::Killed => "killed",
        }
    }
}

/// A char span of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// Entity id of the subject ("E1").
    pub subject: String,
    pub predicate: Predicate,
    /// Entity id of the object.
    pub object: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub confidence: f32,
    /// The sentence or clause the relation was read from.
    pub evidence: Span,
}

/// What the core found in one article.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Analysis {
    pub entities: Vec<Entity>,
    pub relations: Vec<Relation>,
    /// How the article was enriched less than completely because it went over its
    /// [`Budget`](super::Budget), sorted; empty for a complete analysis.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub degraded: Vec<super::Degradation>,
}
