//! Unit tests of the relation patterns, by pattern family: titles, posts, staff and company
//! descriptors (`leaders.rs`, the patterns of `patterns/leaders.rs`), meetings and successions
//! (`people.rs`, those of `patterns/people.rs`). The helpers here build mentions from surface
//! strings and list the relations the patterns find by entity name.

mod leaders;
mod people;

use super::super::finish;
use super::*;
use crate::enrich::entities::resolve_with;
use crate::enrich::entities::tests::code;
use crate::enrich::{sentences, tokenize};

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
pub(super) fn relations(
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

pub(super) fn want(
    items: &[(&str, &'static str, &str, &str)],
) -> Vec<(String, &'static str, String, String)> {
    let mut v: Vec<_> = items
        .iter()
        .map(|(s, p, o, r)| (s.to_string(), *p, o.to_string(), r.to_string()))
        .collect();
    v.sort();
    v
}

/// One table row: text, the mentions in it (surface, type) left to right, and the relations
/// expected (subject, predicate, object, role).
pub(super) type Case<'a> = (
    &'a str,
    Vec<(&'a str, EntityType)>,
    Vec<(&'a str, &'static str, &'a str, &'a str)>,
);

/// Asserts every row of a table.
pub(super) fn check(cases: Vec<Case>) {
    for (text, spec, expected) in cases {
        assert_eq!(relations(text, &spec), want(&expected), "{text}");
    }
}
