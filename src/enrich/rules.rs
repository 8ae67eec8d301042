//! Rule-based DATE, MONEY and PERCENT mentions.
//!
//! The rules are deliberately precise rather than exhaustive: explicit calendar dates ("June 18,
//! 2025", "18 June", "2025-06-18"), weekdays, months next to a day or year or after a preposition
//! ("in May"), years after a preposition ("in 2024", "from 1910-1945"), amounts with a currency symbol
//! or word ("$1.2 billion", "5 billion won") and percentages ("3.5%", "12 percent"). Relative
//! expressions ("last week") are left out: they name no fixed date. Matches never cross a sentence.

use super::{EntityType, Mention, Sentence, Token};

/// Finds DATE, MONEY and PERCENT mentions, sorted by position, none overlapping.
pub(crate) fn find(text: &str, tokens: &[Token<'_>], sentences: &[Sentence]) -> Vec<Mention> {
    let mut out = Vec::new();
    for (si, sentence) in sentences.iter().enumerate() {
        let end = sentence.tokens.end.min(tokens.len());
        let mut i = sentence.tokens.start;
        while i < end {
            if !may_start(tokens[i].text) {
                i += 1;
                continue;
            }
            let window = &tokens[..end];
            let found = percent_at(window, i)
                .map(|n| (n, EntityType::Percent))
                .or_else(|| money_at(window, i).map(|n| (n, EntityType::Money)))
                .or_else(|| {
                    date_at(window, i, sentence.tokens.start).map(|n| (n, EntityType::Date))
                });
            match found {
                Some((n, etype)) => {
                    out.push(mention(text, tokens, i, i + n, si, etype));
                    i += n;
                }
                None => i += 1,
            }
        }
    }
    out
}

/// Cheap filter: every rule starts at a digit, a sign, a capitalised word (months, weekdays,
/// "US$"), a non-ASCII symbol ("€") or a number word. Lower-case words are most tokens.
fn may_start(w: &str) -> bool {
    match w.as_bytes().first() {
        Some(b) if b.is_ascii_lowercase() => is_number_word(w),
        Some(b) => !b.is_ascii_punctuation() || matches!(b, b'$' | b'-' | b'+'),
        None => false,
    }
}

fn mention(
    text: &str,
    tokens: &[Token<'_>],
    a: usize,
    b: usize,
    sentence: usize,
    etype: EntityType,
) -> Mention {
    let (first, last) = (&tokens[a], &tokens[b - 1]);
    let bytes = first.byte_start..last.byte_start + last.text.len();
    Mention {
        start: first.start,
        end: last.end,
        tokens: a..b,
        sentence,
        etype,
        text: text.get(bytes).unwrap_or_default().to_string(),
        confidence: 1.0,
    }
}

fn text_at<'a>(tokens: &[Token<'a>], i: usize) -> Option<&'a str> {
    tokens.get(i).map(|t| t.text)
}

/// "3.5", "1,000", "-2", "3-4": digits with separators, optionally a range.
fn is_number(w: &str) -> bool {
    let body = w.strip_prefix(['-', '+']).unwrap_or(w);
    let b = body.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b',' | b'-'))
        && b.iter().filter(|&&c| c == b'-').count() <= 1
}

const NUMBER_WORDS: [&str; 21] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "hundreds", "several",
    "half",
];

fn is_number_word(w: &str) -> bool {
    // Checked on every token: compare in place rather than lower-casing into a new String.
    w.len() <= 8 && NUMBER_WORDS.iter().any(|n| n.eq_ignore_ascii_case(w))
}

fn is_scale(w: &str) -> bool {
    matches!(
        w,
        "thousand"
            | "million"
            | "billion"
            | "trillion"
            | "millions"
            | "billions"
            | "m"
            | "mn"
            | "mln"
            | "bn"
            | "b"
            | "bln"
            | "tn"
            | "trn"
            | "k"
    )
}

/// Length of a number with an optional scale word at `i`.
fn amount_at(tokens: &[Token<'_>], i: usize) -> Option<usize> {
    let w = text_at(tokens, i)?;
    if !(is_number(w) || is_number_word(w)) {
        return None;
    }
    let scaled = text_at(tokens, i + 1).is_some_and(is_scale);
    Some(1 + usize::from(scaled))
}

fn percent_at(tokens: &[Token<'_>], i: usize) -> Option<usize> {
    let w = text_at(tokens, i)?;
    if !(is_number(w) || is_number_word(w)) {
        return None;
    }
    match text_at(tokens, i + 1)? {
        "%" | "percent" | "pct" => {
            let points = matches!(text_at(tokens, i + 2), Some("point" | "points"));
            Some(2 + usize::from(points))
        }
        "per" if text_at(tokens, i + 2) == Some("cent") => Some(3),
        "percentage" if matches!(text_at(tokens, i + 2), Some("point" | "points")) => Some(3),
        _ => None,
    }
}

fn is_currency_symbol(w: &str) -> bool {
    matches!(
        w,
        "$" | "€" | "£" | "¥" | "₩" | "₹" | "₽" | "₺" | "₪" | "Rs" | "Rs."
    ) || (w.len() <= 4
        && w.len() > 1
        && w.ends_with('$')
        && w[..w.len() - 1].bytes().all(|b| b.is_ascii_uppercase()))
}

fn is_currency_word(w: &str) -> bool {
    matches!(
        w,
        "dollar"
            | "dollars"
            | "euro"
            | "euros"
            | "yen"
            | "won"
            | "pound"
            | "pounds"
            | "sterling"
            | "yuan"
            | "renminbi"
            | "rupee"
            | "rupees"
            | "rouble"
            | "roubles"
            | "ruble"
            | "rubles"
            | "franc"
            | "francs"
            | "peso"
            | "pesos"
            | "reais"
            | "lira"
            | "lire"
            | "rand"
            | "ringgit"
            | "baht"
            | "rupiah"
            | "shekel"
            | "shekels"
            | "dinar"
            | "dinars"
            | "dirham"
            | "dirhams"
            | "riyal"
            | "riyals"
            | "krona"
            | "kronor"
            | "krone"
            | "kroner"
            | "zloty"
            | "zlotys"
            | "forint"
            | "hryvnia"
            | "hryvnias"
            | "cents"
            | "pence"
            | "marks"
            | "guilders"
    )
}

/// A 4-digit number that reads as a year (used to keep "in 2004 won" from becoming money).
fn is_year(w: &str) -> bool {
    w.len() == 4
        && w.bytes().all(|b| b.is_ascii_digit())
        && matches!(w.as_bytes()[0], b'1' | b'2')
        && (1000..=2199).contains(&w.parse::<u32>().unwrap_or(0))
}

fn money_at(tokens: &[Token<'_>], i: usize) -> Option<usize> {
    let w = text_at(tokens, i)?;
    if is_currency_symbol(w) {
        let n = amount_at(tokens, i + 1)?;
        // "$5 billion dollars" is rare; the symbol already names the currency.
        return is_number(text_at(tokens, i + 1)?).then_some(1 + n);
    }
    let n = amount_at(tokens, i)?;
    // Up to two capitalised words may name the currency's country: "U.S. dollars", "Hong Kong dollars".
    for adjectives in 0..=2 {
        let Some(word) = text_at(tokens, i + n + adjectives) else {
            break;
        };
        if is_currency_word(word) {
            if adjectives > 0 && !word.starts_with("dollar") && !word.starts_with("franc") {
                return None;
            }
            if word == "won" && n == 1 && is_year(w) {
                return None;
            }
            return Some(n + adjectives + 1);
        }
        if !word.starts_with(|c: char| c.is_uppercase()) {
            break;
        }
    }
    None
}

fn month(w: &str) -> Option<bool> {
    // Some(true) for full names that may stand alone after a preposition.
    match w {
        "January" | "February" | "March" | "April" | "May" | "June" | "July" | "August"
        | "September" | "October" | "November" | "December" => Some(true),
        "Jan." | "Feb." | "Mar." | "Apr." | "Jun." | "Jul." | "Aug." | "Sep." | "Sept."
        | "Oct." | "Nov." | "Dec." | "Sept" => Some(false),
        _ => None,
    }
}

fn is_weekday(w: &str) -> bool {
    matches!(
        w,
        "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday" | "Sunday"
    )
}

/// "3", "18th", "1st": a day of the month.
fn is_day(w: &str) -> bool {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    let suffix_ok = matches!(&w[digits..], "" | "st" | "nd" | "rd" | "th");
    (1..=2).contains(&digits)
        && suffix_ok
        && (1..=31).contains(&w[..digits].parse::<u32>().unwrap_or(0))
}

fn is_iso_date(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(k, c)| k == 4 || k == 7 || c.is_ascii_digit())
}

/// "1910-1945" or "1990s" or "mid-2024": years that need no preposition to read as dates once
/// the context word allows them.
fn is_year_like(w: &str) -> bool {
    if is_year(w) {
        return true;
    }
    if let Some((a, b)) = w.split_once(['-', '/']) {
        if a == "mid" {
            return is_year(b);
        }
        return is_year(a)
            && (is_year(b) || (b.len() == 2 && b.bytes().all(|c| c.is_ascii_digit())));
    }
    w.len() == 5 && w.ends_with("0s") && is_year(&w[..4])
}

/// Words after which a bare year or month names a time: "in 2024", "since May".
const TIME_WORDS: [&str; 17] = [
    "in", "since", "by", "until", "till", "from", "during", "before", "after", "through",
    "between", "early", "late", "last", "next", "this", "the",
];

fn is_time_preposition(w: &str) -> bool {
    TIME_WORDS.iter().any(|n| n.eq_ignore_ascii_case(w))
}

/// Length of a date phrase that starts with a month at `i`: "June 18, 2025", "June 3", "June 2025".
fn month_phrase(tokens: &[Token<'_>], i: usize) -> Option<usize> {
    month(text_at(tokens, i)?)?;
    let next = text_at(tokens, i + 1);
    if next.is_some_and(is_day) {
        let with_year = match (text_at(tokens, i + 2), text_at(tokens, i + 3)) {
            (Some(","), Some(y)) if is_year(y) => 2,
            (Some(y), _) if is_year(y) => 1,
            _ => 0,
        };
        return Some(2 + with_year);
    }
    if next.is_some_and(is_year) {
        return Some(2);
    }
    None
}

fn date_at(tokens: &[Token<'_>], i: usize, sentence_start: usize) -> Option<usize> {
    let w = text_at(tokens, i)?;
    if is_iso_date(w) {
        return Some(1);
    }
    if is_weekday(w) {
        // "Tuesday, June 18" is one date.
        let comma = usize::from(text_at(tokens, i + 1) == Some(","));
        return Some(match month_phrase(tokens, i + 1 + comma) {
            Some(n) => 1 + comma + n,
            None => 1,
        });
    }
    if let Some(n) = month_phrase(tokens, i) {
        return Some(n);
    }
    let prev = (i > sentence_start).then(|| tokens[i - 1].text);
    if is_day(w) && text_at(tokens, i + 1).and_then(month).is_some() {
        let year = text_at(tokens, i + 2).is_some_and(is_year);
        return Some(2 + usize::from(year));
    }
    let after_time_word = prev.is_some_and(is_time_preposition);
    let after_the = prev.is_some_and(|p| p.eq_ignore_ascii_case("the"));
    if month(w) == Some(true) && after_time_word && !after_the {
        let year = text_at(tokens, i + 1).is_some_and(is_year);
        return Some(1 + usize::from(year));
    }
    if is_year_like(w) {
        // "between 2020 and 2024": the second year follows a conjunction after a year.
        let after_year = matches!(prev, Some("and" | "to" | "or"))
            && i >= sentence_start + 2
            && is_year_like(tokens[i - 2].text);
        let decade = w.ends_with('s');
        if (after_time_word && (!after_the || decade)) || after_year {
            return Some(1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::{sentences, tokenize::tokenize};

    fn found(text: &str) -> Vec<(&'static str, String)> {
        let tokens = tokenize(text);
        let sents = sentences::split(text, &tokens);
        find(text, &tokens, &sents)
            .into_iter()
            .map(|m| {
                let by_chars: String = text.chars().skip(m.start).take(m.end - m.start).collect();
                assert_eq!(by_chars, m.text, "offsets of {m:?}");
                assert_eq!(m.confidence, 1.0);
                (m.etype.as_str(), m.text)
            })
            .collect()
    }

    fn check(cases: &[(&str, &[(&str, &str)])]) {
        for (input, want) in cases {
            let want: Vec<(&str, String)> = want.iter().map(|(t, s)| (*t, s.to_string())).collect();
            assert_eq!(found(input), want, "input: {input}");
        }
    }

    #[test]
    fn finds_dates() {
        check(&[
            ("They met on Tuesday.", &[("DATE", "Tuesday")]),
            (
                "Signed on June 18, 2025 in Seoul.",
                &[("DATE", "June 18, 2025")],
            ),
            ("after losing a June 3 ballot", &[("DATE", "June 3")]),
            (
                "on Tuesday, June 18 they met",
                &[("DATE", "Tuesday, June 18")],
            ),
            ("Published 2025-06-18.", &[("DATE", "2025-06-18")]),
            (
                "on 18 June 2025 and Sept. 3",
                &[("DATE", "18 June 2025"), ("DATE", "Sept. 3")],
            ),
            (
                "in May the talks and in 2024 a deal",
                &[("DATE", "May"), ("DATE", "2024")],
            ),
            ("rule from 1910-1945 ended", &[("DATE", "1910-1945")]),
            (
                "between 2020 and 2024 it grew",
                &[("DATE", "2020"), ("DATE", "2024")],
            ),
            ("in the 1990s", &[("DATE", "1990s")]),
            ("by March 2026", &[("DATE", "March 2026")]),
        ]);
    }

    #[test]
    fn leaves_non_dates_alone() {
        check(&[
            ("May I ask? He may go.", &[]),
            ("The 2024 budget and 1,500 troops.", &[]),
            ("a week ago and last week", &[]),
            ("troops march on", &[]),
        ]);
    }

    #[test]
    fn finds_money() {
        check(&[
            ("a $1.2 billion deal", &[("MONEY", "$1.2 billion")]),
            ("worth $1.2bn today", &[("MONEY", "$1.2bn")]),
            ("cost 1 million yen", &[("MONEY", "1 million yen")]),
            ("raised €5m", &[("MONEY", "€5m")]),
            ("5 billion won in aid", &[("MONEY", "5 billion won")]),
            (
                "paid US$17,000 and 300 U.S. dollars",
                &[("MONEY", "US$17,000"), ("MONEY", "300 U.S. dollars")],
            ),
            ("12 Hong Kong dollars", &[("MONEY", "12 Hong Kong dollars")]),
        ]);
    }

    #[test]
    fn leaves_non_money_alone() {
        check(&[
            ("The team that in 2004 won the cup", &[("DATE", "2004")]),
            ("5 Korean students", &[]),
            ("the $ sign", &[]),
        ]);
    }

    #[test]
    fn finds_percentages() {
        check(&[
            ("rose 3.5% on", &[("PERCENT", "3.5%")]),
            (
                "up 12 percent and 4 per cent",
                &[("PERCENT", "12 percent"), ("PERCENT", "4 per cent")],
            ),
            (
                "cut by 0.25 percentage points",
                &[("PERCENT", "0.25 percentage points")],
            ),
            ("fell 7 pct", &[("PERCENT", "7 pct")]),
        ]);
    }

    #[test]
    fn reports_token_range_and_sentence() {
        let text = "Prices fell. They rose 3% on Tuesday.";
        let tokens = tokenize(text);
        let sents = sentences::split(text, &tokens);
        let found = find(text, &tokens, &sents);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].sentence, 1);
        assert_eq!(
            tokens[found[0].tokens.clone()]
                .iter()
                .map(|t| t.text)
                .collect::<Vec<_>>(),
            ["3", "%"]
        );
        assert_eq!(found[1].tokens.len(), 1);
        assert_eq!((found[1].start, found[1].end), (29, 36));
    }
}
