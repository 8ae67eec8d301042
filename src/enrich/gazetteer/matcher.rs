//! Longest-match lookup of lexicon phrases over token sequences, for gazetteer-only mentions.
//! Phrases are tokenized with the article tokenizer so "U.S." or "People's" split the same way in
//! the lexicon and in the text.

use super::GazKind;
use crate::enrich::phrases::{Fold, PhraseTable};
use crate::enrich::tokenize::tokenize;

/// Phrases longer than this many tokens are not matched.
const MAX_TOKENS: usize = 8;

pub(crate) struct PhraseMatcher {
    /// Phrases -> kind bits (bit `GazKind::index()`).
    phrases: PhraseTable<u16>,
    /// The same for lower-cased phrases whose lexicon form is not all capitals, to match headlines.
    folded: PhraseTable<u16>,
}

impl Default for PhraseMatcher {
    fn default() -> Self {
        Self {
            phrases: PhraseTable::new(MAX_TOKENS, Fold::Exact),
            folded: PhraseTable::new(MAX_TOKENS, Fold::Lower),
        }
    }
}

/// A phrase found at a token position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PhraseMatch {
    /// Number of tokens.
    pub len: usize,
    /// Kind bits.
    pub kinds: u16,
    /// Matched only after lower-casing an all-capitals text.
    pub folded: bool,
}

impl PhraseMatcher {
    pub(crate) fn insert(&mut self, name: &str, kind: GazKind) {
        let tokens = tokenize(name);
        let words: Vec<&str> = tokens.iter().map(|t| t.text).collect();
        let bit = 1 << kind.index();
        self.phrases.insert(&words, bit);
        let chars = || words.iter().flat_map(|w| w.chars());
        let all_caps = chars().any(char::is_uppercase) && !chars().any(char::is_lowercase);
        if !all_caps {
            self.folded.insert(&words, bit);
        }
    }

    /// The longest phrase starting at token `i` of `n` tokens, `word(k)` giving token k's text.
    pub(crate) fn longest_at<'a>(
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
        if let Some((len, kinds)) = self.phrases.longest_at(&word, i, n, buf) {
            return Some(PhraseMatch {
                len,
                kinds,
                folded: false,
            });
        }
        // Headlines and datelines write names in capitals ("SOUTH KOREA"); only then fold case.
        let shouting = w.chars().filter(|c| c.is_uppercase()).count() >= 2
            && !w.chars().any(char::is_lowercase);
        if !shouting {
            return None;
        }
        let (len, kinds) = self.folded.longest_at(&word, i, n, buf)?;
        Some(PhraseMatch {
            len,
            kinds,
            folded: true,
        })
    }
}
