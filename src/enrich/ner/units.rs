//! Numbered units: "the 6th Fleet", "the 82nd Airborne Division", "the 12th Brigade". The
//! tagger rarely sees them (neither training corpus has more than a handful), yet they are
//! organisations that news names often, and they hold relations ("the 9th Fleet off
//! Kelso").

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

/// "6th", "82nd", "1st", "23rd".
fn ordinal(w: &str) -> bool {
    let digits = w.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(&w[digits..], "st" | "nd" | "rd" | "th")
}

/// Adds an ORG mention for every numbered unit no mention overlaps.
pub fn add(tokens: &[Token<'_>], sentences: &[Sentence], mentions: &mut Vec<Mention>) {
    let covered = Mention::covered(tokens.len(), mentions);
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
            // The name ends at its last head word: "the 6th Fleet Air Arm" is not taken apart.
            while end > i + 1 && !UNIT_HEADS.contains(&tokens[end - 1].text) {
                end -= 1;
            }
            if end > i + 1 && !covered[i..end].iter().any(|&c| c) {
                added.push(Mention {
                    start: tokens[i].start,
                    end: tokens[end - 1].end,
                    tokens: i..end,
                    sentence: si,
                    etype: EntityType::Org,
                    text: tokens[i..end]
                        .iter()
                        .map(|t| t.text)
                        .collect::<Vec<_>>()
                        .join(" "),
                    confidence: 0.9,
                });
            }
            i = end.max(i + 1);
        }
    }
    if !added.is_empty() {
        mentions.extend(added);
        mentions.sort_by_key(|m| (m.start, m.end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::{sentences, tokenize};

    #[test]
    fn numbered_units_are_organisations() {
        let text =
            "The 6th Fleet and the 82nd Airborne Division moved; the 3rd day and 5th Avenue \
                    did not. The 4th Brigade of Tarrow left.";
        let toks = tokenize::tokenize(text);
        let sents = sentences::split(text, &toks);
        let mut ms = Vec::new();
        add(&toks, &sents, &mut ms);
        let got: Vec<(&str, usize)> = ms.iter().map(|m| (m.text.as_str(), m.sentence)).collect();
        assert_eq!(
            got,
            vec![
                ("6th Fleet", 0),
                ("82nd Airborne Division", 0),
                ("4th Brigade", 1)
            ]
        );
        assert!(ms.iter().all(|m| m.etype == EntityType::Org));
        // A unit the tagger already found is left alone.
        add(&toks, &sents, &mut ms);
        assert_eq!(ms.len(), 3);
    }
}
