//! `kafka.delivery = "exactly_once"` on the real local broker: what a `read_committed` reader of the
//! output and of the DLQ sees is every article exactly once, also across a SIGKILL and restart.
//! Needs `scripts/kafka start` (scripts/test does it).
//!
//! "Exactly once" can only be checked once nothing more can arrive, so every test first waits until
//! the worker group has committed the input up to its end (the offsets are committed inside the same
//! transactions as the output), then appends an end marker to every partition of the output and DLQ
//! topics and reads them `read_committed` from the beginning up to the markers: a marker becomes
//! visible only after every transaction written before it ended, so what was read is everything.
//! Records of aborted transactions (visible to `read_uncommitted` readers) are only reported.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::articles::{entity_dense_text, good_batch, ids, json};
use common::raw::{produce_raw, RawRec};
use common::{
    assert_cut_dead_letter, block_on, bootstrap, committed_on, consume_ids, consume_until,
    high_watermarks, key_counts, metric_sum, metric_with, produce, random_letters,
    set_topic_config, unique, Rec, Topics, Worker, WorkerOptions,
};
use newsenrich::service::metrics;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// A crashed worker's open transaction holds back read_committed readers (and the group's committed
/// offsets) until the broker aborts it: the worker's transaction.timeout.ms (10 s) plus up to one
/// pass of the broker's abort check (10 s by default), plus the group noticing the dead member.
const AFTER_CRASH: Duration = Duration::from_secs(60);

fn exactly_once(topics: &Topics) -> WorkerOptions {
    WorkerOptions::new(topics).env("NEWSENRICH__KAFKA__DELIVERY", "exactly_once")
}

/// Waits until the group has committed every input partition up to its end: every transaction
/// that carries output for these records has then been committed too.
fn wait_input_committed(topics: &Topics, timeout: Duration, mut check: impl FnMut()) {
    let ends = high_watermarks(&topics.input);
    let parts: Vec<i32> = ends.keys().copied().collect();
    // Not subscribed, so it never joins (or disturbs) the worker's group; it only asks.
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("group.id", &topics.group)
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .create()
        .expect("offset-fetch consumer");
    let mut last = BTreeMap::new();
    let deadline = Instant::now() + timeout;
    loop {
        check();
        if let Some(c) = committed_on(&consumer, &topics.input, &parts) {
            // An empty partition has nothing to commit.
            if ends
                .iter()
                .all(|(p, end)| *end == 0 || c.get(p) == Some(end))
            {
                return;
            }
            last = c;
        }
        if Instant::now() >= deadline {
            panic!(
                "timed out after {timeout:?}: group {} committed {last:?} on the input, its end \
                 offsets are {ends:?} (exactly-once commits input offsets with each transaction)",
                topics.group
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Appends a non-transactional marker record (key = `marker`) to every partition of `topic`.
fn append_markers(topic: &str, marker: &str) -> usize {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("acks", "all")
        .set("message.timeout.ms", "30000")
        .create()
        .expect("marker producer");
    let parts: Vec<i32> = high_watermarks(topic).into_keys().collect();
    for p in &parts {
        let rec = FutureRecord::to(topic)
            .partition(*p)
            .key(marker)
            .payload("end of test input");
        if let Err((e, _)) = block_on(producer.send(rec, Duration::from_secs(30))) {
            panic!("marker to {topic}/{p}: {e}");
        }
    }
    parts.len()
}

/// Everything committed on `topic` so far, read with isolation.level=read_committed: appends
/// markers and reads from the beginning until every partition's marker arrived. Markers are left
/// out of the result.
fn read_all_committed(topic: &str, timeout: Duration) -> Vec<Rec> {
    let marker = unique("end-marker");
    let parts = append_markers(topic, &marker);
    let recs = consume_until(
        topic,
        timeout,
        &format!("the end markers of all {parts} partitions (read_committed)"),
        |recs| {
            let seen: BTreeSet<i32> = recs
                .iter()
                .filter(|r| r.key_str().as_deref() == Some(marker.as_str()))
                .map(|r| r.partition)
                .collect();
            seen.len() == parts
        },
    );
    recs.into_iter()
        .filter(|r| r.key_str().as_deref() != Some(marker.as_str()))
        .collect()
}

/// How many records a read_uncommitted reader sees on `topic` now (aborted ones included). For
/// the log only: what an uncommitted reader sees is not part of the contract.
fn count_uncommitted(topic: &str) -> usize {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("group.id", unique("uncommitted-reader"))
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_uncommitted")
        .set("enable.partition.eof", "true")
        .create()
        .expect("read_uncommitted consumer");
    let ends = high_watermarks(topic);
    let mut tpl = TopicPartitionList::new();
    for p in ends.keys() {
        tpl.add_partition_offset(topic, *p, Offset::Beginning)
            .expect("partition offset");
    }
    consumer.assign(&tpl).expect("assign");
    let (mut n, mut eof) = (0, BTreeSet::new());
    let deadline = Instant::now() + Duration::from_secs(15);
    while eof.len() < ends.len() && Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(_)) => n += 1,
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(p))) => {
                eof.insert(p);
            }
            _ => {}
        }
    }
    n
}

/// Asserts every key in `want` occurs exactly once in `got` and nothing else does.
fn assert_exactly_once(what: &str, got: &[Rec], want: &[String]) {
    let counts = key_counts(got);
    let dups: Vec<(&String, &usize)> = counts.iter().filter(|(_, c)| **c > 1).collect();
    let want_set: BTreeSet<&str> = want.iter().map(String::as_str).collect();
    let missing: Vec<&&str> = want_set
        .iter()
        .filter(|k| !counts.contains_key(**k))
        .collect();
    let extra: Vec<&String> = counts
        .keys()
        .filter(|k| !want_set.contains(k.as_str()))
        .collect();
    assert!(
        dups.is_empty() && missing.is_empty() && extra.is_empty(),
        "{what}: {} records for {} ids; {} duplicated (first: {:?}), {} missing (first: {:?}), \
         {} unexpected (first: {:?})",
        got.len(),
        want.len(),
        dups.len(),
        dups.iter().take(5).collect::<Vec<_>>(),
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>(),
        extra.len(),
        extra.iter().take(5).collect::<Vec<_>>(),
    );
    assert_eq!(got.len(), want.len(), "{what}: record count");
}

/// Bad records of a few kinds with the class the DLQ must name.
fn bad_records() -> Vec<(Rec, &'static str)> {
    vec![
        (
            Rec::new(
                Some("eos-bad-json"),
                r#"{"id": "eos-bad-json", "body": "cut"#,
            ),
            "invalid_json",
        ),
        (
            Rec::new(
                Some("eos-bad-number"),
                r#"{"id": "eos-bad-number", "body": 7}"#,
            ),
            "invalid_envelope",
        ),
        (
            Rec::new(
                Some("eos-bad-empty"),
                r#"{"id": "eos-bad-empty", "body": ""}"#,
            ),
            "empty_text",
        ),
        (
            Rec::new(
                Some("eos-bad-utf8"),
                b"Port talks in Gdansk \xff\xfe stall".to_vec(),
            ),
            "invalid_utf8",
        ),
    ]
}

#[test]
fn exactly_once_every_article_once_and_bad_records_in_the_dlq() {
    const GOOD: usize = 400;
    let topics = Topics::create("eos-basic", 3);
    // Bad records sit between good ones, so dead letters and documents share transactions.
    let mut recs = good_batch("eb", 0, GOOD);
    let mut classes = HashMap::new();
    for (i, (bad, class)) in bad_records().into_iter().enumerate() {
        classes.insert(bad.key_str().unwrap(), class);
        recs.insert(30 + i * 90, bad.header("traceparent", "00-bad-01"));
    }
    let sent = produce(&topics.input, recs);
    let good_ids: Vec<String> = ids(&sent)
        .into_iter()
        .filter(|k| !classes.contains_key(k))
        .collect();
    let bad_ids: Vec<String> = classes.keys().cloned().collect();
    let by_id: HashMap<String, &Rec> = sent.iter().map(|r| (r.key_str().unwrap(), r)).collect();

    let mut w = Worker::start("w", &exactly_once(&topics));
    consume_ids(&topics.output, &good_ids, Duration::from_secs(120), || {
        w.assert_alive()
    });
    let m = w.wait_accounted(sent.len() as u64, Duration::from_secs(60));
    wait_input_committed(&topics, Duration::from_secs(30), || w.assert_alive());

    let out = read_all_committed(&topics.output, Duration::from_secs(30));
    assert_exactly_once("output (read_committed)", &out, &good_ids);
    for doc in &out {
        let key = doc.key_str().unwrap();
        let input = by_id[&key];
        let v = doc.json();
        assert_eq!(v["id"], key.as_str(), "output key must equal the id");
        let src = &v["processing"]["source"];
        assert_eq!(
            (src["partition"].as_i64(), src["offset"].as_i64()),
            (Some(input.partition as i64), Some(input.offset)),
            "{key}: processing.source must name its input record"
        );
        assert_eq!(
            doc.header_str("traceparent"),
            input.header_str("traceparent"),
            "{key}: headers carried"
        );
    }

    let dlq = read_all_committed(&topics.dlq, Duration::from_secs(30));
    assert_exactly_once("DLQ (read_committed)", &dlq, &bad_ids);
    for d in &dlq {
        let key = d.key_str().unwrap();
        let input = by_id[&key];
        assert_eq!(d.value, input.value, "{key}: DLQ keeps the original bytes");
        assert_eq!(
            d.header_str("x-error-class").as_deref(),
            Some(classes[&key]),
            "{key}: x-error-class"
        );
        assert_eq!(
            d.header_str("x-src-offset"),
            Some(input.offset.to_string()),
            "{key}: x-src-offset"
        );
    }

    assert_eq!(metric_sum(&m, metrics::RECORDS_PRODUCED_TOTAL), GOOD as f64);
    assert_eq!(
        metric_sum(&m, metrics::RECORDS_DLQ_TOTAL),
        bad_ids.len() as f64
    );
    let m = w.metrics();
    let ok = metric_with(&m, metrics::OFFSET_COMMITS_TOTAL, "result", "ok").unwrap_or(0.0);
    let err = metric_with(&m, metrics::OFFSET_COMMITS_TOTAL, "result", "error").unwrap_or(0.0);
    eprintln!("transactions committed: {ok}, failed: {err}");
    assert!(
        ok >= 1.0,
        "offset_commits_total{{result=\"ok\"}} counts transaction commits: {ok}"
    );
    assert_eq!(err, 0.0, "no transaction may fail on a healthy broker");

    // A clean stop in this mode commits the open transaction and exits 0.
    w.sigterm();
    let st = w.wait_exit(Duration::from_secs(15));
    assert_eq!(st.and_then(|s| s.code()), Some(0), "exit after SIGTERM");
}

#[test]
fn exactly_once_sigkill_mid_stream_then_restart_no_duplicates() {
    const N: usize = 1200;
    let topics = Topics::create("eos-kill9", 3);
    let sent = produce(&topics.input, good_batch("ek", 0, N));
    let want = ids(&sent);
    let opts = exactly_once(&topics);

    let mut w1 = Worker::start("w1", &opts);
    let before = w1.wait_produced(100.0, Duration::from_secs(90));
    w1.sigkill();
    let killed = Instant::now();
    eprintln!("killed w1 with SIGKILL after {before} of {N} documents were acknowledged");
    if before >= N as f64 {
        eprintln!("warning: w1 finished before the kill; the restart had nothing to redo");
    }

    let mut w2 = Worker::start("w2", &opts);
    consume_ids(&topics.output, &want, AFTER_CRASH, || w2.assert_alive());
    eprintln!(
        "every id visible to read_committed {:?} after the kill",
        killed.elapsed()
    );
    wait_input_committed(&topics, Duration::from_secs(30), || w2.assert_alive());
    let out = read_all_committed(&topics.output, Duration::from_secs(30));
    let uncommitted = count_uncommitted(&topics.output);
    eprintln!(
        "read_committed: {} documents for {N} ids; read_uncommitted sees {uncommitted} records \
         (aborted ones included; not asserted)",
        out.len()
    );
    assert_exactly_once(
        "output after SIGKILL + restart (read_committed)",
        &out,
        &want,
    );
    w2.assert_alive();
}

#[test]
fn exactly_once_sigterm_mid_stream_then_restart_no_duplicates() {
    const N: usize = 800;
    let topics = Topics::create("eos-term", 3);
    let sent = produce(&topics.input, good_batch("et", 0, N));
    let want = ids(&sent);
    let opts = exactly_once(&topics);

    let mut w1 = Worker::start("w1", &opts);
    let before = w1.wait_produced(100.0, Duration::from_secs(90));
    w1.sigterm();
    eprintln!("sent SIGTERM to w1 after {before} of {N} documents");
    let st = w1.wait_exit(Duration::from_secs(15));
    assert_eq!(
        st.and_then(|s| s.code()),
        Some(0),
        "w1 must drain, commit its transaction and exit 0 after SIGTERM"
    );

    let mut w2 = Worker::start("w2", &opts);
    consume_ids(&topics.output, &want, Duration::from_secs(60), || {
        w2.assert_alive()
    });
    wait_input_committed(&topics, Duration::from_secs(30), || w2.assert_alive());
    let out = read_all_committed(&topics.output, Duration::from_secs(30));
    assert_exactly_once(
        "output after SIGTERM + restart (read_committed)",
        &out,
        &want,
    );
    w2.assert_alive();
}

#[test]
fn exactly_once_second_worker_joins_then_first_is_killed_no_duplicates() {
    let topics = Topics::create("eos-group", 4);
    let mut sent = produce(&topics.input, good_batch("eg", 0, 300));
    let opts = exactly_once(&topics);

    let mut a = Worker::start("a", &opts);
    a.wait_produced(100.0, Duration::from_secs(90));
    // The join makes `a` give partitions up mid-stream (drain, commit in the revocation); records
    // keep coming until `b` publishes too, so the hand-over happens under load.
    let mut b = Worker::start("b", &opts);
    let deadline = Instant::now() + Duration::from_secs(60);
    while b.metric(metrics::RECORDS_PRODUCED_TOTAL) < 20.0 {
        a.assert_alive();
        b.assert_alive();
        assert!(
            Instant::now() < deadline,
            "[b] published nothing 60 s after joining the group: partitions not shared"
        );
        let n = sent.len();
        sent.extend(produce(&topics.input, good_batch("eg", n, 50)));
        std::thread::sleep(Duration::from_millis(300));
    }
    // Then `a` dies with a transaction open while more arrives: `b` must end up with every record
    // exactly once.
    let n = sent.len();
    sent.extend(produce(&topics.input, good_batch("eg", n, 300)));
    let by_a = a.metric(metrics::RECORDS_PRODUCED_TOTAL);
    a.sigkill();
    eprintln!(
        "killed a with SIGKILL after it published {by_a} of {}",
        sent.len()
    );

    let want = ids(&sent);
    consume_ids(&topics.output, &want, AFTER_CRASH, || b.assert_alive());
    wait_input_committed(&topics, Duration::from_secs(30), || b.assert_alive());
    let out = read_all_committed(&topics.output, Duration::from_secs(30));
    eprintln!(
        "read_committed: {} documents for {} ids; read_uncommitted sees {}",
        out.len(),
        want.len(),
        count_uncommitted(&topics.output)
    );
    assert_exactly_once(
        "output after a join and a SIGKILL (read_committed)",
        &out,
        &want,
    );
    b.assert_alive();
}

#[test]
fn exactly_once_output_refused_by_the_producer_is_a_dead_letter_not_a_crash_loop() {
    // A producer limit the ordinary documents (~1.5 kB) fit in and one entity-dense article's
    // document (~145 kB) does not, while its original bytes (~55 kB) still fit in a dead letter:
    // records up to 60 kB accepted, so the producer takes 60 kB + 64 KiB of headroom for a dead
    // letter's headers (the smallest limit the configuration allows). The same happens without any
    // setting to a legal article of a few hundred kB whose document grows past 1 MiB + 64 KiB.
    let topics = Topics::create("eos-too-big", 3);
    let dense = "Maria Okafor met Daniel Brandt of Northwind Energy in Lisbon. ".repeat(880);
    let big_id = "eos-big-output";
    let mut recs = good_batch("eo", 0, 100);
    recs.insert(
        50,
        Rec::new(
            Some(big_id),
            serde_json::json!({"id": big_id, "body": dense}).to_string(),
        ),
    );
    let sent = produce(&topics.input, recs);
    let good_ids: Vec<String> = ids(&sent).into_iter().filter(|k| k != big_id).collect();

    let opts = exactly_once(&topics)
        .env("NEWSENRICH__LIMITS__MAX_RECORD_BYTES", "60000")
        .env(
            "NEWSENRICH__KAFKA__PRODUCER_EXTRA__MESSAGE__MAX__BYTES",
            "125536",
        );
    let mut w = Worker::start("w", &opts);
    let dlq = consume_until(
        &topics.dlq,
        Duration::from_secs(60),
        "the oversized document's article in the DLQ",
        |recs| {
            w.assert_alive();
            !recs.is_empty()
        },
    );
    assert_eq!(dlq[0].key_str().as_deref(), Some(big_id), "DLQ record key");
    assert_eq!(
        dlq[0].header_str("x-error-class").as_deref(),
        Some("output_rejected"),
        "x-error-class of an output Kafka refused"
    );
    assert_stream_went_on_around(&topics, &mut w, &good_ids, big_id);
    let m = w.metrics();
    assert_eq!(
        metric_with(&m, metrics::OFFSET_COMMITS_TOTAL, "result", "error"),
        Some(0.0),
        "no transaction may fail over a record the producer refused"
    );
    w.assert_alive();
}

#[test]
fn exactly_once_output_refused_by_the_broker_is_a_dead_letter_and_the_stream_goes_on() {
    // The output topic takes at most 8 kB per record batch; the ordinary documents (~1.5 kB) fit,
    // the document of an article naming 300 distinct people does not. The producer itself has no
    // such limit, so only the broker refuses it, inside a transaction that then has to be aborted.
    // (batch.size below the topic limit, as the README asks: else a batch of small documents is
    // refused as a whole.)
    let topics = Topics::create("eos-broker-refuses", 3);
    set_topic_config(&topics.output, &[("max.message.bytes", "8192")]);
    let dense_id = "eos-dense";
    let dense = entity_dense_text(300);
    let mut recs = good_batch("eb", 0, 10);
    recs.insert(
        5,
        Rec::new(
            Some(dense_id),
            serde_json::json!({"id": dense_id, "body": dense}).to_string(),
        ),
    );
    let sent = produce(&topics.input, recs);
    let good_ids: Vec<String> = ids(&sent).into_iter().filter(|k| k != dense_id).collect();
    assert_eq!(good_ids.len(), 10);

    let opts = exactly_once(&topics).env("NEWSENRICH__KAFKA__PRODUCER_EXTRA__BATCH__SIZE", "8000");
    let mut w = Worker::start("w", &opts);
    let dlq = consume_until(
        &topics.dlq,
        Duration::from_secs(90),
        "the dense article in the DLQ",
        |recs| {
            w.assert_alive();
            !recs.is_empty()
        },
    );
    assert_eq!(
        dlq[0].key_str().as_deref(),
        Some(dense_id),
        "DLQ record key"
    );
    assert_eq!(
        dlq[0].header_str("x-error-class").as_deref(),
        Some("output_rejected"),
        "x-error-class of an output the broker refused"
    );
    let why = dlq[0].header_str("x-error").unwrap_or_default();
    assert!(
        why.to_lowercase().contains("too large"),
        "x-error names the broker error: {why}"
    );
    assert_stream_went_on_around(&topics, &mut w, &good_ids, dense_id);
    assert!(
        w.log().contains("kafka refused the output of a record"),
        "the rewind is logged"
    );
    w.assert_alive();
}

/// A 1,020,000-byte plain-text record (over `limits.max_text_chars`, so it is dead-lettered as
/// it is) with a DLQ topic whose `max.message.bytes` is 400,000: the broker refuses the dead
/// letter inside the transaction, which is aborted and replayed with the dead letter cut shorter
/// (again, if refused again) until it lands, marked as truncated with the original's size and
/// digest. The articles around it are on the output once and the input is committed to its end,
/// not stuck behind the record in an abort loop.
#[test]
fn exactly_once_a_dead_letter_too_large_for_the_dlq_topic_is_cut_to_fit_and_the_stream_goes_on() {
    const BIG: usize = 1_020_000;
    const DLQ_MAX: usize = 400_000;
    let topics = Topics::create_with(
        "eos-oversized-dead-letter",
        1,
        &[("max.message.bytes", "3000000")],
        &[("max.message.bytes", &DLQ_MAX.to_string())],
    );
    let big = random_letters(BIG, 0x5eed);
    let big_id = "eos-big-dead";
    let good_ids: Vec<String> = (0..6).map(|n| format!("eos-around-{n}")).collect();
    let mut records: Vec<RawRec> = good_ids
        .iter()
        .enumerate()
        .map(|(n, id)| RawRec::new(id, json(id, n)))
        .collect();
    records.insert(
        3,
        RawRec::new(big_id, big.clone()).header(b"traceparent", Some(b"00-big-01")),
    );
    let offsets = produce_raw(&topics.input, &records, &[("message.max.bytes", "3000000")]);
    assert_eq!(offsets, [0, 1, 2, 3, 4, 5, 6]);

    let mut w = Worker::start("w", &exactly_once(&topics));
    consume_ids(&topics.output, &good_ids, Duration::from_secs(120), || {
        w.assert_alive()
    });
    wait_input_committed(&topics, Duration::from_secs(60), || w.assert_alive());
    let out = read_all_committed(&topics.output, Duration::from_secs(30));
    assert_exactly_once("output around the oversized dead letter", &out, &good_ids);
    let dlq = read_all_committed(&topics.dlq, Duration::from_secs(30));
    assert_exactly_once("DLQ", &dlq, &[big_id.to_string()]);
    let copy = &dlq[0];
    assert_cut_dead_letter(|h| copy.header_str(h), &copy.value, &big, 3, DLQ_MAX);
    eprintln!(
        "dead letter cut from {BIG} to {} bytes; a read_uncommitted reader sees {} records on \
         the DLQ (aborted ones and the end marker included)",
        copy.value.len(),
        count_uncommitted(&topics.dlq)
    );
    assert!(
        w.log().contains("re-sending it cut shorter"),
        "the refusal and the cut are logged"
    );
    let m = w.metrics();
    assert_eq!(
        metric_with(&m, metrics::RECORDS_DLQ_TOTAL, "reason", "text_too_long"),
        Some(1.0),
        "counted once, when the copy that landed was acknowledged: {m}"
    );
    w.assert_alive();
}

/// After a refused document: every good id on the output and the refused one in the DLQ, each
/// exactly once for a read_committed reader, and the input committed to the end.
fn assert_stream_went_on_around(
    topics: &Topics,
    w: &mut Worker,
    good_ids: &[String],
    refused: &str,
) {
    consume_ids(&topics.output, good_ids, Duration::from_secs(60), || {
        w.assert_alive()
    });
    wait_input_committed(topics, Duration::from_secs(30), || w.assert_alive());
    let out = read_all_committed(&topics.output, Duration::from_secs(30));
    assert_exactly_once("output around a refused document", &out, good_ids);
    let dlq = read_all_committed(&topics.dlq, Duration::from_secs(30));
    assert_exactly_once("DLQ", &dlq, &[refused.to_string()]);
}
