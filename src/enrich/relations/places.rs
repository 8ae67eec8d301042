//! Places in apposition: "Abuja, Nigeria" says the first lies in the second (`located_in`).

use super::Found;
use crate::enrich::entities::{Resolved, ISO3166};
use crate::enrich::gazetteer::{is_us_state_abbreviation, GazKind, Gazetteer};
use crate::enrich::{EntityType, Mention, Predicate, Span, Token};

/// Confidence of a "Town, Region" apposition.
const PLACE_REGION: f32 = 0.85;

/// "Kelso, Tarrowshire", "Abuja, Nigeria", "Shamokin, Pa.": a place, a comma and a country or
/// state, not inside a list ("Mali, Niger and Chad"): the first lies in the second. The first must
/// not be a country, and when the gazetteer puts it in other countries only, the pair is left out.
/// Linear: only neighbouring mentions are compared.
pub(crate) fn place_then_region(
    tokens: &[Token<'_>],
    mentions: &[Mention],
    resolved: &Resolved,
    gaz: Option<&Gazetteer>,
) -> Vec<Found> {
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| (mentions[i].start, mentions[i].end));
    let entity = |i: usize| {
        resolved
            .mention_entity
            .get(i)
            .and_then(|&e| Some((e, resolved.entities.get(e)?)))
    };
    let is_place = |i: usize| {
        entity(i).is_some_and(|(_, e)| matches!(e.etype, EntityType::Gpe | EntityType::Loc))
    };
    let text_of = |a: usize, b: usize| tokens.get(a..b).unwrap_or_default();
    let mut out = Vec::new();
    for w in 0..order.len().saturating_sub(1) {
        let (i, j) = (order[w], order[w + 1]);
        let (a, b) = (&mentions[i], &mentions[j]);
        if a.sentence != b.sentence || !is_place(i) || !is_place(j) {
            continue;
        }
        if !matches!(text_of(a.tokens.end, b.tokens.start), [t] if t.text == ",") {
            continue;
        }
        // A list: another place before the first ("Mali, Niger, …") or after the second
        // ("…, Niger, and Chad"; "…, Niger and Chad").
        let prev_place = w > 0
            && {
                let p = order[w - 1];
                is_place(p)
                    && mentions[p].sentence == a.sentence
                    && matches!(text_of(mentions[p].tokens.end, a.tokens.start), [t] if t.text == "," || t.text == "and")
            };
        let next = text_of(b.tokens.end, b.tokens.end + 2);
        let list_after = matches!(next.first(), Some(t) if t.text == "and" || t.text == "or")
            || (matches!(next.first(), Some(t) if t.text == ",")
                && order
                    .get(w + 2)
                    .is_some_and(|&n| is_place(n) && mentions[n].tokens.start <= b.tokens.end + 2))
            || (matches!(next, [c, t] if c.text == "," && (t.text == "and" || t.text == "or")));
        if prev_place || list_after {
            continue;
        }
        let (Some((ea, place_a)), Some((eb, place_b))) = (entity(i), entity(j)) else {
            continue;
        };
        if place_a.links.contains_key(ISO3166) {
            continue; // a country is inside nothing
        }
        let b_code = place_b.links.get(ISO3166).map(|c| c.as_str());
        let b_state = is_us_state_abbreviation(&b.text)
            || gaz.is_some_and(|g| g.lookup_all(&b.text).any(|e| e.kind == GazKind::State));
        if b_code.is_none() && !b_state {
            continue;
        }
        // The gazetteer's own knowledge of the first place, when it has some, must agree.
        if let (Some(code), Some(g)) = (b_code, gaz) {
            let inside: Vec<&str> = g
                .lookup_all(&a.text)
                .filter(|e| matches!(e.kind, GazKind::City | GazKind::State))
                .filter_map(|e| e.code.as_deref())
                .collect();
            if !inside.is_empty() && !inside.contains(&code) {
                continue;
            }
        }
        out.push(Found {
            subject: ea,
            predicate: Predicate::LocatedIn,
            object: eb,
            role: None,
            confidence: PLACE_REGION,
            evidence: Span {
                start: a.start,
                end: b.end,
            },
        });
    }
    out
}
