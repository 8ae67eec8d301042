//! Precise patterns for `leader_of` (with `role`), `citizen_of`, `met_with` and `predecessor_of`.
//!
//! Each pattern reads the words between and around two mentions of one sentence and must match
//! them exactly, so it stays quiet on anything it was not written for. Arguments are entities;
//! a nationality (NORP, "South Korean") stands for its country: the object is the GPE entity with
//! the same ISO 3166 code. When the article never names that country, the relation is skipped:
//! no entity is invented without a mention in the text.
//!
//! - `leader_of` (PERSON -> GPE|ORG): "South Korean President Lee", "Japan's Prime Minister
//!   Ishiba", "Apple CEO Tim Cook", "President Macron of France", "Cook, the chief executive of
//!   Apple", "the president of France, Macron", "X became prime minister of Japan",
//!   "Japan's prime minister, Ishiba". "former" stays in the role.
//! - `citizen_of` (PERSON -> GPE): a nationality before a title or occupation ("South Korean
//!   President Lee", "Japanese diplomat X") or in an apposition ("X, a Japanese national").
//! - `met_with` (PERSON <-> PERSON): "A met (with) B", "A held talks with B", "A and B met",
//!   "talks/meeting between A and B", "A's meeting with B", "A and B agreed … in their first
//!   talks". Only a meeting that happened: "planned to meet", "will meet", "their upcoming talks"
//!   do not match.
//! - `predecessor_of` (PERSON -> PERSON, subject held the post first): "X's predecessor Y",
//!   "his predecessor Y" (his = the nearest person before it in the sentence, else the article's
//!   main person when one person is mentioned most), "Y, X's predecessor", "X succeeded Y",
//!   "Y was succeeded by X", "X's successor Y".

mod leaders;
mod people;
pub(crate) mod words;

use super::super::entities::{Resolved, ISO3166};
use super::super::{EntityType, Mention, Predicate, Sentence, Span, Token};
use super::Found;
use crate::enrich::ner::titles::is_national_role;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use words::{whole_title, Word};

const LEADER_OF: f32 = 0.9;
const LEADER_HOME_COUNTRY: f32 = 0.6;
const CITIZEN_OF_LEADER: f32 = 0.85;
const MET_VERB: f32 = 0.9;
const MET_AND: f32 = 0.85;
const MET_THEIR_TALKS: f32 = 0.75;
const MET_PRONOUN: f32 = 0.7;
const PREDECESSOR_NAMED: f32 = 0.95;
const PREDECESSOR_PRONOUN: f32 = 0.8;
const PREDECESSOR_MAIN_PERSON: f32 = 0.7;
/// Most confidence for "the predecessor held the post" (see [`predecessors_held_the_post`]).
const PREDECESSOR_HELD_POST: f32 = 0.85;

/// A mention of the sentence as the patterns see it.
#[derive(Debug, Clone)]
struct Arg {
    entity: usize,
    etype: EntityType,
    /// First word of the mention and one past its last word.
    w0: usize,
    w1: usize,
}

/// One sentence: its words and mentions, plus article-wide facts the patterns need.
struct Ctx<'a> {
    words: Vec<Word>,
    args: Vec<Arg>,
    resolved: &'a Resolved,
    /// ISO code -> the GPE entity of that country.
    countries: &'a FxHashMap<&'a str, usize>,
    main_person: Option<usize>,
    /// Relations found so far (a cell so matchers can emit while reading the sentence's words).
    out: RefCell<&'a mut Vec<Found>>,
    /// People named after a national title with no country beside it ("President X"), with the
    /// role and evidence: candidates for the article's home country (see [`home_country`]).
    bare_leaders: RefCell<&'a mut Vec<(usize, String, Span)>>,
}

pub(crate) fn find(
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    mentions: &[Mention],
    resolved: &Resolved,
) -> Vec<Found> {
    let mut countries: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, e) in resolved.entities.iter().enumerate() {
        if e.etype == EntityType::Gpe {
            if let Some(code) = e.links.get(ISO3166) {
                countries.entry(code.as_str()).or_insert(i);
            }
        }
    }
    let main_person = main_person(resolved);
    let mut by_sentence: Vec<Vec<usize>> = vec![Vec::new(); sentences.len()];
    for (i, m) in mentions.iter().enumerate() {
        if let Some(s) = by_sentence.get_mut(m.sentence) {
            s.push(i);
        }
    }
    let mut out = Vec::new();
    let mut bare_leaders = Vec::new();
    for (si, idxs) in by_sentence.iter_mut().enumerate() {
        if idxs.is_empty() {
            continue;
        }
        idxs.sort_by_key(|&i| (mentions[i].start, mentions[i].end));
        let sentence = &sentences[si];
        let words = words::of_tokens(tokens.get(sentence.tokens.clone()).unwrap_or_default());
        let mut args: Vec<Arg> = Vec::with_capacity(idxs.len());
        for &i in idxs.iter() {
            let m = &mentions[i];
            let Some(&entity) = resolved.mention_entity.get(i) else {
                continue;
            };
            let w0 = words.partition_point(|w| w.start < m.start);
            let w1 = words.partition_point(|w| w.start < m.end);
            let overlaps = args.last().is_some_and(|a| a.w1 > w0);
            if w0 >= w1 || overlaps {
                continue;
            }
            let etype = resolved.entities.get(entity).map_or(m.etype, |e| e.etype);
            // Dates and amounts are words of the phrase here ("was nominated Tuesday as").
            if matches!(
                etype,
                EntityType::Date | EntityType::Money | EntityType::Percent
            ) {
                continue;
            }
            args.push(Arg {
                entity,
                etype,
                w0,
                w1,
            });
        }
        let ctx = Ctx {
            words,
            args,
            resolved,
            countries: &countries,
            main_person,
            out: RefCell::new(&mut out),
            bare_leaders: RefCell::new(&mut bare_leaders),
        };
        ctx.leaders_and_citizens();
        ctx.meetings();
        ctx.predecessors();
    }
    leaders_of_home_country(resolved, &countries, &bare_leaders, &mut out);
    predecessors_held_the_post(&mut out);
    out
}

/// "X was sworn in as Singapore's prime minister, succeeding Y", "X, who succeeded Y as chief
/// executive of Acme": the predecessor held the post the successor took, so Y led the same
/// organisation or country before, in the role "former …". Only from a `leader_of` of X whose
/// evidence overlaps the succession's (the post that sentence names), never a post of X found
/// elsewhere in the article.
fn predecessors_held_the_post(out: &mut Vec<Found>) {
    let overlaps = |a: &Span, b: &Span| a.start < b.end && b.start < a.end;
    let mut added: Vec<Found> = Vec::new();
    for p in out
        .iter()
        .filter(|f| f.predicate == Predicate::PredecessorOf)
    {
        for l in out.iter().filter(|f| {
            f.predicate == Predicate::LeaderOf
                && f.subject == p.object
                && overlaps(&f.evidence, &p.evidence)
        }) {
            let known = |f: &Found| {
                f.predicate == Predicate::LeaderOf && f.subject == p.subject && f.object == l.object
            };
            if out.iter().any(known) || added.iter().any(known) {
                continue;
            }
            let role = l.role.as_deref().map(|r| {
                if r.starts_with("former ") {
                    r.to_string()
                } else {
                    format!("former {r}")
                }
            });
            added.push(Found {
                subject: p.subject,
                predicate: Predicate::LeaderOf,
                object: l.object,
                role,
                confidence: PREDECESSOR_HELD_POST.min(p.confidence).min(l.confidence),
                evidence: Span {
                    start: p.evidence.start.min(l.evidence.start),
                    end: p.evidence.end.max(l.evidence.end),
                },
            });
        }
    }
    out.extend(added);
}

/// The country an article is about when that is unambiguous: the country named (by name or
/// nationality) at least twice and at least twice as often as any other.
fn home_country(resolved: &Resolved, countries: &FxHashMap<&str, usize>) -> Option<usize> {
    let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
    for e in &resolved.entities {
        if matches!(e.etype, EntityType::Gpe | EntityType::Norp) {
            if let Some(code) = e.links.get(ISO3166) {
                *counts.entry(code.as_str()).or_default() += e.mentions.len();
            }
        }
    }
    let mut ranked: Vec<(usize, &str)> = counts.into_iter().map(|(c, n)| (n, c)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    let (top, code) = *ranked.first()?;
    let second = ranked.get(1).map_or(0, |r| r.0);
    if top >= 2 && top >= 2 * second {
        countries.get(code).copied()
    } else {
        None
    }
}

/// "President X" with no country in sight, in an article about one country: X leads it, unless
/// a pattern already gave X a country. (Citizenship is left to what the text states.)
fn leaders_of_home_country(
    resolved: &Resolved,
    countries: &FxHashMap<&str, usize>,
    bare: &[(usize, String, Span)],
    out: &mut Vec<Found>,
) {
    if bare.is_empty() {
        return;
    }
    let Some(home) = home_country(resolved, countries) else {
        return;
    };
    let is_country = |e: usize| countries.values().any(|&c| c == e);
    let placed: rustc_hash::FxHashSet<usize> = out
        .iter()
        .filter(|f| {
            matches!(f.predicate, Predicate::LeaderOf | Predicate::CitizenOf)
                && is_country(f.object)
        })
        .map(|f| f.subject)
        .collect();
    // One holder of a (current) post per country: "President X of Kenya" leaves no room for
    // another president of Kenya.
    let held: Vec<String> = out
        .iter()
        .filter(|f| f.predicate == Predicate::LeaderOf && f.object == home)
        .filter_map(|f| f.role.clone())
        .collect();
    let mut done = rustc_hash::FxHashSet::default();
    for (person, role, ev) in bare {
        let taken = !role.starts_with("former") && held.contains(role);
        if taken || placed.contains(person) || !done.insert(*person) {
            continue;
        }
        out.push(Found {
            subject: *person,
            predicate: Predicate::LeaderOf,
            object: home,
            role: Some(role.clone()),
            confidence: LEADER_HOME_COUNTRY,
            evidence: *ev,
        });
    }
}

/// The PERSON entity with strictly the most mentions, if there is one.
fn main_person(resolved: &Resolved) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = resolved
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.etype == EntityType::Person)
        .map(|(i, e)| (e.mentions.len(), i))
        .collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    match counts[..] {
        [(n, i), (m, _), ..] if n > m => Some(i),
        [(_, i)] => Some(i),
        _ => None,
    }
}

impl Ctx<'_> {
    fn lowers(&self, from: usize, to: usize) -> Vec<&str> {
        let to = to.min(self.words.len());
        self.words
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .map(|w| w.lower.as_str())
            .collect()
    }

    /// Word `i` is written in lowercase letters (and hyphens): "long-serving", not "Governor".
    fn is_lower(&self, i: usize) -> bool {
        self.words.get(i).is_some_and(|w| {
            !w.capitalised
                && !w.lower.is_empty()
                && w.lower.chars().all(|c| c.is_lowercase() || c == '-')
        })
    }

    fn word(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| w.lower.as_str())
    }

    fn span(&self, from: usize, to: usize) -> Span {
        let last = to.max(from + 1).min(self.words.len()).saturating_sub(1);
        Span {
            start: self.words.get(from).map_or(0, |w| w.start),
            end: self.words.get(last).map_or(0, |w| w.end),
        }
    }

    /// The entity an organisation, country or nationality mention stands for as an object.
    fn place_or_org(&self, a: &Arg) -> Option<usize> {
        match a.etype {
            EntityType::Gpe | EntityType::Org => Some(a.entity),
            EntityType::Norp => self.country_of(a),
            _ => None,
        }
    }

    fn country_of(&self, a: &Arg) -> Option<usize> {
        let e = self.resolved.entities.get(a.entity)?;
        let code = e.links.get(ISO3166)?;
        self.countries.get(code.as_str()).copied()
    }

    fn emit(
        &self,
        subject: usize,
        p: Predicate,
        object: usize,
        role: Option<String>,
        confidence: f32,
        evidence: Span,
    ) {
        self.out.borrow_mut().push(Found {
            subject,
            predicate: p,
            object,
            role,
            confidence,
            evidence,
        });
    }

    /// `person` leads `obj` in the given role. The head of state or government of a country is
    /// also its citizen ("South Africa's President X" -> X `citizen_of` South Africa).
    fn emit_leader(
        &self,
        person: usize,
        obj: usize,
        role: String,
        confidence: f32,
        evidence: Span,
    ) {
        if is_national_role(&role) && self.countries.values().any(|&c| c == obj) {
            self.emit(
                person,
                Predicate::CitizenOf,
                obj,
                None,
                CITIZEN_OF_LEADER.min(confidence),
                evidence,
            );
        }
        self.emit(
            person,
            Predicate::LeaderOf,
            obj,
            Some(role),
            confidence,
            evidence,
        );
    }

    fn is_person(&self, k: usize) -> bool {
        self.args[k].etype == EntityType::Person
    }

    /// The longest title ending right before word `end` (not reaching back past `floor`), with
    /// its first word. "Vice President X" has none: a title read out of a longer, lesser one
    /// ("vice", "deputy", "assistant" before it) does not count.
    fn title_before(&self, end: usize, floor: usize) -> Option<(String, usize)> {
        for len in (1..=5).rev() {
            if end < floor + len {
                continue;
            }
            if let Some(role) = whole_title(&self.lowers(end - len, end)) {
                let before = if end - len > floor {
                    self.word(end - len - 1)
                } else {
                    ""
                };
                if matches!(
                    before,
                    "vice" | "deputy" | "assistant" | "associate" | "co" | "under"
                ) {
                    return None;
                }
                return Some((role, end - len));
            }
        }
        None
    }

    /// Word index where the mention of person `k` starts once a title and a modifier before it are
    /// included: "Japanese Prime Minister [Shigeru Ishiba]" starts at "Japanese".
    fn extended_start(&self, k: usize) -> usize {
        let a = &self.args[k];
        let floor = if k > 0 { self.args[k - 1].w1 } else { 0 };
        let mut s = self.title_before(a.w0, floor).map_or(a.w0, |(_, t)| t);
        if k > 0 {
            let prev = &self.args[k - 1];
            let modifier = matches!(
                prev.etype,
                EntityType::Gpe | EntityType::Org | EntityType::Norp
            );
            if modifier && s < a.w0 {
                let gap = self.lowers(prev.w1, s);
                if gap.is_empty() || gap == ["'s"] {
                    s = prev.w0;
                }
            }
        }
        if s > 0 && self.word(s - 1) == "former" {
            s -= 1;
        }
        s
    }
}

#[cfg(test)]
pub(crate) mod tests;
