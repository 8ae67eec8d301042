//! Typed settings: the only place configuration is read.
//!
//! Layers, later wins: compiled-in defaults (the `Default` impls below) -> the `--config` TOML file ->
//! `NEWSENRICH__SECTION__KEY` environment variables. Every struct denies unknown fields so a typo
//! fails loudly, naming the key, instead of silently running with a default.

use crate::service::secrets;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Prefix of environment overrides (`NEWSENRICH__KAFKA__BROKERS`).
pub(crate) const ENV_PREFIX: &str = "NEWSENRICH";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read/parsed, or a key is unknown or has the wrong type. (The text
    /// holds the cause, which is therefore not also a `source()`.)
    #[error("invalid configuration: {0}")]
    Load(config::ConfigError),
    /// librdkafka refuses a client configuration as a whole: its text, secrets scrubbed.
    #[error("invalid configuration: librdkafka rejects the client configuration: {0}")]
    Rejected(String),
    /// A value parsed but breaks a rule; `key` is the dotted path of the offending key.
    #[error("invalid configuration: `{key}` {reason}")]
    Invalid { key: String, reason: String },
}

impl ConfigError {
    /// [`ConfigError::Invalid`] for `key` (a dotted path) and why.
    pub(crate) fn invalid(key: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.to_string(),
            reason: reason.into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub kafka: KafkaSettings,
    pub limits: LimitsSettings,
    pub worker: WorkerSettings,
    pub http: HttpSettings,
    pub log: LogSettings,
    pub enrich: EnrichSettings,
    pub language: LanguageSettings,
}

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
    /// `limits` (see [`Settings::resolve`]); shown by `check-config`, never read from a file.
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
const LIBRDKAFKA_MAX_MESSAGE_BYTES: usize = 1_000_000_000;

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSettings {
    /// Records with a larger value go to the DLQ as `too_large`.
    pub max_record_bytes: usize,
    /// Articles with a longer text (in chars) go to the DLQ as `text_too_long`.
    pub max_text_chars: usize,
    /// Tokens analysed per article; the rest of the text is left out (`tokens_truncated`).
    pub max_tokens: usize,
    /// Mentions kept per article, in reading order (`mentions_truncated`).
    pub max_mentions: usize,
    /// Candidate pairs the relation classifier scores per article (`pairs_truncated`).
    pub max_pairs: usize,
    /// Wall-clock time for one article; once spent, the remaining optional stages are skipped
    /// (`*_time_budget` in `processing.degraded`).
    pub article_time_budget_ms: u64,
}

impl LimitsSettings {
    /// The core's per-article [`Budget`](crate::enrich::Budget) from these settings.
    pub(crate) fn budget(&self) -> crate::enrich::Budget {
        crate::enrich::Budget {
            max_tokens: self.max_tokens,
            max_mentions: self.max_mentions,
            max_pairs: self.max_pairs,
            max_time: Duration::from_millis(self.article_time_budget_ms),
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

impl Default for LimitsSettings {
    fn default() -> Self {
        Self {
            max_record_bytes: 1_048_576,
            max_text_chars: 500_000,
            max_tokens: 250_000,
            max_mentions: 50_000,
            max_pairs: 200_000,
            article_time_budget_ms: 5_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSettings {
    /// Enrich pool size; 0 means one per core.
    pub threads: usize,
    pub max_inflight: usize,
    pub max_inflight_per_partition: usize,
    /// Deadline to finish in-flight records on shutdown and on partition revocation.
    pub drain_timeout_ms: u64,
    /// `/healthz` turns 503 when records are in flight and none finished for this long.
    pub stall_timeout_ms: u64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            threads: 0,
            max_inflight: 1024,
            max_inflight_per_partition: 256,
            drain_timeout_ms: 10_000,
            stall_timeout_ms: 180_000,
        }
    }
}

impl WorkerSettings {
    /// `drain_timeout_ms` as a duration.
    pub(crate) fn drain_timeout(&self) -> Duration {
        Duration::from_millis(self.drain_timeout_ms)
    }

    /// `stall_timeout_ms` as a duration.
    pub(crate) fn stall_timeout(&self) -> Duration {
        Duration::from_millis(self.stall_timeout_ms)
    }

    /// The pool size with `0` resolved to the number of cores.
    pub(crate) fn effective_threads(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Bind address; `0.0.0.0` so the kubelet and Prometheus reach the pod IP.
    pub host: String,
    pub port: u16,
    /// A request's head (line and headers) must arrive within this; also how long a kept-alive
    /// connection may wait for its next request.
    pub header_read_timeout_ms: u64,
    /// Any connection is closed after this long, whatever it is doing (slow bodies, slow readers).
    pub connection_timeout_ms: u64,
    /// Connections served at once; further ones are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Largest request head (431 above it) and body (413 above it), in bytes; at least 8192.
    pub max_request_bytes: usize,
}

/// hyper's smallest read buffer, hence the smallest `http.max_request_bytes`.
pub(crate) const MIN_HTTP_REQUEST_BYTES: usize = 8192;

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: 9898,
            header_read_timeout_ms: 5_000,
            connection_timeout_ms: 30_000,
            max_connections: 1024,
            max_request_bytes: 16_384,
        }
    }
}

impl HttpSettings {
    /// `header_read_timeout_ms` as a duration.
    pub(crate) fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }

    /// `connection_timeout_ms` as a duration.
    pub(crate) fn connection_timeout(&self) -> Duration {
        Duration::from_millis(self.connection_timeout_ms)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    pub format: LogFormat,
    /// `tracing_subscriber::EnvFilter` syntax; `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnrichSettings {
    /// Relative paths resolve against the working directory.
    pub models_dir: PathBuf,
}

impl Default for EnrichSettings {
    fn default() -> Self {
        Self {
            models_dir: PathBuf::from("models"),
        }
    }
}

/// What happens to an article in one language (see `[language]` in `config/default.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguagePolicy {
    /// Run the enrich core (its models are English).
    Enrich,
    /// Publish the document with `language`, no entities or relations and
    /// `processing.skipped = "unsupported_language"`.
    Pass,
    /// Send the record to the dead-letter topic as `unsupported_language`.
    Dlq,
    /// Send the original record, with `x-language` headers, to `language.route_topic`.
    Route,
}

impl LanguagePolicy {
    pub(crate) const ALL: [LanguagePolicy; 4] = [
        LanguagePolicy::Enrich,
        LanguagePolicy::Pass,
        LanguagePolicy::Dlq,
        LanguagePolicy::Route,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LanguagePolicy::Enrich => "enrich",
            LanguagePolicy::Pass => "pass",
            LanguagePolicy::Dlq => "dlq",
            LanguagePolicy::Route => "route",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageSettings {
    /// Use the input envelope's `language` field (when it names a known language) instead of
    /// detecting.
    pub trust_input: bool,
    /// The policy of a language `policies` does not name.
    pub default_policy: LanguagePolicy,
    /// Policy per ISO 639-1 code, and `und` for text whose language cannot be told. `en` and `und`
    /// are `enrich` unless named here.
    pub policies: BTreeMap<String, LanguagePolicy>,
    /// Where `route` sends records; required when any policy is `route`.
    pub route_topic: String,
    /// The languages the feed can carry (ISO 639-1 codes); the detector answers only among them.
    /// Empty (the default) means every language it knows.
    pub candidates: Vec<String>,
}

impl Default for LanguageSettings {
    fn default() -> Self {
        Self {
            trust_input: false,
            default_policy: LanguagePolicy::Pass,
            policies: [
                ("en".to_string(), LanguagePolicy::Enrich),
                ("und".to_string(), LanguagePolicy::Enrich),
            ]
            .into(),
            route_topic: String::new(),
            candidates: Vec::new(),
        }
    }
}

impl LanguageSettings {
    /// The policy for an ISO 639-1 code (or `und`): the one configured for it, else `enrich` for
    /// `en` and `und`, else `default_policy`.
    pub(crate) fn policy_for(&self, code: &str) -> LanguagePolicy {
        match self.policies.get(code) {
            Some(policy) => *policy,
            None if code == "en" || code == crate::enrich::language::UNDETERMINED => {
                LanguagePolicy::Enrich
            }
            None => self.default_policy,
        }
    }

    /// Whether any language can be routed.
    pub(crate) fn routes(&self) -> bool {
        self.default_policy == LanguagePolicy::Route
            || self.policies.values().any(|p| *p == LanguagePolicy::Route)
    }

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

impl Settings {
    /// Loads defaults, then `file` (if any), then the process environment, and validates.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// Like [`Settings::load`] with an explicit environment (pairs like
    /// `("NEWSENRICH__KAFKA__BROKERS", "…")`; others are ignored), so tests and programs that embed
    /// the worker need not touch the process env.
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            builder = builder.add_source(
                config::File::from(path.to_path_buf())
                    .format(config::FileFormat::Toml)
                    .required(true),
            );
        }
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(&format!("{ENV_PREFIX}__")))
            .collect();
        builder = builder.add_source(
            config::Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("__")
                .separator("__")
                .source(Some(env)),
        );
        let raw = builder.build().map_err(ConfigError::Load)?;
        let settings: Settings = raw.try_deserialize().map_err(ConfigError::Load)?;
        let mut settings = settings;
        settings.load_secret_files()?;
        settings.validate()?;
        settings.resolve();
        Ok(settings)
    }

    /// The producer's `transaction.timeout.ms` in exactly-once mode: `kafka.producer_extra` when set
    /// (an unparsable value counts as 0 and fails validation), else the drain deadline plus 10 s, so
    /// a transaction open through a whole drain is not aborted by the broker.
    pub(crate) fn transaction_timeout_ms(&self) -> u64 {
        match self.kafka.producer_extra.get("transaction.timeout.ms") {
            Some(v) => v.trim().parse().unwrap_or(0),
            None => self.worker.drain_timeout_ms + 10_000,
        }
    }

    /// Fills the derived values (`kafka.producer_derived`) from the others.
    pub(crate) fn resolve(&mut self) {
        self.kafka.producer_derived = self.kafka.derived_producer_properties(&self.limits);
        if self.kafka.delivery == Delivery::ExactlyOnce
            && !self
                .kafka
                .producer_extra
                .contains_key("transaction.timeout.ms")
        {
            // Longer than the drain deadline (validated), so a drain never outlives the
            // transaction.
            self.kafka.producer_derived.insert(
                "transaction.timeout.ms".to_string(),
                self.transaction_timeout_ms().to_string(),
            );
        }
    }

    /// Cross-field and range checks that serde cannot express.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
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
        if self.limits.max_text_chars == 0 {
            return Err(ConfigError::invalid("limits.max_text_chars", "must be > 0"));
        }
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
        self.validate_http()?;
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return Err(ConfigError::invalid(
                "log.level",
                format!("is not a valid filter: {e}"),
            ));
        }
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
        self.language.validate(k)?;
        Ok(())
    }

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

    /// Replaces `@/path` values of the pass-through properties by the files' content (see
    /// [`crate::service::secrets`]) and remembers which came from files.
    pub(crate) fn load_secret_files(&mut self) -> Result<(), ConfigError> {
        let k = &mut self.kafka;
        for (section, map) in [
            ("consumer_extra", &mut k.consumer_extra),
            ("producer_extra", &mut k.producer_extra),
        ] {
            let loaded = secrets::load_file_values(map).map_err(|(key, e)| {
                ConfigError::invalid(&format!("kafka.{section}.{key}"), e.reason)
            })?;
            for (key, path) in loaded {
                k.from_files.insert(format!("{section}.{key}"), path);
            }
        }
        Ok(())
    }

    /// Every value that must never be printed: the secret pass-through properties and everything
    /// read from a file.
    pub fn secret_values(&self) -> Vec<String> {
        let k = &self.kafka;
        let mut out = Vec::new();
        for (section, map) in [
            ("consumer_extra", &k.consumer_extra),
            ("producer_extra", &k.producer_extra),
        ] {
            for (key, value) in map {
                if secrets::is_sensitive(key)
                    || k.from_files.contains_key(&format!("{section}.{key}"))
                {
                    out.push(value.clone());
                }
            }
        }
        out
    }

    /// `text` with every secret value (see [`Settings::secret_values`]) replaced by `<redacted>`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        secrets::scrub(text, &self.secret_values())
    }

    /// Settings that weaken security (TLS verification off, SASL credentials in clear text), one
    /// sentence each naming the key; logged as warnings at start and shown by `check-config`.
    pub(crate) fn warnings(&self) -> Vec<String> {
        let k = &self.kafka;
        let mut out = Vec::new();
        for (section, map) in [
            ("consumer_extra", &k.consumer_extra),
            ("producer_extra", &k.producer_extra),
        ] {
            let get = |key: &str| map.get(key).map(|v| v.trim().to_ascii_lowercase());
            if let Some(v) = get("enable.ssl.certificate.verification") {
                if matches!(v.as_str(), "false" | "0" | "no" | "off") {
                    out.push(format!(
                        "kafka.{section}.enable.ssl.certificate.verification is {v}: the brokers' \
                         certificates are not verified, anyone on the network path can impersonate them"
                    ));
                }
            }
            if get("ssl.endpoint.identification.algorithm").as_deref() == Some("none") {
                out.push(format!(
                    "kafka.{section}.ssl.endpoint.identification.algorithm is none: the brokers' \
                     host names are not checked against their certificates, any certificate from \
                     the trusted CA is accepted for any broker"
                ));
            }
            let protocol = get("security.protocol").unwrap_or_default();
            let mechanism = get("sasl.mechanism")
                .or_else(|| get("sasl.mechanisms"))
                .unwrap_or_else(|| "gssapi".into());
            if protocol == "sasl_plaintext" && mechanism == "plain" {
                out.push(format!(
                    "kafka.{section}.security.protocol is SASL_PLAINTEXT with sasl.mechanism PLAIN: \
                     the password crosses the network in clear text (use SASL_SSL)"
                ));
            }
        }
        out
    }

    /// The settings as pretty JSON with secrets redacted (values read from files show their
    /// `@/path`), plus the [`Settings::warnings`] under `warnings`.
    pub fn redacted_json(&self) -> String {
        let mut copy = self.clone();
        let k = &mut copy.kafka;
        for (section, map) in [
            ("consumer_extra", &mut k.consumer_extra),
            ("producer_extra", &mut k.producer_extra),
        ] {
            for (key, value) in map.iter_mut() {
                if let Some(path) = k.from_files.get(&format!("{section}.{key}")) {
                    *value = format!("@{}", path.display());
                } else if secrets::is_sensitive(key) {
                    *value = secrets::REDACTED.into();
                }
            }
        }
        #[derive(Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            settings: &'a Settings,
            warnings: Vec<String>,
        }
        serde_json::to_string_pretty(&Shown {
            settings: &copy,
            warnings: self.warnings(),
        })
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
