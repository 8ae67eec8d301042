//! Per-article limits of the core, and how an article over them is degraded.
//!
//! Every stage is linear or `n log n` in the text, its mentions and candidate pairs, so these limits
//! are not what keeps hostile input from hanging the worker; they bound the cost of the largest
//! article a deployment accepts, and make that bound a setting. An article over a limit is still
//! enriched, less completely, and says so: [`Analysis::degraded`](super::Analysis::degraded)
//! lists each [`Degradation`], and the output document carries them as `processing.degraded`.

use serde::Serialize;
use std::time::{Duration, Instant};

/// Limits for one article. `Default` suits a worker fed articles of up to 1 MiB; the service
/// reads its own values from configuration into these public fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Tokens analysed; the text after the first `max_tokens` tokens is left out.
    pub max_tokens: usize,
    /// Mentions kept, in reading order; later ones are dropped before entities are formed.
    pub max_mentions: usize,
    /// Candidate mention pairs the relation classifier scores per article; the rest are skipped.
    pub max_pairs: usize,
    /// Wall-clock time for the article. Checked between stages and every few hundred pairs in
    /// relation extraction; once spent, the remaining optional stages are skipped.
    pub max_time: Duration,
}

impl Default for Budget {
    /// A long news article has 2,000 to 10,000 tokens, 100 to 1,000 mentions and a few thousand
    /// candidate pairs. 250,000 tokens is about a 1.3 MB English text (more than the default
    /// 1 MiB record limit) and about a second of tagging on one core; the mention and pair caps are
    /// well above what such a text yields in prose. Five seconds stays far below Kafka's default
    /// `max.poll.interval.ms` (five minutes) even with a few such articles in flight per partition.
    fn default() -> Self {
        Self {
            max_tokens: 250_000,
            max_mentions: 50_000,
            max_pairs: 200_000,
            max_time: Duration::from_secs(5),
        }
    }
}

impl Budget {
    /// No limit at all (tools and benchmarks that must see the whole text whatever it costs).
    pub fn unlimited() -> Self {
        Self {
            max_tokens: usize::MAX,
            max_mentions: usize::MAX,
            max_pairs: usize::MAX,
            max_time: Duration::MAX,
        }
    }
}

/// One way an article was enriched less than completely. The serialised names are part of the
/// output contract (`processing.degraded` in `newsenrich.article.v1`) and never change:
///
/// | name | meaning |
/// |---|---|
/// | `tokens_truncated` | only the first `max_tokens` tokens were analysed |
/// | `mentions_truncated` | mentions after the first `max_mentions` (in reading order) were dropped |
/// | `pairs_truncated` | relation candidates after the first `max_pairs` were not scored |
/// | `tagging_skipped_time_budget` | the time budget was spent before tagging: no names |
/// | `refine_skipped_time_budget` | no gazetteer step: tagger types only (LOC, not GPE), no links |
/// | `rules_skipped_time_budget` | no DATE, MONEY or PERCENT mentions |
/// | `relations_skipped_time_budget` | no relations |
/// | `relations_truncated_time_budget` | relation extraction stopped part-way through the article |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Degradation {
    TokensTruncated,
    MentionsTruncated,
    PairsTruncated,
    TaggingSkippedTimeBudget,
    RefineSkippedTimeBudget,
    RulesSkippedTimeBudget,
    RelationsSkippedTimeBudget,
    RelationsTruncatedTimeBudget,
}

impl Degradation {
    pub fn as_str(self) -> &'static str {
        match self {
            Degradation::TokensTruncated => "tokens_truncated",
            Degradation::MentionsTruncated => "mentions_truncated",
            Degradation::PairsTruncated => "pairs_truncated",
            Degradation::TaggingSkippedTimeBudget => "tagging_skipped_time_budget",
            Degradation::RefineSkippedTimeBudget => "refine_skipped_time_budget",
            Degradation::RulesSkippedTimeBudget => "rules_skipped_time_budget",
            Degradation::RelationsSkippedTimeBudget => "relations_skipped_time_budget",
            Degradation::RelationsTruncatedTimeBudget => "relations_truncated_time_budget",
        }
    }
}

/// The wall-clock side of a [`Budget`]: a deadline, or none when the budget has no time limit.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// `max_time` from now; none if that is past what the clock can represent.
    pub fn after(max_time: Duration) -> Self {
        Self(Instant::now().checked_add(max_time))
    }

    /// A deadline that never passes.
    pub fn never() -> Self {
        Self(None)
    }

    pub fn passed(&self) -> bool {
        self.0.is_some_and(|d| Instant::now() >= d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degradation_names_are_the_serialised_ones() {
        for d in [
            Degradation::TokensTruncated,
            Degradation::MentionsTruncated,
            Degradation::PairsTruncated,
            Degradation::TaggingSkippedTimeBudget,
            Degradation::RefineSkippedTimeBudget,
            Degradation::RulesSkippedTimeBudget,
            Degradation::RelationsSkippedTimeBudget,
            Degradation::RelationsTruncatedTimeBudget,
        ] {
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(json, format!("\"{}\"", d.as_str()));
        }
    }

    #[test]
    fn deadlines() {
        assert!(!Deadline::never().passed());
        assert!(!Deadline::after(Duration::MAX).passed());
        assert!(Deadline::after(Duration::ZERO).passed());
        assert!(!Deadline::after(Duration::from_secs(60)).passed());
    }
}
