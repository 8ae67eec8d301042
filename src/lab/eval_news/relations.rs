//! Relations of one article against the gold: both sides as (subject, predicate, object) over gold
//! entities, a predicted argument mapped to the gold entity its mentions name.

use super::{forms, norm, Gold, Tally};
use crate::enrich::{Analysis, Entity};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

/// A relation argument: a gold entity, or an unmapped predicted entity id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Arg {
    Gold(usize),
    Unmapped(String),
}

/// A predicted or gold relation: subject, predicate, object (`met_with` with its arguments in
/// order).
pub(super) type Triple = (Arg, String, Arg);

/// `met_with` is symmetric: its arguments in index order.
fn ordered(p: &str, s: usize, o: usize) -> (usize, usize) {
    if p == "met_with" {
        (s.min(o), s.max(o))
    } else {
        (s, o)
    }
}

/// The gold relations between gold entities (by index); relations naming an unknown entity are
/// left out.
pub(super) fn gold_relations(gold: &Gold) -> BTreeSet<Triple> {
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, e) in gold.entities.iter().enumerate() {
        names.insert(e.name.as_str(), i);
    }
    let mut grel: BTreeSet<Triple> = BTreeSet::new();
    for r in &gold.relations {
        let (Some(&s), Some(&o)) = (names.get(r.s.as_str()), names.get(r.o.as_str())) else {
            continue;
        };
        let (s, o) = ordered(&r.p, s, o);
        grel.insert((Arg::Gold(s), r.p.clone(), Arg::Gold(o)));
    }
    grel
}

/// The predicted relations with their arguments mapped to gold entities through their mention
/// texts; a relation with an argument that maps to none is kept as unmapped.
pub(super) fn predicted_relations(gold: &Gold, analysis: &Analysis) -> BTreeSet<Triple> {
    let mut surf: HashMap<&str, BTreeSet<usize>> = HashMap::new();
    for (i, e) in gold.entities.iter().enumerate() {
        for m in forms(e) {
            surf.entry(norm(m)).or_default().insert(i);
        }
    }
    let by_id: HashMap<&str, &Entity> = analysis
        .entities
        .iter()
        .rev()
        .map(|e| (e.id.as_str(), e))
        .collect();
    let gid = |id: &str| gold_entity_of(by_id.get(id)?, &surf);
    let mut prel: BTreeSet<Triple> = BTreeSet::new();
    for r in &analysis.relations {
        let p = r.predicate.as_str().to_string();
        match (gid(&r.subject), gid(&r.object)) {
            (Some(s), Some(o)) => {
                let (s, o) = ordered(&p, s, o);
                prel.insert((Arg::Gold(s), p, Arg::Gold(o)));
            }
            _ => {
                prel.insert((
                    Arg::Unmapped("?".into()),
                    p,
                    Arg::Unmapped(format!("{}{}", r.subject, r.object)),
                ));
            }
        }
    }
    prel
}

/// The gold entity a predicted entity's mention texts and name match most often (`surf`: surface
/// form -> gold entities). Counts in first-seen order; the first of the most frequent wins, like
/// Counter.most_common.
fn gold_entity_of(e: &Entity, surf: &HashMap<&str, BTreeSet<usize>>) -> Option<usize> {
    let mut order: Vec<usize> = Vec::new();
    let mut count: HashMap<usize, usize> = HashMap::new();
    let texts = e
        .mentions
        .iter()
        .map(|m| m.text.as_str())
        .chain([e.name.as_str()]);
    for s in texts {
        for &g in surf.get(norm(s)).into_iter().flatten() {
            let c = count.entry(g).or_insert(0);
            if *c == 0 {
                order.push(g);
            }
            *c += 1;
        }
    }
    let best = order.iter().map(|g| count[g]).max()?;
    order.into_iter().find(|g| count[g] == best)
}

/// Relations: gold, predicted, right, in all and per predicate.
pub(super) fn count_relations(grel: &BTreeSet<Triple>, prel: &BTreeSet<Triple>, t: &mut Tally) {
    t.rel_gold = grel.len();
    t.rel_pred = prel.len();
    t.rel_tp = prel.intersection(grel).count();
    for r in grel {
        let e = t.by_pred.entry(r.1.clone()).or_default();
        e.0 += 1;
        e.2 += usize::from(prel.contains(r));
    }
    for r in prel {
        t.by_pred.entry(r.1.clone()).or_default().1 += 1;
    }
}

/// Lists the spurious (FP) and missed (FN) relations.
pub(super) fn list_relation_errors(
    gold: &Gold,
    analysis: &Analysis,
    grel: &BTreeSet<Triple>,
    prel: &BTreeSet<Triple>,
    errors: &mut String,
) {
    let name = |a: &Arg| match a {
        Arg::Gold(i) => gold.entities[*i].name.clone(),
        Arg::Unmapped(s) => {
            let found: Vec<String> = analysis
                .entities
                .iter()
                .filter(|e| s.contains(e.id.as_str()))
                .map(|e| format!("{}({})", e.name, e.etype.as_str()))
                .collect();
            format!("? {s} [{}]", found.join(" / "))
        }
    };
    for (s, p, o) in prel.difference(grel) {
        let _ = writeln!(errors, "    FP {} {p} {}", name(s), name(o));
    }
    for (s, p, o) in grel.difference(prel) {
        let _ = writeln!(errors, "    FN {} {p} {}", name(s), name(o));
    }
}
