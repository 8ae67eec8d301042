//! Test fixtures for the rules that run after tagging: a tokenized text and mentions placed on
//! it by word.

use crate::enrich::{sentences, tokenize, EntityType, Mention, Sentence, Token};

pub(crate) struct Doc<'a> {
    pub toks: Vec<Token<'a>>,
    pub sents: Vec<Sentence>,
}

impl<'a> Doc<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let toks = tokenize::tokenize(text);
        let sents = sentences::split(text, &toks);
        Doc { toks, sents }
    }

    /// Token index of the `nth` (from 0) token that reads `word`.
    pub(crate) fn at(&self, word: &str, nth: usize) -> usize {
        let found = self
            .toks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.text == word)
            .nth(nth)
            .map(|(i, _)| i);
        found.unwrap_or_else(|| panic!("no token {word:?} #{nth}"))
    }

    /// A mention of `n` tokens from the `nth` `word`, in the sentence that holds it.
    pub(crate) fn mention(&self, word: &str, nth: usize, n: usize, etype: EntityType) -> Mention {
        let i = self.at(word, nth);
        let sentence = self
            .sents
            .iter()
            .position(|s| s.tokens.contains(&i))
            .unwrap_or(0);
        Mention::over(&self.toks, i..i + n, sentence, etype, 0.9)
    }
}

/// (text, type) of each mention, for assertions.
pub(crate) fn kinds(ms: &[Mention]) -> Vec<(&str, EntityType)> {
    ms.iter().map(|m| (m.text.as_str(), m.etype)).collect()
}
