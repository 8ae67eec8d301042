//! Types from an apposition: news introduces a name it cannot expect the reader to know with a
//! noun phrase right after it, and the head noun of that phrase says what the name is:
//! "Varga, a senior defence official, …" (a person), "Holm Brothers, a Tarrowby building firm, …"
//! (an organisation), "Kelso, a mining town in …" (a place). The tagger sees two words either side
//! of a token, which is too short to reach the head noun, so this step reads it and re-types the
//! mention when the tagger disagreed.

use crate::enrich::{EntityType, Mention, Sentence, Token};

/// Head nouns of a phrase describing a person.
const PERSON_HEADS: &[&str] = &[
    "engineer",
    "teacher",
    "student",
    "farmer",
    "official",
    "officials",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "president",
    "minister",
    "leader",
    "lawyer",
    "attorney",
    "director",
    "chairman",
    "chairwoman",
    "secretary",
    "professor",
    "senator",
    "governor",
    "congressman",
    "congresswoman",
    "actor",
    "actress",
    "writer",
    "author",
    "novelist",
    "poet",
    "singer",
    "musician",
    "pianist",
    "composer",
    "player",
    "coach",
    "executive",
    "analyst",
    "commander",
    "aide",
    "adviser",
    "advisor",
    "son",
    "daughter",
    "wife",
    "husband",
    "mother",
    "father",
    "brother",
    "sister",
    "widow",
    "man",
    "woman",
    "boy",
    "girl",
    "member",
    "strategist",
    "strategists",
    "economist",
    "scientist",
    "physicist",
    "historian",
    "journalist",
    "reporter",
    "correspondent",
    "editor",
    "publisher",
    "producer",
    "director-general",
    "ambassador",
    "envoy",
    "diplomat",
    "judge",
    "mayor",
    "prosecutor",
    "priest",
    "bishop",
    "teacher",
    "student",
    "founder",
    "veteran",
    "activist",
    "dissident",
    "candidate",
    "banker",
    "businessman",
    "businesswoman",
    "entrepreneur",
    "tycoon",
    "expert",
    "researcher",
    "assassin",
    "gunman",
    "suspect",
    "defendant",
    "soldier",
    "officer",
    "pilot",
    "doctor",
    "physician",
    "surgeon",
    "nurse",
    "farmer",
    "resident",
    "native",
    "legislator",
    "lawmaker",
    "deputy",
    "premier",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
];

/// "carmaker", "chipmaker", "drugmaker": a company.
fn is_maker(lower: &str) -> bool {
    lower.len() > "maker".len() && lower.ends_with("maker") && lower != "peacemaker"
}

/// Head nouns of a phrase describing an organisation.
const ORG_HEADS: &[&str] = &[
    "firm",
    "startup",
    "start-up",
    "publisher",
    "producer",
    "exporter",
    "distributor",
    "refiner",
    "utility",
    "regulator",
    "watchdog",
    "company",
    "corporation",
    "conglomerate",
    "group",
    "agency",
    "bank",
    "airline",
    "carrier",
    "newspaper",
    "daily",
    "weekly",
    "magazine",
    "party",
    "union",
    "organization",
    "organisation",
    "association",
    "institute",
    "university",
    "college",
    "school",
    "maker",
    "manufacturer",
    "retailer",
    "subsidiary",
    "unit",
    "network",
    "broadcaster",
    "club",
    "team",
    "committee",
    "council",
    "fund",
    "charity",
    "foundation",
    "ministry",
    "department",
    "insurer",
    "lender",
    "chain",
    "supplier",
    "operator",
    "consortium",
    "coalition",
    "alliance",
    "movement",
    "faction",
    "militia",
    "band",
    "orchestra",
    "studio",
    "brokerage",
    "exchange",
    "hospital",
    "museum",
];

/// Head nouns of a phrase describing a place.
const PLACE_HEADS: &[&str] = &[
    "city",
    "town",
    "village",
    "capital",
    "state",
    "province",
    "region",
    "county",
    "district",
    "island",
    "islands",
    "country",
    "nation",
    "suburb",
    "port",
    "resort",
    "republic",
    "hamlet",
    "borough",
    "township",
    "municipality",
    "enclave",
    "territory",
    "kingdom",
    "peninsula",
    "valley",
    "river",
    "lake",
    "mountain",
    "desert",
];

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
    if end + 2 >= limit || tokens[end].text != "," {
        return None;
    }
    let opener = tokens[end + 1].text.to_lowercase();
    if !OPENERS.contains(&opener.as_str()) {
        return None;
    }
    let mut i = end + 2;
    // "one of the …"
    if opener == "one" {
        if i + 1 < limit && tokens[i].text == "of" && tokens[i + 1].text == "the" {
            i += 2;
        } else {
            return None;
        }
    }
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
        let head = if PERSON_HEADS.contains(&lower.as_str()) {
            Some(EntityType::Person)
        } else if ORG_HEADS.contains(&lower.as_str()) || is_maker(&lower) {
            Some(EntityType::Org)
        } else if PLACE_HEADS.contains(&lower.as_str()) {
            Some(EntityType::Loc)
        } else {
            None
        };
        // "a district official", "a city council member": a head noun before another head
        // noun modifies it; the last one is the head.
        let next_is_head = tokens.get(j + 1).is_some_and(|t| {
            let l = t.text.to_lowercase();
            j + 1 < limit
                && t.is_lowercase_word()
                && (PERSON_HEADS.contains(&l.as_str())
                    || ORG_HEADS.contains(&l.as_str())
                    || PLACE_HEADS.contains(&l.as_str()))
        });
        if head.is_some() && next_is_head {
            continue;
        }
        if head.is_some() {
            // ", the university said", ", a senior official in Kelso said": the phrase is the
            // subject of a new clause. ", the pressure group Tarrow Watch": it introduces a name.
            let after = &tokens[j + 1..limit.min(j + 5)];
            let says = after
                .iter()
                .take_while(|t| t.text.chars().any(char::is_alphanumeric))
                .any(|t| SPEECH_VERBS.contains(&t.text.to_lowercase().as_str()));
            let names = after.first().is_some_and(Token::is_capitalised);
            if says || names {
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
    use super::super::fixtures::Doc;
    use super::*;
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
