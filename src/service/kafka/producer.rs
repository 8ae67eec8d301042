//! The producer for enriched documents and dead letters.
//!
//! Idempotent (acks=all), so retries inside librdkafka keep per-partition order. Transient errors are
//! retried here too, with capped backoff, for as long as it takes: a broker outage must never turn
//! good records into dead letters. Only errors that no retry can fix (a record the broker refuses
//! as too large) are reported to the caller.

use super::{log_client_error, log_librdkafka, set_connected, RateLimit, Status};
use crate::service::config::{Delivery, KafkaSettings};
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::{ClientContext, Statistics};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Headers as carried through the pipeline: name and optional value.
pub type HeaderList = Vec<(String, Option<Vec<u8>>)>;

/// Dead-letter header names (the contract).
pub const H_ERROR_CLASS: &str = "x-error-class";
pub const H_ERROR: &str = "x-error";
pub const H_SRC_TOPIC: &str = "x-src-topic";
pub const H_SRC_PARTITION: &str = "x-src-partition";
pub const H_SRC_OFFSET: &str = "x-src-offset";

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
pub fn create(settings: &KafkaSettings, status: Arc<Status>) -> Result<OutputProducer, KafkaError> {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &settings.brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5")
        // Finite so a stuck delivery surfaces in our retry loop (and logs) instead of hiding inside
        // librdkafka; we re-send, so nothing is lost when it expires.
        .set("message.timeout.ms", "30000")
        .set("statistics.interval.ms", "1000");
    if settings.delivery == Delivery::ExactlyOnce {
        // Fencing of zombies comes from the consumer group generation (KIP-447), so the id only
        // has to be unique per running process.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let id = format!(
            "newsenrich-{}-{}-{nanos}",
            settings.group_id,
            std::process::id()
        );
        config.set("transactional.id", id);
        // A crashed worker's open transaction blocks read_committed readers of the output until the
        // broker aborts it; the id is never reused, so only this timeout ends it.
        config
            .set("transaction.timeout.ms", "10000")
            .set("message.timeout.ms", "10000");
    }
    for (key, value) in &settings.producer_extra {
        config.set(key, value);
    }
    config.create_with_context(ProducerCtx {
        status,
        errors: RateLimit::new(Duration::from_secs(10)),
    })
}

/// One record to publish, owned so it can be re-sent after a failure.
#[derive(Debug, Clone, PartialEq)]
pub struct OutRecord {
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: HeaderList,
}

impl OutRecord {
    fn as_future_record(&self) -> FutureRecord<'_, [u8], [u8]> {
        let mut headers = OwnedHeaders::new_with_capacity(self.headers.len());
        for (key, value) in &self.headers {
            headers = headers.insert(Header {
                key: key.as_str(),
                value: value.as_deref(),
            });
        }
        let mut record = FutureRecord::to(&self.topic).headers(headers);
        if let Some(key) = &self.key {
            record = record.key(key.as_slice());
        }
        if let Some(payload) = &self.payload {
            record = record.payload(payload.as_slice());
        }
        record
    }
}

/// A consumed record's headers, owned.
pub fn headers_of(msg: &impl Message) -> HeaderList {
    msg.headers()
        .map(|h| {
            h.iter()
                .map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec)))
                .collect()
        })
        .unwrap_or_default()
}

/// The headers a dead letter gets on top of the original record's.
pub const DEAD_LETTER_HEADERS: [&str; 5] = [
    H_ERROR_CLASS,
    H_ERROR,
    H_SRC_TOPIC,
    H_SRC_PARTITION,
    H_SRC_OFFSET,
];

/// `headers` without [`DEAD_LETTER_HEADERS`]: the original record's own.
pub fn without_dead_letter_headers(headers: &[(String, Option<Vec<u8>>)]) -> HeaderList {
    headers
        .iter()
        .filter(|(k, _)| !DEAD_LETTER_HEADERS.contains(&k.as_str()))
        .cloned()
        .collect()
}

/// Where a dead letter came from and why it is one.
#[derive(Debug, Clone, Copy)]
pub struct DeadLetterInfo<'a> {
    pub class: &'a str,
    pub error: &'a str,
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
}

/// The original headers plus the `x-error-*`/`x-src-*` ones. Stale copies of ours (a record replayed
/// from a DLQ) are replaced so each name appears once.
pub fn dead_letter_headers(
    original: &[(String, Option<Vec<u8>>)],
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
        headers.push((key.to_string(), Some(value.into_bytes())));
    }
    headers
}

/// Errors no retry will fix: the broker refuses this record as such.
pub fn is_permanent(error: &KafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::MessageSizeTooLarge
                | RDKafkaErrorCode::InvalidMessageSize
                | RDKafkaErrorCode::InvalidMessage
                | RDKafkaErrorCode::InvalidRecord
                | RDKafkaErrorCode::PolicyViolation
        )
    )
}

/// Capped exponential backoff: 50 ms doubling up to 5 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(50u64.saturating_mul(1 << attempt.min(7)).min(5_000))
}

/// Why a record could not be handed to the producer.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
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
pub async fn enqueue<C: ClientContext + 'static>(
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
pub async fn deliver<C: ClientContext + 'static>(
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

    fn h(k: &str, v: &str) -> (String, Option<Vec<u8>>) {
        (k.to_string(), Some(v.as_bytes().to_vec()))
    }

    #[test]
    fn dead_letter_headers_keep_originals_and_add_ours() {
        let original = vec![h("traceparent", "00-abc-01"), (String::from("empty"), None)];
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
                (String::from("empty"), None),
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
            ("empty".to_string(), None),
        ];
        assert_eq!(
            without_dead_letter_headers(&dead),
            vec![
                h("traceparent", "00-abc-def-01"),
                ("empty".to_string(), None)
            ]
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
        let names: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "a",
                "x-error-class",
                "x-error",
                "x-src-topic",
                "x-src-partition",
                "x-src-offset"
            ]
        );
        assert_eq!(got[1].1.as_deref(), Some(b"empty_text".as_slice()));
        assert_eq!(got[2].1.as_ref().map(Vec::len), Some(MAX_ERROR_LEN));
    }

    #[test]
    fn backoff_is_capped() {
        assert_eq!(backoff(0), Duration::from_millis(50));
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(30), Duration::from_secs(5));
    }
}
