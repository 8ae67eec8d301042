//! A common noun opening a sentence is no name: "Chipmaker picks Dresden".

use super::descriptors::is_org_descriptor_head;
use super::heads::{is_maker, PERSON_HEADS};
use crate::enrich::{Mention, Sentence, Token};

/// A one-word "name" opening a sentence that is a common noun for a company or a person
/// ("Chipmaker picks Dresden", "Lender cuts rates") is not a name.
pub(crate) fn drop_sentence_initial_nouns(
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    mentions: &mut Vec<Mention>,
) {
    mentions.retain(|m| {
        let first = sentences
            .get(m.sentence)
            .is_some_and(|s| s.tokens.start == m.tokens.start);
        if !first || m.tokens.len() != 1 {
            return true;
        }
        let lower = tokens[m.tokens.start].text.to_lowercase();
        let noun = is_org_descriptor_head(&lower)
            || is_maker(&lower)
            || PERSON_HEADS.contains(&lower.as_str());
        !noun
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::ner::fixtures::Doc;
    use crate::enrich::EntityType;

    #[test]
    fn a_common_noun_opening_a_sentence_is_no_name() {
        let d = Doc::new("Chipmaker picks Tarrow. Lender cuts rates. Kelso wins.");
        let mut ms = vec![
            d.mention("Chipmaker", 0, 1, EntityType::Org),
            d.mention("Tarrow", 0, 1, EntityType::Gpe),
            d.mention("Lender", 0, 1, EntityType::Org),
            d.mention("Kelso", 0, 1, EntityType::Org),
        ];
        drop_sentence_initial_nouns(&d.toks, &d.sents, &mut ms);
        let got: Vec<&str> = ms.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(got, ["Tarrow", "Kelso"]);
    }
}
