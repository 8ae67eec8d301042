//! What can go wrong in the pipeline, as types: [`PipelineError`] (the worker drains what it can,
//! then exits non-zero to be restarted) and [`EosError`] (an exactly-once transaction that can only
//! be aborted; the worker exits and the group resumes from the last committed transaction).
//!
//! The texts are the ones the log and the README quote (e.g. `producer fatal error`,
//! `offset N of <input>: … TopicAuthorizationFailed`). An inner Kafka error is part of the text and
//! not also a `source()`, so `{:#}` chains (anyhow at the binary edge) print it once.

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use std::fmt;

/// A broken pipeline: `/healthz` fails, in-flight work is drained, the worker exits non-zero.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PipelineError {
    /// librdkafka's ERR__FATAL on the producer: nothing can be published any more.
    #[error("producer fatal error ({code:?}): {reason}")]
    ProducerFatal {
        code: RDKafkaErrorCode,
        reason: String,
    },
    /// A partition's publisher or acknowledger panicked, or ended while its partition is assigned:
    /// that partition would be stuck.
    #[error("the {task} task of {topic} partition {partition} {end}")]
    TaskDied {
        /// `publisher` or `acknowledger`.
        task: &'static str,
        topic: String,
        partition: i32,
        end: TaskEnd,
    },
}

/// How a supervised partition task ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskEnd {
    /// It returned although its partition is still assigned.
    Returned,
    /// It panicked, with this message.
    Panicked(String),
    /// The runtime cancelled it.
    Cancelled,
}

impl fmt::Display for TaskEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskEnd::Returned => f.write_str("ended while its partition is assigned"),
            TaskEnd::Panicked(message) => write!(f, "panicked: {message}"),
            TaskEnd::Cancelled => f.write_str("failed: cancelled by the runtime"),
        }
    }
}

/// An exactly-once transaction that failed: it is aborted and the worker exits non-zero, so a
/// restart (or the group's other members) resumes from the last committed transaction. (A record
/// the broker refuses is not one of these: that transaction is aborted and replayed, see `eos.rs`.)
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EosError {
    /// A record sent in the transaction was not delivered.
    #[error("offset {offset} of {topic}: {error}")]
    Delivery {
        /// The input topic and offset of the record whose output (or dead letter) failed.
        topic: String,
        offset: i64,
        error: KafkaError,
    },
    /// What was sent in the transaction was not acknowledged within the drain deadline.
    #[error("records of the transaction not acknowledged in time")]
    Unacknowledged,
    /// The offsets to commit could not be listed.
    #[error("cannot list the offsets to commit: {0}")]
    OffsetList(KafkaError),
    /// The consumer is in no group (yet), so no offsets can go into a transaction.
    #[error("consumer has no group metadata")]
    NoGroupMetadata,
    /// A transactional call to the broker failed.
    #[error("{step}: {}{error}", fatal_note(.error))]
    Call { step: TxnStep, error: KafkaError },
    /// After an aborted transaction, a partition could not be sought back to its last commit.
    #[error("cannot rewind {topic} partition {partition}: {error}")]
    Rewind {
        topic: String,
        partition: i32,
        error: KafkaError,
    },
}

impl EosError {
    /// A transactional call librdkafka calls fatal: the producer is unusable.
    pub fn is_fatal(&self) -> bool {
        matches!(self, EosError::Call { error, .. } if !fatal_note(error).is_empty())
    }
}

/// The transactional call that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnStep {
    SendOffsets,
    Commit,
    Begin,
    Abort,
}

impl fmt::Display for TxnStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TxnStep::SendOffsets => "cannot add offsets to the transaction",
            TxnStep::Commit => "cannot commit the transaction",
            TxnStep::Begin => "cannot begin a transaction",
            TxnStep::Abort => "cannot abort the transaction",
        })
    }
}

/// Says when librdkafka calls a transactional error fatal.
fn fatal_note(e: &KafkaError) -> &'static str {
    match e {
        KafkaError::Transaction(t) if t.is_fatal() => "fatal transactional error: ",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_texts_are_the_ones_the_log_and_the_readme_quote() {
        let died = PipelineError::TaskDied {
            task: "publisher",
            topic: "articles".into(),
            partition: 4,
            end: TaskEnd::Panicked("header copy failed".into()),
        };
        assert_eq!(
            died.to_string(),
            "the publisher task of articles partition 4 panicked: header copy failed"
        );
        let fatal = PipelineError::ProducerFatal {
            code: RDKafkaErrorCode::ProducerFenced,
            reason: "fenced".into(),
        };
        assert!(fatal
            .to_string()
            .starts_with("producer fatal error (ProducerFenced): fenced"));
        let delivery = EosError::Delivery {
            topic: "in".into(),
            offset: 7,
            error: KafkaError::MessageProduction(RDKafkaErrorCode::TopicAuthorizationFailed),
        };
        let text = delivery.to_string();
        assert!(text.starts_with("offset 7 of in: "), "{text}");
        assert!(text.contains("TopicAuthorizationFailed"), "{text}");
        let call = EosError::Call {
            step: TxnStep::Commit,
            error: KafkaError::MessageProduction(RDKafkaErrorCode::RequestTimedOut),
        };
        assert!(call
            .to_string()
            .starts_with("cannot commit the transaction: "));
        assert!(!call.is_fatal());
        assert!(
            std::error::Error::source(&call).is_none(),
            "the Kafka error is in the text, not repeated as a source"
        );
    }
}
