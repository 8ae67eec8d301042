//! Records that used to crash, stall or silently drop through the worker, against the real local
//! broker: a dead letter too large for the DLQ topic, header names that are not UTF-8, every input
//! compression codec on one partition, a record that can reach neither topic, and `replay-dlq`
//! passing over a truncated copy. Needs `scripts/kafka start` (scripts/test does it).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::articles::json;
use common::raw::{
    committed_offset, consume_raw, consume_raw_while, produce_raw, wait_committed, RawRec,
};
use common::worker::{replay_dlq, DRAIN_TIMEOUT_MS};
use common::{
    assert_cut_dead_letter, bootstrap, metric_sum, metric_with, random_letters, wait_for, Topics,
    Worker, WorkerOptions,
};
use newsenrich::service::metrics;
use std::time::{Duration, Instant};

/// Longest a SIGTERM'd worker may take to exit: the contract's hard cap is twice the drain
/// deadline, plus a margin for process teardown on a busy 2-core machine.
const EXIT_LIMIT: Duration = Duration::from_millis(2 * DRAIN_TIMEOUT_MS + 4000);

fn article(id: &str, n: usize) -> RawRec {
    RawRec::new(id, json(id, n))
}

/// Invalid JSON (starts with `{`, never closes) of about `len` bytes.
fn broken_json(id: &str, len: usize) -> RawRec {
    let mut v = format!(r#"{{"id": "{id}", "body": ""#).into_bytes();
    v.extend(random_letters(len.saturating_sub(v.len()), 7));
    RawRec::new(id, v)
}

fn find<'a>(recs: &'a [RawRec], key: &str) -> &'a RawRec {
    recs.iter()
        .find(|r| r.key_str() == key)
        .unwrap_or_else(|| panic!("no record with key {key} among {} read", recs.len()))
}

fn header<'a>(rec: &'a RawRec, name: &[u8]) -> Option<&'a Option<Vec<u8>>> {
    rec.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn doc(rec: &RawRec) -> serde_json::Value {
    serde_json::from_slice(&rec.value).unwrap_or_else(|e| {
        panic!(
            "output {} is not JSON ({e}): {}",
            rec.key_str(),
            String::from_utf8_lossy(&rec.value)
        )
    })
}

/// A 1,020,000-byte plain-text record (over `limits.max_text_chars`, under `max_record_bytes`) on
/// an input topic that accepts it, with a DLQ topic whose `max.message.bytes` is 400,000: the dead
/// letter is refused by the broker and re-sent cut shorter until it lands, marked as truncated
/// with the original's size and digest. Nothing is lost: the article after it is enriched and
/// both offsets are committed. `replay-dlq` then passes over the truncated copy while replaying
/// an ordinary dead letter.
#[test]
fn an_oversized_dead_letter_is_cut_to_fit_the_dlq_topic_and_never_replayed() {
    const BIG: usize = 1_020_000;
    const DLQ_MAX: usize = 400_000;
    let topics = Topics::create_with(
        "oversize",
        1,
        &[("max.message.bytes", "3000000")],
        &[("max.message.bytes", &DLQ_MAX.to_string())],
    );
    let big = random_letters(BIG, 0x5eed);
    let records = vec![
        RawRec::new("big-0", big.clone()).header(b"traceparent", Some(b"00-big-01")),
        article("ok-1", 1),
        broken_json("bad-2", 200),
    ];
    let offsets = produce_raw(&topics.input, &records, &[("message.max.bytes", "3000000")]);
    assert_eq!(offsets, [0, 1, 2]);

    let mut w = Worker::start("w", &WorkerOptions::new(&topics));
    let dead = consume_raw_while(&topics.dlq, 2, Duration::from_secs(120), || {
        w.assert_alive()
    });
    let copy = find(&dead, "big-0");
    assert_cut_dead_letter(|h| copy.header_str(h), &copy.value, &big, 0, DLQ_MAX);
    eprintln!("dead letter cut from {BIG} to {} bytes", copy.value.len());
    let bad = find(&dead, "bad-2");
    assert_eq!(
        bad.header_str("x-error-class").as_deref(),
        Some("invalid_json")
    );
    assert_eq!(
        bad.header_str("x-truncated"),
        None,
        "a small dead letter is not cut"
    );

    let out = consume_raw_while(&topics.output, 1, Duration::from_secs(60), || {
        w.assert_alive()
    });
    assert_eq!(doc(find(&out, "ok-1"))["id"], "ok-1");
    wait_committed(&topics.group, &topics.input, 3, Duration::from_secs(60));

    // Counted once, when the broker acknowledged the copy that landed (not per refused attempt).
    let m = w.wait_accounted(3, Duration::from_secs(30));
    assert_eq!(
        metric_with(&m, metrics::RECORDS_DLQ_TOTAL, "reason", "text_too_long"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(metric_sum(&m, metrics::RECORDS_DLQ_TOTAL), 2.0);
    assert_eq!(metric_sum(&m, metrics::RECORDS_PRODUCED_TOTAL), 1.0);
    assert!(
        w.log().contains("re-sending it cut shorter"),
        "the refusal and the re-send are logged"
    );

    // replay-dlq puts the ordinary dead letter back on the input topic, never the cut copy.
    let summary = replay_dlq(&topics, &[]);
    assert!(summary.starts_with("replayed 1 "), "{summary}");
    assert!(summary.contains(r#""truncated": 1"#), "{summary}");
    // The input now holds the three originals and the one replayed copy; the worker dead-letters
    // the copy again (still invalid JSON) and commits past it.
    wait_committed(&topics.group, &topics.input, 4, Duration::from_secs(60));
    let input = consume_raw(&topics.input, 4, Duration::from_secs(30));
    let keys: Vec<String> = input.iter().map(RawRec::key_str).collect();
    assert_eq!(keys, ["big-0", "ok-1", "bad-2", "bad-2"]);
    w.assert_alive();
}

/// The same 1,020,000-byte record with a DLQ topic that takes 3 MB: the producer (whose
/// `message.max.bytes` is derived from `limits.max_record_bytes`, above librdkafka's default of
/// 1,000,000) publishes the dead letter whole, not cut.
#[test]
fn a_large_dead_letter_the_dlq_topic_takes_is_published_whole() {
    const BIG: usize = 1_020_000;
    let topics = Topics::create_with(
        "bigdlq",
        1,
        &[("max.message.bytes", "3000000")],
        &[("max.message.bytes", "3000000")],
    );
    let big = random_letters(BIG, 0xb16);
    let records = vec![RawRec::new("big-0", big.clone()), article("ok-1", 1)];
    produce_raw(&topics.input, &records, &[("message.max.bytes", "3000000")]);

    let mut w = Worker::start("w", &WorkerOptions::new(&topics));
    let dead = consume_raw_while(&topics.dlq, 1, Duration::from_secs(120), || {
        w.assert_alive()
    });
    let copy = &dead[0];
    assert_eq!(
        copy.header_str("x-error-class").as_deref(),
        Some("text_too_long")
    );
    assert_eq!(copy.header_str("x-truncated"), None, "cut although it fits");
    assert_eq!(copy.value.len(), BIG);
    assert!(
        copy.value == big,
        "the dead letter carries the original bytes"
    );
    consume_raw_while(&topics.output, 1, Duration::from_secs(60), || {
        w.assert_alive()
    });
    wait_committed(&topics.group, &topics.input, 2, Duration::from_secs(60));
    w.assert_alive();
}

/// A header name of bytes that are not UTF-8 (ff fe) with a binary value, plus a header without a
/// value, on a good article and on invalid JSON: both are copied byte for byte (to the output and
/// to the dead letter), the records after them are enriched and committed, and the worker stays
/// live and ready.
#[test]
fn header_names_that_are_not_utf8_are_copied_byte_for_byte() {
    let topics = Topics::create("hdr", 1);
    let name: &[u8] = &[0xff, 0xfe];
    let value: &[u8] = &[0x00, 0xc3, 0x28, 0xff, 0x80];
    let hostile = |r: RawRec| r.header(name, Some(value)).header(b"no-value", None);
    let records = vec![
        hostile(article("h-0", 0)),
        hostile(broken_json("h-1", 100)),
        article("h-2", 2),
        article("h-3", 3),
    ];
    produce_raw(&topics.input, &records, &[]);

    let mut w = Worker::start("w", &WorkerOptions::new(&topics));
    let out = consume_raw_while(&topics.output, 3, Duration::from_secs(120), || {
        w.assert_alive()
    });
    let first = find(&out, "h-0");
    assert_eq!(
        header(first, name),
        Some(&Some(value.to_vec())),
        "{first:?}"
    );
    assert_eq!(header(first, b"no-value"), Some(&None), "{first:?}");
    for id in ["h-2", "h-3"] {
        assert_eq!(doc(find(&out, id))["id"], id);
    }
    let dead = consume_raw_while(&topics.dlq, 1, Duration::from_secs(30), || w.assert_alive());
    assert_eq!(dead[0].key_str(), "h-1");
    assert_eq!(
        dead[0].header_str("x-error-class").as_deref(),
        Some("invalid_json")
    );
    assert_eq!(header(&dead[0], name), Some(&Some(value.to_vec())));
    assert_eq!(header(&dead[0], b"no-value"), Some(&None));
    wait_committed(&topics.group, &topics.input, 4, Duration::from_secs(60));
    for path in ["/healthz", "/readyz"] {
        let (status, _, body) = w.get(path).expect("the HTTP port answers");
        assert_eq!(status, 200, "{path}: {body}");
    }
    w.assert_alive();
}

/// Batches compressed with zstd, lz4, snappy and gzip (in that order, one producer each) on one
/// partition are all read and enriched, and the partition is committed past the last one. The
/// worker's own output is zstd-compressed here (`kafka.compression`) and reads back.
#[test]
fn every_compression_codec_on_one_partition_is_read_in_order() {
    const PER: usize = 4;
    let codecs = ["zstd", "lz4", "snappy", "gzip"];
    let topics = Topics::create("codec", 1);
    let mut sent = Vec::new();
    for (c, codec) in codecs.iter().enumerate() {
        let batch: Vec<RawRec> = (0..PER)
            .map(|i| article(&format!("c-{codec}-{i}"), c * PER + i))
            .collect();
        let offsets = produce_raw(&topics.input, &batch, &[("compression.type", codec)]);
        sent.extend(batch.into_iter().zip(offsets));
    }
    let n = sent.len();

    let opts = WorkerOptions::new(&topics).env("NEWSENRICH__KAFKA__COMPRESSION", "zstd");
    let mut w = Worker::start("w", &opts);
    let out = consume_raw_while(&topics.output, n, Duration::from_secs(120), || {
        w.assert_alive()
    });
    for (rec, offset) in &sent {
        let d = doc(find(&out, &rec.key_str()));
        assert_eq!(d["id"], rec.key_str().as_str());
        assert_eq!(d["processing"]["source"]["offset"], *offset, "{d}");
    }
    // Per output partition, documents appear in input order.
    for p in 0..3 {
        let offsets: Vec<i64> = out
            .iter()
            .filter(|r| r.partition == p)
            .map(|r| doc(r)["processing"]["source"]["offset"].as_i64().unwrap())
            .collect();
        assert!(
            offsets.windows(2).all(|w| w[0] < w[1]),
            "partition {p}: {offsets:?}"
        );
    }
    wait_committed(
        &topics.group,
        &topics.input,
        n as i64,
        Duration::from_secs(60),
    );
    assert!(
        !w.log().contains("Not implemented"),
        "a codec was not decoded:\n{}",
        w.log()
    );
    w.assert_alive();
}

/// A dead letter larger than the DLQ topic takes even when cut short (`max.message.bytes` = 200,
/// less than its error headers) reaches neither topic: the worker holds its partition there (nothing at or past it is
/// committed, also not by the commit on shutdown), logs it as an error, and turns /readyz 503,
/// staying alive. SIGTERM still ends it within the drain cap.
#[test]
fn a_record_that_reaches_no_topic_holds_its_partition_and_fails_readiness() {
    let topics = Topics::create_with("stuck", 1, &[], &[("max.message.bytes", "200")]);
    let records = vec![
        article("s-0", 0),
        article("s-1", 1),
        broken_json("s-2", 10_000),
        article("s-3", 3),
    ];
    produce_raw(&topics.input, &records, &[]);

    let mut w = Worker::start("w", &WorkerOptions::new(&topics));
    let line = "record reached neither the output nor the dead-letter topic";
    w.wait_log(line, Duration::from_secs(120));
    let log = w.log();
    let error = log
        .lines()
        .find(|l| l.contains(line))
        .expect("the stuck line");
    assert!(error.contains("ERROR"), "logged as an error: {error}");
    assert!(error.contains("offset=2"), "names the record: {error}");
    let (status, _, body) = wait_for(Duration::from_secs(10), "/readyz 503", || {
        w.get("/readyz").filter(|(s, _, _)| *s == 503)
    });
    assert!(body.contains("neither"), "/readyz {status}: {body}");

    // The records before it are committed (auto-commit runs every 5 s), the stuck one and the
    // good one after it are not, however long we wait.
    let first = wait_for(Duration::from_secs(30), "a commit", || {
        Some(committed_offset(&topics.group, &topics.input)).filter(|&o| o >= 2)
    });
    assert_eq!(first, 2, "committed past the record that reached no topic");
    let until = Instant::now() + Duration::from_secs(7);
    while Instant::now() < until {
        w.assert_alive();
        assert_eq!(committed_offset(&topics.group, &topics.input), 2);
        assert_eq!(w.get("/readyz").map(|r| r.0), Some(503));
        std::thread::sleep(Duration::from_millis(500));
    }
    let m = w.metrics();
    assert_eq!(metric_sum(&m, metrics::RECORDS_DLQ_TOTAL), 0.0, "{m}");
    assert_eq!(metric_sum(&m, metrics::RECORDS_PRODUCED_TOTAL), 2.0, "{m}");

    let t0 = Instant::now();
    w.sigterm();
    let st = w
        .wait_exit(EXIT_LIMIT)
        .unwrap_or_else(|| panic!("still running {EXIT_LIMIT:?} after SIGTERM"));
    eprintln!("stuck worker exited {st} {:?} after SIGTERM", t0.elapsed());
    assert_eq!(st.code(), Some(0), "exit status after SIGTERM: {st}");
    assert_eq!(
        committed_offset(&topics.group, &topics.input),
        2,
        "the shutdown commit passed the stuck record"
    );
}

/// Exactly-once mode: another producer takes over the worker's `transactional.id` (its
/// `init_transactions` fences the worker's producer, a fatal error in librdkafka). The worker does
/// not retry forever with green probes: it exits non-zero, and a restarted worker enriches
/// everything, each article once for a read_committed reader of what it read.
#[test]
fn a_fenced_transactional_producer_makes_the_worker_exit_non_zero() {
    use common::articles::{good_batch, ids};
    use common::{consume_ids, key_counts, produce};
    use rdkafka::config::ClientConfig;
    use rdkafka::producer::{BaseProducer, Producer};

    let topics = Topics::create("fenced", 1);
    let opts = WorkerOptions::new(&topics).env("NEWSENRICH__KAFKA__DELIVERY", "exactly_once");
    let mut sent = produce(&topics.input, good_batch("fa", 0, 20));
    let mut w = Worker::start("w1", &opts);
    consume_ids(
        &topics.output,
        &ids(&sent),
        Duration::from_secs(120),
        || w.assert_alive(),
    );
    let log = w.log();
    let id = log
        .lines()
        .find(|l| l.contains("exactly-once: transactional producer"))
        .and_then(|l| l.split("transactional_id=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| panic!("no transactional id in the log:\n{log}"));
    eprintln!("fencing transactional.id {id}");
    let fencer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("transactional.id", &id)
        .create()
        .expect("fencing producer");
    fencer
        .init_transactions(Duration::from_secs(30))
        .expect("init_transactions with the worker's id");

    // More work makes the worker use its fenced producer.
    let t0 = Instant::now();
    sent.extend(produce(&topics.input, good_batch("fb", 0, 20)));
    let st = w
        .wait_exit(Duration::from_secs(60))
        .unwrap_or_else(|| panic!("worker still running 60 s after it was fenced"));
    eprintln!(
        "fenced worker exited {st} {:?} after the new records",
        t0.elapsed()
    );
    for line in w
        .log()
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("WARN"))
    {
        eprintln!("[w1] {line}");
    }
    assert_ne!(st.code(), Some(0), "exit status of a fenced worker: {st}");
    assert!(st.code().is_some(), "ended by a signal: {st}");
    assert!(w.log().contains("fenced"), "the log names the cause");
    drop(fencer);

    let mut w2 = Worker::start("w2", &opts);
    let out = consume_ids(
        &topics.output,
        &ids(&sent),
        Duration::from_secs(120),
        || w2.assert_alive(),
    );
    let dups: Vec<_> = key_counts(&out)
        .into_iter()
        .filter(|(_, c)| *c > 1)
        .collect();
    assert!(dups.is_empty(), "read_committed duplicates: {dups:?}");
    w2.assert_alive();
}
