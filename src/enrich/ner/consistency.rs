//! Document-level label consistency after tagging. News names a person in full once and by
//! surname afterwards ("Donald Trump" ... "after Trump cut short"); a surname alone in a new
//! context is easily mistaken for an organisation or place, or missed. Two rules for that (each
//! measured on CoNLL dev; a same-string majority vote was tried and hurt, as sports tables use a
//! city name for both the place and its team), one for participles opening a sentence, one for
//! party-and-state tags ("R-Ohio"), and the types an apposition gives (see [`super::apposition`]).

use crate::enrich::{EntityType, Mention, Sentence, Token};
use std::collections::HashSet;

pub(crate) fn apply(tokens: &[Token<'_>], sentences: &[Sentence], mentions: &mut Vec<Mention>) {
    surnames(mentions);
    missed_surnames(tokens, sentences, mentions);
    opening_participles(tokens, sentences, mentions);
    // "Sen. Ann Doe, R-Ohio,": the tag after a politician's name is not a name of its own.
    mentions.retain(|m| !crate::enrich::gazetteer::is_party_state_tag(&m.text));
    towns_before_a_state(tokens, mentions);
    party_members(tokens, mentions);
    acronyms(tokens, sentences, mentions);
    super::apposition::apply(tokens, sentences, mentions);
    super::apposition::org_descriptors(tokens, mentions);
    super::apposition::person_descriptors(tokens, mentions);
    super::apposition::drop_sentence_initial_nouns(tokens, sentences, mentions);
}

/// Participles that open news sentences ("Born in Seville, she …", "Founded in 1990, the firm
/// …"). Capitalised there, one can look like a name: CoNLL-2003 train tags "Born" once as a
/// town, and the tagger then reads "Born in Seville" as two places.
const OPENING_PARTICIPLES: &[&str] = &[
    "born",
    "raised",
    "based",
    "educated",
    "trained",
    "founded",
    "headquartered",
    "located",
    "elected",
    "appointed",
    "named",
    "built",
    "created",
    "formed",
    "established",
];

/// A one-word mention that is an opening participle at the start of a sentence, followed by a
/// lowercase word, is not a name.
fn opening_participles(tokens: &[Token<'_>], sentences: &[Sentence], mentions: &mut Vec<Mention>) {
    mentions.retain(|m| {
        let Some(s) = sentences.get(m.sentence) else {
            return true;
        };
        let next_lower = tokens
            .get(m.tokens.end)
            .is_some_and(Token::is_lowercase_word);
        !(m.tokens.len() == 1
            && m.tokens.start == s.tokens.start
            && next_lower
            && OPENING_PARTICIPLES.contains(&tokens[m.tokens.start].text.to_lowercase().as_str()))
    });
}

/// True when `short` reads as the initials of `words` ("KAO" for "Kelso Audit Office",
/// "NATO" for "North Atlantic Treaty Organisation"): its first letter is the first word's, and its
/// letters follow the words' initials in order.
fn initials_of(short: &str, words: &[&str]) -> bool {
    let initials: Vec<char> = words
        .iter()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphabetic())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let letters: Vec<char> = short.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 || initials.first() != letters.first() {
        return false;
    }
    let mut rest = initials.iter();
    letters.iter().all(|l| rest.any(|i| i == l))
}

/// An acronym in brackets after an organisation's name ("Kelso Audit Office (KAO)"), or one the
/// tagger typed ORG somewhere, is the organisation wherever else it stands alone in the document.
fn acronyms(tokens: &[Token<'_>], sentences: &[Sentence], mentions: &mut Vec<Mention>) {
    let upper = |t: &str| {
        t.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && t.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    };
    let mut known: Vec<&str> = Vec::new();
    for m in mentions.iter() {
        // An acronym the tagger found as an organisation once is that organisation wherever
        // else it stands ("the RBI said … RBI governor").
        if m.etype == EntityType::Org && m.tokens.len() == 1 && upper(tokens[m.tokens.start].text) {
            known.push(tokens[m.tokens.start].text);
        }
        let i = m.tokens.end;
        if m.etype != EntityType::Org || i + 2 >= tokens.len() {
            continue;
        }
        let (open, short, close) = (tokens[i].text, tokens[i + 1].text, tokens[i + 2].text);
        let words: Vec<&str> = tokens[m.tokens.clone()].iter().map(|t| t.text).collect();
        if open == "(" && close == ")" && upper(short) && initials_of(short, &words) {
            known.push(short);
        }
    }
    if known.is_empty() {
        return;
    }
    add_one_word_mentions(tokens, sentences, mentions, EntityType::Org, 0.9, |_, i| {
        known.contains(&tokens[i].text)
    });
}

/// Party names that also name one member: "a Republican from Ohio", "a fellow Democrat".
const PARTY_MEMBERS: &[&str] = &[
    "Republican",
    "Democrat",
    "Socialist",
    "Communist",
    "Conservative",
    "Liberal",
    "Labour",
    "Tory",
];

/// "a Republican from Ohio" is one member and "Republican donors" a modifier, not the party:
/// MISC, as CoNLL-2003 has it.
fn party_members(tokens: &[Token<'_>], mentions: &mut [Mention]) {
    for m in mentions.iter_mut() {
        if m.etype != EntityType::Org || m.tokens.len() != 1 {
            continue;
        }
        let word = m.text.as_str();
        let member = PARTY_MEMBERS.contains(&word)
            && m.tokens.start > 0
            && matches!(
                tokens[m.tokens.start - 1].text.to_lowercase().as_str(),
                "a" | "an" | "another" | "fellow"
            );
        // Only the adjectives: "Labour won" is the party.
        let modifier = matches!(word, "Republican" | "Democratic")
            && tokens
                .get(m.tokens.end)
                .is_some_and(Token::is_lowercase_word);
        if member || modifier {
            m.etype = EntityType::Misc;
        }
    }
}

/// "Holm, Wyo.", "Tarrowby, N.M.": a name before a comma and an AP state abbreviation is a
/// town, not the person the tagger took it for. (Organisations keep their type: bond tables list
/// issuers as "Tarrow Co Bldg Auth, Mich".)
fn towns_before_a_state(tokens: &[Token<'_>], mentions: &mut [Mention]) {
    for m in mentions.iter_mut() {
        if m.etype != EntityType::Person {
            continue;
        }
        let comma = tokens.get(m.tokens.end).is_some_and(|t| t.text == ",");
        let state = tokens
            .get(m.tokens.end + 1)
            .is_some_and(|t| crate::enrich::gazetteer::is_us_state_abbreviation(t.text));
        if comma && state {
            m.etype = EntityType::Loc;
        }
    }
}

/// A capitalised word the tagger left out that is the surname of a full PERSON name found in
/// the same document, standing alone (no capitalised neighbour), is that person.
fn missed_surnames(tokens: &[Token<'_>], sentences: &[Sentence], mentions: &mut Vec<Mention>) {
    let mut last_names: HashSet<&str> = HashSet::new();
    for m in mentions.iter() {
        if m.etype == EntityType::Person && m.tokens.len() >= 2 {
            let last = tokens[m.tokens.end - 1].text;
            if last.chars().count() > 1 {
                last_names.insert(last);
            }
        }
    }
    if last_names.is_empty() {
        return;
    }
    let capital = |i: usize| tokens[i].is_capitalised();
    add_one_word_mentions(
        tokens,
        sentences,
        mentions,
        EntityType::Person,
        0.5,
        |s, i| {
            last_names.contains(tokens[i].text)
                && (i == s.tokens.start || !capital(i - 1))
                && (i + 1 >= s.tokens.end || !capital(i + 1))
        },
    );
}

/// Adds a one-word mention of `etype` for every token no mention covers that `pick(sentence,
/// token index)` accepts, keeping mentions sorted.
fn add_one_word_mentions(
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    mentions: &mut Vec<Mention>,
    etype: EntityType,
    confidence: f32,
    pick: impl Fn(&Sentence, usize) -> bool,
) {
    let covered = Mention::covered(tokens.len(), mentions);
    let mut added = Vec::new();
    for (si, s) in sentences.iter().enumerate() {
        for i in s.tokens.clone() {
            if !covered[i] && pick(s, i) {
                added.push(Mention::over(tokens, i..i + 1, si, etype, confidence));
            }
        }
    }
    if !added.is_empty() {
        mentions.extend(added);
        mentions.sort_by_key(|m| (m.start, m.end));
    }
}

fn surnames(mentions: &mut [Mention]) {
    let mut person_parts: HashSet<String> = HashSet::new();
    for m in mentions.iter() {
        if m.etype != EntityType::Person || m.tokens.len() < 2 {
            continue;
        }
        let words: Vec<&str> = m
            .text
            .split(' ')
            .filter(|w| w.chars().count() > 1)
            .collect();
        if let (Some(first), Some(last)) = (words.first(), words.last()) {
            person_parts.insert((*first).to_string());
            person_parts.insert((*last).to_string());
        }
    }
    if person_parts.is_empty() {
        return;
    }
    for m in mentions.iter_mut() {
        if m.etype != EntityType::Person && m.tokens.len() == 1 && person_parts.contains(&m.text) {
            m.etype = EntityType::Person;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{kinds, Doc};
    use super::*;
    use EntityType::*;

    fn m(text: &str, ntok: usize, etype: EntityType) -> Mention {
        Mention {
            start: 0,
            end: text.chars().count(),
            tokens: 0..ntok,
            sentence: 0,
            etype,
            text: text.to_string(),
            confidence: 0.5,
        }
    }

    #[test]
    fn surname_of_a_full_name_becomes_a_person() {
        use EntityType::*;
        // (mentions in, types out)
        type Case<'a> = (&'a [(&'a str, usize, EntityType)], &'a [EntityType]);
        let table: &[Case] = &[
            (
                &[("Donald Trump", 2, Person), ("Trump", 1, Org)],
                &[Person, Person],
            ),
            (
                &[("Trump", 1, Org), ("Donald Trump", 2, Person)],
                &[Person, Person],
            ),
            // No full name in the document: leave the tagger alone.
            (&[("Trump", 1, Org)], &[Org]),
            // Multi-word mentions and unrelated words keep their types.
            (
                &[
                    ("Jack Ford", 2, Person),
                    ("Ford Motor", 2, Org),
                    ("Ford", 1, Org),
                    ("Detroit", 1, Loc),
                ],
                &[Person, Org, Person, Loc],
            ),
        ];
        for (input, want) in table {
            let mut ms: Vec<Mention> = input.iter().map(|(t, n, e)| m(t, *n, *e)).collect();
            surnames(&mut ms);
            let got: Vec<EntityType> = ms.iter().map(|m| m.etype).collect();
            assert_eq!(&got[..], *want, "{input:?}");
        }
    }

    #[test]
    fn lone_surname_left_out_by_the_tagger_is_added() {
        use crate::enrich::{sentences, tokenize};
        let text = "Anna Berg won . Reporters heard Berg say Berg Larsen and ABC agreed .";
        let toks = tokenize::tokenize(text);
        let sents = sentences::split(text, &toks);
        let mut ms = vec![Mention {
            start: 0,
            end: 9,
            tokens: 0..2,
            sentence: 0,
            etype: EntityType::Person,
            text: "Anna Berg".into(),
            confidence: 0.9,
        }];
        apply(&toks, &sents, &mut ms);
        let got: Vec<(&str, usize, usize)> = ms
            .iter()
            .map(|m| (m.text.as_str(), m.start, m.end))
            .collect();
        // "Berg" in "Berg Larsen" has a capitalised neighbour: another name, left alone.
        assert_eq!(got, vec![("Anna Berg", 0, 9), ("Berg", 32, 36)]);
        assert_eq!(ms[1].etype, EntityType::Person);
        assert_eq!(ms[1].sentence, 1);
    }

    #[test]
    fn a_person_before_a_state_abbreviation_is_a_town() {
        let d = Doc::new(
            "Cold at Brill, Wyo., and at Holm, Calif., said Ann Lee, Smith Co Auth, Mich.",
        );
        let mut ms = vec![
            d.mention("Brill", 0, 1, Person),
            d.mention("Holm", 0, 1, Gpe),
            d.mention("Ann", 0, 2, Person),
            d.mention("Smith", 0, 3, Org),
        ];
        apply(&d.toks, &d.sents, &mut ms);
        let types: Vec<EntityType> = ms.iter().map(|m| m.etype).collect();
        assert_eq!(types, vec![Loc, Gpe, Person, Org]);
    }

    #[test]
    fn initials_read_as_an_acronym() {
        assert!(initials_of("KAO", &["Kelso", "Audit", "Office"]));
        assert!(initials_of(
            "NATO",
            &["North", "Atlantic", "Treaty", "Organisation"]
        ));
        assert!(initials_of("TBC", &["Tarrow", "Broadcasting", "Corp", "."]));
        assert!(!initials_of(
            "SDS",
            &["Union", "of", "Democratic", "Forces"]
        ));
        assert!(!initials_of("G", &["Group"]));
        assert!(!initials_of("KOA", &["Kelso", "Audit", "Office"]));
    }

    #[test]
    fn a_bracketed_acronym_is_the_organisation_everywhere() {
        let d = Doc::new(
            "The Tarrow Water Board (TWB) met. TWB staff and TWB-Nord left. SDS (SDS) won.",
        );
        let mut ms = vec![d.mention("Tarrow", 0, 3, Org)];
        apply(&d.toks, &d.sents, &mut ms);
        let got: Vec<(&str, usize)> = ms.iter().map(|m| (m.text.as_str(), m.sentence)).collect();
        assert_eq!(got, vec![("Tarrow Water Board", 0), ("TWB", 0), ("TWB", 1)]);
        assert!(ms.iter().all(|m| m.etype == Org));
    }

    #[test]
    fn an_acronym_found_once_is_the_organisation_everywhere() {
        let d = Doc::new("The KRB said so. Later KRB staff and Krb fans left.");
        let mut ms = vec![d.mention("KRB", 0, 1, Org)];
        apply(&d.toks, &d.sents, &mut ms);
        let got: Vec<(&str, usize)> = ms.iter().map(|m| (m.text.as_str(), m.sentence)).collect();
        assert_eq!(got, vec![("KRB", 0), ("KRB", 1)]);
    }

    #[test]
    fn one_party_member_is_not_the_party() {
        let d = Doc::new(
            "Doe, a Republican, and a fellow Democrat left the Republican caucus. \
             Republican donors gave as Labour won.",
        );
        let mut ms = vec![
            d.mention("Republican", 0, 1, Org),
            d.mention("Democrat", 0, 1, Org),
            d.mention("Republican", 1, 1, Org),
            d.mention("Republican", 2, 1, Org),
            d.mention("Labour", 0, 1, Org),
        ];
        apply(&d.toks, &d.sents, &mut ms);
        let types: Vec<EntityType> = ms.iter().map(|m| m.etype).collect();
        // "the Republican caucus" is a modifier too; "Labour won" is the party.
        assert_eq!(types, vec![Misc, Misc, Misc, Misc, Org]);
    }

    #[test]
    fn a_party_and_state_tag_is_not_a_name() {
        let d = Doc::new("Sen. Ann Doe, R-Ohio, spoke.");
        let mut ms = vec![
            d.mention("Ann", 0, 2, Person),
            d.mention("R-Ohio", 0, 1, Org),
        ];
        apply(&d.toks, &d.sents, &mut ms);
        assert_eq!(kinds(&ms), vec![("Ann Doe", Person)]);
    }

    #[test]
    fn a_participle_opening_a_sentence_is_not_a_name() {
        let d = Doc::new("Born in Quito, she moved. Born Hansen spoke. She visited Born in May.");
        let mut ms = vec![
            d.mention("Born", 0, 1, Loc),
            d.mention("Quito", 0, 1, Loc),
            // Followed by a capitalised word: part of a name, kept.
            d.mention("Born", 1, 1, Loc),
            // Not at the start of a sentence: kept.
            d.mention("Born", 2, 1, Loc),
        ];
        opening_participles(&d.toks, &d.sents, &mut ms);
        let kept: Vec<usize> = ms.iter().map(|m| m.tokens.start).collect();
        assert_eq!(
            kept,
            vec![d.at("Quito", 0), d.at("Born", 1), d.at("Born", 2)]
        );
    }
}
