//! Tokenizer with char offsets, following CoNLL-2003 conventions because the tagger is trained on
//! CoNLL tokens: "U.S." and "Corp." stay whole, hyphenated words ("G-7", "1996-08-22") stay whole,
//! possessives and clitics split off ("Japan" "’s", "do" "n't"), "$" and "%" are their own tokens.
//!
//! The text is cut at whitespace into chunks; each chunk loses its opening punctuation (prefixes) and
//! closing punctuation, clitics and units (suffixes), and what is left is split again at inner
//! punctuation (dashes, ellipses, commas between words). No regexes: every test looks at a few bytes.

use super::Token;

/// Splits `text` into tokens with char and byte offsets, in text order.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    tokenize_at_most(text, usize::MAX).0
}

/// The first `max` tokens of `text`, and whether text with more tokens was left out.
pub(crate) fn tokenize_at_most(text: &str, max: usize) -> (Vec<Token<'_>>, bool) {
    let (mut spans, mut truncated) = spans_at_most(text, max);
    if spans.len() > max {
        spans.truncate(max);
        truncated = true;
    }
    (to_tokens(text, &spans), truncated)
}

/// Token byte spans, stopping at the first chunk boundary once `max` spans are found (the last
/// chunk may add a few more); true when text was left unread.
fn spans_at_most(text: &str, max: usize) -> (Vec<(usize, usize)>, bool) {
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity((text.len() / 5 + 1).min(max));
    let mut work: Vec<Work> = Vec::new();
    let bytes = text.as_bytes();
    let mut chunk_start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        // ASCII is decided byte by byte; only other bytes pay for decoding a char.
        let (space, len) = if bytes[i] < 0x80 {
            (bytes[i].is_ascii_whitespace() || bytes[i] == 0x0b, 1)
        } else {
            match text[i..].chars().next() {
                Some(c) => (c.is_whitespace(), c.len_utf8()),
                None => (false, 1),
            }
        };
        if space {
            if let Some(s) = chunk_start.take() {
                if is_list_number(text, s, i) {
                    spans.push((s, i));
                } else {
                    split_piece(text, s, i, &mut spans, &mut work);
                }
            }
        } else if chunk_start.is_none() {
            if spans.len() >= max {
                return (spans, true);
            }
            chunk_start = Some(i);
        }
        i += len;
    }
    if let Some(s) = chunk_start {
        split_piece(text, s, text.len(), &mut spans, &mut work);
    }
    (spans, false)
}

/// "1." opening a line numbers a list item and stays one token, as in CoNLL's result tables.
fn is_list_number(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let at_line_start = s == 0
        || b[..s]
            .iter()
            .rev()
            .take_while(|c| **c == b' ' || **c == b'\t')
            .count()
            == s
        || b[..s].iter().rev().find(|c| !matches!(c, b' ' | b'\t')) == Some(&b'\n');
    (2..=3).contains(&(e - s))
        && b[e - 1] == b'.'
        && b[s..e - 1].iter().all(u8::is_ascii_digit)
        && at_line_start
}

/// Turns byte spans (in order) into tokens, counting chars only over the gaps walked so far.
fn to_tokens<'a>(text: &'a str, spans: &[(usize, usize)]) -> Vec<Token<'a>> {
    let ascii = text.is_ascii();
    let mut out = Vec::with_capacity(spans.len());
    let (mut last_byte, mut last_char) = (0usize, 0usize);
    for &(bs, be) in spans {
        let (start, end) = if ascii {
            (bs, be)
        } else {
            let start = last_char + text[last_byte..bs].chars().count();
            (start, start + text[bs..be].chars().count())
        };
        last_byte = be;
        last_char = end;
        out.push(Token {
            text: &text[bs..be],
            start,
            end,
            byte_start: bs,
        });
    }
    out
}

/// Pending work while splitting one whitespace-free chunk: a piece still to split, or a span
/// already decided (a peeled suffix or an infix) to emit once everything before it is out.
enum Work {
    Piece(usize, usize),
    Emit(usize, usize),
}

/// Splits the byte range `s..e` (no whitespace inside) into token spans appended to `out`.
///
/// Iterative, with an explicit work stack on the heap: a chunk of a million commas (a CSV row or
/// minified JSON pasted into an article) splits at every comma, and one call level per split
/// overflowed the thread's stack. The stack is processed last-in first-out, so every item is
/// pushed after what must come out after it. `work` is scratch space, left empty.
fn split_piece(
    text: &str,
    s: usize,
    e: usize,
    out: &mut Vec<(usize, usize)>,
    work: &mut Vec<Work>,
) {
    work.clear();
    work.push(Work::Piece(s, e));
    while let Some(item) = work.pop() {
        match item {
            Work::Emit(a, b) => out.push((a, b)),
            Work::Piece(s, e) => split_one(text, s, e, out, work),
        }
    }
}

/// One step of [`split_piece`]: peels the prefixes of `s..e` straight into `out`, pushes the
/// suffixes (outermost first, so they come out last), then the core, or the two sides of its
/// first infix with the infix between them.
fn split_one(
    text: &str,
    mut s: usize,
    mut e: usize,
    out: &mut Vec<(usize, usize)>,
    work: &mut Vec<Work>,
) {
    if s >= e {
        return;
    }
    // Most chunks are plain words or numbers: nothing to peel or split.
    if text.as_bytes()[s..e].iter().all(u8::is_ascii_alphanumeric) {
        out.push((s, e));
        return;
    }
    while s < e {
        match prefix_len(&text[s..e]) {
            Some(n) => {
                out.push((s, s + n));
                s += n;
            }
            None => break,
        }
    }
    while s < e {
        match suffix_len(&text[s..e]) {
            Some(n) => {
                work.push(Work::Emit(e - n, e));
                e -= n;
            }
            None => break,
        }
    }
    if s < e {
        let core = &text[s..e];
        match find_infix(core) {
            Some((a, b)) if !is_url_or_email(core) => {
                work.push(Work::Piece(s + b, e));
                work.push(Work::Emit(s + a, s + b));
                work.push(Work::Piece(s, s + a));
            }
            _ => out.push((s, e)),
        }
    }
}

fn is_opening(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | '{' | '"' | '“' | '‘' | '«' | '`' | '¿' | '¡' | '*' | '•' | '—' | '–' | '~'
    )
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '€' | '£' | '¥' | '₩' | '₹' | '₽' | '₺' | '₪')
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        ')' | ']'
            | '}'
            | '"'
            | '”'
            | '’'
            | '\''
            | '»'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '%'
            | '*'
            | '—'
            | '–'
            | '`'
    )
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Length in bytes of the first run of `c` in `w` (0 if `w` does not start with it).
fn run_len(w: &str, c: u8) -> usize {
    w.bytes().take_while(|&b| b == c).count()
}

/// Bytes of opening punctuation to peel off the front of `w`, if any.
fn prefix_len(w: &str) -> Option<usize> {
    let first = w.chars().next()?;
    if w.len() == first.len_utf8() {
        return None; // a lone char is a token of its own anyway
    }
    match first {
        '-' => {
            let n = run_len(w, b'-');
            if n >= 2 {
                return Some(n);
            }
            // "-5" is a negative number; "-based" is a stray dash.
            let next = w[1..].chars().next()?;
            (!next.is_ascii_digit()).then_some(1)
        }
        '.' => {
            let n = run_len(w, b'.');
            // ".5" is a number; "..." is an ellipsis.
            (n >= 2).then_some(n)
        }
        '…' => Some(first.len_utf8()),
        c if is_opening(c) || is_currency(c) => Some(c.len_utf8()),
        c if is_apostrophe(c) => {
            if clitic_len(w) == Some(w.len()) {
                None
            } else {
                Some(c.len_utf8())
            }
        }
        c if c.is_ascii_uppercase() => {
            // "US$5", "HK$", "C$": the currency marker is one token, as in CoNLL.
            // At most four letters are looked at: a long capitalised run is no currency marker.
            let letters = w
                .bytes()
                .take(4)
                .take_while(|b| b.is_ascii_uppercase())
                .count();
            let rest = &w.as_bytes()[letters..];
            (letters <= 3 && rest.first() == Some(&b'$') && rest.len() > 1).then_some(letters + 1)
        }
        _ => None,
    }
}

/// Bytes of closing punctuation, clitic or unit to peel off the end of `w`, if any.
fn suffix_len(w: &str) -> Option<usize> {
    let last = w.chars().next_back()?;
    if w.len() == last.len_utf8() {
        return None;
    }
    match last {
        '.' => {
            let dots = w.bytes().rev().take_while(|&b| b == b'.').count();
            if dots >= 2 {
                Some(dots)
            } else if is_abbreviation(w) {
                None
            } else {
                Some(1)
            }
        }
        '-' => {
            let n = w.bytes().rev().take_while(|&b| b == b'-').count();
            (n >= 2).then_some(n)
        }
        '…' => Some(last.len_utf8()),
        c if is_closing(c) => Some(c.len_utf8()),
        _ => clitic_len(w)
            .filter(|&n| n < w.len())
            .or_else(|| unit_len(w)),
    }
}

/// Clitics split off the word before them, in ASCII and typographic spelling.
const CLITICS: [&str; 12] = [
    "'s", "’s", "'re", "’re", "'ve", "’ve", "'ll", "’ll", "'d", "’d", "'m", "’m",
];

/// Length of a clitic at the end of `w` ("'s", "’s", "n't", "'re", …), when something word-like
/// precedes it. Also used to recognise a chunk that is nothing but a clitic.
fn clitic_len(w: &str) -> Option<usize> {
    // Only the tail can hold a clitic: looking further would make peeling a long run of
    // "x's" quadratic. The longest clitic, "n’t", is 5 bytes.
    if !tail(w, 5).contains(['\'', '’']) {
        return None;
    }
    let ends_with = |suffix: &str| {
        w.len() >= suffix.len()
            && w.is_char_boundary(w.len() - suffix.len())
            && w[w.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    for nt in ["n't", "n’t"] {
        if ends_with(nt) {
            let before = &w[..w.len() - nt.len()];
            if before.chars().all(char::is_alphabetic) {
                return Some(nt.len());
            }
        }
    }
    for clitic in CLITICS {
        if ends_with(clitic) {
            let before = &w[..w.len() - clitic.len()];
            let word_like = before.is_empty()
                || before
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '.');
            if word_like {
                return Some(clitic.len());
            }
        }
    }
    None
}

/// The last `n` bytes of `w`, or a little less so that the cut falls on a char boundary.
fn tail(w: &str, n: usize) -> &str {
    let from = w.len().saturating_sub(n);
    (from..w.len())
        .find(|&i| w.is_char_boundary(i))
        .and_then(|i| w.get(i..))
        .unwrap_or_default()
}

/// Scale and unit suffixes split from numbers ("1.2bn" -> "1.2" "bn"), as CoNLL writes them apart.
const UNITS: [&str; 10] = ["m", "mn", "mln", "bn", "b", "bln", "tn", "trn", "k", "pct"];

fn unit_len(w: &str) -> Option<usize> {
    let b = w.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let digits_end = b
        .iter()
        .position(|c| !(c.is_ascii_digit() || *c == b'.' || *c == b','))?;
    if digits_end == 0 || !b[0].is_ascii_digit() {
        return None;
    }
    let unit = &w[digits_end..];
    UNITS.contains(&unit).then_some(unit.len())
}

/// True when `w` (ending in '.') is an abbreviation whose dot belongs to it.
pub(crate) fn is_abbreviation(w: &str) -> bool {
    let b = w.as_bytes();
    if b.len() < 2 || b[b.len() - 1] != b'.' {
        return false;
    }
    // Initials: "J."; letter-dot sequences: "U.S.", "a.m.", "N.Y.", "e.g.".
    if b.len() == 2 {
        return b[0].is_ascii_uppercase();
    }
    if b.len() % 2 == 0
        && b.chunks(2)
            .all(|p| p[0].is_ascii_alphabetic() && p[1] == b'.')
    {
        return true;
    }
    is_listed_abbreviation(&w[..w.len() - 1])
}

/// Known abbreviations, without their final dot: titles, company forms, months and weekdays, US state
/// abbreviations as news wires write them.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Sgt", "Capt", "Maj",
    "Adm", "Cmdr", "Rev", "Hon", "Pres", "Amb", "Supt", "Insp", "St", "Ste", "Mt", "Ft", "Jr",
    "Sr", "Co", "Corp", "Inc", "Ltd", "Bros", "Plc", "Cie", "Jan", "Feb", "Mar", "Apr", "Jun",
    "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mon", "Tue", "Tues", "Wed", "Thu", "Thurs",
    "Fri", "Sat", "Sun", "vs", "etc", "approx", "No", "Nos", "no", "Ave", "Blvd", "Rd", "Dept",
    "Univ", "Assn", "Ph.D", "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga",
    "Ill", "Ind", "Kan", "Kans", "Ky", "La", "Md", "Mass", "Mich", "Minn", "Miss", "Mo", "Mont",
    "Neb", "Nev", "Okla", "Ore", "Pa", "Penn", "Tenn", "Tex", "Va", "Vt", "Wash", "Wis", "Wyo",
];

fn is_listed_abbreviation(stem: &str) -> bool {
    ABBREVIATIONS.contains(&stem)
}

/// First inner split point of `core` as a byte range of the infix token.
fn find_infix(core: &str) -> Option<(usize, usize)> {
    let b = core.as_bytes();
    let mut prev: Option<char> = None;
    let mut iter = core.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let len = c.len_utf8();
        match c {
            '—' | '–' | '…' | '"' | '“' | '”' | '(' | ')' | '[' | ']' | ';' | '!' | '?' => {
                return Some((i, i + len))
            }
            '-' | '.' => {
                let n = b[i..].iter().take_while(|&&x| x == c as u8).count();
                let needed = if c == '-' { 2 } else { 3 };
                if n >= needed {
                    return Some((i, i + n));
                }
                // Skip the rest of a shorter run so it is not re-examined.
                for _ in 1..n {
                    iter.next();
                }
            }
            ',' | ':' => {
                let digits = prev.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit());
                if !digits {
                    return Some((i, i + 1));
                }
            }
            _ => {}
        }
        prev = Some(c);
    }
    None
}

/// Longest piece taken as a URL or e-mail address. Browsers and servers stop at about 2,000
/// bytes; the cap keeps the search for '@' from re-reading a long chunk at every split.
const MAX_URL_BYTES: usize = 2048;

fn is_url_or_email(w: &str) -> bool {
    if w.len() > MAX_URL_BYTES {
        return false;
    }
    let lower_starts =
        |p: &str| w.len() > p.len() && w.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    if lower_starts("http://") || lower_starts("https://") || lower_starts("www.") {
        return true;
    }
    match w.find('@') {
        Some(at) if at > 0 => w[at + 1..].contains('.'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<(&str, usize, usize)> {
        tokenize(text)
            .into_iter()
            .map(|t| (t.text, t.start, t.end))
            .collect()
    }

    fn texts(text: &str) -> Vec<&str> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_as_conll_does() {
        let cases: &[(&str, &[&str])] = &[
            ("The U.S. said.", &["The", "U.S.", "said", "."]),
            ("Japan's PM", &["Japan", "'s", "PM"]),
            ("Japan’s PM", &["Japan", "’s", "PM"]),
            ("JAPAN'S PM", &["JAPAN", "'S", "PM"]),
            ("the ministers' talks", &["the", "ministers", "'", "talks"]),
            ("don't can't", &["do", "n't", "ca", "n't"]),
            ("the G-7 summit", &["the", "G-7", "summit"]),
            ("BRUSSELS 1996-08-22", &["BRUSSELS", "1996-08-22"]),
            (
                "rose 3.5% to $17,000.",
                &["rose", "3.5", "%", "to", "$", "17,000", "."],
            ),
            ("$1.2bn and €5m", &["$", "1.2", "bn", "and", "€", "5", "m"]),
            ("US$5 C$10", &["US$", "5", "C$", "10"]),
            ("1,000.5 tonnes", &["1,000.5", "tonnes"]),
            ("the 10th and 1980s", &["the", "10th", "and", "1980s"]),
            (
                "Dr. Mr. Jan. Corp. Inc. St. U.K.",
                &["Dr.", "Mr.", "Jan.", "Corp.", "Inc.", "St.", "U.K."],
            ),
            ("George W. Bush", &["George", "W.", "Bush"]),
            ("at 10 a.m. today", &["at", "10", "a.m.", "today"]),
            ("SEOUL (Reuters) -", &["SEOUL", "(", "Reuters", ")", "-"]),
            (
                "“We are,” he said",
                &["“", "We", "are", ",", "”", "he", "said"],
            ),
            ("wait... what…", &["wait", "...", "what", "…"]),
            ("talks—and more", &["talks", "—", "and", "more"]),
            ("1910–1945", &["1910", "–", "1945"]),
            ("yes--no", &["yes", "--", "no"]),
            ("red,blue", &["red", ",", "blue"]),
            ("at 10:30 on", &["at", "10:30", "on"]),
            (
                "see https://example.com/a?b=1, or",
                &["see", "https://example.com/a?b=1", ",", "or"],
            ),
            ("mail info@example.org.", &["mail", "info@example.org", "."]),
            ("O'Brien's car", &["O'Brien", "'s", "car"]),
            ("Israel-Iran conflict", &["Israel-Iran", "conflict"]),
            ("U.S.-based firm", &["U.S.-based", "firm"]),
            ("(AT&T)", &["(", "AT&T", ")"]),
            ("won 3-1.", &["won", "3-1", "."]),
            ("-5 degrees", &["-5", "degrees"]),
            (
                "1. Jones (U.S.) 12.71\n2. Smith",
                &["1.", "Jones", "(", "U.S.", ")", "12.71", "2.", "Smith"],
            ),
            ("in 1. Then", &["in", "1", ".", "Then"]),
            (
                "He said \"no\" : done",
                &["He", "said", "\"", "no", "\"", ":", "done"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(&texts(input), want, "input: {input}");
        }
    }

    #[test]
    fn offsets_count_chars_not_bytes() {
        assert_eq!(
            toks("“Japan’s” PM"),
            vec![
                ("“", 0, 1),
                ("Japan", 1, 6),
                ("’s", 6, 8),
                ("”", 8, 9),
                ("PM", 10, 12)
            ]
        );
        assert_eq!(toks("  a\u{a0}b"), vec![("a", 2, 3), ("b", 4, 5)]);
        let text = "Café, Zürich — 5 €.";
        for t in tokenize(text) {
            let by_chars: String = text.chars().skip(t.start).take(t.end - t.start).collect();
            assert_eq!(by_chars, t.text);
            assert_eq!(&text[t.byte_start..t.byte_start + t.text.len()], t.text);
        }
    }

    #[test]
    fn empty_and_blank_text_has_no_tokens() {
        assert!(tokenize("").is_empty());
        assert!(tokenize(" \n\t ").is_empty());
    }

    #[test]
    fn abbreviations_keep_their_dot() {
        assert!(is_abbreviation("U.S."));
        assert!(is_abbreviation("J."));
        assert!(is_abbreviation("Sept."));
        assert!(!is_abbreviation("said."));
        assert!(!is_abbreviation("a."));
    }
}
