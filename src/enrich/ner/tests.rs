//! Behaviour of the shipped model (models/ner) on sentences written for these tests.

use super::NerModel;
use crate::enrich::{sentences, tokenize, EntityType};
use std::path::Path;

fn model() -> NerModel {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    NerModel::load(&dir).unwrap()
}

/// (text, expected mentions as (text, type)); every expected mention must be found with exactly
/// these boundaries and type, with char offsets that slice the text back.
#[test]
fn shipped_model_tags_team_sentences() {
    use EntityType::*;
    let table: &[(&str, &[(&str, EntityType)])] = &[
        (
            "Angela Merkel met officials in Berlin on Tuesday.",
            &[("Angela Merkel", Person), ("Berlin", Loc)],
        ),
        (
            "Shares of Volkswagen fell after the company said profits in China had dropped.",
            &[("Volkswagen", Org), ("China", Loc)],
        ),
        (
            "The United Nations sent aid to refugees near the Syrian border, spokesman Tom Hale said.",
            &[("United Nations", Org), ("Syrian", Misc), ("Tom Hale", Person)],
        ),
        (
            "Manchester United beat Arsenal 2-1 at Old Trafford on Saturday.",
            &[("Manchester United", Org), ("Arsenal", Org), ("Old Trafford", Loc)],
        ),
        (
            "Prime Minister Keiko Tanaka flew from Tokyo to Washington for talks with the World Bank.",
            &[("Keiko Tanaka", Person), ("Tokyo", Loc), ("Washington", Loc), ("World Bank", Org)],
        ),
    ];
    let m = model();
    for (text, want) in table {
        let toks = tokenize::tokenize(text);
        let sents = sentences::split(text, &toks);
        let got = m.tag(&toks, &sents);
        let chars: Vec<char> = text.chars().collect();
        for g in &got {
            let slice: String = chars[g.start..g.end].iter().collect();
            assert_eq!(slice, g.text, "offsets of {g:?} in {text:?}");
            assert!(g.confidence > 0.0 && g.confidence <= 1.0);
        }
        for (wt, ty) in *want {
            assert!(
                got.iter().any(|g| g.text == *wt && g.etype == *ty),
                "{text:?}: expected {wt:?} as {ty:?}, got {:?}",
                got.iter().map(|g| (&g.text, g.etype)).collect::<Vec<_>>()
            );
        }
        // Nothing lowercase is tagged as a name in these sentences.
        for g in &got {
            assert!(
                g.text.chars().next().is_some_and(|c| c.is_uppercase()),
                "{text:?}: {g:?}"
            );
        }
    }
}

#[test]
fn all_caps_headline_and_repeated_surname() {
    let text = "MERKEL WINS VOTE IN BERLIN\nAngela Merkel won a confidence vote on Friday. \
                Merkel told reporters in Berlin she was pleased.";
    let m = model();
    let toks = tokenize::tokenize(text);
    let sents = sentences::split(text, &toks);
    let got = m.tag(&toks, &sents);
    let has = |t: &str, ty: EntityType, from: usize| {
        got.iter()
            .any(|g| g.text == t && g.etype == ty && g.start >= from)
    };
    assert!(has("Angela Merkel", EntityType::Person, 0), "{got:?}");
    // The bare surname later in the article is the same person.
    assert!(has("Merkel", EntityType::Person, 60), "{got:?}");
    assert!(has("Berlin", EntityType::Loc, 60), "{got:?}");
}

#[test]
fn empty_and_punctuation_only_documents_yield_nothing() {
    let m = model();
    for text in ["", "...", "- - -"] {
        let toks = tokenize::tokenize(text);
        let sents = sentences::split(text, &toks);
        assert!(m.tag(&toks, &sents).is_empty(), "{text:?}");
    }
}

#[test]
fn bioes_labels_become_mentions_with_char_offsets() {
    use super::labels::{label, Part, TagType};
    // Non-ASCII text before the names: offsets must count chars, not bytes.
    let text = "Über José Müller und São Paulo";
    let toks = tokenize::tokenize(text);
    let sents = sentences::split(text, &toks);
    assert_eq!(toks.len(), 6);
    let labels = [
        0,
        label(TagType::Per, Part::B),
        label(TagType::Per, Part::E),
        0,
        label(TagType::Loc, Part::B),
        label(TagType::Loc, Part::E),
    ];
    let got = super::mentions(&toks, &sents, &labels, &[0.9, 0.8, 0.7, 1.0, 0.6, 0.95]);
    let table = [
        ("José Müller", 5, 16, 1..3, EntityType::Person, 0.7),
        ("São Paulo", 21, 30, 4..6, EntityType::Loc, 0.6),
    ];
    assert_eq!(got.len(), table.len());
    for (g, (t, s, e, r, ty, c)) in got.iter().zip(table) {
        assert_eq!(
            (g.text.as_str(), g.start, g.end, g.tokens.clone(), g.etype),
            (t, s, e, r, ty)
        );
        assert!((g.confidence - c).abs() < 1e-6);
        assert_eq!(g.sentence, 0);
    }
}

#[test]
fn a_span_never_ends_or_starts_with_a_comma() {
    use super::labels::{label, Part, TagType};
    let text = "born in Tarrowby, Vt.";
    let toks = tokenize::tokenize(text);
    let sents = sentences::split(text, &toks);
    let words: Vec<&str> = toks.iter().map(|t| t.text).collect();
    assert_eq!(words[..4], ["born", "in", "Tarrowby", ","]);
    // The tagger closed the place on the comma; a lone comma tagged as a name is dropped.
    let mut labels = vec![0u8; toks.len()];
    labels[2] = label(TagType::Loc, Part::B);
    labels[3] = label(TagType::Loc, Part::E);
    let conf = vec![1.0f32; toks.len()];
    let got = super::mentions(&toks, &sents, &labels, &conf);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].text.as_str(), got[0].start, got[0].end),
        ("Tarrowby", 8, 16)
    );
    labels[2] = 0;
    labels[3] = label(TagType::Loc, Part::S);
    assert!(super::mentions(&toks, &sents, &labels, &conf).is_empty());
}
