//! `newsenrich replay-dlq` against a real broker: dead letters whose cause was fixed (here a text
//! limit that was raised) go back to the input topic, the workers enrich them, and nothing is
//! replayed twice; records of other classes stay where they are until asked for.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::articles::{good_batch, ids, json};
use common::worker::replay_dlq as replay;
use common::{consume_ids, consume_until, produce, Rec, Topics, Worker, WorkerOptions};
use std::time::Duration;

/// An article whose text is longer than `chars` characters.
fn long_article(id: &str, chars: usize) -> Rec {
    let mut body = String::new();
    let mut n = 0;
    while body.len() <= chars {
        let v: serde_json::Value = serde_json::from_str(&json(id, n)).unwrap();
        body.push_str(v["body"].as_str().unwrap());
        body.push(' ');
        n += 1;
    }
    let value = serde_json::json!({ "id": id, "title": "A long report", "body": body });
    Rec::new(Some(id), value.to_string()).header("x-test-case", "long")
}

#[test]
fn fixed_dead_letters_are_replayed_once_and_enriched() {
    let topics = Topics::create("replay", 3);
    let good = good_batch("rg", 0, 6);
    let long: Vec<Rec> = (0..4)
        .map(|i| long_article(&format!("rl-{i}"), 3000))
        .collect();
    let broken: Vec<Rec> = (0..2)
        .map(|i| {
            let id = format!("rb-{i}");
            Rec::new(Some(&id), format!(r#"{{"id": "{id}", "body": "cut"#))
        })
        .collect();
    let mut all = good.clone();
    all.extend(long.iter().cloned());
    all.extend(broken.iter().cloned());
    produce(&topics.input, all);

    // A worker with a text limit the long articles break.
    let strict = WorkerOptions::new(&topics).env("NEWSENRICH__LIMITS__MAX_TEXT_CHARS", "2000");
    let mut w = Worker::start("strict", &strict);
    consume_ids(
        &topics.output,
        &ids(&good),
        Duration::from_secs(120),
        || w.assert_alive(),
    );
    let dead = consume_until(
        &topics.dlq,
        Duration::from_secs(60),
        "6 dead letters",
        |r| r.len() >= 6,
    );
    assert_eq!(dead.len(), 6);
    w.sigterm();
    assert!(
        w.wait_exit(Duration::from_secs(30)).is_some(),
        "worker did not stop"
    );

    // The limit is raised; the long articles can be replayed, the broken JSON cannot.
    let mut w = Worker::start("relaxed", &WorkerOptions::new(&topics));
    w.wait_ready();
    let dry = replay(&topics, &["--dry-run"]);
    assert!(dry.starts_with("would replay 6 "), "{dry}");
    let first = replay(&topics, &["--class", "text_too_long"]);
    assert!(first.starts_with("replayed 4 "), "{first}");
    assert!(first.contains("passed over 2 "), "{first}");

    let long_ids = ids(&long);
    let out = consume_ids(&topics.output, &long_ids, Duration::from_secs(120), || {
        w.assert_alive()
    });
    for id in &long_ids {
        let doc = out
            .iter()
            .find(|r| r.key_str().as_deref() == Some(id.as_str()))
            .unwrap()
            .json();
        assert!(
            doc["entities"].as_array().is_some_and(|e| !e.is_empty()),
            "{id}: the replayed article was enriched: {doc}"
        );
    }
    // Only the long articles were copied to the input topic, with their own headers and none of
    // the dead letter's.
    let input = consume_until(&topics.input, Duration::from_secs(30), "the copies", |r| {
        r.len() >= 16
    });
    let keyed = |prefix: &str| -> Vec<&Rec> {
        input
            .iter()
            .filter(|r| r.key_str().is_some_and(|k| k.starts_with(prefix)))
            .collect()
    };
    assert_eq!(keyed("rl-").len(), 8, "each long article once more");
    assert_eq!(keyed("rb-").len(), 2, "the broken records were not copied");
    for c in keyed("rl-") {
        assert_eq!(c.header_str("x-test-case").as_deref(), Some("long"));
        assert_eq!(c.header_str("x-error-class"), None, "stale error header");
        assert_eq!(c.header_str("x-src-offset"), None, "stale source header");
    }

    // Nothing is replayed twice, and what was passed over stays in the DLQ until asked for.
    let again = replay(&topics, &[]);
    assert!(again.starts_with("replayed 0 "), "{again}");
    let broken_again = replay(&topics, &["--from-beginning", "--class", "invalid_json"]);
    assert!(broken_again.starts_with("replayed 2 "), "{broken_again}");
    // Still broken: they come back to the DLQ, each with one fresh set of error headers.
    let dead = consume_until(
        &topics.dlq,
        Duration::from_secs(60),
        "8 dead letters",
        |r| r.len() >= 8,
    );
    let redead: Vec<&Rec> = dead
        .iter()
        .filter(|r| r.key_str().is_some_and(|k| k.starts_with("rb-")))
        .collect();
    assert_eq!(redead.len(), 4, "each broken record failed twice");
    for r in redead {
        let classes = r
            .headers
            .iter()
            .filter(|(k, _)| k == "x-error-class")
            .count();
        assert_eq!(classes, 1, "one x-error-class header");
    }
    w.assert_alive();
}
