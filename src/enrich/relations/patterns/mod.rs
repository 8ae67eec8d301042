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

mod people;
pub(crate) mod words;

use super::super::entities::{Resolved, ISO3166};
use super::super::{EntityType, Mention, Predicate, Sentence, Span, Token};
use super::Found;
use crate::enrich::ner::is_org_descriptor_head;
use crate::enrich::ner::titles::is_national_role;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use words::{is_occupation, is_staff, parse_title, title_then_of, whole_title, Word};

const LEADER_PREMODIFIER: f32 = 0.95;
const LEADER_OF: f32 = 0.9;
const LEADER_APPOSITION: f32 = 0.85;
const LEADER_OWN: f32 = 0.8;
const BASED_PREMODIFIER: f32 = 0.85;
const LEADER_HOME_COUNTRY: f32 = 0.6;
const WORKS_PREMODIFIER: f32 = 0.85;
const WORKS_APPOSITION: f32 = 0.8;
const WORKS_VERB: f32 = 0.8;
const CITIZEN_PREMODIFIER: f32 = 0.9;
const CITIZEN_APPOSITION: f32 = 0.85;
const CITIZEN_OF_LEADER: f32 = 0.85;
const MET_VERB: f32 = 0.9;
const MET_AND: f32 = 0.85;
const MET_THEIR_TALKS: f32 = 0.75;
const PREDECESSOR_NAMED: f32 = 0.95;
const PREDECESSOR_PRONOUN: f32 = 0.8;
const PREDECESSOR_MAIN_PERSON: f32 = 0.7;

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
    out
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

/// How many leading words of `words` are a copula or appointment between a person and their title:
/// "is", "was sworn in as", "has been appointed", "took over on Sunday as", ", who was named".
/// Zero when `words` does not start with one.
fn appointment_chain(words: &[&str]) -> usize {
    let start = match words {
        [",", "who", ..] => 2,
        [",", "as", ..] => 1,
        // ", a 38-year-old engineer, was elected …": an apposition before the verb.
        [",", "a" | "an" | "the", ..] => {
            match words.iter().skip(2).take(12).position(|w| *w == ",") {
                Some(p) => p + 3,
                None => return 0,
            }
        }
        _ => 0,
    };
    let mut i = start;
    let mut verb = false;
    while let Some(&w) = words.get(i) {
        match w {
            "is" | "was" | "has" | "have" | "had" | "been" | "be" | "will" | "would" | "being"
            | "officially" | "formally" | "also" | "now" | "appointed" | "named" | "nominated"
            | "elected" | "re-elected" | "confirmed" | "approved" | "sworn" | "installed"
            | "became" | "becomes" | "become" | "remains" | "remained" | "took" | "takes"
            | "take" | "taking" | "over" | "serves" | "served" | "serving" | "as" => verb = true,
            "in" | "on" | "monday" | "tuesday" | "wednesday" | "thursday" | "friday"
            | "saturday" | "sunday" | "today" | "yesterday" => {}
            _ => break,
        }
        i += 1;
    }
    if verb {
        i
    } else {
        0
    }
}

/// "senior official at", "a spokeswoman for the", "striker of": a staff noun (with up to two
/// lowercase words before it) and the preposition before the organisation.
fn staff_then_of(words: &[&str]) -> bool {
    let words = words.strip_suffix(&["the"]).unwrap_or(words);
    let Some((prep, phrase)) = words.split_last() else {
        return false;
    };
    matches!(*prep, "of" | "for" | "at" | "with")
        && matches!(phrase, [.., last] if is_staff(last))
        && phrase.len() <= 3
        && !phrase
            .iter()
            .any(|w| matches!(*w, "former" | "ex" | "vice"))
        && whole_title(phrase).is_none()
}

/// Nouns a news story uses for an organisation it has named: "the company's new CEO".
fn is_org_noun(w: &str) -> bool {
    matches!(
        w,
        "company"
            | "firm"
            | "bank"
            | "lender"
            | "group"
            | "carrier"
            | "airline"
            | "insurer"
            | "automaker"
            | "carmaker"
            | "conglomerate"
            | "club"
            | "party"
            | "organisation"
            | "organization"
            | "agency"
            | "board"
            | "institution"
            | "university"
            | "fund"
    )
}

/// Skips "the", "its" and the words that qualify a post without changing it: "the next", "its
/// new", "the substantive", "Japan's fourth", "first woman", "25th".
fn skip_title_modifiers<'w, 'a>(mut words: &'w [&'a str]) -> &'w [&'a str] {
    while let Some((&w, rest)) = words.split_first() {
        let ordinal = w.starts_with(|c: char| c.is_ascii_digit())
            && ["st", "nd", "rd", "th"].iter().any(|s| w.ends_with(s));
        let modifier = ordinal
            || matches!(
                w,
                "the"
                    | "its"
                    | "new"
                    | "next"
                    | "incoming"
                    | "acting"
                    | "interim"
                    | "substantive"
                    | "permanent"
                    | "current"
                    | "first"
                    | "second"
                    | "third"
                    | "fourth"
                    | "fifth"
                    | "sixth"
                    | "seventh"
                    | "eighth"
                    | "ninth"
                    | "tenth"
                    | "woman"
                    | "female"
                    | "youngest"
                    | "oldest"
            );
        if !modifier {
            break;
        }
        words = rest;
    }
    words
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

    /// "Japanese digital comic distributor X", "South Korea's telecom giant X", "the Seoul-based
    /// firm X", "U.S.-based private equity firm X": a country, nationality or "Y-based" before a
    /// company descriptor that ends right before the organisation's name.
    fn based_premodified(&self) {
        for k in 1..self.args.len() {
            let (m, a) = (&self.args[k - 1], &self.args[k]);
            if a.etype != EntityType::Org {
                continue;
            }
            let mut gap = self.lowers(m.w1, a.w0);
            let based = self.word(m.w1 - 1).ends_with("-based")
                || matches!(gap.as_slice(), ["-", "based", ..]);
            if gap.first() == Some(&"-") {
                gap.drain(..2.min(gap.len()));
            }
            let possessive = matches!(gap.first(), Some(&"'s" | &"'"));
            if possessive {
                gap.remove(0);
            }
            let object = match m.etype {
                EntityType::Norp if !based && !possessive => self.country_of(m),
                EntityType::Gpe | EntityType::Loc if based || possessive => Some(m.entity),
                _ => None,
            };
            let Some(object) = object else {
                continue;
            };
            // The descriptor: lowercase words (at most five), its last one a company noun.
            let lower = (a.w0.saturating_sub(gap.len())..a.w0).all(|i| self.is_lower(i));
            let head = gap.last().is_some_and(|w| is_org_descriptor_head(w));
            let described = (1..=5).contains(&gap.len()) && lower && head;
            if described || (based && gap.is_empty()) {
                let ev = self.span(m.w0, a.w1);
                self.emit(
                    a.entity,
                    Predicate::BasedIn,
                    object,
                    None,
                    BASED_PREMODIFIER,
                    ev,
                );
            }
        }
    }

    fn leaders_and_citizens(&self) {
        self.based_premodified();
        for k in 0..self.args.len() {
            if !self.is_person(k) {
                continue;
            }
            self.premodified(k);
            self.titled_of(k);
            self.appointed_to_own(k);
            self.bare_title(k);
            self.appositions(k);
        }
    }

    /// "South Korean President Seo", "Japan's Prime Minister Mizuno", "Apple CEO Tim Cook",
    /// "Japanese diplomat X", or "Japan's prime minister, Mizuno" with a comma.
    fn premodified(&self, k: usize) {
        if k == 0 {
            return;
        }
        let (m, a) = (self.args[k - 1].clone(), self.args[k].clone());
        let mut gap = self.lowers(m.w1, a.w0);
        if matches!(gap.first(), Some(&"'s") | Some(&"'")) {
            gap.remove(0);
        }
        if gap.last() == Some(&",") {
            gap.pop(); // "Japan's prime minister, Takeshi Mizuno"
        }
        let former_before = m.w0 > 0 && self.word(m.w0 - 1) == "former";
        let from = if former_before { m.w0 - 1 } else { m.w0 };
        let evidence = self.span(from, a.w1);
        if let Some(role) = whole_title(&gap) {
            let role = if former_before {
                format!("former {role}")
            } else {
                role
            };
            if let Some(obj) = self.place_or_org(&m) {
                self.emit_leader(a.entity, obj, role, LEADER_PREMODIFIER, evidence);
            }
        }
        // "Kelso Bank official X", "Acme's chief economist X": one of the organisation's people.
        let staff = matches!(gap.as_slice(), [.., last] if is_staff(last))
            && gap.len() <= 3
            && gap
                .iter()
                .all(|w| w.chars().all(|c| c.is_alphabetic() || c == '-'))
            && !gap.iter().any(|w| matches!(*w, "former" | "ex" | "vice"));
        if m.etype == EntityType::Org && staff && whole_title(&gap).is_none() {
            self.emit(
                a.entity,
                Predicate::WorksFor,
                m.entity,
                None,
                WORKS_PREMODIFIER,
                evidence,
            );
        }
        if m.etype != EntityType::Norp {
            return;
        }
        let rest: Vec<&str> = gap.iter().copied().filter(|w| *w != "former").collect();
        let nationality = rest.is_empty()
            || whole_title(&rest).is_some()
            || (rest.len() <= 2 && rest.iter().all(|w| is_occupation(w)));
        if let (true, Some(country)) = (nationality, self.country_of(&m)) {
            self.emit(
                a.entity,
                Predicate::CitizenOf,
                country,
                None,
                CITIZEN_PREMODIFIER,
                evidence,
            );
        }
    }

    /// Notes "President X", "former prime minister X" with nothing before the title that says
    /// whose, and no "of" after the name.
    fn bare_title(&self, k: usize) {
        let a = &self.args[k];
        let floor = if k > 0 { self.args[k - 1].w1 } else { 0 };
        let Some((role, t)) = self.title_before(a.w0, floor) else {
            return;
        };
        let role = if t > 0 && self.word(t - 1) == "former" {
            format!("former {role}")
        } else {
            role
        };
        let whose = t > floor && matches!(self.word(t - 1), "'s" | "'");
        let modifier = k > 0 && self.args[k - 1].w1 == t.min(a.w0);
        if !is_national_role(&role) || whose || modifier || self.word(a.w1) == "of" {
            return;
        }
        self.bare_leaders
            .borrow_mut()
            .push((a.entity, role, self.span(t, a.w1)));
    }

    /// "Acme named X as its acting chief executive", "Acme approved X as the company's new CEO":
    /// the post is in the organisation named before the person in the same sentence (the
    /// nearest one, with no other organisation or person between).
    fn appointed_to_own(&self, k: usize) {
        let a = self.args[k].clone();
        let end = self.args.get(k + 1).map_or(self.words.len(), |n| n.w0);
        let after = self.lowers(a.w1, end.min(a.w1 + 16));
        let skip = appointment_chain(&after);
        if skip == 0 || !after[..skip].contains(&"as") {
            return;
        }
        let rest = &after[skip..];
        let rest = match rest {
            ["its", rest @ ..] => rest,
            ["the", noun, "'s", rest @ ..] if is_org_noun(noun) => rest,
            _ => return,
        };
        let rest = skip_title_modifiers(rest);
        let Some((role, n_title)) = parse_title(rest) else {
            return;
        };
        if role.starts_with("former") || matches!(rest.get(n_title), Some(&"of" | &"'s" | &"'")) {
            return;
        }
        let Some(org) = (0..k)
            .rev()
            .find(|&i| self.args[i].etype != EntityType::Norp)
        else {
            return;
        };
        let o = self.args[org].clone();
        if o.etype != EntityType::Org {
            return;
        }
        let ev = self.span(o.w0, a.w1 + (after.len() - rest.len()) + n_title);
        self.emit_leader(a.entity, o.entity, role, LEADER_OWN, ev);
    }

    /// "President Emmanuel Macron of France", "X became prime minister of Japan".
    fn titled_of(&self, k: usize) {
        let a = self.args[k].clone();
        let Some(n) = self.args.get(k + 1).cloned() else {
            return;
        };
        let Some(obj) = self.place_or_org(&n) else {
            return;
        };
        let after = self.lowers(a.w1, n.w0);
        // Title before the person, "of" after it.
        if after == ["of"] || after == ["of", "the"] {
            let floor = if k > 0 { self.args[k - 1].w1 } else { 0 };
            if let Some((role, t)) = self.title_before(a.w0, floor) {
                let ev = self.span(t, n.w1);
                self.emit_leader(a.entity, obj, role, LEADER_OF, ev);
                return;
            }
        }
        // A copula or "as", then the title: "X is the president of Y", "X, as chairman of Y".
        // After a succession verb the title is the successor's: "B, who succeeded X as mayor of Y".
        if after.first() == Some(&"as")
            && matches!(
                self.word(a.w0.wrapping_sub(1)),
                "succeeded" | "succeeds" | "succeeding" | "replaced" | "replaces" | "replacing"
            )
        {
            return;
        }
        // "X plays for Acme", "X, who works at Acme", "X joined Acme".
        let member = matches!(
            after.as_slice(),
            [
                "plays" | "played" | "playing" | "works" | "worked" | "working",
                "for" | "at"
            ] | [
                ",",
                "who",
                "plays" | "played" | "works" | "worked",
                "for" | "at"
            ] | ["joined" | "joins"]
                | [",", "who", "joined"]
        );
        if member && n.etype == EntityType::Org {
            let ev = self.span(a.w0, n.w1);
            self.emit(
                a.entity,
                Predicate::WorksFor,
                n.entity,
                None,
                WORKS_VERB,
                ev,
            );
            return;
        }
        let skip = appointment_chain(&after);
        if skip == 0 {
            return;
        }
        let rest = skip_title_modifiers(&after[skip..]);
        if let Some(role) = title_then_of(rest) {
            let ev = self.span(a.w0, n.w1);
            self.emit_leader(a.entity, obj, role, LEADER_OF, ev);
            return;
        }
        // "X was sworn in as Japan's fourth prime minister", "X has been appointed Acme CEO".
        if matches!(rest, [] | ["the"]) {
            let mut i = n.w1;
            if matches!(self.word(i), "'s" | "'") {
                i += 1;
            }
            let tail = self.lowers(i, (i + 8).min(self.words.len()));
            let tail = skip_title_modifiers(&tail);
            let used = 8usize.min(self.words.len() - i) - tail.len();
            if let Some((role, n_title)) = parse_title(tail) {
                let next = tail.get(n_title).copied().unwrap_or("");
                if !matches!(next, "'s" | "'" | "of") && !role.starts_with("former") {
                    let ev = self.span(a.w0, i + used + n_title);
                    self.emit_leader(a.entity, obj, role, LEADER_OF, ev);
                }
            }
        }
    }

    /// "Cook, the chief executive of Apple", "Lee, the South Korean president",
    /// "Tim Cook, Apple's CEO", "X, a Japanese national", "the president of France, Macron".
    fn appositions(&self, k: usize) {
        let a = self.args[k].clone();
        if let Some(n) = self.args.get(k + 1).cloned() {
            let gap = self.lowers(a.w1, n.w0);
            let mut rest: &[&str] = &gap;
            if rest.first() == Some(&",") {
                rest = &rest[1..];
                if matches!(rest.first(), Some(&"the") | Some(&"a") | Some(&"an")) {
                    rest = &rest[1..];
                }
                let ev = self.span(a.w0, n.w1);
                // ", the chief executive of Apple"
                if let (Some(role), Some(obj)) = (title_then_of(rest), self.place_or_org(&n)) {
                    self.emit_leader(a.entity, obj, role, LEADER_APPOSITION, ev);
                }
                // ", a senior official at Acme", ", a spokeswoman for Acme", ", the club's striker"
                if n.etype == EntityType::Org && staff_then_of(rest) {
                    self.emit(
                        a.entity,
                        Predicate::WorksFor,
                        n.entity,
                        None,
                        WORKS_APPOSITION,
                        ev,
                    );
                }
                // ", Apple's CEO" / ", the South Korean president" / ", a Japanese national"
                if rest.is_empty() || rest == ["former"] {
                    self.title_after_modifier(a.entity, &n, rest == ["former"], a.w0);
                }
            }
        }
        // "the president of France, Macron"
        if k > 0 {
            let n = self.args[k - 1].clone();
            if self.lowers(n.w1, a.w0) == [","] {
                let floor = if k > 1 { self.args[k - 2].w1 } else { 0 };
                let before = self.lowers(floor, n.w0);
                let tail = if before.ends_with(&["of", "the"]) {
                    2
                } else {
                    1
                };
                if before.last() == Some(&"of") || tail == 2 {
                    let end = n.w0 - tail;
                    let title = self.title_before(end, floor);
                    if let (Some((role, t)), Some(obj)) = (title, self.place_or_org(&n)) {
                        let ev = self.span(t, a.w1);
                        self.emit_leader(a.entity, obj, role, LEADER_APPOSITION, ev);
                    }
                }
            }
        }
    }

    /// After "Person, [the|a] Modifier": "'s CEO", "president", "diplomat" up to a clause end.
    fn title_after_modifier(&self, person: usize, n: &Arg, former: bool, from: usize) {
        let mut i = n.w1;
        if matches!(self.word(i), "'s" | "'") {
            i += 1;
        }
        let rest = self.lowers(i, self.words.len());
        let clause_end = rest
            .iter()
            .position(|w| {
                matches!(
                    *w,
                    "," | "." | ";" | ":" | "said" | "says" | "who" | "and" | ")"
                )
            })
            .unwrap_or(rest.len());
        let phrase = &rest[..clause_end];
        if phrase.is_empty() {
            return;
        }
        let ev = self.span(from, i + clause_end);
        if let Some(role) = whole_title(phrase) {
            let role = if former {
                format!("former {role}")
            } else {
                role
            };
            if let Some(obj) = self.place_or_org(n) {
                self.emit_leader(person, obj, role, LEADER_APPOSITION, ev);
            }
        }
        let staff = matches!(phrase, [.., last] if is_staff(last))
            && phrase.len() <= 3
            && !phrase
                .iter()
                .any(|w| matches!(*w, "former" | "ex" | "vice"));
        if n.etype == EntityType::Org && staff && !former && whole_title(phrase).is_none() {
            self.emit(
                person,
                Predicate::WorksFor,
                n.entity,
                None,
                WORKS_APPOSITION,
                ev,
            );
        }
        let occupation = phrase.len() <= 2 && phrase.iter().all(|w| is_occupation(w));
        if n.etype == EntityType::Norp && (occupation || whole_title(phrase).is_some()) {
            if let Some(country) = self.country_of(n) {
                self.emit(
                    person,
                    Predicate::CitizenOf,
                    country,
                    None,
                    CITIZEN_APPOSITION,
                    ev,
                );
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
