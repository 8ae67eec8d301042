//! Merges mentions into entities: one entity per real thing named in the article.
//!
//! 1. Mentions with the same matching key are grouped: case, dots, hyphens, a possessive and a
//!    leading "the" are ignored, and countries meet through their ISO code, so "US", "U.S." and
//!    "United States" are one group.
//! 2. A one-word group joins the multi-word group it abbreviates ("G-7" -> "Group of Seven").
//! 3. A one-word person mention joins the full person name that starts or ends with it ("Lee" ->
//!    "Lee Jae Myung", "Ishiba" -> "Shigeru Ishiba"), only when exactly one full name fits.
//!
//! Each group becomes an entity: its type by majority vote over the mentions (ties broken by a
//! fixed priority), its name the fullest surface form, countries and demonyms linked to ISO 3166
//! alpha-2 codes, a salience score (see [`salience`]), ids E1, E2… in order of first mention.

pub(crate) mod names;

use super::gazetteer::Gazetteer;
use super::{Entity, EntityType, Mention, MentionSpan};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;

/// Entities and, for each input mention, the index of its entity.
pub(crate) struct Resolved {
    pub entities: Vec<Entity>,
    /// `mention_entity[i]` is the index in `entities` of the entity of input mention `i`.
    pub mention_entity: Vec<usize>,
}

/// Key of `links` holding a country's ISO 3166-1 alpha-2 code.
pub const ISO3166: &str = "iso3166";

pub(crate) fn resolve(mentions: &[Mention], gazetteer: &Gazetteer) -> Resolved {
    resolve_with(mentions, &|name| {
        gazetteer.country_code(name).map(str::to_string)
    })
}

/// Type priority when the vote ties: earlier wins.
const TYPE_PRIORITY: [EntityType; 10] = [
    EntityType::Person,
    EntityType::Gpe,
    EntityType::Org,
    EntityType::Loc,
    EntityType::Event,
    EntityType::Norp,
    EntityType::Misc,
    EntityType::Date,
    EntityType::Money,
    EntityType::Percent,
];

fn is_value(t: EntityType) -> bool {
    matches!(
        t,
        EntityType::Date | EntityType::Money | EntityType::Percent
    )
}

/// What the resolver derives from one mention.
struct MentionInfo {
    surface: String,
    key: String,
    words: Vec<String>,
    code: Option<String>,
}

/// Union-find over mention indexes; the root is always the smallest index, so the root of a group
/// is its first mention in reading order when mentions are visited sorted.
struct Groups(Vec<usize>);

impl Groups {
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.0[hi] = lo;
    }
}

/// [`resolve`] with the country lookup passed in, so tests need no gazetteer files.
pub(crate) fn resolve_with(
    mentions: &[Mention],
    country_code: &dyn Fn(&str) -> Option<String>,
) -> Resolved {
    // Work on mentions in reading order; `order[k]` is the input index of the k-th mention.
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| (mentions[i].start, mentions[i].end));
    let sorted: Vec<&Mention> = order.iter().map(|&i| &mentions[i]).collect();
    let infos: Vec<MentionInfo> = sorted
        .iter()
        .map(|m| {
            let surface = names::clean_surface(&m.text);
            let person = m.etype == EntityType::Person;
            let words = names::word_keys(&surface, person);
            let code = match m.etype {
                EntityType::Gpe | EntityType::Loc | EntityType::Norp => country_code(&surface),
                _ => None,
            };
            let key = match (&code, m.etype) {
                (Some(c), EntityType::Gpe | EntityType::Loc) => format!("iso:{c}"),
                (_, t) if is_value(t) => format!("{}:{}", t.as_str(), words.join(" ")),
                _ => words.join(" "),
            };
            MentionInfo {
                surface,
                key,
                words,
                code,
            }
        })
        .collect();

    let mut groups = Groups((0..sorted.len()).collect());
    let mut by_key: FxHashMap<&str, usize> = FxHashMap::default();
    for (k, info) in infos.iter().enumerate() {
        if info.key.is_empty() {
            continue;
        }
        match by_key.get(info.key.as_str()) {
            Some(&first) => groups.union(first, k),
            None => {
                by_key.insert(info.key.as_str(), k);
            }
        }
    }
    join_org_suffixes(&sorted, &infos, &mut groups);
    join_acronyms(&sorted, &infos, &mut groups);
    join_org_short_forms(&sorted, &infos, &mut groups);
    let mut vote_as: Vec<EntityType> = sorted.iter().map(|m| m.etype).collect();
    join_short_person_names(&sorted, &infos, &mut vote_as, &mut groups);
    build_entities(mentions, &order, &sorted, &infos, &vote_as, &mut groups)
}

/// Votes per type of each group root: mention count, tagger confidence as a small tie-breaker.
/// `vote_as[k]` is the type mention `k` votes for (its tagger type unless resolution knows better).
fn type_votes(
    sorted: &[&Mention],
    vote_as: &[EntityType],
    groups: &mut Groups,
) -> FxHashMap<usize, FxHashMap<EntityType, f32>> {
    let mut votes: FxHashMap<usize, FxHashMap<EntityType, f32>> = FxHashMap::default();
    for (k, m) in sorted.iter().enumerate() {
        let root = groups.find(k);
        *votes
            .entry(root)
            .or_default()
            .entry(vote_as[k])
            .or_default() += 1.0 + 0.01 * m.confidence.clamp(0.0, 1.0);
    }
    votes
}

fn winning_type(votes: &FxHashMap<EntityType, f32>) -> EntityType {
    let mut best = EntityType::Misc;
    let mut best_vote = f32::MIN;
    for t in TYPE_PRIORITY {
        if let Some(&v) = votes.get(&t) {
            if v > best_vote {
                best = t;
                best_vote = v;
            }
        }
    }
    best
}

/// Step 2a: an organisation named with a legal-form or group suffix joins the organisation named
/// without it ("Polaris Bank Limited" = "Polaris Bank", "Kelso Corp." = "Kelso"). Organisations
/// only: "Adani Group" does not swallow a person called Adani.
fn join_org_suffixes(sorted: &[&Mention], infos: &[MentionInfo], groups: &mut Groups) {
    let mut orgs: FxHashMap<String, usize> = FxHashMap::default();
    for (k, info) in infos.iter().enumerate() {
        if sorted[k].etype == EntityType::Org && !info.words.is_empty() {
            orgs.entry(info.words.join(" ")).or_insert(k);
        }
    }
    for (k, info) in infos.iter().enumerate() {
        if sorted[k].etype != EntityType::Org {
            continue;
        }
        if let Some(short) = names::without_org_suffix(&info.words) {
            if let Some(&other) = orgs.get(&short.join(" ")) {
                groups.union(other, k);
            }
        }
    }
}

/// Step 2b: a one-word organisation mention after a longer organisation name that starts with that
/// word is its short form ("Halvard" after "Halvard Semiconductors", "Boca" after "Boca Juniors"),
/// when exactly one such name came before it. A word that names a place never joins ("Korea" is
/// not "Korea Electric Power").
fn join_org_short_forms(sorted: &[&Mention], infos: &[MentionInfo], groups: &mut Groups) {
    let mut by_first: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (k, info) in infos.iter().enumerate() {
        let is_org = sorted[k].etype == EntityType::Org;
        if is_org && info.words.len() >= 2 {
            by_first.entry(info.words[0].as_str()).or_default().push(k);
        }
        if !is_org || info.words.len() != 1 || info.code.is_some() {
            continue;
        }
        let Some(longer) = by_first.get(info.words[0].as_str()) else {
            continue;
        };
        if let Some(root) = only_root(longer, groups) {
            groups.union(root, k);
        }
    }
}

/// Step 2: "G-7" joins "Group of Seven", "US" joins "United States" when no gazetteer did already.
fn join_acronyms(sorted: &[&Mention], infos: &[MentionInfo], groups: &mut Groups) {
    let mut acronyms: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (k, info) in infos.iter().enumerate() {
        if is_value(sorted[k].etype) || sorted[k].etype == EntityType::Person {
            continue;
        }
        if let Some(a) = names::acronym_key(&info.surface) {
            acronyms.entry(a).or_default().push(k);
        }
    }
    for (k, info) in infos.iter().enumerate() {
        let t = sorted[k].etype;
        if info.words.len() != 1 || is_value(t) || t == EntityType::Person {
            continue;
        }
        let mixed = names::mixed_case_acronym(&info.surface);
        let Some(longs) = acronyms
            .get(&info.words[0])
            .or_else(|| mixed.and_then(|m| acronyms.get(&m)))
        else {
            continue;
        };
        let mut roots: Vec<usize> = longs.iter().map(|&l| groups.find(l)).collect();
        roots.sort_unstable();
        roots.dedup();
        if let [root] = roots[..] {
            groups.union(root, k);
        }
    }
}

/// Step 3: "Lee" joins "Lee Jae Myung" when it is the only full person name starting or ending
/// with "Lee"; a short form that two different full names share stays on its own. A one-word
/// mention the tagger typed ORG or MISC joins too when it comes after the full name ("Donald
/// Trump … Trump left"): in news a bare surname after the full name is that person. Places and
/// nationalities never join ("Jordan" the country is not "Michael Jordan").
/// A mistyped surname that joins votes PERSON: two ORG "Trump"s must not outvote "Donald Trump".
fn join_short_person_names(
    sorted: &[&Mention],
    infos: &[MentionInfo],
    vote_as: &mut [EntityType],
    groups: &mut Groups,
) {
    let votes = type_votes(sorted, vote_as, groups);
    let group_type = |root: usize| votes.get(&root).map(winning_type);
    // Full names: person groups whose mention has two or more words, indexed by their first and
    // last word (one entry per group), so a short form looks up only the names it could join.
    let mut full: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    let mut listed: FxHashSet<(&str, usize)> = FxHashSet::default();
    for (k, info) in infos.iter().enumerate() {
        let root = groups.find(k);
        if info.words.len() >= 2 && group_type(root) == Some(EntityType::Person) {
            for w in [info.words.first(), info.words.last()]
                .into_iter()
                .flatten()
            {
                if listed.insert((w.as_str(), root)) {
                    full.entry(w.as_str()).or_default().push(root);
                }
            }
        }
    }
    for (k, info) in infos.iter().enumerate() {
        if info.words.len() != 1 {
            continue;
        }
        let root = groups.find(k);
        let person = group_type(root) == Some(EntityType::Person);
        let mistyped = matches!(sorted[k].etype, EntityType::Org | EntityType::Misc)
            && matches!(group_type(root), Some(EntityType::Org | EntityType::Misc));
        if !person && !mistyped {
            continue;
        }
        let candidates = full
            .get(info.words[0].as_str())
            .map_or(&[][..], Vec::as_slice);
        if let Some(target) = only_root(candidates, groups) {
            // A mistyped mention must follow the full name; a person mention may precede it
            // (a headline's "Lee" before the lead's "Lee Jae Myung").
            if person || target < k {
                groups.union(target, k);
                vote_as[k] = EntityType::Person;
            }
        }
    }
}

/// The one group the `candidates` (group members) belong to now, None when none or several.
/// Stops at the second group, so an ambiguous short form costs no more than two look-ups.
fn only_root(candidates: &[usize], groups: &mut Groups) -> Option<usize> {
    let mut found: Option<usize> = None;
    for &c in candidates {
        let root = groups.find(c);
        match found {
            Some(r) if r != root => return None,
            _ => found = Some(root),
        }
    }
    found
}

/// The fullest form: most words, then mixed case over headline capitals, then longest, then first.
fn fullest_name<'a>(members: &[usize], infos: &'a [MentionInfo]) -> &'a str {
    let mut best: Option<(usize, bool, usize, &str)> = None;
    for &k in members {
        let s = infos[k].surface.as_str();
        let cand = (
            infos[k].words.len(),
            !names::is_all_caps(s),
            s.chars().count(),
            s,
        );
        let better = match &best {
            None => true,
            Some(b) => (cand.0, cand.1, cand.2) > (b.0, b.1, b.2),
        };
        if better {
            best = Some(cand);
        }
    }
    best.map_or("", |b| b.3)
}

/// Salience in [0, 1], rounded to 3 decimals:
/// `0.5 * count / max_count + 0.25 * (1 - first_start / doc_end) + 0.25 * lead`,
/// where `count` is the entity's mention count, `max_count` the largest count of any entity,
/// `first_start` the char offset of its first mention, `doc_end` the end of the last mention,
/// and `lead` is 1 when a mention is in the first sentence (headline or lead), 0.5 when the
/// first mention is in the second, else 0. Dates, amounts and percentages get half of that:
/// they are rarely what an article is about.
pub(crate) fn salience(
    count: usize,
    max_count: usize,
    first_start: usize,
    doc_end: usize,
    first_sentence: usize,
    etype: EntityType,
) -> f32 {
    let freq = count as f32 / max_count.max(1) as f32;
    let pos = 1.0 - first_start as f32 / doc_end.max(1) as f32;
    let lead = match first_sentence {
        0 => 1.0,
        1 => 0.5,
        _ => 0.0,
    };
    let mut s = 0.5 * freq + 0.25 * pos.clamp(0.0, 1.0) + 0.25 * lead;
    if is_value(etype) {
        s *= 0.5;
    }
    (s.clamp(0.0, 1.0) * 1000.0).round() / 1000.0
}

fn build_entities(
    mentions: &[Mention],
    order: &[usize],
    sorted: &[&Mention],
    infos: &[MentionInfo],
    vote_as: &[EntityType],
    groups: &mut Groups,
) -> Resolved {
    let votes = type_votes(sorted, vote_as, groups);
    // Groups in order of first mention: the root is the group's first mention in reading order.
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for k in 0..sorted.len() {
        let root = groups.find(k);
        members.entry(root).or_default().push(k);
    }
    let max_count = members.values().map(Vec::len).max().unwrap_or(1);
    let doc_end = sorted.iter().map(|m| m.end).max().unwrap_or(1);
    let mut entities = Vec::with_capacity(members.len());
    let mut mention_entity = vec![0; mentions.len()];
    for (idx, (root, ks)) in members.iter().enumerate() {
        let etype = votes.get(root).map_or(sorted[*root].etype, winning_type);
        let mut links = BTreeMap::new();
        if matches!(etype, EntityType::Gpe | EntityType::Loc | EntityType::Norp) {
            if let Some(code) = ks.iter().find_map(|&k| infos[k].code.clone()) {
                links.insert(ISO3166.to_string(), code);
            }
        }
        let mut spans: Vec<MentionSpan> = Vec::with_capacity(ks.len());
        let mut seen: FxHashSet<(usize, usize)> = FxHashSet::default();
        for &k in ks {
            mention_entity[order[k]] = idx;
            let m = sorted[k];
            if seen.insert((m.start, m.end)) {
                spans.push(MentionSpan {
                    text: m.text.clone(),
                    start: m.start,
                    end: m.end,
                });
            }
        }
        let first = sorted[*root];
        let in_lead = ks.iter().any(|&k| sorted[k].sentence == 0);
        let first_sentence = if in_lead { 0 } else { first.sentence };
        entities.push(Entity {
            id: format!("E{}", idx + 1),
            etype,
            name: fullest_name(ks, infos).to_string(),
            salience: salience(
                ks.len(),
                max_count,
                first.start,
                doc_end,
                first_sentence,
                etype,
            ),
            mentions: spans,
            links,
        });
    }
    Resolved {
        entities,
        mention_entity,
    }
}

#[cfg(test)]
pub(crate) mod tests;
