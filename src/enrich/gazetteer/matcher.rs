//! Longest-match lookup of lexicon phrases over token sequences, for tagger features and for
//! gazetteer-only mentions. Phrases are tokenized with the article tokenizer so "U.S." or "People's"
//! split the same way in the lexicon and in the text.

use super::GazKind;
use crate::enrich::tokenize::tokenize;
use rustc_hash::FxHashMap;

/// Phrases longer than this many tokens are not matched.
const MAX_TOKENS: usize = 8;

/// Feature bit set on the first token of a phrase of `kind`.
pub fn feature_b(kind: GazKind) -> u16 {
    1 << kind.index()
}

/// Feature bit set on the following tokens of a phrase of `kind`.
pub fn feature_i(kind: GazKind) -> u16 {
    1 << (8 + kind.index())
}

#[derive(Default)]
pub struct PhraseMatcher {
    /// Tokens joined by single spaces -> kind bits (bit `GazKind::index()`).
    phrases: FxHashMap<Box<str>, u16>,
    /// The same for lower-cased phrases whose lexicon form is not all capitals, to match headlines.
    folded: FxHashMap<Box<str>, u16>,
    /// First token -> bit set of the phrase lengths starting with it (bit `len - 1`), exact case and
    /// folded, so a probe builds only keys that can exist.
    first: FxHashMap<Box<str>, u8>,
    first_folded: FxHashMap<Box<str>, u8>,
}

/// A phrase found at a token position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseMatch {
    /// Number of tokens.
    pub len: usize,
    /// Kind bits.
    pub kinds: u16,
    /// Matched only after lower-casing an all-capitals text.
    pub folded: bool,
}

impl PhraseMatcher {
    pub fn insert(&mut self, name: &str, kind: GazKind) {
        let tokens = tokenize(name);
        if tokens.is_empty() || tokens.len() > MAX_TOKENS {
            return;
        }
        let key = tokens.iter().map(|t| t.text).collect::<Vec<_>>().join(" ");
        let len = tokens.len() as u8;
        *self.phrases.entry(key.as_str().into()).or_default() |= 1 << kind.index();
        *self.first.entry(tokens[0].text.into()).or_default() |= 1 << (len - 1);
        let all_caps = key.chars().any(char::is_uppercase) && !key.chars().any(char::is_lowercase);
        if !all_caps {
            let lower = key.to_lowercase();
            *self.folded.entry(lower.as_str().into()).or_default() |= 1 << kind.index();
            let first_word = tokens[0].text.to_lowercase();
            *self.first_folded.entry(first_word.into()).or_default() |= 1 << (len - 1);
        }
    }

    /// The longest phrase starting at token `i` of `n` tokens, `word(k)` giving token k's text.
    pub fn longest_at<'a>(
        &self,
        n: usize,
        word: impl Fn(usize) -> &'a str,
        i: usize,
        buf: &mut String,
    ) -> Option<PhraseMatch> {
        let w = word(i);
        // Lexicon phrases start with a capital; most tokens are lower-case words or punctuation.
        if !w.chars().next().is_some_and(char::is_uppercase) {
            return None;
        }
        if let Some(&max) = self.first.get(w) {
            if let Some((len, kinds)) = probe(&self.phrases, n, &word, i, max, buf, false) {
                return Some(PhraseMatch {
                    len,
                    kinds,
                    folded: false,
                });
            }
        }
        // Headlines and datelines write names in capitals ("SOUTH KOREA"); only then fold case.
        let shouting = w.chars().filter(|c| c.is_uppercase()).count() >= 2
            && !w.chars().any(char::is_lowercase);
        if shouting {
            let lower = w.to_lowercase();
            if let Some(&max) = self.first_folded.get(lower.as_str()) {
                if let Some((len, kinds)) = probe(&self.folded, n, &word, i, max, buf, true) {
                    return Some(PhraseMatch {
                        len,
                        kinds,
                        folded: true,
                    });
                }
            }
        }
        None
    }

    /// Per-token B/I flags (see [`feature_b`], [`feature_i`]) from a left-to-right longest match.
    pub fn features<'a>(&self, n: usize, word: impl Fn(usize) -> &'a str) -> Vec<u16> {
        let mut out = vec![0u16; n];
        let mut buf = String::new();
        let mut i = 0;
        while i < n {
            match self.longest_at(n, &word, i, &mut buf) {
                Some(m) => {
                    out[i] |= m.kinds;
                    for flags in &mut out[i + 1..i + m.len] {
                        *flags |= m.kinds << 8;
                    }
                    i += m.len;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// Tries the phrase lengths in `lengths` (bit `len - 1`), longest first, at token `i`; returns
/// (length, kind bits).
fn probe<'a>(
    map: &FxHashMap<Box<str>, u16>,
    n: usize,
    word: &impl Fn(usize) -> &'a str,
    i: usize,
    lengths: u8,
    buf: &mut String,
    lower: bool,
) -> Option<(usize, u16)> {
    for len in (1..=MAX_TOKENS.min(n - i)).rev() {
        if lengths & (1 << (len - 1)) == 0 {
            continue;
        }
        if len == 1 && !lower {
            if let Some(&kinds) = map.get(word(i)) {
                return Some((1, kinds));
            }
            continue;
        }
        buf.clear();
        for k in i..i + len {
            if k > i {
                buf.push(' ');
            }
            let w = word(k);
            if lower {
                buf.extend(w.chars().flat_map(char::to_lowercase));
            } else {
                buf.push_str(w);
            }
        }
        if let Some(&kinds) = map.get(buf.as_str()) {
            return Some((len, kinds));
        }
    }
    None
}
