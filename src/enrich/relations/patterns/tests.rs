use super::super::finish;
use super::*;
use crate::enrich::entities::resolve_with;
use crate::enrich::entities::tests::code;
use crate::enrich::{sentences, tokenize};
use EntityType::*;

/// Mentions of `spec` (surface, type) found in `text` left to right, with token ranges and sentence
/// indexes from the runtime tokenizer and splitter.
pub(crate) fn mentions(text: &str, spec: &[(&str, EntityType)]) -> (Vec<Sentence>, Vec<Mention>) {
    let tokens = tokenize::tokenize(text);
    let sents = sentences::split(text, &tokens);
    let mut from = 0;
    let ms = spec
        .iter()
        .map(|&(surface, etype)| {
            let byte = from + text[from..].find(surface).expect(surface);
            from = byte + surface.len();
            let start = text[..byte].chars().count();
            let end = start + surface.chars().count();
            let first = tokens.iter().position(|t| t.end > start).unwrap();
            let last = tokens.iter().rposition(|t| t.start < end).unwrap() + 1;
            Mention {
                start,
                end,
                tokens: first..last,
                sentence: sents.iter().position(|s| s.end > start).unwrap(),
                etype,
                text: surface.to_string(),
                confidence: 0.9,
            }
        })
        .collect();
    (sents, ms)
}

/// (subject name, predicate, object name, role) of every relation the patterns find.
fn relations(
    text: &str,
    spec: &[(&str, EntityType)],
) -> Vec<(String, &'static str, String, String)> {
    let (sents, ms) = mentions(text, spec);
    let resolved = resolve_with(&ms, &code);
    let name = |id: &str| {
        resolved
            .entities
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.name.clone())
            .unwrap()
    };
    let tokens = tokenize::tokenize(text);
    let rels = finish(find(&tokens, &sents, &ms, &resolved), &resolved);
    for r in &rels {
        let ev: String = text
            .chars()
            .skip(r.evidence.start)
            .take(r.evidence.end - r.evidence.start)
            .collect();
        assert!(
            !ev.is_empty() && (0.0..=1.0).contains(&r.confidence),
            "{r:?}"
        );
    }
    let mut out: Vec<_> = rels
        .iter()
        .map(|r| {
            (
                name(&r.subject),
                r.predicate.as_str(),
                name(&r.object),
                r.role.clone().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn want(items: &[(&str, &'static str, &str, &str)]) -> Vec<(String, &'static str, String, String)> {
    let mut v: Vec<_> = items
        .iter()
        .map(|(s, p, o, r)| (s.to_string(), *p, o.to_string(), r.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn leaders_with_roles() {
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, EntityType)>,
        Vec<(&'a str, &'static str, &'a str, &'a str)>,
    );
    let cases: Vec<Case> =
        vec![
        (
            "Japan’s Prime Minister Takeshi Mizuno spoke.",
            vec![("Japan", Gpe), ("Takeshi Mizuno", Person)],
            vec![
                ("Takeshi Mizuno", "leader_of", "Japan", "Prime Minister"),
                ("Takeshi Mizuno", "citizen_of", "Japan", ""),
            ],
        ),
        (
            "Apple CEO Tim Cook said so.",
            vec![("Apple", Org), ("Tim Cook", Person)],
            vec![("Tim Cook", "leader_of", "Apple", "CEO")],
        ),
        (
            "Tim Cook, the chief executive of Apple, said so.",
            vec![("Tim Cook", Person), ("Apple", Org)],
            vec![("Tim Cook", "leader_of", "Apple", "CEO")],
        ),
        (
            "President Emmanuel Macron of France arrived.",
            vec![("Emmanuel Macron", Person), ("France", Gpe)],
            vec![
                ("Emmanuel Macron", "leader_of", "France", "President"),
                ("Emmanuel Macron", "citizen_of", "France", ""),
            ],
        ),
        (
            "The president of France, Emmanuel Macron, arrived.",
            vec![("France", Gpe), ("Emmanuel Macron", Person)],
            vec![
                ("Emmanuel Macron", "leader_of", "France", "President"),
                ("Emmanuel Macron", "citizen_of", "France", ""),
            ],
        ),
        (
            "Tim Cook, Apple’s chairman, said so.",
            vec![("Tim Cook", Person), ("Apple", Org)],
            vec![("Tim Cook", "leader_of", "Apple", "Chairman")],
        ),
        (
            "Taro Aso became minister of finance of Japan.",
            vec![("Taro Aso", Person), ("Japan", Gpe)],
            vec![("Taro Aso", "leader_of", "Japan", "Minister of Finance")],
        ),
        (
            // The title after "succeeded X as" is the successor's, not X's.
            "Ann Holm, who succeeded Maria Kelso as mayor of Tarrowby, resigned. Tom Brill \
             served as mayor of Kelso.",
            vec![
                ("Ann Holm", Person),
                ("Maria Kelso", Person),
                ("Tarrowby", Gpe),
                ("Tom Brill", Person),
                ("Kelso", Gpe),
            ],
            vec![
                ("Maria Kelso", "predecessor_of", "Ann Holm", ""),
                ("Ann Holm", "leader_of", "Tarrowby", "Mayor"),
                ("Tom Brill", "leader_of", "Kelso", "Mayor"),
            ],
        ),
        (
            "Maria Kelso replaced Tom Brill as chief executive of Holm Motors.",
            vec![("Maria Kelso", Person), ("Tom Brill", Person), ("Holm Motors", Org)],
            vec![
                ("Tom Brill", "predecessor_of", "Maria Kelso", ""),
                ("Maria Kelso", "leader_of", "Holm Motors", "CEO"),
            ],
        ),
        (
            // A nationality stands for its country: leader and citizen of South Korea.
            "Former South Korean President Baek Min Ho left South Korea.",
            vec![
                ("South Korean", Norp),
                ("Baek Min Ho", Person),
                ("South Korea", Gpe),
            ],
            vec![
                (
                    "Baek Min Ho",
                    "leader_of",
                    "South Korea",
                    "former President",
                ),
                ("Baek Min Ho", "citizen_of", "South Korea", ""),
            ],
        ),
        (
            // Not leaders: a vice president, a president without a country, a spokesman (who
            // works for Apple).
            "Vice President JD Vance of the United States met reporters. President Walter Pryce \
             left. Apple spokesman Tim Smith declined.",
            vec![
                ("JD Vance", Person),
                ("United States", Gpe),
                ("Walter Pryce", Person),
                ("Apple", Org),
                ("Tim Smith", Person),
            ],
            vec![("Tim Smith", "works_for", "Apple", "")],
        ),
        (
            // The demonym's country is never named in the article: nothing is invented.
            "South Korean President Seo Jin Woo spoke.",
            vec![("South Korean", Norp), ("Seo Jin Woo", Person)],
            vec![],
        ),
        (
            "Kim Min, a South Korean diplomat, met reporters in South Korea.",
            vec![
                ("Kim Min", Person),
                ("South Korean", Norp),
                ("South Korea", Gpe),
            ],
            vec![("Kim Min", "citizen_of", "South Korea", "")],
        ),
    ];
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}

#[test]
fn appointments_and_posts_with_qualifiers() {
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, EntityType)>,
        Vec<(&'a str, &'static str, &'a str, &'a str)>,
    );
    let cases: Vec<Case> =
        vec![
        (
            // The head of a country's government is also its citizen.
            "Lina Varga was sworn in on Monday as Canada's third prime minister.",
            vec![("Lina Varga", Person), ("Canada", Gpe)],
            vec![
                ("Lina Varga", "leader_of", "Canada", "Prime Minister"),
                ("Lina Varga", "citizen_of", "Canada", ""),
            ],
        ),
        (
            "The board approved Odo Prell as the next chief executive officer of Harlow Mining.",
            vec![("Odo Prell", Person), ("Harlow Mining", Org)],
            vec![("Odo Prell", "leader_of", "Harlow Mining", "CEO")],
        ),
        (
            "Odo Prell has been appointed Harlow Mining chairman, the firm said.",
            vec![("Odo Prell", Person), ("Harlow Mining", Org)],
            vec![("Odo Prell", "leader_of", "Harlow Mining", "Chairman")],
        ),
        (
            // An apposition may stand between the person and the verb.
            "Ife Danso, a 38-year-old civil engineer, was elected mayor of Tarrowby on Sunday.",
            vec![("Ife Danso", Person), ("Tarrowby", Gpe)],
            vec![("Ife Danso", "leader_of", "Tarrowby", "Mayor")],
        ),
        (
            // A date between the person and the post is part of the phrase.
            "Ife Danso was nominated Tuesday as the Bank of Ostria's next governor.",
            vec![("Ife Danso", Person), ("Tuesday", Date), ("Bank of Ostria", Org)],
            vec![("Ife Danso", "leader_of", "Bank of Ostria", "Governor")],
        ),
        (
            "Senators confirmed Ife Danso as substantive governor of the Bank of Ostria.",
            vec![("Ife Danso", Person), ("Bank of Ostria", Org)],
            vec![("Ife Danso", "leader_of", "Bank of Ostria", "Governor")],
        ),
        (
            "Ife Danso, who was named the 12th governor of Tarrowby, spoke.",
            vec![("Ife Danso", Person), ("Tarrowby", Gpe)],
            vec![("Ife Danso", "leader_of", "Tarrowby", "Governor")],
        ),
        (
            // "its" and "the company's" stand for the organisation named before the person.
            "Harlow Mining has named Odo Prell as its acting chief executive. Bank of Ostria \
             approved Ife Danso as the lender's new chairman.",
            vec![
                ("Harlow Mining", Org),
                ("Odo Prell", Person),
                ("Bank of Ostria", Org),
                ("Ife Danso", Person),
            ],
            vec![
                ("Odo Prell", "leader_of", "Harlow Mining", "CEO"),
                ("Ife Danso", "leader_of", "Bank of Ostria", "Chairman"),
            ],
        ),
        (
            // … not a place, and not another post's holder.
            "Tarrowby named Odo Prell as its mayor. Harlow Mining named Ife Danso as its \
             chairman's adviser.",
            vec![
                ("Tarrowby", Gpe),
                ("Odo Prell", Person),
                ("Harlow Mining", Org),
                ("Ife Danso", Person),
            ],
            vec![],
        ),
        (
            // Not a post: a visit, a deputy, a post of someone else's.
            "Ife Danso was in Tarrowby. Odo Prell was named deputy governor of the Bank of \
             Ostria. Lina Varga was appointed Harlow Mining chairman's adviser.",
            vec![
                ("Ife Danso", Person),
                ("Tarrowby", Gpe),
                ("Odo Prell", Person),
                ("Bank of Ostria", Org),
                ("Lina Varga", Person),
                ("Harlow Mining", Org),
            ],
            vec![],
        ),
    ];
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}

#[test]
fn meetings_that_happened_once() {
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, EntityType)>,
        Vec<(&'a str, &'static str, &'a str, &'a str)>,
    );
    let seo_mizuno = vec![("Seo", "met_with", "Mizuno", "")];
    let cases: Vec<Case> = vec![
        ("Seo met Mizuno in Canada.", vec![("Seo", Person), ("Mizuno", Person)], seo_mizuno.clone()),
        ("Seo also met with Mizuno.", vec![("Seo", Person), ("Mizuno", Person)], seo_mizuno.clone()),
        ("Seo held talks with Mizuno.", vec![("Seo", Person), ("Mizuno", Person)], seo_mizuno.clone()),
        ("Talks between Seo and Mizuno lasted an hour.", vec![("Seo", Person), ("Mizuno", Person)], seo_mizuno.clone()),
        (
            // Symmetric: stated twice, both ways, emitted once with the first-mentioned as subject.
            "Seo and Mizuno met on Tuesday. Mizuno met Seo again.",
            vec![("Seo", Person), ("Mizuno", Person), ("Mizuno", Person), ("Seo", Person)],
            seo_mizuno.clone(),
        ),
        (
            "Seo planned to meet with visiting President Walter Pryce but those talks were canceled. Seo said to \
             Mizuno that they agree. Seo will meet Mizuno.",
            vec![("Seo", Person), ("Walter Pryce", Person), ("Seo", Person), ("Mizuno", Person), ("Seo", Person), ("Mizuno", Person)],
            vec![],
        ),
        (
            "Seo and Mizuno agreed to cooperate in their second in-person talks. Kim and Park \
             agreed to prepare their upcoming summit.",
            vec![("Seo", Person), ("Mizuno", Person), ("Kim", Person), ("Park", Person)],
            seo_mizuno.clone(),
        ),
        (
            // The place the subject is of may stand before the verb; an organisation too.
            "Seo of Canada met Mizuno. Pryce of Kelso Bank met with Kim.",
            vec![("Seo", Person), ("Canada", Gpe), ("Mizuno", Person), ("Pryce", Person), ("Kelso Bank", Org), ("Kim", Person)],
            vec![("Seo", "met_with", "Mizuno", ""), ("Pryce", "met_with", "Kim", "")],
        ),
        (
            // … but not a place after another word: the meeting is not the subject's.
            "Seo's aide in Canada met Mizuno.",
            vec![("Seo", Person), ("Canada", Gpe), ("Mizuno", Person)],
            vec![],
        ),
        (
            "Seo and Mizuno met with Pryce.",
            vec![("Seo", Person), ("Mizuno", Person), ("Pryce", Person)],
            vec![("Mizuno", "met_with", "Pryce", "")],
        ),
    ];
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}

#[test]
fn calls_visits_and_receptions_are_meetings() {
    let pair = [("Seo", Person), ("Mizuno", Person)];
    let seo_mizuno = want(&[("Seo", "met_with", "Mizuno", "")]);
    for text in [
        "Seo had a telephone chat with Mizuno on Friday.",
        "Seo held a phone call with Mizuno.",
        "Seo held bilateral talks with Mizuno in Kelso.",
        "Seo visited Mizuno at his residence.",
        "Seo hosted Mizuno for dinner.",
        "Seo was received by Mizuno at the palace.",
        "Seo spoke with Mizuno.",
        "Seo and Mizuno spoke by phone on Monday.",
        "Seo and Mizuno held a video call.",
    ] {
        assert_eq!(relations(text, &pair), seo_mizuno, "{text}");
    }
    for text in [
        "A planned summit between Seo and Mizuno was canceled.",
        "Seo and Mizuno spoke to reporters.",
        "Seo had a long career with Mizuno.",
    ] {
        assert_eq!(relations(text, &pair), want(&[]), "{text}");
    }
}

#[test]
fn successions_read_from_news_phrasing() {
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, EntityType)>,
        Vec<(&'a str, &'static str, &'a str, &'a str)>,
    );
    let cases: Vec<Case> = vec![
        (
            "Maria Kelso, who was succeeded by Ann Holm as chief, left. Tom Brill will be \
             replaced by Odo Prell.",
            vec![
                ("Maria Kelso", Person),
                ("Ann Holm", Person),
                ("Tom Brill", Person),
                ("Odo Prell", Person),
            ],
            vec![
                ("Maria Kelso", "predecessor_of", "Ann Holm", ""),
                ("Tom Brill", "predecessor_of", "Odo Prell", ""),
            ],
        ),
        (
            "Ann Holm was sworn in on Monday, succeeding Maria Kelso.",
            vec![("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            "Ann Holm, a former banker, will take the reins from Maria Kelso next month.",
            vec![("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            "Ann Holm takes over from the long-serving chief Maria Kelso.",
            vec![("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            "Harlow Mining is replacing Chief Executive Maria Kelso with veteran executive Ann Holm.",
            vec![("Harlow Mining", Org), ("Maria Kelso", Person), ("Ann Holm", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            // "he" at the start of the sentence: the article's main person.
            "Ann Holm was named. Ann Holm said so. He will take over from Maria Kelso.",
            vec![("Ann Holm", Person), ("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            // Another clause: "after" separates the subject from the succession.
            "Ann Holm spoke after voters rejected the plan replacing Maria Kelso's rules.",
            vec![("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![],
        ),
    ];
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}

#[test]
fn companies_based_where_their_descriptor_says() {
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, EntityType)>,
        Vec<(&'a str, &'static str, &'a str, &'a str)>,
    );
    let cases: Vec<Case> = vec![
        (
            "Japanese comic distributor Kelsoft rose. Japan cheered.",
            vec![("Japanese", Norp), ("Kelsoft", Org), ("Japan", Gpe)],
            vec![("Kelsoft", "based_in", "Japan", "")],
        ),
        (
            "South Korea's telecom giant Harlow Tel said so.",
            vec![("South Korea", Gpe), ("Harlow Tel", Org)],
            vec![("Harlow Tel", "based_in", "South Korea", "")],
        ),
        (
            "The Tarrowby-based private equity firm Holm Capital bid. U.S.-based fund Kelso Partners \
             did too. Japan-based Ostria Foods did not.",
            vec![
                ("Tarrowby", Gpe),
                ("Holm Capital", Org),
                ("U.S.", Gpe),
                ("Kelso Partners", Org),
                ("Japan", Gpe),
                ("Ostria Foods", Org),
            ],
            vec![
                ("Holm Capital", "based_in", "Tarrowby", ""),
                ("Kelso Partners", "based_in", "U.S.", ""),
                ("Ostria Foods", "based_in", "Japan", ""),
            ],
        ),
        (
            // Not a descriptor of the company: a person's nationality, a place's visitor, a name.
            "Japanese officials met Kelsoft. Tarrowby visitors praised Holm Capital. Japan's \
             Kelso Bank rose. Japan cheered.",
            vec![
                ("Japanese", Norp),
                ("Kelsoft", Org),
                ("Tarrowby", Gpe),
                ("Holm Capital", Org),
                ("Japan", Gpe),
                ("Kelso Bank", Org),
                ("Japan", Gpe),
            ],
            vec![],
        ),
    ];
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}

#[test]
fn a_bare_president_leads_the_country_the_article_is_about() {
    let spec = |extra: Vec<(&'static str, EntityType)>| {
        let mut v = vec![("Canada", Gpe), ("Canada", Gpe), ("Ann Holm", Person)];
        v.extend(extra);
        v
    };
    // Canada named twice, no other country: "President Ann Holm" is Canada's.
    assert_eq!(
        relations(
            "Canada voted. Canada cheered. President Ann Holm spoke.",
            &spec(vec![])
        ),
        want(&[("Ann Holm", "leader_of", "Canada", "President")])
    );
    // Two countries as often: no guess.
    assert_eq!(
        relations(
            "Canada voted. Canada cheered. President Ann Holm spoke. Japan and Japan agreed.",
            &spec(vec![("Japan", Gpe), ("Japan", Gpe)])
        ),
        want(&[])
    );
    // The country already has a president; a minister is no head of state.
    assert_eq!(
        relations(
            "Canada voted. Canada cheered. President Ann Holm spoke. President Odo Prell of \
             Canada left. Minister Ife Danso agreed.",
            &spec(vec![
                ("Odo Prell", Person),
                ("Canada", Gpe),
                ("Ife Danso", Person)
            ])
        ),
        want(&[
            ("Odo Prell", "leader_of", "Canada", "President"),
            ("Odo Prell", "citizen_of", "Canada", ""),
        ])
    );
}

#[test]
fn staff_of_an_organisation_and_its_chief() {
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, EntityType)>,
        Vec<(&'a str, &'static str, &'a str, &'a str)>,
    );
    let cases: Vec<Case> = vec![
        (
            "Bank of Ostria official Ann Holm and Harlow Mining's chief economist Odo Prell spoke.",
            vec![
                ("Bank of Ostria", Org),
                ("Ann Holm", Person),
                ("Harlow Mining", Org),
                ("Odo Prell", Person),
            ],
            vec![
                ("Ann Holm", "works_for", "Bank of Ostria", ""),
                ("Odo Prell", "works_for", "Harlow Mining", ""),
            ],
        ),
        (
            "Ann Holm, a former Bank of Ostria chief, left. Odo Prell, the boss of Harlow Mining, \
             stayed.",
            vec![
                ("Ann Holm", Person),
                ("Bank of Ostria", Org),
                ("Odo Prell", Person),
                ("Harlow Mining", Org),
            ],
            vec![
                ("Ann Holm", "leader_of", "Bank of Ostria", "former Chief"),
                ("Odo Prell", "leader_of", "Harlow Mining", "Boss"),
            ],
        ),
        (
            "Ann Holm, a senior official at Harlow Mining, spoke. Odo Prell plays for Kelso Rovers. \
             Ife Danso, Bank of Ostria's chief economist, agreed.",
            vec![
                ("Ann Holm", Person),
                ("Harlow Mining", Org),
                ("Odo Prell", Person),
                ("Kelso Rovers", Org),
                ("Ife Danso", Person),
                ("Bank of Ostria", Org),
            ],
            vec![
                ("Ann Holm", "works_for", "Harlow Mining", ""),
                ("Odo Prell", "works_for", "Kelso Rovers", ""),
                ("Ife Danso", "works_for", "Bank of Ostria", ""),
            ],
        ),
        (
            // Who joined and then leads an organisation is reported as its leader only.
            "Ann Holm joined Harlow Mining. Harlow Mining CEO Ann Holm spoke.",
            vec![
                ("Ann Holm", Person),
                ("Harlow Mining", Org),
                ("Harlow Mining", Org),
                ("Ann Holm", Person),
            ],
            vec![("Ann Holm", "leader_of", "Harlow Mining", "CEO")],
        ),
        (
            // A nationality is no employer; a former employee is not staff now.
            "Japanese official Ann Holm and Harlow Mining former director Odo Prell spoke.",
            vec![
                ("Japanese", Norp),
                ("Ann Holm", Person),
                ("Harlow Mining", Org),
                ("Odo Prell", Person),
            ],
            vec![],
        ),
    ];
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}

#[test]
fn meeting_of_titled_leaders() {
    let text = "South Korean President Seo Jin Woo and Japanese Prime Minister Takeshi Mizuno met \
                in Canada. South Korea and Japan are neighbours.";
    let spec = [
        ("South Korean", Norp),
        ("Seo Jin Woo", Person),
        ("Japanese", Norp),
        ("Takeshi Mizuno", Person),
        ("Canada", Gpe),
        ("South Korea", Gpe),
        ("Japan", Gpe),
    ];
    let expected = [
        ("Seo Jin Woo", "leader_of", "South Korea", "President"),
        ("Seo Jin Woo", "citizen_of", "South Korea", ""),
        ("Takeshi Mizuno", "leader_of", "Japan", "Prime Minister"),
        ("Takeshi Mizuno", "citizen_of", "Japan", ""),
        ("Seo Jin Woo", "met_with", "Takeshi Mizuno", ""),
    ];
    assert_eq!(relations(text, &spec), want(&expected));
}

#[test]
fn predecessors_named_pronoun_and_succession() {
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, EntityType)>,
        Vec<(&'a str, &'static str, &'a str, &'a str)>,
    );
    let arakawa_mizuno = vec![("Kenji Arakawa", "predecessor_of", "Takeshi Mizuno", "")];
    let cases: Vec<Case> = vec![
        (
            "Takeshi Mizuno spoke. Mizuno’s predecessor Kenji Arakawa listened.",
            vec![
                ("Takeshi Mizuno", Person),
                ("Mizuno", Person),
                ("Kenji Arakawa", Person),
            ],
            arakawa_mizuno.clone(),
        ),
        (
            "Takeshi Mizuno thanked his predecessor, Kenji Arakawa.",
            vec![("Takeshi Mizuno", Person), ("Kenji Arakawa", Person)],
            arakawa_mizuno.clone(),
        ),
        (
            // "his" with no person before it in the sentence: the article's main person.
            "Takeshi Mizuno spoke. Mizuno smiled. Later his predecessor Kenji Arakawa arrived.",
            vec![
                ("Takeshi Mizuno", Person),
                ("Mizuno", Person),
                ("Kenji Arakawa", Person),
            ],
            arakawa_mizuno.clone(),
        ),
        (
            "Kenji Arakawa, Mizuno’s predecessor, arrived. Takeshi Mizuno spoke.",
            vec![
                ("Kenji Arakawa", Person),
                ("Mizuno", Person),
                ("Takeshi Mizuno", Person),
            ],
            arakawa_mizuno.clone(),
        ),
        (
            "Takeshi Mizuno succeeded Kenji Arakawa.",
            vec![("Takeshi Mizuno", Person), ("Kenji Arakawa", Person)],
            arakawa_mizuno.clone(),
        ),
        (
            "Kenji Arakawa was succeeded by Takeshi Mizuno.",
            vec![("Kenji Arakawa", Person), ("Takeshi Mizuno", Person)],
            arakawa_mizuno.clone(),
        ),
        (
            "Arakawa’s successor Takeshi Mizuno spoke. Kenji Arakawa left.",
            vec![
                ("Arakawa", Person),
                ("Takeshi Mizuno", Person),
                ("Kenji Arakawa", Person),
            ],
            arakawa_mizuno.clone(),
        ),
        (
            // An unnamed predecessor, and two people equally mentioned: no guess.
            "Seo ousted his conservative predecessor. Kim met Park. His predecessor Choi left.",
            vec![
                ("Seo", Person),
                ("Kim", Person),
                ("Park", Person),
                ("Choi", Person),
            ],
            vec![("Kim", "met_with", "Park", "")],
        ),
    ];
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}
