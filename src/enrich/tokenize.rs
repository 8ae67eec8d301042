//! Tokenizer with char offsets. (Skeleton: splits on whitespace and punctuation; to be replaced.)

use super::Token;

pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte, char)
    for (ci, (bi, ch)) in text.char_indices().enumerate() {
        let is_word = ch.is_alphanumeric();
        if let Some((sb, sc)) = start {
            if !is_word {
                out.push(Token {
                    text: &text[sb..bi],
                    start: sc,
                    end: ci,
                    byte_start: sb,
                });
                start = None;
            }
        }
        if is_word {
            if start.is_none() {
                start = Some((bi, ci));
            }
        } else if !ch.is_whitespace() {
            out.push(Token {
                text: &text[bi..bi + ch.len_utf8()],
                start: ci,
                end: ci + 1,
                byte_start: bi,
            });
        }
    }
    if let Some((sb, sc)) = start {
        let n = text.chars().count();
        out.push(Token {
            text: &text[sb..],
            start: sc,
            end: n,
            byte_start: sb,
        });
    }
    out
}
