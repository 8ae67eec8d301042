//! Longest-match lookup of phrases over token sequences: the one table behind the tagger's
//! entity-string gazetteer (`ner::gaz`) and the lexicon matcher (`gazetteer::matcher`).
//!
//! A phrase is a sequence of token texts; its key is those texts joined by single spaces (tokens
//! never hold whitespace), folded to lower case when the table is built with [`Fold::Lower`]. Each
//! key carries a payload of flag bits, or-ed together when several entries share the key. A probe
//! at a token looks up the lengths of the phrases starting with that token first, so a token that
//! starts no phrase costs one lookup and a match builds only keys that can exist.

use rustc_hash::FxHashMap;
use std::ops::{BitOrAssign, Range};

/// Longest phrase length a table can hold (lengths are a bit set in a `u8`).
const MAX_SUPPORTED: usize = 8;

/// How token texts become key words, on insertion and on lookup alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fold {
    /// Exact text.
    Exact,
    /// Lower-cased char by char.
    Lower,
}

impl Fold {
    fn push(self, key: &mut String, word: &str) {
        match self {
            Fold::Exact => key.push_str(word),
            Fold::Lower => key.extend(word.chars().flat_map(char::to_lowercase)),
        }
    }
}

/// Phrases of at most `max_len` tokens, each with flag bits `P`.
pub(crate) struct PhraseTable<P> {
    fold: Fold,
    max_len: usize,
    /// Key -> payload bits of every entry with that key.
    entries: FxHashMap<Box<str>, P>,
    /// First word -> bit set of the lengths of the phrases it starts (bit `len - 1`).
    lengths: FxHashMap<Box<str>, u8>,
}

impl<P: Copy + Default + BitOrAssign> PhraseTable<P> {
    /// An empty table; `max_len` is capped at 8.
    pub(crate) fn new(max_len: usize, fold: Fold) -> Self {
        Self {
            fold,
            max_len: max_len.min(MAX_SUPPORTED),
            entries: FxHashMap::default(),
            lengths: FxHashMap::default(),
        }
    }

    /// Adds the phrase `words` with `payload`; empty phrases and ones longer than the table's
    /// maximum are ignored.
    pub(crate) fn insert(&mut self, words: &[&str], payload: P) {
        let Some(first) = words.first() else { return };
        if words.len() > self.max_len {
            return;
        }
        let mut key = String::new();
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                key.push(' ');
            }
            self.fold.push(&mut key, w);
        }
        *self.entries.entry(key.into()).or_default() |= payload;
        let mut first_key = String::new();
        self.fold.push(&mut first_key, first);
        *self.lengths.entry(first_key.into()).or_default() |= 1 << (words.len() - 1);
    }

    /// The longest phrase over tokens `i..end` that starts at `i`, `word(k)` giving token k's
    /// text: its length and payload. `buf` is scratch space kept by the caller between probes.
    pub(crate) fn longest_at<'a>(
        &self,
        word: impl Fn(usize) -> &'a str,
        i: usize,
        end: usize,
        buf: &mut String,
    ) -> Option<(usize, P)> {
        if i >= end {
            return None;
        }
        let first = word(i);
        let lengths = match self.fold {
            Fold::Exact => self.lengths.get(first),
            Fold::Lower => {
                buf.clear();
                self.fold.push(buf, first);
                self.lengths.get(buf.as_str())
            }
        };
        let lengths = *lengths?;
        // Only lengths up to the longest one this word starts, inside the range, can match.
        let longest = (u8::BITS - lengths.leading_zeros()) as usize;
        let stop = longest.min(end - i).min(self.max_len);
        // Key of tokens i..i+len for each len in turn; the last hit is the longest.
        buf.clear();
        let mut best = None;
        for len in 1..=stop {
            if len > 1 {
                buf.push(' ');
            }
            self.fold.push(buf, word(i + len - 1));
            if lengths & (1 << (len - 1)) != 0 {
                if let Some(&payload) = self.entries.get(buf.as_str()) {
                    best = Some((len, payload));
                }
            }
        }
        best
    }
}

/// Greedy left-to-right matching over `range`: at each position the longest match
/// (`longest_at(i)` -> (length, payload)) is handed to `on_match` and matching resumes after it.
pub(crate) fn greedy<P>(
    range: Range<usize>,
    mut longest_at: impl FnMut(usize) -> Option<(usize, P)>,
    mut on_match: impl FnMut(Range<usize>, P),
) {
    let mut i = range.start;
    while i < range.end {
        match longest_at(i) {
            Some((len, payload)) if len > 0 => {
                let end = (i + len).min(range.end);
                on_match(i..end, payload);
                i = end;
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(fold: Fold, phrases: &[(&str, u8)]) -> PhraseTable<u8> {
        let mut t = PhraseTable::new(3, fold);
        for (p, bits) in phrases {
            let words: Vec<&str> = p.split(' ').collect();
            t.insert(&words, *bits);
        }
        t
    }

    fn matches(t: &PhraseTable<u8>, text: &str) -> Vec<(Range<usize>, u8)> {
        let words: Vec<&str> = text.split(' ').collect();
        let mut buf = String::new();
        let mut out = Vec::new();
        greedy(
            0..words.len(),
            |i| t.longest_at(|k| words[k], i, words.len(), &mut buf),
            |r, bits| out.push((r, bits)),
        );
        out
    }

    #[test]
    fn the_longest_phrase_wins_and_matching_resumes_after_it() {
        let t = table(
            Fold::Exact,
            &[
                ("New York", 1),
                ("New York Times", 2),
                ("York", 4),
                ("Times", 8),
            ],
        );
        assert_eq!(
            matches(&t, "the New York Times in York"),
            vec![(1..4, 2), (5..6, 4)]
        );
        // A shorter entry still matches where the longer one is cut off.
        assert_eq!(matches(&t, "New York Post"), vec![(0..2, 1)]);
        // The range end bounds a match: "New York Times" across the end is only "New York".
        let words = ["New", "York", "Times"];
        let mut buf = String::new();
        assert_eq!(t.longest_at(|k| words[k], 0, 2, &mut buf), Some((2, 1)));
        assert_eq!(t.longest_at(|k| words[k], 2, 2, &mut buf), None);
    }

    #[test]
    fn payloads_of_one_key_are_merged_and_long_phrases_dropped() {
        let t = table(
            Fold::Exact,
            &[("Georgia", 1), ("Georgia", 2), ("A B C D", 4)],
        );
        assert_eq!(matches(&t, "in Georgia"), vec![(1..2, 3)]);
        assert!(matches(&t, "A B C D").is_empty());
    }

    #[test]
    fn exact_tables_keep_case_and_folded_tables_ignore_it() {
        let phrases = [("South Korea", 1)];
        let exact = table(Fold::Exact, &phrases);
        let folded = table(Fold::Lower, &phrases);
        assert!(matches(&exact, "SOUTH KOREA").is_empty());
        assert_eq!(matches(&exact, "South Korea"), vec![(0..2, 1)]);
        assert_eq!(matches(&folded, "SOUTH KOREA"), vec![(0..2, 1)]);
        assert_eq!(matches(&folded, "south korea"), vec![(0..2, 1)]);
    }
}
