//! Cross-field and range checks that serde cannot express, one function per section, run in
//! the order their errors are reported.

use super::kafka::{
    required_message_max_bytes, LIBRDKAFKA_MAX_MESSAGE_BYTES, PRODUCER_HEADROOM_BYTES,
};
use super::{
    ConfigError, Delivery, KafkaSettings, LanguagePolicy, LanguageSettings, Settings,
    MIN_HTTP_REQUEST_BYTES,
};

impl Settings {
    /// Cross-field and range checks that serde cannot express. The first broken rule is
    /// reported, in this order.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        self.validate_kafka()?;
        self.validate_limits()?;
        self.validate_worker()?;
        self.validate_http()?;
        self.validate_log()?;
        self.validate_pass_through()?;
        self.language.validate(&self.kafka)?;
        Ok(())
    }

    /// `[kafka]`: names set, three distinct topics, a session timeout.
    fn validate_kafka(&self) -> Result<(), ConfigError> {
        let k = &self.kafka;
        for (key, value) in [
            ("kafka.brokers", &k.brokers),
            ("kafka.group_id", &k.group_id),
            ("kafka.input_topic", &k.input_topic),
            ("kafka.output_topic", &k.output_topic),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::invalid(key, "must not be empty"));
            }
        }
        if k.output_topic == k.input_topic {
            return Err(ConfigError::invalid(
                "kafka.output_topic",
                "must differ from kafka.input_topic",
            ));
        }
        let dlq = k.dlq_topic();
        if dlq == k.input_topic || dlq == k.output_topic {
            return Err(ConfigError::invalid(
                "kafka.dlq_topic",
                "must differ from the input and output topics",
            ));
        }
        if k.session_timeout_ms == 0 {
            return Err(ConfigError::invalid(
                "kafka.session_timeout_ms",
                "must be > 0",
            ));
        }
        Ok(())
    }

    /// `[limits]`: every bound > 0, and a record of `max_record_bytes` fits the producer.
    fn validate_limits(&self) -> Result<(), ConfigError> {
        for (key, value) in [
            ("limits.max_tokens", self.limits.max_tokens as u64),
            ("limits.max_mentions", self.limits.max_mentions as u64),
            ("limits.max_pairs", self.limits.max_pairs as u64),
            (
                "limits.article_time_budget_ms",
                self.limits.article_time_budget_ms,
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::invalid(key, "must be > 0"));
            }
        }
        if self.limits.max_record_bytes == 0 {
            return Err(ConfigError::invalid(
                "limits.max_record_bytes",
                "must be > 0",
            ));
        }
        self.validate_message_max_bytes()?;
        if self.limits.max_text_chars == 0 {
            return Err(ConfigError::invalid("limits.max_text_chars", "must be > 0"));
        }
        Ok(())
    }

    /// The producer's `message.max.bytes` (derived, or the operator's) holds a record of
    /// `limits.max_record_bytes` plus its dead-letter headers.
    fn validate_message_max_bytes(&self) -> Result<(), ConfigError> {
        let k = &self.kafka;
        let needed = required_message_max_bytes(&self.limits);
        if needed > LIBRDKAFKA_MAX_MESSAGE_BYTES {
            return Err(ConfigError::invalid(
                "limits.max_record_bytes",
                format!(
                    "must be at most {} (the producer's message.max.bytes, which must hold it plus \
                     {PRODUCER_HEADROOM_BYTES} bytes for headers, cannot exceed {LIBRDKAFKA_MAX_MESSAGE_BYTES})",
                    LIBRDKAFKA_MAX_MESSAGE_BYTES - PRODUCER_HEADROOM_BYTES
                ),
            ));
        }
        if let Some(raw) = k.producer_extra.get("message.max.bytes") {
            match raw.trim().parse::<usize>() {
                Err(_) => {
                    return Err(ConfigError::invalid(
                        "kafka.producer_extra.message.max.bytes",
                        format!("must be a whole number of bytes, got {raw:?}"),
                    ))
                }
                Ok(set) if set < needed => {
                    return Err(ConfigError::invalid(
                        "kafka.producer_extra.message.max.bytes",
                        format!(
                            "is {set} but must be at least {needed} (limits.max_record_bytes {} + \
                             {PRODUCER_HEADROOM_BYTES} for key, headers and framing), or a record \
                             the worker accepts could not even reach the dead-letter topic; raise it, \
                             lower limits.max_record_bytes, or leave it unset (then it is {needed})",
                            self.limits.max_record_bytes
                        ),
                    ))
                }
                Ok(_) => {}
            }
        }
        Ok(())
    }

    /// `[worker]`: in-flight bounds, and drain deadlines inside the session and transaction
    /// timeouts.
    fn validate_worker(&self) -> Result<(), ConfigError> {
        let k = &self.kafka;
        let w = &self.worker;
        if w.max_inflight == 0 {
            return Err(ConfigError::invalid("worker.max_inflight", "must be > 0"));
        }
        if w.max_inflight_per_partition == 0 || w.max_inflight_per_partition > w.max_inflight {
            return Err(ConfigError::invalid(
                "worker.max_inflight_per_partition",
                "must be between 1 and worker.max_inflight",
            ));
        }
        if w.drain_timeout_ms == 0 || w.drain_timeout_ms >= k.session_timeout_ms {
            return Err(ConfigError::invalid(
                "worker.drain_timeout_ms",
                format!(
                    "must be > 0 and < kafka.session_timeout_ms ({})",
                    k.session_timeout_ms
                ),
            ));
        }
        if w.stall_timeout_ms == 0 {
            return Err(ConfigError::invalid(
                "worker.stall_timeout_ms",
                "must be > 0",
            ));
        }
        if k.delivery == Delivery::ExactlyOnce
            && w.drain_timeout_ms >= self.transaction_timeout_ms()
        {
            return Err(ConfigError::invalid(
                "worker.drain_timeout_ms",
                format!(
                    "must be < the producer's transaction.timeout.ms ({}) in exactly-once mode",
                    self.transaction_timeout_ms()
                ),
            ));
        }
        Ok(())
    }

    /// `[log]`: a level the tracing filter accepts.
    fn validate_log(&self) -> Result<(), ConfigError> {
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return Err(ConfigError::invalid(
                "log.level",
                format!("is not a valid filter: {e}"),
            ));
        }
        Ok(())
    }

    /// `kafka.consumer_extra` / `kafka.producer_extra`: no empty property names.
    fn validate_pass_through(&self) -> Result<(), ConfigError> {
        let k = &self.kafka;
        for (section, map) in [
            ("kafka.consumer_extra", &k.consumer_extra),
            ("kafka.producer_extra", &k.producer_extra),
        ] {
            if let Some(bad) = map.keys().find(|key| key.trim().is_empty()) {
                return Err(ConfigError::invalid(
                    &format!("{section}.{bad}"),
                    "property names must not be empty",
                ));
            }
        }
        Ok(())
    }

    /// `[http]`: timeouts, connection and size bounds.
    fn validate_http(&self) -> Result<(), ConfigError> {
        let h = &self.http;
        if h.host.trim().is_empty() {
            return Err(ConfigError::invalid("http.host", "must not be empty"));
        }
        if h.header_read_timeout_ms == 0 {
            return Err(ConfigError::invalid(
                "http.header_read_timeout_ms",
                "must be > 0",
            ));
        }
        if h.connection_timeout_ms < h.header_read_timeout_ms {
            return Err(ConfigError::invalid(
                "http.connection_timeout_ms",
                format!(
                    "must be >= http.header_read_timeout_ms ({})",
                    h.header_read_timeout_ms
                ),
            ));
        }
        if h.max_connections == 0 {
            return Err(ConfigError::invalid("http.max_connections", "must be > 0"));
        }
        if !(MIN_HTTP_REQUEST_BYTES..=1 << 20).contains(&h.max_request_bytes) {
            return Err(ConfigError::invalid(
                "http.max_request_bytes",
                format!("must be between {MIN_HTTP_REQUEST_BYTES} and 1048576"),
            ));
        }
        Ok(())
    }
}

impl LanguageSettings {
    /// `[language]`: known language codes, and a distinct route topic when anything is routed.
    fn validate(&self, kafka: &KafkaSettings) -> Result<(), ConfigError> {
        use crate::enrich::language::{normalize_tag, UNDETERMINED};
        for key in self.policies.keys() {
            if key != UNDETERMINED && normalize_tag(key) != Some(key.as_str()) {
                return Err(ConfigError::invalid(
                    &format!("language.policies.{key}"),
                    "is not a language the detector knows: use a lowercase ISO 639-1 code \
                     (en, de, zh, ...) or `und` for undetermined text",
                ));
            }
        }
        for code in &self.candidates {
            if normalize_tag(code) != Some(code.as_str()) {
                return Err(ConfigError::invalid(
                    "language.candidates",
                    format!(
                        "`{code}` is not a language the detector knows: use lowercase ISO 639-1 \
                         codes (en, de, zh, ...)"
                    ),
                ));
            }
        }
        let topic = self.route_topic.trim();
        if self.routes() && topic.is_empty() {
            let key = match self
                .policies
                .iter()
                .find(|(_, p)| **p == LanguagePolicy::Route)
            {
                Some((code, _)) => format!("language.policies.{code}"),
                None => "language.default_policy".to_string(),
            };
            return Err(ConfigError::invalid(
                &key,
                "is `route` but language.route_topic is empty",
            ));
        }
        if !topic.is_empty()
            && [
                kafka.input_topic.as_str(),
                kafka.output_topic.as_str(),
                kafka.dlq_topic().as_str(),
            ]
            .contains(&topic)
        {
            return Err(ConfigError::invalid(
                "language.route_topic",
                "must differ from the input, output and dead-letter topics",
            ));
        }
        Ok(())
    }
}
