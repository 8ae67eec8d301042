//! A descriptor right before a name: "gear maker Tarrow" is a company, "the party's candidate
//! Amon Kelso" a person, and so is every mention of the same name in the article.

use super::heads::ORG_HEADS;
use crate::enrich::{EntityType, Mention, Token};

/// Company nouns written as one word with "maker", and other heads a descriptor before a company
/// name ends with ("the telecom giant Kelso").
const ORG_DESCRIPTOR_HEADS: &[&str] = &[
    "carmaker",
    "automaker",
    "chipmaker",
    "drugmaker",
    "steelmaker",
    "planemaker",
    "toymaker",
    "giant",
    "distributor",
    "firm",
];

/// An organisation head noun right before a name the tagger read as a person: "medical gear maker
/// Tarrow", "the private equity firm Holm", "comic distributor Kelsoft". The head must be a
/// lowercase word directly before the name.
pub(crate) fn is_org_descriptor_head(lower: &str) -> bool {
    ORG_HEADS.contains(&lower) || ORG_DESCRIPTOR_HEADS.contains(&lower)
}

fn org_descriptor_before(tokens: &[Token<'_>], start: usize) -> bool {
    let Some(prev) = start.checked_sub(1).and_then(|i| tokens.get(i)) else {
        return false;
    };
    let lower = prev.text.to_lowercase();
    prev.is_lowercase_word() && is_org_descriptor_head(&lower)
}

/// A name the tagger typed PERSON that a descriptor before it calls an organisation ("gear maker
/// Tarrow") is an organisation, and so is every other PERSON mention with the same text in the
/// article ("Tarrow said", "Tarrow's shares").
pub(crate) fn org_descriptors(tokens: &[Token<'_>], mentions: &mut [Mention]) {
    let person = |m: &Mention| m.etype == EntityType::Person;
    retype_everywhere(
        mentions,
        person,
        |m| org_descriptor_before(tokens, m.tokens.start),
        EntityType::Org,
    );
}

/// Every mention `candidate` accepts whose text is that of one `cued` accepts becomes `to`: a cue
/// seen once in the article ("the gear maker X") speaks for every mention of the same name.
fn retype_everywhere(
    mentions: &mut [Mention],
    candidate: impl Fn(&Mention) -> bool,
    cued: impl Fn(&Mention) -> bool,
    to: EntityType,
) {
    let mut names: Vec<String> = mentions
        .iter()
        .filter(|m| candidate(m) && cued(m))
        .map(|m| m.text.clone())
        .collect();
    if names.is_empty() {
        return;
    }
    names.sort_unstable();
    names.dedup();
    for m in mentions.iter_mut() {
        if candidate(m) && names.binary_search(&m.text).is_ok() {
            m.etype = to;
        }
    }
}

/// Person nouns that, lowercase right before a name, say it is a person ("the ruling party's
/// candidate X", "defence lawyer X"). Words that are also adjectives ("official", "executive")
/// are left out: "the official Xinhua agency".
const PERSON_DESCRIPTOR_HEADS: &[&str] = &[
    "candidate",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "lawyer",
    "attorney",
    "actor",
    "actress",
    "singer",
    "novelist",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "economist",
    "businessman",
    "businesswoman",
    "activist",
    "journalist",
    "photographer",
    "suspect",
    "widow",
];

/// A name the tagger typed ORG or as a place that a person noun right before it calls a person
/// ("the party's candidate X") is a person, and so is every same-text mention of that type.
pub(crate) fn person_descriptors(tokens: &[Token<'_>], mentions: &mut [Mention]) {
    let candidate =
        |m: &Mention| matches!(m.etype, EntityType::Org | EntityType::Loc | EntityType::Gpe);
    let described = |m: &Mention| {
        let prev = m.tokens.start.checked_sub(1).and_then(|i| tokens.get(i));
        m.tokens.len() >= 2
            && prev.is_some_and(|t| {
                t.is_lowercase_word()
                    && PERSON_DESCRIPTOR_HEADS.contains(&t.text.to_lowercase().as_str())
            })
    };
    retype_everywhere(mentions, candidate, described, EntityType::Person);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::ner::fixtures::Doc;

    #[test]
    fn a_company_descriptor_before_a_name_makes_it_an_organisation_everywhere() {
        let text = "The medical gear maker Tarrow rose. Tarrow said so. Tarrowson spoke. \
                    Spokesman Kelso Brill and party leader Ann Holm agreed.";
        let d = Doc::new(text);
        let mut ms = vec![
            d.mention("Tarrow", 0, 1, EntityType::Person),
            d.mention("Tarrow", 1, 1, EntityType::Person),
            d.mention("Tarrowson", 0, 1, EntityType::Person),
            d.mention("Kelso", 0, 2, EntityType::Person),
            d.mention("Ann", 0, 2, EntityType::Person),
        ];
        org_descriptors(&d.toks, &mut ms);
        let got: Vec<EntityType> = ms.iter().map(|m| m.etype).collect();
        use EntityType::*;
        assert_eq!(got, [Org, Org, Person, Person, Person]);
    }

    #[test]
    fn a_person_noun_before_a_name_makes_it_a_person_everywhere() {
        let text = "The party's candidate Amon Kelso lost. Amon Kelso conceded. The official \
                    Tarrow News agency and spokesman Holm agreed.";
        let d = Doc::new(text);
        let mut ms = vec![
            d.mention("Amon", 0, 2, EntityType::Org),
            d.mention("Amon", 1, 2, EntityType::Org),
            d.mention("Tarrow", 0, 2, EntityType::Org),
            d.mention("Holm", 0, 1, EntityType::Org),
        ];
        person_descriptors(&d.toks, &mut ms);
        let got: Vec<EntityType> = ms.iter().map(|m| m.etype).collect();
        use EntityType::*;
        // A one-word name after a person noun is left alone: too often a team or a firm.
        assert_eq!(got, [Person, Person, Org, Org]);
    }
}
