//! Place names, countries with ISO 3166 codes, demonyms and well-known organisations.
//!
//! The lexicons are text files under `models/gazetteer/` (one `name<TAB>kind<TAB>code<TAB>canonical`
//! entry a line, `#` comments), built by `scripts/build_gazetteer.py` from Debian's iso-codes and
//! GeoNames data plus hand-written lists. The gazetteer serves two stages and the relation features:
//! - [`Gazetteer::refine`] joins pieces of known multi-word names the tagger split ("Canadian" +
//!   "Rockies"), turns the tagger's coarse LOC/MISC into GPE/LOC/NORP/ORG/EVENT, and
//!   [`Gazetteer::refine_with`] adds multi-word country names and demonyms the tagger missed
//!   (longest lexicon phrase first, [`PhraseMatcher`]);
//! - entity merging asks [`Gazetteer::country_code`] for ISO codes ("South Korean" -> "KR");
//! - the relation classifier reads what kinds of place a name is ([`Gazetteer::lookup_all`]).

mod matcher;
mod merge;
mod refine;

pub(crate) use matcher::PhraseMatcher;

use super::{ModelError, ModelFiles};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::path::Path;

/// What a lexicon entry names. The order is the priority used when one name has several entries
/// ("Georgia" the country before the US state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum GazKind {
    Country = 0,
    Demonym = 1,
    State = 2,
    City = 3,
    Org = 4,
    /// Non-political places: continents, seas, mountains, rivers, regions.
    Location = 5,
    /// Peoples, religious and political groups tied to no single country.
    Group = 6,
}

impl GazKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "country" => GazKind::Country,
            "demonym" => GazKind::Demonym,
            "state" => GazKind::State,
            "city" => GazKind::City,
            "org" => GazKind::Org,
            "location" => GazKind::Location,
            "group" => GazKind::Group,
            _ => return None,
        })
    }

    /// Index of the kind in feature bit sets (0..7).
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    fn bit(self) -> u16 {
        1 << self.index()
    }
}

/// One lexicon entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GazEntry {
    pub kind: GazKind,
    /// ISO 3166-1 alpha-2 code of the country the entry is, belongs to or is a demonym of.
    pub code: Option<Box<str>>,
    /// The name entities should carry ("South Korea", "Group of Seven", "South Korean").
    pub canonical: Box<str>,
}

/// The lexicon files read by [`Gazetteer::load`], under `<models>/gazetteer/`.
/// AP-style abbreviations of US states, the way news datelines and "City, St." phrases write
/// them; the gazetteer has the full names only.
const US_STATE_ABBREVIATIONS: [&str; 43] = [
    "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan", "Ky",
    "La", "Md", "Mass", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "N.H", "N.J", "N.M",
    "N.Y", "N.C", "N.D", "Okla", "Ore", "Pa", "R.I", "S.C", "S.D", "Tenn", "Vt", "Va", "Wash",
    "W.Va", "Wis", "Wyo", "D.C",
];

/// True for an AP-style US state abbreviation, with or without its final full stop ("Fla.",
/// "N.C"; a sentence's full stop is often cut off or doubled up).
pub(crate) fn is_us_state_abbreviation(word: &str) -> bool {
    US_STATE_ABBREVIATIONS.contains(&word.trim_end_matches('.'))
}

/// States AP style never abbreviates.
const UNABBREVIATED_STATES: [&str; 8] = [
    "Alaska", "Hawaii", "Idaho", "Iowa", "Maine", "Ohio", "Texas", "Utah",
];

/// True for the party-and-state tag news puts after a US politician's name ("R-Ohio",
/// "D-Mont."): neither an organisation nor a place of its own.
pub(crate) fn is_party_state_tag(text: &str) -> bool {
    let Some(state) = ["R-", "D-", "I-"].iter().find_map(|p| text.strip_prefix(p)) else {
        return false;
    };
    is_us_state_abbreviation(state) || UNABBREVIATED_STATES.contains(&state)
}

pub(crate) const FILES: [&str; 8] = [
    "countries.tsv",
    "demonyms.tsv",
    "subdivisions.tsv",
    "cities.tsv",
    "orgs.tsv",
    "companies.tsv",
    "locations.tsv",
    "groups.tsv",
];

/// The loaded lexicons; read-only and shared between worker threads.
#[derive(Default)]
pub(crate) struct Gazetteer {
    entries: Vec<GazEntry>,
    /// Normalised name -> entry indexes, exact case.
    by_name: FxHashMap<Box<str>, Vec<u32>>,
    /// Lower-cased name -> entry indexes, for names not written in capitals (so "JAPAN" finds
    /// Japan while "us" never finds the US).
    by_folded: FxHashMap<Box<str>, Vec<u32>>,
    /// ISO code -> canonical country name.
    countries: FxHashMap<Box<str>, Box<str>>,
    matcher: PhraseMatcher,
}

impl Gazetteer {
    /// Loads every file of [`FILES`] from `dir/gazetteer/`.
    pub(crate) fn load(dir: &Path) -> Result<Self, ModelError> {
        Self::from_files(&ModelFiles::dir(dir))
    }

    /// Loads every file of [`FILES`] from the `gazetteer/` files of `files`.
    pub(crate) fn from_files(files: &ModelFiles) -> Result<Self, ModelError> {
        let files = files.folder("gazetteer");
        let mut gaz = Gazetteer::default();
        for file in FILES {
            let text = files.read_text(file)?;
            gaz.add_tsv(&text).map_err(|(line, why)| {
                ModelError::new(files.display(file), format!("line {line}: {why}"))
            })?;
        }
        Ok(gaz)
    }

    /// Builds a gazetteer from lexicon text in the file format.
    #[cfg(test)]
    pub(crate) fn from_tsv(text: &str) -> Result<Self, ModelError> {
        let mut gaz = Gazetteer::default();
        gaz.add_tsv(text)
            .map_err(|(line, why)| ModelError::new("<inline>", format!("line {line}: {why}")))?;
        Ok(gaz)
    }

    fn add_tsv(&mut self, text: &str) -> Result<(), (usize, &'static str)> {
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(name), Some(kind), Some(code), Some(canonical)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err((n + 1, "expected 4 tab-separated fields"));
            };
            let kind = GazKind::parse(kind).ok_or((n + 1, "unknown kind"))?;
            let code = (code != "-" && !code.is_empty()).then_some(code);
            self.add(name, kind, code, canonical);
        }
        Ok(())
    }

    fn add(&mut self, name: &str, kind: GazKind, code: Option<&str>, canonical: &str) {
        let key = normalize(name);
        if key.is_empty() {
            return;
        }
        let entry = GazEntry {
            kind,
            code: code.map(Box::from),
            canonical: Box::from(canonical),
        };
        // Variants of one entry sit on consecutive lines, so comparing with the last entry shares them.
        if self.entries.last() != Some(&entry) {
            self.entries.push(entry);
        }
        let id = (self.entries.len() - 1) as u32;
        if kind == GazKind::Country {
            if let Some(code) = code {
                self.countries
                    .entry(Box::from(code))
                    .or_insert_with(|| Box::from(canonical));
            }
        }
        push_unique(self.by_name.entry(Box::from(key.as_ref())).or_default(), id);
        if !is_all_caps(&key) {
            let folded = key.to_lowercase();
            push_unique(self.by_folded.entry(folded.into()).or_default(), id);
        }
        self.matcher.insert(&key, kind);
    }

    fn ids(&self, name: &str) -> &[u32] {
        let key = normalize(name);
        if let Some(ids) = self.by_name.get(key.as_ref()) {
            return ids;
        }
        // Lower-case input never matches: "turkey" and "us" are ordinary words.
        if key.chars().any(char::is_uppercase) {
            if let Some(ids) = self.by_folded.get(key.to_lowercase().as_str()) {
                return ids;
            }
        }
        &[]
    }

    /// Every entry for `name` (normalised: typographic apostrophes, "the ", possessive "'s").
    pub(crate) fn lookup_all(&self, name: &str) -> impl Iterator<Item = &GazEntry> + '_ {
        let ids = self.ids(name);
        ids.iter().filter_map(|&i| self.entries.get(i as usize))
    }

    /// The highest-priority entry for `name` (see [`GazKind`] for the order).
    #[cfg(test)]
    pub(crate) fn lookup(&self, name: &str) -> Option<&GazEntry> {
        self.lookup_all(name).min_by_key(|e| e.kind)
    }

    /// Bit set of the kinds `name` has entries for (bit `GazKind::index()`).
    pub(crate) fn kinds(&self, name: &str) -> u16 {
        self.lookup_all(name).fold(0, |bits, e| bits | e.kind.bit())
    }

    /// Canonical name of any entry ("G7" -> "Group of Seven", "U.S." -> "United States").
    #[cfg(test)]
    pub(crate) fn canonical(&self, name: &str) -> Option<&str> {
        self.lookup(name).map(|e| e.canonical.as_ref())
    }

    /// ISO 3166-1 alpha-2 code of a country name, variant or demonym ("South Korean" -> "KR").
    pub(crate) fn country_code(&self, name: &str) -> Option<&str> {
        self.lookup_all(name)
            .filter(|e| matches!(e.kind, GazKind::Country | GazKind::Demonym))
            .min_by_key(|e| e.kind)
            .and_then(|e| e.code.as_deref())
    }

    /// Canonical country name for a country variant or demonym ("U.S." and "American" ->
    /// "United States").
    #[cfg(test)]
    pub(crate) fn canonical_country(&self, name: &str) -> Option<&str> {
        self.country_code(name).and_then(|c| self.country_name(c))
    }

    /// Canonical name of the country with ISO code `code` ("KR" -> "South Korea").
    #[cfg(test)]
    pub(crate) fn country_name(&self, code: &str) -> Option<&str> {
        self.countries.get(code).map(AsRef::as_ref)
    }

    /// True for nationalities and peoples ("Japanese", "South Koreans", "Muslim").
    pub(crate) fn is_demonym(&self, name: &str) -> bool {
        self.lookup_all(name)
            .any(|e| matches!(e.kind, GazKind::Demonym | GazKind::Group))
    }

    /// Number of entries (distinct name/kind/code/canonical combinations are counted once).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

fn push_unique(ids: &mut Vec<u32>, id: u32) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

fn is_all_caps(s: &str) -> bool {
    s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase)
}

/// Normalises a name for lookup: typographic apostrophes, runs of whitespace, a leading "the " and a
/// trailing possessive. Borrows when nothing changes.
pub(crate) fn normalize(name: &str) -> Cow<'_, str> {
    let mut s = name.trim();
    for article in ["the ", "The ", "THE "] {
        if let Some(rest) = s.strip_prefix(article) {
            s = rest.trim_start();
        }
    }
    for possessive in ["'s", "’s", "'S", "’S"] {
        if let Some(rest) = s.strip_suffix(possessive) {
            s = rest.trim_end();
        }
    }
    let clean = !s.contains('’')
        && !s.contains(|c: char| c.is_whitespace() && c != ' ')
        && !s.contains("  ");
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out.replace('’', "'"))
}

#[cfg(test)]
mod tests;
