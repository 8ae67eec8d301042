use super::candidates::line_numbers;
use super::classifier::Classifier;
use super::merge::types_allowed;
use super::patterns::tests::mentions;
use super::*;
use crate::enrich::entities::resolve_with;
use crate::enrich::entities::tests::code;
use crate::enrich::tokenize;
use rustc_hash::FxHashMap;
use EntityType::*;

/// (text, mentions, expected (subject, predicate, object) names).
type Case<'a> = (
    &'a str,
    Vec<(&'a str, EntityType)>,
    Vec<(&'a str, &'static str, &'a str)>,
);

/// A model that calls every candidate pair related, so the tests see exactly the candidates.
fn always_yes() -> RelationModel {
    RelationModel::from_classifier(Classifier {
        weights: FxHashMap::default(),
        platt: [(1.0, 10.0); 5],
        threshold: 0.5,
        service: [0.5; 5],
    })
}

/// Every candidate the classifier accepts, without the service's evidence checks.
fn bare() -> DecisionRule {
    DecisionRule::bare(0.5)
}

fn service() -> DecisionRule {
    DecisionRule {
        thresholds: [0.5; 5],
        require_evidence: true,
    }
}

/// (subject, predicate, object) names the model reports for the article.
fn extract(text: &str, spec: &[(&str, EntityType)]) -> Vec<(String, &'static str, String)> {
    extract_at(bare(), text, spec)
}

fn extract_at(
    rule: DecisionRule,
    text: &str,
    spec: &[(&str, EntityType)],
) -> Vec<(String, &'static str, String)> {
    let tokens = tokenize::tokenize(text);
    let (sents, ms) = mentions(text, spec);
    let resolved = resolve_with(&ms, &code);
    let rels = always_yes()
        .with_rule(rule)
        .extract(text, &tokens, &sents, &ms, &resolved);
    let name = |id: &str| {
        let e = resolved.entities.iter().find(|e| e.id == id).unwrap();
        e.name.clone()
    };
    rels.iter()
        .map(|r| (name(&r.subject), r.predicate.as_str(), name(&r.object)))
        .collect()
}

#[test]
fn candidate_pairs_respect_types_lines_distance_and_events() {
    let cases: Vec<Case> = vec![
        (
            "John Smith lives in Paris.",
            vec![("John Smith", Person), ("Paris", Gpe)],
            vec![("John Smith", "resides_in", "Paris")],
        ),
        (
            // Types decide the predicate and the direction: ORG -> place only.
            "Acme Corp opened in Paris.",
            vec![("Acme Corp", Org), ("Paris", Loc)],
            vec![("Acme Corp", "based_in", "Paris")],
        ),
        (
            // A table row break: no relation across it.
            "1 Sela Maroni (Kenya) 12.83\n2 Britt Halvik (Norway) 12.90",
            vec![
                ("Sela Maroni", Person),
                ("Kenya", Gpe),
                ("Britt Halvik", Person),
                ("Norway", Gpe),
            ],
            vec![
                ("Sela Maroni", "resides_in", "Kenya"),
                ("Britt Halvik", "resides_in", "Norway"),
            ],
        ),
        (
            // More than 15 tokens apart.
            "John Smith said on a long and winding day that nobody at all could ever have \
             foreseen that Paris would fall.",
            vec![("John Smith", Person), ("Paris", Gpe)],
            vec![],
        ),
        (
            // An organisation named as an event, and a visit, are not relations.
            "John Smith attended the OPEC meeting and visited Vienna.",
            vec![("John Smith", Person), ("OPEC", Org), ("Vienna", Gpe)],
            vec![],
        ),
        (
            // Countries are not inside countries, nor inside cities: of a city and a country
            // only "city located_in country" is left.
            "Britain condemns Iraq. Lyon is in France.",
            vec![
                ("Britain", Gpe),
                ("Iraq", Gpe),
                ("Lyon", Gpe),
                ("France", Gpe),
            ],
            vec![("Lyon", "located_in", "France")],
        ),
        (
            // A pattern reading wins over a classifier guess about the same two entities.
            "Apple CEO Tim Cook spoke.",
            vec![("Apple", Org), ("Tim Cook", Person)],
            vec![("Tim Cook", "leader_of", "Apple")],
        ),
    ];
    for (text, spec, want) in cases {
        let want: Vec<(String, &'static str, String)> = want
            .into_iter()
            .map(|(s, p, o)| (s.to_string(), p, o.to_string()))
            .collect();
        assert_eq!(extract(text, &spec), want, "{text}");
    }
}

#[test]
fn line_numbers_count_breaks_inside_a_sentence() {
    let text = "a b\nc\n\nd";
    let tokens = tokenize::tokenize(text);
    let sentence = Sentence {
        tokens: 0..tokens.len(),
        start: 0,
        end: text.chars().count(),
    };
    assert_eq!(line_numbers(text, &tokens, &sentence), vec![0, 0, 1, 2]);
}

#[test]
fn the_service_point_wants_the_wording_to_state_the_relation() {
    // (text, mentions, what the service reports; the bare rule reports every candidate)
    let cases: Vec<Case> = vec![
        (
            "7. Tova Brenning (Norway) 3:58.21",
            vec![("Tova Brenning", Person), ("Norway", Gpe)],
            vec![],
        ),
        (
            "Hana Ostrova, who has long been wary of Portugal on trade, spoke.",
            vec![("Hana Ostrova", Person), ("Portugal", Gpe)],
            vec![],
        ),
        (
            "John Smith, who lives in Boston, spoke.",
            vec![("John Smith", Person), ("Boston", Gpe)],
            vec![("John Smith", "resides_in", "Boston")],
        ),
        (
            "Arne Brekke, 34, told Norvane he saw it.",
            vec![("Arne Brekke", Person), ("Norvane", Org)],
            vec![],
        ),
        (
            "said Noor Halloway, an analyst at J.T. Brightwater in St. Augustine.",
            vec![
                ("Noor Halloway", Person),
                ("J.T. Brightwater", Org),
                ("St. Augustine", Gpe),
            ],
            // (sorted by evidence: the works_for pattern's clause starts after "said")
            vec![
                ("J.T. Brightwater", "based_in", "St. Augustine"),
                ("Noor Halloway", "works_for", "J.T. Brightwater"),
            ],
        ),
    ];
    for (text, spec, want) in cases {
        let want: Vec<(String, &'static str, String)> = want
            .into_iter()
            .map(|(s, p, o)| (s.to_string(), p, o.to_string()))
            .collect();
        assert_eq!(extract_at(service(), text, &spec), want, "{text}");
        assert!(
            extract_at(bare(), text, &spec).len() >= want.len().max(1),
            "{text}: the bare rule sees the candidate"
        );
    }
}

#[test]
fn a_same_type_pair_is_related_in_one_direction_only() {
    let rel = |subject, object, confidence| MentionRelation {
        subject,
        object,
        predicate: Predicate::LocatedIn,
        confidence,
    };
    // Mentions 0 and 1 both ways (the likelier reading stays), 2 -> 1 untouched; relations before
    // `from` belong to another sentence and are left alone.
    let mut out = vec![
        rel(1, 0, 0.9),
        rel(0, 1, 0.6),
        rel(1, 0, 0.8),
        rel(2, 1, 0.7),
    ];
    keep_one_direction(&mut out, 1);
    assert_eq!(out, vec![rel(1, 0, 0.9), rel(1, 0, 0.8), rel(2, 1, 0.7)]);
    // A tie keeps the first one found.
    let mut out = vec![rel(0, 1, 0.7), rel(1, 0, 0.7)];
    keep_one_direction(&mut out, 0);
    assert_eq!(out, vec![rel(0, 1, 0.7)]);
}

#[test]
fn no_relation_leaves_with_argument_types_its_predicate_forbids() {
    let text = "Harlow Mining hit Ann Holm in Tarrowby. Ann Holm met Odo Prell.";
    let (_, ms) = mentions(
        text,
        &[
            ("Harlow Mining", Org),
            ("Ann Holm", Person),
            ("Tarrowby", Gpe),
            ("Ann Holm", Person),
            ("Odo Prell", Person),
        ],
    );
    let resolved = resolve_with(&ms, &code);
    let id = |name: &str| {
        resolved
            .entities
            .iter()
            .position(|e| e.name == name)
            .unwrap()
    };
    let (org, ann, town, odo) = (
        id("Harlow Mining"),
        id("Ann Holm"),
        id("Tarrowby"),
        id("Odo Prell"),
    );
    let found = |s, p, o| Found {
        subject: s,
        predicate: p,
        object: o,
        role: None,
        confidence: 0.9,
        evidence: Span { start: 0, end: 5 },
    };
    let rels = finish(
        vec![
            found(org, Predicate::Killed, ann), // an organisation kills no one
            found(town, Predicate::BasedIn, org), // a town is not based in a company
            found(ann, Predicate::WorksFor, town), // nor is it an employer
            found(ann, Predicate::CitizenOf, org), // nor a company a country
            found(org, Predicate::MetWith, odo), // companies do not meet people
            found(ann, Predicate::MetWith, odo), // people do
            found(org, Predicate::BasedIn, town), // and companies are based in towns
        ],
        &resolved,
    );
    let got: Vec<_> = rels
        .iter()
        .map(|r| (r.subject.as_str(), r.predicate.as_str(), r.object.as_str()))
        .collect();
    let eid = |i: usize| resolved.entities[i].id.as_str();
    assert_eq!(
        got,
        [
            (eid(org), "based_in", eid(town)),
            (eid(ann), "met_with", eid(odo)),
        ]
    );
}

/// Whatever the mentions' types and however the entities merge them, every relation the model
/// reports has the argument types of its predicate: many sentences, types drawn at random.
#[test]
fn property_every_output_relation_respects_the_type_constraints() {
    let types = [Person, Org, Gpe, Loc, Norp, Event, Misc];
    let names = [
        "Ann Holm",
        "Holm",
        "Tarrowby",
        "Kelso",
        "Odo Prell",
        "Harlow",
    ];
    let links = [
        " met ",
        " of ",
        ", the president of ",
        " killed ",
        " in ",
        " succeeded ",
        "-based ",
        " CEO ",
        " is based in ",
        " works for ",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let model = always_yes().with_rule(service());
    let mut checked = 0;
    for _ in 0..300 {
        let mut text = String::new();
        let mut spec = Vec::new();
        for k in 0..5 {
            let name = names[next(names.len())];
            text.push_str(name);
            spec.push((name, types[next(types.len())]));
            text.push_str(if k == 4 {
                "."
            } else {
                links[next(links.len())]
            });
        }
        let tokens = tokenize::tokenize(&text);
        let (sents, ms) = mentions(&text, &spec);
        let resolved = resolve_with(&ms, &code);
        let mut rels = model.extract(&text, &tokens, &sents, &ms, &resolved);
        // Whatever a pattern or the classifier might propose between these entities.
        let n = resolved.entities.len();
        let proposed: Vec<Found> = (0..6)
            .map(|_| Found {
                subject: next(n),
                predicate: Predicate::ALL[next(Predicate::ALL.len())],
                object: next(n),
                role: None,
                confidence: 0.9,
                evidence: Span { start: 0, end: 1 },
            })
            .collect();
        rels.extend(finish(proposed, &resolved));
        for r in &rels {
            let t = |id: &str| resolved.entities.iter().find(|e| e.id == id).unwrap().etype;
            assert!(
                types_allowed(r.predicate, t(&r.subject), t(&r.object)),
                "{text} {spec:?}: {r:?}"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "the sentences yield relations to check: {checked}"
    );
}

#[test]
fn a_town_then_its_country_or_state_is_located_in_it() {
    let text = "Talks in Kelso, Canada ended. Holm visited Tarrowby, Pa., on Monday. Troops left \
                Ostria, Japan, and Canada. Kelso, Tarrowby and Ostria voted. Japan, Kelso agreed.";
    let spec = [
        ("Kelso", Gpe),
        ("Canada", Gpe),
        ("Holm", Person),
        ("Tarrowby", Gpe),
        ("Pa.", Gpe),
        ("Ostria", Gpe),
        ("Japan", Gpe),
        ("Canada", Gpe),
        ("Kelso", Gpe),
        ("Tarrowby", Gpe),
        ("Ostria", Gpe),
        ("Japan", Gpe),
        ("Kelso", Gpe),
    ];
    let tokens = tokenize::tokenize(text);
    let (_, ms) = mentions(text, &spec);
    let resolved = resolve_with(&ms, &code);
    let name = |e: usize| resolved.entities[e].name.as_str();
    let got: Vec<(&str, &str)> = place_then_region(&tokens, &ms, &resolved, None)
        .iter()
        .map(|f| {
            assert_eq!(f.predicate, Predicate::LocatedIn);
            (name(f.subject), name(f.object))
        })
        .collect();
    // Lists of places, and a country first, say nothing.
    assert_eq!(got, [("Kelso", "Canada"), ("Tarrowby", "Pa.")]);
}

#[test]
fn an_organisation_after_another_person_s_of_is_that_person_s() {
    let text = "Ann Holm defeated Odo Prell of the Kelso Party on Sunday.";
    let spec = [
        ("Ann Holm", Person),
        ("Odo Prell", Person),
        ("Kelso Party", Org),
    ];
    let got = extract(text, &spec);
    assert!(
        got.contains(&(
            "Odo Prell".to_string(),
            "works_for",
            "Kelso Party".to_string()
        )),
        "{got:?}"
    );
    assert!(
        !got.contains(&(
            "Ann Holm".to_string(),
            "works_for",
            "Kelso Party".to_string()
        )),
        "{got:?}"
    );
}
