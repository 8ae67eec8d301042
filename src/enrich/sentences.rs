//! Sentence splitting over tokens. (Skeleton: splits after `.`, `!`, `?`; to be replaced.)

use super::{Sentence, Token};

pub fn split(_text: &str, tokens: &[Token<'_>]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut first = 0;
    for (i, t) in tokens.iter().enumerate() {
        if matches!(t.text, "." | "!" | "?") {
            out.push(Sentence {
                tokens: first..i + 1,
                start: tokens[first].start,
                end: t.end,
            });
            first = i + 1;
        }
    }
    if first < tokens.len() {
        let last = tokens.len() - 1;
        out.push(Sentence {
            tokens: first..tokens.len(),
            start: tokens[first].start,
            end: tokens[last].end,
        });
    }
    out
}
