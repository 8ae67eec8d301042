//! Records as raw bytes, headers included: rdkafka's safe header API panics on a header name that
//! is not UTF-8, so these helpers use librdkafka's C calls for headers. Also topic configs and the
//! committed offsets of a group.

use super::{block_on, bootstrap, wait_for};
use rdkafka::admin::{AdminClient, AdminOptions, AlterConfig, ResourceSpecifier};
use rdkafka::bindings as rdsys;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{BorrowedHeaders, BorrowedMessage, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use std::ffi::CStr;
use std::time::{Duration, Instant};

pub type RawHeaders = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// One record with its headers as bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRec {
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    pub headers: RawHeaders,
    pub partition: i32,
    pub offset: i64,
}

impl RawRec {
    pub fn new(key: &str, value: impl Into<Vec<u8>>) -> Self {
        RawRec {
            key: Some(key.as_bytes().to_vec()),
            value: value.into(),
            ..RawRec::default()
        }
    }

    pub fn header(mut self, key: &[u8], value: Option<&[u8]>) -> Self {
        self.headers.push((key.to_vec(), value.map(<[u8]>::to_vec)));
        self
    }

    /// The value of the last header named `key`, as text.
    pub fn header_str(&self, key: &str) -> Option<String> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k == key.as_bytes())
            .and_then(|(_, v)| v.as_ref())
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    pub fn key_str(&self) -> String {
        String::from_utf8_lossy(self.key.as_deref().unwrap_or_default()).into_owned()
    }
}

fn native(headers: &BorrowedHeaders) -> *mut rdsys::rd_kafka_headers_t {
    headers as *const BorrowedHeaders as *mut rdsys::rd_kafka_headers_t
}

fn owned_headers(headers: &RawHeaders) -> OwnedHeaders {
    let owned = OwnedHeaders::new_with_capacity(headers.len().max(1));
    for (k, v) in headers {
        let (vp, vl) = match v {
            Some(v) => (v.as_ptr().cast(), v.len() as isize),
            None => (std::ptr::null(), 0),
        };
        let err = unsafe {
            rdsys::rd_kafka_header_add(
                native(owned.as_borrowed()),
                k.as_ptr().cast(),
                k.len() as isize,
                vp,
                vl,
            )
        };
        assert_eq!(err, rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    owned
}

/// A message's headers as bytes.
pub fn raw_headers(msg: &BorrowedMessage<'_>) -> RawHeaders {
    let Some(h) = msg.headers() else {
        return Vec::new();
    };
    let h = native(h);
    let n = unsafe { rdsys::rd_kafka_header_cnt(h) };
    (0..n)
        .map(|i| {
            let (mut name, mut value, mut size) = (std::ptr::null(), std::ptr::null(), 0usize);
            let err =
                unsafe { rdsys::rd_kafka_header_get_all(h, i, &mut name, &mut value, &mut size) };
            assert_eq!(err, rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR);
            let key = unsafe { CStr::from_ptr(name) }.to_bytes().to_vec();
            let value = (!value.is_null())
                .then(|| unsafe { std::slice::from_raw_parts(value.cast::<u8>(), size) }.to_vec());
            (key, value)
        })
        .collect()
}

/// Produces `records` in order to partition 0 of `topic` with extra producer properties (e.g.
/// `compression.type`, `message.max.bytes`), waits for every ack; returns the offsets.
pub fn produce_raw(topic: &str, records: &[RawRec], props: &[(&str, &str)]) -> Vec<i64> {
    let mut cc = ClientConfig::new();
    cc.set("bootstrap.servers", bootstrap())
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("linger.ms", "20")
        .set("message.timeout.ms", "30000");
    for (k, v) in props {
        cc.set(*k, *v);
    }
    let producer: FutureProducer = cc.create().expect("raw test producer");
    let mut pending = Vec::new();
    for rec in records {
        let mut r = FutureRecord::to(topic)
            .partition(0)
            .payload(&rec.value)
            .headers(owned_headers(&rec.headers));
        if let Some(k) = &rec.key {
            r = r.key(k);
        }
        match producer.send_result(r) {
            Ok(f) => pending.push(f),
            Err((e, _)) => panic!("producing to {topic}: {e}"),
        }
    }
    let offsets = pending
        .into_iter()
        .map(|f| match block_on(f) {
            Ok(Ok(d)) => d.offset,
            Ok(Err((e, _))) => panic!("delivery to {topic} failed: {e}"),
            Err(_) => panic!("delivery report for {topic} dropped"),
        })
        .collect();
    producer.flush(Duration::from_secs(30)).expect("flush");
    offsets
}

/// Reads `topic` (all partitions, from the beginning, read_committed) until `n` records arrived.
pub fn consume_raw(topic: &str, n: usize, timeout: Duration) -> Vec<RawRec> {
    consume_raw_while(topic, n, timeout, || {})
}

/// Like `consume_raw`, calling `check` on every poll (e.g. to fail at once when the worker died).
pub fn consume_raw_while(
    topic: &str,
    n: usize,
    timeout: Duration,
    mut check: impl FnMut(),
) -> Vec<RawRec> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("group.id", super::unique("raw-reader"))
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .create()
        .expect("raw test consumer");
    let md = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .expect("metadata");
    let mut tpl = TopicPartitionList::new();
    for t in md.topics().iter().filter(|t| t.name() == topic) {
        for p in t.partitions() {
            tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
                .expect("offset");
        }
    }
    consumer.assign(&tpl).expect("assign");
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    while got.len() < n {
        check();
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} reading {topic}: {} of {n} records arrived",
            got.len()
        );
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            got.push(RawRec {
                key: m.key().map(<[u8]>::to_vec),
                value: m.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                headers: raw_headers(&m),
                partition: m.partition(),
                offset: m.offset(),
            });
        }
    }
    got
}

/// Sets topic-level configs (e.g. `max.message.bytes`) on an existing topic.
pub fn set_topic_config(topic: &str, entries: &[(&str, &str)]) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .create()
        .expect("admin client");
    let mut change = AlterConfig::new(ResourceSpecifier::Topic(topic));
    for (k, v) in entries {
        change = change.set(k, v);
    }
    let opts = AdminOptions::new().request_timeout(Some(Duration::from_secs(10)));
    let results = block_on(admin.alter_configs([&change], &opts)).expect("alter configs");
    for r in results {
        r.unwrap_or_else(|(res, code)| panic!("alter config of {res:?}: {code}"));
    }
}

/// The committed offset of `group` on `topic` partition 0 (-1 when none).
pub fn committed_offset(group: &str, topic: &str) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("group.id", group)
        .create()
        .expect("offset reader");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(topic, 0);
    let got = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed offsets");
    match got.find_partition(topic, 0).map(|e| e.offset()) {
        Some(Offset::Offset(o)) => o,
        _ => -1,
    }
}

/// Waits until `group`'s committed offset on `topic`/0 is `want`.
pub fn wait_committed(group: &str, topic: &str, want: i64, timeout: Duration) {
    let mut last = -1;
    wait_for(
        timeout,
        &format!("group {group} to commit offset {want} on {topic}/0"),
        || {
            last = committed_offset(group, topic);
            (last == want).then_some(())
        },
    );
}
