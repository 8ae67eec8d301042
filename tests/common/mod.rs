//! Shared helpers for the black-box tests: they run the real `newsenrich` binary against the real
//! local Kafka broker that `scripts/kafka start` runs (KAFKA_BOOTSTRAP, default 127.0.0.1:9092).
//! Every test makes its own topics and consumer group, so tests are independent and run in parallel.
//! Every wait is bounded and fails with a message that says what did not happen.
#![allow(dead_code)] // each test crate uses a different subset of these helpers

pub mod articles;
pub mod broker;
pub mod raw;
pub mod secure;
pub mod worker;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[allow(unused_imports)] // not every test crate starts workers
pub use worker::{Worker, WorkerOptions};

/// The broker the tests talk to.
pub fn bootstrap() -> String {
    std::env::var("KAFKA_BOOTSTRAP").unwrap_or_else(|_| "127.0.0.1:9092".to_string())
}

/// Fails the calling test (never skips it) when the broker does not answer a metadata request.
pub fn require_broker() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let result = CHECKED.get_or_init(|| {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap())
            .create()
            .map_err(|e| e.to_string())?;
        consumer
            .fetch_metadata(None, Duration::from_secs(15))
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    if let Err(e) = result {
        panic!(
            "Kafka is not reachable at {} ({e}). These tests need the real local broker: run \
             `scripts/kafka start` (or the whole suite with `scripts/test`), or set KAFKA_BOOTSTRAP.",
            bootstrap()
        );
    }
}

/// A name no other test, run or process uses: topics and groups are never shared between tests.
pub fn unique(prefix: &str) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "t-{prefix}-{}-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime for the test's Kafka calls")
        .block_on(fut)
}

/// Fresh input, output and DLQ topics plus a group id for one test. The topics are deleted when the
/// last clone is dropped, unless the test failed (then they are kept for a look).
#[derive(Debug, Clone)]
pub struct Topics {
    pub input: String,
    pub output: String,
    pub dlq: String,
    pub group: String,
    pub partitions: i32,
    cleanup: Option<Arc<TopicCleanup>>,
}

#[derive(Debug)]
struct TopicCleanup {
    bootstrap: String,
    topics: Vec<String>,
}

impl Drop for TopicCleanup {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test failed: keeping topics {:?}", self.topics);
            return;
        }
        // Best effort: a dev broker should not pile up thousands of test topics over many runs.
        let Ok(admin) = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .create::<AdminClient<DefaultClientContext>>()
        else {
            return;
        };
        let names: Vec<&str> = self.topics.iter().map(String::as_str).collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        let _ = block_on(admin.delete_topics(&names, &opts));
    }
}

impl Topics {
    /// Unique names only; nothing is created (e.g. for a worker pointed at no broker).
    pub fn names(test: &str, partitions: i32) -> Self {
        let base = unique(test);
        Topics {
            input: format!("{base}.in"),
            output: format!("{base}.out"),
            dlq: format!("{base}.in.dlq"),
            group: format!("{base}.group"),
            partitions,
            cleanup: None,
        }
    }

    /// Creates the three topics (input with `partitions` partitions, output and DLQ with 3) and waits
    /// until the broker serves all of them.
    pub fn create(test: &str, partitions: i32) -> Self {
        require_broker();
        Topics::create_on(&bootstrap(), test, partitions)
    }

    /// Like `create`, on the broker at `bootstrap`.
    pub fn create_on(bootstrap: &str, test: &str, partitions: i32) -> Self {
        Topics::create_with_on(bootstrap, test, partitions, &[], &[])
    }

    /// Like `create`, with topic-level configs (e.g. `max.message.bytes`) for the input and the
    /// DLQ topic, set when they are created (no window in which the broker has the defaults).
    pub fn create_with(
        test: &str,
        partitions: i32,
        input_configs: &[(&str, &str)],
        dlq_configs: &[(&str, &str)],
    ) -> Self {
        require_broker();
        Topics::create_with_on(&bootstrap(), test, partitions, input_configs, dlq_configs)
    }

    fn create_with_on(
        bootstrap: &str,
        test: &str,
        partitions: i32,
        input_configs: &[(&str, &str)],
        dlq_configs: &[(&str, &str)],
    ) -> Self {
        let mut t = Topics::names(test, partitions);
        create_configured_topics_on(
            bootstrap,
            &[
                (&t.input, partitions, input_configs),
                (&t.output, 3, &[]),
                (&t.dlq, 3, dlq_configs),
            ],
        );
        t.cleanup = Some(Arc::new(TopicCleanup {
            bootstrap: bootstrap.to_string(),
            topics: vec![t.input.clone(), t.output.clone(), t.dlq.clone()],
        }));
        t
    }
}

/// Sets topic-level configs (e.g. `max.message.bytes`) on an existing topic of the default broker.
pub fn set_topic_config(topic: &str, configs: &[(&str, &str)]) {
    use rdkafka::admin::{AlterConfig, ResourceSpecifier};
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .create()
        .expect("admin client");
    let mut alter = AlterConfig::new(ResourceSpecifier::Topic(topic));
    for (k, v) in configs {
        alter = alter.set(k, v);
    }
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    let results = block_on(admin.alter_configs([&alter], &opts))
        .unwrap_or_else(|e| panic!("alter configs of {topic}: {e}"));
    for r in results {
        if let Err((_, code)) = r {
            panic!("alter configs of {topic}: {code}");
        }
    }
}

pub fn create_topics(topics: &[(&str, i32)]) {
    create_topics_on(&bootstrap(), topics)
}

pub fn create_topics_on(bootstrap: &str, topics: &[(&str, i32)]) {
    let with: Vec<(&str, i32, TopicConfigs)> = topics
        .iter()
        .map(|(name, parts)| (*name, *parts, &[][..]))
        .collect();
    create_configured_topics_on(bootstrap, &with)
}

/// Topic-level configs as (name, value) pairs, e.g. `("max.message.bytes", "1000")`.
pub type TopicConfigs<'a> = &'a [(&'a str, &'a str)];

/// Creates topics (name, partitions, topic-level configs) and waits until each has leaders.
pub fn create_configured_topics_on(bootstrap: &str, topics: &[(&str, i32, TopicConfigs)]) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin client");
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|(name, parts, configs)| {
            configs.iter().fold(
                NewTopic::new(name, *parts, TopicReplication::Fixed(1)),
                |t, (k, v)| t.set(k, v),
            )
        })
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    let results = block_on(admin.create_topics(new.iter(), &opts))
        .unwrap_or_else(|e| panic!("create topics {topics:?}: {e}"));
    for r in results {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => panic!("create topic {name}: {code}"),
        }
    }
    // Creation is asynchronous in the cluster: wait until every partition has a leader.
    for (name, parts, _) in topics {
        wait_for(
            Duration::from_secs(30),
            &format!("topic {name} to have {parts} partitions with leaders"),
            || {
                let md = admin
                    .inner()
                    .fetch_metadata(Some(name), Duration::from_secs(5))
                    .ok()?;
                let topic = md.topics().iter().find(|t| t.name() == *name)?;
                let ready = topic.error().is_none()
                    && topic.partitions().len() == *parts as usize
                    && topic.partitions().iter().all(|p| p.leader() >= 0);
                ready.then_some(())
            },
        );
    }
}

/// Polls `f` every 100 ms until it returns `Some`, or panics naming `what` after `timeout`.
pub fn wait_for<T>(timeout: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One Kafka record as the tests produce or read it.
#[derive(Debug, Clone, Default)]
pub struct Rec {
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    /// Set once produced (from the delivery report) or when consumed.
    pub partition: i32,
    pub offset: i64,
}

impl Rec {
    pub fn new(key: Option<&str>, value: impl Into<Vec<u8>>) -> Self {
        Rec {
            key: key.map(|k| k.as_bytes().to_vec()),
            value: value.into(),
            ..Rec::default()
        }
    }

    pub fn header(mut self, key: &str, value: &str) -> Self {
        self.headers
            .push((key.to_string(), value.as_bytes().to_vec()));
        self
    }

    pub fn key_str(&self) -> Option<String> {
        self.key
            .as_ref()
            .map(|k| String::from_utf8_lossy(k).into_owned())
    }

    /// The value of the last header named `key`, as text.
    pub fn header_str(&self, key: &str) -> Option<String> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.value).unwrap_or_else(|e| {
            panic!(
                "record at {}/{} is not JSON ({e}): {}",
                self.partition,
                self.offset,
                String::from_utf8_lossy(&self.value)
            )
        })
    }
}

fn producer(bootstrap: &str) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("message.timeout.ms", "30000")
        .create()
        .expect("test producer")
}

/// Produces `records` in order, waits for every delivery report, and returns them with the partition
/// and offset the broker gave each.
pub fn produce(topic: &str, records: Vec<Rec>) -> Vec<Rec> {
    produce_on(&bootstrap(), topic, records)
}

pub fn produce_on(bootstrap: &str, topic: &str, records: Vec<Rec>) -> Vec<Rec> {
    let producer = producer(bootstrap);
    let mut pending = Vec::with_capacity(records.len());
    for rec in &records {
        let mut headers = OwnedHeaders::new();
        for (k, v) in &rec.headers {
            headers = headers.insert(Header {
                key: k,
                value: Some(v),
            });
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut record = FutureRecord::to(topic)
                .payload(&rec.value)
                .headers(headers.clone());
            if let Some(k) = &rec.key {
                record = record.key(k);
            }
            match producer.send_result(record) {
                Ok(fut) => {
                    pending.push(fut);
                    break;
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _))
                    if Instant::now() < deadline =>
                {
                    producer.poll(Duration::from_millis(50));
                }
                Err((e, _)) => panic!("producing to {topic}: {e}"),
            }
        }
    }
    let mut out = records;
    for (rec, fut) in out.iter_mut().zip(pending) {
        let delivery = match block_on(fut) {
            Ok(Ok(d)) => d,
            Ok(Err((e, _))) => panic!("delivery to {topic} failed: {e}"),
            Err(_) => panic!("producer dropped a delivery report for {topic}"),
        };
        rec.partition = delivery.partition;
        rec.offset = delivery.offset;
    }
    producer
        .flush(Duration::from_secs(30))
        .expect("flush test producer");
    out
}

/// Reads `topic` from the beginning of every partition (no consumer group) until `done` says the
/// records read so far are enough, or panics after `timeout` saying how many arrived.
pub fn consume_until(
    topic: &str,
    timeout: Duration,
    what: &str,
    done: impl FnMut(&[Rec]) -> bool,
) -> Vec<Rec> {
    consume_until_on(&bootstrap(), topic, timeout, what, done)
}

pub fn consume_until_on(
    bootstrap: &str,
    topic: &str,
    timeout: Duration,
    what: &str,
    done: impl FnMut(&[Rec]) -> bool,
) -> Vec<Rec> {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    consume_until_with(config, topic, timeout, what, done)
}

/// [`consume_until_on`] with a client configuration of the caller's (e.g. a secured cluster's):
/// reads `topic` from the beginning, read_committed, until `done` holds.
pub fn consume_until_with(
    mut config: ClientConfig,
    topic: &str,
    timeout: Duration,
    what: &str,
    mut done: impl FnMut(&[Rec]) -> bool,
) -> Vec<Rec> {
    let consumer: BaseConsumer = config
        .set("group.id", unique("reader"))
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .create()
        .expect("test consumer");
    let md = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("metadata for {topic}: {e}"));
    let mut tpl = TopicPartitionList::new();
    for t in md.topics().iter().filter(|t| t.name() == topic) {
        for p in t.partitions() {
            tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
                .expect("partition offset");
        }
    }
    assert!(tpl.count() > 0, "topic {topic} has no partitions");
    consumer.assign(&tpl).expect("assign");
    let deadline = Instant::now() + timeout;
    let mut got: Vec<Rec> = Vec::new();
    loop {
        if done(&got) {
            return got;
        }
        if Instant::now() >= deadline {
            panic!(
                "timed out after {timeout:?} reading {topic}: {what}; {} records arrived",
                got.len()
            );
        }
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => got.push(Rec {
                key: m.key().map(<[u8]>::to_vec),
                value: m.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                // Raw: rdkafka's header iterator panics on a name that is not UTF-8.
                headers: raw::raw_headers(&m)
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            String::from_utf8_lossy(&k).into_owned(),
                            v.unwrap_or_default(),
                        )
                    })
                    .collect(),
                partition: m.partition(),
                offset: m.offset(),
            }),
            Some(Err(e)) => eprintln!("reading {topic}: {e} (retrying)"),
            None => {}
        }
    }
}

/// Reads output documents until every id in `ids` has arrived at least once. Returns the records,
/// duplicates included. `check` runs on every poll, e.g. to fail at once when the worker died.
pub fn consume_ids(
    topic: &str,
    ids: &[String],
    timeout: Duration,
    check: impl FnMut(),
) -> Vec<Rec> {
    consume_ids_on(&bootstrap(), topic, ids, timeout, check)
}

pub fn consume_ids_on(
    bootstrap: &str,
    topic: &str,
    ids: &[String],
    timeout: Duration,
    mut check: impl FnMut(),
) -> Vec<Rec> {
    let want: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut seen = std::collections::HashSet::new();
    let mut scanned = 0;
    let recs = consume_until_on(
        bootstrap,
        topic,
        timeout,
        &format!("all {} ids on the output topic", want.len()),
        |recs| {
            check();
            for r in &recs[scanned..] {
                if let Some(k) = r.key_str() {
                    if want.contains(k.as_str()) {
                        seen.insert(k);
                    }
                }
            }
            scanned = recs.len();
            seen.len() == want.len()
        },
    );
    recs
}

/// How often each key occurs; used to report duplicates after a crash or restart.
pub fn key_counts(recs: &[Rec]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in recs {
        *counts.entry(r.key_str().unwrap_or_default()).or_insert(0) += 1;
    }
    counts
}

/// Samples of one metric in Prometheus text format, as (labels, value) pairs. `name` must match
/// exactly, so `x_total` does not pick up `x_total_created` and `x` does not pick up `x_bucket`.
pub fn metric_samples(text: &str, name: &str) -> Vec<(HashMap<String, String>, f64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let (labels, value) = if let Some(l) = rest.strip_prefix('{') {
            let Some(end) = l.find('}') else { continue };
            (parse_labels(&l[..end]), l[end + 1..].trim())
        } else if rest.starts_with(' ') {
            (HashMap::new(), rest.trim())
        } else {
            continue;
        };
        let value = value.split_whitespace().next().unwrap_or("");
        if let Ok(v) = value.parse::<f64>() {
            out.push((labels, v));
        }
    }
    out
}

fn parse_labels(s: &str) -> HashMap<String, String> {
    // Label values in this service are plain words (no commas or quotes), so a simple split does.
    s.split(',')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        })
        .collect()
}

/// Sum of every sample of `name` (all label sets).
pub fn metric_sum(text: &str, name: &str) -> f64 {
    metric_samples(text, name).iter().map(|(_, v)| v).sum()
}

/// The sample of `name` whose label `label` equals `value`, if any.
pub fn metric_with(text: &str, name: &str, label: &str, value: &str) -> Option<f64> {
    metric_samples(text, name)
        .into_iter()
        .find(|(l, _)| l.get(label).map(String::as_str) == Some(value))
        .map(|(_, v)| v)
}

/// Partition -> next offset to write (the high watermark) of `topic`, as the broker reports it now.
pub fn high_watermarks(topic: &str) -> BTreeMap<i32, i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .create()
        .expect("watermark consumer");
    let md = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("metadata for {topic}: {e}"));
    let mut out = BTreeMap::new();
    for t in md.topics().iter().filter(|t| t.name() == topic) {
        for p in t.partitions() {
            let (_, high) = consumer
                .fetch_watermarks(topic, p.id(), Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("watermarks of {topic}/{}: {e}", p.id()));
            out.insert(p.id(), high);
        }
    }
    assert!(!out.is_empty(), "topic {topic} has no partitions");
    out
}

/// Partition -> the offset `group` committed on `topic` (partitions without a commit are missing).
/// The reader never subscribes, so it does not join (or disturb) the group; it only asks.
pub fn group_committed(group: &str, topic: &str, partitions: &[i32]) -> BTreeMap<i32, i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("offset reader");
    committed_on(&consumer, topic, partitions)
        .unwrap_or_else(|| panic!("committed offsets of {group} on {topic}"))
}

/// Partition -> the offset committed on `topic` for `consumer`'s group (partitions without a
/// commit are missing); `None` when the broker does not answer in time.
pub fn committed_on(
    consumer: &BaseConsumer,
    topic: &str,
    partitions: &[i32],
) -> Option<BTreeMap<i32, i64>> {
    let mut tpl = TopicPartitionList::new();
    for p in partitions {
        tpl.add_partition(topic, *p);
    }
    let got = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .ok()?;
    Some(
        got.elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(o) => Some((e.partition(), o)),
                _ => None,
            })
            .collect(),
    )
}

/// `n` pseudo-random lowercase letters from `seed`: one giant token that compresses poorly.
pub fn random_letters(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b'a' + (x % 26) as u8
        })
        .collect()
}

/// Asserts that a dead letter (`header` reads its headers, `value` its value) is the oversized
/// test record `big` (class `text_too_long`, traceparent `00-big-01`, input offset `src_offset`)
/// cut to fit a DLQ topic of `dlq_max` bytes: flagged, original size and SHA-256 kept, value a
/// non-empty prefix of `big`.
pub fn assert_cut_dead_letter(
    header: impl Fn(&str) -> Option<String>,
    value: &[u8],
    big: &[u8],
    src_offset: i64,
    dlq_max: usize,
) {
    use sha2::{Digest, Sha256};
    assert_eq!(header("x-error-class").as_deref(), Some("text_too_long"));
    assert_eq!(header("x-truncated").as_deref(), Some("true"));
    assert_eq!(header("x-original-size"), Some(big.len().to_string()));
    assert_eq!(
        header("x-original-sha256"),
        Some(hex::encode(Sha256::digest(big)))
    );
    assert_eq!(header("traceparent").as_deref(), Some("00-big-01"));
    assert_eq!(header("x-src-offset"), Some(src_offset.to_string()));
    assert!(
        value.len() < dlq_max && !value.is_empty(),
        "copy of {} bytes",
        value.len()
    );
    assert!(
        big.starts_with(value),
        "the copy is a prefix of the original"
    );
}
