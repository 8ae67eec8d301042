//! The producer for enriched documents and dead letters.
//!
//! Idempotent (acks=all), so retries inside librdkafka keep per-partition order. Transient errors are
//! retried here too, with capped backoff, for as long as it takes: a broker outage must never turn
//! good records into dead letters. Only errors that no retry can fix (a record the broker refuses
//! as too large) are reported to the caller.
//!
//! Here: creating the producer, the record type, handing records over and awaiting their
//! acknowledgement. Reading consumed headers is in `producer/headers.rs`, the dead-letter headers
//! and cutting in `producer/dead_letter.rs`.

mod dead_letter;
mod headers;

pub(crate) use dead_letter::{
    dead_letter_headers, fit_dead_letter, record_size, smaller_limit, without_dead_letter_headers,
    DeadLetterInfo, H_ERROR_CLASS, H_TRUNCATED,
};
pub(crate) use headers::{headers_of, HeaderList};

use super::{log_client_error, log_librdkafka, set_connected, RateLimit};
use crate::service::config::KafkaSettings;
use crate::service::health::Status;
use headers::native_headers;
use rdkafka::bindings as rdsys;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::{ClientContext, Statistics};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

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
