//! The one lexicon of titles, in named subsets, for every stage that reads them: the tagger's
//! conventions (a title is not part of a name), and the relation patterns (a title says who leads
//! what, and in which role). Other word classes near titles live with their single user: person
//! and organisation head nouns of appositions (`apposition/`), occupations and staff nouns of
//! the relation patterns (`relations/patterns/words.rs`), and the classifier's hashed word classes
//! (`relations/features.rs`, frozen with the trained model).

/// Titles CoNLL-2003 leaves outside person names ("President", "Sen.", "Dr.": 105 to 0 for
/// "President" before a name in its train split). Royal and religious titles are left out: there
/// they are often part of the name ("Prince" 5 to 3, "Pope" 1 to 0).
pub(crate) const BEFORE_NAME: &[&str] = &[
    "president",
    "chancellor",
    "premier",
    "senator",
    "sen",
    "rep",
    "representative",
    "judge",
    "dr",
    "mr",
    "mrs",
    "ms",
    "gen",
    "general",
    "governor",
    "gov",
    "mayor",
    "minister",
    "secretary",
    "ambassador",
    "captain",
    "capt",
    "col",
    "colonel",
    "lt",
    "sgt",
    "sergeant",
    "admiral",
    "adm",
    "professor",
    "prof",
    "chairman",
    "chairwoman",
    "coach",
    "commissioner",
    "inspector",
    "detective",
    "ceo",
    "sir",
    "dame",
    "shri",
    "smt",
    "datuk",
    "dato",
];

/// The subset of [`BEFORE_NAME`] (plus a few heads of company titles) that, inside a mention the tagger
/// typed as an organisation or place, marks the start of a person's name: "CEO Jean Prates",
/// "President Kagame", "Central Bank Deputy Governor Ann Holm". Military and ambiguous words
/// ("General Motors", "Captain Cook Cruises") are left out.
pub(crate) const INSIDE_NAME: &[&str] = &[
    "president",
    "chancellor",
    "premier",
    "senator",
    "judge",
    "justice",
    "mr",
    "mrs",
    "ms",
    "dr",
    "governor",
    "mayor",
    "minister",
    "ambassador",
    "chairman",
    "chairwoman",
    "chairperson",
    "commissioner",
    "ceo",
    "cfo",
    "coo",
    "officer",
    "director",
    "head",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "sir",
    "dame",
    "shri",
    "smt",
    "datuk",
];

/// Words that go with a title before it: "Prime Minister", "Vice President", "Foreign Minister".
pub(crate) const MODIFIERS: &[&str] = &[
    "prime",
    "vice",
    "deputy",
    "foreign",
    "finance",
    "defence",
    "defense",
    "interior",
    "acting",
    "chief",
    "executive",
    "managing",
    "district",
    "lady",
];

/// Titles that make their holder the leader of the organisation or country named with them, and
/// the role written out for each. "vice president" and "deputy prime minister" are deliberately
/// absent: they are not leaders, and an exact match never reads "president" out of them.
pub(crate) const LEADER_ROLES: [(&[&str], &str); 39] = [
    (&["prime", "minister"], "Prime Minister"),
    (&["president"], "President"),
    (&["premier"], "Premier"),
    (&["chancellor"], "Chancellor"),
    (&["king"], "King"),
    (&["queen"], "Queen"),
    (&["emperor"], "Emperor"),
    (&["empress"], "Empress"),
    (&["emir"], "Emir"),
    (&["sultan"], "Sultan"),
    (&["chief", "executive", "officer"], "CEO"),
    (&["chief", "executive"], "CEO"),
    (&["ceo"], "CEO"),
    (&["chairman"], "Chairman"),
    (&["chairwoman"], "Chairwoman"),
    (&["chairperson"], "Chairperson"),
    (&["chair"], "Chair"),
    (&["governor"], "Governor"),
    (&["mayor"], "Mayor"),
    (&["supreme", "leader"], "Supreme Leader"),
    (&["leader"], "Leader"),
    (&["secretary-general"], "Secretary-General"),
    (&["secretary", "general"], "Secretary-General"),
    (&["director-general"], "Director-General"),
    (&["managing", "director"], "Managing Director"),
    (&["foreign", "minister"], "Foreign Minister"),
    (&["finance", "minister"], "Finance Minister"),
    (&["defense", "minister"], "Defense Minister"),
    (&["defence", "minister"], "Defence Minister"),
    (&["interior", "minister"], "Interior Minister"),
    (&["trade", "minister"], "Trade Minister"),
    (&["economy", "minister"], "Economy Minister"),
    (&["justice", "minister"], "Justice Minister"),
    (&["health", "minister"], "Health Minister"),
    (&["minister"], "Minister"),
    (&["secretary"], "Secretary"),
    (&["chief"], "Chief"),
    (&["boss"], "Boss"),
    (&["head"], "Head"),
];

/// Roles that only a country's head of state or government holds.
pub(crate) fn is_national_role(role: &str) -> bool {
    let role = role.strip_prefix("former ").unwrap_or(role);
    matches!(
        role,
        "President"
            | "Prime Minister"
            | "Premier"
            | "Chancellor"
            | "King"
            | "Queen"
            | "Emperor"
            | "Empress"
            | "Emir"
            | "Sultan"
            | "Supreme Leader"
    )
}
