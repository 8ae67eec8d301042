//! BIOES labels over the four coarse CoNLL types, and conversions between labels and spans.
//!
//! Label ids: 0 = O; for type t in 0..4 (PER, ORG, LOC, MISC): B = 1+4t, I = 2+4t, E = 3+4t, S = 4+4t.

use std::ops::Range;

pub(crate) const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];
pub(crate) const NUM_LABELS: usize = 17;

pub(crate) fn type_id(name: &str) -> Option<u8> {
    TYPES.iter().position(|t| *t == name).map(|i| i as u8)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    B,
    I,
    E,
    S,
}

pub(crate) fn label(ty: u8, part: Part) -> u8 {
    1 + 4 * ty
        + match part {
            Part::B => 0,
            Part::I => 1,
            Part::E => 2,
            Part::S => 3,
        }
}

/// (type, part) of a non-O label.
pub(crate) fn split(l: u8) -> Option<(u8, Part)> {
    if l == 0 || l as usize >= NUM_LABELS {
        return None;
    }
    let ty = (l - 1) / 4;
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
    pub ty: u8,
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
    let mut cur: Option<(usize, u8)> = None;
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
    fn bioes_round_trips_and_transitions_are_checked() {
        let spans = vec![
            Span {
                tokens: 0..1,
                ty: 0,
            },
            Span {
                tokens: 1..4,
                ty: 2,
            },
            Span {
                tokens: 5..7,
                ty: 3,
            },
        ];
        let labels = bioes(8, &spans);
        assert_eq!(labels, vec![4, 9, 10, 11, 0, 13, 15, 0]);
        assert_eq!(spans_from_bioes(&labels), spans);
        for w in labels.windows(2) {
            assert!(allowed(w[0], w[1]), "{w:?}");
        }
        assert!(!allowed(label(0, Part::B), 0));
        assert!(!allowed(label(0, Part::B), label(1, Part::E)));
        assert!(!allowed(0, label(0, Part::I)));
        assert!(!allowed_start(label(2, Part::E)));
        assert!(!allowed_end(label(2, Part::B)));
    }
}
