//! The worker against a secured cluster: its own throw-away broker (`scripts/kafka start --secure`
//! on free ports, purged at the end; never the shared plaintext one) with SASL_SSL (SCRAM-SHA-512),
//! mTLS, the StandardAuthorizer and prefixed ACLs.
//!
//! - end to end (articles in, documents out, a bad record in the DLQ) over SASL_SSL/SCRAM and over
//!   mTLS, in at-least-once and exactly-once; the SCRAM password comes from a file (`@/path`);
//! - a wrong password, an untrusted CA and a hostname mismatch: /readyz 503 and a log line naming
//!   the cause;
//! - a principal without write ACL on the DLQ, in both modes: reported, nothing lost (nothing
//!   committed past the bad record; a worker with the right principal later dead-letters it);
//! - in every case no secret (the real passwords, canary values in other secret properties) in the
//!   worker's output or /metrics, librdkafka's debug logging included.
//!
//! All scenarios share one broker and run side by side in one test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::articles::good_batch;
use common::secure::SecureBroker;
use common::{wait_for, Rec, Topics, Worker, WorkerOptions};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Canary values put in secret properties the worker does not need; none may ever be printed.
const CANARIES: &[&str] = &["canary-Kq7-wrong-password", "canary-Vx3-key-password"];

const GOOD: usize = 8;

fn bad_record(prefix: &str) -> Rec {
    let id = format!("{prefix}-bad");
    Rec::new(Some(&id), format!(r#"{{"id": "{id}", "body": 42}}"#))
}

/// Fails when any secret appears in the worker's output, /metrics or /readyz.
fn assert_no_secret(broker: &SecureBroker, worker: &mut Worker, extra: &[&str]) {
    let mut secrets: Vec<String> = ["ADMIN_PASSWORD", "WORKER_PASSWORD", "NODLQ_PASSWORD"]
        .iter()
        .map(|k| broker.get(k).to_string())
        .collect();
    secrets.extend(CANARIES.iter().map(|s| s.to_string()));
    secrets.extend(extra.iter().map(|s| s.to_string()));
    let mut outputs = vec![("output", worker.log())];
    if let Some((_, _, m)) = worker.get("/metrics") {
        outputs.push(("/metrics", m));
    }
    if let Some((_, _, r)) = worker.get("/readyz") {
        outputs.push(("/readyz", r));
    }
    for (what, text) in &outputs {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "[{}] a secret appears in the worker's {what}",
                worker.name
            );
        }
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Auth {
    Scram,
    Mtls,
}

/// Articles in, documents out, the bad record in the DLQ, over `auth` in `delivery` mode.
fn end_to_end(broker: &SecureBroker, auth: Auth, delivery: &str) {
    let name = format!("{auth:?}-{delivery}").to_lowercase();
    let t = broker.topics(&name);
    broker.create_topics(&t, 2);
    let mut recs = good_batch(&name, 0, GOOD);
    recs.push(bad_record(&name));
    broker.produce(&t.input, recs);

    let password_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        password_file.path(),
        format!("{}\n", broker.get("WORKER_PASSWORD")),
    )
    .unwrap();
    let mut opts = WorkerOptions::new(&t).env("NEWSENRICH__KAFKA__DELIVERY", delivery);
    opts.brokers = Some(match auth {
        Auth::Scram => broker.get("SASL_BOOTSTRAP").to_string(),
        Auth::Mtls => broker.get("MTLS_BOOTSTRAP").to_string(),
    });
    let props = match auth {
        Auth::Scram => broker.sasl_props(
            "SCRAM-SHA-512",
            "worker",
            &format!("@{}", password_file.path().display()),
            broker.get("CA"),
        ),
        Auth::Mtls => broker.mtls_props(broker.get("CA")),
    };
    opts.env.extend(SecureBroker::client_env(&props));
    let mut worker = Worker::start(&name, &opts);
    worker.wait_ready();

    let want: HashSet<String> = (0..GOOD).map(|n| format!("{name}-{n}")).collect();
    broker.consume_until(
        &t.output,
        Duration::from_secs(60),
        "every document",
        |got| {
            let ids: HashSet<String> = got.iter().filter_map(Rec::key_str).collect();
            want.is_subset(&ids)
        },
    );
    let dead = broker.consume_until(&t.dlq, Duration::from_secs(60), "the bad record", |got| {
        !got.is_empty()
    });
    assert_eq!(
        dead[0].key_str().as_deref(),
        Some(format!("{name}-bad").as_str())
    );
    assert_eq!(
        dead[0].header_str("x-error-class").as_deref(),
        Some("invalid_envelope")
    );
    worker.wait_accounted(GOOD as u64 + 1, Duration::from_secs(30));
    assert_no_secret(broker, &mut worker, &[]);
    eprintln!("[{name}] end to end ok");
}

/// A worker that cannot connect: /readyz stays 503 and the log names `cause`.
fn refused(
    broker: &SecureBroker,
    name: &str,
    bootstrap: &str,
    props: Vec<(&'static str, String)>,
    causes: &[&str],
) {
    let t = broker.topics(name);
    let mut opts = WorkerOptions::new(&t)
        // librdkafka's own debug logging too, its configuration dump included.
        .env("NEWSENRICH__LOG__LEVEL", "debug");
    opts.brokers = Some(bootstrap.to_string());
    let mut props = props;
    props.push(("debug", "security,broker,conf".to_string()));
    opts.env.extend(SecureBroker::client_env(&props));
    let mut worker = Worker::start(name, &opts);
    let started = Instant::now();
    let is_report = |l: &str| l.contains(" WARN ") || l.contains(" ERROR ");
    let line = wait_for(
        Duration::from_secs(45),
        &format!("[{name}] a warning naming {causes:?}"),
        || {
            worker.assert_alive();
            worker
                .log()
                .lines()
                .find(|l| is_report(l) && causes.iter().any(|c| l.contains(c)))
                .map(str::to_string)
        },
    );
    eprintln!("[{name}] refused after {:?}: {line}", started.elapsed());
    let (status, _, body) = worker.get("/readyz").expect("/readyz answers");
    assert_eq!(status, 503, "[{name}] /readyz: {body}");
    // Stays unready: nothing connects a moment later either.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(worker.get("/readyz").map(|r| r.0), Some(503));
    assert_no_secret(broker, &mut worker, &[]);
}

/// The hostname-mismatch listener with hostname verification turned off: connects (so the
/// verification was what refused it before), and the worker warns about the setting.
fn hostname_unchecked(broker: &SecureBroker) {
    let name = "hostname-unchecked";
    let t = broker.topics(name);
    let mut opts = WorkerOptions::new(&t);
    opts.brokers = Some(broker.get("MISMATCH_BOOTSTRAP").to_string());
    let mut props = broker.mtls_props(broker.get("CA"));
    props.push(("ssl.endpoint.identification.algorithm", "none".to_string()));
    opts.env.extend(SecureBroker::client_env(&props));
    let mut worker = Worker::start(name, &opts);
    worker.wait_ready();
    let log = worker.log();
    assert!(
        log.lines().any(|l| l.contains(" WARN ")
            && l.contains("insecure setting")
            && l.contains("ssl.endpoint.identification.algorithm is none")),
        "[{name}] no warning about the disabled hostname verification"
    );
    assert_no_secret(broker, &mut worker, &[]);
    eprintln!("[{name}] connects with verification off, and warns");
}

/// `nodlq` may write the output but not the DLQ: the bad record is reported, its offset is never
/// committed past, and a worker with the DLQ right later dead-letters it and goes on.
fn no_dlq_write(broker: &SecureBroker, delivery: &str) {
    let name = &format!("nodlq-{delivery}");
    let t: Topics = broker.topics(name);
    broker.create_topics(&t, 1);
    let mut recs = good_batch(name, 0, 2);
    recs.push(bad_record(name));
    recs.extend(good_batch(name, 3, 2));
    let recs = broker.produce(&t.input, recs);
    let bad_offset = recs[2].offset;

    let mut opts = WorkerOptions::new(&t).env("NEWSENRICH__KAFKA__DELIVERY", delivery);
    opts.brokers = Some(broker.get("SASL_BOOTSTRAP").to_string());
    opts.env.extend(SecureBroker::client_env(&broker.sasl_props(
        "SCRAM-SHA-512",
        "nodlq",
        broker.get("NODLQ_PASSWORD"),
        broker.get("CA"),
    )));
    let mut worker = Worker::start(name, &opts);
    worker.wait_log("uthoriz", Duration::from_secs(60));
    // At least once: the records before the bad one are out. Exactly once: the transaction that
    // held them and the refused dead letter is aborted, so a read_committed reader sees none yet.
    if delivery == "at_least_once" {
        broker.consume_until(
            &t.output,
            Duration::from_secs(60),
            "the records before the bad one",
            |got| got.len() >= 2,
        );
    }
    std::thread::sleep(Duration::from_secs(3));
    let committed = broker.committed(&t.group, &t.input);
    assert!(
        committed.is_none_or(|c| c <= bad_offset),
        "committed {committed:?} past the undeliverable record at {bad_offset}"
    );
    let log = worker.log();
    // At least once: an error per attempt naming the DLQ topic, the partition held at the record,
    // the worker up but not ready. Exactly once: the transaction is aborted and the worker exits
    // (non-zero) with an error naming the record, so the group resumes from the last commit.
    let (level, needle) = if delivery == "at_least_once" {
        let (status, _, body) = worker.get("/readyz").expect("/readyz answers");
        assert_eq!(
            status, 503,
            "[{name}] /readyz while the DLQ write is denied: {body}"
        );
        assert!(body.contains("authorization"), "[{name}] /readyz: {body}");
        (" ERROR ", t.dlq.clone())
    } else {
        (" ERROR ", format!("offset {bad_offset} of {}", t.input))
    };
    let line = log
        .lines()
        .find(|l| {
            l.contains(level) && l.contains("TopicAuthorizationFailed") && l.contains(&needle)
        })
        .unwrap_or_else(|| {
            panic!("[{name}] no{level}line naming TopicAuthorizationFailed and {needle}")
        });
    eprintln!("[{name}] reported: {line}");
    assert_no_secret(broker, &mut worker, &[]);
    if delivery == "at_least_once" {
        worker.assert_alive();
        worker.sigterm();
        worker.wait_exit(Duration::from_secs(15));
    } else {
        let status = worker.wait_exit(Duration::from_secs(30));
        assert!(
            status.is_some_and(|s| !s.success()),
            "[{name}] exactly-once worker did not exit with an error: {status:?}"
        );
    }
    let committed = broker.committed(&t.group, &t.input);
    assert!(
        committed.is_none_or(|c| c <= bad_offset),
        "committed {committed:?} past the undeliverable record at {bad_offset} at shutdown"
    );

    // The same group with the DLQ right: the bad record is dead-lettered, the rest goes out.
    let mut opts = WorkerOptions::new(&t).env("NEWSENRICH__KAFKA__DELIVERY", delivery);
    opts.brokers = Some(broker.get("SASL_BOOTSTRAP").to_string());
    opts.env.extend(SecureBroker::client_env(&broker.sasl_props(
        "SCRAM-SHA-512",
        "worker",
        broker.get("WORKER_PASSWORD"),
        broker.get("CA"),
    )));
    let mut fixed = Worker::start(&format!("{name}-fixed"), &opts);
    fixed.wait_ready();
    let dead = broker.consume_until(&t.dlq, Duration::from_secs(60), "the bad record", |got| {
        !got.is_empty()
    });
    assert_eq!(dead[0].key_str(), Some(format!("{name}-bad")));
    broker.consume_until(
        &t.output,
        Duration::from_secs(60),
        "every good record",
        |got| {
            let ids: HashSet<String> = got.iter().filter_map(Rec::key_str).collect();
            [0, 1, 3, 4]
                .iter()
                .all(|n| ids.contains(&format!("{name}-{n}")))
        },
    );
    assert_no_secret(broker, &mut fixed, &[]);
    eprintln!("[{name}] nothing lost");
}

#[test]
fn secure_cluster() {
    let started = Instant::now();
    let broker = SecureBroker::start();
    std::thread::scope(|s| {
        let b = &broker;
        s.spawn(move || end_to_end(b, Auth::Scram, "at_least_once"));
        s.spawn(move || end_to_end(b, Auth::Scram, "exactly_once"));
        s.spawn(move || end_to_end(b, Auth::Mtls, "at_least_once"));
        s.spawn(move || end_to_end(b, Auth::Mtls, "exactly_once"));
        s.spawn(move || no_dlq_write(b, "at_least_once"));
        s.spawn(move || no_dlq_write(b, "exactly_once"));
        s.spawn(move || hostname_unchecked(b));
        s.spawn(move || {
            let mut props = b.sasl_props("SCRAM-SHA-512", "worker", CANARIES[0], b.get("CA"));
            props.push(("ssl.key.password", CANARIES[1].to_string()));
            refused(
                b,
                "wrong-password",
                b.get("SASL_BOOTSTRAP"),
                props,
                &["Authentication failed"],
            );
        });
        s.spawn(move || {
            let mut props = b.mtls_props(b.get("ROGUE_CA"));
            props.push(("ssl.key.password", CANARIES[1].to_string()));
            refused(
                b,
                "untrusted-ca",
                b.get("MTLS_BOOTSTRAP"),
                props,
                &["certificate verify failed"],
            );
        });
        s.spawn(move || {
            let mut props = b.mtls_props(b.get("CA"));
            props.push(("ssl.key.password", CANARIES[1].to_string()));
            refused(
                b,
                "hostname-mismatch",
                b.get("MISMATCH_BOOTSTRAP"),
                props,
                &["ostname mismatch", "certificate verify failed"],
            );
        });
    });
    eprintln!("secure cluster scenarios took {:?}", started.elapsed());
}

/// Configuration errors around secrets, broker-free: a misspelt secret property, one this build of
/// librdkafka does not support, and an unreadable secret file each stop `run` with exit code 2
/// naming the key, and the value never appears.
#[test]
fn secret_config_errors_name_the_key_never_the_value() {
    let canary = "canary-Rt5-config-secret";
    for (var, value, key) in [
        (
            "NEWSENRICH__KAFKA__CONSUMER_EXTRA__SASL__PASSWD",
            canary.to_string(),
            "kafka.consumer_extra.sasl.passwd",
        ),
        (
            "NEWSENRICH__KAFKA__PRODUCER_EXTRA__SASL__OAUTHBEARER__CLIENT__SECRET",
            canary.to_string(),
            "kafka.producer_extra.sasl.oauthbearer.client.secret",
        ),
        (
            "NEWSENRICH__KAFKA__PRODUCER_EXTRA__SASL__PASSWORD",
            format!("@/nonexistent/{canary}-dir/password"),
            "kafka.producer_extra.sasl.password",
        ),
    ] {
        for command in ["run", "check-config"] {
            let out = common::worker::newsenrich_command()
                .arg(command)
                .env(var, &value)
                .output()
                .expect("run newsenrich");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {var}: {stderr}");
            assert!(stderr.contains(key), "{command} {var}: {stderr}");
            if value.starts_with('@') {
                // The path is named (it is not the secret).
                assert!(stderr.contains("/nonexistent/"), "{stderr}");
            } else {
                assert!(
                    !stderr.contains(canary) && !stdout.contains(canary),
                    "{stderr}"
                );
            }
        }
    }
}
