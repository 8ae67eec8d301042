//! Features of a (subject, object) mention pair for the relation classifier.
//!
//! Every feature is a template name plus values, hashed to a `u64` (FNV-1a, so the ids are the
//! same on every machine and in every build: the model file stores them). Features are computed
//! from the runtime tokenizer's tokens, so training, evaluation and the worker see the same input.

use super::super::gazetteer::{is_us_state_abbreviation, GazKind, Gazetteer};
use super::super::{EntityType, Mention, Predicate, Sentence, Token};
use crate::enrich::ner::labels::TagType;
use std::ops::Range;

/// The argument type the classifier reads (CoNLL04's Peop, Org, Loc): the tagger's class of
/// `t`, one enum for both ([`TagType`]); MISC, dates and amounts take no classifier relation.
pub(crate) fn classifier_type(t: EntityType) -> Option<TagType> {
    TagType::of_entity_type(t).filter(|c| *c != TagType::Misc)
}

/// The one classifier predicate a (subject, object) type pair can hold, if any. In CoNLL04 the
/// argument types decide the label, so the classifier only decides "related or not".
pub(crate) fn predicate_for(subj: TagType, obj: TagType) -> Option<Predicate> {
    match (subj, obj) {
        (TagType::Per, TagType::Org) => Some(Predicate::WorksFor),
        (TagType::Per, TagType::Loc) => Some(Predicate::ResidesIn),
        (TagType::Org, TagType::Loc) => Some(Predicate::BasedIn),
        (TagType::Loc, TagType::Loc) => Some(Predicate::LocatedIn),
        (TagType::Per, TagType::Per) => Some(Predicate::Killed),
        _ => None,
    }
}

/// Nouns that turn an organisation's name into the name of an event: "the G-7 summit", "an OPEC
/// meeting". Such a mention is not an organisation a person works for or that is based anywhere.
const EVENT_NOUNS: [&str; 16] = [
    "summit",
    "summits",
    "meeting",
    "meetings",
    "conference",
    "talks",
    "gathering",
    "forum",
    "session",
    "games",
    "championship",
    "tournament",
    "election",
    "elections",
    "congress",
    "convention",
];

/// True when the tokens after a mention ending at token `end` (before `limit`) are an event noun,
/// possibly after a parenthesised short form: "Group of Seven (G-7) summit".
pub(crate) fn names_an_event(tokens: &[Token<'_>], end: usize, limit: usize) -> bool {
    let limit = limit.min(tokens.len());
    let mut i = end;
    // The mention is the short form inside the parentheses: "Group of Seven (G-7) summit".
    if i < limit && tokens[i].text == ")" {
        i += 1;
    } else if i < limit && tokens[i].text == "(" {
        match (i..limit.min(i + 5)).find(|&j| tokens[j].text == ")") {
            Some(close) => i = close + 1,
            None => return false,
        }
    }
    i < limit
        && EVENT_NOUNS
            .iter()
            .any(|n| tokens[i].text.eq_ignore_ascii_case(n))
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over the parts, each followed by a 0xff separator (never a byte of UTF-8 text).
pub(crate) fn hash_parts(parts: &[&str]) -> u64 {
    let mut h = FNV_OFFSET;
    for p in parts {
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        h ^= 0xff;
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// A mention as the classifier sees it: token range inside the sentence and type.
#[derive(Debug, Clone)]
pub(crate) struct ArgView {
    /// Token indexes relative to the sentence's first token.
    pub tokens: Range<usize>,
    pub coarse: Option<TagType>,
    pub etype: EntityType,
    /// What the gazetteer knows of the mention as a place.
    pub place: Place,
}

/// Gazetteer facts about a place name: world knowledge the 922 training sentences cannot teach
/// ("Yerevan" is a city in Armenia, so "Yerevan ... Armenia" is a containment).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Place {
    /// The most specific kind the name has an entry of, if any.
    pub kind: Option<GazKind>,
    /// ISO code when the name is a country.
    pub country: Option<[u8; 2]>,
    /// ISO codes of the countries the name is a state or city of.
    pub inside: Vec<[u8; 2]>,
}

fn code(c: &str) -> Option<[u8; 2]> {
    match c.as_bytes() {
        &[a, b] => Some([a, b]),
        _ => None,
    }
}

impl Place {
    pub(crate) fn of(name: &str, gaz: &Gazetteer) -> Place {
        let mut place = Place::default();
        let bare = name.trim_end_matches('.');
        if is_us_state_abbreviation(name) {
            place.kind = Some(GazKind::State);
            place.inside.push(*b"US");
            return place;
        }
        let also_bare = (bare != name).then(|| gaz.lookup_all(bare));
        for e in gaz.lookup_all(name).chain(also_bare.into_iter().flatten()) {
            let c = e.code.as_deref().and_then(code);
            match e.kind {
                GazKind::Country => place.country = place.country.or(c),
                GazKind::State | GazKind::City => {
                    if let Some(c) = c.filter(|c| !place.inside.contains(c)) {
                        place.inside.push(c);
                    }
                }
                _ => {}
            }
            // Kinds from the most specific: a city's name is rarely a country's too.
            let rank = |k: GazKind| match k {
                GazKind::City => 0,
                GazKind::State => 1,
                GazKind::Country => 2,
                _ => 3,
            };
            if place.kind.is_none_or(|k| rank(e.kind) < rank(k)) {
                place.kind = Some(e.kind);
            }
        }
        place
    }

    fn kind_str(&self) -> &'static str {
        match self.kind {
            None => "-",
            Some(GazKind::Country) => "country",
            Some(GazKind::Demonym) => "demonym",
            Some(GazKind::State) => "state",
            Some(GazKind::City) => "city",
            Some(GazKind::Org) => "org",
            Some(GazKind::Location) => "location",
            Some(GazKind::Group) => "group",
        }
    }
}

/// One sentence prepared for feature extraction (lowercased once, shared by all its pairs).
pub(crate) struct SentenceView {
    lower: Vec<String>,
    pub args: Vec<ArgView>,
}

impl SentenceView {
    /// `mentions` are the sentence's mentions with the types to use for them.
    pub(crate) fn new(
        tokens: &[Token<'_>],
        sentence: &Sentence,
        mentions: &[(&Mention, EntityType)],
        gaz: Option<&Gazetteer>,
    ) -> SentenceView {
        let first = sentence.tokens.start;
        let lower = tokens[sentence.tokens.clone()]
            .iter()
            .map(|t| normalize_word(t.text))
            .collect();
        let last = sentence.tokens.end;
        let args = mentions
            .iter()
            .map(|(m, t)| {
                let mut coarse = classifier_type(*t);
                if coarse == Some(TagType::Org) && names_an_event(tokens, m.tokens.end, last) {
                    coarse = None;
                }
                ArgView {
                    tokens: m.tokens.start.clamp(first, last) - first
                        ..m.tokens.end.clamp(first, last) - first,
                    coarse,
                    etype: *t,
                    place: match (coarse, gaz) {
                        (Some(TagType::Loc), Some(gaz)) => Place::of(&m.text, gaz),
                        _ => Place::default(),
                    },
                }
            })
            .collect();
        SentenceView { lower, args }
    }

    fn word(&self, i: usize) -> &str {
        self.lower.get(i).map_or("<none>", String::as_str)
    }
}

/// Lowercase, typographic apostrophes made plain, digits collapsed to `0` (years and counts
/// carry no relation signal, and the model stays smaller).
fn normalize_word(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            c if c.is_ascii_digit() => '0',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Small hand-made word classes standing in for clusters: they let one "killed" example teach
/// "shot" and "slain" too.
fn cluster(w: &str) -> Option<&'static str> {
    Some(match w {
        "killed" | "kill" | "kills" | "killing" | "shot" | "shoot" | "shooting" | "murdered"
        | "murder" | "murdering" | "assassinated" | "assassinate" | "assassination"
        | "assassin" | "slain" | "slay" | "slew" | "stabbed" | "executed" | "gunned"
        | "strangled" | "poisoned" | "killer" | "murderer" | "death" | "slaying" => "KILL",
        "lives" | "lived" | "live" | "living" | "resident" | "residents" | "native" | "home"
        | "born" | "hometown" | "citizen" | "citizens" | "grew" | "moved" => "LIVE",
        "president" | "chairman" | "chairwoman" | "spokesman" | "spokeswoman" | "spokesperson"
        | "director" | "official" | "officials" | "secretary" | "minister" | "leader" | "head"
        | "chief" | "executive" | "employee" | "member" | "manager" | "founder" | "editor"
        | "correspondent" | "reporter" | "professor" | "senator" | "governor"
        | "representative" | "aide" | "analyst" | "commissioner" | "ceo" | "administrator"
        | "adviser" | "advisor" | "general" | "ambassador" | "chancellor" | "coach"
        | "researcher" | "scientist" => "ROLE",
        "based" | "headquartered" | "headquarters" | "offices" | "office" | "plant" | "factory" => {
            "BASE"
        }
        "in" | "at" | "near" | "on" | "from" | "of" | "to" | "outside" | "inside" => "PREP",
        "city" | "town" | "state" | "county" | "province" | "capital" | "village" | "region"
        | "country" | "island" | "district" => "PLACE",
        "said" | "says" | "told" | "announced" | "reported" => "SAY",
        _ => return None,
    })
}

/// The name of a mention's kind in features: its coarse type, or its entity type when it has none.
fn kind(a: &ArgView) -> &'static str {
    a.coarse.map_or(a.etype.as_str(), TagType::name)
}

fn dist_bucket(d: usize) -> &'static str {
    match d {
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        4 => "4",
        5 | 6 => "5-6",
        7..=10 => "7-10",
        11..=15 => "11-15",
        _ => "16+",
    }
}

/// Appends the features of the pair (subject `s`, object `o`, indexes into `view.args`).
pub(crate) fn pair_features(view: &SentenceView, s: usize, o: usize, out: &mut Vec<u64>) {
    let (sa, oa) = (&view.args[s], &view.args[o]);
    let (Some(st), Some(ot)) = (sa.coarse, oa.coarse) else {
        return;
    };
    let subj_first = sa.tokens.start <= oa.tokens.start;
    let (first, second) = if subj_first { (sa, oa) } else { (oa, sa) };
    let dir = if subj_first { "S>O" } else { "O>S" };
    let types = [st.name(), ot.name()].join(">");
    out.push(hash_parts(&["bias"]));
    out.push(hash_parts(&["types", &types, dir]));
    let gap_start = first.tokens.end;
    let gap_end = second.tokens.start.max(gap_start);
    let gap = gap_end - gap_start;
    out.push(hash_parts(&["dist", dist_bucket(gap), dir]));
    let between = gap_start..gap_end;
    let commas = words_between(view, between.clone(), dir, out);
    mentions_between(view, between, out);
    argument_words(view, sa, oa, dir, out);
    context(view, first, second, dir, out);
    if ot == TagType::Loc {
        place_facts(sa, oa, st == TagType::Loc, dir, out);
    }
    // Apposition: "A , the chief of B" / "B , A" patterns.
    if gap >= 1 && view.word(gap_start) == "," {
        out.push(hash_parts(&[
            "appos",
            dir,
            if commas == 1 { "1" } else { "n" },
        ]));
    }
}

/// Words between the pair, the strongest signal ("killed", "of", "in", "'s", ","); returns the
/// number of commas among them.
fn words_between(
    view: &SentenceView,
    between: Range<usize>,
    dir: &str,
    out: &mut Vec<u64>,
) -> usize {
    let mut add = |parts: &[&str]| out.push(hash_parts(parts));
    let (gap_start, gap_end) = (between.start, between.end);
    let gap = gap_end - gap_start;
    let mut commas = 0;
    let mut clusters_seen: Vec<&str> = Vec::new();
    for i in gap_start..gap_end {
        let w = view.word(i);
        add(&["bw", w]);
        add(&["bwd", w, dir]);
        if w.chars().count() > 5 {
            let p: String = w.chars().take(5).collect();
            add(&["bp5", &p]);
        }
        if w == "," {
            commas += 1;
        }
        if let Some(c) = cluster(w) {
            if !clusters_seen.contains(&c) {
                clusters_seen.push(c);
                add(&["bcl", c, dir]);
            }
        }
        if i + 1 < gap_end {
            add(&["bb", w, view.word(i + 1)]);
        }
    }
    add(&["commas", dist_bucket(commas.min(3))]);
    if gap > 0 {
        add(&["bf", view.word(gap_start), dir]);
        add(&["bl", view.word(gap_end - 1), dir]);
    }
    if gap <= 5 {
        let between: Vec<&str> = (gap_start..gap_end).map(|i| view.word(i)).collect();
        add(&["bws", &between.join(" "), dir]);
    }
    commas
}

/// Other mentions between the pair: "A of B in C" chains and lists.
fn mentions_between(view: &SentenceView, between: Range<usize>, out: &mut Vec<u64>) {
    let mut others = 0;
    for a in &view.args {
        if a.tokens.start >= between.start
            && a.tokens.end <= between.end
            && a.tokens.start < a.tokens.end
        {
            others += 1;
            out.push(hash_parts(&["mid", kind(a)]));
        }
    }
    out.push(hash_parts(&["nmid", dist_bucket(others.min(3))]));
}

/// The arguments themselves: head (last) word, every word, a possessive right after.
fn argument_words(view: &SentenceView, sa: &ArgView, oa: &ArgView, dir: &str, out: &mut Vec<u64>) {
    let mut add = |parts: &[&str]| out.push(hash_parts(parts));
    for (tag, a) in [("s", sa), ("o", oa)] {
        if a.tokens.end > a.tokens.start {
            add(&["head", tag, view.word(a.tokens.end - 1)]);
        }
        for i in a.tokens.clone() {
            add(&["w", tag, view.word(i)]);
        }
        // A possessive right after an argument: "Japan 's leader", "IBM 's chairman".
        if view.word(a.tokens.end) == "'s" || view.word(a.tokens.end) == "'" {
            add(&["poss", tag, dir]);
        }
    }
}

/// Two words of context on each side of the pair, and their word classes.
fn context(view: &SentenceView, first: &ArgView, second: &ArgView, dir: &str, out: &mut Vec<u64>) {
    let mut add = |parts: &[&str]| out.push(hash_parts(parts));
    let before = |k: usize| {
        first
            .tokens
            .start
            .checked_sub(k)
            .map_or("<s>", |i| view.word(i))
    };
    let after = |k: usize| {
        let i = second.tokens.end + k - 1;
        if i < view.lower.len() {
            view.word(i)
        } else {
            "</s>"
        }
    };
    let (b1, b2, a1, a2) = (before(1), before(2), after(1), after(2));
    add(&["b1", b1, dir]);
    add(&["b2", b2, b1]);
    add(&["a1", a1, dir]);
    add(&["a2", a1, a2]);
    for w in [b1, b2, a1, a2] {
        if let Some(c) = cluster(w) {
            add(&["ocl", c]);
        }
    }
}

/// What the gazetteer knows about a place object: its kind, and with a place subject too whether
/// one lies in the other's country.
fn place_facts(sa: &ArgView, oa: &ArgView, subject_is_place: bool, dir: &str, out: &mut Vec<u64>) {
    let mut add = |parts: &[&str]| out.push(hash_parts(parts));
    let (sp, op) = (&sa.place, &oa.place);
    add(&["okind", op.kind_str()]);
    if subject_is_place {
        add(&["gk", sp.kind_str(), op.kind_str()]);
        let fact = if op.country.is_some_and(|c| sp.inside.contains(&c)) {
            "in"
        } else if sp.country.is_some_and(|c| op.inside.contains(&c)) {
            "contains"
        } else if sp.inside.iter().any(|c| op.inside.contains(c)) {
            "same-country"
        } else if (sp.country.is_some() || !sp.inside.is_empty())
            && (op.country.is_some() || !op.inside.is_empty())
        {
            "apart"
        } else {
            "unknown"
        };
        add(&["gz", fact]);
        add(&["gzd", fact, dir]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_separate_parts() {
        // Stored in the model file: a change here silently breaks the shipped model.
        assert_eq!(hash_parts(&[]), FNV_OFFSET);
        assert_ne!(hash_parts(&["ab", "c"]), hash_parts(&["a", "bc"]));
        assert_eq!(hash_parts(&["bw", "killed"]), hash_parts(&["bw", "killed"]));
    }

    #[test]
    fn organisation_names_used_as_event_names() {
        let text = "the Group of Seven (G-7) summit, the G-7 leaders, an OPEC meeting";
        let toks = crate::enrich::tokenize::tokenize(text);
        // Index of the first token after the mention ending at char `end`.
        let after = |needle: &str, nth: usize| {
            let byte = text.match_indices(needle).nth(nth).unwrap().0 + needle.len();
            let end = text[..byte].chars().count();
            toks.iter()
                .position(|t| t.start >= end)
                .unwrap_or(toks.len())
        };
        assert!(names_an_event(&toks, after("Seven", 0), toks.len()));
        assert!(names_an_event(&toks, after("G-7", 0), toks.len()));
        assert!(!names_an_event(&toks, after("G-7", 1), toks.len()));
        assert!(names_an_event(&toks, after("OPEC", 0), toks.len()));
        assert!(!names_an_event(&toks, toks.len(), toks.len()));
    }

    #[test]
    fn places_know_their_country_from_the_gazetteer() {
        let gaz = Gazetteer::from_tsv(
            "Armenia\tcountry\tAM\tArmenia\n\
             Yerevan\tcity\tAM\tYerevan\n\
             Ohio\tstate\tUS\tOhio\n\
             Georgia\tcountry\tGE\tGeorgia\n\
             Georgia\tstate\tUS\tGeorgia\n",
        )
        .unwrap();
        let yerevan = Place::of("Yerevan", &gaz);
        assert_eq!(yerevan.kind, Some(GazKind::City));
        assert_eq!(yerevan.inside, vec![*b"AM"]);
        assert_eq!(Place::of("Armenia", &gaz).country, Some(*b"AM"));
        // Both readings of an ambiguous name are kept.
        let georgia = Place::of("Georgia", &gaz);
        assert_eq!(
            (georgia.country, georgia.inside),
            (Some(*b"GE"), vec![*b"US"])
        );
        // AP-style state abbreviations, also with the sentence's full stop cut off.
        for name in ["Fla.", "N.C", "N.C."] {
            let p = Place::of(name, &gaz);
            assert_eq!(
                (p.kind, p.inside),
                (Some(GazKind::State), vec![*b"US"]),
                "{name}"
            );
        }
        assert_eq!(Place::of("Tarrowby", &gaz), Place::default());
    }

    #[test]
    fn type_pairs_decide_the_candidate_predicate() {
        use TagType::*;
        let cases = [
            (Per, Org, Some(Predicate::WorksFor)),
            (Per, Loc, Some(Predicate::ResidesIn)),
            (Org, Loc, Some(Predicate::BasedIn)),
            (Loc, Loc, Some(Predicate::LocatedIn)),
            (Per, Per, Some(Predicate::Killed)),
            (Org, Per, None),
            (Loc, Per, None),
        ];
        for (s, o, want) in cases {
            assert_eq!(predicate_for(s, o), want, "{s:?} {o:?}");
        }
    }
}
