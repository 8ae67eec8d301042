//! Patterns between two people: `met_with` and `predecessor_of` (see the parent module's list).

use super::words::title_then_of;
use super::{
    Ctx, LEADER_OF, MET_AND, MET_PRONOUN, MET_THEIR_TALKS, MET_VERB, PREDECESSOR_MAIN_PERSON,
    PREDECESSOR_NAMED, PREDECESSOR_PRONOUN,
};
use crate::enrich::{EntityType, Predicate};

/// Most words between a successor and the succession phrase ("X, a former banker, will take
/// over from Y"): the clause stays short, and the look-back stays bounded.
const MAX_SUBJECT_GAP: usize = 25;

impl Ctx<'_> {
    /// When mention `k` is a person: the next person in the sentence (modifiers in between are
    /// allowed) and the lowercased words between the two, up to that person's leading title.
    /// None when there is no such person or its title overlaps `k`.
    fn next_person(&self, k: usize) -> Option<(usize, Vec<&str>)> {
        if !self.is_person(k) {
            return None;
        }
        let j = (k + 1..self.args.len()).find(|&j| self.is_person(j))?;
        let (a_end, b_start) = (self.args[k].w1, self.extended_start(j));
        if b_start < a_end {
            return None;
        }
        Some((j, self.lowers(a_end, b_start)))
    }

    pub(super) fn meetings(&self) {
        for k in 0..self.args.len() {
            let Some((j, gap)) = self.next_person(k) else {
                continue;
            };
            if !self.a_met_b(k, j, &gap) && gap == ["and"] {
                self.a_and_b_met(k, j);
            }
        }
        for j in 0..self.args.len() {
            self.pronoun_met(j);
        }
    }

    /// "Mahama said he visited President Tinubu", "… when she met with Kagame": "he" or "she"
    /// right before a meeting verb ([`is_meeting_verb`], the one "A met B" reads) whose object
    /// is the person `j`. The pronoun is the nearest
    /// person named before it in the sentence (none: no relation).
    fn pronoun_met(&self, j: usize) {
        if !self.is_person(j) {
            return;
        }
        let b = self.args[j].clone();
        let start = self.extended_start(j);
        let floor = if j > 0 { self.args[j - 1].w1 } else { 0 };
        let before = self.lowers(start.saturating_sub(5).max(floor), start);
        let Some(he) = before.iter().rposition(|w| matches!(*w, "he" | "she")) else {
            return;
        };
        if !is_meeting_verb(&before[he + 1..]) {
            return;
        }
        let pronoun = start - (before.len() - he);
        let Some(a) = self.args[..j]
            .iter()
            .rev()
            .find(|a| a.w1 <= pronoun && a.etype == EntityType::Person && a.entity != b.entity)
        else {
            return;
        };
        let ev = self.span(a.w0, b.w1);
        self.emit(
            a.entity,
            Predicate::MetWith,
            b.entity,
            None,
            MET_PRONOUN,
            ev,
        );
    }

    /// "A met (with) B", "A held talks with B", "A's meeting with B", "A had a phone call with B",
    /// "A was received by B": a verb between the two people. True when it emitted.
    fn a_met_b(&self, k: usize, j: usize, gap: &[&str]) -> bool {
        let (a, b) = (self.args[k].clone(), self.args[j].clone());
        // "Prime Minister Brill of Estonia met …": the place the subject is of comes first.
        let of_place = self.args.iter().find(|p| {
            p.w0 == a.w1 + 1 && p.w1 <= b.w0 && matches!(p.etype, EntityType::Gpe | EntityType::Org)
        });
        let skip = match (gap.first(), of_place) {
            (Some(&"of"), Some(p)) => p.w1 - a.w1,
            _ => 0,
        };
        let verb: &[&str] = gap.get(skip..).unwrap_or_default();
        let met = phone_or_talks_with(verb) || is_meeting_verb(verb);
        if met {
            let ev = self.span(a.w0, b.w1);
            self.emit(a.entity, Predicate::MetWith, b.entity, None, MET_VERB, ev);
        }
        met
    }

    /// "talks between A and B", "A and B met", "A and B held talks", "A and B agreed … in their
    /// talks": the two people joined by "and".
    fn a_and_b_met(&self, k: usize, j: usize) {
        let (a, b) = (self.args[k].clone(), self.args[j].clone());
        // "talks between A and B"
        let a_start = self.extended_start(k);
        let before = self.lowers(a_start.saturating_sub(2), a_start);
        let not_yet = matches!(
            self.word(a_start.wrapping_sub(3)),
            "planned"
                | "upcoming"
                | "proposed"
                | "possible"
                | "expected"
                | "future"
                | "scheduled"
                | "potential"
                | "next"
        );
        if !not_yet
            && matches!(
                before.as_slice(),
                ["talks" | "meeting" | "meetings" | "summit", "between"]
            )
        {
            let ev = self.span(a_start - 2, b.w1);
            self.emit(a.entity, Predicate::MetWith, b.entity, None, MET_VERB, ev);
            return;
        }
        // "A and B met", "A and B held talks" (but not "A and B met with C").
        let after = self.lowers(b.w1, b.w1 + 4);
        let mut v: &[&str] = &after;
        while matches!(
            v.first(),
            Some(&"also" | &"later" | &"then" | &"have" | &"had" | &"finally")
        ) {
            v = &v[1..];
        }
        let met_each_other = match v {
            ["spoke" | "talked", "by" | "over" | "on", ..] => by_phone(&v[2..]),
            ["held" | "had", "a" | "an", ..] => {
                phone_or_talks_with(&[v, &["with"]].concat()) || by_phone(&v[2..])
            }
            ["met", "with", ..] => false,
            ["met", ..] | ["meet", "on" | "in" | "at", ..] => true,
            ["held" | "hold", "talks", next, ..] => *next != "with",
            ["held" | "hold", "talks"] => true,
            _ => false,
        };
        if met_each_other && !matches!(self.word(a_start.wrapping_sub(1)), "to" | "will" | "would")
        {
            let used = after.len() - v.len() + 1;
            let ev = self.span(a_start, b.w1 + used);
            self.emit(a.entity, Predicate::MetWith, b.entity, None, MET_AND, ev);
        } else if let Some(end) = self.their_meeting(b.w1, j) {
            let ev = self.span(a_start, end);
            self.emit(
                a.entity,
                Predicate::MetWith,
                b.entity,
                None,
                MET_THEIR_TALKS,
                ev,
            );
        }
    }

    /// "X succeeded Y as mayor of Z": the title after the predecessor `j` is the successor `k`'s.
    fn successor_title(&self, k: usize, j: usize) {
        let (a, b) = (&self.args[k], &self.args[j]);
        let Some(n) = self.args.get(j + 1) else {
            return;
        };
        let Some(obj) = self.place_or_org(n) else {
            return;
        };
        let after = self.lowers(b.w1, n.w0);
        if let Some(role) = after.strip_prefix(&["as"]).and_then(title_then_of) {
            let ev = self.span(a.w0, n.w1);
            self.emit_leader(a.entity, obj, role, LEADER_OF, ev);
        }
    }

    /// "A and B agreed … in their second in-person talks": the same clause after "A and B" calls a
    /// meeting theirs. Returns the word index after the meeting noun. Up to three words may stand
    /// between "their" and the noun, none of them saying it has not happened yet.
    fn their_meeting(&self, from: usize, person: usize) -> Option<usize> {
        let next_person = (person + 1..self.args.len())
            .find(|&j| self.is_person(j))
            .map_or(self.words.len(), |j| self.args[j].w0);
        let clause_end = (from..next_person)
            .find(|&i| matches!(self.word(i), ";" | "." | ":"))
            .unwrap_or(next_person);
        let their = (from..clause_end).find(|&i| self.word(i) == "their")?;
        for i in their + 1..(their + 5).min(clause_end) {
            match self.word(i) {
                "talks" | "meeting" | "summit" => return Some(i + 1),
                "upcoming" | "planned" | "next" | "future" | "proposed" | "possible"
                | "expected" => return None,
                _ => {}
            }
        }
        None
    }

    /// "X, …, succeeding Y", "He will take over from Y", "X takes the reins from the central bank
    /// governor Y", "O replaces Y with Z": a succession phrase before the predecessor Y, and the
    /// successor as the nearest person before the phrase ("he"/"she" right before it: the article's
    /// main person), or the person after "with".
    fn successions(&self) {
        for j in 0..self.args.len() {
            if !self.is_person(j) {
                continue;
            }
            let y = self.args[j].clone();
            let start = self.extended_start(j);
            let floor = if j > 0 { self.args[j - 1].w1 } else { 0 };
            // Up to four lowercase words describing Y: "the central bank governor".
            let mut p = start;
            while p > floor
                && start - p < 4
                && self.is_lower(p - 1)
                && !is_succession_end(self.word(p - 1))
            {
                p -= 1;
            }
            // A description starts with a determiner; otherwise the phrase is right before Y.
            if !matches!(self.word(p), "the" | "its" | "his" | "her" | "their") {
                p = start;
            }
            let before = self.lowers(p.saturating_sub(4).max(floor), p);
            let Some(n) = succession_phrase(&before) else {
                continue;
            };
            let phrase_start = p - n;
            // "replaces Y with Z"
            if let Some(k) = (j + 1..self.args.len()).find(|&k| self.is_person(k)) {
                let gap = self.lowers(y.w1, self.extended_start(k));
                let short =
                    gap.len() <= 4 && (y.w1 + 1..y.w1 + gap.len()).all(|i| self.is_lower(i));
                if gap.first() == Some(&"with")
                    && short
                    && self.word(phrase_start).starts_with("replac")
                {
                    let z = self.args[k].clone();
                    let ev = self.span(phrase_start, z.w1);
                    self.emit(
                        y.entity,
                        Predicate::PredecessorOf,
                        z.entity,
                        None,
                        PREDECESSOR_NAMED,
                        ev,
                    );
                    continue;
                }
            }
            // The nearest person before the phrase, in the same clause.
            let subject = (0..j)
                .rev()
                .find(|&k| self.is_person(k) && self.args[k].w1 <= phrase_start)
                .filter(|&k| {
                    let from = self.args[k]
                        .w1
                        .max(phrase_start.saturating_sub(MAX_SUBJECT_GAP));
                    self.args[k].w1 + MAX_SUBJECT_GAP >= phrase_start
                        && !self.lowers(from, phrase_start).iter().any(|w| {
                            matches!(*w, ";" | "and" | "but" | "after" | "before" | "when")
                        })
                });
            if let Some(k) = subject {
                let x = self.args[k].clone();
                let ev = self.span(x.w0, y.w1);
                self.emit(
                    y.entity,
                    Predicate::PredecessorOf,
                    x.entity,
                    None,
                    PREDECESSOR_PRONOUN,
                    ev,
                );
                continue;
            }
            let lead = self.lowers(0, phrase_start.min(5));
            let pronoun = phrase_start <= 4
                && matches!(lead.first(), Some(&"he" | &"she"))
                && lead[1..].iter().all(|w| {
                    matches!(
                        *w,
                        "will" | "would" | "is" | "was" | "to" | "set" | "expected" | "has" | "had"
                    )
                });
            if let (true, Some(x)) = (pronoun, self.main_person) {
                let ev = self.span(0, y.w1);
                self.emit(
                    y.entity,
                    Predicate::PredecessorOf,
                    x,
                    None,
                    PREDECESSOR_MAIN_PERSON,
                    ev,
                );
            }
        }
    }

    pub(super) fn predecessors(&self) {
        self.successions();
        for i in 0..self.words.len() {
            let w = self.word(i).to_string();
            if w != "predecessor" && w != "successor" {
                continue;
            }
            let is_pred = w == "predecessor";
            // The person named right after: "predecessor Fumio Kishida", "predecessor, X".
            let named = (0..self.args.len()).find(|&j| {
                self.is_person(j) && {
                    let s = self.extended_start(j);
                    s > i && matches!(self.lowers(i + 1, s).as_slice(), [] | [","])
                }
            });
            // Whose predecessor: "X's [adj] [adj] predecessor" or "his/her ... predecessor".
            let mut owner: Option<(usize, f32, usize)> = None; // (entity, confidence, evidence start)
            for back in 1..=3 {
                let Some(p) = i.checked_sub(back) else { break };
                let wp = self.word(p);
                if wp == "'s" || wp == "'" {
                    let x = self.args.iter().position(|a| a.w1 == p);
                    if let Some(x) = x.filter(|&x| self.is_person(x)) {
                        owner = Some((self.args[x].entity, PREDECESSOR_NAMED, self.args[x].w0));
                    }
                    break;
                }
                if wp == "his" || wp == "her" {
                    let nearest = self
                        .args
                        .iter()
                        .rev()
                        .find(|a| a.w1 <= p && a.etype == EntityType::Person);
                    owner = match nearest {
                        Some(a) => Some((a.entity, PREDECESSOR_PRONOUN, a.w0)),
                        None => self.main_person.map(|m| (m, PREDECESSOR_MAIN_PERSON, p)),
                    };
                    break;
                }
                if !wp.chars().all(char::is_alphabetic) {
                    break;
                }
            }
            if let (Some(y), Some((x, conf, from))) = (named, owner) {
                let y_arg = self.args[y].clone();
                let ev = self.span(from.min(i), y_arg.w1);
                let (s, o) = if is_pred {
                    (y_arg.entity, x)
                } else {
                    (x, y_arg.entity)
                };
                self.emit(s, Predicate::PredecessorOf, o, None, conf, ev);
                continue;
            }
            // "Y, X's predecessor" / "Y, the predecessor of X"
            if i >= 2 && self.word(i - 1) == "'s" {
                let x = self.args.iter().position(|a| a.w1 == i - 1);
                if let Some(x) = x.filter(|&x| self.is_person(x)) {
                    let xa = self.args[x].clone();
                    let y = (0..x).rev().find(|&y| {
                        self.is_person(y) && self.lowers(self.args[y].w1, xa.w0) == [","]
                    });
                    if let Some(y) = y {
                        let ya = self.args[y].clone();
                        let (s, o) = if is_pred {
                            (ya.entity, xa.entity)
                        } else {
                            (xa.entity, ya.entity)
                        };
                        let ev = self.span(ya.w0, i + 1);
                        self.emit(s, Predicate::PredecessorOf, o, None, PREDECESSOR_NAMED, ev);
                    }
                }
            }
        }
        self.succession_verbs();
    }

    /// "X succeeded Y", "X, who succeeded Y", "X replaced Y", "Y was succeeded by X".
    fn succession_verbs(&self) {
        for k in 0..self.args.len() {
            let Some((j, gap)) = self.next_person(k) else {
                continue;
            };
            let (a, b) = (self.args[k].clone(), self.args[j].clone());
            let ev = self.span(a.w0, b.w1);
            match gap.as_slice() {
                ["succeeded" | "succeeds" | "replaced" | "replaces"]
                | [",", "who", "succeeded" | "succeeds" | "replaced" | "replaces"] => {
                    self.emit(
                        b.entity,
                        Predicate::PredecessorOf,
                        a.entity,
                        None,
                        PREDECESSOR_NAMED,
                        ev,
                    );
                    self.successor_title(k, j);
                }
                ["was" | "is", "succeeded" | "replaced", "by"]
                | [",", "who", "was" | "is", "succeeded" | "replaced", "by"]
                | ["will" | "would", "be", "succeeded" | "replaced", "by"]
                | [",", "who", "will" | "would", "be", "succeeded" | "replaced", "by"] => {
                    self.emit(
                        a.entity,
                        Predicate::PredecessorOf,
                        b.entity,
                        None,
                        PREDECESSOR_NAMED,
                        ev,
                    );
                }
                _ => {}
            }
        }
    }
}

/// "met (with)", "held talks with", "visited", "was received by", "spoke with": the words between
/// two people (or after "he"/"she") that say they met, after adverbs and auxiliaries ("also",
/// "later", "had").
fn is_meeting_verb(words: &[&str]) -> bool {
    let mut verb = words;
    while matches!(
        verb.first(),
        Some(&"also" | &"later" | &"then" | &"again" | &"finally" | &"has" | &"have" | &"had")
    ) {
        verb = &verb[1..];
    }
    matches!(
        verb,
        ["met"]
            | ["met", "with"]
            | ["meets"]
            | ["meets", "with"]
            | ["held", "talks", "with"]
            | ["holds", "talks", "with"]
            | ["talked", "with"]
            | ["sat", "down", "with"]
            | ["'s", "meeting" | "talks" | "summit", "with"]
            | ["visited" | "visits" | "received" | "receives" | "hosted" | "hosts"]
            | ["was" | "were", "received" | "hosted", "by"]
            | ["spoke" | "speaks" | "talked", "with" | "to"]
    )
}

/// "held a phone call with", "had a telephone chat with", "held bilateral talks with": a call,
/// conversation or talks with someone.
fn phone_or_talks_with(verb: &[&str]) -> bool {
    let Some(rest) = verb.strip_suffix(&["with"]) else {
        return false;
    };
    let rest = match rest {
        ["held" | "had" | "holds" | "has" | "hold" | "have", rest @ ..] => rest,
        _ => return false,
    };
    let rest = match rest {
        ["a" | "an", rest @ ..] => rest,
        rest => rest,
    };
    let Some((noun, mods)) = rest.split_last() else {
        return false;
    };
    let noun_ok = matches!(
        *noun,
        "call"
            | "conversation"
            | "chat"
            | "talks"
            | "talk"
            | "meeting"
            | "discussion"
            | "discussions"
    );
    let mods_ok = mods.len() <= 2
        && mods.iter().all(|w| {
            matches!(
                *w,
                "phone"
                    | "telephone"
                    | "video"
                    | "bilateral"
                    | "official"
                    | "private"
                    | "brief"
                    | "lengthy"
                    | "closed-door"
                    | "one-on-one"
                    | "separate"
                    | "cordial"
            )
        });
    noun_ok && mods_ok && (mods.len() + 1 == rest.len())
}

/// "phone", "the phone", "telephone", "a phone call" right after "spoke by/over/on".
fn by_phone(words: &[&str]) -> bool {
    matches!(
        words,
        ["phone" | "telephone", ..]
            | ["the", "phone" | "telephone", ..]
            | [
                "a" | "an",
                "phone" | "telephone" | "video",
                "call" | "conversation",
                ..
            ]
    )
}

/// Words that end a description before a person: a verb of succession is not part of it.
fn is_succession_end(w: &str) -> bool {
    matches!(
        w,
        "succeeded" | "succeeds" | "succeeding" | "replaced" | "replaces" | "replacing" | "from"
    )
}

/// How many words at the end of `words` say that the next person is succeeded: "succeeding",
/// "replaced", "take over from", "took the reins from", "took charge from".
fn succession_phrase(words: &[&str]) -> Option<usize> {
    match words {
        [.., "take" | "takes" | "took" | "taking", "the", "reins" | "helm", "from"] => Some(4),
        [.., "take" | "takes" | "took" | "taking", "over" | "charge", "from"] => Some(3),
        [.., "succeeding" | "succeeds" | "succeeded" | "replacing" | "replaces" | "replaced"] => {
            Some(1)
        }
        _ => None,
    }
}
