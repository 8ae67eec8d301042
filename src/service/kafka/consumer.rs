//! The consumer: group membership, manual offset store, rebalance and statistics callbacks.
//!
//! Offsets are stored by the worker only once a record's output is acknowledged
//! (`enable.auto.offset.store=false`); librdkafka's auto-commit then commits what was stored. The
//! rebalance callbacks run on the thread that polls (the worker's consumer thread), which is what
//! lets a revocation block there while in-flight records of the revoked partitions finish.

use super::{log_client_error, log_librdkafka, set_connected, RateLimit};
use crate::service::config::KafkaSettings;
use crate::service::health::Status;
use crate::service::metrics::Metrics;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult, RDKafkaErrorCode};
use rdkafka::{ClientContext, Statistics, TopicPartitionList};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// One input partition: the unit of ordering, offsets and assignment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PartitionId {
    pub topic: String,
    pub partition: i32,
}

impl PartitionId {
    pub(crate) fn new(topic: impl Into<String>, partition: i32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

impl std::fmt::Display for PartitionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} partition {}", self.topic, self.partition)
    }
}

/// What the worker does when partitions come and go. Called on the polling thread.
pub(crate) trait RebalanceHandler: Send + Sync {
    /// Partitions were assigned (after librdkafka applied the assignment).
    fn assigned(&self, consumer: &BaseConsumer<ConsumerCtx>, partitions: &[PartitionId]);
    /// Partitions are about to be revoked: finish or abandon their in-flight work and commit.
    fn revoking(&self, consumer: &BaseConsumer<ConsumerCtx>, partitions: &[PartitionId]);
}

pub struct ConsumerCtx {
    status: Arc<Status>,
    metrics: Metrics,
    handler: Arc<dyn RebalanceHandler>,
    input_topic: String,
    errors: RateLimit,
    /// Report the lag behind the stored offsets (exactly-once: what the last transaction
    /// committed) instead of behind the consumer's own commits, which that mode never makes.
    stored_lag: bool,
}

impl ConsumerCtx {
    pub(crate) fn new(
        status: Arc<Status>,
        metrics: Metrics,
        handler: Arc<dyn RebalanceHandler>,
        input_topic: String,
    ) -> Self {
        Self {
            status,
            metrics,
            handler,
            input_topic,
            errors: RateLimit::new(Duration::from_secs(10)),
            stored_lag: false,
        }
    }

    /// See `stored_lag`: librdkafka's `consumer_lag` is measured from the consumer's committed
    /// offset, which transactions (`send_offsets_to_transaction`) do not update.
    pub(crate) fn lag_from_stored(mut self, yes: bool) -> Self {
        self.stored_lag = yes;
        self
    }
}

fn partition_ids(tpl: &TopicPartitionList) -> Vec<PartitionId> {
    tpl.elements()
        .iter()
        .map(|e| PartitionId::new(e.topic(), e.partition()))
        .collect()
}

impl ClientContext for ConsumerCtx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        log_librdkafka(level, fac, log_message);
    }

    fn stats(&self, statistics: Statistics) {
        let up = super::any_broker_up(&statistics);
        set_connected(&self.status.consumer_up, up, "consumer");
        if up {
            self.status
                .consumer_unreachable
                .store(false, Ordering::Relaxed);
        }
        let Some(topic) = statistics.topics.get(&self.input_topic) else {
            return;
        };
        for (partition, p) in &topic.partitions {
            // -1 is librdkafka's internal "unassigned" partition.
            if *partition < 0 {
                continue;
            }
            let label = partition.to_string();
            let labels = [self.input_topic.as_str(), label.as_str()];
            // Fetch state "none"/"stopped" marks a partition this member does not own (any more).
            let owned = !matches!(p.fetch_state.as_str(), "none" | "stopped");
            // Both are measured to the last stable offset under read_committed (exactly-once).
            let lag = if self.stored_lag && p.consumer_lag_stored >= 0 {
                p.consumer_lag_stored
            } else {
                p.consumer_lag
            };
            if owned && lag >= 0 {
                self.metrics
                    .consumer_lag
                    .with_label_values(&labels)
                    .set(lag);
            } else if !owned {
                let _ = self.metrics.consumer_lag.remove_label_values(&labels);
            }
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
            set_connected(&self.status.consumer_up, false, "consumer");
            self.status
                .consumer_unreachable
                .store(true, Ordering::Relaxed);
        }
        log_client_error(&self.errors, "consumer", &error, reason);
    }
}

impl ConsumerContext for ConsumerCtx {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => {
                let parts = partition_ids(tpl);
                tracing::info!(partitions = ?parts, "partitions revoked");
                self.handler.revoking(consumer, &parts);
            }
            Rebalance::Assign(_) => {}
            Rebalance::Error(e) => tracing::warn!("rebalance error: {e}"),
        }
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            // An assignment came from the group coordinator: the consumer is connected, whatever
            // the next statistics say.
            set_connected(&self.status.consumer_up, true, "consumer");
            self.status
                .consumer_unreachable
                .store(false, Ordering::Relaxed);
            self.metrics.rebalances.inc();
            let parts = partition_ids(tpl);
            tracing::info!(partitions = ?parts, "partitions assigned");
            self.handler.assigned(consumer, &parts);
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => self.metrics.offset_commits.with_label_values(&["ok"]).inc(),
            // Nothing new was stored since the last commit: not a commit at all.
            Err(e) if e.rdkafka_error_code() == Some(RDKafkaErrorCode::NoOffset) => {}
            Err(e) => {
                self.metrics
                    .offset_commits
                    .with_label_values(&["error"])
                    .inc();
                tracing::warn!(partitions = offsets.count(), "offset commit failed: {e}");
            }
        }
    }
}

pub type InputConsumer = BaseConsumer<ConsumerCtx>;

/// Builds the consumer; `consumer_extra` properties override the defaults set here.
pub(crate) fn create(
    settings: &KafkaSettings,
    ctx: ConsumerCtx,
) -> Result<InputConsumer, KafkaError> {
    super::client::client_config(settings, super::client::Client::Consumer).create_with_context(ctx)
}
