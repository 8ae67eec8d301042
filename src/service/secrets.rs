//! Secrets in the librdkafka pass-through properties: which properties are secret, reading values
//! from files (`@/path`), and scrubbing secret values out of text before it is printed.
//!
//! A property is secret when librdkafka itself marks it sensitive (`_RK_SENSITIVE` in its
//! `rdkafka_conf.c`, 2.12) or when its name looks like a credential (contains `password`, `passwd`,
//! `secret`, `token`, `credential`, `passphrase`, `key.pem`, `private.key` or `jaas`).
//!
//! A value written as `@/path/to/file` is replaced by the file's content (trailing newlines
//! removed), so a Kubernetes Secret can be mounted as files instead of being put in the
//! environment; `@@…` stands for a literal value starting with `@`.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a secret value is replaced with wherever settings are shown.
pub(crate) const REDACTED: &str = "<redacted>";

/// Properties librdkafka 2.12 marks `_RK_SENSITIVE` (it redacts them in its own config dumps).
pub(crate) const LIBRDKAFKA_SENSITIVE: &[&str] = &[
    "sasl.username",
    "sasl.password",
    "sasl.oauthbearer.config",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.assertion.private.key.file",
    "sasl.oauthbearer.assertion.private.key.passphrase",
    "sasl.oauthbearer.assertion.private.key.pem",
    "ssl.key.location",
    "ssl.key.password",
    "ssl.key.pem",
    "ssl_key",
    "ssl.ca.pem",
    "ssl.keystore.password",
];

/// Name fragments that make any property (ours, a future librdkafka one, or a misspelt one)
/// secret.
const SECRET_FRAGMENTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "credential",
    "passphrase",
    "key.pem",
    "private.key",
    "jaas",
];

/// True when the value of librdkafka property `key` must never be shown.
pub(crate) fn is_sensitive(key: &str) -> bool {
    let key = key.trim().to_ascii_lowercase();
    LIBRDKAFKA_SENSITIVE.contains(&key.as_str()) || SECRET_FRAGMENTS.iter().any(|f| key.contains(f))
}

/// A property value read from a file could not be used. Names the key and the path, never the
/// content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileValueError {
    pub reason: String,
}

/// Replaces every `@/path` value of `properties` by the content of that file and every `@@…` by
/// `@…`. Returns the keys read from files with their paths; on failure the offending key and why.
pub(crate) fn load_file_values(
    properties: &mut BTreeMap<String, String>,
) -> Result<BTreeMap<String, PathBuf>, (String, FileValueError)> {
    let mut from_files = BTreeMap::new();
    for (key, value) in properties.iter_mut() {
        let Some(rest) = value.strip_prefix('@') else {
            continue;
        };
        if let Some(literal) = rest.strip_prefix('@') {
            *value = format!("@{literal}");
            continue;
        }
        let path = PathBuf::from(rest.trim());
        if rest.trim().is_empty() {
            return Err((
                key.clone(),
                FileValueError {
                    reason: "is `@` without a file path (write `@@` for a literal `@`)".into(),
                },
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            (
                key.clone(),
                FileValueError {
                    reason: format!("names the file {} that cannot be read: {e}", path.display()),
                },
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            (
                key.clone(),
                FileValueError {
                    reason: format!("names the file {} that is not UTF-8 text", path.display()),
                },
            )
        })?;
        let trimmed = text.trim_end_matches(['\n', '\r']);
        *value = trimmed.to_string();
        from_files.insert(key.clone(), path);
    }
    Ok(from_files)
}

/// Shortest secret that [`scrub`] looks for: shorter ones would mangle ordinary text, and are no
/// secret worth the name.
pub(crate) const MIN_SCRUBBED_LEN: usize = 4;

/// `text` with every occurrence of any of `secrets` replaced by [`REDACTED`].
pub(crate) fn scrub<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut secrets: Vec<&str> = secrets
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| s.len() >= MIN_SCRUBBED_LEN)
        .collect();
    // Longest first, so a secret containing another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for secret in secrets {
        if out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
    }
    out
}

/// The text of a panic payload (`panic!` with a literal or a formatted message), secrets scrubbed.
pub(crate) fn panic_text<S: AsRef<str>>(
    payload: &(dyn std::any::Any + Send),
    secrets: &[S],
) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    };
    scrub(&text, secrets)
}

/// Replaces the panic hook (the default prints the message as is) with one that logs the panic as
/// an error event, every value of `secrets` (`Settings::secret_values`) scrubbed from its message.
/// Process-wide, so the binary installs it once logging is up (`main.rs`), not `app::run`.
pub fn install_panic_hook(secrets: Vec<String>) {
    std::panic::set_hook(Box::new(move |info| {
        let message = panic_text(info.payload(), &secrets);
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        tracing::error!(thread, location, "panic: {message}");
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn librdkafka_sensitive_properties_and_credential_looking_names_are_secret() {
        for key in [
            "sasl.password",
            "sasl.oauthbearer.config",
            "sasl.oauthbearer.client.secret",
            "ssl.key.password",
            "ssl.keystore.password",
            "ssl.key.pem",
            "ssl_key",
            "ssl.ca.pem",
            "sasl.username",
            "ssl.key.location",
            "SASL.PASSWORD",
            "sasl.passwd",
            "sasl.oauthbearer.token",
            "aws.credentials",
            "sasl.jaas.config",
        ] {
            assert!(is_sensitive(key), "{key}");
        }
        for key in [
            "security.protocol",
            "sasl.mechanism",
            "ssl.ca.location",
            "ssl.certificate.location",
            "ssl.certificate.pem",
            "bootstrap.servers",
            "ssl.endpoint.identification.algorithm",
        ] {
            assert!(!is_sensitive(key), "{key}");
        }
    }

    #[test]
    fn at_values_are_read_from_files_and_double_at_is_literal() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"s3cr3t-from-file\n").unwrap();
        let mut props = BTreeMap::new();
        props.insert(
            "sasl.password".to_string(),
            format!("@{}", f.path().display()),
        );
        props.insert("sasl.username".to_string(), "@@worker".to_string());
        props.insert("security.protocol".to_string(), "SASL_SSL".to_string());
        let from = load_file_values(&mut props).unwrap();
        assert_eq!(props["sasl.password"], "s3cr3t-from-file");
        assert_eq!(props["sasl.username"], "@worker");
        assert_eq!(props["security.protocol"], "SASL_SSL");
        assert_eq!(from.len(), 1);
        assert_eq!(from["sasl.password"], f.path());
    }

    #[test]
    fn a_missing_file_names_key_and_path_and_an_unreadable_one_never_its_content() {
        let mut props = BTreeMap::new();
        props.insert(
            "sasl.password".to_string(),
            "@/nonexistent/newsenrich/pw".to_string(),
        );
        let (key, err) = load_file_values(&mut props).unwrap_err();
        assert_eq!(key, "sasl.password");
        assert!(err.reason.contains("/nonexistent/newsenrich/pw"), "{err:?}");

        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"canary-\xff\xfe-secret").unwrap();
        let mut props = BTreeMap::new();
        props.insert(
            "ssl.key.password".into(),
            format!("@{}", f.path().display()),
        );
        let (key, err) = load_file_values(&mut props).unwrap_err();
        assert_eq!(key, "ssl.key.password");
        assert!(err.reason.contains("not UTF-8"), "{err:?}");
        assert!(!err.reason.contains("canary"), "{err:?}");

        let mut props = BTreeMap::new();
        props.insert("sasl.password".into(), "@".into());
        assert!(load_file_values(&mut props).is_err());
    }

    #[test]
    fn scrub_replaces_every_secret_longest_first() {
        let text = "auth failed for hunter2hunter2 (hunter2) and abc";
        let out = scrub(text, &["hunter2", "hunter2hunter2", "abc"]);
        assert_eq!(out, "auth failed for <redacted> (<redacted>) and abc");
    }

    #[test]
    fn panic_messages_are_scrubbed() {
        let secrets = ["hunter2-secret".to_string()];
        let literal: Box<dyn std::any::Any + Send> = Box::new("failed with hunter2-secret");
        assert_eq!(
            panic_text(literal.as_ref(), &secrets),
            "failed with <redacted>"
        );
        let formatted: Box<dyn std::any::Any + Send> =
            Box::new(format!("bad value {}", "hunter2-secret"));
        assert_eq!(
            panic_text(formatted.as_ref(), &secrets),
            "bad value <redacted>"
        );
        let other: Box<dyn std::any::Any + Send> = Box::new(42u8);
        assert_eq!(panic_text(other.as_ref(), &secrets), "(no message)");
    }
}
