//! Patterns for `leader_of` (with `role`), `citizen_of`, `works_for` and `based_in` around
//! titles: "South Korean President Lee", "Apple CEO Tim Cook", "President Macron of France",
//! "Cook, the chief executive of Apple", "X became prime minister of Japan" (see the parent
//! module's list).

use super::words::{is_occupation, is_staff, parse_title, title_then_of, whole_title};
use super::{Arg, Ctx, LEADER_OF};
use crate::enrich::ner::is_org_descriptor_head;
use crate::enrich::ner::titles::is_national_role;
use crate::enrich::{EntityType, Predicate};

const BASED_PREMODIFIER: f32 = 0.85;
const CITIZEN_APPOSITION: f32 = 0.85;
const CITIZEN_PREMODIFIER: f32 = 0.9;
const LEADER_APPOSITION: f32 = 0.85;
const LEADER_OWN: f32 = 0.8;
const LEADER_PREMODIFIER: f32 = 0.95;
const WORKS_APPOSITION: f32 = 0.8;
const WORKS_PREMODIFIER: f32 = 0.85;
const WORKS_VERB: f32 = 0.8;

impl Ctx<'_> {
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

    pub(super) fn leaders_and_citizens(&self) {
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
