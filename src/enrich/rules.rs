//! Rule-based DATE, MONEY and PERCENT mentions. (Skeleton: finds nothing yet.)

use super::{Mention, Sentence, Token};

pub fn find(_text: &str, _tokens: &[Token<'_>], _sentences: &[Sentence]) -> Vec<Mention> {
    Vec::new()
}
