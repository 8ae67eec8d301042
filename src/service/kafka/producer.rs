//! The producer for enriched documents and dead letters.
//!
//! Idempotent (acks=all), so retries inside librdkafka keep per-partition order. Transient errors are
//! retried here too, with capped backoff, for as long as it takes: a broker outage must never turn
//! good records into dead letters. Only errors that no retry can fix (a record the broker refuses
//! as too large) are reported to the caller.

use super::{log_client_error, log_librdkafka, set_connected, RateLimit};
use crate::service::config::KafkaSettings;
use crate::service::health::Status;
use rdkafka::bindings as rdsys;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedHeaders, Message, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::{ClientContext, Statistics};
use sha2::{Digest, Sha256};
use std::ffi::CStr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Headers as carried through the pipeline: name and optional value, both raw bytes. Kafka header
/// names are meant to be UTF-8 but the broker does not check, so a name of any bytes is carried
/// through unchanged (rdkafka's own header API panics on such a name, hence the C calls below).
pub(crate) type HeaderList = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// Dead-letter header names (the contract).
pub(crate) const H_ERROR_CLASS: &str = "x-error-class";
pub(crate) const H_ERROR: &str = "x-error";
pub(crate) const H_SRC_TOPIC: &str = "x-src-topic";
pub(crate) const H_SRC_PARTITION: &str = "x-src-partition";
pub(crate) const H_SRC_OFFSET: &str = "x-src-offset";
/// On a dead letter whose key or value was cut to fit: `true`, the original value's length in
/// bytes (decimal) and its SHA-256 (lowercase hex).
pub(crate) const H_TRUNCATED: &str = "x-truncated";
pub(crate) const H_ORIGINAL_SIZE: &str = "x-original-size";
pub(crate) const H_ORIGINAL_SHA256: &str = "x-original-sha256";

/// Longest `x-error` sentence kept; headers are not the place for essays.
const MAX_ERROR_LEN: usize = 1000;

/// Producer client context: connectivity for `/readyz` and error logging.
pub struct ProducerCtx {
    status: Arc<Status>,
    errors: RateLimit,
}

impl ClientContext for ProducerCtx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        log_librdkafka(level, fac, log_message);
    }

    fn stats(&self, statistics: Statistics) {
        set_connected(
            &self.status.producer_up,
            super::any_broker_up(&statistics),
            "producer",
        );
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
            set_connected(&self.status.producer_up, false, "producer");
        }
        log_client_error(&self.errors, "producer", &error, reason);
    }
}

pub type OutputProducer = FutureProducer<ProducerCtx>;

/// Builds the producer; `producer_extra` properties override the defaults set here.
pub(crate) fn create(
    settings: &KafkaSettings,
    status: Arc<Status>,
) -> Result<OutputProducer, KafkaError> {
    super::client::client_config(settings, super::client::Client::Producer).create_with_context(
        ProducerCtx {
            status,
            errors: RateLimit::new(Duration::from_secs(10)),
        },
    )
}

/// One record to publish, owned so it can be re-sent after a failure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutRecord {
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: HeaderList,
}

impl OutRecord {
    fn as_future_record(&self) -> FutureRecord<'_, [u8], [u8]> {
        let mut record = FutureRecord::to(&self.topic).headers(owned_headers(&self.headers));
        if let Some(key) = &self.key {
            record = record.key(key.as_slice());
        }
        if let Some(payload) = &self.payload {
            record = record.payload(payload.as_slice());
        }
        record
    }
}

/// rdkafka's `BorrowedHeaders` is a zero-sized view whose address is librdkafka's header list
/// (rdkafka 0.39 converts it the same way, in a private method).
fn native_headers(headers: &BorrowedHeaders) -> *mut rdsys::rd_kafka_headers_t {
    headers as *const BorrowedHeaders as *mut rdsys::rd_kafka_headers_t
}

/// Header collections backed by a librdkafka header list (those of consumed and owned messages).
pub(crate) trait NativeHeaders {
    fn borrowed(&self) -> &BorrowedHeaders;
}

impl NativeHeaders for BorrowedHeaders {
    fn borrowed(&self) -> &BorrowedHeaders {
        self
    }
}

impl NativeHeaders for OwnedHeaders {
    fn borrowed(&self) -> &BorrowedHeaders {
        self.as_borrowed()
    }
}

/// `headers` as librdkafka headers for a record to produce, names as raw bytes.
pub(crate) fn owned_headers(headers: &[(Vec<u8>, Option<Vec<u8>>)]) -> OwnedHeaders {
    let owned = OwnedHeaders::new_with_capacity(headers.len().max(1));
    let native = native_headers(owned.as_borrowed());
    for (key, value) in headers {
        let (value_ptr, value_len) = match value {
            Some(v) => (v.as_ptr().cast::<std::ffi::c_void>(), v.len() as isize),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: `native` is the header list `owned` owns (writable: freshly made, not yet handed
        // to a message); librdkafka copies the name and value, taking their lengths as given.
        let err = unsafe {
            rdsys::rd_kafka_header_add(
                native,
                key.as_ptr().cast::<std::ffi::c_char>(),
                key.len() as isize,
                value_ptr,
                value_len,
            )
        };
        if err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            tracing::warn!(header = %String::from_utf8_lossy(key), "cannot add header: {err:?}");
        }
    }
    owned
}

/// A consumed record's headers, owned, names and values as raw bytes (never panics on a name that
/// is not UTF-8). librdkafka hands names out NUL-terminated, so a name with a NUL byte inside
/// arrives cut at it: the one thing not carried through exactly.
pub(crate) fn headers_of<M: Message>(msg: &M) -> HeaderList
where
    M::Headers: NativeHeaders,
{
    let Some(headers) = msg.headers() else {
        return Vec::new();
    };
    let native = native_headers(headers.borrowed());
    // SAFETY: `native` points to the message's header list, alive as long as `msg` is borrowed.
    let count = unsafe { rdsys::rd_kafka_header_cnt(native) };
    let mut out = Vec::with_capacity(count);
    for idx in 0..count {
        let mut name = std::ptr::null();
        let mut value = std::ptr::null();
        let mut size = 0usize;
        // SAFETY: as above; librdkafka fills the out-pointers with data owned by the list.
        let err = unsafe {
            rdsys::rd_kafka_header_get_all(native, idx, &mut name, &mut value, &mut size)
        };
        if err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR || name.is_null() {
            continue;
        }
        // SAFETY: a non-null name is a NUL-terminated string owned by the list; a non-null value
        // has `size` bytes.
        let key = unsafe { CStr::from_ptr(name) }.to_bytes().to_vec();
        let value = (!value.is_null())
            .then(|| unsafe { std::slice::from_raw_parts(value.cast::<u8>(), size) }.to_vec());
        out.push((key, value));
    }
    out
}

/// The headers a dead letter gets on top of the original record's.
pub(crate) const DEAD_LETTER_HEADERS: [&str; 5] = [
    H_ERROR_CLASS,
    H_ERROR,
    H_SRC_TOPIC,
    H_SRC_PARTITION,
    H_SRC_OFFSET,
];

/// True when the header name `key` is one of `names`.
fn named(key: &[u8], names: &[&str]) -> bool {
    names.iter().any(|n| n.as_bytes() == key)
}

/// `headers` without [`DEAD_LETTER_HEADERS`]: the original record's own.
pub(crate) fn without_dead_letter_headers(headers: &[(Vec<u8>, Option<Vec<u8>>)]) -> HeaderList {
    headers
        .iter()
        .filter(|(k, _)| !named(k, &DEAD_LETTER_HEADERS))
        .cloned()
        .collect()
}

/// Where a dead letter came from and why it is one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeadLetterInfo<'a> {
    pub class: &'a str,
    pub error: &'a str,
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
}

/// The original headers plus the `x-error-*`/`x-src-*` ones. Stale copies of ours (a record replayed
/// from a DLQ) are replaced so each name appears once.
pub(crate) fn dead_letter_headers(
    original: &[(Vec<u8>, Option<Vec<u8>>)],
    info: &DeadLetterInfo<'_>,
) -> HeaderList {
    let mut headers = without_dead_letter_headers(original);
    let error: String = info.error.chars().take(MAX_ERROR_LEN).collect();
    for (key, value) in [
        (H_ERROR_CLASS, info.class.to_string()),
        (H_ERROR, error),
        (H_SRC_TOPIC, info.topic.to_string()),
        (H_SRC_PARTITION, info.partition.to_string()),
        (H_SRC_OFFSET, info.offset.to_string()),
    ] {
        headers.push((key.as_bytes().to_vec(), Some(value.into_bytes())));
    }
    headers
}

/// What librdkafka and the broker count for one record besides key, value and headers: the
/// record's and its batch's framing (61 bytes of batch header, varints), rounded up generously.
pub(crate) const RECORD_FRAMING_BYTES: usize = 1024;
/// Per header: two length varints.
const HEADER_FRAMING_BYTES: usize = 10;
/// The smallest value budget worth a try; below it the dead letter cannot be shrunk further.
const MIN_VALUE_BYTES: usize = 1024;

/// Bytes `record` counts against `message.max.bytes` (key, value, headers and framing).
pub(crate) fn record_size(record: &OutRecord) -> usize {
    let headers: usize = record
        .headers
        .iter()
        .map(|(k, v)| k.len() + v.as_ref().map_or(0, Vec::len) + HEADER_FRAMING_BYTES)
        .sum();
    record.key.as_ref().map_or(0, Vec::len)
        + record.payload.as_ref().map_or(0, Vec::len)
        + headers
        + RECORD_FRAMING_BYTES
}

/// The longest prefix of `bytes` of at most `max` bytes that does not split a UTF-8 sequence (a
/// cut inside one would turn readable text into an invalid tail).
fn cut(bytes: &[u8], max: usize) -> &[u8] {
    if bytes.len() <= max {
        return bytes;
    }
    let mut end = max;
    // Back off over continuation bytes (10xxxxxx), at most a sequence's length.
    while end > 0 && max - end < 3 && bytes[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    if bytes[end] & 0xC0 == 0x80 {
        end = max; // not UTF-8 anyway: cut where the budget ends
    }
    &bytes[..end]
}

/// Makes the dead letter `record` (built from `original`, the consumed value) at most `limit`
/// bytes by [`record_size`]: the value is cut (at a UTF-8 boundary when it is text), then the key
/// if it alone is too long, and `x-truncated: true`, `x-original-size` and `x-original-sha256`
/// (of the whole original value) are added. A record that fits is left as it is. Returns false
/// when even an empty value and key do not fit (the headers alone are too long).
pub(crate) fn fit_dead_letter(
    record: &mut OutRecord,
    original: Option<&[u8]>,
    limit: usize,
) -> bool {
    if record_size(record) <= limit {
        return true;
    }
    let original = original.unwrap_or_default();
    record
        .headers
        .retain(|(k, _)| !named(k, &[H_TRUNCATED, H_ORIGINAL_SIZE, H_ORIGINAL_SHA256]));
    for (key, value) in [
        (H_TRUNCATED, "true".to_string()),
        (H_ORIGINAL_SIZE, original.len().to_string()),
        (H_ORIGINAL_SHA256, hex::encode(Sha256::digest(original))),
    ] {
        record
            .headers
            .push((key.as_bytes().to_vec(), Some(value.into_bytes())));
    }
    let key_len = record.key.as_ref().map_or(0, Vec::len);
    let payload_len = record.payload.as_ref().map_or(0, Vec::len);
    let others = record_size(record) - key_len - payload_len;
    let Some(room) = limit.checked_sub(others) else {
        return false;
    };
    if let Some(key) = &mut record.key {
        // Keys are short in practice; only a key that alone breaks the budget is cut, and it
        // keeps at most half of it so the value keeps something to look at.
        if key.len() > room / 2 && key.len() + payload_len > room {
            let keep = cut(key, room / 2).len();
            key.truncate(keep);
        }
    }
    let room = room - record.key.as_ref().map_or(0, Vec::len);
    if let Some(payload) = &mut record.payload {
        let keep = cut(payload, room).len();
        payload.truncate(keep);
    }
    record_size(record) <= limit
}

/// The next, smaller budget for a dead letter the broker refused as too large (the topic's
/// `max.message.bytes` may be below the producer's limit): half of what was refused, or `None`
/// when the value is already down to a size not worth cutting further.
pub(crate) fn smaller_limit(refused: &OutRecord) -> Option<usize> {
    let value = refused.payload.as_ref().map_or(0, Vec::len);
    if value <= MIN_VALUE_BYTES {
        return None;
    }
    Some(record_size(refused) - value / 2)
}

/// Whether `error` says the record was too large (locally or at the broker).
pub(crate) fn is_too_large(error: &KafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::MessageSizeTooLarge
                | RDKafkaErrorCode::MessageBatchTooLarge
                | RDKafkaErrorCode::InvalidMessageSize
        )
    )
}

/// Errors no retry will fix: the broker refuses this record as such.
pub(crate) fn is_permanent(error: &KafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::MessageSizeTooLarge
                | RDKafkaErrorCode::MessageBatchTooLarge
                | RDKafkaErrorCode::InvalidMessageSize
                | RDKafkaErrorCode::InvalidMessage
                | RDKafkaErrorCode::InvalidRecord
                | RDKafkaErrorCode::PolicyViolation
        )
    )
}

/// The broker refused the write for lack of authorization (an ACL on the topic, the cluster or
/// the transactional id): retried, but reported (see `Status::write_denied`).
pub(crate) fn is_authorization_error(error: &KafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::TopicAuthorizationFailed
                | RDKafkaErrorCode::ClusterAuthorizationFailed
                | RDKafkaErrorCode::TransactionalIdAuthorizationFailed
        )
    )
}

/// Capped exponential backoff: 50 ms doubling up to 5 s.
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(50u64.saturating_mul(1 << attempt.min(7)).min(5_000))
}

/// Why a record could not be handed to the producer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SendError {
    #[error("cancelled")]
    Cancelled,
    #[error("rejected by kafka: {0}")]
    Permanent(KafkaError),
    /// Delivery failed and re-sending is not allowed (inside a transaction).
    #[error("delivery failed: {0}")]
    Failed(KafkaError),
}

/// Puts `record` on the producer queue, waiting (never dropping) while the queue is full or the
/// client reports a transient error. Returns the future of the broker's acknowledgement.
pub(crate) async fn enqueue<C: ClientContext + 'static>(
    producer: &FutureProducer<C>,
    record: &OutRecord,
    cancel: &CancellationToken,
) -> Result<DeliveryFuture, SendError> {
    let mut attempt = 0;
    loop {
        match producer.send_result(record.as_future_record()) {
            Ok(delivery) => return Ok(delivery),
            Err((error, _)) if is_permanent(&error) => return Err(SendError::Permanent(error)),
            Err((error, _)) => {
                if error.rdkafka_error_code() != Some(RDKafkaErrorCode::QueueFull) {
                    tracing::warn!(topic = %record.topic, attempt, "cannot enqueue record, retrying: {error}");
                }
                tokio::select! {
                    _ = cancel.cancelled() => return Err(SendError::Cancelled),
                    _ = tokio::time::sleep(backoff(attempt)) => {}
                }
                attempt += 1;
            }
        }
    }
}

/// Waits for the broker's ack of `record`, re-sending it after transient failures when `resend`
/// (at-least-once). In a transaction a failed record dooms the transaction, so there it is reported.
pub(crate) async fn deliver<C: ClientContext + 'static>(
    producer: &FutureProducer<C>,
    record: &OutRecord,
    mut delivery: DeliveryFuture,
    resend: bool,
    cancel: &CancellationToken,
) -> Result<(), SendError> {
    let mut attempt = 0;
    loop {
        let result = tokio::select! {
            _ = cancel.cancelled() => return Err(SendError::Cancelled),
            r = &mut delivery => r,
        };
        match result {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err((error, _))) if is_permanent(&error) => return Err(SendError::Permanent(error)),
            Ok(Err((error, _))) if !resend => return Err(SendError::Failed(error)),
            Ok(Err((error, _))) => {
                tracing::warn!(topic = %record.topic, attempt, "delivery failed, retrying: {error}");
            }
            // The producer is gone (shutdown past its deadline): nothing left to wait for.
            Err(_) => return Err(SendError::Cancelled),
        }
        tokio::select! {
            _ = cancel.cancelled() => return Err(SendError::Cancelled),
            _ = tokio::time::sleep(backoff(attempt)) => {}
        }
        attempt += 1;
        delivery = enqueue(producer, record, cancel).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(k: &str, v: &str) -> (Vec<u8>, Option<Vec<u8>>) {
        (k.as_bytes().to_vec(), Some(v.as_bytes().to_vec()))
    }

    #[test]
    fn dead_letter_headers_keep_originals_and_add_ours() {
        let original = vec![h("traceparent", "00-abc-01"), (b"empty".to_vec(), None)];
        let info = DeadLetterInfo {
            class: "invalid_json",
            error: "invalid JSON: expected value at line 1 column 1",
            topic: "articles",
            partition: 3,
            offset: 42,
        };
        let got = dead_letter_headers(&original, &info);
        assert_eq!(
            got,
            vec![
                h("traceparent", "00-abc-01"),
                (b"empty".to_vec(), None),
                h("x-error-class", "invalid_json"),
                h("x-error", "invalid JSON: expected value at line 1 column 1"),
                h("x-src-topic", "articles"),
                h("x-src-partition", "3"),
                h("x-src-offset", "42"),
            ]
        );
    }

    #[test]
    fn a_replayed_copy_keeps_only_the_original_headers() {
        let dead = vec![
            h("traceparent", "00-abc-def-01"),
            h(H_ERROR_CLASS, "text_too_long"),
            h(H_ERROR, "text has 9000 characters"),
            h(H_SRC_TOPIC, "articles"),
            h(H_SRC_PARTITION, "2"),
            h(H_SRC_OFFSET, "41"),
            (b"empty".to_vec(), None),
        ];
        assert_eq!(
            without_dead_letter_headers(&dead),
            vec![h("traceparent", "00-abc-def-01"), (b"empty".to_vec(), None)]
        );
    }

    #[test]
    fn replayed_dead_letter_gets_fresh_error_headers() {
        let original = vec![
            h("x-error-class", "too_large"),
            h("x-src-offset", "1"),
            h("a", "b"),
        ];
        let info = DeadLetterInfo {
            class: "empty_text",
            error: &"e".repeat(5000),
            topic: "t",
            partition: 0,
            offset: 7,
        };
        let got = dead_letter_headers(&original, &info);
        let names: Vec<&[u8]> = got.iter().map(|(k, _)| k.as_slice()).collect();
        assert_eq!(
            names,
            [
                b"a".as_slice(),
                b"x-error-class",
                b"x-error",
                b"x-src-topic",
                b"x-src-partition",
                b"x-src-offset"
            ]
        );
        assert_eq!(got[1].1.as_deref(), Some(b"empty_text".as_slice()));
        assert_eq!(got[2].1.as_ref().map(Vec::len), Some(MAX_ERROR_LEN));
    }

    fn header<'a>(r: &'a OutRecord, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .rev()
            .find(|(k, _)| k == name.as_bytes())
            .and_then(|(_, v)| std::str::from_utf8(v.as_deref()?).ok())
    }

    fn dead_letter(value: &[u8]) -> OutRecord {
        OutRecord {
            topic: "dlq".into(),
            key: Some(b"k-1".to_vec()),
            payload: Some(value.to_vec()),
            headers: vec![
                h("x-error-class", "text_too_long"),
                h("traceparent", "00-1"),
            ],
        }
    }

    #[test]
    fn a_dead_letter_that_fits_is_left_alone() {
        let mut r = dead_letter(b"short");
        let before = r.clone();
        assert!(fit_dead_letter(&mut r, Some(b"short"), 10_000));
        assert_eq!(r, before);
    }

    #[test]
    fn an_oversized_dead_letter_is_cut_and_says_what_it_was() {
        let value: Vec<u8> = "word ".repeat(40_000).into_bytes();
        let mut r = dead_letter(&value);
        assert!(fit_dead_letter(&mut r, Some(&value), 50_000));
        assert!(record_size(&r) <= 50_000, "{}", record_size(&r));
        let kept = r.payload.as_ref().unwrap();
        assert!(kept.len() > 40_000, "kept {} bytes", kept.len());
        assert!(value.starts_with(kept));
        assert_eq!(header(&r, H_TRUNCATED), Some("true"));
        assert_eq!(header(&r, H_ORIGINAL_SIZE), Some("200000"));
        let sha = hex::encode(Sha256::digest(&value));
        assert_eq!(header(&r, H_ORIGINAL_SHA256), Some(sha.as_str()));
        assert_eq!(r.key.as_deref(), Some(b"k-1".as_slice()));
        assert_eq!(header(&r, "traceparent"), Some("00-1"));

        // Shrinking again (the broker refused it) keeps one set of markers, of the original.
        let limit = smaller_limit(&r).unwrap();
        assert!(fit_dead_letter(&mut r, Some(&value), limit));
        assert!(record_size(&r) <= limit);
        let marks = r
            .headers
            .iter()
            .filter(|(k, _)| k == H_ORIGINAL_SIZE.as_bytes())
            .count();
        assert_eq!(marks, 1);
        assert_eq!(header(&r, H_ORIGINAL_SIZE), Some("200000"));
        assert_eq!(header(&r, H_ORIGINAL_SHA256), Some(sha.as_str()));
    }

    #[test]
    fn a_cut_never_splits_a_utf8_sequence() {
        let value = "é".repeat(30_000).into_bytes(); // two bytes each
        let mut r = dead_letter(&value);
        let limit = record_size(&r) - 10_001;
        assert!(fit_dead_letter(&mut r, Some(&value), limit));
        let kept = r.payload.unwrap();
        assert!(std::str::from_utf8(&kept).is_ok());
        assert!(kept.len() >= value.len() - 10_400, "{}", kept.len());
    }

    #[test]
    fn a_huge_key_is_cut_too_and_hopeless_headers_are_reported() {
        let mut r = dead_letter(b"v");
        r.key = Some(vec![b'k'; 100_000]);
        assert!(fit_dead_letter(&mut r, Some(b"v"), 20_000));
        assert!(record_size(&r) <= 20_000);
        let mut r = dead_letter(b"v");
        r.headers.push(h("big", &"x".repeat(30_000)));
        assert!(!fit_dead_letter(&mut r, Some(b"v"), 20_000));
    }

    #[test]
    fn shrinking_stops_at_a_small_value() {
        assert!(smaller_limit(&dead_letter(&[b'a'; 1024])).is_none());
        assert!(smaller_limit(&dead_letter(&[b'a'; 4096])).is_some());
    }

    #[test]
    fn headers_of_any_bytes_survive_the_round_trip_through_librdkafka() {
        let headers: HeaderList = vec![
            (vec![0xff, 0xfe], Some(vec![0x00, 0xc3, 0x28])),
            (b"plain".to_vec(), Some(b"value".to_vec())),
            (b"no-value".to_vec(), None),
            (b"empty".to_vec(), Some(Vec::new())),
        ];
        let owned = owned_headers(&headers);
        let msg = rdkafka::message::OwnedMessage::new(
            None,
            None,
            "t".into(),
            rdkafka::Timestamp::NotAvailable,
            0,
            0,
            Some(owned),
        );
        assert_eq!(headers_of(&msg), headers);
    }

    #[test]
    fn backoff_is_capped() {
        assert_eq!(backoff(0), Duration::from_millis(50));
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(30), Duration::from_secs(5));
    }
}
