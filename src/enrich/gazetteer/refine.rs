//! Type refinement: the tagger knows CoNLL's PER/ORG/LOC/MISC only; the v1 schema splits LOC into
//! GPE and LOC and MISC into NORP, EVENT and MISC.

use super::{GazKind, Gazetteer};
use crate::enrich::phrases::greedy;
use crate::enrich::{EntityType, Mention, Sentence, Token};

const GPE_KINDS: u16 =
    (1 << GazKind::Country as u16) | (1 << GazKind::State as u16) | (1 << GazKind::City as u16);
const NORP_KINDS: u16 = (1 << GazKind::Demonym as u16) | (1 << GazKind::Group as u16);
const LOCATION: u16 = 1 << GazKind::Location as u16;
const ORG: u16 = 1 << GazKind::Org as u16;

/// Words that make a place name a natural feature or region rather than a polity.
/// Whether a multi-word `text` ends in one of `words`.
fn last_word_in(text: &str, words: &[&str]) -> bool {
    text.contains(' ') && text.rsplit(' ').next().is_some_and(|w| words.contains(&w))
}

/// Last words that make a multi-word name a place, never a person.
const PLACE_HEADS: &[&str] = &[
    "Beach",
    "Parish",
    "Square",
    "Channel",
    "River",
    "Valley",
    "County",
    "Island",
    "Islands",
    "Mountains",
    "Canyon",
    "Creek",
    "Heights",
    "Springs",
    "Harbor",
    "Harbour",
    "Peninsula",
    "Desert",
    "Canal",
    "Sea",
    "Ocean",
    "Gulf",
    "Strait",
    "Province",
    "District",
    "Township",
    "Borough",
    "Prefecture",
];

/// Last words that make a multi-word name an organisation, never a person.
const ORG_HEADS: &[&str] = &[
    "College",
    "University",
    "Institute",
    "Inc.",
    "Corp.",
    "Co.",
    "Ltd.",
    "Company",
    "Corporation",
    "Party",
    "Committee",
    "Council",
    "Ministry",
    "Agency",
    "Association",
    "Foundation",
    "Commission",
    "Department",
    "Hospital",
    "Academy",
    "Airlines",
    "Society",
    // Company words: "Kahiki Foods", "Oasis Management", "Tarrow Capital".
    "Foods",
    "Capital",
    "Management",
    "Properties",
    "Partners",
    "Holdings",
    "Industries",
    "Technologies",
    "Pharmaceuticals",
    "Investments",
    "Ventures",
    "Motors",
    "Airways",
    "Enterprises",
    "Limited",
    "Ltd",
    "Inc",
    "Corp",
    "Plc",
    "PLC",
    "LLC",
    "PJSC",
];

/// Last words a place-typed name can end in and stay a place although organisations end in them
/// too: CoNLL-2003 most often tags hospitals and universities as places.
const PLACE_ORG_HEADS: &[&str] = &["University", "Hospital"];

/// Last words of bank and fund names, which places share ("West Bank"): an organisation only when
/// the gazetteer does not know the whole name as a place.
/// First words of organisation names in other languages: "Banca Aurora", "Grupo Tarrow".
const ORG_FIRST_WORDS: &[&str] = &[
    "Banca",
    "Banco",
    "Banque",
    "Bankhaus",
    "Grupo",
    "Groupe",
    "Gruppo",
    "Compagnie",
    "Compania",
    "Companhia",
    "Société",
    "Societe",
    "Sociedad",
    "Industrias",
];

const BANK_HEADS: &[&str] = &["Bank", "Bancorp", "Fund", "Trust", "Authority", "Bureau"];

const LOC_WORDS: &[&str] = &[
    "River",
    "Sea",
    "Ocean",
    "Gulf",
    "Bay",
    "Strait",
    "Straits",
    "Lake",
    "Mountain",
    "Mountains",
    "Mount",
    "Mt.",
    "Peninsula",
    "peninsula",
    "Island",
    "Islands",
    "Isles",
    "Valley",
    "Desert",
    "Canal",
    "Coast",
    "Plateau",
    "Basin",
    "Delta",
    "Range",
    "Heights",
    "Channel",
    "Forest",
    "Glacier",
    "Cape",
    "Hills",
    "Falls",
    "Rainforest",
    "Highlands",
];

/// Last words of event names: sporting events, wars, summits, elections.
/// Last words that make an organisation-typed name an event. (Not "Cup", "Open", "Games" or
/// "Conference": clubs, leagues and committees carry those.)
const ORG_EVENT_HEADS: &[&str] = &[
    "Competition",
    "Festival",
    "Championship",
    "Championships",
    "Olympiad",
    "Marathon",
    "Expo",
    "Prix",
];

const EVENT_WORDS: &[&str] = &[
    "Olympics",
    "Olympiad",
    "Paralympics",
    "Games",
    "Cup",
    "Championship",
    "Championships",
    "Open",
    "Prix",
    "War",
    "Summit",
    "summit",
    "Conference",
    "Festival",
    "Expo",
    "Marathon",
    "Revolution",
    "Election",
    "Elections",
    "Massacre",
    "Uprising",
    "Crisis",
    "Series",
    "Bowl",
    "Derby",
];

impl Gazetteer {
    /// Joins the pieces of known multi-word names the tagger split (see `merge`) and refines the
    /// coarse tagger types, over tokens alone (gold-token evaluation: a one-char gap between two
    /// tokens counts as a space). Adding gazetteer-only mentions needs the article text (a
    /// mention's text must be the exact article slice), so the pipeline calls
    /// [`Gazetteer::refine_with`].
    pub(crate) fn refine(&self, tokens: &[Token<'_>], mut mentions: Vec<Mention>) -> Vec<Mention> {
        mentions.sort_by_key(|m| (m.start, m.end));
        self.refine_types(self.merge_known_names(None, tokens, mentions))
    }

    fn refine_types(&self, mut mentions: Vec<Mention>) -> Vec<Mention> {
        for m in &mut mentions {
            m.etype = self.refine_type(m.etype, &m.text);
        }
        mentions
    }

    /// [`Gazetteer::refine`] on the article text, plus capitalised multi-word country names and
    /// demonyms ("South Korea", "South Korean") that no tagger mention touches. Keeps mentions
    /// sorted.
    pub(crate) fn refine_with(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        mut mentions: Vec<Mention>,
    ) -> Vec<Mention> {
        mentions.sort_by_key(|m| (m.start, m.end));
        let mut mentions = self.refine_types(self.merge_known_names(Some(text), tokens, mentions));
        self.split_hyphenated_places(tokens, &mut mentions);
        self.add_missed(text, tokens, sentences, &mut mentions);
        mentions.sort_by_key(|m| (m.start, m.end));
        mentions
    }

    /// One-token mentions that join places with hyphens are the places a reader sees: "the
    /// Russia-Ukraine war" names Russia and Ukraine, "U.S.-China talks" the U.S. and China (two or
    /// three parts, each a country, state or city the gazetteer knows), and "Kenya-based" names
    /// Kenya. Each place becomes a GPE mention inside the token.
    fn split_hyphenated_places(&self, tokens: &[Token<'_>], mentions: &mut Vec<Mention>) {
        let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
        for m in mentions.drain(..) {
            let parts = match tokens.get(m.tokens.clone()) {
                Some([t]) if m.etype != EntityType::Person => self.place_parts(t),
                _ => Vec::new(),
            };
            if parts.is_empty() {
                out.push(m);
                continue;
            }
            for (start, text) in parts {
                let n = text.chars().count();
                out.push(Mention {
                    start,
                    end: start + n,
                    tokens: m.tokens.clone(),
                    sentence: m.sentence,
                    etype: EntityType::Gpe,
                    text,
                    confidence: m.confidence,
                });
            }
        }
        *mentions = out;
    }

    /// The places inside a hyphenated token, as (char offset, text); empty unless every part is a
    /// place ("Russia-Ukraine"), or the token is "<place>-based".
    fn place_parts(&self, t: &Token<'_>) -> Vec<(usize, String)> {
        let mut parts: Vec<(usize, &str)> = Vec::new();
        let mut offset = t.start;
        for part in t.text.split(['-', '\u{2013}', '\u{2010}']) {
            parts.push((offset, part));
            offset += part.chars().count() + 1;
        }
        if parts.len() < 2 || parts.len() > 3 {
            return Vec::new();
        }
        let is_place = |p: &str| {
            p.starts_with(char::is_uppercase)
                && (self.kinds(p) & GPE_KINDS != 0
                    || self.kinds(p.trim_end_matches('.')) & GPE_KINDS != 0)
        };
        if let [(start, place), (_, "based")] = parts[..] {
            return if is_place(place) {
                vec![(start, place.to_string())]
            } else {
                Vec::new()
            };
        }
        if parts.iter().all(|(_, p)| is_place(p)) {
            parts.into_iter().map(|(s, p)| (s, p.to_string())).collect()
        } else {
            Vec::new()
        }
    }

    /// A place-typed name that goes on to an organisation word names the organisation: "Tarrow
    /// Group", "Kelso Development Agency"; "Kelso Bank" too, unless the gazetteer knows the whole
    /// name as a place ("West Bank").
    fn place_names_org(&self, text: &str) -> bool {
        let first = text.split_whitespace().next().unwrap_or("");
        (text.contains(' ') && ORG_FIRST_WORDS.contains(&first))
            || last_word_in(text, &["Group"])
            || (last_word_in(text, ORG_HEADS) && !last_word_in(text, PLACE_ORG_HEADS))
            || (last_word_in(text, BANK_HEADS)
                && text.contains(' ')
                && self.kinds(text) & (GPE_KINDS | LOCATION) == 0)
    }

    /// The fine type for a tagger mention of coarse type `etype`.
    pub(crate) fn refine_type(&self, etype: EntityType, text: &str) -> EntityType {
        match etype {
            EntityType::Loc | EntityType::Gpe if self.place_names_org(text) => EntityType::Org,
            EntityType::Loc => {
                let kinds = self.kinds(text);
                if kinds & GPE_KINDS != 0 {
                    EntityType::Gpe
                } else if kinds & LOCATION != 0 || has_word(text, LOC_WORDS) {
                    EntityType::Loc
                } else if kinds & NORP_KINDS != 0 {
                    EntityType::Norp
                } else {
                    // Most places news names without a telltale word are towns and provinces.
                    EntityType::Gpe
                }
            }
            EntityType::Misc => {
                let kinds = self.kinds(text);
                if kinds & NORP_KINDS != 0 || self.is_compound_demonym(text) {
                    EntityType::Norp
                } else if kinds & (1 << GazKind::Country as u16) != 0 {
                    EntityType::Gpe
                } else if kinds & ORG != 0 {
                    // A known organisation ("G-7") the tagger read as a name of a thing.
                    EntityType::Org
                } else if kinds & LOCATION != 0 && text.contains([' ', '-']) {
                    // "Korean peninsula": a place the tagger read as a nationality phrase. A
                    // single-word place name the tagger calls MISC is most often a modifier ("an
                    // Arctic town", "Mediterranean markets"), which stays MISC.
                    EntityType::Loc
                } else if is_event(text) {
                    EntityType::Event
                } else {
                    EntityType::Misc
                }
            }
            // "Marlow Beach", "Tessaro Parish": a name ending in a word that only places end in
            // is a place, whatever its first word suggested to the tagger; "Brookfield
            // College", "Tarvel Industries Inc." likewise for organisations. (Words that are also
            // surnames, such as Lake, Bay, Hill, Park or Street, are not on the lists.)
            EntityType::Person if last_word_in(text, PLACE_HEADS) => EntityType::Loc,
            EntityType::Person if last_word_in(text, ORG_HEADS) => EntityType::Org,
            EntityType::Person if self.place_names_org(text) => EntityType::Org,
            // A listed company the tagger read as a person ("Blackstone said…"; companies.tsv).
            EntityType::Person if self.kinds(text) & ORG != 0 => EntityType::Org,
            // A country's own name read as an organisation ("Germany said on Monday…", tagged
            // as a team or a government) is the country.
            EntityType::Org if self.kinds(text) & (1 << GazKind::Country as u16) != 0 => {
                EntityType::Gpe
            }
            // "Tarrow International Competition", "the Kelso Festival": an event, not its
            // organiser; "Treaty of Tarrow": a document.
            EntityType::Org if last_word_in(text, ORG_EVENT_HEADS) => EntityType::Event,
            EntityType::Org if text.starts_with("Treaty ") => EntityType::Misc,
            other => other,
        }
    }

    /// "Korean-American", "Sino-Japanese"-style compounds whose every part is a demonym.
    fn is_compound_demonym(&self, text: &str) -> bool {
        text.contains('-')
            && text
                .split('-')
                .all(|part| !part.is_empty() && self.is_demonym(part))
    }

    /// Adds capitalised multi-word country names and demonyms no tagger mention touches.
    fn add_missed(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        mentions: &mut Vec<Mention>,
    ) {
        let covered = Mention::covered(tokens.len(), mentions);
        let wanted = (1u16 << GazKind::Country as u16) | (1 << GazKind::Demonym as u16);
        let mut buf = String::new();
        greedy(
            0..tokens.len(),
            |i| {
                self.matcher
                    .longest_at(tokens.len(), |k| tokens[k].text, i, &mut buf)
                    .map(|m| (m.len, m))
            },
            |span, m| {
                let free = !covered[span.clone()].iter().any(|&c| c);
                if m.len < 2 || m.folded || m.kinds & wanted == 0 || !free {
                    return;
                }
                let etype = if m.kinds & (1 << GazKind::Country as u16) != 0 {
                    EntityType::Gpe
                } else {
                    EntityType::Norp
                };
                let (first, last) = (&tokens[span.start], &tokens[span.end - 1]);
                let sentence = sentences
                    .partition_point(|s| s.tokens.end <= span.start)
                    .min(sentences.len().saturating_sub(1));
                let bytes = first.byte_start..last.byte_start + last.text.len();
                let Some(text) = text.get(bytes) else {
                    return;
                };
                mentions.push(Mention {
                    start: first.start,
                    end: last.end,
                    tokens: span,
                    sentence,
                    etype,
                    text: text.to_string(),
                    confidence: 1.0,
                });
            },
        );
    }
}

fn has_word(text: &str, words: &[&str]) -> bool {
    text.split(' ').any(|w| words.contains(&w))
}

fn is_event(text: &str) -> bool {
    let last = text.rsplit(' ').next().unwrap_or(text);
    EVENT_WORDS.contains(&last) || text.starts_with("World War") || text == "Olympic Games"
}
