//! Typed settings: the only place configuration is read.
//!
//! Layers, later wins: compiled-in defaults (the sections' `Default` impls) -> the `--config` TOML
//! file -> `NEWSENRICH__SECTION__KEY` environment variables. Every struct denies unknown fields so a
//! typo fails loudly, naming the key, instead of silently running with a default.
//!
//! Here: the [`Settings`] tree and its loading. The sections live in `kafka.rs`, `language.rs` and
//! `sections.rs` (the smaller ones), the checks in `validate.rs`, secrets and redaction in
//! `security.rs`.

mod kafka;
mod language;
mod sections;
mod security;
mod validate;

pub use kafka::{Compression, Delivery, KafkaSettings};
pub use language::{LanguagePolicy, LanguageSettings};
pub(crate) use sections::MIN_HTTP_REQUEST_BYTES;
pub use sections::{
    EnrichSettings, HttpSettings, LimitsSettings, LogFormat, LogSettings, WorkerSettings,
};

use serde::{Deserialize, Serialize};
use std::path::Path;

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
}

#[cfg(test)]
mod tests;
