//! Admin helpers: creating the output and dead-letter topics when `kafka.create_topics` is on.

use crate::service::config::KafkaSettings;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use std::time::Duration;

/// Creates the output and DLQ topics if missing (partitions and replication from the broker's
/// defaults). Existing topics are fine. Errors are returned so the caller can retry while a broker
/// is unreachable.
pub async fn ensure_topics(settings: &KafkaSettings) -> Result<(), KafkaError> {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &settings.brokers);
    // Security settings (SASL/SSL) usually live in the producer pass-through; the admin client
    // needs them too.
    for (key, value) in &settings.producer_extra {
        config.set(key, value);
    }
    let admin: AdminClient<DefaultClientContext> = config.create()?;
    let dlq = settings.dlq_topic();
    let topics = [
        NewTopic::new(&settings.output_topic, -1, TopicReplication::Fixed(-1)),
        NewTopic::new(&dlq, -1, TopicReplication::Fixed(-1)),
    ];
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
