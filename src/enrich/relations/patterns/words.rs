//! The words the patterns compare, read off the article's tokens, and reading titles (the lexicon
//! is [`crate::enrich::ner::titles`]).
//!
//! Patterns compare lowercase words, not token texts, so they do not depend on how the tokenizer
//! writes "Japan’s" or "U.S.": typographic apostrophes are plain, and a token with inner
//! punctuation is read as its parts ("U.S." -> `u.s` `.`, "6,000" -> `6` `,` `000`,
//! "director/CEO" -> `director` `/` `ceo`). A word never crosses a token boundary: the tokenizer
//! decides where words end ("Japan" "’s", "did" "n't"), this module only how they are spelled.

use crate::enrich::ner::titles::LEADER_ROLES;
use crate::enrich::Token;

/// One word: lowercase form and char span in the article.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    pub lower: String,
    /// The word starts with an upper-case letter in the article.
    pub capitalised: bool,
    pub start: usize,
    pub end: usize,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}')
}

fn lower(chars: &[char]) -> String {
    chars
        .iter()
        .map(|&c| if is_apostrophe(c) { '\'' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of `tokens`, in order: one per token, or several for a token with inner punctuation.
pub(crate) fn of_tokens(tokens: &[Token<'_>]) -> Vec<Word> {
    let mut out = Vec::with_capacity(tokens.len() + tokens.len() / 8);
    let mut chars = Vec::new();
    for token in tokens {
        chars.clear();
        chars.extend(token.text.chars());
        read_token(&chars, token.start, &mut out);
    }
    out
}

/// Appends the words of one token, `chars`, whose first char is at `offset` in the article.
fn read_token(chars: &[char], offset: usize, out: &mut Vec<Word>) {
    let at = |i: usize| chars.get(i).copied();
    let alnum = |i: usize| at(i).is_some_and(char::is_alphanumeric);
    // A clitic the tokenizer split off ("’s", "'m") is one word.
    if chars.len() > 1 && is_apostrophe(chars[0]) && chars[1..].iter().all(|c| c.is_alphabetic()) {
        out.push(Word {
            lower: lower(chars),
            capitalised: false,
            start: offset,
            end: offset + chars.len(),
        });
        return;
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() {
            let s = i;
            i += 1;
            loop {
                match at(i) {
                    Some(c) if c.is_alphanumeric() => i += 1,
                    // "O'Brien", "G-7", "U.S" stay one word.
                    Some(c) if is_apostrophe(c) && alnum(i + 1) => i += 1,
                    Some('-' | '.' | '\u{2010}' | '\u{2011}') if alnum(i + 1) => i += 1,
                    _ => break,
                }
            }
            out.push(Word {
                lower: lower(&chars[s..i]),
                capitalised: chars[s].is_uppercase(),
                start: offset + s,
                end: offset + i,
            });
        } else {
            out.push(Word {
                lower: lower(&chars[i..=i]),
                capitalised: false,
                start: offset + i,
                end: offset + i + 1,
            });
            i += 1;
        }
    }
}

/// Titles that may take a portfolio: "minister of finance", "secretary of state".
fn takes_portfolio(role: &str) -> bool {
    matches!(role, "Minister" | "Secretary")
}

fn title_case(w: &str) -> String {
    let mut cs = w.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// Reads a title at the start of `words`: optional "former", a title from the lexicon, and for
/// ministers an optional portfolio ("of finance"). Returns the role ("former President",
/// "Minister of Finance") and how many words it used.
pub(crate) fn parse_title(words: &[&str]) -> Option<(String, usize)> {
    let (former, rest) = match words.first() {
        Some(&"former") => (true, &words[1..]),
        _ => (false, words),
    };
    let (pattern, role) = LEADER_ROLES
        .iter()
        .find(|(p, _)| rest.len() >= p.len() && rest[..p.len()] == **p)?;
    let mut used = pattern.len();
    let mut role = role.to_string();
    if takes_portfolio(&role) && rest.get(used) == Some(&"of") {
        let portfolio: Vec<&str> = rest[used + 1..]
            .iter()
            .take_while(|w| {
                w.chars().all(char::is_alphabetic) && !matches!(**w, "of" | "the" | "and")
            })
            .take(3)
            .copied()
            .collect();
        if !portfolio.is_empty() {
            used += 1 + portfolio.len();
            let words: Vec<String> = portfolio.iter().map(|w| title_case(w)).collect();
            role = format!("{role} of {}", words.join(" "));
        }
    }
    if former {
        role = format!("former {role}");
        used += 1;
    }
    Some((role, used))
}

/// "the president of", "chairman of the": an optional "the", exactly a title, then "of" or
/// "of the" (what stands between a person and the country or organisation they lead).
pub(crate) fn title_then_of(words: &[&str]) -> Option<String> {
    let words = words.strip_prefix(&["the"]).unwrap_or(words);
    words
        .strip_suffix(&["of", "the"])
        .or_else(|| words.strip_suffix(&["of"]))
        .and_then(whole_title)
}

/// Exactly a title, nothing before or after it.
pub(crate) fn whole_title(words: &[&str]) -> Option<String> {
    parse_title(words).and_then(|(role, n)| (n == words.len()).then_some(role))
}

/// Staff nouns that, after an organisation's name, make the person named next one of its people
/// without leading it: "Kelso Bank official X", "Acme spokeswoman X", "Tarrow FC striker X".
pub(crate) fn is_staff(w: &str) -> bool {
    matches!(
        w,
        "official"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "executive"
            | "economist"
            | "analyst"
            | "strategist"
            | "director"
            | "adviser"
            | "advisor"
            | "lawyer"
            | "engineer"
            | "employee"
            | "staffer"
            | "reporter"
            | "correspondent"
            | "editor"
            | "researcher"
            | "scientist"
            | "member"
            | "lawmaker"
            | "legislator"
            | "senator"
            | "player"
            | "striker"
            | "midfielder"
            | "defender"
            | "goalkeeper"
            | "forward"
            | "coach"
            | "manager"
    )
}

/// Occupations that, after a nationality, say a person's citizenship ("South Korean diplomat X")
/// without making them a leader.
pub(crate) fn is_occupation(w: &str) -> bool {
    matches!(
        w,
        "diplomat"
            | "envoy"
            | "ambassador"
            | "businessman"
            | "businesswoman"
            | "tycoon"
            | "billionaire"
            | "activist"
            | "author"
            | "writer"
            | "novelist"
            | "poet"
            | "journalist"
            | "reporter"
            | "actor"
            | "actress"
            | "singer"
            | "artist"
            | "director"
            | "player"
            | "athlete"
            | "official"
            | "lawmaker"
            | "politician"
            | "opposition"
            | "scientist"
            | "economist"
            | "professor"
            | "national"
            | "citizen"
            | "soldier"
            | "general"
            | "swimmer"
            | "skater"
            | "golfer"
            | "star"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::tokenize::tokenize;

    fn lowers(s: &str) -> Vec<String> {
        of_tokens(&tokenize(s))
            .into_iter()
            .map(|w| w.lower)
            .collect()
    }

    #[test]
    fn splits_words_possessives_and_punctuation() {
        let cases: [(&str, &[&str]); 8] = [
            (
                "Japan’s Prime Minister",
                &["japan", "'s", "prime", "minister"],
            ),
            (
                "the G-7 summit in the U.S.",
                &["the", "g-7", "summit", "in", "the", "u.s", "."],
            ),
            (
                "O'Brien said, “no”",
                &["o'brien", "said", ",", "“", "no", "”"],
            ),
            ("Reuters' reporters", &["reuters", "'", "reporters"]),
            ("Lee’s", &["lee", "'s"]),
            ("they didn’t, I’m", &["they", "did", "n't", ",", "i", "'m"]),
            (
                "6,000 jobs, director/CEO",
                &["6", ",", "000", "jobs", ",", "director", "/", "ceo"],
            ),
            ("  ", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(lowers(input), want, "{input}");
        }
        let ws = of_tokens(&tokenize("ab Ü’s"));
        assert_eq!(
            (ws[1].start, ws[1].end, ws[2].start, ws[2].end),
            (3, 4, 4, 6)
        );
    }

    #[test]
    fn reads_titles() {
        type Case<'a> = (&'a [&'a str], Option<(&'a str, usize)>);
        let cases: [Case; 9] = [
            (&["president"], Some(("President", 1))),
            (&["prime", "minister", "x"], Some(("Prime Minister", 2))),
            (&["former", "president"], Some(("former President", 2))),
            (&["chief", "executive", "officer"], Some(("CEO", 3))),
            (&["ceo"], Some(("CEO", 1))),
            (
                &["minister", "of", "finance"],
                Some(("Minister of Finance", 3)),
            ),
            (
                &["minister", "of", "foreign", "affairs", "of"],
                Some(("Minister of Foreign Affairs", 4)),
            ),
            (&["vice", "president"], None),
            (&["spokesman"], None),
        ];
        for (input, want) in cases {
            let got = parse_title(input);
            assert_eq!(
                got.as_ref().map(|(r, n)| (r.as_str(), *n)),
                want,
                "{input:?}"
            );
        }
        assert_eq!(whole_title(&["president", "of"]), None);
        assert_eq!(whole_title(&["queen"]).as_deref(), Some("Queen"));
    }
}
