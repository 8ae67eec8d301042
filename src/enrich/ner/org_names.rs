//! Organisations whose names are built on a number or a place, which the tagger gets wrong for
//! want of examples (neither training corpus has more than a handful), yet news names them often
//! and they hold relations ("the 9th Fleet off Kelso"):
//! - numbered units: "the 9th Fleet", "the 82nd Airborne Division", "the 4th Brigade";
//! - forces named after a place or nation: "the Tarrow Sea Fleet", "the Soviet Navy";
//! - broadcasters named after a place: "Radio Tarrow", "Television Kelso";
//! - institutions "of" a place: "the Holm University of Kelso", "the Bank of Tarrow"
//!   (CoNLL-2003 tags 49 of 52 such names in its train split as one ORG).

use crate::enrich::{EntityType, Mention, Sentence, Token};

/// Capitalised words that name a military or police unit.
const UNIT_WORDS: &[&str] = &[
    "Fleet",
    "Brigade",
    "Division",
    "Army",
    "Corps",
    "Regiment",
    "Battalion",
    "Squadron",
    "Infantry",
    "Airborne",
    "Cavalry",
    "Armored",
    "Armoured",
    "Marine",
    "Marines",
    "Mechanized",
    "Mountain",
    "Air",
    "Wing",
    "Precinct",
];

/// Words that can end a unit's name.
const UNIT_HEADS: &[&str] = &[
    "Fleet",
    "Brigade",
    "Division",
    "Army",
    "Corps",
    "Regiment",
    "Battalion",
    "Squadron",
    "Wing",
    "Precinct",
    "Cavalry",
    "Infantry",
    "Marines",
];

/// Words that make the place or nationality before them part of an armed force's name: "the
/// Tarrow Sea Fleet", "the Soviet Navy", "the Pacific Command". (CoNLL-2003 tags such names as one
/// ORG throughout.)
const FORCE_HEADS: &[&str] = &[
    "Fleet", "Army", "Navy", "Command", "Guard", "Corps", "Force", "Forces", "Marines",
];

/// Joins a place or nationality mention with the force word right after it into one ORG
/// ("Tarrow Sea" + "Fleet"), absorbing a separate mention of the force word itself.
pub(crate) fn join_forces(tokens: &[Token<'_>], mentions: &mut Vec<Mention>) {
    for k in 0..mentions.len() {
        let Some(m) = mentions.get(k) else {
            break;
        };
        let i = m.tokens.end;
        let place = matches!(
            m.etype,
            EntityType::Loc | EntityType::Gpe | EntityType::Misc | EntityType::Norp
        );
        if place && tokens.get(i).is_some_and(|t| FORCE_HEADS.contains(&t.text)) {
            // The force word is free, or a mention of its own (the tagger's "Fleet" ORG).
            let end = mentions
                .get(k + 1)
                .filter(|n| n.tokens.start == i)
                .map_or(i + 1, |n| n.tokens.end);
            super::widen(tokens, mentions, k, end, EntityType::Org);
        }
    }
}

/// Words that make the place after them a broadcaster's name ("Radio Tarrow"; CoNLL-2003
/// tags such names as one ORG).
const BROADCAST_WORDS: &[&str] = &["Radio", "Television", "TV"];

/// Joins a broadcast word with the place mention right after it into one ORG.
pub(crate) fn join_broadcasters(tokens: &[Token<'_>], mentions: &mut [Mention]) {
    let covered = Mention::covered(tokens.len(), mentions);
    for m in mentions.iter_mut() {
        let place = matches!(m.etype, EntityType::Loc | EntityType::Gpe);
        let Some(b) = m.tokens.start.checked_sub(1) else {
            continue;
        };
        if place && !covered[b] && BROADCAST_WORDS.contains(&tokens[b].text) {
            *m = Mention::over(
                tokens,
                b..m.tokens.end,
                m.sentence,
                EntityType::Org,
                m.confidence,
            );
        }
    }
}

/// Last words of an institution's name that go on with "of" and a place.
const INSTITUTION_WORDS: &[&str] = &[
    "University",
    "Bank",
    "College",
    "Institute",
    "Academy",
    "Union",
    "Department",
    "Association",
    "Ministry",
    "Party",
    "Council",
    "Chamber",
    "Federation",
    "Church",
    "School",
    "Museum",
];

/// Joins an ORG mention ending in an institution word, "of" and the mention right after into
/// one ORG: "Holm University" + "of" + "Kelso".
pub(crate) fn join_institution_of(tokens: &[Token<'_>], mentions: &mut Vec<Mention>) {
    let mut k = 0;
    while k + 1 < mentions.len() {
        let (m, next) = (&mentions[k], &mentions[k + 1]);
        let of = m.tokens.end;
        let joins = m.etype == EntityType::Org
            && INSTITUTION_WORDS.contains(&tokens[of - 1].text)
            && tokens.get(of).is_some_and(|t| t.text == "of")
            && next.tokens.start == of + 1
            && next.sentence == m.sentence
            && matches!(
                next.etype,
                EntityType::Loc | EntityType::Gpe | EntityType::Org | EntityType::Misc
            );
        if joins {
            let end = next.tokens.end;
            super::widen(tokens, mentions, k, end, EntityType::Org);
        } else {
            k += 1;
        }
    }
}

/// "6th", "82nd", "1st", "23rd".
fn ordinal(w: &str) -> bool {
    let digits = w.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(&w[digits..], "st" | "nd" | "rd" | "th")
}

/// Adds an ORG mention for every numbered unit, replacing mentions inside it (the tagger's
/// "Brigade" alone) but never cutting one that reaches outside it.
pub(crate) fn add_numbered_units(
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    mentions: &mut Vec<Mention>,
) {
    // bridged[k]: some mention covers both token k - 1 and token k. A mention that overlaps a
    // unit and reaches outside it bridges the unit's first token or the one after its last, so
    // each candidate is checked in constant time (a text of thousands of units stays linear).
    let mut bridged = vec![false; tokens.len() + 1];
    for m in mentions.iter() {
        let (start, end) = (m.tokens.start, m.tokens.end.min(tokens.len()));
        for flag in bridged.iter_mut().take(end).skip(start + 1) {
            *flag = true;
        }
    }
    let mut added = Vec::new();
    for (si, s) in sentences.iter().enumerate() {
        let mut i = s.tokens.start;
        while i < s.tokens.end {
            if !ordinal(tokens[i].text) {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            while end < s.tokens.end && UNIT_WORDS.contains(&tokens[end].text) {
                end += 1;
            }
            // The name ends at its last head word: "the 9th Fleet Air Arm" is not taken apart.
            while end > i + 1 && !UNIT_HEADS.contains(&tokens[end - 1].text) {
                end -= 1;
            }
            let crosses = bridged[i] || bridged[end];
            if end > i + 1 && !crosses {
                added.push(Mention::over(tokens, i..end, si, EntityType::Org, 0.9));
            }
            i = end.max(i + 1);
        }
    }
    if !added.is_empty() {
        // Units never overlap one another: the unit (if any) each token belongs to.
        let mut unit_of: Vec<Option<usize>> = vec![None; tokens.len()];
        for (u, unit) in added.iter().enumerate() {
            for slot in &mut unit_of[unit.tokens.clone()] {
                *slot = Some(u);
            }
        }
        mentions.retain(|m| {
            let inside = unit_of
                .get(m.tokens.start)
                .copied()
                .flatten()
                .is_some_and(|u| m.tokens.end <= added[u].tokens.end);
            !inside
        });
        mentions.extend(added);
        mentions.sort_by_key(|m| (m.start, m.end));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{kinds, Doc};
    use super::*;
    use EntityType::*;

    #[test]
    fn a_broadcast_word_before_a_place_names_a_broadcaster() {
        let d = Doc::new("Radio Tarrow quoted Kelso Radio and the radio in Brill.");
        let mut ms = vec![
            d.mention("Tarrow", 0, 1, Gpe),
            d.mention("Kelso", 0, 1, Gpe),
            d.mention("Brill", 0, 1, Gpe),
        ];
        join_broadcasters(&d.toks, &mut ms);
        assert_eq!(
            kinds(&ms),
            vec![("Radio Tarrow", Org), ("Kelso", Gpe), ("Brill", Gpe)]
        );
        assert_eq!(ms[0].start, 0);
    }

    #[test]
    fn an_institution_of_a_place_is_one_organisation() {
        let d = Doc::new("The Tarrow University of Kelso and Holm Industries of Brill met.");
        let mut ms = vec![
            d.mention("Tarrow", 0, 2, Org),
            d.mention("Kelso", 0, 1, Gpe),
            d.mention("Holm", 0, 2, Org),
            d.mention("Brill", 0, 1, Gpe),
        ];
        join_institution_of(&d.toks, &mut ms);
        // "Industries of Brill" is a company and its place: not joined.
        assert_eq!(
            kinds(&ms),
            vec![
                ("Tarrow University of Kelso", Org),
                ("Holm Industries", Org),
                ("Brill", Gpe),
            ]
        );
    }

    #[test]
    fn a_place_before_a_force_word_is_part_of_the_force() {
        let d = Doc::new("The Kelso Sea Fleet, the Tarrow Navy and the Kelso Sea itself.");
        let mut ms = vec![
            d.mention("Kelso", 0, 2, Loc),
            d.mention("Tarrow", 0, 1, Gpe),
            d.mention("Navy", 0, 1, Org),
            d.mention("Kelso", 1, 2, Loc),
        ];
        join_forces(&d.toks, &mut ms);
        assert_eq!(
            kinds(&ms),
            vec![
                ("Kelso Sea Fleet", Org),
                ("Tarrow Navy", Org),
                ("Kelso Sea", Loc),
            ]
        );
    }

    #[test]
    fn numbered_units_are_organisations() {
        let d = Doc::new(
            "The 9th Fleet and the 82nd Airborne Division moved; the 3rd day and 5th Avenue \
             did not. The 4th Brigade of Tarrow left.",
        );
        let mut ms = Vec::new();
        add_numbered_units(&d.toks, &d.sents, &mut ms);
        let got: Vec<(&str, usize)> = ms.iter().map(|m| (m.text.as_str(), m.sentence)).collect();
        assert_eq!(
            got,
            vec![
                ("9th Fleet", 0),
                ("82nd Airborne Division", 0),
                ("4th Brigade", 1)
            ]
        );
        assert!(ms.iter().all(|m| m.etype == Org));
        // Running again changes nothing: a unit found replaces itself.
        add_numbered_units(&d.toks, &d.sents, &mut ms);
        assert_eq!(ms.len(), 3);
        // The tagger's "Brigade" alone gives way; a mention reaching outside the unit does not.
        let d = Doc::new("The 14th Brigade and the 9th Division Tarrow left.");
        let mut ms = vec![
            d.mention("Brigade", 0, 1, Person),
            d.mention("Division", 0, 2, Person),
        ];
        add_numbered_units(&d.toks, &d.sents, &mut ms);
        assert_eq!(
            kinds(&ms),
            vec![("14th Brigade", Org), ("Division Tarrow", Person)]
        );
    }
}
