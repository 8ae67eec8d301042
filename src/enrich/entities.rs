//! Merges mentions into entities. (Skeleton: one entity per distinct mention text.)

use super::gazetteer::Gazetteer;
use super::{Entity, Mention, MentionSpan};
use std::collections::BTreeMap;

/// Entities and, for each input mention, the index of its entity.
pub struct Resolved {
    pub entities: Vec<Entity>,
    pub mention_entity: Vec<usize>,
}

pub fn resolve(mentions: &[Mention], _gazetteer: &Gazetteer) -> Resolved {
    let mut entities: Vec<Entity> = Vec::new();
    let mut mention_entity = Vec::with_capacity(mentions.len());
    for m in mentions {
        let idx = match entities
            .iter()
            .position(|e| e.name == m.text && e.etype == m.etype)
        {
            Some(i) => i,
            None => {
                entities.push(Entity {
                    id: format!("E{}", entities.len() + 1),
                    etype: m.etype,
                    name: m.text.clone(),
                    salience: 0.0,
                    mentions: Vec::new(),
                    links: BTreeMap::new(),
                });
                entities.len() - 1
            }
        };
        entities[idx].mentions.push(MentionSpan {
            text: m.text.clone(),
            start: m.start,
            end: m.end,
        });
        mention_entity.push(idx);
    }
    let total = mentions.len().max(1) as f32;
    for e in &mut entities {
        e.salience = e.mentions.len() as f32 / total;
    }
    Resolved {
        entities,
        mention_entity,
    }
}
