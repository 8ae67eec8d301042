//! Language policies through the real local broker: a stream of English, German, French and
//! Spanish articles where German is routed, French dead-lettered and Spanish passed through.
//! Nothing may be lost: every input id ends up on exactly one of output, route and DLQ topics, and
//! the group's committed offsets reach the end of the input. Needs `scripts/kafka start`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::articles::text as english_text;
use common::{consume_until, create_topics, produce, Rec, Topics, Worker, WorkerOptions};
use newsenrich::service::metrics;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

// Short news paragraphs written for this test, varied by `n` so no two records are the same.
fn german(n: usize) -> String {
    format!(
        "Der Stadtrat hat am Montag mit großer Mehrheit beschlossen, die Straßenbahnlinie {n} bis \
         zum neuen Wohngebiet im Norden zu verlängern. Die Bauarbeiten sollen im kommenden Frühjahr \
         beginnen und rund {} Millionen Euro kosten. Anwohner befürchten jedoch monatelange \
         Umleitungen und mehr Lärm in den engen Gassen der Altstadt.",
        20 + n % 50
    )
}

fn french(n: usize) -> String {
    format!(
        "Les agriculteurs de la région ont manifesté mardi devant la préfecture pour dénoncer la \
         baisse du prix du lait, tombé à {} centimes le litre. Selon le syndicat, plus de {n} \
         exploitations risquent de fermer avant la fin de l'année si le gouvernement ne propose \
         pas rapidement un plan d'aide.",
        30 + n % 20
    )
}

fn spanish(n: usize) -> String {
    format!(
        "El ayuntamiento aprobó el jueves un plan para plantar {n} árboles en los barrios más \
         calurosos de la ciudad antes del próximo verano. Según la concejala de Medio Ambiente, la \
         medida costará unos {} millones de euros y reducirá la temperatura de las calles en \
         varios grados durante las olas de calor.",
        2 + n % 9
    )
}

/// Record `n`: its language and the record (JSON envelope with an id; every fourth is plain
/// text keyed by the id).
fn record(prefix: &str, n: usize) -> (&'static str, Rec) {
    let (lang, body) = match n % 4 {
        0 => ("en", english_text(n)),
        1 => ("de", german(n)),
        2 => ("fr", french(n)),
        _ => ("es", spanish(n)),
    };
    let id = format!("{prefix}-{lang}-{n}");
    let rec = if n % 8 == 5 {
        Rec::new(Some(&id), body)
    } else {
        Rec::new(
            Some(&id),
            serde_json::json!({"id": id, "body": body, "source": "test-wire"}).to_string(),
        )
    };
    (lang, rec.header("x-test-seq", &n.to_string()))
}

/// Sum over the input's partitions of the group's committed offsets.
fn committed_total(group: &str, topic: &str, partitions: i32) -> i64 {
    let parts: Vec<i32> = (0..partitions).collect();
    common::group_committed(group, topic, &parts).values().sum()
}

fn keys_of(recs: &[Rec]) -> BTreeSet<String> {
    recs.iter().filter_map(Rec::key_str).collect()
}

fn run_mixed_stream(test: &str, delivery: &str) {
    const N: usize = 240;
    let topics = Topics::create(test, 3);
    let route = format!("{}.route", topics.input);
    create_topics(&[(&route, 3)]);
    let mut by_lang: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut sent = Vec::new();
    for n in 0..N {
        let (lang, rec) = record(test, n);
        by_lang
            .entry(lang)
            .or_default()
            .insert(rec.key_str().unwrap());
        sent.push(rec);
    }
    let originals: BTreeMap<String, Vec<u8>> = sent
        .iter()
        .map(|r| (r.key_str().unwrap(), r.value.clone()))
        .collect();
    produce(&topics.input, sent);

    let mut opts = WorkerOptions::new(&topics).env("NEWSENRICH__KAFKA__DELIVERY", delivery);
    opts.extra_toml = format!(
        "[language]\nroute_topic = \"{route}\"\n[language.policies]\nde = \"route\"\nfr = \"dlq\"\n"
    );
    let mut w = Worker::start("w1", &opts);
    let m = w.wait_accounted(N as u64, TIMEOUT);

    let want = |lang: &str| by_lang[lang].len();
    let out = consume_until(
        &topics.output,
        TIMEOUT,
        "english and spanish documents",
        |r| keys_of(r).len() >= want("en") + want("es"),
    );
    let routed = consume_until(&route, TIMEOUT, "german records", |r| {
        keys_of(r).len() >= want("de")
    });
    let dead = consume_until(&topics.dlq, TIMEOUT, "french records", |r| {
        keys_of(r).len() >= want("fr")
    });

    // Every id on exactly the topic its language's policy names: in = out + routed + dlq.
    let out_keys = keys_of(&out);
    let expected_out: BTreeSet<String> = by_lang["en"].union(&by_lang["es"]).cloned().collect();
    assert_eq!(out_keys, expected_out, "output topic");
    assert_eq!(keys_of(&routed), by_lang["de"], "route topic");
    assert_eq!(keys_of(&dead), by_lang["fr"], "dead-letter topic");
    assert_eq!(
        out_keys.len() + keys_of(&routed).len() + keys_of(&dead).len(),
        N
    );

    for r in &out {
        let doc = r.json();
        let key = r.key_str().unwrap();
        let lang = if by_lang["en"].contains(&key) {
            "en"
        } else {
            "es"
        };
        assert_eq!(doc["language"], lang, "{key}");
        assert_eq!(doc["processing"]["language_source"], "detected");
        if lang == "es" {
            assert_eq!(
                doc["processing"]["skipped"], "unsupported_language",
                "{key}"
            );
            assert_eq!(doc["entities"], serde_json::json!([]), "{key}");
            assert_eq!(doc["relations"], serde_json::json!([]), "{key}");
        } else {
            assert!(doc["processing"].get("skipped").is_none(), "{key}");
            assert!(
                !doc["entities"].as_array().unwrap().is_empty(),
                "{key}: english is enriched"
            );
        }
    }
    for r in &routed {
        let key = r.key_str().unwrap();
        assert_eq!(r.value, originals[&key], "{key}: routed as it came");
        assert_eq!(r.header_str("x-language").as_deref(), Some("de"), "{key}");
        assert!(r.header_str("x-language-confidence").is_some(), "{key}");
        assert!(
            r.header_str("x-test-seq").is_some(),
            "{key}: input headers kept"
        );
    }
    for r in &dead {
        let key = r.key_str().unwrap();
        assert_eq!(r.value, originals[&key], "{key}");
        assert_eq!(
            r.header_str("x-error-class").as_deref(),
            Some("unsupported_language"),
            "{key}"
        );
    }

    // The metrics tell the same story.
    let outcome = |o: &str| {
        common::metric_with(&m, metrics::LANGUAGE_OUTCOMES_TOTAL, "outcome", o).unwrap_or(0.0)
    };
    assert_eq!(outcome("route") as usize, want("de"));
    assert_eq!(outcome("dlq") as usize, want("fr"));
    assert_eq!(outcome("pass") as usize, want("es"));
    assert_eq!(outcome("enrich") as usize, want("en"));
    let by_language = |l: &str| {
        common::metric_with(&m, metrics::ARTICLES_BY_LANGUAGE_TOTAL, "language", l).unwrap_or(0.0)
    };
    for lang in ["en", "de", "fr", "es"] {
        assert_eq!(by_language(lang) as usize, want(lang), "{lang}");
    }
    assert_eq!(
        common::metric_with(
            &m,
            metrics::RECORDS_DLQ_TOTAL,
            "reason",
            "unsupported_language"
        ),
        Some(want("fr") as f64)
    );

    // Offsets: the group commits past every record, routed and dead-lettered ones included.
    common::wait_for(TIMEOUT, "offsets committed to the end of the input", || {
        (committed_total(&topics.group, &topics.input, 3) == N as i64).then_some(())
    });
    w.sigterm();
    assert!(w.wait_exit(Duration::from_secs(30)).is_some());
}

#[test]
fn route_and_dlq_policies_lose_nothing_at_least_once() {
    run_mixed_stream("lang-alo", "at_least_once");
}

#[test]
fn route_and_dlq_policies_lose_nothing_exactly_once() {
    run_mixed_stream("lang-eos", "exactly_once");
}
