//! The core on hostile input: it never panics, never recurses per character, stays within its
//! [`Budget`], and every mention it reports is the exact slice of the text at its offsets.

use super::hostile::{make, mixed, Rng, SHAPES};
use super::{tokenize, Analysis, Budget, Degradation, Enricher};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

fn enricher() -> &'static Enricher {
    static E: OnceLock<Enricher> = OnceLock::new();
    E.get_or_init(|| Enricher::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models")).unwrap())
}

/// Byte offset of every char of `text`, plus its length: `slice(start, end)` in chars.
struct CharIndex<'a> {
    text: &'a str,
    bytes: Vec<usize>,
}

impl<'a> CharIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        Self { text, bytes }
    }

    fn chars(&self) -> usize {
        self.bytes.len() - 1
    }

    fn slice(&self, start: usize, end: usize) -> Option<&'a str> {
        let (a, b) = (*self.bytes.get(start)?, *self.bytes.get(end)?);
        self.text.get(a..b)
    }
}

/// What must hold for any text: offsets in range, `text[start:end] == mention.text`, relations
/// between listed entities with evidence inside the text, confidences and salience in [0, 1].
fn check_invariants(label: &str, text: &str, a: &Analysis) {
    let idx = CharIndex::new(text);
    let ids: std::collections::HashSet<&str> = a.entities.iter().map(|e| e.id.as_str()).collect();
    for e in &a.entities {
        assert!(!e.mentions.is_empty(), "{label}: entity without mentions");
        assert!((0.0..=1.0).contains(&e.salience), "{label}: salience");
        for m in &e.mentions {
            assert!(m.start < m.end && m.end <= idx.chars(), "{label}: {m:?}");
            assert_eq!(
                idx.slice(m.start, m.end),
                Some(m.text.as_str()),
                "{label}: mention text is not the slice at its offsets"
            );
        }
    }
    for r in &a.relations {
        assert!(ids.contains(r.subject.as_str()) && ids.contains(r.object.as_str()));
        assert!(r.evidence.start <= r.evidence.end && r.evidence.end <= idx.chars());
        assert!((0.0..=1.0).contains(&r.confidence), "{label}: confidence");
    }
}

fn mention_count(a: &Analysis) -> usize {
    a.entities.iter().map(|e| e.mentions.len()).sum()
}

#[test]
fn tokenizer_splits_a_megabyte_chunk_without_recursion() {
    // One comma-separated chunk of 1 MB: a split per comma. On a 256 KiB stack any recursion per
    // split overflows and aborts the test binary.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let text = "a,".repeat(500_000);
            let tokens = tokenize::tokenize(&text);
            assert_eq!(tokens.len(), 1_000_000);
            assert!(tokens.iter().all(|t| t.end == t.start + 1));
            let punct = "!?.,;:()[]{}\"'…—–".repeat(40_000);
            let tokens = tokenize::tokenize(&punct);
            let idx = CharIndex::new(&punct);
            assert!(tokens.len() > 100_000);
            for t in &tokens {
                assert_eq!(idx.slice(t.start, t.end), Some(t.text));
            }
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn tokenizer_output_is_unchanged_by_splitting_iteratively() {
    // The order the explicit work stack emits: prefixes, the left side, the infix, the right
    // side, suffixes outermost last.
    let texts: Vec<&str> = tokenize::tokenize("(“a,b—c!”)’s x")
        .into_iter()
        .map(|t| t.text)
        .collect();
    assert_eq!(
        texts,
        ["(", "“", "a", ",", "b", "—", "c", "!", "”", ")", "’s", "x"]
    );
}

#[test]
fn every_hostile_shape_is_analysed_within_bounds() {
    let budget = Budget::default();
    for shape in SHAPES {
        let text = (shape.make)(6_000);
        let a = enricher().analyze_within(&text, &budget);
        check_invariants(shape.name, &text, &a);
        assert!(a.degraded.is_empty(), "{}: {:?}", shape.name, a.degraded);
    }
}

#[test]
fn long_runs_are_cut_into_bounded_sentences() {
    let text = make("one_sentence", 40_000); // no terminator anywhere
    let tokens = tokenize::tokenize(&text);
    let sentences = super::sentences::split(&text, &tokens);
    assert!(sentences.len() > 1);
    assert!(sentences
        .iter()
        .all(|s| s.tokens.len() <= super::sentences::MAX_SENTENCE_TOKENS));
    assert_eq!(sentences.last().map(|s| s.tokens.end), Some(tokens.len()));
    assert!(sentences
        .windows(2)
        .all(|w| w[0].tokens.end == w[1].tokens.start));
}

#[test]
fn token_and_mention_limits_truncate_and_say_so() {
    let text = make("repeated_name_sentences", 20_000);
    let budget = Budget {
        max_tokens: 300,
        max_mentions: 20,
        ..Budget::default()
    };
    let a = enricher().analyze_within(&text, &budget);
    check_invariants("limits", &text, &a);
    assert!(a.degraded.contains(&Degradation::TokensTruncated));
    assert!(a.degraded.contains(&Degradation::MentionsTruncated));
    assert!(mention_count(&a) <= 20);
    // Nothing past the 300th token is read.
    let limit = tokenize::tokenize(&text)[299].end;
    let last = a
        .entities
        .iter()
        .flat_map(|e| &e.mentions)
        .map(|m| m.end)
        .max();
    assert!(last.is_some_and(|end| end <= limit), "{last:?} > {limit}");
    let full = enricher().analyze(&text);
    assert!(full.degraded.is_empty());
    assert!(mention_count(&full) > 20);
}

#[test]
fn pair_limit_cuts_relations_short() {
    let text = make("repeated_name_sentences", 4_000);
    let full = enricher().analyze(&text);
    assert!(!full.relations.is_empty());
    let a = enricher().analyze_within(
        &text,
        &Budget {
            max_pairs: 0,
            ..Budget::default()
        },
    );
    assert_eq!(a.degraded, [Degradation::PairsTruncated]);
    // Only pattern relations remain, which need no classifier pair.
    assert!(a.relations.len() <= full.relations.len());
    assert!(a
        .relations
        .iter()
        .all(|r| full.relations.iter().any(|f| f == r)));
}

#[test]
fn a_spent_time_budget_skips_stages_and_says_so() {
    let text = "President Maria Lopez of France met Kenji Sato in Tokyo on June 18, 2025.";
    let a = enricher().analyze_within(
        text,
        &Budget {
            max_time: Duration::ZERO,
            ..Budget::default()
        },
    );
    assert!(a.entities.is_empty() && a.relations.is_empty());
    for d in [
        Degradation::TaggingSkippedTimeBudget,
        Degradation::RefineSkippedTimeBudget,
        Degradation::RulesSkippedTimeBudget,
        Degradation::RelationsSkippedTimeBudget,
    ] {
        assert!(a.degraded.contains(&d), "{d:?} in {:?}", a.degraded);
    }
    let whole = enricher().analyze(text);
    assert!(whole.degraded.is_empty());
    assert!(!whole.entities.is_empty() && !whole.relations.is_empty());
}

#[test]
fn mixed_hostile_articles_never_break_the_invariants() {
    let mut rng = Rng::new(0x6e65_7773);
    for round in 0..40 {
        let size = 1_000 + rng.below(3_000);
        let text = mixed(&mut rng, size);
        // Every other article gets small, random limits.
        let budget = if round % 2 == 0 {
            Budget::default()
        } else {
            Budget {
                max_tokens: 1 + rng.below(400),
                max_mentions: rng.below(30),
                max_pairs: rng.below(50),
                ..Budget::default()
            }
        };
        let a = enricher().analyze_within(&text, &budget);
        let label = format!("round {round}");
        check_invariants(&label, &text, &a);
        assert!(mention_count(&a) <= budget.max_mentions, "{label}");
        let tokens = tokenize::tokenize(&text);
        if tokens.len() > budget.max_tokens {
            assert!(
                a.degraded.contains(&Degradation::TokensTruncated),
                "{label}"
            );
            let limit = tokens[budget.max_tokens - 1].end;
            let ends = a.entities.iter().flat_map(|e| &e.mentions).map(|m| m.end);
            assert!(ends.max().is_none_or(|end| end <= limit), "{label}");
        }
    }
}
