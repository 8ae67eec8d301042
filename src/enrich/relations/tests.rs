use super::classifier::Classifier;
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

/// (subject, predicate, object) names the model reports for the article.
fn extract(text: &str, spec: &[(&str, EntityType)]) -> Vec<(String, &'static str, String)> {
    extract_at(OperatingPoint::Tuned, text, spec)
}

fn extract_at(
    point: OperatingPoint,
    text: &str,
    spec: &[(&str, EntityType)],
) -> Vec<(String, &'static str, String)> {
    let tokens = tokenize::tokenize(text);
    let (sents, ms) = mentions(text, spec);
    let resolved = resolve_with(&ms, &code);
    let rels = always_yes()
        .at(point)
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
    // (text, mentions, what the service reports; the tuned point reports every candidate)
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
            vec![
                ("Noor Halloway", "works_for", "J.T. Brightwater"),
                ("J.T. Brightwater", "based_in", "St. Augustine"),
            ],
        ),
    ];
    for (text, spec, want) in cases {
        let want: Vec<(String, &'static str, String)> = want
            .into_iter()
            .map(|(s, p, o)| (s.to_string(), p, o.to_string()))
            .collect();
        assert_eq!(
            extract_at(OperatingPoint::Service, text, &spec),
            want,
            "{text}"
        );
        assert!(
            extract_at(OperatingPoint::Tuned, text, &spec).len() >= want.len().max(1),
            "{text}: the tuned point sees the candidate"
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
