//! The apposition after a name: ", a senior defence official," types the name before it.

use super::heads::{is_maker, ORG_HEADS, PERSON_HEADS, PLACE_HEADS};
use crate::enrich::{EntityType, Mention, Sentence, Token};

/// Verbs that make the phrase a clause's subject instead: "…, the ministry said".
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "reported",
    "announced",
    "stated",
    "noted",
    "explained",
    "warned",
    "insisted",
    "claimed",
    "wrote",
    "confirmed",
    "declared",
    "reports",
    "adds",
];

/// Words that can open the describing phrase.
const OPENERS: &[&str] = &["a", "an", "the", "another", "one"];

/// How many words after the opener the head noun may be ("a senior Kelso trade official").
const WINDOW: usize = 6;

/// The type an apposition after the mention ending at token `end` gives it, if any.
pub(crate) fn appositive_type(
    tokens: &[Token<'_>],
    end: usize,
    limit: usize,
) -> Option<EntityType> {
    let limit = limit.min(tokens.len());
    let i = phrase_start(tokens, end, limit)?;
    for j in i..limit.min(i + WINDOW) {
        let word = tokens[j].text;
        if !word.chars().any(char::is_alphanumeric) && word != "-" {
            return None;
        }
        let lower = word.to_lowercase();
        // A possessive modifies a later head: "the team's coach".
        let possessive = tokens
            .get(j + 1)
            .is_some_and(|t| t.text == "'s" || t.text == "'");
        if possessive || tokens[j].is_capitalised() {
            continue;
        }
        let head = head_type(&lower);
        // "a district official", "a city council member": a head noun before another head
        // noun modifies it; the last one is the head.
        let next_is_head = tokens.get(j + 1).is_some_and(|t| {
            let l = t.text.to_lowercase();
            j + 1 < limit && t.is_lowercase_word() && is_listed_head(&l)
        });
        if head.is_some() && next_is_head {
            continue;
        }
        if head.is_some() {
            if starts_a_clause_or_name(tokens, j, limit) {
                return None;
            }
            // "a unit of", "the capital of": the head is still this word.
            return head;
        }
        // Connectives end the phrase before a head was found.
        if matches!(
            lower.as_str(),
            "of" | "in" | "for" | "and" | "or" | "who" | "which" | "that"
        ) {
            return None;
        }
    }
    None
}

/// Where the words of the describing phrase after the mention ending at `end` begin: after ", a",
/// ", the", … and after ", one of the". None when no such phrase opens there.
fn phrase_start(tokens: &[Token<'_>], end: usize, limit: usize) -> Option<usize> {
    if end + 2 >= limit || tokens[end].text != "," {
        return None;
    }
    let opener = tokens[end + 1].text.to_lowercase();
    if !OPENERS.contains(&opener.as_str()) {
        return None;
    }
    let i = end + 2;
    // "one of the …"
    if opener == "one" {
        if i + 1 < limit && tokens[i].text == "of" && tokens[i + 1].text == "the" {
            return Some(i + 2);
        }
        return None;
    }
    Some(i)
}

/// The type a lowercase head noun gives: a person, an organisation (also any "…maker") or a place.
fn head_type(lower: &str) -> Option<EntityType> {
    if PERSON_HEADS.contains(&lower) {
        Some(EntityType::Person)
    } else if ORG_HEADS.contains(&lower) || is_maker(lower) {
        Some(EntityType::Org)
    } else if PLACE_HEADS.contains(&lower) {
        Some(EntityType::Loc)
    } else {
        None
    }
}

/// Whether a lowercase word is in one of the head noun lists.
fn is_listed_head(lower: &str) -> bool {
    PERSON_HEADS.contains(&lower) || ORG_HEADS.contains(&lower) || PLACE_HEADS.contains(&lower)
}

/// Whether the words after the head noun at `j` make the phrase something else: the subject of a
/// new clause (", the university said", ", a senior official in Kelso said") or the introduction
/// of another name (", the pressure group Tarrow Watch").
fn starts_a_clause_or_name(tokens: &[Token<'_>], j: usize, limit: usize) -> bool {
    let after = &tokens[j + 1..limit.min(j + 5)];
    let says = after
        .iter()
        .take_while(|t| t.text.chars().any(char::is_alphanumeric))
        .any(|t| SPEECH_VERBS.contains(&t.text.to_lowercase().as_str()));
    let names = after.first().is_some_and(Token::is_capitalised);
    says || names
}

/// Re-types PERSON, ORG and place mentions whose apposition (inside the mention's sentence)
/// names another kind. Places keep their fine type (the gazetteer decides GPE or LOC later).
pub(crate) fn apply(tokens: &[Token<'_>], sentences: &[Sentence], mentions: &mut [Mention]) {
    for m in mentions.iter_mut() {
        let coarse = match m.etype {
            EntityType::Person | EntityType::Org => m.etype,
            EntityType::Loc | EntityType::Gpe => EntityType::Loc,
            _ => continue,
        };
        let limit = sentences
            .get(m.sentence)
            .map_or(tokens.len(), |s| s.tokens.end);
        let Some(t) = appositive_type(tokens, m.tokens.end, limit) else {
            continue;
        };
        // A place the tagger found stays a place: "in Tarrowby, a company of the Fifth Brigade"
        // is a list of units, not a description of the town.
        if t != coarse && !(coarse == EntityType::Loc && t == EntityType::Org) {
            m.etype = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::ner::fixtures::Doc;
    use crate::enrich::tokenize;

    /// The type the apposition gives the first `n` tokens of `text`.
    fn after_name(text: &str, n: usize) -> Option<EntityType> {
        let toks = tokenize::tokenize(text);
        appositive_type(&toks, n, toks.len())
    }

    #[test]
    fn the_head_noun_of_the_apposition_gives_the_type() {
        use EntityType::*;
        let cases: &[(&str, usize, Option<EntityType>)] = &[
            (
                "Varga, a senior Kelso trade official, said no.",
                1,
                Some(Person),
            ),
            ("Ilse Brandt, one of those pianists alive, played.", 2, None),
            (
                "Ilse Brandt, one of the leading strategists in Tarrow, spoke.",
                2,
                Some(Person),
            ),
            (
                "Holm Brothers, a Tarrowby building firm with 40 staff, won.",
                2,
                Some(Org),
            ),
            (
                "Holm Motors, a Tarrowby carmaker, said sales fell.",
                2,
                Some(Org),
            ),
            ("Brill, a Kelso chipmaker, grew.", 1, Some(Org)),
            ("Kelso, a mining town in the north, flooded.", 1, Some(Loc)),
            ("Kelso, the company's chairman, resigned.", 1, Some(Person)),
            // Not an apposition: a list, a new clause, a phrase introducing another name.
            ("Kelso, Tarrowby and Brill voted.", 1, None),
            ("He lives in Kelso, the university said.", 4, None),
            ("Arno Fey, a senior official in Tarrow said.", 2, None),
            ("Arno Fey, the pressure group Tarrow Watch said.", 2, None),
            ("Kelso is quiet.", 1, None),
        ];
        for (text, n, want) in cases {
            assert_eq!(after_name(text, *n), *want, "{text}");
        }
    }

    #[test]
    fn the_last_of_two_head_nouns_is_the_head() {
        use EntityType::*;
        assert_eq!(
            after_name("Ann Holm, a district official in Kelso, said so.", 2),
            Some(Person)
        );
        assert_eq!(
            after_name("Tarrow, a city council member, spoke.", 1),
            Some(Person)
        );
        assert_eq!(
            after_name("Amon Rees, a 38-year-old civil engineer, won.", 2),
            Some(Person)
        );
    }

    #[test]
    fn a_place_keeps_its_type_against_an_organisation_apposition() {
        let d =
            Doc::new("Troops in Brill, a company of the Fifth Brigade, and Holm, a building firm.");
        let mut ms = vec![
            d.mention("Brill", 0, 1, EntityType::Gpe),
            d.mention("Holm", 0, 1, EntityType::Person),
        ];
        apply(&d.toks, &d.sents, &mut ms);
        assert_eq!(ms[0].etype, EntityType::Gpe);
        assert_eq!(ms[1].etype, EntityType::Org);
    }
}
