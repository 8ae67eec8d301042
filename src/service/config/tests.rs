//! Loading, validation and redaction of the settings.

use super::*;
use std::io::Write;

fn file(toml: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(toml.as_bytes()).unwrap();
    f
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_match_the_contract() {
    let s = Settings::load_from(None, env(&[])).unwrap();
    assert_eq!(s, Settings::default());
    assert_eq!(s.kafka.brokers, "127.0.0.1:9092");
    assert_eq!(s.kafka.dlq_topic(), "articles.dlq");
    assert_eq!(s.http.port, 9898);
    assert_eq!(s.worker.drain_timeout_ms, 10_000);
}

#[test]
fn shipped_config_files_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let documented = Settings::load_from(Some(&dir.join("default.toml")), env(&[])).unwrap();
    assert_eq!(
        documented,
        Settings::default(),
        "config/default.toml drifted from the defaults"
    );
    Settings::load_from(Some(&dir.join("local.toml")), env(&[])).unwrap();
}

#[test]
fn file_then_env_layering() {
    let f = file("[kafka]\nbrokers = \"a:1\"\ninput_topic = \"in\"\n[http]\nport = 1234\n");
    let s = Settings::load_from(
        Some(f.path()),
        env(&[
            ("NEWSENRICH__KAFKA__BROKERS", "b:2"),
            ("NEWSENRICH__LIMITS__MAX_RECORD_BYTES", "2048"),
            ("UNRELATED__KAFKA__BROKERS", "c:3"),
        ]),
    )
    .unwrap();
    assert_eq!(s.kafka.brokers, "b:2");
    assert_eq!(s.kafka.input_topic, "in");
    assert_eq!(s.kafka.dlq_topic(), "in.dlq");
    assert_eq!(s.http.port, 1234);
    assert_eq!(s.limits.max_record_bytes, 2048);
}

#[test]
fn unknown_key_in_file_is_named() {
    let f = file("[kafka]\nbrokerz = \"a:1\"\n");
    let err = Settings::load_from(Some(f.path()), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("brokerz"), "{err}");
}

#[test]
fn unknown_section_is_named() {
    let f = file("[kafkaa]\nbrokers = \"a:1\"\n");
    let err = Settings::load_from(Some(f.path()), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("kafkaa"), "{err}");
}

#[test]
fn unknown_env_key_is_named() {
    let err = Settings::load_from(None, env(&[("NEWSENRICH__WORKER__THREADZ", "2")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("threadz"), "{err}");
}

#[test]
fn malformed_value_names_the_key() {
    let err = Settings::load_from(None, env(&[("NEWSENRICH__HTTP__PORT", "not-a-port")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("port"), "{err}");
}

#[test]
fn validate_rules_name_the_key() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("NEWSENRICH__WORKER__DRAIN_TIMEOUT_MS", "45000")],
            "worker.drain_timeout_ms",
        ),
        (
            &[("NEWSENRICH__KAFKA__OUTPUT_TOPIC", "articles")],
            "kafka.output_topic",
        ),
        (
            &[("NEWSENRICH__KAFKA__DELIVERY", "exactly_twice")],
            "kafka.delivery",
        ),
        (
            &[("NEWSENRICH__WORKER__MAX_INFLIGHT_PER_PARTITION", "5000")],
            "worker.max_inflight_per_partition",
        ),
        (&[("NEWSENRICH__KAFKA__BROKERS", " ")], "kafka.brokers"),
        (&[("NEWSENRICH__LOG__LEVEL", "info,[")], "log.level"),
    ];
    for (vars, key) in cases {
        let err = Settings::load_from(None, env(vars))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "{vars:?}: {err}");
    }
}

#[test]
fn extra_properties_pass_through_and_secrets_are_redacted() {
    let f = file(
        "[kafka.consumer_extra]\n\"fetch.min.bytes\" = \"1\"\n\"sasl.password\" = \"hunter2\"\n",
    );
    let s = Settings::load_from(Some(f.path()), env(&[])).unwrap();
    assert_eq!(s.kafka.consumer_extra["fetch.min.bytes"], "1");
    let shown = s.redacted_json();
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("fetch.min.bytes"), "{shown}");
}

#[test]
fn extra_properties_from_env_and_dotted_keys_are_joined_with_dots() {
    let f = file("[kafka.producer_extra]\nlinger.ms = 20\n\"compression.type\" = \"lz4\"\n");
    let s = Settings::load_from(
        Some(f.path()),
        env(&[
            (
                "NEWSENRICH__KAFKA__CONSUMER_EXTRA__SASL__PASSWORD",
                "hunter2",
            ),
            (
                "NEWSENRICH__KAFKA__CONSUMER_EXTRA__SECURITY__PROTOCOL",
                "SASL_SSL",
            ),
        ]),
    )
    .unwrap();
    assert_eq!(s.kafka.consumer_extra["sasl.password"], "hunter2");
    assert_eq!(s.kafka.consumer_extra["security.protocol"], "SASL_SSL");
    assert_eq!(s.kafka.producer_extra["linger.ms"], "20");
    assert_eq!(s.kafka.producer_extra["compression.type"], "lz4");
    assert!(!s.redacted_json().contains("hunter2"));
}

#[test]
fn exactly_once_drain_must_end_before_the_transaction_times_out() {
    let mut s = Settings::default();
    s.kafka.delivery = Delivery::ExactlyOnce;
    assert!(
        s.validate().is_ok(),
        "defaults: {}",
        s.transaction_timeout_ms()
    );
    assert_eq!(
        s.transaction_timeout_ms(),
        s.worker.drain_timeout_ms + 10_000
    );
    s.kafka
        .producer_extra
        .insert("transaction.timeout.ms".into(), "10000".into());
    let err = s.validate().unwrap_err().to_string();
    assert!(err.contains("worker.drain_timeout_ms"), "{err}");
    s.worker.drain_timeout_ms = 5_000;
    assert!(s.validate().is_ok());
    s.worker.stall_timeout_ms = 0;
    assert!(s.validate().is_err());
}

#[test]
fn producer_limit_and_codec_are_derived_unless_the_operator_sets_them() {
    let s = Settings::load_from(None, env(&[])).unwrap();
    let derived = &s.kafka.producer_derived;
    assert_eq!(
        derived["message.max.bytes"],
        (1_048_576 + 65_536).to_string()
    );
    assert_eq!(derived["compression.type"], "lz4");
    assert!(s
        .redacted_json()
        .contains("\"message.max.bytes\": \"1114112\""));
    assert_eq!(s.kafka.message_max_bytes(&s.limits), 1_114_112);

    let s = Settings::load_from(
        None,
        env(&[
            ("NEWSENRICH__KAFKA__COMPRESSION", "zstd"),
            ("NEWSENRICH__LIMITS__MAX_RECORD_BYTES", "2000000"),
        ]),
    )
    .unwrap();
    assert_eq!(s.kafka.producer_derived["compression.type"], "zstd");
    assert_eq!(s.kafka.producer_derived["message.max.bytes"], "2065536");

    let f = file(
        "[kafka.producer_extra]\n\"compression.type\" = \"gzip\"\n\"message.max.bytes\" = \"5000000\"\n",
    );
    let s = Settings::load_from(Some(f.path()), env(&[])).unwrap();
    assert!(
        s.kafka.producer_derived.is_empty(),
        "{:?}",
        s.kafka.producer_derived
    );
    assert_eq!(s.kafka.message_max_bytes(&s.limits), 5_000_000);
}

#[test]
fn a_producer_limit_below_the_record_limit_is_a_config_error() {
    let f = file("[kafka.producer_extra]\n\"message.max.bytes\" = \"1000000\"\n");
    let err = Settings::load_from(Some(f.path()), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("kafka.producer_extra.message.max.bytes"),
        "{err}"
    );
    assert!(err.contains("1114112"), "{err}");
    // Fine once the record limit leaves room.
    let ok = Settings::load_from(
        Some(f.path()),
        env(&[("NEWSENRICH__LIMITS__MAX_RECORD_BYTES", "900000")]),
    );
    assert!(ok.is_ok(), "{ok:?}");
    let f = file("[kafka.producer_extra]\n\"message.max.bytes\" = \"lots\"\n");
    let err = Settings::load_from(Some(f.path()), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("whole number"), "{err}");
}

#[test]
fn compression_is_one_of_the_known_codecs() {
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let s =
            Settings::load_from(None, env(&[("NEWSENRICH__KAFKA__COMPRESSION", codec)])).unwrap();
        assert_eq!(s.kafka.compression.as_str(), codec);
    }
    let err = Settings::load_from(None, env(&[("NEWSENRICH__KAFKA__COMPRESSION", "brotli")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("brotli"), "{err}");
}

#[test]
fn derived_producer_properties_cannot_be_set_in_a_file() {
    let f = file("[kafka.producer_derived]\n\"message.max.bytes\" = \"1\"\n");
    assert!(Settings::load_from(Some(f.path()), env(&[])).is_err());
}

#[test]
fn language_policies_come_from_file_and_env() {
    let f = file(
        "[language]\ntrust_input = true\ndefault_policy = \"dlq\"\nroute_topic = \"articles.de\"\n\
         [language.policies]\nde = \"route\"\nfr = \"pass\"\n",
    );
    let s = Settings::load_from(
        Some(f.path()),
        env(&[("NEWSENRICH__LANGUAGE__POLICIES__ES", "enrich")]),
    )
    .unwrap();
    let l = &s.language;
    assert!(l.trust_input);
    assert_eq!(l.policy_for("de"), LanguagePolicy::Route);
    assert_eq!(l.policy_for("fr"), LanguagePolicy::Pass);
    assert_eq!(l.policy_for("es"), LanguagePolicy::Enrich);
    assert_eq!(l.policy_for("ru"), LanguagePolicy::Dlq);
    // Not named in the file: English and undetermined text keep being enriched.
    assert_eq!(l.policy_for("en"), LanguagePolicy::Enrich);
    assert_eq!(l.policy_for("und"), LanguagePolicy::Enrich);
    let d = LanguageSettings::default();
    assert_eq!(d.policy_for("en"), LanguagePolicy::Enrich);
    assert_eq!(d.policy_for("de"), LanguagePolicy::Pass);
}

#[test]
fn bad_language_settings_name_the_key() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[language.policies]\nde = \"translate\"\n",
            &["translate", "language.policies.de"],
        ),
        (
            "[language]\ndefault_policy = \"drop\"\n",
            &["drop", "language.default_policy"],
        ),
        (
            "[language.policies]\nde = \"route\"\n",
            &["language.policies.de", "route_topic"],
        ),
        (
            "[language]\ndefault_policy = \"route\"\n",
            &["language.default_policy", "route_topic"],
        ),
        (
            "[language.policies]\ngerman = \"pass\"\n",
            &["language.policies.german"],
        ),
        (
            "[language]\nroute_topic = \"articles\"\n[language.policies]\nde = \"route\"\n",
            &["language.route_topic"],
        ),
        ("[language]\ntrust = true\n", &["trust"]),
        (
            "[language]\ncandidates = [\"en\", \"german\"]\n",
            &["language.candidates", "german"],
        ),
    ];
    for (toml, words) in cases {
        let f = file(toml);
        let err = Settings::load_from(Some(f.path()), env(&[]))
            .unwrap_err()
            .to_string();
        for w in *words {
            assert!(err.contains(w), "{toml}: {err}");
        }
    }
}

#[test]
fn check_config_redacts_what_librdkafka_marks_sensitive_and_shows_file_references() {
    let mut pw = tempfile::NamedTempFile::new().unwrap();
    pw.write_all(b"canary-from-file-7731\n").unwrap();
    let f = file(&format!(
        "[kafka.consumer_extra]\n\
         \"sasl.oauthbearer.config\" = \"canary-oauth-cfg\"\n\
         \"ssl.keystore.password\" = \"canary-keystore\"\n\
         \"ssl.key.pem\" = \"canary-key-pem\"\n\
         \"ssl.ca.pem\" = \"canary-ca-pem\"\n\
         \"sasl.username\" = \"canary-user\"\n\
         \"sasl.mechanism\" = \"SCRAM-SHA-512\"\n\
         [kafka.producer_extra]\n\
         \"sasl.password\" = \"@{}\"\n",
        pw.path().display()
    ));
    let s = Settings::load_from(Some(f.path()), env(&[])).unwrap();
    assert_eq!(
        s.kafka.producer_extra["sasl.password"],
        "canary-from-file-7731"
    );
    let shown = s.redacted_json();
    assert!(!shown.contains("canary"), "{shown}");
    assert!(shown.contains("SCRAM-SHA-512"), "{shown}");
    assert!(
        shown.contains(&format!("\"sasl.password\": \"@{}\"", pw.path().display())),
        "{shown}"
    );
    let scrubbed = s.scrub("login canary-from-file-7731 / canary-user failed");
    assert!(!scrubbed.contains("canary"), "{scrubbed}");
}

#[test]
fn an_unreadable_secret_file_is_a_config_error_naming_key_and_path() {
    let err = Settings::load_from(
        None,
        env(&[(
            "NEWSENRICH__KAFKA__PRODUCER_EXTRA__SASL__PASSWORD",
            "@/run/secrets/newsenrich-missing/password",
        )]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("kafka.producer_extra.sasl.password"), "{err}");
    assert!(
        err.contains("/run/secrets/newsenrich-missing/password"),
        "{err}"
    );
}

#[test]
fn a_misspelt_secret_property_is_named_and_its_value_never_shown() {
    let err = Settings::load_from(
        None,
        env(&[(
            "NEWSENRICH__KAFKA__CONSUMER_EXTRA__SASL__PASSWD",
            "canary-9931",
        )]),
    )
    .map_err(|e| e.to_string())
    .and_then(|s| crate::service::kafka::client::check_properties(&s).map_err(|e| e.to_string()))
    .unwrap_err();
    assert!(err.contains("kafka.consumer_extra.sasl.passwd"), "{err}");
    assert!(!err.contains("canary"), "{err}");
}

#[test]
fn turning_tls_verification_off_is_a_warning_shown_by_check_config() {
    let s = Settings::default();
    assert!(s.warnings().is_empty());
    assert!(s.redacted_json().contains("\"warnings\": []"));
    let f = file(
        "[kafka.consumer_extra]\n\"enable.ssl.certificate.verification\" = false\n\
         [kafka.producer_extra]\n\"ssl.endpoint.identification.algorithm\" = \"none\"\n\
         \"security.protocol\" = \"SASL_PLAINTEXT\"\n\"sasl.mechanism\" = \"PLAIN\"\n",
    );
    let s = Settings::load_from(Some(f.path()), env(&[])).unwrap();
    let warnings = s.warnings();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].starts_with("kafka.consumer_extra.enable.ssl.certificate.verification"));
    assert!(warnings[1].starts_with("kafka.producer_extra.ssl.endpoint.identification.algorithm"));
    assert!(warnings[2].contains("SASL_PLAINTEXT"));
    let shown = s.redacted_json();
    assert!(shown.contains("are not verified"), "{shown}");
}

#[test]
fn http_limits_are_validated_naming_the_key() {
    for (var, value, key) in [
        (
            "NEWSENRICH__HTTP__HEADER_READ_TIMEOUT_MS",
            "0",
            "http.header_read_timeout_ms",
        ),
        (
            "NEWSENRICH__HTTP__CONNECTION_TIMEOUT_MS",
            "10",
            "http.connection_timeout_ms",
        ),
        (
            "NEWSENRICH__HTTP__MAX_CONNECTIONS",
            "0",
            "http.max_connections",
        ),
        (
            "NEWSENRICH__HTTP__MAX_REQUEST_BYTES",
            "100",
            "http.max_request_bytes",
        ),
        ("NEWSENRICH__HTTP__HOST", " ", "http.host"),
    ] {
        let err = Settings::load_from(None, env(&[(var, value)]))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "{var}={value}: {err}");
    }
    let s = Settings::load_from(
        None,
        env(&[
            ("NEWSENRICH__HTTP__HOST", "127.0.0.1"),
            ("NEWSENRICH__HTTP__MAX_CONNECTIONS", "64"),
        ]),
    )
    .unwrap();
    assert_eq!(s.http.host, "127.0.0.1");
    assert_eq!(s.http.max_connections, 64);
}
