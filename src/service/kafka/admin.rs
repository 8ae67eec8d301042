//! Admin helpers: creating the output and dead-letter topics when `kafka.create_topics` is on.

use crate::service::config::KafkaSettings;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use std::time::Duration;

/// Creates the output and DLQ topics (and `extra` ones, e.g. the language route topic) if missing
/// (partitions and replication from the broker's
/// defaults; `max.message.bytes` = the producer's `message.max.bytes`, so a dead letter the
/// producer takes is not refused by the broker's ~1 MB default). Existing topics are fine (and kept
/// as they are: a dead letter one of them refuses as too large is retried cut shorter). Errors are returned so the caller can retry while a broker
/// is unreachable.
pub(crate) async fn ensure_topics(
    settings: &KafkaSettings,
    extra: &[&str],
) -> Result<(), KafkaError> {
    let admin: AdminClient<DefaultClientContext> =
        super::client::client_config(settings, super::client::Client::Admin).create()?;
    let dlq = settings.dlq_topic();
    let max = settings
        .producer_extra
        .get("message.max.bytes")
        .or_else(|| settings.producer_derived.get("message.max.bytes"));
    let names = [settings.output_topic.as_str(), dlq.as_str()]
        .into_iter()
        .chain(extra.iter().copied());
    let topics: Vec<NewTopic> = names
        .map(|name| {
            let topic = NewTopic::new(name, -1, TopicReplication::Fixed(-1));
            match max {
                Some(max) => topic.set("max.message.bytes", max),
                None => topic,
            }
        })
        .collect();
    let opts = AdminOptions::new().request_timeout(Some(Duration::from_secs(5)));
    for result in admin.create_topics(topics.iter(), &opts).await? {
        match result {
            Ok(topic) => tracing::info!(topic, "created topic"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => {
                return Err(KafkaError::AdminOp(code)).inspect_err(|_| {
                    tracing::warn!(topic, "cannot create topic: {code}");
                })
            }
        }
    }
    Ok(())
}
