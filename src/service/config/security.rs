//! Secrets in the settings: `@/path` values read from files, redaction for printing, and the
//! settings that weaken security.

use super::{ConfigError, Settings};
use crate::service::secrets;
use serde::Serialize;

impl Settings {
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
