//! The one place librdkafka client properties are put together. Each client the service runs gets
//! the broker list, the settings that make our delivery guarantees hold for its role, and then the
//! operator's pass-through properties (`kafka.consumer_extra` for consumers;
//! `kafka.producer_derived` and `kafka.producer_extra` for producers and the admin client), which
//! win over ours.

use crate::service::config::{ConfigError, Delivery, KafkaSettings, Settings};
use rdkafka::error::KafkaError;
use rdkafka::ClientConfig;

/// Which client a configuration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// The worker's input consumer (member of `kafka.group_id`).
    Consumer,
    /// The worker's output and dead-letter producer.
    Producer,
    /// Topic creation at start.
    Admin,
    /// `replay-dlq`'s reader of the dead-letter topic (its own group).
    ReplayConsumer,
    /// `replay-dlq`'s writer back to the input topic.
    ReplayProducer,
}

/// The configuration for `client` under `settings`.
pub fn client_config(settings: &KafkaSettings, client: Client) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &settings.brokers);
    let exactly_once = settings.delivery == Delivery::ExactlyOnce;
    match client {
        Client::Consumer => {
            config
                .set("group.id", &settings.group_id)
                .set("enable.auto.commit", "true")
                // An offset is stored only once its record reached the output or the DLQ.
                .set("enable.auto.offset.store", "false")
                .set("auto.offset.reset", "earliest")
                .set(
                    "session.timeout.ms",
                    settings.session_timeout_ms.to_string(),
                )
                // Connectivity for /readyz and the lag metrics come from the statistics.
                .set("statistics.interval.ms", "1000");
            // Fetching keeps librdkafka's defaults: fetch.min.bytes 1 makes the broker answer a
            // fetch as soon as one record is there (fetch.wait.max.ms, 500, only bounds an empty
            // wait), and the prefetch queue (queued.max.messages.kbytes) is what lets a backlog
            // drain at full speed; the `fetch` stage of newsenrich_stage_seconds shows the wait.
            if exactly_once {
                // Offsets are committed inside the producer's transactions instead.
                config
                    .set("enable.auto.commit", "false")
                    .set("isolation.level", "read_committed");
            }
        }
        Client::Producer => {
            config
                .set("enable.idempotence", "true")
                .set("acks", "all")
                // 5 ms: at 1-3k records/s this packs a few records per output partition into
                // each request instead of one, which saves the broker (and, on a shared host, our
                // enrich threads) a request per record. It is not in the end-to-end latency (an
                // output's timestamp is taken when it is handed over) and holds no stage of the
                // pipeline (acks are awaited per partition, concurrently); a downstream reader sees
                // the output at most this much later. Measured with scripts/bench-worker (`ack`).
                .set("linger.ms", "5")
                // Finite so a stuck delivery surfaces in our retry loop (and logs) instead of
                // hiding inside librdkafka; we re-send, so nothing is lost when it expires.
                .set("message.timeout.ms", "30000")
                .set("statistics.interval.ms", "1000");
            if exactly_once {
                let id = transactional_id(settings);
                // Lets operators match this worker to the broker's transaction state.
                tracing::info!(transactional_id = %id, "exactly-once: transactional producer");
                config.set("transactional.id", id);
                // A crashed worker's open transaction blocks read_committed readers of the output
                // until the broker aborts it; the id is never reused, so only this timeout ends it
                // (the worker sets it above its drain deadline, see `Settings::transaction_timeout_ms`).
                config
                    .set("transaction.timeout.ms", "10000")
                    .set("message.timeout.ms", "10000");
            }
        }
        Client::Admin => {}
        Client::ReplayConsumer => {
            config
                .set("enable.auto.commit", "false")
                .set("enable.auto.offset.store", "false")
                .set("auto.offset.reset", "earliest");
        }
        Client::ReplayProducer => {
            config.set("enable.idempotence", "true").set("acks", "all");
        }
    }
    match client {
        Client::Consumer | Client::ReplayConsumer => {
            for (key, value) in &settings.consumer_extra {
                config.set(key, value);
            }
        }
        Client::Producer | Client::ReplayProducer => {
            for (key, value) in settings
                .producer_derived
                .iter()
                .chain(&settings.producer_extra)
            {
                config.set(key, value);
            }
        }
        // Security settings (SASL/SSL) usually live in the producer pass-through; the admin
        // client needs them too.
        Client::Admin => {
            for (key, value) in &settings.producer_extra {
                config.set(key, value);
            }
        }
    }
    if client == Client::ReplayConsumer {
        // Ours, not the worker's: the replay must never join (and rebalance) the workers' group.
        config.set("group.id", settings.replay_group());
    }
    config
}

/// The SASL mechanisms librdkafka provides as the rdkafka crate builds it here (OpenSSL, no Cyrus
/// SASL, no libcurl).
pub const BUILT_IN_SASL_MECHANISMS: &[&str] =
    &["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"];

/// Checks every client's properties with librdkafka itself, at load time, so a misspelt or
/// unsupported property is a configuration error naming the key. Never shows the value: a misspelt
/// secret (`sasl.passwd`) is not known to be secret, and librdkafka's own error (`KafkaError`'s
/// Display: `description key value`) would print it.
pub fn check_properties(settings: &Settings) -> Result<(), ConfigError> {
    let k = &settings.kafka;
    for (section, map) in [
        ("kafka.consumer_extra", &k.consumer_extra),
        ("kafka.producer_extra", &k.producer_extra),
    ] {
        for key in ["sasl.mechanism", "sasl.mechanisms"] {
            let Some(value) = map.get(key) else { continue };
            let mechanism = value.trim().to_ascii_uppercase();
            if !BUILT_IN_SASL_MECHANISMS.contains(&mechanism.as_str()) {
                return Err(ConfigError::invalid(
                    &format!("{section}.{key}"),
                    format!(
                        "is {value:?}, which this build of librdkafka does not provide (no Cyrus SASL, \
                         so no GSSAPI/Kerberos); built in: {}",
                        BUILT_IN_SASL_MECHANISMS.join(", ")
                    ),
                ));
            }
        }
    }
    for client in [
        Client::Consumer,
        Client::Producer,
        Client::Admin,
        Client::ReplayConsumer,
        Client::ReplayProducer,
    ] {
        let config = client_config(k, client);
        let Err(e) = config.create_native_config() else {
            continue;
        };
        let KafkaError::ClientConfig(_, desc, key, value) = e else {
            return Err(ConfigError::Rejected(settings.scrub(&e.to_string())));
        };
        let section = match client {
            Client::Consumer | Client::ReplayConsumer if k.consumer_extra.contains_key(&key) => {
                "kafka.consumer_extra"
            }
            Client::Producer | Client::ReplayProducer | Client::Admin
                if k.producer_extra.contains_key(&key) =>
            {
                "kafka.producer_extra"
            }
            _ if k.producer_derived.contains_key(&key) => "kafka.producer_derived",
            _ => "kafka",
        };
        return Err(ConfigError::Invalid {
            key: format!("{section}.{key}"),
            reason: format!(
                "is rejected by librdkafka: {}",
                without_value(&desc, &value, settings)
            ),
        });
    }
    Ok(())
}

/// librdkafka's description of a rejected property with the value (and any secret) taken out.
fn without_value(desc: &str, value: &str, settings: &Settings) -> String {
    let mut out = desc.replace(&format!("\"{value}\""), "(value not shown)");
    if value.len() >= crate::service::secrets::MIN_SCRUBBED_LEN {
        out = out.replace(value, "(value not shown)");
    }
    settings.scrub(&out)
}

/// Fencing of zombies comes from the consumer group generation (KIP-447), so the id only has to be
/// unique per running process.
fn transactional_id(settings: &KafkaSettings) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "newsenrich-{}-{}-{nanos}",
        settings.group_id,
        std::process::id()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(config: &ClientConfig, key: &str) -> Option<String> {
        config.get(key).map(str::to_string)
    }

    #[test]
    fn operator_properties_win_and_reach_only_their_clients() {
        let mut s = KafkaSettings::default();
        s.consumer_extra
            .insert("auto.offset.reset".into(), "latest".into());
        s.producer_extra.insert("linger.ms".into(), "50".into());
        s.producer_extra
            .insert("security.protocol".into(), "SASL_SSL".into());
        let consumer = client_config(&s, Client::Consumer);
        assert_eq!(
            get(&consumer, "auto.offset.reset").as_deref(),
            Some("latest")
        );
        assert_eq!(
            get(&consumer, "enable.auto.offset.store").as_deref(),
            Some("false")
        );
        assert_eq!(get(&consumer, "linger.ms"), None);
        let producer = client_config(&s, Client::Producer);
        assert_eq!(get(&producer, "linger.ms").as_deref(), Some("50"));
        assert_eq!(get(&producer, "acks").as_deref(), Some("all"));
        assert_eq!(get(&producer, "transactional.id"), None);
        let admin = client_config(&s, Client::Admin);
        assert_eq!(
            get(&admin, "security.protocol").as_deref(),
            Some("SASL_SSL")
        );
    }

    #[test]
    fn exactly_once_gets_transactions_and_read_committed_and_replay_its_own_group() {
        let mut s = KafkaSettings {
            delivery: Delivery::ExactlyOnce,
            ..KafkaSettings::default()
        };
        s.consumer_extra.insert("group.id".into(), "other".into());
        let consumer = client_config(&s, Client::Consumer);
        assert_eq!(
            get(&consumer, "isolation.level").as_deref(),
            Some("read_committed")
        );
        assert_eq!(
            get(&consumer, "enable.auto.commit").as_deref(),
            Some("false")
        );
        let producer = client_config(&s, Client::Producer);
        assert!(get(&producer, "transactional.id").is_some_and(|id| id.starts_with("newsenrich-")));
        let replay = client_config(&s, Client::ReplayConsumer);
        assert_eq!(get(&replay, "group.id"), Some(s.replay_group()));
    }

    #[test]
    fn a_rejected_property_is_named_without_its_value() {
        let canary = "canary-Zq8-hunter2";
        for (section, key) in [
            ("consumer_extra", "sasl.passwd"),
            ("producer_extra", "sasl.pasword"),
            ("consumer_extra", "security.protocol"),
            ("producer_extra", "ssl.keystore.password.typo"),
        ] {
            let mut s = Settings::default();
            let map = if section == "consumer_extra" {
                &mut s.kafka.consumer_extra
            } else {
                &mut s.kafka.producer_extra
            };
            map.insert(key.into(), canary.into());
            let err = check_properties(&s).unwrap_err().to_string();
            assert!(err.contains(&format!("kafka.{section}.{key}")), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
            // What librdkafka's own error would have printed.
            let raw = client_config(&s.kafka, Client::Producer)
                .create_native_config()
                .err()
                .or_else(|| {
                    client_config(&s.kafka, Client::Consumer)
                        .create_native_config()
                        .err()
                })
                .unwrap()
                .to_string();
            assert!(raw.contains(canary), "{raw}");
        }
        let mut s = Settings::default();
        s.kafka
            .consumer_extra
            .insert("sasl.oauthbearer.client.secret".into(), canary.into());
        s.kafka
            .consumer_extra
            .insert("sasl.username".into(), "worker".into());
        match check_properties(&s) {
            Ok(()) => {}
            Err(e) => {
                let err = e.to_string();
                assert!(err.contains("sasl.oauthbearer.client.secret"), "{err}");
                assert!(!err.contains("hunter2"), "{err}");
            }
        }
        assert!(check_properties(&Settings::default()).is_ok());
    }

    #[test]
    fn a_sasl_mechanism_this_build_lacks_is_a_config_error() {
        let mut s = Settings::default();
        s.kafka
            .producer_extra
            .insert("sasl.mechanism".into(), "GSSAPI".into());
        let err = check_properties(&s).unwrap_err().to_string();
        assert!(err.contains("kafka.producer_extra.sasl.mechanism"), "{err}");
        assert!(err.contains("SCRAM-SHA-512"), "{err}");
        s.kafka
            .producer_extra
            .insert("sasl.mechanism".into(), "scram-sha-512".into());
        assert!(check_properties(&s).is_ok());
    }
}
