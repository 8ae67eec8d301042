//! The `[kafka]` section and what the worker derives from it for its producers.

use super::LimitsSettings;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How records are delivered end to end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Offsets stored only after the output (or DLQ copy) is acknowledged; duplicates possible.
    #[default]
    AtLeastOnce,
    /// Transactional consume-transform-produce: output and offsets commit together.
    ExactlyOnce,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KafkaSettings {
    pub brokers: String,
    pub group_id: String,
    pub input_topic: String,
    pub output_topic: String,
    /// Empty means `<input_topic>.dlq`; use [`KafkaSettings::dlq_topic`].
    pub dlq_topic: String,
    pub delivery: Delivery,
    pub session_timeout_ms: u64,
    /// Create missing output and DLQ topics at start (handy locally; clusters usually forbid it).
    pub create_topics: bool,
    /// librdkafka consumer properties passed through verbatim (they override ours).
    #[serde(deserialize_with = "librdkafka_properties")]
    pub consumer_extra: BTreeMap<String, String>,
    /// librdkafka producer properties passed through verbatim (they override ours).
    #[serde(deserialize_with = "librdkafka_properties")]
    pub producer_extra: BTreeMap<String, String>,
    /// Codec of the output and dead-letter producer (`compression.type`), unless `producer_extra`
    /// sets `compression.type` or `compression.codec`. Input of any codec is read regardless.
    pub compression: Compression,
    /// What the worker sets on its producer by itself, derived from the settings above and
    /// `limits` (see [`Settings::resolve`](super::Settings::resolve)); shown by `check-config`,
    /// never read from a file.
    #[serde(skip_deserializing)]
    pub producer_derived: BTreeMap<String, String>,
    /// Pass-through properties whose value was read from a file (`@/path`), keyed
    /// `consumer_extra.<property>` / `producer_extra.<property>`; check-config shows the path.
    #[serde(skip)]
    pub from_files: BTreeMap<String, PathBuf>,
}

/// Producer compression codec.
///
/// The default is lz4: the codec most Kafka deployments use for throughput (Confluent's and the
/// Kafka docs' usual recommendation), with the lowest CPU cost of the compressing codecs. This
/// worker's CPU goes to enrichment, so a cheap codec wins over zstd's better ratio; JSON documents
/// still shrink several-fold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    None,
    Gzip,
    Snappy,
    #[default]
    Lz4,
    Zstd,
}

impl Compression {
    /// The librdkafka `compression.type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }
}

/// Room the producer's `message.max.bytes` keeps above `limits.max_record_bytes`: a dead letter
/// carries the original key and headers plus ours, and the protocol adds its framing.
pub(crate) const PRODUCER_HEADROOM_BYTES: usize = 64 * 1024;

/// librdkafka's upper bound for `message.max.bytes`.
pub(super) const LIBRDKAFKA_MAX_MESSAGE_BYTES: usize = 1_000_000_000;

impl Default for KafkaSettings {
    fn default() -> Self {
        let mut settings = Self {
            brokers: "127.0.0.1:9092".into(),
            group_id: "newsenrich".into(),
            input_topic: "articles".into(),
            output_topic: "articles.enriched".into(),
            dlq_topic: String::new(),
            delivery: Delivery::AtLeastOnce,
            session_timeout_ms: 45_000,
            create_topics: false,
            consumer_extra: BTreeMap::new(),
            producer_extra: BTreeMap::new(),
            compression: Compression::default(),
            producer_derived: BTreeMap::new(),
            from_files: BTreeMap::new(),
        };
        settings.producer_derived =
            settings.derived_producer_properties(&LimitsSettings::default());
        settings
    }
}

/// One librdkafka property value as it can arrive: a string, a scalar written without quotes, or a
/// nested table. Env vars always nest (`…__CONSUMER_EXTRA__SASL__PASSWORD` arrives as
/// `sasl: {password: …}`), and so do dotted TOML keys written without quotes.
#[derive(Deserialize)]
#[serde(untagged)]
enum PropertyValue {
    Text(String),
    Bool(bool),
    Int(i64),
    Float(f64),
    Nested(BTreeMap<String, PropertyValue>),
}

/// Reads a table of librdkafka properties, joining nested keys with `.` so that
/// `sasl.password = "…"`, `"sasl.password" = "…"` and `NEWSENRICH__KAFKA__CONSUMER_EXTRA__SASL__PASSWORD`
/// all give the property `sasl.password`.
fn librdkafka_properties<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    fn flatten(prefix: &str, value: PropertyValue, out: &mut BTreeMap<String, String>) {
        let text = match value {
            PropertyValue::Text(s) => s,
            PropertyValue::Bool(b) => b.to_string(),
            PropertyValue::Int(i) => i.to_string(),
            PropertyValue::Float(f) => f.to_string(),
            PropertyValue::Nested(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flatten(&key, v, out);
                }
                return;
            }
        };
        out.insert(prefix.to_string(), text);
    }
    let top = BTreeMap::<String, PropertyValue>::deserialize(deserializer)?;
    let mut out = BTreeMap::new();
    for (k, v) in top {
        flatten(&k, v, &mut out);
    }
    Ok(out)
}

impl KafkaSettings {
    /// The producer's `message.max.bytes`: the operator's (`producer_extra`) if set and a number,
    /// else `limits.max_record_bytes` + [`PRODUCER_HEADROOM_BYTES`]. Dead letters are cut to fit it.
    pub(crate) fn message_max_bytes(&self, limits: &LimitsSettings) -> usize {
        self.producer_extra
            .get("message.max.bytes")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| required_message_max_bytes(limits))
    }

    /// The properties the worker sets on its producers by itself, before `producer_extra`:
    /// `message.max.bytes` and `compression.type`, each unless the operator set it.
    pub(crate) fn derived_producer_properties(
        &self,
        limits: &LimitsSettings,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if !self.producer_extra.contains_key("message.max.bytes") {
            out.insert(
                "message.max.bytes".to_string(),
                required_message_max_bytes(limits).to_string(),
            );
        }
        if !self.producer_extra.contains_key("compression.type")
            && !self.producer_extra.contains_key("compression.codec")
        {
            out.insert(
                "compression.type".to_string(),
                self.compression.as_str().to_string(),
            );
        }
        out
    }

    /// The consumer group that records `replay-dlq`'s progress (never the workers' group).
    pub(crate) fn replay_group(&self) -> String {
        format!("{}-dlq-replay", self.group_id)
    }

    /// The effective dead-letter topic.
    pub fn dlq_topic(&self) -> String {
        if self.dlq_topic.is_empty() {
            format!("{}.dlq", self.input_topic)
        } else {
            self.dlq_topic.clone()
        }
    }
}

/// The smallest producer `message.max.bytes` that carries a record of `limits.max_record_bytes`
/// with its dead-letter headers.
pub(crate) fn required_message_max_bytes(limits: &LimitsSettings) -> usize {
    limits
        .max_record_bytes
        .saturating_add(PRODUCER_HEADROOM_BYTES)
}
