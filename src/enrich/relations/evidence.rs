//! What the service asks of the text before it reports a classifier relation.
//!
//! The classifier learned CoNLL04, where a person next to a place is often "living in" it; in news
//! the same shape mostly says something else (a results line "Tova Brenning (Norway) 3:58.21", a
//! visit, a venue). At the service operating point a `resides_in` or `based_in` needs wording
//! that states it, and no person or organisation relation is read from table rows.

use crate::enrich::{Mention, Token};

/// Words that state where someone lives ("X, who lives in Y", "a Y resident, X", "X moved to Y").
/// Birthplace ("born in") is not residence.
const RESIDENCE: [&str; 20] = [
    "live",
    "lives",
    "lived",
    "living",
    "reside",
    "resides",
    "resided",
    "residing",
    "resident",
    "residents",
    "residence",
    "native",
    "natives",
    "home",
    "hometown",
    "moved",
    "relocated",
    "settled",
    "emigrated",
    "immigrated",
];

/// Words that state where an organisation sits ("X, headquartered in Y", "X's plant in Y").
const BASE: [&str; 10] = [
    "based",
    "headquartered",
    "headquarters",
    "head-office",
    "offices",
    "office",
    "plant",
    "factory",
    "subsidiary",
    "unit",
];

/// Most tokens between a cue-bearing pair: further apart, the cue is likely about something else.
const MAX_CUE_GAP: usize = 8;

fn lower(t: &Token<'_>) -> String {
    t.text.replace('\u{2019}', "'").to_lowercase()
}

fn is_number(t: &Token<'_>) -> bool {
    t.text.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// The tokens strictly between two mentions, and whether `a` comes first.
fn between<'t, 'a>(tokens: &'t [Token<'a>], a: &Mention, b: &Mention) -> (&'t [Token<'a>], bool) {
    let a_first = a.start < b.start;
    let (from, to) = if a_first {
        (a.tokens.end, b.tokens.start)
    } else {
        (b.tokens.end, a.tokens.start)
    };
    (tokens.get(from..to).unwrap_or_default(), a_first)
}

/// True when the words around `person` and `place` state that the person lives there: a
/// residence word between them (nearby), "X, 45, of Y" / "X, from Y" / "X from Y", or "Y
/// resident X" / "Y, where X lives".
pub(crate) fn residence_stated(tokens: &[Token<'_>], person: &Mention, place: &Mention) -> bool {
    let (gap, person_first) = between(tokens, person, place);
    let words: Vec<String> = gap.iter().map(lower).collect();
    let has_cue = |ws: &[String]| ws.iter().any(|w| RESIDENCE.contains(&w.as_str()));
    if gap.len() <= MAX_CUE_GAP && has_cue(&words) {
        return true;
    }
    if person_first {
        // "Smith, of Boston", "Smith, 45, from Boston", "Smith from Boston".
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let age = gap.len() == 4 && w[0] == "," && is_number(&gap[1]) && w[2] == ",";
        return matches!(w.as_slice(), ["from"] | [",", "of" | "from"])
            || (age && matches!(w[3], "of" | "from"));
    }
    // "Seoul, where Lee lives": the cue follows the person.
    let after = tokens
        .get(person.tokens.end..(person.tokens.end + 3).min(tokens.len()))
        .unwrap_or_default();
    let after: Vec<String> = after.iter().map(lower).collect();
    words.iter().any(|w| w == "where") && has_cue(&after)
}

/// True when the words between `org` and `place` state where the organisation sits: a base word
/// ("based", "headquartered", "plant"…) nearby, "X in Y", "X of Y", "X, Y", or "Y's X".
pub(crate) fn base_stated(tokens: &[Token<'_>], org: &Mention, place: &Mention) -> bool {
    let (gap, org_first) = between(tokens, org, place);
    let words: Vec<String> = gap.iter().map(lower).collect();
    if gap.len() <= MAX_CUE_GAP && words.iter().any(|w| BASE.contains(&w.as_str())) {
        return true;
    }
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    if org_first {
        matches!(w.as_slice(), ["in"] | ["of"] | [","])
    } else {
        matches!(w.as_slice(), ["'s"] | ["'"])
    }
}

/// True for a results line or table row rather than a sentence: at least two tokens and a
/// quarter of all tokens are numbers, or no lower-case word of three letters or more (a line of
/// names, an all-capitals headline).
pub(crate) fn table_like(tokens: &[Token<'_>]) -> bool {
    let numbers = tokens.iter().filter(|t| is_number(t)).count();
    let prose = tokens.iter().any(|t| {
        t.text.chars().count() >= 3 && t.text.chars().all(|c| c.is_lowercase() || c == '-')
    });
    (numbers >= 2 && numbers * 4 >= tokens.len()) || !prose
}

/// Verbs that make an organisation the audience or the source of a statement, not an employer:
/// "X told Norvane", "Valtor quoted X", "the Lantern newspaper reported".
const SOURCE_VERBS: [&str; 9] = [
    "told", "tells", "tell", "quoted", "quotes", "quoting", "reported", "reports", "cited",
];

/// True when `org` is where a statement went or came from rather than where `person` works:
/// a speech verb right before a following organisation ("Brekke told Norvane"), a report verb
/// between them or just after the organisation ("Valtor news agency quoted spokesman X",
/// "…, Ireland's Lantern newspaper reported"), or a credit line ("… in hospital - Valtor.").
pub(crate) fn source_not_employer(tokens: &[Token<'_>], person: &Mention, org: &Mention) -> bool {
    let (gap, person_first) = between(tokens, person, org);
    let words: Vec<String> = gap.iter().map(lower).collect();
    let is_source = |w: &String| SOURCE_VERBS.contains(&w.as_str());
    if person_first && words.last().is_some_and(is_source) {
        return true;
    }
    if words.iter().any(is_source) {
        return true;
    }
    let after: Vec<String> = tokens
        .get(org.tokens.end..(org.tokens.end + 2).min(tokens.len()))
        .unwrap_or_default()
        .iter()
        .map(lower)
        .collect();
    if person_first && gap.len() > 2 && after.iter().any(is_source) {
        return true;
    }
    let before_org = org.tokens.start.checked_sub(1).and_then(|i| tokens.get(i));
    let credit = before_org.is_some_and(|t| t.text == "-" || t.text == "--")
        && after.first().is_none_or(|w| w == ".");
    person_first && credit
}

/// Lower-case words that link an organisation to a person without being a title: "ORG said X",
/// "ORG and X".
const NOT_TITLE: [&str; 12] = [
    "said", "says", "told", "and", "or", "with", "to", "for", "by", "from", "of", "against",
];

/// True when `org` opens another person's title ("Dunmore striker Pavel O'Hara", "Veltra
/// spokeswoman Ines Calloway"): lower-case words, at most three, lead from the organisation to
/// one of `others`, so the organisation is that person's, not the pair's.
pub(crate) fn title_of_another(tokens: &[Token<'_>], org: &Mention, others: &[&Mention]) -> bool {
    others.iter().any(|p| {
        let gap = tokens
            .get(org.tokens.end..p.tokens.start)
            .unwrap_or_default();
        (1..=3).contains(&gap.len())
            && gap.iter().all(|t| {
                t.text.chars().all(|c| c.is_lowercase() || c == '-') && !NOT_TITLE.contains(&t.text)
            })
    })
}

/// Words that may stand between two places one of which holds the other ("Kandy in central
/// Sri Lanka", "Porto, Portugal", "Moscow's", "the city of").
const PLACE_LINKS: [&str; 26] = [
    ",", "in", "of", "near", "outside", "the", "'s", "'", "(", ")", "northern", "southern",
    "eastern", "western", "central", "north", "south", "east", "west", "province", "state",
    "region", "city", "town", "village", "district",
];

/// True when only place words link the two places ("Porto, Portugal", "Kandy in central Sri Lanka")
/// and they are not two items of a list ("Oslo, Lima and Hanoi").
pub(crate) fn containment_stated(tokens: &[Token<'_>], a: &Mention, b: &Mention) -> bool {
    let (gap, _) = between(tokens, a, b);
    let words: Vec<String> = gap.iter().map(lower).collect();
    if !words.iter().all(|w| PLACE_LINKS.contains(&w.as_str())) {
        return false;
    }
    let end = a.tokens.end.max(b.tokens.end);
    let next = tokens.get(end).map(lower);
    let list = words.iter().all(|w| w == ",") && matches!(next.as_deref(), Some("and" | "or"));
    !list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::tokenize::tokenize;
    use crate::enrich::EntityType;

    /// The mention of `surface` (first occurrence) in `text`.
    fn m(text: &str, tokens: &[Token<'_>], surface: &str) -> Mention {
        let byte = text.find(surface).unwrap();
        let start = text[..byte].chars().count();
        let end = start + surface.chars().count();
        let a = tokens.iter().position(|t| t.start == start).unwrap();
        let b = tokens.iter().position(|t| t.end == end).unwrap() + 1;
        Mention {
            start,
            end,
            tokens: a..b,
            sentence: 0,
            etype: EntityType::Misc,
            text: surface.to_string(),
            confidence: 1.0,
        }
    }

    type Case<'a> = (&'a str, &'a str, &'a str, bool);

    fn check(cases: &[Case], f: fn(&[Token<'_>], &Mention, &Mention) -> bool) {
        for (text, a, b, want) in cases {
            let tokens = tokenize(text);
            let (ma, mb) = (m(text, &tokens, a), m(text, &tokens, b));
            assert_eq!(f(&tokens, &ma, &mb), *want, "{text:?}: {a} / {b}");
        }
    }

    #[test]
    fn residence_needs_wording_that_states_it() {
        check(
            &[
                ("Smith, who lives in Boston, said", "Smith", "Boston", true),
                (
                    "Odile Marchetti, 61, of Grenview was",
                    "Odile Marchetti",
                    "Grenview",
                    true,
                ),
                ("Jane Doe, from Ohio, said", "Jane Doe", "Ohio", true),
                (
                    "a Texas native, John Smith, said",
                    "John Smith",
                    "Texas",
                    true,
                ),
                (
                    "He moved to Seoul, where Lee lives now",
                    "Lee",
                    "Seoul",
                    true,
                ),
                ("Smith moved to Boston in 1990", "Smith", "Boston", true),
                // A results line, a visit, a meeting place, a birthplace: no residence.
                (
                    "7. Tova Brenning (Norway) 3:58.21",
                    "Tova Brenning",
                    "Norway",
                    false,
                ),
                (
                    "Hana has long been wary of Portugal on trade",
                    "Hana",
                    "Portugal",
                    false,
                ),
                (
                    "how the league may grow in the Asia-Pacific under Marlowe",
                    "Marlowe",
                    "Asia-Pacific",
                    false,
                ),
                ("Smith was born in Boston", "Smith", "Boston", false),
                ("Smith met Jones in Boston", "Smith", "Boston", false),
            ],
            residence_stated,
        );
    }

    #[test]
    fn base_needs_wording_that_states_it() {
        check(
            &[
                (
                    "Halvorsen Biotech Inc of St. Augustine said",
                    "Halvorsen Biotech Inc",
                    "St. Augustine",
                    true,
                ),
                (
                    "the Brindle Exchange in Lyon closed",
                    "Brindle Exchange",
                    "Lyon",
                    true,
                ),
                ("Chile's Valtor news agency", "Valtor", "Chile", true),
                (
                    "Acme, headquartered in Dallas, said",
                    "Acme",
                    "Dallas",
                    true,
                ),
                (
                    "Ashford Rovers beat Kelby Town at Marlow",
                    "Kelby Town",
                    "Marlow",
                    false,
                ),
                (
                    "Federal Reserve governor Hallam, speaking on U.S. radio",
                    "Federal Reserve",
                    "U.S.",
                    false,
                ),
            ],
            base_stated,
        );
    }

    #[test]
    fn an_addressee_or_a_source_is_no_employer() {
        check(
            &[
                ("Brekke, 34, told Norvane.", "Brekke", "Norvane", true),
                (
                    "Valtor news agency quoted spokesman Anton Rusakov",
                    "Anton Rusakov",
                    "Valtor",
                    true,
                ),
                (
                    "Dora Quill has left the band, Ireland's Lantern newspaper reported",
                    "Dora Quill",
                    "Lantern",
                    true,
                ),
                (
                    "Dora Quill has left the band, the Lantern reported",
                    "Dora Quill",
                    "Lantern",
                    true,
                ),
                (
                    "Ostrander visits her sister in hospital - Valtor.",
                    "Ostrander",
                    "Valtor",
                    true,
                ),
                (
                    "Veltra spokeswoman Ines Calloway told Norvane",
                    "Ines Calloway",
                    "Veltra",
                    false,
                ),
                (
                    "said Noor Halloway, analyst at J.T. Brightwater & Sons.",
                    "Noor Halloway",
                    "J.T. Brightwater & Sons",
                    false,
                ),
            ],
            source_not_employer,
        );
    }

    #[test]
    fn a_title_binds_the_organisation_to_its_holder() {
        let text = "captain Rafe Lindqvist, 19-year-old Dunmore striker Pavel O'Hara, Kelby \
                    forward Tomas Reyna and Veltra spokeswoman Ines Calloway";
        let tokens = tokenize(text);
        let ms = |s: &str| m(text, &tokens, s);
        let people = [
            ms("Rafe Lindqvist"),
            ms("Pavel O'Hara"),
            ms("Tomas Reyna"),
            ms("Ines Calloway"),
        ];
        let cases = [
            ("Dunmore", 0, true),
            ("Dunmore", 1, false),
            ("Kelby", 1, true),
            ("Kelby", 2, false),
            ("Veltra", 3, false),
        ];
        for (org, who, want) in cases {
            let others: Vec<&Mention> = people
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != who)
                .map(|(_, p)| p)
                .collect();
            assert_eq!(
                title_of_another(&tokens, &ms(org), &others),
                want,
                "{org} / {}",
                people[who].text
            );
        }
    }

    #[test]
    fn containment_needs_place_words_only() {
        check(
            &[
                ("LIMA, Peru 2031-04-12", "LIMA", "Peru", true),
                (
                    "storms in Kandy in central Sri Lanka were",
                    "Kandy",
                    "Sri Lanka",
                    true,
                ),
                ("from Porto, Portugal, to Lagos", "Porto", "Portugal", true),
                ("Oslo, Lima and Hanoi all signed", "Oslo", "Lima", false),
                (
                    "Port Hedley defeated Nevada",
                    "Port Hedley",
                    "Nevada",
                    false,
                ),
            ],
            containment_stated,
        );
    }

    #[test]
    fn results_lines_and_headlines_are_tables() {
        let cases = [
            (
                "3 - Milos Varga (Hungary) beat Teo Landry (Canada) 7-5 (7-3) 4-6 6-2",
                true,
            ),
            ("2. Dario Kesh (U.S.) 13.48 seconds", true),
            ("ROWING - HALDEN CREW MOVES INTO LEAD", true),
            (
                "Mayor Ilse Vandorn met Chancellor Rupert Okwu on Tuesday.",
                false,
            ),
            (
                "Dunmore reached 318 and claimed a narrow lead of 45.",
                false,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(table_like(&tokenize(text)), want, "{text:?}");
        }
    }
}
