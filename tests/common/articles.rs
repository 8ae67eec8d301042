//! Synthetic news articles for the black-box tests: short, varied, written from templates here
//! (no corpus data), with names the enrich core should find. Ids are unique per test run.

use super::Rec;

const PEOPLE: [&str; 8] = [
    "Maria Okafor",
    "Daniel Brandt",
    "Keiko Tanabe",
    "Samuel Mensah",
    "Ana Ferreira",
    "Piotr Zielinski",
    "Laila Haddad",
    "Oscar Lindqvist",
];
const ORGS: [&str; 6] = [
    "Northwind Energy",
    "the Baltic Rail Authority",
    "Harbor Mutual Bank",
    "the Atlas Water Company",
    "Meridian Telecom",
    "the European Commission",
];
const PLACES: [&str; 8] = [
    "Lisbon",
    "Nairobi",
    "Osaka",
    "Gdansk",
    "Toronto",
    "Valparaiso",
    "Tunis",
    "Bergen",
];
const TOPICS: [&str; 6] = [
    "a new rail link",
    "water rationing",
    "a port expansion",
    "offshore wind permits",
    "a data protection inquiry",
    "bank capital rules",
];

/// The text of article `n` (a few sentences, a few hundred characters).
pub fn text(n: usize) -> String {
    let p1 = PEOPLE[n % PEOPLE.len()];
    let p2 = PEOPLE[(n / 3 + 1) % PEOPLE.len()];
    let org = ORGS[n % ORGS.len()];
    let place = PLACES[(n / 2) % PLACES.len()];
    let topic = TOPICS[(n / 5) % TOPICS.len()];
    format!(
        "{p1}, the chief executive of {org}, met with {p2} in {place} on Tuesday to discuss {topic}. \
         Officials in {place} said talks would resume next month. \
         {p2} told reporters the plan could cost about {} million dollars. Report number {n}.",
        10 + n % 90
    )
}

/// A JSON-envelope article with an explicit id.
pub fn json(id: &str, n: usize) -> String {
    serde_json::json!({
        "id": id,
        "title": format!("Talks in {} (report {n})", PLACES[(n / 2) % PLACES.len()]),
        "url": format!("https://news.example/{id}"),
        "source": "test-wire",
        "published_at": "2025-06-18",
        "language": "en",
        "body": text(n),
        "desk": "economy",
    })
    .to_string()
}

/// `count` good articles with ids `<prefix>-<n>`: most are JSON envelopes with an `id`, every fifth is
/// plain text whose id comes from the record key. Each carries a traceparent and a sequence header.
pub fn good_batch(prefix: &str, start: usize, count: usize) -> Vec<Rec> {
    (start..start + count)
        .map(|n| {
            let id = format!("{prefix}-{n}");
            let rec = if n % 5 == 4 {
                Rec::new(Some(&id), text(n))
            } else {
                Rec::new(Some(&id), json(&id, n))
            };
            rec.header("traceparent", &traceparent(n))
                .header("x-test-seq", &n.to_string())
        })
        .collect()
}

pub fn traceparent(n: usize) -> String {
    format!("00-{:032x}-{:016x}-01", n + 1, n + 1)
}

pub fn ids(recs: &[Rec]) -> Vec<String> {
    recs.iter().filter_map(Rec::key_str).collect()
}

/// An article naming `count` distinct people (generated first name x surname pairs, two per
/// sentence, each with an organisation and a place): its enriched document is far larger than an
/// ordinary one's while its own bytes stay modest.
pub fn entity_dense_text(count: usize) -> String {
    const FIRST: [&str; 20] = [
        "Maria", "Daniel", "Aisha", "Tomas", "Elena", "Kwame", "Sofia", "Henrik", "Lucia", "Ravi",
        "Ingrid", "Mateo", "Yuki", "Olga", "Samuel", "Nadia", "Victor", "Leila", "Jonas", "Priya",
    ];
    const LAST: [&str; 20] = [
        "Okafor",
        "Brandt",
        "Haddad",
        "Novak",
        "Petrova",
        "Mensah",
        "Ricci",
        "Lindqvist",
        "Moreno",
        "Sharma",
        "Berg",
        "Alvarez",
        "Tanaka",
        "Ivanova",
        "Adeyemi",
        "Karimi",
        "Dubois",
        "Farouk",
        "Weber",
        "Nair",
    ];
    let name = |i: usize| format!("{} {}", FIRST[i % 20], LAST[(i / 20 + i) % 20]);
    (0..count.div_ceil(2))
        .map(|k| {
            format!(
                "{} met {} of {} in {}. ",
                name(2 * k),
                name(2 * k + 1),
                ORGS[k % ORGS.len()],
                PLACES[k % PLACES.len()]
            )
        })
        .collect()
}
