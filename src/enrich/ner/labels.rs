//! The tagger's entity classes ([`TagType`]), BIOES labels over them, and conversions between
//! labels and spans.
//!
//! Label ids: 0 = O; for type t = [`TagType::index`] (PER 0, ORG 1, LOC 2, MISC 3): B = 1+4t,
//! I = 2+4t, E = 3+4t, S = 4+4t.

use crate::enrich::EntityType;
use std::ops::Range;

pub(crate) const NUM_LABELS: usize = 17;

/// The four coarse CoNLL entity classes the tagger labels. The discriminant is the type id that
/// label ids, gazetteer features and second-pass features are built from, so it is part of every
/// model file: never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum TagType {
    Per = 0,
    Org = 1,
    Loc = 2,
    Misc = 3,
}

impl TagType {
    pub(crate) const ALL: [TagType; 4] = [TagType::Per, TagType::Org, TagType::Loc, TagType::Misc];

    /// The type id (0..4) in label ids and feature hashes.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The type with id `i`.
    pub(crate) fn from_index(i: usize) -> Option<Self> {
        Self::ALL.get(i).copied()
    }

    /// This type's bit in a type bit set (bit [`TagType::index`]).
    pub(crate) fn bit(self) -> u8 {
        1 << self.index()
    }

    /// The CoNLL name: PER, ORG, LOC, MISC (tags, `entities.tsv` and `lexicon.tsv`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            TagType::Per => "PER",
            TagType::Org => "ORG",
            TagType::Loc => "LOC",
            TagType::Misc => "MISC",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The output type of a mention the tagger labels with this class.
    pub(crate) fn entity_type(self) -> EntityType {
        match self {
            TagType::Per => EntityType::Person,
            TagType::Org => EntityType::Org,
            TagType::Loc => EntityType::Loc,
            TagType::Misc => EntityType::Misc,
        }
    }

    /// The class an output type falls in (CoNLL's scheme: places are LOC, groups and events
    /// MISC); None for DATE, MONEY and PERCENT, which only rules produce.
    pub(crate) fn of_entity_type(t: EntityType) -> Option<Self> {
        match t {
            EntityType::Person => Some(TagType::Per),
            EntityType::Org => Some(TagType::Org),
            EntityType::Gpe | EntityType::Loc => Some(TagType::Loc),
            EntityType::Norp | EntityType::Event | EntityType::Misc => Some(TagType::Misc),
            EntityType::Date | EntityType::Money | EntityType::Percent => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    B,
    I,
    E,
    S,
}

pub(crate) fn label(ty: TagType, part: Part) -> u8 {
    1 + 4 * ty as u8
        + match part {
            Part::B => 0,
            Part::I => 1,
            Part::E => 2,
            Part::S => 3,
        }
}

/// (type, part) of a non-O label.
pub(crate) fn split(l: u8) -> Option<(TagType, Part)> {
    if l == 0 {
        return None;
    }
    let ty = TagType::from_index(usize::from((l - 1) / 4))?;
    let part = match (l - 1) % 4 {
        0 => Part::B,
        1 => Part::I,
        2 => Part::E,
        _ => Part::S,
    };
    Some((ty, part))
}

/// Whether label `b` may follow label `a` in a well-formed BIOES sequence.
pub(crate) fn allowed(a: u8, b: u8) -> bool {
    let inside = |l: u8| matches!(split(l), Some((_, Part::B | Part::I)));
    match (split(a), split(b)) {
        (_, None) | (_, Some((_, Part::B | Part::S))) => !inside(a),
        (Some((ta, Part::B | Part::I)), Some((tb, Part::I | Part::E))) => ta == tb,
        _ => false,
    }
}

pub(crate) fn allowed_start(l: u8) -> bool {
    matches!(split(l), None | Some((_, Part::B | Part::S)))
}

pub(crate) fn allowed_end(l: u8) -> bool {
    matches!(split(l), None | Some((_, Part::E | Part::S)))
}

/// A typed token span.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    pub tokens: Range<usize>,
    pub ty: TagType,
}

/// Spans of an IOB1/IOB2 tag sequence (`O`, `I-PER`, `B-LOC`, …) with conlleval's rules: a chunk
/// starts at `B-`, or at `I-` after `O` or after a different type; unknown types are skipped.
pub(crate) fn spans_from_iob(tags: &[&str]) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, &str)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, ty) = match tag.split_once('-') {
            Some((p, t)) => (p, t),
            None => ("O", ""),
        };
        let starts = match (prefix, cur) {
            ("B", _) => true,
            ("I", Some((_, cty))) => cty != ty,
            ("I", None) => true,
            _ => false,
        };
        let ends = prefix == "O" || starts;
        if ends {
            if let Some((s, cty)) = cur.take() {
                out.push((s..i, cty.to_string()));
            }
        }
        if starts {
            cur = Some((i, ty));
        }
    }
    if let Some((s, cty)) = cur {
        out.push((s..tags.len(), cty.to_string()));
    }
    out
}

/// BIOES label ids of spans over `n` tokens.
pub(crate) fn bioes(n: usize, spans: &[Span]) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for s in spans {
        let r = &s.tokens;
        if r.len() == 1 {
            out[r.start] = label(s.ty, Part::S);
        } else if !r.is_empty() {
            out[r.start] = label(s.ty, Part::B);
            for l in &mut out[r.start + 1..r.end - 1] {
                *l = label(s.ty, Part::I);
            }
            out[r.end - 1] = label(s.ty, Part::E);
        }
    }
    out
}

/// Spans of a BIOES label sequence; tolerant of ill-formed input (a stray I/E opens a span).
pub(crate) fn spans_from_bioes(labels: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, TagType)> = None;
    for (i, &l) in labels.iter().enumerate() {
        match split(l) {
            None => {
                if let Some((s, ty)) = cur.take() {
                    out.push(Span { tokens: s..i, ty });
                }
            }
            Some((ty, part)) => {
                let continues = matches!(part, Part::I | Part::E) && cur.is_some_and(|c| c.1 == ty);
                if !continues {
                    if let Some((s, cty)) = cur.take() {
                        out.push(Span {
                            tokens: s..i,
                            ty: cty,
                        });
                    }
                    cur = Some((i, ty));
                }
                if matches!(part, Part::E | Part::S) {
                    if let Some((s, cty)) = cur.take() {
                        out.push(Span {
                            tokens: s..i + 1,
                            ty: cty,
                        });
                    }
                }
            }
        }
    }
    if let Some((s, ty)) = cur {
        out.push(Span {
            tokens: s..labels.len(),
            ty,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iob1_spans_follow_conlleval() {
        type Case<'a> = (&'a [&'a str], &'a [(usize, usize, &'a str)]);
        let table: &[Case] = &[
            (&["I-PER", "I-PER", "O"], &[(0, 2, "PER")]),
            (&["I-PER", "B-PER", "O"], &[(0, 1, "PER"), (1, 2, "PER")]),
            (
                &["I-ORG", "I-LOC", "I-LOC"],
                &[(0, 1, "ORG"), (1, 3, "LOC")],
            ),
            (
                &["O", "I-MISC", "O", "I-MISC"],
                &[(1, 2, "MISC"), (3, 4, "MISC")],
            ),
            (&["B-LOC", "I-LOC", "I-LOC"], &[(0, 3, "LOC")]),
            (&["O", "O"], &[]),
        ];
        for (tags, want) in table {
            let got: Vec<(usize, usize, String)> = spans_from_iob(tags)
                .into_iter()
                .map(|(r, t)| (r.start, r.end, t))
                .collect();
            let want: Vec<(usize, usize, String)> = want
                .iter()
                .map(|(a, b, t)| (*a, *b, t.to_string()))
                .collect();
            assert_eq!(got, want, "{tags:?}");
        }
    }

    #[test]
    fn tag_types_keep_the_ids_and_names_model_files_use() {
        let ids: Vec<(usize, u8, &str)> = TagType::ALL
            .iter()
            .map(|t| (t.index(), t.bit(), t.name()))
            .collect();
        assert_eq!(
            ids,
            vec![(0, 1, "PER"), (1, 2, "ORG"), (2, 4, "LOC"), (3, 8, "MISC")]
        );
        for t in TagType::ALL {
            assert_eq!(TagType::from_name(t.name()), Some(t));
            assert_eq!(TagType::from_index(t.index()), Some(t));
            assert_eq!(TagType::of_entity_type(t.entity_type()), Some(t));
        }
        assert_eq!(TagType::from_name("PERSON"), None);
        assert_eq!(TagType::from_index(4), None);
        assert_eq!(TagType::of_entity_type(EntityType::Gpe), Some(TagType::Loc));
        assert_eq!(TagType::of_entity_type(EntityType::Date), None);
        assert_eq!(
            split(label(TagType::Misc, Part::S)),
            Some((TagType::Misc, Part::S))
        );
        assert_eq!(split(NUM_LABELS as u8), None);
    }

    #[test]
    fn bioes_round_trips_and_transitions_are_checked() {
        let spans = vec![
            Span {
                tokens: 0..1,
                ty: TagType::Per,
            },
            Span {
                tokens: 1..4,
                ty: TagType::Loc,
            },
            Span {
                tokens: 5..7,
                ty: TagType::Misc,
            },
        ];
        let labels = bioes(8, &spans);
        assert_eq!(labels, vec![4, 9, 10, 11, 0, 13, 15, 0]);
        assert_eq!(spans_from_bioes(&labels), spans);
        for w in labels.windows(2) {
            assert!(allowed(w[0], w[1]), "{w:?}");
        }
        assert!(!allowed(label(TagType::Per, Part::B), 0));
        assert!(!allowed(
            label(TagType::Per, Part::B),
            label(TagType::Org, Part::E)
        ));
        assert!(!allowed(0, label(TagType::Per, Part::I)));
        assert!(!allowed_start(label(TagType::Loc, Part::E)));
        assert!(!allowed_end(label(TagType::Loc, Part::B)));
    }
}
