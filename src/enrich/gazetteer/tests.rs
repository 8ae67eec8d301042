use super::*;
use crate::enrich::{sentences, tokenize::tokenize, EntityType, Mention};

const LEXICON: &str = "\
# test lexicon
South Korea\tcountry\tKR\tSouth Korea
Korea\tcountry\tKR\tSouth Korea
Japan\tcountry\tJP\tJapan
United States\tcountry\tUS\tUnited States
U.S.\tcountry\tUS\tUnited States
US\tcountry\tUS\tUnited States
Georgia\tcountry\tGE\tGeorgia
Georgia\tstate\tUS\tGeorgia
Seoul\tcity\tKR\tSeoul
South Korean\tdemonym\tKR\tSouth Korean
South Koreans\tdemonym\tKR\tSouth Korean
Japanese\tdemonym\tJP\tJapanese
Muslim\tgroup\t-\tMuslim
Canadian Rockies\tlocation\t-\tCanadian Rockies
Indo-Pacific\tlocation\t-\tIndo-Pacific
Arctic\tlocation\t-\tArctic
West Bank\tlocation\t-\tWest Bank
G-7\torg\t-\tGroup of Seven
G7\torg\t-\tGroup of Seven
Group of Seven\torg\t-\tGroup of Seven
";

fn gaz() -> Gazetteer {
    match Gazetteer::from_tsv(LEXICON) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    }
}

fn mention(
    text: &str,
    tokens: &[crate::enrich::Token<'_>],
    a: usize,
    b: usize,
    etype: EntityType,
) -> Mention {
    let start = tokens[a].start;
    let end = tokens[b - 1].end;
    Mention {
        start,
        end,
        tokens: a..b,
        sentence: 0,
        etype,
        text: text.chars().skip(start).take(end - start).collect(),
        confidence: 0.9,
    }
}

#[test]
fn looks_up_countries_demonyms_and_canonical_names() {
    let g = gaz();
    assert_eq!(g.country_code("South Korean"), Some("KR"));
    assert_eq!(g.country_code("South Koreans"), Some("KR"));
    assert_eq!(g.country_code("U.S."), Some("US"));
    assert_eq!(g.country_code("the United States"), Some("US"));
    assert_eq!(g.country_code("Japan’s"), Some("JP"));
    assert_eq!(g.country_code("JAPAN"), Some("JP"));
    assert_eq!(
        g.country_code("us"),
        None,
        "a lower-case pronoun is no country"
    );
    assert_eq!(g.country_code("Seoul"), None, "a city is no country");
    assert_eq!(g.canonical_country("Japanese"), Some("Japan"));
    assert_eq!(g.canonical_country("Korea"), Some("South Korea"));
    assert_eq!(g.canonical("G7"), Some("Group of Seven"));
    assert_eq!(g.canonical("G-7"), Some("Group of Seven"));
    assert_eq!(g.lookup("Georgia").map(|e| e.kind), Some(GazKind::Country));
    assert_eq!(g.lookup_all("Georgia").count(), 2);
    assert!(g.is_demonym("Japanese"));
    assert!(g.is_demonym("Muslim"));
    assert!(!g.is_demonym("Japan"));
}

#[test]
fn rejects_malformed_lexicon_lines() {
    assert!(Gazetteer::from_tsv("Japan\tcountry\tJP\n").is_err());
    assert!(Gazetteer::from_tsv("Japan\tplanet\tJP\tJapan\n").is_err());
}

#[test]
fn phrases_match_longest_first_and_in_headline_capitals() {
    let g = gaz();
    let words = [
        "the", "South", "Korea", "and", "SOUTH", "KOREA", "G-7", "Seoul", "korea",
    ];
    let mut buf = String::new();
    let mut at = |i: usize| {
        g.matcher
            .longest_at(words.len(), |k| words[k], i, &mut buf)
            .map(|m| (m.len, m.kinds, m.folded))
    };
    let country = GazKind::Country.bit();
    assert_eq!(at(0), None);
    assert_eq!(
        at(1),
        Some((2, country, false)),
        "South starts South Korea, not a lone Korea"
    );
    assert_eq!(
        at(4),
        Some((2, country, true)),
        "capitals in headlines match"
    );
    assert_eq!(at(6), Some((1, GazKind::Org.bit(), false)));
    assert_eq!(at(7), Some((1, GazKind::City.bit(), false)));
    assert_eq!(at(8), None, "lower case does not match");
}

#[test]
fn refines_coarse_types() {
    let g = gaz();
    let cases = [
        (EntityType::Loc, "Seoul", EntityType::Gpe),
        (EntityType::Loc, "Japan", EntityType::Gpe),
        (EntityType::Loc, "Canadian Rockies", EntityType::Loc),
        (EntityType::Loc, "Indo-Pacific", EntityType::Loc),
        (EntityType::Loc, "Han River", EntityType::Loc),
        (EntityType::Loc, "Gyeonggi", EntityType::Gpe),
        (EntityType::Misc, "South Korean", EntityType::Norp),
        (EntityType::Misc, "Japanese", EntityType::Norp),
        (EntityType::Misc, "Muslim", EntityType::Norp),
        (EntityType::Misc, "Japanese-South Korean", EntityType::Norp),
        (EntityType::Misc, "World Cup", EntityType::Event),
        (EntityType::Misc, "Indo-Pacific", EntityType::Loc),
        (EntityType::Misc, "World War II", EntityType::Event),
        (EntityType::Misc, "Israel-Iran", EntityType::Misc),
        (EntityType::Misc, "Windows", EntityType::Misc),
        (EntityType::Person, "Lee Jae Myung", EntityType::Person),
        (EntityType::Org, "G-7", EntityType::Org),
        (EntityType::Org, "Japan", EntityType::Gpe),
        // A "person" whose name ends in a place word is a place; surnames that are also place
        // words stay people, and so does a one-word name.
        (EntityType::Person, "Marlow Beach", EntityType::Loc),
        (EntityType::Person, "Tessaro Parish", EntityType::Loc),
        (EntityType::Person, "Dana Lake", EntityType::Person),
        (EntityType::Person, "Brendan Park", EntityType::Person),
        (EntityType::Person, "River", EntityType::Person),
        (EntityType::Person, "Marlow College", EntityType::Org),
        (EntityType::Person, "Kelso Foods", EntityType::Org),
        (EntityType::Gpe, "Banca Tarrow", EntityType::Org),
        (EntityType::Person, "Grupo Kelso", EntityType::Org),
        (EntityType::Person, "Tarrow Capital", EntityType::Org),
        (EntityType::Person, "Oasis Management", EntityType::Org),
        (EntityType::Person, "Marlow Partners", EntityType::Org),
        (EntityType::Person, "Tessaro Holdings Inc.", EntityType::Org),
        (EntityType::Person, "Inc.", EntityType::Person),
        // A one-word place name the tagger calls MISC is a modifier ("an Arctic town").
        (EntityType::Misc, "Arctic", EntityType::Misc),
        (EntityType::Loc, "Arctic", EntityType::Loc),
        // An organisation-typed competition or festival is the event; a treaty is a document;
        // clubs and leagues named "… Cup" or "… Conference" stay organisations.
        (
            EntityType::Org,
            "Tarrow International Competition",
            EntityType::Event,
        ),
        (EntityType::Org, "Kelso Folk Festival", EntityType::Event),
        (EntityType::Org, "Treaty of Brill", EntityType::Misc),
        (
            EntityType::Org,
            "Kelso Athletic Conference",
            EntityType::Org,
        ),
        (EntityType::Org, "Competition", EntityType::Org),
        // A place name going on to an organisation word is the organisation; hospitals stay
        // places (GPE by default), as CoNLL-2003 tags them.
        (EntityType::Loc, "Tarrow Group", EntityType::Org),
        (EntityType::Gpe, "Kelso Development Agency", EntityType::Org),
        (EntityType::Loc, "Kelso General Hospital", EntityType::Gpe),
        // Banks and funds too, unless the whole name is a known place.
        (EntityType::Gpe, "Kelso Bank", EntityType::Org),
        (EntityType::Loc, "Tarrow Savings Bank", EntityType::Org),
        (EntityType::Loc, "Brill Pension Fund", EntityType::Org),
        (EntityType::Loc, "West Bank", EntityType::Loc),
        (EntityType::Loc, "Bank", EntityType::Gpe),
    ];
    for (coarse, text, want) in cases {
        assert_eq!(g.refine_type(coarse, text), want, "{text}");
    }
}

#[test]
fn adds_missed_multiword_countries_and_demonyms_without_overlap() {
    let g = gaz();
    let text = "South Korean President Lee met Japan’s leader.\n\nTrade linking South Korea and Japan grew; south korea no.";
    let tokens = tokenize(text);
    let sents = sentences::split(text, &tokens);
    // The tagger found "Lee" (PERSON) and "Japan" (LOC) but missed "South Korean" and "South Korea".
    let lee = tokens.iter().position(|t| t.text == "Lee").unwrap_or(0);
    let japan = tokens.iter().position(|t| t.text == "Japan").unwrap_or(0);
    let tagged = vec![
        mention(text, &tokens, lee, lee + 1, EntityType::Person),
        mention(text, &tokens, japan, japan + 1, EntityType::Loc),
    ];
    let out = g.refine_with(text, &tokens, &sents, tagged);
    let got: Vec<(&str, EntityType, usize)> = out
        .iter()
        .map(|m| (m.text.as_str(), m.etype, m.sentence))
        .collect();
    assert_eq!(
        got,
        vec![
            ("South Korean", EntityType::Norp, 0),
            ("Lee", EntityType::Person, 0),
            ("Japan", EntityType::Gpe, 0),
            ("South Korea", EntityType::Gpe, 1),
        ]
    );
    for m in &out {
        let by_chars: String = text.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(by_chars, m.text);
    }
}

#[test]
fn loads_the_shipped_lexicons() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let g = match Gazetteer::load(&dir) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    };
    assert!(g.len() > 5000);
    for (name, code) in [
        ("South Korea", "KR"),
        ("South Korean", "KR"),
        ("U.S.", "US"),
        ("US", "US"),
        ("America", "US"),
        ("American", "US"),
        ("Britain", "GB"),
        ("UK", "GB"),
        ("Russia", "RU"),
        ("Iran", "IR"),
        ("Iranian", "IR"),
        ("Israeli", "IL"),
        ("Taiwan", "TW"),
        ("North Korea", "KP"),
        ("Japanese", "JP"),
        ("Canadian", "CA"),
        // Former countries carry their ISO 3166-3 codes.
        ("Soviet Union", "SU"),
        ("USSR", "SU"),
        ("Yugoslavia", "YU"),
        ("East German", "DD"),
        ("West Germany", "DE"),
    ] {
        assert_eq!(g.country_code(name), Some(code), "{name}");
    }
    assert_eq!(g.canonical("G-7"), Some("Group of Seven"));
    assert_eq!(g.canonical("U.N."), Some("United Nations"));
    assert_eq!(g.canonical_country("U.S."), Some("United States"));
    assert_eq!(g.refine_type(EntityType::Loc, "Seoul"), EntityType::Gpe);
    assert_eq!(
        g.refine_type(EntityType::Loc, "California"),
        EntityType::Gpe
    );
    assert_eq!(
        g.refine_type(EntityType::Loc, "Canadian Rockies"),
        EntityType::Loc
    );
    assert_eq!(
        g.refine_type(EntityType::Loc, "Middle East"),
        EntityType::Loc
    );
}

/// Tagger mentions over `text`: each surface's first occurrence at or after the previous one.
fn tagged(text: &str, spec: &[(&str, EntityType)]) -> Vec<Mention> {
    let tokens = tokenize(text);
    let sents = sentences::split(text, &tokens);
    let mut from = 0;
    let mut out = Vec::new();
    for (surface, etype) in spec {
        let byte = from + text[from..].find(surface).unwrap();
        from = byte + surface.len();
        let start = text[..byte].chars().count();
        let end = start + surface.chars().count();
        let a = tokens.iter().position(|t| t.start == start).unwrap();
        let b = tokens.iter().position(|t| t.end == end).unwrap() + 1;
        let mut m = mention(text, &tokens, a, b, *etype);
        m.sentence = sents.iter().position(|s| s.end > start).unwrap();
        out.push(m);
    }
    out
}

#[test]
fn joins_pieces_of_known_multiword_names() {
    use EntityType::*;
    let lexicon = format!(
        "{LEXICON}New York\tcity\tUS\tNew York\nEuropean Union\torg\t-\tEuropean Union\nCanadian\tdemonym\tCA\tCanadian\n"
    );
    let g = Gazetteer::from_tsv(&lexicon).unwrap();
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, EntityType)],
        &'a [(&'a str, EntityType)],
    );
    let cases: [Case; 13] = [
        // Split into pieces of other types: one mention of the lexicon type.
        (
            "They hiked through the Canadian Rockies on Friday.",
            &[("Canadian", Norp), ("Rockies", Org)],
            &[("Canadian Rockies", Loc)],
        ),
        // Clipped: the tagger found only part of the name.
        (
            "They hiked through the Canadian Rockies on Friday.",
            &[("Rockies", Loc)],
            &[("Canadian Rockies", Loc)],
        ),
        (
            "Envoys to the Group of Seven gathered.",
            &[("Group", Org), ("Seven", Misc)],
            &[("Group of Seven", Org)],
        ),
        (
            "Talks in New York ended.",
            &[("New", Org), ("York", Loc)],
            &[("New York", Gpe)],
        ),
        (
            "The European Union said so.",
            &[("European", Misc)],
            &[("European Union", Org)],
        ),
        // Known organisations are ORG even when the tagger said MISC.
        ("The G-7 summit opened.", &[("G-7", Misc)], &[("G-7", Org)]),
        (
            "The Group of Seven met.",
            &[("Group of Seven", Misc)],
            &[("Group of Seven", Org)],
        ),
        // A mention reaching past the name is something longer: kept.
        (
            "The New York Times reported it.",
            &[("New York Times", Org)],
            &[("New York Times", Org)],
        ),
        (
            "The Canadian Rockies Hotel reported it.",
            &[("Canadian", Misc), ("Rockies Hotel", Org)],
            &[("Canadian", Norp), ("Rockies Hotel", Org)],
        ),
        // Not spelled exactly: other case, a line break or two spaces between the words.
        (
            "They hiked through the Canadian rockies on Friday.",
            &[("Canadian", Misc)],
            &[("Canadian", Norp)],
        ),
        (
            "He was Canadian\nRockies are high.",
            &[("Canadian", Misc), ("Rockies", Loc)],
            &[("Canadian", Norp), ("Rockies", Gpe)],
        ),
        (
            "the Canadian  Rockies",
            &[("Canadian", Misc), ("Rockies", Loc)],
            &[("Canadian", Norp), ("Rockies", Gpe)],
        ),
        // Not token-aligned: the text's word is longer than the lexicon's.
        (
            "The Group of Sevens met.",
            &[("Group", Org), ("Sevens", Misc)],
            &[("Group", Org), ("Sevens", Misc)],
        ),
    ];
    for (text, spec, want) in cases {
        let tokens = tokenize(text);
        let sents = sentences::split(text, &tokens);
        let out = g.refine_with(text, &tokens, &sents, tagged(text, spec));
        let got: Vec<(&str, EntityType)> = out.iter().map(|m| (m.text.as_str(), m.etype)).collect();
        assert_eq!(got, want.to_vec(), "{text:?}");
        for m in &out {
            let by_chars: String = text.chars().skip(m.start).take(m.end - m.start).collect();
            assert_eq!(by_chars, m.text, "{text:?}");
            assert_eq!(tokens[m.tokens.start].start, m.start, "{text:?}");
            assert_eq!(tokens[m.tokens.end - 1].end, m.end, "{text:?}");
        }
    }
}

#[test]
fn joins_pieces_over_gold_tokens_without_the_text() {
    let g = gaz();
    let text = "They hiked through the Canadian Rockies on Friday .";
    let tokens = tokenize(text);
    let spec = [("Canadian", EntityType::Misc), ("Rockies", EntityType::Org)];
    let out = g.refine(&tokens, tagged(text, &spec));
    let got: Vec<(&str, EntityType, std::ops::Range<usize>)> = out
        .iter()
        .map(|m| (m.text.as_str(), m.etype, m.tokens.clone()))
        .collect();
    assert_eq!(got, vec![("Canadian Rockies", EntityType::Loc, 4..6)]);
}

#[test]
fn party_and_state_tags_are_recognised() {
    for tag in ["R-Ohio", "D-Mont.", "D-N.J", "I-Vt.", "R-Texas", "D-Ore."] {
        assert!(is_party_state_tag(tag), "{tag}");
    }
    // A hyphenated name, a state spelled out where AP abbreviates, other prefixes.
    for other in ["D-Day", "R-Florida", "X-Utah", "Utah", "R-", "Al-Ahram"] {
        assert!(!is_party_state_tag(other), "{other}");
    }
}

#[test]
fn hyphenated_pairs_of_places_are_the_places() {
    let g = gaz();
    let text = "The Japan-Korea dispute, Seoul-based Kelso and U.S.-Japan talks. Indo-Pacific and \
                Japan-style ramen and Kelso-Japan stayed.";
    let tokens = tokenize(text);
    let sents = sentences::split(text, &tokens);
    let at = |w: &str| tokens.iter().position(|t| t.text == w).unwrap();
    let tagged = [
        "Japan-Korea",
        "Seoul-based",
        "U.S.-Japan",
        "Indo-Pacific",
        "Japan-style",
        "Kelso-Japan",
    ]
    .iter()
    .map(|w| mention(text, &tokens, at(w), at(w) + 1, EntityType::Misc))
    .collect();
    let out = g.refine_with(text, &tokens, &sents, tagged);
    let chars: Vec<char> = text.chars().collect();
    let got: Vec<(&str, EntityType)> = out
        .iter()
        .map(|m| {
            assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text);
            (m.text.as_str(), m.etype)
        })
        .collect();
    use EntityType::*;
    assert_eq!(
        got,
        vec![
            ("Japan", Gpe),
            ("Korea", Gpe),
            ("Seoul", Gpe),
            ("U.S.", Gpe),
            ("Japan", Gpe),
            ("Indo-Pacific", Loc),
            ("Japan-style", Misc),
            ("Kelso-Japan", Misc),
        ]
    );
}
