//! The worker end to end on the real local broker: every article out, bad records in the DLQ with
//! their reason, headers carried, metrics that add up, and the HTTP endpoints an operator watches.
//! Needs `scripts/kafka start` (scripts/test does it).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::articles::{self, good_batch, ids};
use common::WorkerOptions;
use common::{consume_ids, consume_until, metric_sum, metric_with, produce, Rec, Topics, Worker};
use newsenrich::service::metrics;
use std::collections::HashMap;
use std::time::Duration;

const SCHEMA: &str = "newsenrich.article.v1";

#[test]
fn thousand_articles_in_thousand_documents_out() {
    let topics = Topics::create("e2e-1000", 3);
    let sent = produce(&topics.input, good_batch("a", 0, 1000));
    let by_id: HashMap<String, &Rec> = sent.iter().map(|r| (r.key_str().unwrap(), r)).collect();

    let mut w = Worker::start("w", &WorkerOptions::new(&topics));
    let out = consume_ids(
        &topics.output,
        &ids(&sent),
        Duration::from_secs(180),
        || w.assert_alive(),
    );
    let m = w.wait_accounted(1000, Duration::from_secs(60));

    assert_eq!(out.len(), 1000, "expected exactly one document per article");
    for doc in &out {
        let key = doc.key_str().expect("output record without key");
        let input = by_id
            .get(&key)
            .unwrap_or_else(|| panic!("output key {key:?} is not an input id"));
        let v = doc.json();
        assert_eq!(v["schema"], SCHEMA, "schema of {key}");
        assert_eq!(
            v["id"],
            key.as_str(),
            "output key must equal the document id"
        );
        assert!(v["entities"].is_array(), "{key}: entities must be an array");
        assert!(
            v["relations"].is_array(),
            "{key}: relations must be an array"
        );
        let src = &v["processing"]["source"];
        assert_eq!(
            src["topic"],
            topics.input.as_str(),
            "{key}: processing.source.topic"
        );
        assert_eq!(
            src["partition"], input.partition,
            "{key}: processing.source.partition"
        );
        assert_eq!(
            src["offset"], input.offset,
            "{key}: processing.source.offset"
        );
        for (hk, hv) in &input.headers {
            assert_eq!(
                doc.header_str(hk).as_deref(),
                Some(String::from_utf8_lossy(hv).as_ref()),
                "{key}: input header {hk} must be carried to the output"
            );
        }
        if let Ok(input_json) = serde_json::from_slice::<serde_json::Value>(&input.value) {
            assert_eq!(v["title"], input_json["title"], "{key}: title kept");
            assert_eq!(
                v["meta"]["desk"], "economy",
                "{key}: unknown fields kept under meta"
            );
        }
    }
    assert_eq!(metric_sum(&m, metrics::RECORDS_CONSUMED_TOTAL), 1000.0);
    assert_eq!(metric_sum(&m, metrics::RECORDS_PRODUCED_TOTAL), 1000.0);
    assert_eq!(metric_sum(&m, metrics::RECORDS_DLQ_TOTAL), 0.0);
}

/// One bad record of each kind, the class the DLQ must name, and why it is bad.
fn bad_records() -> Vec<(Rec, &'static str)> {
    let big = format!("Oversized wire copy. {}", "padding words ".repeat(400)); // ~5.6 kB
    let long = format!("Long but under the byte limit. {}", "word ".repeat(700)); // ~3.5k chars
    vec![
        (
            Rec::new(Some("bad-json"), r#"{"id": "bad-json", "body": "cut off"#),
            "invalid_json",
        ),
        (
            Rec::new(
                Some("bad-array"),
                r#"[{"body": "an array is not an article"}]"#,
            ),
            "invalid_envelope",
        ),
        (
            Rec::new(
                Some("bad-notext"),
                r#"{"id": "bad-notext", "title": "no body"}"#,
            ),
            "invalid_envelope",
        ),
        (
            Rec::new(Some("bad-number"), r#"{"id": "bad-number", "body": 42}"#),
            "invalid_envelope",
        ),
        (
            Rec::new(Some("bad-empty"), r#"{"id": "bad-empty", "body": ""}"#),
            "empty_text",
        ),
        (
            Rec::new(
                Some("bad-utf8"),
                b"Caf\xe9 owners in Lyon protest \xff\xfe rents".to_vec(),
            ),
            "invalid_utf8",
        ),
        (Rec::new(Some("bad-big"), big), "too_large"),
        (Rec::new(Some("bad-long"), long), "text_too_long"),
    ]
}

#[test]
fn bad_records_go_to_the_dlq_and_good_ones_through() {
    let topics = Topics::create("e2e-dlq", 3);
    // Bad records sit between good ones in the same partitions.
    let mut recs = Vec::new();
    let mut classes = HashMap::new();
    let good = good_batch("g", 0, 40);
    let mut good_iter = good.into_iter();
    for (i, (bad, class)) in bad_records().into_iter().enumerate() {
        recs.extend(good_iter.by_ref().take(5));
        let bad = bad
            .header("traceparent", &articles::traceparent(9000 + i))
            .header("x-case", class);
        classes.insert(bad.key_str().unwrap(), class);
        recs.push(bad);
    }
    recs.extend(good_iter);
    let sent = produce(&topics.input, recs);
    let good_ids: Vec<String> = ids(&sent)
        .into_iter()
        .filter(|k| !classes.contains_key(k))
        .collect();

    let opts = WorkerOptions::new(&topics)
        .env("NEWSENRICH__LIMITS__MAX_RECORD_BYTES", "4096")
        .env("NEWSENRICH__LIMITS__MAX_TEXT_CHARS", "2000");
    let mut w = Worker::start("w", &opts);
    let out = consume_ids(&topics.output, &good_ids, Duration::from_secs(120), || {
        w.assert_alive()
    });
    let dlq = consume_until(
        &topics.dlq,
        Duration::from_secs(60),
        "every bad record in the DLQ",
        |r| r.len() >= classes.len(),
    );
    let m = w.wait_accounted(sent.len() as u64, Duration::from_secs(60));

    for o in &out {
        assert!(
            !classes.contains_key(&o.key_str().unwrap_or_default()),
            "a bad record reached the output"
        );
    }
    assert_eq!(
        dlq.len(),
        classes.len(),
        "exactly one DLQ record per bad input"
    );
    for d in &dlq {
        let key = d.key_str().expect("DLQ record must keep the original key");
        let class = classes[&key];
        let orig = sent
            .iter()
            .find(|s| s.key_str().as_deref() == Some(&key))
            .unwrap();
        assert_eq!(
            d.value, orig.value,
            "{key}: DLQ value must be the original bytes"
        );
        assert_eq!(
            d.header_str("x-error-class").as_deref(),
            Some(class),
            "{key}: x-error-class"
        );
        let err = d.header_str("x-error").unwrap_or_default();
        assert!(
            !err.trim().is_empty(),
            "{key}: x-error must explain the failure"
        );
        assert_eq!(
            d.header_str("x-src-topic").as_deref(),
            Some(topics.input.as_str()),
            "{key}"
        );
        assert_eq!(
            d.header_str("x-src-partition"),
            Some(orig.partition.to_string()),
            "{key}"
        );
        assert_eq!(
            d.header_str("x-src-offset"),
            Some(orig.offset.to_string()),
            "{key}"
        );
        assert_eq!(
            d.header_str("x-case").as_deref(),
            Some(class),
            "{key}: original headers kept"
        );
        assert_eq!(
            d.header_str("traceparent"),
            orig.header_str("traceparent"),
            "{key}"
        );
        eprintln!("dlq {key}: {class}: {err}");
    }

    let consumed = metric_sum(&m, metrics::RECORDS_CONSUMED_TOTAL);
    let produced = metric_sum(&m, metrics::RECORDS_PRODUCED_TOTAL);
    let dead = metric_sum(&m, metrics::RECORDS_DLQ_TOTAL);
    assert_eq!(consumed, sent.len() as f64, "records_consumed_total");
    assert_eq!(produced, good_ids.len() as f64, "records_produced_total");
    assert_eq!(consumed, produced + dead, "consumed = produced + dlq");
    let mut per_class: HashMap<&str, f64> = HashMap::new();
    for class in classes.values() {
        *per_class.entry(class).or_default() += 1.0;
    }
    for (class, n) in per_class {
        assert_eq!(
            metric_with(&m, metrics::RECORDS_DLQ_TOTAL, "reason", class),
            Some(n),
            "records_dlq_total{{reason=\"{class}\"}}"
        );
    }
}

#[test]
fn ready_healthy_and_every_metric_exported() {
    let topics = Topics::create("e2e-http", 3);
    let mut w = Worker::start("w", &WorkerOptions::new(&topics));
    w.wait_ready();
    let (status, _, body) = w.get("/readyz").unwrap();
    assert_eq!((status, body.trim()), (200, "ready"));
    let (status, _, body) = w.get("/healthz").expect("/healthz answers");
    assert_eq!((status, body.trim()), (200, "ok"));

    let sent = produce(&topics.input, good_batch("h", 0, 20));
    consume_ids(&topics.output, &ids(&sent), Duration::from_secs(60), || {
        w.assert_alive()
    });
    let m = w.wait_accounted(20, Duration::from_secs(30));
    assert_eq!(metric_sum(&m, metrics::RECORDS_CONSUMED_TOTAL), 20.0);
    assert_eq!(metric_sum(&m, metrics::RECORDS_PRODUCED_TOTAL), 20.0);
    assert_eq!(metric_sum(&m, metrics::RECORDS_DLQ_TOTAL), 0.0);
    assert_eq!(
        metric_sum(&m, metrics::INFLIGHT_RECORDS),
        0.0,
        "nothing in flight once idle"
    );
    let hist_count = format!("{}_count", metrics::ENRICH_DURATION_SECONDS);
    assert_eq!(
        metric_sum(&m, &hist_count),
        20.0,
        "one enrich timing per article"
    );

    let (_, head, _) = w.get("/metrics").unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/plain"),
        "metrics content type: {head}"
    );
    // consumer_lag comes from librdkafka statistics, so it can take a statistics interval to show.
    let mut missing = Vec::new();
    common::wait_for(
        Duration::from_secs(30),
        "every metric name on /metrics",
        || {
            let m = w.metrics();
            missing = metrics::ALL_NAMES
                .iter()
                .filter(|n| !m.contains(&format!("# TYPE {n} ")))
                .map(|n| n.to_string())
                .collect();
            if !missing.is_empty() {
                eprintln!("not yet on /metrics: {missing:?}");
            }
            missing.is_empty().then_some(())
        },
    );
    // Lag is reported from the committed offsets, which auto-commit moves every few seconds.
    common::wait_for(Duration::from_secs(30), "consumer_lag to drop to 0", || {
        let samples = common::metric_samples(&w.metrics(), metrics::CONSUMER_LAG);
        let lag: f64 = samples.iter().map(|(_, v)| v.max(0.0)).sum();
        (!samples.is_empty() && lag == 0.0).then_some(())
    });
}

/// The article text offsets refer to: the JSON `body`, or the raw text after a `date YYYY-MM-DD`
/// line or prefix (DESIGN §4).
fn offset_base(raw: &str) -> (Option<String>, String) {
    if let Some(v) = raw
        .starts_with('{')
        .then(|| serde_json::from_str::<serde_json::Value>(raw))
    {
        let v = v.expect("fixture JSON");
        return (None, v["body"].as_str().unwrap().to_string());
    }
    let t = raw.trim_start();
    if let Some(rest) = t.strip_prefix("date ") {
        let (date, text) = rest.split_at(10);
        return (Some(date.to_string()), text.trim_start().to_string());
    }
    (None, raw.to_string())
}

#[test]
fn sample_articles_come_out_enriched_with_exact_offsets() {
    let dir = common::worker::crate_dir().join("tests/fixtures/articles");
    let mut recs = Vec::new();
    let mut texts = HashMap::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "txt")))
        .collect();
    paths.sort();
    for p in &paths {
        let raw = std::fs::read_to_string(p).unwrap();
        if p.extension().unwrap() == "json" {
            for line in raw.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let id = v["id"].as_str().unwrap().to_string();
                recs.push(Rec::new(Some(&id), line));
                texts.insert(id, offset_base(line));
            }
        } else {
            let id = p.file_stem().unwrap().to_str().unwrap().to_string();
            recs.push(Rec::new(Some(&id), raw.as_str()));
            texts.insert(id, offset_base(&raw));
        }
    }
    assert!(
        recs.len() >= 5,
        "expected the team-written samples in {dir:?}"
    );

    let topics = Topics::create("e2e-samples", 3);
    let sent = produce(&topics.input, recs);
    let mut w = Worker::start("w", &WorkerOptions::new(&topics));
    let out = consume_ids(
        &topics.output,
        &ids(&sent),
        Duration::from_secs(120),
        || w.assert_alive(),
    );
    for doc in &out {
        let id = doc.key_str().unwrap();
        let (date, text) = &texts[&id];
        let chars: Vec<char> = text.chars().collect();
        let v = doc.json();
        if let Some(date) = date {
            assert_eq!(
                v["published_at"],
                date.as_str(),
                "{id}: date prefix -> published_at"
            );
        }
        let entities = v["entities"].as_array().unwrap();
        assert!(
            !entities.is_empty(),
            "{id}: no entity found in a news article"
        );
        for e in entities {
            for m in e["mentions"].as_array().unwrap() {
                let (start, end) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
                assert!(
                    start < end && end as usize <= chars.len(),
                    "{id}: mention {m} outside the text"
                );
                let slice: String = chars[start as usize..end as usize].iter().collect();
                assert_eq!(
                    slice,
                    m["text"].as_str().unwrap(),
                    "{id}: text[start:end] == mention.text"
                );
            }
        }
        eprintln!(
            "{id}: {} entities, {} relations",
            entities.len(),
            v["relations"].as_array().map_or(0, Vec::len)
        );
    }
}
