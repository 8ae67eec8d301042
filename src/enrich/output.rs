//! The `newsenrich.article.v1` output document. `schema/newsenrich.article.v1.json` describes it.

use super::{Entity, Relation};
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "newsenrich.article.v1";

/// One enriched article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleDoc {
    pub schema: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// ISO 639-1 code of the article's language, or `und` when it cannot be told (see
    /// [`language`](super::language)). Always set by newsenrich.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub entities: Vec<Entity>,
    pub relations: Vec<Relation>,
    /// Input fields the schema does not name, kept as they came.
    pub meta: serde_json::Map<String, serde_json::Value>,
    pub processing: Processing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Processing {
    /// newsenrich version that wrote the document.
    pub version: String,
    /// Models that produced entities and relations.
    pub model: String,
    /// Time spent in the enrich core, microseconds.
    pub duration_us: u64,
    /// Where the input came from (absent for offline `newsenrich enrich` runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePosition>,
    /// How the article was enriched less than completely because it went over a per-article
    /// limit; absent when it was not. Names are stable: `tokens_truncated`,
    /// `mentions_truncated`, `pairs_truncated`, `tagging_skipped_time_budget`,
    /// `refine_skipped_time_budget`, `rules_skipped_time_budget`,
    /// `relations_skipped_time_budget`, `relations_truncated_time_budget` (meanings at
    /// [`Degradation`](super::Degradation)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub degraded: Vec<String>,
    /// Confidence in `language`, 0..1: the detector's, 1 for a trusted input field, 0 for `und`.
    #[serde(default)]
    pub language_confidence: f64,
    /// Where `language` came from: `detected` or `input` (`language.trust_input`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_source: Option<String>,
    /// Why the core did not run: `unsupported_language` (the language's policy is `pass`).
    /// Absent when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePosition {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}
