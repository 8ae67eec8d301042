use super::*;
use EntityType::*;

/// A tiny stand-in for the gazetteer's country table (names, variants and demonyms); the
/// relation pattern tests use it too.
pub(crate) fn code(name: &str) -> Option<String> {
    let table = [
        ("South Korea", "KR"),
        ("South Korean", "KR"),
        ("Japan", "JP"),
        ("Japanese", "JP"),
        ("US", "US"),
        ("U.S.", "US"),
        ("United States", "US"),
        ("Canada", "CA"),
        ("France", "FR"),
        ("Britain", "GB"),
        ("Iraq", "IQ"),
    ];
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c.to_string())
}

/// Mentions of `spec` (surface, type) found in `text` left to right; sentence index = number of
/// ". " before the mention.
fn mentions(text: &str, spec: &[(&str, EntityType)]) -> Vec<Mention> {
    let mut from = 0;
    spec.iter()
        .map(|&(surface, etype)| {
            let byte = from + text[from..].find(surface).expect(surface);
            from = byte + surface.len();
            let start = text[..byte].chars().count();
            Mention {
                start,
                end: start + surface.chars().count(),
                tokens: 0..0,
                sentence: text[..byte].matches(". ").count(),
                etype,
                text: surface.to_string(),
                confidence: 0.9,
            }
        })
        .collect()
}

fn names_of(r: &Resolved) -> Vec<(String, EntityType, usize)> {
    r.entities
        .iter()
        .map(|e| (e.name.clone(), e.etype, e.mentions.len()))
        .collect()
}

#[test]
fn merges_as_an_article_reader_would() {
    // (text, mentions, expected entities as (name, type, mention count) in order of first mention)
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, EntityType)>,
        Vec<(&'a str, EntityType, usize)>,
    );
    let cases: Vec<Case> = vec![
        (
            "Lee Jae Myung met Shigeru Ishiba. Lee said Ishiba agreed. LEE smiled.",
            vec![
                ("Lee Jae Myung", Person),
                ("Shigeru Ishiba", Person),
                ("Lee", Person),
                ("Ishiba", Person),
                ("LEE", Person),
            ],
            vec![("Lee Jae Myung", Person, 3), ("Shigeru Ishiba", Person, 2)],
        ),
        (
            "The G-7 summit. The Group of Seven met. G7 leaders left.",
            vec![("G-7", Org), ("Group of Seven", Org), ("G7", Misc)],
            vec![("Group of Seven", Org, 3)],
        ),
        (
            "US envoys and U.S. troops left the United States for the US base.",
            vec![
                ("US", Gpe),
                ("U.S.", Gpe),
                ("United States", Gpe),
                ("US", Gpe),
            ],
            vec![("United States", Gpe, 4)],
        ),
        (
            // Ambiguous surname: two full names share "Kim", so "Kim" stays apart.
            "Kim Jong Un and Kim Yo Jong spoke. Kim left.",
            vec![
                ("Kim Jong Un", Person),
                ("Kim Yo Jong", Person),
                ("Kim", Person),
            ],
            vec![
                ("Kim Jong Un", Person, 1),
                ("Kim Yo Jong", Person, 1),
                ("Kim", Person, 1),
            ],
        ),
        (
            // Possessive forms and type votes: "Ishiba’s" tagged ORG once is still the person.
            "Shigeru Ishiba spoke. Ishiba’s aide left. Ishiba smiled.",
            vec![
                ("Shigeru Ishiba", Person),
                ("Ishiba’s", Org),
                ("Ishiba", Person),
            ],
            vec![("Shigeru Ishiba", Person, 3)],
        ),
        (
            // A place name is not a surname: "Jordan" the country stays apart from the player.
            "Michael Jordan visited Jordan. Jordan welcomed him.",
            vec![("Michael Jordan", Person), ("Jordan", Gpe), ("Jordan", Gpe)],
            vec![("Michael Jordan", Person, 1), ("Jordan", Gpe, 2)],
        ),
        (
            // A surname the tagger typed ORG after the full name is still the person; an ORG
            // before any full name is left alone.
            "Ford said. Donald Trump spoke. Trump left. Trump flew. Harrison Ford smiled.",
            vec![
                ("Ford", Org),
                ("Donald Trump", Person),
                ("Trump", Org),
                ("Trump", Org),
                ("Harrison Ford", Person),
            ],
            vec![
                ("Ford", Org, 1),
                ("Donald Trump", Person, 3),
                ("Harrison Ford", Person, 1),
            ],
        ),
        (
            // Dates merge only with the same text and type.
            "On Tuesday Lee met Ishiba. On Tuesday they spoke.",
            vec![
                ("Tuesday", Date),
                ("Lee", Person),
                ("Ishiba", Person),
                ("Tuesday", Date),
            ],
            vec![
                ("Tuesday", Date, 2),
                ("Lee", Person, 1),
                ("Ishiba", Person, 1),
            ],
        ),
    ];
    for (text, spec, want) in cases {
        let r = resolve_with(&mentions(text, &spec), &code);
        let want: Vec<(String, EntityType, usize)> = want
            .into_iter()
            .map(|(n, t, c)| (n.to_string(), t, c))
            .collect();
        assert_eq!(names_of(&r), want, "{text}");
    }
}

#[test]
fn countries_and_demonyms_carry_iso_codes() {
    let text = "South Korean President Lee met Japan's Ishiba. South Korea and Japan agreed.";
    let spec = [
        ("South Korean", Norp),
        ("Lee", Person),
        ("Japan", Gpe),
        ("Ishiba", Person),
        ("South Korea", Gpe),
        ("Japan", Gpe),
    ];
    let r = resolve_with(&mentions(text, &spec), &code);
    let links: Vec<(&str, EntityType, Option<&str>)> = r
        .entities
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.etype,
                e.links.get(ISO3166).map(String::as_str),
            )
        })
        .collect();
    assert_eq!(
        links,
        vec![
            ("South Korean", Norp, Some("KR")),
            ("Lee", Person, None),
            ("Japan", Gpe, Some("JP")),
            ("Ishiba", Person, None),
            ("South Korea", Gpe, Some("KR")),
        ]
    );
}

#[test]
fn ids_follow_first_mention_and_mentions_are_sorted() {
    let text = "Ishiba arrived. Shigeru Ishiba met Lee Jae Myung. Lee left.";
    let mut ms = mentions(
        text,
        &[
            ("Ishiba", Person),
            ("Shigeru Ishiba", Person),
            ("Lee Jae Myung", Person),
            ("Lee", Person),
        ],
    );
    ms.reverse(); // input order must not matter
    let r = resolve_with(&ms, &code);
    assert_eq!(r.entities[0].id, "E1");
    assert_eq!(r.entities[0].name, "Shigeru Ishiba");
    let starts: Vec<usize> = r.entities[0].mentions.iter().map(|m| m.start).collect();
    assert_eq!(starts, vec![0, 16]);
    assert_eq!(r.entities[1].id, "E2");
    assert_eq!(r.entities[1].name, "Lee Jae Myung");
    // mention_entity follows the input order
    let ids: Vec<&str> = r
        .mention_entity
        .iter()
        .map(|&e| r.entities[e].id.as_str())
        .collect();
    assert_eq!(ids, vec!["E2", "E2", "E1", "E1"]);
}

#[test]
fn salience_prefers_frequent_early_lead_entities() {
    let text = "Lee Jae Myung met Ishiba. Lee spoke. Lee left. Later Canada hosted.";
    let spec = [
        ("Lee Jae Myung", Person),
        ("Ishiba", Person),
        ("Lee", Person),
        ("Lee", Person),
        ("Canada", Gpe),
    ];
    let r = resolve_with(&mentions(text, &spec), &code);
    let s: Vec<f32> = r.entities.iter().map(|e| e.salience).collect();
    assert!(s.iter().all(|v| (0.0..=1.0).contains(v)), "{s:?}");
    assert!(s[0] > s[1] && s[1] > s[2], "{s:?}");
    assert_eq!(salience(3, 3, 0, 100, 0, Person), 1.0);
    assert_eq!(salience(1, 2, 50, 100, 5, Gpe), 0.375);
    assert_eq!(salience(1, 2, 50, 100, 5, Date), 0.188);
}

#[test]
fn company_suffixes_and_mixed_case_acronyms_merge() {
    let text =
        "Harlow Bank Limited hired Ann Adani. Harlow Bank said so. The Bank of Ostria (BoO) \
                agreed. Adani Group and Ann Adani left.";
    let r = resolve_with(
        &mentions(
            text,
            &[
                ("Harlow Bank Limited", Org),
                ("Ann Adani", Person),
                ("Harlow Bank", Org),
                ("Bank of Ostria", Org),
                ("BoO", Org),
                ("Adani Group", Org),
                ("Ann Adani", Person),
            ],
        ),
        &code,
    );
    assert_eq!(
        names_of(&r),
        [
            ("Harlow Bank Limited".to_string(), Org, 2),
            ("Ann Adani".to_string(), Person, 2),
            ("Bank of Ostria".to_string(), Org, 2),
            ("Adani Group".to_string(), Org, 1),
        ]
    );
}

#[test]
fn a_one_word_short_form_after_an_organisation_name_is_that_organisation() {
    let text = "Tarrow Dynamics opened a plant. Tarrow said so. Kelso Motors and Kelso Foods met, \
                and Kelso left. Brill Mining grew; Brill is a town.";
    let r = resolve_with(
        &mentions(
            text,
            &[
                ("Tarrow Dynamics", Org),
                ("Tarrow", Org),
                ("Kelso Motors", Org),
                ("Kelso Foods", Org),
                ("Kelso", Org),
                ("Brill Mining", Org),
                ("Brill", Gpe),
            ],
        ),
        &code,
    );
    assert_eq!(
        names_of(&r),
        [
            ("Tarrow Dynamics".to_string(), Org, 2),
            ("Kelso Motors".to_string(), Org, 1),
            ("Kelso Foods".to_string(), Org, 1),
            ("Kelso".to_string(), Org, 1),
            ("Brill Mining".to_string(), Org, 1),
            ("Brill".to_string(), Gpe, 1),
        ]
    );
}
