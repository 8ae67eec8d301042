//! Name normalisation for entity merging: clean surface forms, matching keys, acronyms.
//!
//! A mention's text stays exactly as written (offsets must match the article); these helpers only
//! build the forms used to decide which mentions name the same thing and what the entity is called.

/// Honorifics dropped from person names before matching ("Mr. Lee" is "Lee").
const HONORIFICS: [&str; 7] = ["mr", "mrs", "ms", "dr", "sir", "dame", "madam"];

/// Words skipped when building an acronym ("Group of Seven" -> "G7", "Bank of Japan" -> "BOJ" keeps
/// "of" out).
const ACRONYM_STOPWORDS: [&str; 6] = ["of", "the", "and", "for", "de", "&"];

const NUMBER_WORDS: [(&str, &str); 12] = [
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twenty", "20"),
];

/// Normalises typographic apostrophes so "Japan’s" and "Japan's" compare equal.
fn plain_apostrophes(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' => '\'',
            c => c,
        })
        .collect()
}

/// The surface form an entity may be named by: possessive and a leading "the" dropped, whitespace
/// collapsed. "Ishiba’s" -> "Ishiba", "the United States" -> "United States".
pub(crate) fn clean_surface(text: &str) -> String {
    let plain = plain_apostrophes(text);
    let mut s = plain.trim();
    if let Some(stripped) = s.strip_suffix("'s").or_else(|| s.strip_suffix("'S")) {
        s = stripped;
    } else if let Some(stripped) = s.strip_suffix('\'') {
        s = stripped;
    }
    let s = s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '"'));
    let s = match s.get(..4) {
        Some(head) if head.eq_ignore_ascii_case("the ") && s.len() > 4 => &s[4..],
        _ => s,
    };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Matching key of one word: lowercase, dots and hyphens dropped ("U.S." -> "us", "G-7" -> "g7").
pub(crate) fn word_key(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '.' | '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\''))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Matching keys of the words of a cleaned surface form, honorifics dropped for people.
pub(crate) fn word_keys(surface: &str, person: bool) -> Vec<String> {
    let mut keys: Vec<String> = surface
        .split_whitespace()
        .map(word_key)
        .filter(|k| !k.is_empty())
        .collect();
    if person && keys.len() > 1 && HONORIFICS.contains(&keys[0].as_str()) {
        keys.remove(0);
    }
    keys
}

/// Matching key of a whole name: its word keys joined by single spaces, except that a name
/// written with dots or hyphens only ("U.S.", "G-7") collapses to one word. (Resolution keys
/// mentions by their word keys directly; the tests check the two agree.)
#[cfg(test)]
pub(crate) fn name_key(surface: &str, person: bool) -> String {
    word_keys(surface, person).join(" ")
}

/// The acronym a multi-word name would be shortened to, as a key: "United States" -> "us",
/// "Group of Seven" -> "g7", "North Atlantic Treaty Organization" -> "nato". `None` when the
/// name has fewer than two significant words or a significant word is not capitalised (so
/// "state of emergency" gives nothing).
pub(crate) fn acronym_key(surface: &str) -> Option<String> {
    let mut out = String::new();
    let mut parts = 0;
    for word in surface.split_whitespace() {
        let lower = word.to_lowercase();
        if ACRONYM_STOPWORDS.contains(&lower.as_str()) {
            continue;
        }
        if let Some((_, digits)) = NUMBER_WORDS.iter().find(|(w, _)| *w == lower) {
            out.push_str(digits);
        } else if word.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(word);
        } else {
            let first = word.chars().next()?;
            if !first.is_uppercase() {
                return None;
            }
            out.extend(first.to_lowercase());
        }
        parts += 1;
    }
    (parts >= 2).then_some(out)
}

/// Legal-form and group suffixes of company names, as word keys (dots dropped): "Polaris Bank
/// Limited" is "Polaris Bank", "Acme Corp." is "Acme", "Emaar Properties PJSC" is "Emaar
/// Properties".
const ORG_SUFFIXES: &[&str] = &[
    "limited",
    "ltd",
    "plc",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "llc",
    "llp",
    "pjsc",
    "psc",
    "nv",
    "ag",
    "sa",
    "se",
    "spa",
    "gmbh",
    "bhd",
    "berhad",
    "tbk",
    "kk",
    "pte",
    "pty",
    "ab",
    "asa",
    "oyj",
    "holdings",
    "group",
];

/// The word keys of an organisation's name without its trailing legal-form or group suffixes;
/// `None` when it has none, or nothing would be left.
pub(crate) fn without_org_suffix(words: &[String]) -> Option<&[String]> {
    let mut n = words.len();
    while n > 1 && ORG_SUFFIXES.contains(&words[n - 1].as_str()) {
        n -= 1;
    }
    (n < words.len()).then(|| &words[..n])
}

/// The key a mixed-case short form would have as an acronym of a name with small words in it:
/// "BoJ" -> "bj" (Bank of Japan), "BoE" -> "be". `None` unless the form is one word of two to six
/// letters, starts upper-case and has at least two upper-case and one lower-case letter.
pub(crate) fn mixed_case_acronym(surface: &str) -> Option<String> {
    let n = surface.chars().count();
    let upper = surface.chars().filter(|c| c.is_uppercase()).count();
    let lower = surface.chars().filter(|c| c.is_lowercase()).count();
    let ok = (2..=6).contains(&n)
        && surface.chars().all(char::is_alphabetic)
        && surface.starts_with(char::is_uppercase)
        && upper >= 2
        && lower >= 1;
    ok.then(|| {
        surface
            .chars()
            .filter(|c| c.is_uppercase())
            .flat_map(char::to_lowercase)
            .collect()
    })
}

/// True when every letter is uppercase (headline casing), so a mixed-case form is preferred as
/// the entity name.
pub(crate) fn is_all_caps(s: &str) -> bool {
    let mut letters = s.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some() && letters.all(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_surface_drops_possessives_and_articles() {
        let cases = [
            ("Ishiba’s", "Ishiba"),
            ("Japan's", "Japan"),
            ("the United States", "United States"),
            ("The  White House", "White House"),
            ("Reuters'", "Reuters"),
            ("Lee Jae Myung", "Lee Jae Myung"),
            ("The", "The"),
        ];
        for (input, want) in cases {
            assert_eq!(clean_surface(input), want, "{input}");
        }
    }

    #[test]
    fn keys_ignore_case_dots_and_hyphens() {
        let cases = [
            ("U.S.", "us"),
            ("US", "us"),
            ("G-7", "g7"),
            ("G7", "g7"),
            ("LEE JAE MYUNG", "lee jae myung"),
            ("Mr. Lee", "lee"),
        ];
        for (input, want) in cases {
            assert_eq!(name_key(input, true), want, "{input}");
        }
        assert_eq!(name_key("Mr. Lee", false), "mr lee");
    }

    #[test]
    fn acronyms_of_multiword_names() {
        let cases = [
            ("United States", Some("us")),
            ("Group of Seven", Some("g7")),
            ("Group of 20", Some("g20")),
            ("North Atlantic Treaty Organization", Some("nato")),
            ("European Union", Some("eu")),
            ("Japan", None),
            ("state of emergency", None),
        ];
        for (input, want) in cases {
            assert_eq!(acronym_key(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn company_suffixes_and_mixed_case_acronyms() {
        let keys = |s: &str| word_keys(s, false);
        let stripped = |s: &str| without_org_suffix(&keys(s)).map(|w| w.join(" "));
        assert_eq!(
            stripped("Harlow Bank Limited").as_deref(),
            Some("harlow bank")
        );
        assert_eq!(
            stripped("Kelso Foods Corp.").as_deref(),
            Some("kelso foods")
        );
        assert_eq!(stripped("Tarrow Holdings PJSC").as_deref(), Some("tarrow"));
        assert_eq!(stripped("Harlow Bank"), None);
        assert_eq!(stripped("Group"), None, "a suffix alone is a name");
        assert_eq!(mixed_case_acronym("BoJ").as_deref(), Some("bj"));
        assert_eq!(mixed_case_acronym("BoE").as_deref(), Some("be"));
        assert_eq!(mixed_case_acronym("NATO"), None);
        assert_eq!(mixed_case_acronym("Kelso"), None);
    }

    #[test]
    fn all_caps_detection() {
        assert!(is_all_caps("LEE JAE MYUNG"));
        assert!(is_all_caps("G-7"));
        assert!(!is_all_caps("Lee"));
        assert!(!is_all_caps("2025"));
    }
}
