//! Sentence splitting over tokens.
//!
//! A sentence ends at `.`, `!`, `?` or an ellipsis (taking closing quotes and brackets that follow
//! with it) unless the next word starts in lower case. Abbreviations and initials keep their dot
//! inside the token (see [`super::tokenize`]), so "U.S." or "J." end a sentence only when a word that
//! typically opens a sentence follows; titles ("Dr.", "Gen.") and months ("Jan.") never do. A blank
//! line always ends a sentence. Datelines ("SEOUL, June 18 (Reuters) -") carry no terminator and so
//! stay with the first sentence.

use super::tokenize::is_abbreviation;
use super::{Sentence, Token};

/// Most tokens in one sentence. Longer runs without a sentence end (a data dump, a list, text
/// with no punctuation) are cut into chunks of this size: tagging, the patterns and relation
/// candidates look at one sentence at a time and some of their checks scan the sentence, so the
/// cap keeps their cost linear in the article. News sentences have 20 to 40 tokens and rarely
/// more than 120; 256 leaves real sentences whole.
pub(crate) const MAX_SENTENCE_TOKENS: usize = 256;

/// Splits the tokens of `text` into sentences; every token belongs to exactly one sentence, and
/// no sentence has more than [`MAX_SENTENCE_TOKENS`] tokens.
pub fn split(text: &str, tokens: &[Token<'_>]) -> Vec<Sentence> {
    let mut out = Vec::new();
    for s in split_unbounded(text, tokens) {
        cut_long(s, tokens, &mut out);
    }
    out
}

/// Appends `s` to `out`, cut into chunks of at most [`MAX_SENTENCE_TOKENS`] tokens.
fn cut_long(s: Sentence, tokens: &[Token<'_>], out: &mut Vec<Sentence>) {
    if s.tokens.len() <= MAX_SENTENCE_TOKENS {
        out.push(s);
        return;
    }
    let mut first = s.tokens.start;
    while first < s.tokens.end {
        let last = first.saturating_add(MAX_SENTENCE_TOKENS).min(s.tokens.end);
        let (Some(a), Some(b)) = (tokens.get(first), tokens.get(last - 1)) else {
            return;
        };
        out.push(Sentence {
            tokens: first..last,
            start: a.start,
            end: b.end,
        });
        first = last;
    }
}

fn split_unbounded(text: &str, tokens: &[Token<'_>]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut first = 0;
    let mut i = 0;
    // The current line: its first token, and whether it is written in capitals so far (a headline
    // or dateline such as "BRUSSELS 1996-08-22", which ends at its line break).
    let mut line_first = 0;
    let mut line_caps = true;
    let mut line_has_upper = false;
    while i < tokens.len() {
        let word = tokens[i].text;
        line_caps &= !word.chars().any(char::is_lowercase);
        line_has_upper |= word.chars().any(char::is_uppercase);
        let mut last = i;
        let mut ends = false;
        if let Some(kind) = terminator(word) {
            last = absorb_closers(tokens, i);
            ends = match tokens.get(last + 1) {
                None => true,
                Some(next) => {
                    newlines(text, &tokens[last], next) >= 2 || ends_before(kind, next.text)
                }
            };
        }
        if !ends {
            last = i;
            ends = tokens.get(i + 1).is_some_and(|next| {
                let breaks = newlines(text, &tokens[i], next);
                let caps_line = line_first >= first && line_caps && line_has_upper;
                breaks >= 2
                    || (breaks == 1 && caps_line && !next.text.starts_with(char::is_lowercase))
            });
        }
        if ends || last + 1 == tokens.len() {
            out.push(Sentence {
                tokens: first..last + 1,
                start: tokens[first].start,
                end: tokens[last].end,
            });
            first = last + 1;
        }
        if tokens
            .get(last + 1)
            .is_some_and(|next| newlines(text, &tokens[last], next) > 0)
        {
            line_first = last + 1;
            line_caps = true;
            line_has_upper = false;
        }
        i = last + 1;
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Terminator {
    /// `.`, `!`, `?`: ends unless a lower-case word follows.
    Hard,
    /// An ellipsis: ends only before a capitalised word or an opening quote.
    Ellipsis,
    /// An abbreviation or initial that may close a sentence ("in the U.S. The …").
    Abbreviation,
}

fn terminator(tok: &str) -> Option<Terminator> {
    match tok {
        "." | "!" | "?" | "?!" | "!?" => Some(Terminator::Hard),
        "…" => Some(Terminator::Ellipsis),
        _ if tok.len() >= 2 && tok.bytes().all(|b| b == b'.') => Some(Terminator::Ellipsis),
        _ if tok.ends_with('.') && is_abbreviation(tok) && !never_ends(tok) => {
            Some(Terminator::Abbreviation)
        }
        _ => None,
    }
}

/// Abbreviations that always lead into a name or a number.
fn never_ends(tok: &str) -> bool {
    matches!(
        &tok[..tok.len() - 1],
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "Prof"
            | "Gen"
            | "Sen"
            | "Rep"
            | "Gov"
            | "Lt"
            | "Col"
            | "Sgt"
            | "Capt"
            | "Maj"
            | "Adm"
            | "Cmdr"
            | "Rev"
            | "Hon"
            | "Pres"
            | "Amb"
            | "St"
            | "Mt"
            | "Ft"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Sept"
            | "Oct"
            | "Nov"
            | "Dec"
            | "No"
            | "Nos"
            | "vs"
    )
}

/// Index of the last closing quote or bracket directly after the terminator at `i`.
fn absorb_closers(tokens: &[Token<'_>], i: usize) -> usize {
    let mut j = i;
    while let Some(next) = tokens.get(j + 1) {
        let closer = match next.text {
            ")" | "]" | "”" | "’" | "»" => true,
            // Straight quotes open as often as they close: only take one glued to the terminator.
            "\"" | "'" => next.start == tokens[j].end,
            _ => false,
        };
        if !closer {
            break;
        }
        j += 1;
    }
    j
}

fn ends_before(kind: Terminator, next: &str) -> bool {
    let Some(c) = next.chars().next() else {
        return false;
    };
    match kind {
        Terminator::Hard => !c.is_lowercase(),
        Terminator::Ellipsis => c.is_uppercase() || matches!(c, '“' | '"' | '‘'),
        Terminator::Abbreviation => is_sentence_opener(next),
    }
}

/// Words that open sentences far more often than they continue a name after "U.S." or "Inc.".
fn is_sentence_opener(word: &str) -> bool {
    matches!(
        word,
        "The"
            | "A"
            | "An"
            | "He"
            | "She"
            | "It"
            | "They"
            | "We"
            | "I"
            | "You"
            | "But"
            | "And"
            | "Or"
            | "In"
            | "On"
            | "At"
            | "This"
            | "That"
            | "These"
            | "Those"
            | "His"
            | "Her"
            | "Its"
            | "Their"
            | "Our"
            | "There"
            | "However"
            | "Meanwhile"
            | "Still"
            | "Also"
            | "After"
            | "Before"
            | "When"
            | "While"
            | "As"
            | "If"
            | "For"
            | "Some"
            | "Many"
            | "Most"
            | "Earlier"
            | "Later"
            | "According"
            | "Despite"
            | "Since"
            | "Under"
            | "Officials"
            | "Analysts"
            | "“"
            | "\""
    )
}

/// Number of line breaks in the whitespace between two tokens (2 or more: a paragraph break).
fn newlines(text: &str, prev: &Token<'_>, next: &Token<'_>) -> usize {
    let from = prev.byte_start + prev.text.len();
    text.get(from..next.byte_start)
        .map_or(0, |gap| gap.bytes().filter(|&b| b == b'\n').count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::tokenize::tokenize;

    fn sentences(text: &str) -> Vec<String> {
        let tokens = tokenize(text);
        split(text, &tokens)
            .into_iter()
            .map(|s| text.chars().skip(s.start).take(s.end - s.start).collect())
            .collect()
    }

    #[test]
    fn splits_where_a_reader_would() {
        let cases: &[(&str, &[&str])] = &[
            ("He left. She stayed.", &["He left.", "She stayed."]),
            ("Why? Because! Yes.", &["Why?", "Because!", "Yes."]),
            (
                "Mr. Lee met Dr. Kim in the U.S. on Jan. 3.",
                &["Mr. Lee met Dr. Kim in the U.S. on Jan. 3."],
            ),
            (
                "It rose 3.5 percent. Prices fell.",
                &["It rose 3.5 percent.", "Prices fell."],
            ),
            (
                "George W. Bush spoke. He left.",
                &["George W. Bush spoke.", "He left."],
            ),
            (
                "The firm moved to the U.S. The plan worked.",
                &["The firm moved to the U.S.", "The plan worked."],
            ),
            (
                "U.S. President Trump arrived.",
                &["U.S. President Trump arrived."],
            ),
            (
                "“We agreed.” Lee said so.",
                &["“We agreed.”", "Lee said so."],
            ),
            (
                "“Why?” he asked. Nobody knew.",
                &["“Why?” he asked.", "Nobody knew."],
            ),
            (
                "He said (in Seoul.) Then left.",
                &["He said (in Seoul.)", "Then left."],
            ),
            (
                "First paragraph without a stop\n\nSecond one.",
                &["First paragraph without a stop", "Second one."],
            ),
            ("It was... well, fine.", &["It was... well, fine."]),
            ("Wait... Then it came.", &["Wait...", "Then it came."]),
            (
                "SEOUL, June 18 (Reuters) - Leaders met on Tuesday. Talks went well.",
                &[
                    "SEOUL, June 18 (Reuters) - Leaders met on Tuesday.",
                    "Talks went well.",
                ],
            ),
            ("no stop at the end", &["no stop at the end"]),
            (
                "BRUSSELS 1996-08-22\nThe Commission said so.",
                &["BRUSSELS 1996-08-22", "The Commission said so."],
            ),
            (
                "a line wrapped\nin the middle. And THE\nEND",
                &["a line wrapped\nin the middle.", "And THE\nEND"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(&sentences(input), want, "input: {input}");
        }
    }

    #[test]
    fn sentences_cover_all_tokens_in_order() {
        let text = "A b. C d!\n\nE f? G";
        let tokens = tokenize(text);
        let sents = split(text, &tokens);
        assert_eq!(sents.first().map(|s| s.tokens.start), Some(0));
        assert_eq!(sents.last().map(|s| s.tokens.end), Some(tokens.len()));
        for pair in sents.windows(2) {
            assert_eq!(pair[0].tokens.end, pair[1].tokens.start);
        }
        assert!(split("", &[]).is_empty());
    }
}
