//! Document-level label consistency after tagging. News names a person in full once and by
//! surname afterwards ("Donald Trump" ... "after Trump cut short"); a surname alone in a new
//! context is easily mistaken for an organisation or place. One rule, measured on CoNLL dev:
//! a one-word mention that equals the first or last word of a multi-word PERSON mention elsewhere
//! in the same document is a PERSON too.

use crate::enrich::{EntityType, Mention};
use std::collections::HashSet;

pub fn apply(mentions: &mut [Mention]) {
    surnames(mentions);
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
    use super::*;

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
            apply(&mut ms);
            let got: Vec<EntityType> = ms.iter().map(|m| m.etype).collect();
            assert_eq!(&got[..], *want, "{input:?}");
        }
    }
}
