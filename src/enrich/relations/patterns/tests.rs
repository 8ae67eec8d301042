use super::super::finish;
use super::*;
use crate::enrich::entities::resolve_with;
use crate::enrich::{sentences, tokenize};
use EntityType::*;

fn code(name: &str) -> Option<String> {
    let table = [
        ("South Korea", "KR"),
        ("South Korean", "KR"),
        ("Japan", "JP"),
        ("Japanese", "JP"),
        ("France", "FR"),
        ("United States", "US"),
    ];
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c.to_string())
}

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
    let rels = finish(find(text, &sents, &ms, &resolved), &resolved);
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
            "Japan’s Prime Minister Shigeru Ishiba spoke.",
            vec![("Japan", Gpe), ("Shigeru Ishiba", Person)],
            vec![("Shigeru Ishiba", "leader_of", "Japan", "Prime Minister")],
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
            vec![("Emmanuel Macron", "leader_of", "France", "President")],
        ),
        (
            "The president of France, Emmanuel Macron, arrived.",
            vec![("France", Gpe), ("Emmanuel Macron", Person)],
            vec![("Emmanuel Macron", "leader_of", "France", "President")],
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
            // A nationality stands for its country: leader and citizen of South Korea.
            "Former South Korean President Yoon Suk Yeol left South Korea.",
            vec![("South Korean", Norp), ("Yoon Suk Yeol", Person), ("South Korea", Gpe)],
            vec![
                ("Yoon Suk Yeol", "leader_of", "South Korea", "former President"),
                ("Yoon Suk Yeol", "citizen_of", "South Korea", ""),
            ],
        ),
        (
            // Not leaders: a vice president, a president without a country, a spokesman.
            "Vice President JD Vance of the United States met reporters. President Donald Trump \
             left. Apple spokesman Tim Smith declined.",
            vec![
                ("JD Vance", Person),
                ("United States", Gpe),
                ("Donald Trump", Person),
                ("Apple", Org),
                ("Tim Smith", Person),
            ],
            vec![],
        ),
        (
            // The demonym's country is never named in the article: nothing is invented.
            "South Korean President Lee Jae Myung spoke.",
            vec![("South Korean", Norp), ("Lee Jae Myung", Person)],
            vec![],
        ),
        (
            "Kim Min, a South Korean diplomat, met reporters in South Korea.",
            vec![("Kim Min", Person), ("South Korean", Norp), ("South Korea", Gpe)],
            vec![("Kim Min", "citizen_of", "South Korea", "")],
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
    let lee_ishiba = vec![("Lee", "met_with", "Ishiba", "")];
    let cases: Vec<Case> = vec![
        ("Lee met Ishiba in Canada.", vec![("Lee", Person), ("Ishiba", Person)], lee_ishiba.clone()),
        ("Lee also met with Ishiba.", vec![("Lee", Person), ("Ishiba", Person)], lee_ishiba.clone()),
        ("Lee held talks with Ishiba.", vec![("Lee", Person), ("Ishiba", Person)], lee_ishiba.clone()),
        ("Talks between Lee and Ishiba lasted an hour.", vec![("Lee", Person), ("Ishiba", Person)], lee_ishiba.clone()),
        (
            // Symmetric: stated twice, both ways, emitted once with the first-mentioned as subject.
            "Lee and Ishiba met on Tuesday. Ishiba met Lee again.",
            vec![("Lee", Person), ("Ishiba", Person), ("Ishiba", Person), ("Lee", Person)],
            lee_ishiba.clone(),
        ),
        (
            "Lee planned to meet with President Donald Trump but the talks were canceled. Lee said to \
             Ishiba that they agree. Lee will meet Ishiba.",
            vec![("Lee", Person), ("Donald Trump", Person), ("Lee", Person), ("Ishiba", Person), ("Lee", Person), ("Ishiba", Person)],
            vec![],
        ),
        (
            "Lee and Ishiba agreed to cooperate in their first in-person talks. Kim and Park \
             agreed to prepare their upcoming summit.",
            vec![("Lee", Person), ("Ishiba", Person), ("Kim", Person), ("Park", Person)],
            lee_ishiba.clone(),
        ),
        (
            "Lee and Ishiba met with Trump.",
            vec![("Lee", Person), ("Ishiba", Person), ("Trump", Person)],
            vec![("Ishiba", "met_with", "Trump", "")],
        ),
    ];
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}

#[test]
fn meeting_of_titled_leaders() {
    let text =
        "South Korean President Lee Jae Myung and Japanese Prime Minister Shigeru Ishiba met \
                in Canada. South Korea and Japan are neighbours.";
    let spec = [
        ("South Korean", Norp),
        ("Lee Jae Myung", Person),
        ("Japanese", Norp),
        ("Shigeru Ishiba", Person),
        ("Canada", Gpe),
        ("South Korea", Gpe),
        ("Japan", Gpe),
    ];
    let expected = [
        ("Lee Jae Myung", "leader_of", "South Korea", "President"),
        ("Lee Jae Myung", "citizen_of", "South Korea", ""),
        ("Shigeru Ishiba", "leader_of", "Japan", "Prime Minister"),
        ("Shigeru Ishiba", "citizen_of", "Japan", ""),
        ("Lee Jae Myung", "met_with", "Shigeru Ishiba", ""),
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
    let kishida_ishiba = vec![("Fumio Kishida", "predecessor_of", "Shigeru Ishiba", "")];
    let cases: Vec<Case> = vec![
        (
            "Shigeru Ishiba spoke. Ishiba’s predecessor Fumio Kishida listened.",
            vec![
                ("Shigeru Ishiba", Person),
                ("Ishiba", Person),
                ("Fumio Kishida", Person),
            ],
            kishida_ishiba.clone(),
        ),
        (
            "Shigeru Ishiba thanked his predecessor, Fumio Kishida.",
            vec![("Shigeru Ishiba", Person), ("Fumio Kishida", Person)],
            kishida_ishiba.clone(),
        ),
        (
            // "his" with no person before it in the sentence: the article's main person.
            "Shigeru Ishiba spoke. Ishiba smiled. Later his predecessor Fumio Kishida arrived.",
            vec![
                ("Shigeru Ishiba", Person),
                ("Ishiba", Person),
                ("Fumio Kishida", Person),
            ],
            kishida_ishiba.clone(),
        ),
        (
            "Fumio Kishida, Ishiba’s predecessor, arrived. Shigeru Ishiba spoke.",
            vec![
                ("Fumio Kishida", Person),
                ("Ishiba", Person),
                ("Shigeru Ishiba", Person),
            ],
            kishida_ishiba.clone(),
        ),
        (
            "Shigeru Ishiba succeeded Fumio Kishida.",
            vec![("Shigeru Ishiba", Person), ("Fumio Kishida", Person)],
            kishida_ishiba.clone(),
        ),
        (
            "Fumio Kishida was succeeded by Shigeru Ishiba.",
            vec![("Fumio Kishida", Person), ("Shigeru Ishiba", Person)],
            kishida_ishiba.clone(),
        ),
        (
            "Kishida’s successor Shigeru Ishiba spoke. Fumio Kishida left.",
            vec![
                ("Kishida", Person),
                ("Shigeru Ishiba", Person),
                ("Fumio Kishida", Person),
            ],
            kishida_ishiba.clone(),
        ),
        (
            // An unnamed predecessor, and two people equally mentioned: no guess.
            "Lee ousted his conservative predecessor. Kim met Park. His predecessor Choi left.",
            vec![
                ("Lee", Person),
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
