//! From found relations between entities to the article's relations: one per (subject,
//! predicate, object), types checked, the most confident reading kept.

use super::Found;
use crate::enrich::entities::Resolved;
use crate::enrich::{EntityType, Predicate, Relation};
use rustc_hash::{FxHashMap, FxHashSet};

pub(super) fn round3(x: f32) -> f32 {
    (x.clamp(0.0, 1.0) * 1000.0).round() / 1000.0
}

/// The argument types each predicate allows (DESIGN §4): subject type, then object type.
pub(crate) fn types_allowed(p: Predicate, s: EntityType, o: EntityType) -> bool {
    use EntityType::*;
    let place = matches!(o, Gpe | Loc);
    match p {
        Predicate::LeaderOf => s == Person && matches!(o, Org | Gpe),
        Predicate::WorksFor => s == Person && o == Org,
        Predicate::CitizenOf => s == Person && o == Gpe,
        Predicate::ResidesIn => s == Person && place,
        Predicate::BasedIn => s == Org && place,
        Predicate::LocatedIn => matches!(s, Gpe | Loc | Event) && place,
        Predicate::MetWith | Predicate::PredecessorOf | Predicate::Killed => {
            s == Person && o == Person
        }
    }
}

/// Deduplicates (highest confidence wins), orders symmetric pairs, drops self-relations and
/// relations whose argument types the predicate does not allow ([`types_allowed`]: the entity's
/// final type, after merging, may differ from the mention's the classifier read), sorts by
/// evidence position and writes entity ids.
pub(crate) fn finish(found: Vec<Found>, resolved: &Resolved) -> Vec<Relation> {
    let mut best: Vec<Found> = Vec::with_capacity(found.len());
    // (subject, predicate, object) -> index in `best`.
    let mut index: FxHashMap<(usize, Predicate, usize), usize> = FxHashMap::default();
    let etype = |e: usize| resolved.entities.get(e).map(|e| e.etype);
    for mut f in found {
        if f.subject == f.object {
            continue;
        }
        let (Some(s), Some(o)) = (etype(f.subject), etype(f.object)) else {
            continue;
        };
        if !types_allowed(f.predicate, s, o) {
            continue;
        }
        if f.predicate == Predicate::MetWith && f.subject > f.object {
            std::mem::swap(&mut f.subject, &mut f.object);
        }
        f.confidence = round3(f.confidence);
        let key = (f.subject, f.predicate, f.object);
        match index.get(&key).and_then(|&i| best.get_mut(i)) {
            Some(b) if b.confidence < f.confidence => *b = f,
            Some(_) => {}
            None => {
                index.insert(key, best.len());
                best.push(f);
            }
        }
    }
    // The leader of an organisation is not also reported as its employee.
    let leads: FxHashSet<(usize, usize)> = best
        .iter()
        .filter(|f| f.predicate == Predicate::LeaderOf)
        .map(|f| (f.subject, f.object))
        .collect();
    best.retain(|f| f.predicate != Predicate::WorksFor || !leads.contains(&(f.subject, f.object)));
    best.sort_by_key(|f| (f.evidence.start, f.predicate, f.subject, f.object));
    best.into_iter()
        .filter_map(|f| {
            Some(Relation {
                subject: resolved.entities.get(f.subject)?.id.clone(),
                predicate: f.predicate,
                object: resolved.entities.get(f.object)?.id.clone(),
                role: f.role,
                confidence: f.confidence,
                evidence: f.evidence,
            })
        })
        .collect()
}
