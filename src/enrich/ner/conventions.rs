//! Annotation conventions of a benchmark profile that the tagger cannot learn from its window.
//!
//! CoNLL04 writes a birthplace as one place with its state ("born in Tarrowby, Vt.": one `Loc`),
//! but every other "City, ST" as two places (36 to 0 after "born in" or "native of" in its train
//! split, 20 to 58 elsewhere). The cue is three or more tokens before the comma the tagger has to
//! decide on, beyond its ±2 window. The product keeps two places (the town lies in the state,
//! which `located_in` says), so this runs for the `conll04` profile only.

use super::super::gazetteer::is_us_state_abbreviation;
use crate::enrich::{EntityType, Mention, Token};

/// Words that make the following "City, ST" a birthplace.
fn after_birth_cue(tokens: &[Token<'_>], start: usize) -> bool {
    let lower = |i: usize| tokens[i].text.to_lowercase();
    start >= 2
        && ((lower(start - 2) == "born" && lower(start - 1) == "in")
            || (lower(start - 2) == "native" && lower(start - 1) == "of"))
}

/// Joins a place after "born in" / "native of", a comma and a US state abbreviation into one
/// place mention (dropping a separate mention of the state).
pub fn join_birthplace_state(tokens: &[Token<'_>], mentions: &mut Vec<Mention>) {
    for k in 0..mentions.len() {
        let Some(m) = mentions.get(k) else {
            break;
        };
        let i = m.tokens.end;
        let joins = matches!(m.etype, EntityType::Loc | EntityType::Gpe)
            && tokens.get(i).is_some_and(|t| t.text == ",")
            && tokens
                .get(i + 1)
                .is_some_and(|t| is_us_state_abbreviation(t.text))
            && after_birth_cue(tokens, m.tokens.start);
        if joins {
            let etype = m.etype;
            super::widen(tokens, mentions, k, i + 2, etype);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::Doc;
    use super::*;

    #[test]
    fn a_birthplace_and_its_state_become_one_place() {
        let text = "Moss was born in Tarrowby, Vt., and moved to Kelso, Mont., later.";
        let d = Doc::new(text);
        let mut ms: Vec<Mention> = ["Tarrowby", "Vt.", "Kelso", "Mont."]
            .iter()
            .map(|w| d.mention(w, 0, 1, EntityType::Gpe))
            .collect();
        join_birthplace_state(&d.toks, &mut ms);
        let got: Vec<&str> = ms.iter().map(|m| m.text.as_str()).collect();
        // Only the place after "born in" is joined; "moved to" keeps two places.
        assert_eq!(got, vec!["Tarrowby, Vt.", "Kelso", "Mont."]);
        let joined = &ms[0];
        let by_chars: String = text
            .chars()
            .skip(joined.start)
            .take(joined.end - joined.start)
            .collect();
        assert_eq!(by_chars, joined.text);
    }
}
